"""``--self-test``: prove a build is whole without showing a window or touching the network.

Support staff and CI run it against the built single file: a check fails when the build lost a
resource, a module, a Qt plugin or the TLS certificates, or when a development switch leaked into
a release. One line per check; exit status 0 only when every check passed. Nothing is written to
disk and nothing is opened.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import pkgutil
import re
import ssl
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TextIO

import app
from app.core.brand import Brand, load_brand
from app.core.join_link import JoinLinkRefused, check_join_link
from app.core.server_address import check_server_url, development_allowed
from app.core.terms import load_terms

PASS, SKIP, FAIL = "ok", "skip", "FAIL"

# One link per kind the allow-list must let through (the forms Zoho Assist and TeamViewer hand out).
GOOD_LINKS = (
    "https://assist.zoho.com/join?role=A&key=123456789",
    "https://assist.zoho.com/join?role=A&key=880567893&email=john%40zylker.com",
    "https://assist.zoho.eu/assist-schedule?digest=5f2b9c0e7a1d4e3f&og=Tk9xQ2h1&role=A&schedule_id=1024"
    "&x-com-zoho-assist-orgid=815262805",
    "https://join.zoho.com/?key=123456789",
    "https://get.teamviewer.com/s06301144",
)
# And links that only look right: each must be refused.
BAD_LINKS = (
    "http://assist.zoho.com/join?role=A&key=123456789",
    "https://assist.zoho.com.evil.example/join?role=A&key=123456789",
    "https://user@assist.zoho.com/join?role=A&key=123456789",
    "https://assist.zoho.com:8443/join?role=A&key=123456789",
    "https://xn--assist-zoho-abc.com/join?role=A&key=123456789",
    "https://assist.zoho.com/join?role=A&key=123456789&next=https://evil.example",
    "https://assist.zoho.com/download?role=A&key=123456789",
    "https://203.0.113.7/join?role=A&key=123456789",
    "javascript:alert(1)",
    # the technician's and the supporter's links
    "https://assist.zoho.com/assist-start?key=880567893&viewer=html",
    "https://assist.zoho.com/join?role=V&key=880567893",
    "https://get.teamviewer.com/s06301144-Zx7Yq2Wb",
)
# The Qt platform plugin each desktop needs; offscreen runs this self-test and the benchmarks.
PLATFORM_PLUGINS = {
    "linux": ("xcb", "offscreen"),
    "win32": ("windows", "offscreen"),
    "darwin": ("cocoa", "offscreen"),
}


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str
    detail: str


class Skipped(Exception):
    """The check does not apply to this kind of run; the message says why."""


def run_self_test(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    results = []
    for name, check in checks():
        result = run_check(name, check)
        results.append(result)
        print(f"{result.status:<4}  {result.name}: {result.detail}", file=out, flush=True)
    failed = [r for r in results if r.status == FAIL]
    print(f"self-test: {len(results) - len(failed)} passed, {len(failed)} failed", file=out, flush=True)
    return 1 if failed else 0


def run_check(name: str, check: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(name, PASS, check())
    except Skipped as why:
        return CheckResult(name, SKIP, str(why))
    except Exception as error:  # noqa: BLE001 - a failing check is reported, never raised
        return CheckResult(name, FAIL, f"{type(error).__name__}: {error}")


def checks() -> list[tuple[str, Callable[[], str]]]:
    return [
        ("version", check_version),
        ("brand config", check_brand),
        ("terms", check_terms),
        ("shipped data files", check_data_files),
        ("launcher modules", check_modules),
        ("release lock", check_release_lock),
        ("TLS certificates", check_tls),
        ("join-link allow-list", check_allow_list),
        ("verification words", check_verification_words),
        ("Qt platform plugins", check_platform_plugins),
        ("Qt translations", check_translations),
        ("text services", check_text_services),
        ("wizard pages", check_wizard_pages),
        ("crash handler", check_crash_handler),
        ("support bar exit", check_support_bar_exit),
    ]


def check_version() -> str:
    if not app.__version__ or app.__version__.startswith("0+unknown"):
        raise AssertionError(f"the package metadata is missing (version {app.__version__!r})")
    return app.__version__


def check_brand() -> str:
    brand = load_brand()
    url = check_server_url(brand.server_url, allow_loopback_http=False)
    if not brand.join_links:
        raise AssertionError("no join-link rules")
    return f"{brand.company}, launcher {brand.launcher_name}, server {url}"


def check_verification_words() -> str:
    # Without the list every session look-up would be refused as unreadable.
    from app.core.verification_words import derive_words, word_list

    return f"{len(word_list())} words, e.g. {' '.join(derive_words(b'self-test', '482913557'))}"


def check_terms() -> str:
    terms = load_terms()
    if len(terms.text.strip()) < 200:
        raise AssertionError(f"the terms text is only {len(terms.text)} characters")
    return f"{terms.id} {terms.version} ({terms.language}), {len(terms.text)} characters, sha256 {terms.sha256[:12]}…"


def _shipped_files(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in folder.iterdir():
        if entry.name.startswith(("__", ".")):
            continue
        if entry.is_dir():
            yield from _shipped_files(entry, f"{prefix}{entry.name}/")
        else:
            yield prefix + entry.name, entry


def check_data_files() -> str:
    """Every JSON file shipped in ``resources`` (brand config, catalogues) must parse."""
    names = []
    for name, entry in sorted(_shipped_files(resources.files("resources"))):
        if name.endswith(".json"):
            json.loads(entry.read_bytes())
            names.append(name)
    if not names:
        raise AssertionError("no JSON data files were shipped")
    return ", ".join(names) + " parse"


def check_modules() -> str:
    """Every launcher module imports: a build that missed one fails here, not in front of a customer."""
    names = [
        info.name
        for info in pkgutil.walk_packages(app.__path__, "app.")
        if info.name != "app.__main__"  # importing it would start the launcher
    ]
    for name in names:
        importlib.import_module(name)
    if len(names) < 10:
        raise AssertionError(f"only {len(names)} launcher modules were found")
    return f"{len(names)} import"


def check_release_lock() -> str:
    """A frozen build runs no demo, names no other server and carries no server code."""
    if not getattr(sys, "frozen", False):
        raise Skipped("running from source, where development options are allowed")
    brand = load_brand()
    if brand.development_options or development_allowed(brand):
        raise AssertionError("the build ships a brand with development options on")
    leaked = [name for name in ("server", "fastapi", "uvicorn", "starlette") if importlib.util.find_spec(name)]
    if leaked:
        raise AssertionError(f"development-only packages are in the build: {', '.join(leaked)}")
    return "no demo mode, no --server, no server packages"


def check_tls() -> str:
    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    count = context.cert_store_stats()["x509_ca"]
    if count < 50:
        raise AssertionError(f"only {count} certificate authorities")
    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        raise AssertionError("certificate verification is off")
    return f"{count} certificate authorities, verification on"


def check_allow_list(brand: Brand | None = None) -> str:
    brand = brand or load_brand()
    for link in GOOD_LINKS:
        check_join_link(link, brand)
    for link in BAD_LINKS:
        try:
            check_join_link(link, brand)
        except JoinLinkRefused:
            continue
        raise AssertionError(f"{link} was let through")
    return f"{len(GOOD_LINKS)} good links accepted, {len(BAD_LINKS)} bad links refused"


def check_platform_plugins() -> str:
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    present = {_plugin_name(path) for path in folder.glob("*") if path.is_file()}
    wanted = PLATFORM_PLUGINS.get(sys.platform, ("offscreen",))
    missing = [name for name in wanted if name not in present]
    if missing:
        raise AssertionError(f"missing {', '.join(missing)} in {folder} (found {', '.join(sorted(present)) or 'none'})")
    return ", ".join(wanted) + " present"


def _plugin_name(path: Path) -> str:
    stem = path.name.split(".")[0]
    stem = stem.removeprefix("lib").removeprefix("q")
    return stem


def check_translations() -> str:
    """Each launcher catalogue loads, with Qt's own catalogue for the same language beside it."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    qt_folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    own = sorted((name, entry) for name, entry in _shipped_files(resources.files("resources")) if name.endswith(".qm"))
    for name, entry in own:
        if not QTranslator().load(entry.read_bytes()):
            raise AssertionError(f"{name} does not load")
        # Named <name>_<language>.qm, the language as Qt's own catalogues name it (de, pt_BR).
        match = re.search(r"_([a-z]{2,3}(?:_[A-Z]{2})?)\.qm$", name)
        language = match.group(1) if match else ""
        candidates = {qt_folder / f"qtbase_{language}.qm", qt_folder / f"qtbase_{language.split('_')[0]}.qm"}
        if not any(QTranslator().load(str(path)) for path in candidates if path.is_file()):
            raise AssertionError(f"no Qt catalogue (qtbase) for {name} in {qt_folder}")
    if not own:
        return "English only: no launcher catalogues, Qt's built-in English"
    return f"{len(own)} launcher catalogues, each with Qt's own"


