"""``python -m server`` / ``phonetex-consent-server``: run the server, or open a session offline.

Bad input is one line on stderr and exit status 2, never a traceback: this is run by whoever
looks after the support site, often from a service unit whose log shows only the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from app.core.brand import load_brand
from server.config import TOKEN_ENV, ConfigError, ServerConfig, TransportLimits, normalise_public_url, token_problem
from server.domain.codes import is_session_code
from server.domain.launchers import published_names
from server.domain.limits import LookupLimit
from server.domain.provider_sessions import ProviderClients, open_support_session, switch_answer, switch_provider
from server.domain.refusals import InvalidRequest, ProviderNotConfigured, Refusal
from server.domain.retention import MIN_RETENTION_DAYS, RETENTION_ENV
from server.domain.session_reports import check_reports, report_loop
from server.domain.sessions import (
    DEFAULT_EXPIRES_IN_MINUTES,
    PROVIDERS,
    cancel_session,
    parse_new_session,
    session_summary,
    words_secret,
)
from server.storage import Store, StoreError, open_store

PROG = "phonetex-consent-server"
T = TypeVar("T")
DEVELOPMENT_HELP = (
    "development or test run: lets the provider settings point at plain-http stand-ins on loopback"
)


class UsageError(Exception):
    """Bad input from the command line; ``main`` prints it as one line and exits with 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Reference consent server for the Phonetex Support Launcher.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    serve = commands.add_parser("serve", help="run the HTTP server")
    _add_database_arguments(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    serve.add_argument(
        "--token",
        help=f"technicians' bearer token; prefer the {TOKEN_ENV} environment variable, which other users "
        "cannot read from the process list. Without either, a token is made up and printed.",
    )
    serve.add_argument(
        "--public-url",
        help="address customers use, for the links in session answers (default: the address each request came in on)",
    )
    serve.add_argument("--demo", action="store_true", help="also serve /demo/join/<code> pages for demo sessions")
    serve.add_argument("--development", action="store_true", help=DEVELOPMENT_HELP)
    serve.add_argument(
        "--report-interval",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how often to ask the providers' reports about consented sessions; 0 turns the job off "
        "(default: %(default)s)",
    )
    serve.add_argument(
        "--launchers",
        metavar="DIR",
        help="folder of published launcher builds the join page offers, named as the release builds are: "
        "Phonetex-Support.exe, Phonetex-Support-macos.zip, Phonetex-Support (default: none; the page says to call)",
    )
    serve.add_argument(
        "--lookup-failures",
        type=int,
        metavar="N",
        default=LookupLimit.max_failures,
        help="wrong session codes one client address may try within the window before it gets 429 "
        "(default: %(default)s)",
    )
    serve.add_argument(
        "--lookup-window",
        type=float,
        default=LookupLimit.window_seconds,
        metavar="SECONDS",
        help="how long a wrong code counts against its address (default: %(default)s)",
    )
    serve.add_argument(
        "--group-commit",
        choices=("on", "off"),
        help="write concurrent consents in one transaction (default: on for SQLite, off for PostgreSQL, "
        "as measured by make bench-server-pg)",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="the reverse proxy in front of this server (repeat for several): its X-Forwarded-For and "
        "X-Forwarded-Proto name the customer's address and scheme. Without it no forwarding header is read.",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=TransportLimits.max_connections,
        metavar="N",
        help="open connections per server process; more are answered 503 (default: %(default)s)",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=TransportLimits.head_seconds,
        metavar="SECONDS",
        help="time a request's headers may take to arrive; slower is answered 408 (default: %(default)s)",
    )
    serve.add_argument(
        "--max-header-bytes",
        type=int,
        default=TransportLimits.max_head_bytes,
        metavar="BYTES",
        help="size of a request's line and headers; larger is answered 431 (default: %(default)s)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the port (default: %(default)s); more than one needs --database",
    )

    create = commands.add_parser("create-session", help="open a support session directly in the database")
    _add_database_arguments(create)
    create.add_argument(
        "--join-url",
        help="a customer join link you made in Zoho Assist or TeamViewer yourself; without it the server "
        "opens the session with the provider's API (credentials from PHONETEX_ZOHO_* / PHONETEX_TEAMVIEWER_*)",
    )
    create.add_argument("--technician", required=True, help="the name the customer will see")
    create.add_argument("--ticket", help="ticket number the customer will see")
    create.add_argument("--provider", choices=PROVIDERS, default=PROVIDERS[0], help="default: %(default)s")
    create.add_argument("--customer-email", help="Zoho Assist e-mails the customer its invitation")
    create.add_argument(
        "--schedule",
        metavar="START",
        help="book a Zoho Assist session for later: a time with its UTC offset, like 2026-12-02T14:00+00:00",
    )
    create.add_argument("--schedule-minutes", type=int, default=60, help="length of a booked session (default: %(default)s)")
    create.add_argument("--time-zone", default="UTC", help="the customer's time zone for a booked session (default: %(default)s)")
    create.add_argument(
        "--expires-in-minutes", type=int, default=DEFAULT_EXPIRES_IN_MINUTES, help="default: %(default)s"
    )
    create.add_argument("--public-url", help="support site for the customer link (default: the brand's support site)")
    create.add_argument("--development", action="store_true", help=DEVELOPMENT_HELP)

    switch = commands.add_parser(
        "switch-provider", help="move a session to the other provider (after consent: an amendment the customer sees)"
    )
    switch.add_argument("code", help="the 9-digit session code")
    switch.add_argument("provider", choices=PROVIDERS, help="the provider to switch to")
    _add_database_arguments(switch)
    switch.add_argument("--technician", help="who switches (default: the session's technician)")
    switch.add_argument("--development", action="store_true", help=DEVELOPMENT_HELP)

    reports = commands.add_parser(
        "check-reports", help="ask the providers' reports about consented sessions once (serve does this regularly)"
    )
    _add_database_arguments(reports)
    reports.add_argument("--development", action="store_true", help=DEVELOPMENT_HELP)

    migrate = commands.add_parser(
        "migrate", help="bring the database's schema up to date (serve does this too when it starts)"
    )
    _add_database_arguments(migrate)
    migrate.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if migrations are pending, 0 if up to date"
    )

    prune = commands.add_parser(
        "prune", help="remove consents and sessions past the retention period (run it daily, e.g. from a timer)"
    )
    _add_database_arguments(prune)
    prune.add_argument(
        "--older-than",
        metavar="DAYS",
        help=f"the retention period in days, at least {MIN_RETENTION_DAYS} (default: the {RETENTION_ENV} environment variable)",
    )
    prune.add_argument("--dry-run", action="store_true", help="only count what would be removed")

    export = commands.add_parser("export", help="print a customer's stored consent, found by its receipt id")
    _add_database_arguments(export)
    export.add_argument("--receipt", required=True, metavar="ID", help="the receipt id on the customer's receipt")
    shape = export.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="only the stored answer, as JSON")
    shape.add_argument("--text", action="store_true", help="only the readable receipt")

    cancel = commands.add_parser("cancel-session", help="cancel a session nobody has consented to yet")
    _add_database_arguments(cancel)
    cancel.add_argument("--code", required=True, help="the 9-digit session code")

    commands.add_parser(
        "openapi", help="print the API's OpenAPI 3.1 document (what /openapi.json serves; docs/openapi.json)"
    )

    add = commands.add_parser(
        "add-technician", help="add a technician's console account and print their one-time set-password link"
    )
    _add_database_arguments(add)
    add.add_argument("--email", required=True, help="their e-mail address, which they sign in with")
    add.add_argument("--name", required=True, help="their name as customers see it")
    add.add_argument("--admin", action="store_true", help="may add, disable and remove technicians and sees every session")
    add.add_argument("--public-url", help="the console's address for the link (default: the brand's support site)")
    return parser


