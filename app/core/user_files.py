"""The only files the launcher writes on the customer's computer: its log and the consent receipt.

Both live in platformdirs' per-user folders (state and logs), never next to the program, in the
program folders or in autostart: the launcher is one downloaded file and installs nothing. Folders
and files are made only when there is something to write, readable by the customer alone.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import queue
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

from app.core.brand import Brand
from app.core.consent_client import Amendment
from app.core.consent_record import ACKNOWLEDGEMENTS, AppSummary, ConsentRecord, Receipt
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message
from app.core.read_back import describe_backup
from app.core.session_code import format_session_code

LOG_NAME = "launcher.log"
# One customer run logs a few lines; the cap keeps a launcher used for years from growing a big file.
LOG_MAX_BYTES = 512 * 1024
RECEIPTS_FOLDER = "receipts"


@dataclass(frozen=True)
class UserFiles:
    state_dir: Path
    log_dir: Path

    @property
    def log_path(self) -> Path:
        return self.log_dir / LOG_NAME

    @property
    def receipts_dir(self) -> Path:
        return self.state_dir / RECEIPTS_FOLDER

    def receipt_path(self, record: ConsentRecord) -> Path:
        # The receipt id is made by the launcher itself, so the name never carries server text.
        return self.receipts_dir / f"consent-receipt-{record.given_at[:10]}-{record.receipt_id}.txt"


def user_files(brand: Brand) -> UserFiles:
    """Linux: ``$XDG_STATE_HOME/<product>`` and its ``log`` folder; Windows: ``%LOCALAPPDATA%``;
    macOS: ``~/Library/Application Support`` and ``~/Library/Logs``."""
    dirs = PlatformDirs(appname=brand.product_name, appauthor=brand.company, ensure_exists=False)
    return UserFiles(state_dir=Path(dirs.user_state_dir), log_dir=Path(dirs.user_log_dir))


class _PrivateLogHandler(logging.handlers.RotatingFileHandler):
    """Opens (and makes the folder for) the log only when the first line is written."""

    def _open(self):
        Path(self.baseFilename).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream


class _QueuedLog(logging.handlers.QueueHandler):
    """Hands log lines to a thread that writes the file: a warning logged on the GUI thread never
    waits on the disk (the first one even creates the folder and the file)."""

    def __init__(self, target: logging.Handler) -> None:
        super().__init__(queue.SimpleQueue())
        self._target = target
        self._listener = logging.handlers.QueueListener(self.queue, target, respect_handler_level=True)
        self._listener.start()

    def flush(self) -> None:
        # Stopping drains the queue into the file; the listener starts again for later lines.
        self._listener.stop()
        self._target.flush()
        self._listener.start()

    def close(self) -> None:
        self._listener.stop()
        self._target.close()
        super().close()


def attach_file_log(files: UserFiles, level: int = logging.INFO, logger: logging.Logger | None = None) -> logging.Handler:
    """Send log lines of ``level`` and above to the customer's log file, created on first use."""
    target = _PrivateLogHandler(files.log_path, maxBytes=LOG_MAX_BYTES, backupCount=1, encoding="utf-8", delay=True)
    target.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler = _QueuedLog(target)
    handler.setLevel(level)
    (logger or logging.getLogger()).addHandler(handler)
    return handler


# Product names, as the providers write them (not translated).
PROVIDER_NAMES = {"zoho-assist": "Zoho Assist", "teamviewer": "TeamViewer"}


