"""Showing core messages in the customer's language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, Qt

from app.core.messages import CONTEXT, Message, UserFacingError


def core_text(message: Message | UserFacingError) -> str:
    """Translate a core message (and any message nested in it) and fill in its values."""
    if isinstance(message, UserFacingError):
        message = message.message
    return message.render(lambda template: QCoreApplication.translate(CONTEXT, template))


def customer_locale() -> QLocale:
    """The customer's locale; the bare C/POSIX locale (no language set) reads as British English,
    whose dates a person can read ("Tuesday 1 December 2026", not "1 12 2026")."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    return locale


def local_time(iso_utc: str) -> str:
    """An ISO 8601 UTC time from the server, in the customer's time zone and locale, with the
    zone named: "Tuesday 1 December 2026, 10:26 CET"."""
    moment = QDateTime.fromString(iso_utc, Qt.DateFormat.ISODate)
    if not moment.isValid():
        return iso_utc
    local = moment.toLocalTime()
    locale = customer_locale()
    date = locale.toString(local.date(), QLocale.FormatType.LongFormat)
    time = locale.toString(local.time(), QLocale.FormatType.ShortFormat)
    zone = local.timeZoneAbbreviation()
    return f"{date}, {time} {zone}".strip()


ZERO_WIDTH_SPACE = "\u200b"


def wrappable_path(path: str) -> str:
    """A file name that may wrap after its separators, hyphens, dots and underscores: a receipt's
    name (``consent-receipt-2026-12-01-5bc7…``) has no space, and Qt breaks lines only at spaces
    and between some punctuation and letters, so the whole name made its page wider than a
    zoomed screen. The marks are invisible."""
    return "".join(char + ZERO_WIDTH_SPACE if char in "/\\-_." else char for char in path)