def check_text_services() -> str:
    """Sorting and case mapping, which Qt hands to ICU: the build ships ICU's data trimmed to these."""
    from PySide6.QtCore import QCollator, QLocale

    collator = QCollator(QLocale("de_DE"))
    collator.setNumericMode(True)
    if not collator.compare("file2", "file10") < 0 or not collator.compare("Äpfel", "Birne") < 0:
        raise AssertionError("German sorting is wrong")
    if not QCollator(QLocale("sv_SE")).compare("ä", "z") > 0:
        raise AssertionError("Swedish sorting is wrong (locale collation data missing)")
    if QLocale("tr_TR").toUpper("i") != "\u0130":
        raise AssertionError("Turkish upper case is wrong")
    return "locale sorting and case mapping work"


def _application():
    from PySide6.QtWidgets import QApplication

    # Offscreen by the platform argument, not the environment: nothing is shown and nothing the
    # launcher opens later inherits the setting.
    return QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "self-test", "-platform", "offscreen"])


def check_wizard_pages() -> str:
    from app.core.consent_client import ConsentClient
    from app.ui.context import LauncherContext
    from app.ui.wizard import PAGE_CLASSES, SupportWizard

    _application()
    brand = load_brand()
    client = ConsentClient(check_server_url(brand.server_url, allow_loopback_http=False))
    try:
        ctx = LauncherContext(brand=brand, terms=load_terms(brand), client=client, open_url=lambda _url: False)
        wizard = SupportWizard(ctx)
        try:
            for page_id in PAGE_CLASSES:
                page = wizard.page(int(page_id))
                if page is None:
                    raise AssertionError(f"page {page_id.name} is missing")
                if not page.title():
                    raise AssertionError(f"page {page_id.name} has no title")
                page.resize(800, 500)
                if page.grab().isNull():
                    raise AssertionError(f"page {page_id.name} did not render")
        finally:
            wizard.deleteLater()
    finally:
        client.close()
    return f"{len(PAGE_CLASSES)} pages built and rendered offscreen"


