"""The two HTML pages a browser gets: the emailed join link and the demo sessions' join page."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from html import escape
from importlib import resources
from string import Template

from app.core.brand import Brand
from app.core.session_code import format_session_code
from server.db import SessionRow, parse_iso_utc

# The pages need no script, frame or outside resource; saying so keeps injected markup inert.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


@cache
def _template(name: str) -> Template:
    return Template(resources.files("server").joinpath(name).read_text(encoding="utf-8"))


def _render(name: str, **values: str) -> str:
    return _template(name).substitute({key: escape(value) for key, value in values.items()})


def _expires_text(expires_at: str) -> str:
    moment: datetime = parse_iso_utc(expires_at)
    return f"{moment:%H:%M} UTC on {moment.day} {moment:%B %Y}"


def join_page(session: SessionRow, brand: Brand) -> str:
    return _render(
        "join.html",
        company=brand.company,
        phone=brand.phone,
        grouped_code=format_session_code(session.code),
        technician=session.technician,
        ticket_sentence=f" Your ticket is {session.ticket}." if session.ticket else "",
        expires_at=session.expires_at,
        expires_text=_expires_text(session.expires_at),
        launcher_file=f"{brand.launcher_name}-{session.code}",
    )


def demo_join_page(session: SessionRow, brand: Brand) -> str:
    return _render("demo_join.html", company=brand.company, grouped_code=format_session_code(session.code))
