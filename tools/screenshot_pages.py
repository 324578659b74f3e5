"""Screenshots of the real wizard for the README: run under a real X server, e.g.

    xvfb-run -s "-screen 0 1280x900x24" .venv/bin/python tools/screenshot_pages.py docs/

It starts the embedded demo server, walks the wizard as a customer would and saves
``<page>.png`` for the Session, Terms, Consent and Connect pages.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWizard

from app.core.brand import load_brand
from app.core.consent_client import ConsentClient
from app.core.terms import load_terms
from app.ui.application import create_application
from app.ui.context import LauncherContext
from app.ui.wizard import SupportWizard
from server.embedded import start_demo_server


def settle(milliseconds: int = 600) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        server, session = start_demo_server(tmp, technician="Sam Carter", ticket="PTX-1042")
        try:
            ctx = LauncherContext(
                brand=load_brand(),
                terms=load_terms(),
                client=ConsentClient(server.base_url),
                initial_code=session["code"],
                demo_origin=server.base_url,
                open_url=lambda _url: True,
            )
            wizard = SupportWizard(ctx)
            wizard.resize(900, 640)
            wizard.show()
            settle(1500)
            wizard.grab().save(str(out / "session-page.png"))
            wizard.next()
            settle()
            wizard.grab().save(str(out / "terms-page.png"))
            # On to Consent and Connect, ticking what a customer ticks (no backup: risk accepted).
            terms = wizard.currentPage()
            terms.text_view.moveCursor(QTextCursor.MoveOperation.End)
            settle(100)
            terms.accept_box.setChecked(True)
            wizard.next()
            settle(1500)
            wizard.next()
            settle()
            wizard.currentPage().risk_box.setChecked(True)
            wizard.next()
            settle()
            consent = wizard.currentPage()
            consent.name_edit.setText("Ann Example")
            for box in consent.ack_boxes.values():
                box.setChecked(True)
            settle()
            wizard.grab().save(str(out / "consent-page.png"))
            wizard.button(QWizard.WizardButton.CommitButton).click()
            settle(1500)
            wizard.grab().save(str(out / "connect-page.png"))
            wizard.close()
        finally:
            server.stop()
    del app
    return 0


if __name__ == "__main__":
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        print("Run under a real X server (xvfb-run) so the window is drawn as a person sees it.", file=sys.stderr)
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))
