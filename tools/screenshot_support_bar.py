"""The screenshot of the "being supported" bar for the README: run under a real X server, e.g.

    xvfb-run -s "-screen 0 1280x900x24" env QT_QPA_PLATFORM=xcb .venv/bin/python tools/screenshot_support_bar.py docs/support-bar.png

The real bar, on a journey whose consent was recorded for Sam Carter with reference K7P-4QX,
watching a program that keeps running.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from app.core.brand import load_brand
from app.core.consent_client import ConsentAnswer, ConsentClient, SessionInfo
from app.core.journey import Journey
from app.core.open_apps.process_list import ProcessListBackend
from app.core.support_session import SupportWatch
from app.core.terms import load_terms
from app.ui.application import create_application
from app.ui.context import LauncherContext
from app.ui.support_bar import SupportBar


class _AlwaysRunning(SupportWatch):
    def running(self):
        return object()  # the session stays live while the picture is taken


def settle(milliseconds: int = 600) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def main(out_file: str) -> int:
    out = Path(out_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    app = create_application()
    journey = Journey(
        session=SessionInfo("482913557", "Phonetex", "Sam Carter", "PTX-1042", "2026-12-01T10:00:00Z", "consented"),
        answer=ConsentAnswer("K7P-4QX", "https://assist.zoho.com/join?role=A&key=123456789", "zoho-assist"),
        link_opened=True,
    )
    ctx = LauncherContext(brand=load_brand(), terms=load_terms(), client=ConsentClient("http://127.0.0.1:9"), journey=journey)
    bar = SupportBar(ctx, _AlwaysRunning("zoho-assist", ProcessListBackend("linux")))
    bar.place()
    bar.show()
    settle()
    bar.grab().save(str(out))
    print(f"saved {out} ({bar.width()}x{bar.height()} at {bar.x()},{bar.y()} of {bar.screen().availableGeometry()})")
    bar.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/support-bar.png"))
