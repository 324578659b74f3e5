"""Keep the customer's own copy of the consent once the server has recorded it.

The text is rendered on the GUI thread (translation needs no disk); writing it goes to a worker,
because the GUI thread never waits on the disk. A failed write is logged and changes nothing for
the customer: the server holds the record, and the Connect page shows the reference code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject

from app.core.consent_client import Amendment
from app.core.messages import CONTEXT
from app.core.user_files import receipt_text, user_files, write_receipt
from app.ui.context import LauncherContext
from app.ui.workers import BackgroundRunner

log = logging.getLogger(__name__)


def save_receipt_later(
    parent: QObject,
    ctx: LauncherContext,
    on_saved: Callable[[Path], None] | None = None,
    amendments: Sequence[Amendment] = (),
) -> BackgroundRunner | None:
    """Start writing the receipt of the recorded consent, from the server's answer (what it
    recorded, and when) and what changed since; None when nothing has been recorded. Written
    again after a change, the file is replaced whole."""
    answer = ctx.journey.answer
    if answer is None or answer.receipt is None:
        return None
    receipt = answer.receipt
    text = receipt_text(
        receipt,
        answer.reference,
        ctx.brand,
        translate=lambda template: QCoreApplication.translate(CONTEXT, template),
        amendments=amendments,
    )
    path = user_files(ctx.brand).receipt_path(receipt.record)

    def saved(written: Path) -> None:
        log.info("consent receipt saved in %s", written)
        if on_saved is not None:
            on_saved(written)

    def failed(error: Exception) -> None:
        log.warning("the consent receipt could not be saved in %s: %s", path, error)

    runner = BackgroundRunner(ctx.pool, parent)
    runner.start(lambda _task: write_receipt(path, text), saved, failed)
    return runner
