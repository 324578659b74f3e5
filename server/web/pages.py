"""The HTML pages a browser gets: the emailed join link and the demo sessions' join page."""

from __future__ import annotations

from datetime import datetime

from app.core.brand import Brand
from app.core.session_code import format_session_code
from app.core.utc_time import parse_iso_utc
from server.storage import SessionRow
from server.templating import render


def _expires_text(expires_at: str) -> str:
    moment: datetime = parse_iso_utc(expires_at)
    return f"{moment:%H:%M} UTC on {moment.day} {moment:%B %Y}"


def join_page(session: SessionRow, brand: Brand) -> str:
    return render(
        "join/session.html",
        company=brand.company,
        phone=brand.phone,
        grouped_code=format_session_code(session.code),
        technician=session.technician,
        ticket=session.ticket,
        expires_at=session.expires_at,
        expires_text=_expires_text(session.expires_at),
        launcher_file=f"{brand.launcher_name}-{session.code}",
    )


def demo_join_page(session: SessionRow, brand: Brand) -> str:
    return render("join/demo_joined.html", company=brand.company, grouped_code=format_session_code(session.code))
