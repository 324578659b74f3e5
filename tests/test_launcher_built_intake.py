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
from tests.recording_proxy import requests_of_launcher
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
    env.update(HOSTILE_ENVIRONMENT, QT_QPA_PLATFORM="offscreen")

    def start(proxy_url: str) -> subprocess.Popen:
        return subprocess.Popen(
            [str(downloaded)], env={**env, "HTTPS_PROXY": proxy_url}, cwd=folders["cwd"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    requests = requests_of_launcher(start)
    assert requests and set(requests) == {f"CONNECT {BRAND_HOST}:443 HTTP/1.1"}