def check_support_bar_exit() -> str:
    """The bar the wizard becomes, once its provider's program has gone by itself, closes itself
    and so ends the event loop with 0: the same way out as Finish (the last window closes, the
    loop ends, main returns), after which the bootloader removes the unpack folder. Offscreen and
    without the network: the end report is refused as an unknown consent, so the bar lingers with
    the phone number and then goes."""
    from types import SimpleNamespace

    from PySide6.QtCore import QTimer

    from app.core.consent_client import ConsentAnswer, ServerError
    from app.core.support_session import EndOutcome
    from app.ui.context import LauncherContext
    from app.ui.support_bar import SupportBar

    class NoServer:
        def __init__(self) -> None:
            self.reports: list[str] = []

        def withdraw(self, receipt_id: str, reason: str, code: str):
            self.reports.append(reason)
            raise ServerError("self-test: no server", status=404, error="no_consent")

    class ProgramGone:
        def running(self):
            return None

        def end(self, patience: float = 0.0) -> EndOutcome:
            return EndOutcome(gone=True, forced=False)

    qt_app = _application()
    brand = load_brand()
    client = NoServer()
    ctx = LauncherContext(brand=brand, terms=load_terms(brand), client=client, support_poll_ms=10, support_linger_ms=10)  # type: ignore[arg-type]
    # Only what the bar reads of a recorded consent: its reference, provider and receipt id.
    record = SimpleNamespace(receipt_id="00000000-0000-4000-8000-000000000000", session_code="482913557")
    ctx.journey.answer = ConsentAnswer("N4H-R9F", "", "zoho-assist", receipt=SimpleNamespace(record=record))  # type: ignore[arg-type]
    bar = SupportBar(ctx, ProgramGone())  # type: ignore[arg-type]
    watchdog = QTimer(singleShot=True, interval=10_000)
    watchdog.timeout.connect(lambda: qt_app.exit(-1))
    # The unreported end is logged as a warning: kept out of the self-test's output.
    records: list[logging.LogRecord] = []
    bar_log = logging.getLogger("app.ui.support_bar")
    capture = _ListHandler(records)
    bar_log.addHandler(capture)
    propagate, bar_log.propagate = bar_log.propagate, False
    try:
        bar.show()
        watchdog.start()
        code = qt_app.exec()
        watchdog.stop()
        state = bar.state
    finally:
        bar_log.removeHandler(capture)
        bar_log.propagate = propagate
        bar.deleteLater()
    if code != 0:
        raise AssertionError(f"the event loop ended with {code}, not 0 (the bar did not close)")
    if state != "ended" or client.reports != ["program_ended"]:
        raise AssertionError(f"the bar is {state!r} after reporting {client.reports}")
    return "a bar whose program ended reports it, closes itself and ends the event loop with 0"


