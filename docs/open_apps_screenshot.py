"""Make docs/open-apps.png: the real wizard on its Open apps page, on a real X server.

    xvfb-run -a -s "-screen 0 1280x900x24" env QT_QPA_PLATFORM=xcb .venv/bin/python docs/open_apps_screenshot.py

Starts stand-in applications named like catalogued ones (tests/open_apps_fake_app.py) on the
same display, opens the wizard at the Open apps page with its default (X11) scanner, asks the
stand-in LibreOffice, which ignores polite closes, to close, waits until the page offers Force
close, and saves the window's picture. Then it presses
Close on the stand-in Thunderbird and KeePassXC and reports that they exited.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.brand import load_brand  # noqa: E402
from app.core.consent_client import ConsentClient  # noqa: E402
from app.core.terms import load_terms  # noqa: E402
from app.ui.context import LauncherContext  # noqa: E402
from app.ui.wizard import PageId, SupportWizard  # noqa: E402

FAKE_APP = ROOT / "tests" / "open_apps_fake_app.py"
STAND_INS = [
    ("thunderbird", "--windows", "2", "--helpers", "2", "--color", "#1f6fd1"),
    ("keepassxc", "--color", "#3aa655"),
    ("firefox-esr", "--color", "#e66000"),
    ("soffice.bin", "--ignore-close", "--color", "#1b9a59"),
    ("gnome-calculator", "--color", "#777777"),
]


def wait(app: QApplication, condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the page did not get there in time")
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    out = ROOT / "docs" / "open-apps.png"
    started = []
    try:
        for name, *options in STAND_INS:
            proc = subprocess.Popen([sys.executable, str(FAKE_APP), "--name", name, *options],
                                    stdout=subprocess.PIPE, text=True, env=dict(os.environ, QT_QPA_PLATFORM="xcb"))
            started.append(proc)
            proc.stdout.readline()
        app = QApplication(sys.argv)
        brand = load_brand()
        ctx = LauncherContext(brand=brand, terms=load_terms(brand), client=ConsentClient(brand.server_url))
        wizard = SupportWizard(ctx)
        wizard.setStartId(PageId.OPEN_APPS)
        wizard.resize(900, 760)
        wizard.show()
        page = wizard.page_of(PageId.OPEN_APPS)
        wait(app, lambda: {"thunderbird", "keepassxc", "libreoffice"} <= set(page.row_keys()), 30)
        page.close_app("libreoffice")
        wait(app, lambda: page.row("libreoffice").force_button.isVisible(), 30)
        wizard.grab().save(str(out))
        print(f"saved {out} with rows {page.row_keys()}")
        # The acceptance check on the same desktop: Close closes the stand-in mail client and
        # password manager, by asking them (they exit by themselves, status 0).
        by_name = {name: proc for (name, *_options), proc in zip(STAND_INS, started, strict=True)}
        for key, name in (("thunderbird", "thunderbird"), ("keepassxc", "keepassxc")):
            page.row(key).close_button.click()
            wait(app, lambda name=name, key=key: by_name[name].poll() is not None and key not in page.row_keys(), 30)
            print(f"Close: {name} exited with status {by_name[name].returncode}; row gone")
        print(f"consent record: {page.journey.open_apps}")
        return 0
    finally:
        for proc in started:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
