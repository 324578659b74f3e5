"""The entry point as a customer starts it: the code from the launcher's own file name or from a
join link lands on the Session page; and a production launcher cannot be pointed anywhere else.

In-process runs call ``app.main.main`` with ``sys.argv`` set as the desktop would and replace only
``app.main.run_event_loop``: everything else (parsing, intake, brand, server address, wizard) is
the real start-up. Production runs use a production brand two ways: in-process with
``app.main.load_brand`` swapped for one with ``development_options: false``, and as
``python -m app`` in a subprocess whose working folder holds a copy of the ``resources`` package
with a production ``brand.json`` (the interpreter finds it before the installed one, so the real
``load_brand`` reads it: no test-only switch exists in the launcher). Where a production
launcher talks to its server, ``HTTPS_PROXY`` points at a recording proxy on loopback: the test
stays offline and sees the one host the launcher asked for.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import app.main
from app.core.brand import load_brand
from app.core.session_code import format_session_code
from app.ui.wizard import PageId
from tests.recording_proxy import RecordingProxy, requests_of_launcher
from tests.wizard_driver import WAIT_MS

ROOT = Path(__file__).resolve().parents[1]
BRAND = load_brand()
PRODUCTION = dataclasses.replace(BRAND, development_options=False)
BRAND_HOST = BRAND.server_url.removeprefix("https://").rstrip("/")
# Names a development build, or a careless one, might have listened to.
HOSTILE_ENVIRONMENT = {
    "PHONETEX_SERVER": "http://127.0.0.1:9",
    "PHONETEX_SERVER_URL": "https://evil.example",
    "PHONETEX_DEMO": "1",
    "PHONETEX_DEVELOPMENT": "1",
    "PHONETEX_DEVELOPMENT_OPTIONS": "true",
    "PHONETEX_BRAND": "development",
    "SUPPORT_SERVER": "http://127.0.0.1:9",
    "DEMO": "1",
}


class Launch:
    """``app.main.main()`` with ``sys.argv`` as given; the wizard is looked at instead of run."""

    def __init__(self, qtbot, monkeypatch) -> None:
        self.qtbot = qtbot
        self.monkeypatch = monkeypatch
        self.wizard = None
        monkeypatch.setattr(app.main, "run_event_loop", self._look)

    def __call__(self, argv0: str, *args: str, until=lambda wizard: True) -> int:
        self._until = until
        self.monkeypatch.setattr(sys, "argv", [argv0, *args])
        return app.main.main()

    def _look(self, qt_app, wizard) -> int:
        self.qtbot.addWidget(wizard)
        self.wizard = wizard
        self.qtbot.waitUntil(lambda: self._until(wizard), timeout=WAIT_MS)
        return 0

    @property
    def session_page(self):
        return self.wizard.page_of(PageId.SESSION)


@pytest.fixture
def launch(qtbot, monkeypatch):
    return Launch(qtbot, monkeypatch)


def session_found(wizard) -> bool:
    return wizard.page_of(PageId.SESSION).isComplete()


# --- acceptance: the code arrives by file name or by join link ---------------------------------


@pytest.mark.parametrize(
    "launcher_file",
    [
        "{tmp}/Downloads/Phonetex-Support-{grouped} (1).exe",
        r"C:\Users\Ann\Downloads\Phonetex-Support-{grouped} (1).exe",
        "{tmp}/Downloads/Phonetex-Support-{dashed}(2).AppImage",
        "{tmp}/Phonetex-Support-{code}.app/Contents/MacOS/Phonetex-Support",
        "{tmp}/Downloads/Phonetex-Support-{code}",
    ],
)
def test_started_under_a_name_with_the_code_the_session_page_opens_with_it(launch, consent_server, tmp_path, launcher_file):
    session = consent_server.create_session(technician="Sam Carter")
    code = session["code"]
    argv0 = launcher_file.format(tmp=tmp_path, code=code, grouped=format_session_code(code), dashed=format_session_code(code).replace(" ", "-"))

    assert launch(argv0, "--server", consent_server.base_url, until=session_found) == 0

    page = launch.session_page
    assert launch.wizard.currentId() == PageId.SESSION
    assert page.code_edit.text() == format_session_code(code)
    assert page.technician_value.text() == "Sam Carter"
    assert page.words_value.text().split("  ·  ") == session["verification_words"]


@pytest.mark.parametrize(
    "link",
    [
        "https://support.phonetex.example/join/{code}",
        "https://support.phonetex.example/join/{code}/",
        "https://support.phonetex.example/join?code={code}",
    ],
)
def test_given_a_join_link_the_session_page_opens_with_its_code(launch, consent_server, link):
    code = consent_server.create_session()["code"]
    argv0 = str(ROOT / "app" / "__main__.py")  # `python -m app`: no code in this name

    assert launch(argv0, link.format(code=code), "--server", consent_server.base_url, until=session_found) == 0

    assert launch.session_page.code_edit.text() == format_session_code(code)


def test_the_command_line_wins_over_the_file_name(launch, consent_server, tmp_path):
    from_name = consent_server.create_session(technician="Named In File")["code"]
    from_argument = consent_server.create_session(technician="Given On Command Line")["code"]
    argv0 = str(tmp_path / f"Phonetex-Support-{from_name}.exe")

    launch(argv0, from_argument, "--server", consent_server.base_url, until=session_found)

    assert launch.session_page.code_edit.text() == format_session_code(from_argument)
    assert launch.session_page.technician_value.text() == "Given On Command Line"


def test_a_code_from_the_file_name_can_be_corrected_by_typing(launch, consent_server, tmp_path):
    right = consent_server.create_session(technician="The Right One")["code"]
    argv0 = str(tmp_path / "Phonetex-Support-100000000 (1).exe")  # a code nobody opened

    launch(argv0, "--server", consent_server.base_url,
           until=lambda wizard: "no support session" in wizard.page_of(PageId.SESSION).status_label.text())
    page = launch.session_page
    page.code_edit.clear()
    launch.qtbot.keyClicks(page.code_edit, format_session_code(right))
    launch.qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)
    assert page.technician_value.text() == "The Right One"


def test_a_link_that_is_not_a_join_link_is_explained_on_the_session_page(launch, consent_server, tmp_path):
    argv0 = str(tmp_path / "Phonetex-Support-482913557.exe")
    launch(argv0, "https://support.phonetex.example/download", "--server", consent_server.base_url)
    page = launch.session_page
    assert page.code_edit.text() == ""
    assert "does not carry a session code" in page.status_label.text()


# --- production lock, in-process --------------------------------------------------------------


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setattr(app.main, "load_brand", lambda: PRODUCTION)
    return PRODUCTION


@pytest.fixture
def frozen(monkeypatch, tmp_path):
    """A PyInstaller build: ``sys.frozen`` set and ``sys.executable`` the downloaded file."""
    executable = tmp_path / "Downloads" / "Phonetex-Support-482 913 557 (1)"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(executable))
    return executable


@pytest.mark.parametrize(
    "args, words",
    [
        (["--demo"], "no demo mode"),
        (["--server", "http://127.0.0.1:9"], "--server is not available"),
        (["--server", "https://evil.example"], "--server is not available"),
        (["482913557", "--server", "https://support.phonetex.example.evil.io"], "--server is not available"),
    ],
)
@pytest.mark.parametrize("locked_by", ["production brand", "frozen build"])
def test_no_argument_switches_a_locked_launcher_to_demo_or_another_server(
    request, launch, capsys, monkeypatch, args, words, locked_by
):
    request.getfixturevalue("production" if locked_by == "production brand" else "frozen")
    for name, value in HOSTILE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    assert launch("Phonetex-Support", *args) == 2
    assert launch.wizard is None  # refused before any window
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("locked_by", ["production brand", "frozen build"])
def test_a_locked_launcher_asks_only_the_brands_server_whatever_the_environment(
    request, launch, monkeypatch, locked_by
):
    request.getfixturevalue("production" if locked_by == "production brand" else "frozen")
    for name, value in HOSTILE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    with RecordingProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        # The frozen build finds the code in its real path; the production brand is given it.
        args = [] if locked_by == "frozen build" else ["482913557"]
        launch(
            "Phonetex-Support",
            *args,
            until=lambda wizard: "could not be reached" in wizard.page_of(PageId.SESSION).status_label.text(),
        )
        assert proxy.requests and all(line == f"CONNECT {BRAND_HOST}:443 HTTP/1.1" for line in proxy.requests)
    assert launch.session_page.code_edit.text() == "482 913 557"
    assert launch.wizard.ctx.demo_origin is None


# --- production lock, `python -m app` in a subprocess -----------------------------------------


@pytest.fixture
def production_checkout(tmp_path):
    """A working folder whose ``resources`` package is the shipped one with a production brand."""
    resources = tmp_path / "resources"
    shutil.copytree(ROOT / "resources", resources, ignore=shutil.ignore_patterns("__pycache__"))
    brand = json.loads((resources / "brand.json").read_text(encoding="utf-8"))
    brand["development_options"] = False
    (resources / "brand.json").write_text(json.dumps(brand, indent=2), encoding="utf-8")
    return tmp_path


def python_m_app(cwd: Path, *args: str, env: dict[str, str] | None = None, **options) -> subprocess.Popen:
    import os

    environment = {**os.environ, **HOSTILE_ENVIRONMENT, **(env or {})}
    environment.pop("PYTHONPATH", None)
    return subprocess.Popen(
        [sys.executable, "-m", "app", *args], cwd=cwd, env=environment, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options,
    )


def test_the_subprocess_really_runs_with_the_production_brand(production_checkout):
    probe = subprocess.run(
        [sys.executable, "-c", "from app.core.brand import load_brand; print(load_brand().development_options)"],
        cwd=production_checkout, capture_output=True, text=True, timeout=60,
    )
    assert probe.stdout.strip() == "False", probe.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["--demo"], "This launcher has no demo mode."),
        (["--server", "http://127.0.0.1:9"], "--server is not available"),
        (["482913557", "--server", "https://evil.example"], "--server is not available"),
    ],
)
def test_python_m_app_with_a_production_brand_refuses_development_switches(production_checkout, args, words):
    with python_m_app(production_checkout, *args) as launcher:
        _out, err = launcher.communicate(timeout=60)
    assert launcher.returncode == 2
    assert words in err and "Traceback" not in err


def test_python_m_app_with_a_production_brand_asks_only_the_brands_server(production_checkout):
    requests = requests_of_launcher(
        lambda proxy_url: python_m_app(production_checkout, "482913557", env={"HTTPS_PROXY": proxy_url})
    )
    assert requests and set(requests) == {f"CONNECT {BRAND_HOST}:443 HTTP/1.1"}