def _add_database_arguments(command: argparse.ArgumentParser) -> None:
    where = command.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", metavar="FILE", help="SQLite database file (created if missing; its folder must exist)")
    where.add_argument(
        "--database",
        metavar="URL",
        help="PostgreSQL database, postgresql://USER@HOST:PORT/DB; keep its password in ~/.pgpass or "
        "PGPASSWORD rather than the address, which other users can read from the process list",
    )


def _location(args: argparse.Namespace) -> str:
    return args.database if args.database is not None else args.db


def _open_store(location: str) -> Store:
    try:
        return open_store(location)
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def _published_summary(folder: Path) -> str:
    """One line for the operator: which builds the join page will offer from ``folder``."""
    if not folder.is_dir():
        raise UsageError(f"--launchers {folder}: there is no such folder.")
    names = published_names(load_brand().launcher_name)
    found = [f"{system} ({name})" for system, name in names.items() if (folder / name).is_file()]
    missing = [f"{system} ({name})" for system, name in names.items() if not (folder / name).is_file()]
    line = f"Launchers from {folder}: " + (", ".join(found) if found else "none")
    if missing:
        line += "; not published, the page says to call: " + ", ".join(missing)
    return line


def _check_listening(args: argparse.Namespace) -> None:
    """The port, the trusted proxies and the number of processes make sense together."""
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}.")
    for proxy in args.trusted_proxy:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise UsageError(
                f"--trusted-proxy takes the proxy's IP address or network (like 127.0.0.1 or 10.0.0.0/24), not {proxy!r}."
            ) from None
    if args.workers < 1:
        raise UsageError(f"--workers must be 1 or more, not {args.workers}.")
    if args.workers > 1 and args.database is None:
        raise UsageError(
            "Several server processes need a PostgreSQL database (--database); an SQLite file serves one."
        )


