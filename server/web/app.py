"""The HTTP API of ``docs/server-api.md`` as a FastAPI application: wiring only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from app.core.brand import load_brand
from app.core.terms import load_terms
from server.config import ServerConfig
from server.domain.consent_writer import ConsentWriter
from server.domain.launchers import PublishedLaunchers
from server.domain.limits import FailedLookups, LookupLimit, Tickets
from server.domain.lockouts import keep_lockout, kept_lockouts
from server.domain.provider_sessions import ProviderClients
from server.domain.session_reports import report_loop
from server.domain.sessions import ticket_secret, words_secret
from server.domain.shared_limits import SharedFailedLookups
from server.storage import Store, open_store
from server.storage.runner import StoreThread
from server.web.console_routes import add_console_routes
from server.web.customer_routes import add_customer_routes
from server.web.errors import install_error_handlers
from server.web.no_store import NoStore
from server.web.page_routes import add_page_routes
from server.web.provider_routes import add_provider_routes
from server.web.services import Services
from server.web.technician_routes import add_technician_routes

# A technician mistyping a token a few times is not stopped; a script trying tokens is.
WRONG_TOKENS = LookupLimit(max_failures=10, window_seconds=15 * 60, prefix_max_failures=50)


def create_app(config: ServerConfig, *, store: Store | None = None) -> FastAPI:
    """Build the server. It opens ``config.database`` unless given a ``store``; the store is at
    ``app.state.store`` and whoever runs the app closes it after the app stops serving, after
    closing ``app.state.store_thread``."""
    store = store or open_store(config.database)
    brand = load_brand()
    db = StoreThread(store)

    def on_lockout(network: str, until: float) -> None:
        db.submit(keep_lockout, store, network, until)

    # Several processes share an engine that waits on the network: the count lives in the database too.
    wrong_codes = (
        SharedFailedLookups(store, config.lookup_limit, db, on_lockout=on_lockout)
        if store.waits_on_network
        else FailedLookups(config.lookup_limit, on_lockout=on_lockout)
    )
    # Read before serving, so no answer waits on the disk for them.
    wrong_codes.restore(kept_lockouts(store, wrong_codes.now()))
    services = Services(
        config=config,
        store=store,
        db=db,
        brand=brand,
        terms=load_terms(brand),
        consents=ConsentWriter(store, group_commit=config.group_commit),
        wrong_codes=wrong_codes,
        launchers=PublishedLaunchers(config.launchers_dir, brand.launcher_name),
        providers=ProviderClients(config.providers),
        tickets=Tickets(ticket_secret(store)),
        wrong_tokens=FailedLookups(WRONG_TOKENS),
        words_secret=words_secret(store),
    )
    app = FastAPI(
        lifespan=_background_jobs(services),
        title=f"{brand.company} consent server",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
        # No OpenTelemetry provider is ever configured here, yet FastAPI asks the global
        # providers on every request whether one is: about 23 us of /healthz's 100 in-process
        # (issue 12's load figures).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.store = store
    app.state.store_thread = db
    app.state.config = config
    app.state.wrong_codes = services.wrong_codes
    install_error_handlers(app)
    app.add_middleware(NoStore)
    add_customer_routes(app, services)
    add_technician_routes(app, services)
    add_page_routes(app, services)
    add_provider_routes(app, services)
    add_console_routes(app, services)
    return app


def _background_jobs(services: Services) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The session report job, for as long as the app serves (``serve`` sets its interval; the
    embedded server runs without a lifespan and the tests run the job themselves)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        interval = services.config.report_interval
        job = None
        if interval is not None:
            job = asyncio.create_task(
                report_loop(services.store, services.providers, interval, stop, run=services.db.run)
            )
        try:
            yield
        finally:
            stop.set()
            if job is not None:
                await job
            await services.providers.aclose()

    return lifespan
