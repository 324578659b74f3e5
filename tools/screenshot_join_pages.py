"""Screenshots of the emailed link's page for the README, in Debian's headless Chromium:

    .venv/bin/python tools/screenshot_join_pages.py docs/

Starts the real server with stand-in builds as big as the real ones published (the real Linux build from ``dist/`` when
``make launcher`` has made one) and saves ``join-page-windows.png``, ``join-page-macos.png``,
``join-page-linux.png`` (the page as each system's browser shows it) and ``join-expired.png``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.domain.sessions import open_session  # noqa: E402
from server.embedded import EmbeddedServer  # noqa: E402
from testbed.browser import chromium_as, missing_browser, screenshot, wait_for  # noqa: E402
from testbed.launcher_builds import NAME, publish  # noqa: E402

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"


def main(out: Path) -> int:
    reason = missing_browser()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="phonetex-join-shots-") as scratch:
        launchers = publish(Path(scratch) / "launchers", scale=100)
        built = ROOT / "dist" / NAME
        if built.is_file():
            shutil.copy2(built, launchers / NAME)
        with EmbeddedServer(Path(scratch) / "c.sqlite3", launchers_dir=launchers) as server:
            code = server.create_session(technician="Sam Carter", ticket="PTX-1042", join_url=ZOHO_LINK)["code"]
            expired = open_session(
                server.store,
                technician="Sam Carter", ticket="PTX-1042", join_url=ZOHO_LINK, provider="zoho-assist",
                expires_in_minutes=60, now=datetime.now(UTC) - timedelta(hours=3),
            ).code
            shots = [(system, code, f"join-page-{system}.png") for system in ("windows", "macos", "linux")]
            shots.append(("windows", expired, "join-expired.png"))
            for system, session_code, name in shots:
                with chromium_as(system, window_size=(1100, 900)) as driver:
                    driver.get(f"{server.base_url}/join/{session_code}")
                    wait_for(driver, lambda d: d.find_element("tag name", "h1"))
                    print(screenshot(driver, out / name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")))