def _serve_config(args: argparse.Namespace) -> ServerConfig:
    try:
        limit = LookupLimit(max_failures=args.lookup_failures, window_seconds=args.lookup_window)
    except ValueError:
        raise UsageError("--lookup-failures and --lookup-window must be positive.") from None
    try:
        return ServerConfig.resolve(
            _location(args),
            token=args.token,
            public_url=args.public_url,
            demo=args.demo,
            lookup_limit=limit,
            launchers_dir=args.launchers,
            development=args.development,
            report_interval=args.report_interval or None,
            group_commit=None if args.group_commit is None else args.group_commit == "on",
        )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.web.app import create_app

    _check_listening(args)
    transport = _transport_settings(args)
    config = _serve_config(args)
    weakness = None if config.token_generated else token_problem(config.technician_token)
    if weakness is not None:
        raise UsageError(
            f"The technician token {weakness}: anyone could guess it. Leave it unset for a strong one, "
            "or make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    limit = config.lookup_limit
    if config.launchers_dir is not None:
        print(_published_summary(config.launchers_dir), flush=True)
    # Opened before listening: a database that cannot be used (or is newer than this server) is
    # one line and exit 2 here, not a crash in every worker; it is also migrated once, here.
    store = _open_store(config.database)
    if config.token_generated:
        print(f"Technician token for this run (set {TOKEN_ENV} to keep one): {config.technician_token}", flush=True)
    if args.workers == 1:
        app = create_app(config, store=store)
        try:
            uvicorn.run(app, host=args.host, port=args.port, **_proxy_settings(args), **transport)
        finally:
            app.state.store_thread.close()
            store.close()
        return 0
    store.close()
    # uvicorn starts each worker from an import string: the settings travel in the environment,
    # which other users cannot read (unlike the command line).
    os.environ[_WORKER_SETTINGS_ENV] = json.dumps(
        {
            "database": config.database,
            "token": config.technician_token,
            "public_url": config.public_url,
            "demo": config.demo,
            "lookup_failures": limit.max_failures,
            "lookup_window": limit.window_seconds,
            "launchers": None if config.launchers_dir is None else str(config.launchers_dir),
            "development": args.development,
            "group_commit": config.group_commit,
        }
    )
    if config.report_interval is not None:
        # One report job for the whole server, here, not one per worker.
        threading.Thread(target=_report_job, args=(config,), name="session-reports", daemon=True).start()
    uvicorn.run(
        "server.cli:worker_app",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        **_proxy_settings(args),
        **transport,
    )
    return 0


def _proxy_settings(args: argparse.Namespace) -> dict[str, Any]:
    """uvicorn reads forwarding headers from the named proxies only; from nobody when none is named
    (its own default trusts 127.0.0.1, which lets any local program choose the client's address)."""
    if not args.trusted_proxy:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": args.trusted_proxy}


def _transport_settings(args: argparse.Namespace) -> dict[str, Any]:
    """uvicorn with the head size and time limits and the connection bound of
    server.web.guarded_http, which answers those refusals (and malformed requests) as JSON."""
    from server.web.guarded_http import guarded_http

    try:
        limits = TransportLimits(args.max_header_bytes, args.header_timeout, args.max_connections)
    except ValueError:
        raise UsageError("--max-header-bytes, --header-timeout and --max-connections must be positive numbers.") from None
    return {"http": guarded_http(limits)}


_WORKER_SETTINGS_ENV = "PHONETEX_SERVER_WORKER_SETTINGS"


def worker_app() -> Any:
    """The app of one ``serve --workers N`` process, with its own store (connection pool)."""
    from server.web.app import create_app

    settings = json.loads(os.environ[_WORKER_SETTINGS_ENV])
    config = ServerConfig.resolve(
        settings["database"],
        token=settings["token"],
        public_url=settings["public_url"],
        demo=settings["demo"],
        lookup_limit=LookupLimit(max_failures=settings["lookup_failures"], window_seconds=settings["lookup_window"]),
        launchers_dir=settings["launchers"],
        # The providers' settings come from the environment the workers inherit; nothing else does.
        environ={k: v for k, v in os.environ.items() if k.startswith(("PHONETEX_ZOHO_", "PHONETEX_TEAMVIEWER_"))},
        development=settings["development"],
        group_commit=settings["group_commit"],
    )
    store = open_store(config.database)
    app = create_app(config, store=store)
    app.router.on_shutdown.append(app.state.store_thread.close)
    app.router.on_shutdown.append(store.close)
    return app


def _report_job(config: ServerConfig) -> None:
    """The session report job of a ``serve --workers N`` server, in a thread of the parent process."""
    assert config.report_interval is not None
    store = open_store(config.database)
    clients = ProviderClients(config.providers)
    try:
        asyncio.run(report_loop(store, clients, config.report_interval, asyncio.Event()))
    finally:
        store.close()


def _providers(development: bool) -> ProviderClients:
    try:
        config = ServerConfig.resolve(":memory:", token="unused-offline", development=development)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return ProviderClients(config.providers)


def _with_providers(development: bool, work: Callable[[ProviderClients], Awaitable[T]]) -> T:
    """Run ``work`` with this process's provider clients, closed afterwards."""
    clients = _providers(development)

    async def run() -> T:
        try:
            return await work(clients)
        finally:
            await clients.aclose()

    return asyncio.run(run())


def _create_session(args: argparse.Namespace) -> int:
    brand = load_brand()
    request: dict[str, Any] = {
        "technician": args.technician,
        "ticket": args.ticket,
        "provider": args.provider,
        "expires_in_minutes": args.expires_in_minutes,
    }
    for key, value in (("join_url", args.join_url), ("customer_email", args.customer_email)):
        if value is not None:
            request[key] = value
    if args.schedule is not None:
        request["schedule"] = {"start": args.schedule, "minutes": args.schedule_minutes, "time_zone": args.time_zone}
    try:
        config = ServerConfig.resolve(
            _location(args), token="unused-offline", public_url=args.public_url or brand.support_site, environ={}
        )
        new = parse_new_session(request)
    except (ConfigError, InvalidRequest) as exc:
        raise UsageError(str(exc)) from None
    store = _open_store(_location(args))
    try:
        session = _with_providers(args.development, lambda clients: open_support_session(store, clients, brand, new))
        secret = words_secret(store)
    finally:
        store.close()
    summary = session_summary(
        session, brand.company, secret, config.customer_link(session.code, brand.support_site)
    )
    # The technician's own link into the provider session: for whoever runs this, never the customer.
    summary["technician_url"] = session.technician_url
    summary["provider_session_id"] = session.provider_session_id
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def _switch_provider(args: argparse.Namespace) -> int:
    if not is_session_code(args.code):
        raise UsageError(f"CODE must be the 9 digits of a session code, not {args.code!r}.")
    store = _open_store(_location(args))
    try:
        switched = _with_providers(
            args.development,
            lambda clients: switch_provider(store, clients, load_brand(), args.code, args.provider, args.technician),
        )
        with store.reading() as tx:
            switches = tx.provider_switches(args.code)
    finally:
        store.close()
    print(json.dumps(switch_answer(switched, switches), indent=2, ensure_ascii=False))
    return 0


def _check_reports(args: argparse.Namespace) -> int:
    store = _open_store(_location(args))
    try:
        rows = _with_providers(args.development, lambda clients: check_reports(store, clients))
    finally:
        store.close()
    print(json.dumps([asdict(row) for row in rows], indent=2, ensure_ascii=False))
    return 0


def _cancel_session(args: argparse.Namespace) -> int:
    if not is_session_code(args.code):
        raise UsageError(f"--code must be the 9 digits of a session code, not {args.code!r}.")
    store = _open_store(_location(args))
    try:
        cancelled = cancel_session(store, args.code)
    finally:
        store.close()
    if not cancelled:
        print(f"{PROG}: there is no open session {args.code} to cancel.", file=sys.stderr)
        return 1
    print(f"Session {args.code} is cancelled.")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from server.storage.schema_report import SchemaReport

    try:
        report = SchemaReport.of(db=args.db, database=args.database, upgrade=not args.check)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(report.describe())
    return 1 if report.pending else 0


def _openapi(args: argparse.Namespace) -> int:
    from server.web.openapi import openapi_json

    sys.stdout.write(openapi_json().decode("utf-8"))
    return 0


def _prune(args: argparse.Namespace) -> int:
    from server.domain.retention import RetentionError, prune, retention_days

    days = args.older_than if args.older_than is not None else os.environ.get(RETENTION_ENV)
    if days is None:
        raise UsageError(f"Say how long consents are kept: --older-than DAYS, or set {RETENTION_ENV}.")
    try:
        period = retention_days(days)
    except RetentionError as exc:
        raise UsageError(str(exc)) from None
    store = _open_store(_location(args))
    try:
        print(prune(store, period, dry_run=args.dry_run).describe())
    finally:
        store.close()
    return 0


def _export(args: argparse.Namespace) -> int:
    from server.domain.retention import NoSuchReceipt, export_consent

    store = _open_store(_location(args))
    try:
        exported = export_consent(store, args.receipt, load_brand())
    except NoSuchReceipt as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    document = json.dumps(exported.answer, indent=2, ensure_ascii=False)
    if args.json:
        print(document)
    elif args.text:
        print(exported.text, end="")
    else:
        print(exported.text)
        print(document)
    return 0


def _add_technician(args: argparse.Namespace) -> int:
    from server.domain.technicians import PASSWORD_LINK_HOURS, AccountRefused, add_technician

    brand = load_brand()
    try:
        base = normalise_public_url(args.public_url or brand.support_site)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    store = _open_store(_location(args))
    try:
        technician, token = add_technician(store, email=args.email, name=args.name, is_admin=args.admin)
    except AccountRefused as exc:
        raise UsageError(exc.message) from None
    finally:
        store.close()
    role = "administrator" if technician.is_admin else "technician"
    print(f"Added {technician.name} <{technician.email}> as {role}.")
    print(f"Send them this link to set their password (it works once, for {PASSWORD_LINK_HOURS} hours):")
    print(f"{base}/console/set-password/{token}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        command = {
            "serve": _serve,
            "create-session": _create_session,
            "cancel-session": _cancel_session,
            "migrate": _migrate,
            "openapi": _openapi,
            "switch-provider": _switch_provider,
            "check-reports": _check_reports,
            "prune": _prune,
            "export": _export,
            "add-technician": _add_technician,
        }
        return command[args.command](args)
    except UsageError as exc:
        print(str(exc) if str(exc).startswith(PROG) else f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except (InvalidRequest, ProviderNotConfigured) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except (StoreError, Refusal) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `export ... | head`: the reader has gone, as a shell pipeline's readers do. Point stdout at
        # nothing so the interpreter's own flush at exit cannot raise the same error again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
