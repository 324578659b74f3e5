"""The wizard fits small and zoomed screens: every page, under a real window manager.

For each screen below, a private Xvfb runs openbox (a window manager, so the window has a title
bar and a frame like on a desktop) and tests/screen_fit.py walks all six pages, checking that
Back / Next / Cancel, the check boxes and the buttons the customer needs lie inside the screen
(scrolling the page if it must) and that no wrapped text is cut. The screens run side by side.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from testbed.xvfb import MISSING_REASON, start_xvfb, xvfb_missing

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "screen_fit.py"

# (screen, QT_SCALE_FACTOR, font DPI): a small netbook, a common laptop, laptops at 150 % and
# 200 %, and a larger system font (144 dpi) at the default size.
SCREENS = [
    ("1024x600", "1", None),
    ("1366x768", "1", None),
    ("1280x800", "1.5", None),
    ("1280x800", "2", None),
    ("1920x1080", "2", None),
    ("1366x768", "1", "144"),
]
# The README's pictures of every page, into docs/ only when asked (PHONETEX_SCREENSHOTS=docs).
SHOTS = {("1024x600", "1", None): "fit-1024x600", ("1920x1080", "2", None): "fit-200"}
DOCS = ROOT / "docs"

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.screen_fit,
    pytest.mark.skipif(xvfb_missing(), reason=MISSING_REASON),
    pytest.mark.skipif(shutil.which("openbox") is None, reason="needs a window manager: openbox (make system-deps)"),
]


def test_every_page_fits_every_screen(tmp_path):
    with ExitStack() as stack:
        runs = []
        for size, scale, dpi in SCREENS:
            server, display = start_xvfb(f"{size}x24")
            stack.callback(lambda s=server: (s.terminate(), s.wait(timeout=10)))
            manager = subprocess.Popen(["openbox"], env={**os.environ, "DISPLAY": display},
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stack.callback(lambda m=manager: (m.terminate(), m.wait(timeout=10)))
            env = {key: value for key, value in os.environ.items() if not key.startswith("QT_")}
            env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=scale, PYTHONPATH=str(ROOT),
                       XDG_STATE_HOME=str(tmp_path / "state"))
            if dpi:
                # A larger font at the same pixel size: no scaling, only the text grows.
                env.update(QT_FONT_DPI=dpi, QT_ENABLE_HIGHDPI_SCALING="0")
            shots = []
            if os.environ.get("PHONETEX_SCREENSHOTS") == "docs" and (size, scale, dpi) in SHOTS:
                shots = ["--shots", str(DOCS), "--name", SHOTS[(size, scale, dpi)]]
            runs.append(((size, scale, dpi), subprocess.Popen(
                [sys.executable, str(SCRIPT), *shots], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )))
        problems = {}
        for screen, run in runs:
            out, err = run.communicate(timeout=180)
            assert run.returncode == 0, f"{screen}: {err[-2000:]}"
            report = json.loads(out.strip().splitlines()[-1])
            if report["problems"]:
                problems[" ".join(str(part) for part in screen if part)] = report["problems"]
    assert not problems, json.dumps(problems, indent=1)
