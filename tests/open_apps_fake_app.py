"""A stand-in desktop application for the Open apps tests, benchmark and screenshot.

Run as ``python open_apps_fake_app.py --name thunderbird`` on a real X server: it renames its
process (what /proc/PID/comm and psutil report), opens top-level windows with WM_CLASS and an
icon, starts helper processes the way browsers do, and prints ``ready`` once its windows are
shown. With ``--ignore-close`` it refuses the polite close, like an application whose "save
changes?" question is waiting for an answer; with ``--exit-after S`` it quits by itself.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import subprocess
import sys

PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1

_HELPER = (
    "import ctypes, ctypes.util, signal, sys\n"
    "libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)\n"
    f"libc.prctl({PR_SET_PDEATHSIG}, signal.SIGKILL, 0, 0, 0)\n"
    f"libc.prctl({PR_SET_NAME}, sys.argv[1].encode()[:15], 0, 0, 0)\n"
    "print('ready', flush=True)\n"
    "signal.pause()\n"
)


def rename_process(name: str) -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)
    # Never outlive the test run that started it, even one that was killed.
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--title", default="Fake application")
    parser.add_argument("--windows", type=int, default=1)
    parser.add_argument("--helpers", type=int, default=0)
    parser.add_argument("--ignore-close", action="store_true")
    parser.add_argument("--color", default="#2a6fdb")
    # Quit by itself this many seconds after its windows showed (a support session the technician ended).
    parser.add_argument("--exit-after", type=float, default=None)
    args = parser.parse_args()

    rename_process(args.name)
    helpers = []
    for _ in range(args.helpers):
        helper = subprocess.Popen([sys.executable, "-c", _HELPER, args.name], stdout=subprocess.PIPE, text=True)
        helper.stdout.readline()
        helpers.append(helper)

    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    from PySide6.QtGui import QColor, QIcon, QPixmap
    from PySide6.QtWidgets import QApplication, QLabel

    # argv[0] becomes WM_CLASS's instance name, as for a real application's binary.
    app = QApplication([args.name])
    app.setApplicationName(args.name)
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor(args.color))
    app.setWindowIcon(QIcon(pixmap))

    class Window(QLabel):
        def closeEvent(self, event) -> None:  # noqa: N802
            if args.ignore_close:
                event.ignore()
            else:
                event.accept()

    windows = []
    for index in range(args.windows):
        window = Window(f"{args.title} {index + 1}")
        window.setWindowTitle(f"{args.title} {index + 1}")
        window.resize(240, 120)
        window.show()
        windows.append(window)
    app.processEvents()
    print("ready", flush=True)
    if args.exit_after is not None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(args.exit_after * 1000), app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
