"""What the routes of one app share: the store, the settings and the domain's long-lived parts."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.brand import Brand
from app.core.terms import Terms
from server.config import ServerConfig
from server.domain.consent_writer import ConsentWriter
from server.domain.launchers import PublishedLaunchers
from server.domain.limits import FailedLookups, Tickets
from server.domain.provider_sessions import ProviderClients
from server.storage import Store
from server.storage.runner import StoreThread
from server.web.live_changes import LiveChanges


@dataclass(frozen=True)
class Services:
    config: ServerConfig
    store: Store
    # Every store call of a route goes through here: the event loop never waits on the disk.
    db: StoreThread
    brand: Brand
    # Read once: the terms only change with a new release, and every consent compares against them.
    terms: Terms
    consents: ConsentWriter
    wrong_codes: FailedLookups
    # The launcher builds the join page offers (serve --launchers DIR).
    launchers: PublishedLaunchers
    providers: ProviderClients
    tickets: Tickets
    # Wrong technician tokens per address: the same counter, its own budget.
    wrong_tokens: FailedLookups
    words_secret: bytes
    # Wakes the console's live views when a session changes (server.web.live_changes).
    live: LiveChanges = field(default_factory=LiveChanges)
