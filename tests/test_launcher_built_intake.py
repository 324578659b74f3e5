"""The built single file takes the session code from its own downloaded name and, whatever its
environment says, asks only the brand's server about it.

Runs only against a built launcher: ``make launcher-check`` sets PHONETEX_LAUNCHER. The file is
copied under the name a browser gives a second download; its real path is what a PyInstaller
build reads (``sys.executable``), so this is the frozen path of app.core.session_intake. The
look-up goes through ``HTTPS_PROXY``, a recording proxy on loopback: the test stays offline and
sees the one host the launcher asked for (TLS hides the code itself; without a code in its name
the launcher asks nothing until one is typed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.brand import load_brand
from tests.fresh_account import fresh_user_env
from tests.recording_proxy import RecordingProxy
from tests.test_launcher_intake import HOSTILE_ENVIRONMENT

LAUNCHER = os.environ.get("PHONETEX_LAUNCHER")
if not LAUNCHER:
    pytest.skip("tests the built file: run `make launcher-check`", allow_module_level=True)

BRAND_HOST = load_brand().server_url.removeprefix("https://").rstrip("/")


@pytest.mark.parametrize("name", ["Phonetex-Support-482 913 557 (1)", "Phonetex-Support-482-913-557"])
def test_the_built_file_looks_up_the_code_in_its_name_on_the_brands_server_only(tmp_path: Path, name: str) -> None:
    folders, env = fresh_user_env(tmp_path)
    downloaded = folders["home"] / "Downloads" / name
    downloaded.parent.mkdir()
    shutil.copy2(Path(LAUNCHER).resolve(), downloaded)
    with RecordingProxy() as proxy:
        env.update(HOSTILE_ENVIRONMENT, HTTPS_PROXY=proxy.url, QT_QPA_PLATFORM="offscreen")
        launcher = subprocess.Popen(
            [str(downloaded)],
            env=env, cwd=folders["cwd"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            first = proxy.first_request(timeout=60)
        finally:
            launcher.terminate()
            launcher.communicate(timeout=30)
    assert first == f"CONNECT {BRAND_HOST}:443 HTTP/1.1"
    assert all(line == first for line in proxy.requests)
