"""The real server, run on a free loopback port in a background thread.

Used by ``python -m app --demo`` and by the end-to-end tests: the launcher talks real HTTP to
the same code a company would deploy, with nothing mocked in between.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import uvicorn

from app.core.brand import load_brand
from server.config import ServerConfig
from server.domain.launchers import published_names
from server.domain.limits import LookupLimit
from server.domain.provider_sessions import check_customer_link, provider_session_id
from server.domain.sessions import (
    DEFAULT_EXPIRES_IN_MINUTES,
    open_session,
    parse_new_session,
    session_summary,
    words_secret,
)
from server.storage import Store, is_database_url, open_store
from server.web.app import create_app
from server.web.guarded_http import GuardedHttpTools

DEMO_DB_NAME = "demo-consents.sqlite3"
# Where `make launcher` leaves its builds in a source checkout: the demo's join page offers them.
LOCAL_BUILDS = Path(__file__).resolve().parent.parent / "dist"


def local_launchers(folder: Path | None = None) -> Path | None:
    """``dist/`` when it holds a launcher named as ``make launcher`` names it, else None."""
    folder = LOCAL_BUILDS if folder is None else folder
    names = published_names(load_brand().launcher_name).values()
    return folder if any((folder / name).is_file() for name in names) else None


class _Server(uvicorn.Server):
    """A uvicorn server that says when it is listening, or that it never will."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.failure: BaseException | None = None

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        self.ready.set()

    def run_in_thread(self) -> None:
        try:
            self.run()
        # uvicorn reports a failed start with sys.exit; in a thread that would vanish silently.
        except BaseException as exc:  # noqa: BLE001 - kept for the caller to raise
            self.failure = exc
        finally:
            self.ready.set()


class EmbeddedServer:
    """``with EmbeddedServer(database) as server:`` serves ``server.base_url`` until the block ends.

    ``database`` is an SQLite file's path or a ``postgresql://`` address (server.storage.open_store).
    """

    def __init__(
        self,
        database: str | os.PathLike[str],
        *,
        token: str | None = None,
        public_url: str | None = None,
        demo: bool = True,
        lookup_limit: LookupLimit | None = None,
        launchers_dir: str | os.PathLike[str] | None = None,
        startup_timeout: float = 10.0,
        provider_environ: Mapping[str, str] | None = None,
    ) -> None:
        # Only what the caller passes: a token or provider secret in the developer's shell must not
        # leak into demo or test servers. ``provider_environ`` points at the providers' stand-ins.
        self.config = ServerConfig.resolve(
            database,
            token=token,
            public_url=public_url,
            demo=demo,
            lookup_limit=lookup_limit,
            launchers_dir=launchers_dir,
            environ=dict(provider_environ or {}),
            development=True,
        )
        self.database = self.config.database
        # The SQLite file, for tests and the demo that look into it; None on PostgreSQL.
        self.db_path = None if is_database_url(self.database) else Path(self.database)
        self._startup_timeout = startup_timeout
        self._store: Store | None = None
        self._app: Any = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    @property
    def token(self) -> str:
        return self.config.technician_token

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("The embedded consent server is not running.")
        return self._base_url

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("The embedded consent server is not running.")
        return self._store

    def start(self) -> EmbeddedServer:
        if self._thread is not None:
            raise RuntimeError("The embedded consent server is already running.")
        self._store = open_store(self.database)
        app = self._app = create_app(self.config, store=self._store)
        server = _Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=0,
                # log_config=None: leave the host program's logging (the launcher's, pytest's) alone.
                log_config=None,
                log_level="warning",
                access_log=False,
                lifespan="off",
                http=GuardedHttpTools,  # the same limits and JSON refusals as `serve`
                timeout_graceful_shutdown=5,
            )
        )
        thread = threading.Thread(target=server.run_in_thread, name="consent-server", daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        if not server.ready.wait(self._startup_timeout) or server.failure is not None or not server.started:
            reason = server.failure or "it did not start in time"
            self.stop()
            raise RuntimeError(f"The embedded consent server could not start: {reason!r}")
        port = server.servers[0].sockets[0].getsockname()[1]
        self._base_url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        """Stop serving and close the database; safe to call twice."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout=10)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=5)
        if self._app is not None:
            self._app.state.store_thread.close()  # the calls handed over finish first
        if self._store is not None:
            self._store.close()
        self._server = self._thread = self._store = self._app = None
        self._base_url = None

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def demo_join_url(self, code: str) -> str:
        return f"{self.base_url}/demo/join/{code}"

    def create_session(
        self,
        *,
        technician: str = "Sam Carter",
        ticket: str | None = "PTX-1042",
        join_url: str | None = None,
        provider: str = "zoho-assist",
        expires_in_minutes: int = DEFAULT_EXPIRES_IN_MINUTES,
    ) -> dict[str, Any]:
        """Open a session as a technician would; ``join_url=None`` makes it this server's demo page.

        Returns what ``create-session`` prints: code, company, technician, ticket, expires_at,
        status, verification_words, customer_link, join_url, provider. Raises ``ValueError`` for
        input the API refuses, a join link the launcher's allow-list would refuse included.
        """
        if join_url is None and not self.config.demo:
            raise ValueError("join_url is needed: this server does not serve demo join pages.")
        new = parse_new_session(
            {
                "technician": technician,
                "ticket": ticket,
                # Stands in for the demo link while checking the other fields the API's way.
                "join_url": join_url or self.base_url,
                "provider": provider,
                "expires_in_minutes": expires_in_minutes,
            }
        )
        checked = None if join_url is None else check_customer_link(join_url, load_brand(), new.provider)
        session = open_session(
            self.store,
            technician=new.technician,
            ticket=new.ticket,
            join_url=checked.url if checked is not None else self.demo_join_url,
            provider=new.provider,
            expires_in_minutes=new.expires_in_minutes,
            provider_session_id=None if checked is None else provider_session_id(checked),
        )
        link = self.config.customer_link(session.code, self.base_url)
        return session_summary(session, load_brand().company, words_secret(self.store), link)


def start_demo_server(
    tmpdir: str | os.PathLike[str], *, launchers_dir: str | os.PathLike[str] | None = None, **session_options: Any
) -> tuple[EmbeddedServer, dict[str, Any]]:
    """Start a demo server on a fresh database in ``tmpdir`` with one session whose join link is
    the server's own ``/demo/join/<code>`` page; returns the running server and that session.
    Its emailed link (``customer_link``) offers the builds in ``launchers_dir``.

    ``session_options`` go to :meth:`EmbeddedServer.create_session`. The caller stops the server.
    """
    db_path = Path(tmpdir) / DEMO_DB_NAME
    if db_path.exists():
        raise FileExistsError(f"{db_path} already exists; a demo starts from an empty database.")
    server = EmbeddedServer(db_path, demo=True, launchers_dir=launchers_dir).start()
    try:
        session = server.create_session(**session_options)
    except BaseException:
        server.stop()
        raise
    return server, session
