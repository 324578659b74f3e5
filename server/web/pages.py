"""The HTML pages a browser gets: the emailed join link (the launcher downloads, or why there are
none) and the demo sessions' join page. The routes pick the page; the words are here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.brand import Brand
from app.core.session_code import format_session_code
from app.core.utc_time import parse_iso_utc
from server.domain import refusals as r
from server.domain.launchers import Download, download_name
from server.storage import SessionRow
from server.templating import render
from server.web.visitor_system import DESKTOPS, LINUX, MACOS, PHONE, WINDOWS

_LABELS = {WINDOWS: ("Windows", "Windows"), MACOS: ("Mac (macOS)", "Mac"), LINUX: ("Linux", "Linux")}


def download_path(code: str, filename: str) -> str:
    return f"/join/{code}/download/{filename}"


def _expires_text(expires_at: str) -> str:
    moment: datetime = parse_iso_utc(expires_at)
    return f"{moment:%H:%M} UTC on {moment.day} {moment:%B %Y}"


def _size_text(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1000))} KB"


@dataclass(frozen=True)
class Offer:
    system: str
    label: str
    short_label: str
    download: Download | None
    href: str
    size_text: str
    # The macOS app as Finder shows it once unpacked (no ".app": Finder hides it).
    app_name: str


def _offer(system: str, code: str, brand: Brand, download: Download | None) -> Offer:
    label, short = _LABELS[system]
    return Offer(
        system=system,
        label=label,
        short_label=short,
        download=download,
        href=download_path(code, download_name(brand.launcher_name, system, code)),
        size_text=_size_text(download.size) if download else "",
        app_name=f"{brand.launcher_name}-{code}",
    )


def join_page(session: SessionRow, brand: Brand, downloads: dict[str, Download], system: str) -> str:
    """The page for a live session: the visitor's system's download first (or, on a phone, a note
    to use the computer), the other systems below it."""
    offers = {name: _offer(name, session.code, brand, downloads.get(name)) for name in DESKTOPS}
    first = offers.pop(system) if system in offers else None
    listed = ([first] if first else []) + list(offers.values())
    return render(
        "join/download.html",
        company=brand.company,
        phone=brand.phone,
        grouped_code=format_session_code(session.code),
        technician=session.technician,
        ticket=session.ticket,
        expires_at=session.expires_at,
        expires_text=_expires_text(session.expires_at),
        on_phone=system == PHONE,
        first=first,
        others=list(offers.values()),
        offers_with_files=[offer for offer in listed if offer.download],
    )


@dataclass(frozen=True)
class RefusalWords:
    state: str  # for tests and styling: expired, cancelled, used, unknown, invalid, too_many
    heading: str
    explanation: tuple[str, ...]
    next_step: str


def refusal_words(refusal: r.Refusal, brand: Brand, code: str, session: SessionRow | None) -> RefusalWords:
    """What the page says for ``refusal``: what happened, in plain words, and what to do next."""
    company = brand.company
    grouped = format_session_code(code) if len(code) == 9 and code.isdigit() else code
    new_link = f"call {company} and ask for a new session: we will email you a new link."
    if isinstance(refusal, r.SessionExpired):
        ended = f" It ended at {_expires_text(session.expires_at)}." if session else ""
        return RefusalWords(
            "expired",
            "This session code has expired",
            (
                f"Session {grouped} is over.{ended}",
                "Codes only work for a short time, so that nobody else can use them later.",
            ),
            new_link[0].upper() + new_link[1:],
        )
    if isinstance(refusal, r.SessionCancelled):
        return RefusalWords(
            "cancelled",
            "This support session was cancelled",
            (f"{company} cancelled session {grouped}, so its link no longer starts anything.",),
            f"If you still need help, {new_link}",
        )
    if isinstance(refusal, r.AlreadyConsented):
        return RefusalWords(
            "used",
            "Permission was already given for this session",
            (
                f"Somebody already gave {company} permission for session {grouped}. "
                "You do not need to download anything again.",
                "If your technician is connected, there is nothing more to do.",
            ),
            f"If the connection did not open, or you need help again, call {company}: "
            "your technician can start a new session for you.",
        )
    if isinstance(refusal, r.TooManyWrongCodes):
        minutes = max(1, -(-refusal.retry_after // 60))
        wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
        return RefusalWords(
            "too_many",
            "Please wait before trying again",
            ("Too many wrong session codes were tried from this network.",),
            f"Wait {wait}, then open the link in {company}'s email again. If it still does not work, call {company}.",
        )
    if isinstance(refusal, r.InvalidCode):
        return RefusalWords(
            "invalid",
            "This is not a session link",
            ("The address does not end in a session code. A session code has 9 digits, like 482 913 557.",),
            f"Open the link in {company}'s email again, or copy the whole link into your browser. "
            f"If it still does not work, call {company}.",
        )
    return RefusalWords(
        "unknown",
        "There is no session with this code",
        (f"{company} has no support session with the code {grouped}.",),
        f"Check that the link is exactly the one in {company}'s email: open it from the email again rather "
        f"than typing it. If it still does not work, call {company}.",
    )


def refused_page(words: RefusalWords, brand: Brand) -> str:
    return render(
        "join/refused.html",
        company=brand.company,
        phone=brand.phone,
        state=words.state,
        heading=words.heading,
        explanation=words.explanation,
        next_step=words.next_step,
    )


def demo_join_page(session: SessionRow, brand: Brand) -> str:
    return render("join/demo_joined.html", company=brand.company, grouped_code=format_session_code(session.code))
