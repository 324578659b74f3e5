"""The Backup page checking a generated backup that lacks a few recent files, for the README:

    xvfb-run -s "-screen 0 1280x900x24" env QT_QPA_PLATFORM=xcb .venv/bin/python tools/screenshot_backup.py docs/backup.png

It generates a home (Documents, Desktop, Pictures) and a mirror of it without the three most
recently changed files, opens the real wizard on its Backup page, picks the mirror as a customer
would, waits for the verdict, saves the window and prints what the page says. Exit 0 only when
the page shows *incomplete* with those three files listed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer

from app.core.backup.system import CommandResult
from app.core.brand import load_brand
from app.core.consent_client import ConsentClient
from app.core.terms import load_terms
from app.ui.application import create_application
from app.ui.context import LauncherContext
from app.ui.wizard import PageId, SupportWizard
from testbed.backup_trees import DAY, fake_run, make_home, mirror, newest

MISSING = 3


def wait_until(condition, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
    return True


def main(out: str) -> int:
    app = create_application()
    with tempfile.TemporaryDirectory(prefix="backup-shot-") as tmp:
        now = time.time()
        home = make_home(Path(tmp) / "home", now, files=600, depth=3)
        lost = newest(home, MISSING)
        backup = mirror(home, Path(tmp) / "BACKUP", skip=lost)
        # What Déjà Dup would answer on a Linux desktop that once backed up to a NAS.
        last = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 12 * DAY))
        run = fake_run({
            ("gsettings", "get", "org.gnome.DejaDup", "last-backup"): CommandResult(0, f"'{last}'", ""),
            ("gsettings", "get", "org.gnome.DejaDup", "backend"): CommandResult(0, "'remote'", ""),
            ("gsettings", "get", "org.gnome.DejaDup.Remote", "uri"): CommandResult(0, "'sftp://nas.local/backups'", ""),
        })
        system = home.system(separate_disk=backup, run=run)
        ctx = LauncherContext(
            brand=load_brand(),
            terms=load_terms(),
            client=ConsentClient("http://127.0.0.1:9"),  # never asked: the page works offline
            choose_folder=lambda _parent, _title: str(backup),
            backup_system=lambda: system,
        )
        wizard = SupportWizard(ctx)
        wizard.setStartId(PageId.BACKUP)
        wizard.resize(980, 860)
        wizard.show()
        page = wizard.currentPage()
        wait_until(lambda: "Looking" not in page.findings_label.text())
        page.choose_button.click()
        if not wait_until(lambda: not page.checking and page.verdict_label.isVisible()):
            print("the check did not finish", file=sys.stderr)
            return 1
        wait_until(lambda: False, 0.5)  # let the window paint its final state
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        wizard.grab().save(out)
        listed = [page.files_list.item(i).text().strip() for i in range(page.files_list.count())]
        print("verdict:", page.verdict_label.text())
        print("advice:", page.result_label.text())
        print("listed:", *listed, sep="\n  ")
        print("recorded:", ctx.journey.backup)
        ok = "incomplete" in page.verdict_label.text() and set(lost) <= set(listed)
        wizard.hide()  # not close(): leaving mid-journey asks the customer to confirm
    del app
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/backup.png"))