def check_crash_handler() -> str:
    """A page that raises is logged, explained and closes the event loop with the crash code."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWizard, QWizardPage

    from app.ui.crash import CRASH_EXIT_CODE, CrashHandler

    qt_app = _application()
    shown: list[str] = []
    records: list[logging.LogRecord] = []
    crash_log = logging.getLogger("app.ui.crash")
    capture = _ListHandler(records)
    crash_log.addHandler(capture)
    propagate, crash_log.propagate = crash_log.propagate, False

    class FailingPage(QWizardPage):
        def initializePage(self) -> None:  # noqa: N802 - Qt's name
            raise RuntimeError("self-test: a page failed on purpose")

    handler = CrashHandler(load_brand(), log_path=None, show_message=lambda title, _text: shown.append(title)).install()
    wizard = QWizard()
    try:
        wizard.addPage(QWizardPage())
        wizard.addPage(FailingPage())
        # restart() enters the first page without showing a window; next() then fails on purpose.
        QTimer.singleShot(0, lambda: (wizard.restart(), wizard.next()))
        watchdog = QTimer(singleShot=True, interval=10_000)
        watchdog.timeout.connect(lambda: qt_app.exit(-1))
        watchdog.start()
        code = qt_app.exec()
        watchdog.stop()
    finally:
        handler.uninstall()
        crash_log.removeHandler(capture)
        crash_log.propagate = propagate
        wizard.deleteLater()
    if code != CRASH_EXIT_CODE:
        raise AssertionError(f"the event loop ended with {code}, not {CRASH_EXIT_CODE}")
    if len(shown) != 1:
        raise AssertionError(f"{len(shown)} messages shown instead of one")
    if not any(record.exc_info and "on purpose" in str(record.exc_info[1]) for record in records):
        raise AssertionError("the failure was not logged")
    return f"a failing page is logged, explained once and exits with {CRASH_EXIT_CODE}"


class _ListHandler(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
