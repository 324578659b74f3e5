"""The whole emailed-link path with the built launcher: a browser on Linux opens the join page,
downloads the launcher the server publishes, and the downloaded file, started under a fresh
account as the page tells a customer to, opens with the session code filled in and leaves
nothing behind but itself.

Runs only against a built launcher: ``make launcher-check`` sets PHONETEX_LAUNCHER; the folder it
was built into is what the server publishes (``serve --launchers dist``).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from app.core.session_code import format_session_code
from server.embedded import EmbeddedServer
from tests.browser import chromium_as, wait_for
from tests.fresh_account import files_left, fresh_user_env

LAUNCHER = os.environ.get("PHONETEX_LAUNCHER")
if not LAUNCHER:
    pytest.skip("tests the built file: run `make launcher-check`", allow_module_level=True)

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"


def test_the_launcher_downloaded_through_the_page_opens_with_the_code(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    built = Path(LAUNCHER).resolve()
    (tmp_path / "account").mkdir()
    folders, env = fresh_user_env(tmp_path / "account")
    downloads = folders["home"] / "Downloads"
    downloads.mkdir()
    with EmbeddedServer(tmp_path / "c.sqlite3", launchers_dir=built.parent) as server:
        code = server.create_session(join_url=ZOHO_LINK)["code"]
        with chromium_as("linux", download_dir=downloads) as driver:
            driver.get(f"{server.base_url}/join/{code}")
            first = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "a.download"))[0]
            assert first.get_attribute("data-system") == "linux"
            first.click()
            saved = downloads / f"{built.name}-{code}"
            wait_for(driver, lambda d: saved.exists() and not list(downloads.glob("*.crdownload")), timeout=60,
                     message=f"the launcher was not downloaded: {sorted(p.name for p in downloads.iterdir())}")
    assert saved.read_bytes() == built.read_bytes()

    # What the page's Linux steps say: allow it to run, then start it.
    saved.chmod(0o755)
    result = subprocess.run(
        [str(saved), "--exit-when-shown"],
        # Offline: the look-up it starts goes to a closed loopback port, never to the internet.
        env={**env, "QT_QPA_PLATFORM": "offscreen", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""},
        cwd=folders["cwd"], capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["Step 1 of 6: Your support session", f"Session code: {format_session_code(code)}"]
    assert files_left(tmp_path / "account") == [f"home/Downloads/{saved.name}"]
