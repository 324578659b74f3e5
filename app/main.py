"""Command line entry point: ``python -m app [CODE_OR_LINK]``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence

from app import __version__
from app.core.brand import Brand, load_brand
from app.core.messages import UserFacingError
from app.core.server_address import development_allowed, resolve_server_url
from app.core.session_intake import initial_session, launcher_path

log = logging.getLogger("app")
PSEUDO_LOCALE_ENV = "PHONETEX_PSEUDO_LOCALE"


def build_parser(brand: Brand) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="phonetex-support",
        description=f"{brand.product_name}: prepare this computer for a {brand.company} remote support session.",
    )
    parser.add_argument(
        "code",
        nargs="?",
        metavar="CODE_OR_LINK",
        help="the 9-digit session code (482913557, '482 913 557', 482-913-557) or the join link from the "
        "email; without it, the code in the launcher's own file name (Phonetex-Support-482913557.exe)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="development only: run a local demo consent server and a demo session",
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help="development only: consent server to use (https, or http on this computer)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this launcher without showing a window or using the network: one line per check, "
        "exit status 0 when all pass",
    )
    parser.add_argument(
        "--exit-when-shown",
        action="store_true",
        help="exit with status 0 as soon as the first page has painted (to time start-up)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    brand = load_brand()
    args = build_parser(brand).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if args.self_test:
        from app.self_test import run_self_test

        return run_self_test()
    if args.demo and not development_allowed(brand):
        print("This launcher has no demo mode.", file=sys.stderr)
        return 2
    if args.demo and args.server:
        print("--demo runs its own server; leave out --server.", file=sys.stderr)
        return 2
    # The command line first, else the launcher's own file name (Phonetex-Support-482913557.exe).
    intake = initial_session(args.code, launcher_path(), brand.launcher_name)
    server_url = None
    if not args.demo:
        try:
            server_url = resolve_server_url(brand, args.server)
        except UserFacingError as error:
            print(str(error), file=sys.stderr)
            return 2
    return _run_gui(
        brand, server_url, intake.code, intake.error, demo=args.demo, exit_when_shown=args.exit_when_shown
    )


def run_event_loop(qt_app, wizard) -> int:
    """Run the shown wizard until it closes. Tests that start the whole entry point replace this
    to look at the wizard as the customer would first see it, then return."""
    return qt_app.exec()


def _run_gui(
    brand: Brand,
    server_url: str | None,
    initial_code: str | None,
    intake_error,
    *,
    demo: bool,
    exit_when_shown: bool = False,
) -> int:
    # Qt is imported here so --help and --version answer without loading it.
    from app.core.session_bus import never_autolaunch_a_session_bus
    from app.core.user_files import attach_file_log, user_files

    # Before Qt loads: no bus daemon (and no ~/.dbus file) started for the customer's account.
    never_autolaunch_a_session_bus()
    from app.ui.application import create_application
    from app.ui.crash import CrashHandler

    # A layout check for developers; a release ignores it like every other development switch.
    qt_app = create_application(pseudo_locale=development_allowed(brand) and bool(os.environ.get(PSEUDO_LOCALE_ENV)))
    # The log file and the consent receipt are the only files the launcher leaves (app.core.user_files).
    files = user_files(brand)
    file_log = attach_file_log(files)
    crash = CrashHandler(brand, str(files.log_path)).install()
    demo_server = None
    demo_dir = None
    demo_origin = None
    try:
        # Imported once the crash handler is in place: a broken build explains itself too.
        from app.core.consent_client import ConsentClient
        from app.core.consent_journal import ConsentJournal
        from app.core.step_reporter import StepReporter
        from app.core.terms import load_terms
        from app.ui.context import LauncherContext
        from app.ui.first_paint import QuitOnFirstPaint
        from app.ui.wizard import SupportWizard

        if demo:
            from server.embedded import local_launchers, start_demo_server

            demo_dir = tempfile.TemporaryDirectory(prefix="phonetex-demo-")
            builds = local_launchers()
            demo_server, session = start_demo_server(demo_dir.name, launchers_dir=builds)
            server_url = demo_origin = demo_server.base_url
            initial_code = session["code"]
            print(f"Demo consent server on {demo_server.base_url}, session {session['code']}", file=sys.stderr)
            offered = f"offers the launcher built in {builds}" if builds else "no launcher built yet: `make launcher`"
            print(f"The emailed link: {session['customer_link']} ({offered})", file=sys.stderr)
        client = ConsentClient(server_url)
        step_reporter = StepReporter(client.report_step)
        ctx = LauncherContext(
            brand=brand,
            terms=load_terms(brand),
            client=client,
            initial_code=initial_code,
            intake_error=intake_error,
            demo_origin=demo_origin,
            step_reporter=step_reporter,
            journal=ConsentJournal(files.state_dir),
        )
        wizard = SupportWizard(ctx)
        if exit_when_shown:
            QuitOnFirstPaint(wizard.page(wizard.startId()))
        wizard.show()
        code = run_event_loop(qt_app, wizard)
        # The last report ("ended") gets a moment to leave; a dead server costs at most this.
        step_reporter.close(timeout=1.0)
        return crash.exit_code if crash.crashed else code
    except Exception:  # noqa: BLE001 - anything that escapes gets the crash message, not a traceback
        return crash.report_fatal(sys.exc_info())
    finally:
        crash.uninstall()
        logging.getLogger().removeHandler(file_log)
        file_log.close()
        if demo_server is not None:
            demo_server.stop()
        if demo_dir is not None:
            demo_dir.cleanup()
