"""``--self-test``: one line per check, exit 0 only when every check passed, no window, no files."""

import io
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from app.core.brand import load_brand
from app.self_test import FAIL, PASS, SKIP, check_allow_list, checks, run_check, run_self_test
from tests.fresh_account import files_left, fresh_user_env

ROOT = Path(__file__).resolve().parents[1]


def test_every_check_passes_from_source_with_one_line_each(qapp):
    out = io.StringIO()
    assert run_self_test(out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == len(checks()) + 1
    statuses = {line.split(":")[0].split(None, 1)[1]: line.split()[0] for line in lines[:-1]}
    # From source the release lock does not apply; everything else must really pass.
    assert statuses.pop("release lock") == SKIP
    assert set(statuses.values()) == {PASS}
    assert lines[-1] == f"self-test: {len(lines) - 1} passed, 0 failed"


def test_an_allow_list_that_lets_a_look_alike_host_through_fails_the_self_test():
    brand = load_brand()
    loose_rule = replace(brand.join_links[0], hosts=(*brand.join_links[0].hosts, "assist.zoho.com.evil.example"))
    loose = replace(brand, join_links=(loose_rule, *brand.join_links[1:]))
    result = run_check("join-link allow-list", lambda: check_allow_list(loose))
    assert result.status == FAIL
    assert "assist.zoho.com.evil.example" in result.detail


def test_a_failing_check_makes_the_exit_status_non_zero(monkeypatch, qapp):
    def broken_terms():
        raise FileNotFoundError("terms-en.txt")

    monkeypatch.setattr("app.self_test.check_terms", broken_terms)
    out = io.StringIO()
    assert run_self_test(out) == 1
    assert "FAIL  terms: FileNotFoundError: terms-en.txt" in out.getvalue()
    assert out.getvalue().rstrip().endswith("1 failed")


def test_the_command_line_self_test_shows_nothing_and_leaves_nothing(tmp_path):
    _folders, env = fresh_user_env(tmp_path)
    # A display that does not exist: if the self-test tried to show a window it would fail.
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=":97")
    done = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "wizard pages: 6 pages built and rendered offscreen" in done.stdout
    assert files_left(tmp_path) == []


def test_help_and_version_answer_without_loading_qt():
    probe = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print('Qt loaded' if 'PySide6' in sys.modules else 'Qt not loaded'))\n"
        "sys.argv = ['phonetex-support', sys.argv[1]]\n"
        "runpy.run_module('app', run_name='__main__')\n"
    )
    outputs = {}
    for option in ("--help", "--version"):
        done = subprocess.run([sys.executable, "-c", probe, option], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.rstrip().endswith("Qt not loaded"), done.stdout
        outputs[option] = done.stdout
    assert "--self-test" in outputs["--help"] and "--exit-when-shown" in outputs["--help"]


def test_exit_when_shown_paints_the_first_page_exits_0_and_leaves_nothing(tmp_path):
    _folders, env = fresh_user_env(tmp_path)
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-m", "app", "--exit-when-shown"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert files_left(tmp_path) == []
