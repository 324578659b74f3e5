"""No customer is stranded by a launcher that dies between Give permission and the answer.

The real launcher runs in a process of its own (tests/launcher_walker.py: ``app.main.main`` with a
customer walking it) against the real server, through a proxy that holds or loses the consent on
its way (tests/holding_proxy.py). The launcher is killed with SIGKILL while the consent is under
way, started again with the same code and the same HOME, and must reach Connect with the same
reference code and join link, while the server holds exactly one consent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fresh_account import files_left, fresh_user_env
from tests.holding_proxy import HoldingProxy

ROOT = Path(__file__).resolve().parents[1]
WALKER = ROOT / "tests" / "launcher_walker.py"
ZOHO = "https://assist.zoho.com/join?role=A&key=123456789"
DEADLINE_S = 90

pytestmark = pytest.mark.e2e


def start_launcher(env: dict[str, str], cwd: Path, server: str, code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WALKER), "--server", server, code],
        env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def reaches_connect(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=DEADLINE_S)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def account(tmp_path):
    folders, env = fresh_user_env(tmp_path)
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return tmp_path, folders, env


@pytest.mark.parametrize(
    "mode",
    [
        "hold-answer",  # the server recorded it; the answer never came back
        "lose-request",  # the request never reached the server
        "hold-request",  # the request reaches the server late, after the second run
    ],
)
def test_killed_while_the_consent_was_under_way_a_second_run_reaches_connect(consent_server, account, mode):
    root, folders, env = account
    session = consent_server.create_session(join_url=ZOHO)
    code = session["code"]
    with HoldingProxy(consent_server.base_url, mode) as proxy:
        first = start_launcher(env, folders["cwd"], proxy.url, code)
        try:
            assert proxy.consent_arrived.wait(DEADLINE_S), first.stderr.read() if first.poll() is not None else "no consent sent"
            if mode == "hold-answer":
                assert proxy.forwarded.wait(DEADLINE_S)
            # The record was kept before it was sent: the journal names the code, and holds the record only.
            journal = next(folders["state"].rglob(f"journal/consent-{code}.json"))
            assert set(json.loads(journal.read_text())) == {"format", "expires_at", "record"}
        finally:
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=DEADLINE_S)
        assert first.returncode == -signal.SIGKILL
        assert consent_server.store.consent_count() == (1 if mode == "hold-answer" else 0)

        proxy.mode = "pass"
        second = reaches_connect(start_launcher(env, folders["cwd"], proxy.url, code))
        if mode == "hold-request":
            proxy.release()
            assert proxy.forwarded.wait(DEADLINE_S)
            # The late first request carries the same receipt id: the server answers it as before.
            assert proxy.late_answer.status_code == 201
            assert proxy.late_answer.json()["reference"] == second["reference"]

    stored = consent_server.store.consent_for_session(code)
    assert consent_server.store.consent_count() == 1
    assert second["reference"] == stored.reference
    assert second["link"] == ZOHO and second["opened"] == [ZOHO]
    assert second["resumed"] is True
    left = files_left(root)
    assert not any("journal/" in name for name in left), left  # the answer is stored: the journal entry is gone
    assert any(name.endswith(f"receipts/consent-{code}.json") for name in left), left


def test_a_second_run_after_the_answer_goes_straight_back_to_the_join_link(consent_server, account):
    """The browser tab with the join link was closed: the launcher, started again with the same
    code on the same computer, opens it again through the stored receipt."""
    _root, folders, env = account
    code = consent_server.create_session(join_url=ZOHO)["code"]
    first = reaches_connect(start_launcher(env, folders["cwd"], consent_server.base_url, code))
    assert first["resumed"] is False and first["opened"] == [ZOHO]
    again = reaches_connect(start_launcher(env, folders["cwd"], consent_server.base_url, code))
    assert again["resumed"] is True and again["opened"] == [ZOHO]
    assert again["reference"] == first["reference"]
    assert consent_server.store.consent_count() == 1
    assert os.path.exists(next(folders["state"].rglob(f"receipts/consent-{code}.json")))
