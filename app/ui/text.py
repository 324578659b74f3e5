"""Showing core messages in the customer's language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, Qt

from app.core.messages import CONTEXT, Message, UserFacingError


def core_text(message: Message | UserFacingError) -> str:
    """Translate a core message (and any message nested in it) and fill in its values."""
    if isinstance(message, UserFacingError):
        message = message.message
    return message.render(lambda template: QCoreApplication.translate(CONTEXT, template))


def local_time(iso_utc: str) -> str:
    """An ISO 8601 UTC time from the server, in the customer's time zone and locale."""
    moment = QDateTime.fromString(iso_utc, Qt.DateFormat.ISODate)
    if not moment.isValid():
        return iso_utc
    return QLocale().toString(moment.toLocalTime(), QLocale.FormatType.ShortFormat)