def receipt_text(
    receipt: Receipt,
    reference: str,
    brand: Brand,
    translate: Callable[[str], str] = lambda template: template,
    amendments: Sequence[Amendment] = (),
) -> str:
    """The customer's own copy of what they agreed to, in words: written from the server's answer,
    so it says what the server recorded and when, and what changed since (``amendments``: the
    technician switched the provider, which the terms allow).

    ``translate`` turns a template into the customer's language (the UI passes Qt's translator).
    """
    record = receipt.record

    def line(template: str, **params) -> str:
        return Message(template, params).render(translate)

    def apps(summaries: tuple[AppSummary, ...]) -> str:
        return ", ".join(sorted({app.name for app in summaries})) or line(QT_TRANSLATE_NOOP(CONTEXT, "none"))

    # The same words as the summary and the read-back checklist.
    backup_line = describe_backup(record.backup).render(translate)
    confirmed = [
        "  [x] " + translate(text) for key, text in ACKNOWLEDGEMENTS.items() if record.acknowledgements.get(key)
    ]
    lines = [
        line(QT_TRANSLATE_NOOP(CONTEXT, "{product}: your consent receipt"), product=brand.product_name),
        line(
            QT_TRANSLATE_NOOP(
                CONTEXT, "This is your copy of the permission you gave {company} for one remote support session."
            ),
            company=brand.company,
        ),
        "",
        line(QT_TRANSLATE_NOOP(CONTEXT, "Reference code: {reference}"), reference=reference),
        line(QT_TRANSLATE_NOOP(CONTEXT, "Session code: {code}"), code=format_session_code(record.session_code)),
        line(QT_TRANSLATE_NOOP(CONTEXT, "Given on: {time} (UTC)"), time=record.given_at.replace("T", " ").rstrip("Z")),
        line(
            QT_TRANSLATE_NOOP(CONTEXT, "Recorded by {company} on: {time} (UTC)"),
            company=brand.company,
            time=receipt.received_at.replace("T", " ").rstrip("Z"),
        ),
        line(QT_TRANSLATE_NOOP(CONTEXT, "Your name: {name}"), name=record.name),
        line(
            QT_TRANSLATE_NOOP(CONTEXT, "Terms accepted: {id}, version {version} ({language})"),
            id=record.terms.id,
            version=record.terms.version,
            language=record.terms.language,
        ),
        line(QT_TRANSLATE_NOOP(CONTEXT, "Fingerprint of the exact terms text (SHA-256): {sha256}"), sha256=record.terms.sha256),
        line(QT_TRANSLATE_NOOP(CONTEXT, "You confirmed:")),
        *confirmed,
        line(QT_TRANSLATE_NOOP(CONTEXT, "Programs left open: {apps}"), apps=apps(record.open_apps.left_open)),
        line(QT_TRANSLATE_NOOP(CONTEXT, "Programs you closed: {apps}"), apps=apps(record.open_apps.closed)),
        backup_line,
        *[
            line(
                QT_TRANSLATE_NOOP(
                    CONTEXT,
                    "Changed after you gave permission: on {time} (UTC) {technician} switched this session "
                    "from {old} to {new}. The terms you accepted name TeamViewer for when Zoho Assist cannot "
                    "be used, so your permission covers it.",
                ),
                time=amendment.at.replace("T", " ").rstrip("Z"),
                technician=amendment.technician,
                old=PROVIDER_NAMES.get(amendment.from_provider, amendment.from_provider),
                new=PROVIDER_NAMES.get(amendment.to_provider, amendment.to_provider),
            )
            for amendment in amendments
        ],
        "",
        line(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "This permission was for this session only; it is not remembered for any later session. "
                "Questions: call {company} on {phone} and give the reference code.",
            ),
            company=brand.company,
            phone=brand.phone,
        ),
        line(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "To withdraw your permission at any time, press End support now on the {company} support bar "
                "while the session runs, or later call {company} on {phone} and give the reference code {reference}.",
            ),
            company=brand.company,
            phone=brand.phone,
            reference=reference,
        ),
        line(QT_TRANSLATE_NOOP(CONTEXT, "Receipt id: {receipt_id}"), receipt_id=record.receipt_id),
        line(
            QT_TRANSLATE_NOOP(CONTEXT, "Launcher version {version} ({os})"),
            version=record.client_version,
            os=record.os_family,
        ),
    ]
    return "\n".join(lines) + "\n"


def write_receipt(path: Path, text: str) -> Path:
    """Write the receipt whole or not at all, readable by the customer alone. Runs off the GUI thread."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".receipt-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
