"""What the server needs from a database, whatever the engine.

The domain (:mod:`server.domain`) talks only to :class:`Store` and :class:`Transaction`; an
engine (:mod:`server.storage.sqlite`, later PostgreSQL) implements them. Rows are plain data:
the rules about them (is a session over? may this consent be stored?) live in the domain.

An engine promises:

- :meth:`Store.transaction` holds the write lock from its first statement, so a read-then-write
  (is this receipt new? then store it) cannot interleave with another writer, in this process or
  another; any exception rolls everything back, a failed COMMIT included.
- :meth:`Store.write_each` runs many writes in ONE transaction (one fsync), each in a savepoint
  of its own, so one refusal undoes only its own writes.
- A committed transaction survives a power cut before the call returns.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

SESSION_STATUSES = ("open", "consented", "cancelled")
# Why a consent's support session ended: the customer pressed End support now (the consent is
# withdrawn), or the provider's program on their computer ended by itself (the technician finished).
WITHDRAWAL_REASONS = ("customer", "program_ended")


class StoreError(Exception):
    """The database cannot be used; the message names it and the reason in one line."""


@dataclass(frozen=True)
class SessionRow:
    code: str
    technician: str
    ticket: str | None
    join_url: str
    provider: str
    created_at: str  # app.core.utc_time.iso_utc
    expires_at: str
    status: str  # one of SESSION_STATUSES
    # The provider's own session (Zoho's session or schedule id, TeamViewer's code) and the
    # technician's link into it: a credential that never reaches a customer.
    provider_session_id: str | None = None
    technician_url: str | None = None


@dataclass(frozen=True)
class ConsentRow:
    session_code: str
    receipt_id: str
    reference: str
    record_json: str
    received_at: str
    answer_json: str  # the 201 answer, byte for byte, so a retry gets exactly it


REPORT_STATES = ("pending", "found", "missing", "failed")
REPORT_FLAGS = ("never_happened", "started_before_consent")


@dataclass(frozen=True)
class ProviderSwitchRow:
    """A session moved to another provider: an amendment to its consent when ``after_consent``."""

    session_code: str
    switched_at: str
    technician: str
    from_provider: str
    to_provider: str
    provider_session_id: str | None
    join_url: str
    after_consent: bool


@dataclass(frozen=True)
class SessionReportRow:
    """What the provider's report says of a session's provider session, and how the check goes."""

    session_code: str
    provider: str
    provider_session_id: str
    state: str  # one of REPORT_STATES
    attempts: int
    next_check_at: str | None  # when the report job asks again; None once settled
    started_at: str | None
    ended_at: str | None
    duration_seconds: float | None
    flag: str | None  # one of REPORT_FLAGS, for the technicians
    detail: str | None  # the last failure, in a technician's words
    updated_at: str
@dataclass(frozen=True)
class WithdrawalRow:
    receipt_id: str  # the consent's
    withdrawn_at: str  # app.core.utc_time.iso_utc, when the server heard of it
    reason: str  # one of WITHDRAWAL_REASONS

@dataclass(frozen=True)
class TechnicianRow:
    id: str
    email: str  # lower case, unique
    name: str  # what customers see
    is_admin: bool
    disabled: bool
    password_hash: str | None  # None until the set-password link is used
    created_at: str


@dataclass(frozen=True)
class PasswordLinkRow:
    token_digest: str  # SHA-256 of the link's token
    technician_id: str
    expires_at: str


@dataclass(frozen=True)
class LoginRow:
    id_digest: str  # SHA-256 of the console cookie's login id
    technician_id: str
    created_at: str
    expires_at: str


@dataclass(frozen=True)
class ApiTokenRow:
    id: str
    technician_id: str
    label: str
    token_digest: str
    tail: str  # the token's last characters, to tell tokens apart in the console
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class SessionOwnerRow:
    """Who opened a session from the console or with their API token, and for which customer."""

    code: str
    technician_id: str | None  # None once that account was removed
    customer_name: str | None
    customer_email: str | None


@dataclass(frozen=True)
class StepEventRow:
    event_id: str
    session_code: str
    step: str
    details_json: str
    received_at: str


class Transaction(abc.ABC):
    """Queries inside one transaction of a :class:`Store`."""

    @abc.abstractmethod
    def session(self, code: str) -> SessionRow | None: ...

    @abc.abstractmethod
    def consent_for_session(self, code: str) -> ConsentRow | None: ...

    @abc.abstractmethod
    def consent_by_receipt(self, receipt_id: str) -> ConsentRow | None: ...

    @abc.abstractmethod
    def reference_in_use(self, reference: str) -> bool: ...

    @abc.abstractmethod
    def insert_session(self, session: SessionRow) -> None:
        """Add a session whose code the caller checked is free (``session(code) is None``)."""

    @abc.abstractmethod
    def insert_consent(self, consent: ConsentRow) -> None: ...

    @abc.abstractmethod
    def set_status(self, code: str, status: str) -> None: ...

    @abc.abstractmethod
    def withdrawal(self, receipt_id: str) -> WithdrawalRow | None: ...

    @abc.abstractmethod
    def insert_withdrawal(self, withdrawal: WithdrawalRow) -> None:
        """Add the end of a consent whose receipt id the caller checked has none yet."""

    @abc.abstractmethod
    def consent_count(self) -> int: ...

    @abc.abstractmethod
    def secret(self, name: str, make: Callable[[], bytes]) -> bytes:
        """The named secret; stored from ``make()`` on first use (needs a write transaction)."""

    @abc.abstractmethod
    def remove_before(self, cutoff: str) -> tuple[int, int]:
        """Delete every consent received before ``cutoff`` (an ISO UTC time) with its session,
        and every session that expired before it; return (sessions, consents) removed. Rows of
        other tables that hang off a session go with it (their foreign keys cascade)."""

    # The wrong-code limit shared by processes (server.domain.shared_limits; migration 0004).

    @abc.abstractmethod
    def wrong_codes_since(self, client_key: str, since: float) -> tuple[int, float | None]:
        """How many wrong codes ``client_key`` tried after ``since`` (epoch seconds), and the oldest."""

    @abc.abstractmethod
    def add_wrong_code(self, client_key: str, at: float, *, forget_before: float) -> None:
        """Count a wrong code, and drop every one (of any key) from ``forget_before`` or earlier."""

    @abc.abstractmethod
    def wrong_code_clients_since(self, since: float) -> int: ...

    # Providers (issue 13; migration 0003_provider_sessions).

    @abc.abstractmethod
    def switch_provider(self, switch: ProviderSwitchRow, technician_url: str | None) -> None:
        """Point the session at ``switch``'s provider, provider session and join link (the
        technician's link with it) and keep the switch."""

    @abc.abstractmethod
    def provider_switches(self, code: str) -> list[ProviderSwitchRow]:
        """The session's switches, oldest first."""

    @abc.abstractmethod
    def session_report(self, code: str, provider_session_id: str) -> SessionReportRow | None: ...

    @abc.abstractmethod
    def put_session_report(self, report: SessionReportRow) -> None:
        """Insert or replace the report of ``(report.session_code, report.provider_session_id)``."""

    @abc.abstractmethod
    def sessions_awaiting_report(self, now: str, limit: int) -> list[str]:
        """Codes of consented sessions with a provider session whose report is not settled: no
        report row yet for the current provider session, or one ``pending`` and due by ``now``."""

    # The wrong-code limit's lock-outs (server.domain.lockouts; migration 0007_wrong_code_lockouts).

    @abc.abstractmethod
    def record_lockout(self, network: str, until: str) -> None:
        """Keep ``network`` locked out until ``until`` (ISO UTC); a later end wins over an earlier."""

    @abc.abstractmethod
    def lockouts(self, now: str) -> list[tuple[str, str]]:
        """Every lock-out that ends after ``now``, as (network, until); ended ones may be dropped."""

    # The technician console (server.domain.technicians, server.domain.step_events).

    @abc.abstractmethod
    def technician(self, technician_id: str) -> TechnicianRow | None: ...

    @abc.abstractmethod
    def technician_by_email(self, email: str) -> TechnicianRow | None: ...

    @abc.abstractmethod
    def technicians(self) -> list[TechnicianRow]:
        """Every account, by name."""

    @abc.abstractmethod
    def insert_technician(self, row: TechnicianRow) -> None: ...

    @abc.abstractmethod
    def update_technician(self, row: TechnicianRow) -> None:
        """Replace the account with ``row.id`` by ``row``."""

    @abc.abstractmethod
    def delete_technician(self, technician_id: str) -> None:
        """Delete the account with its links, logins and tokens; its sessions lose their owner."""

    @abc.abstractmethod
    def insert_password_link(self, row: PasswordLinkRow) -> None: ...

    @abc.abstractmethod
    def password_link(self, token_digest: str) -> PasswordLinkRow | None: ...

    @abc.abstractmethod
    def delete_password_links(self, technician_id: str) -> None: ...

    @abc.abstractmethod
    def insert_login(self, row: LoginRow) -> None: ...

    @abc.abstractmethod
    def login(self, id_digest: str) -> LoginRow | None: ...

    @abc.abstractmethod
    def delete_login(self, id_digest: str) -> None: ...

    @abc.abstractmethod
    def delete_logins(self, technician_id: str) -> None: ...

    @abc.abstractmethod
    def insert_api_token(self, row: ApiTokenRow) -> None: ...

    @abc.abstractmethod
    def api_token(self, token_digest: str) -> ApiTokenRow | None: ...

    @abc.abstractmethod
    def api_tokens(self, technician_id: str) -> list[ApiTokenRow]:
        """The technician's tokens, newest first, revoked ones included."""

    @abc.abstractmethod
    def revoke_api_token(self, token_id: str, technician_id: str, when: str) -> bool:
        """Revoke one of the technician's tokens still in use; False if there is none."""

    @abc.abstractmethod
    def revoke_api_tokens(self, technician_id: str, when: str) -> None: ...

    @abc.abstractmethod
    def insert_session_owner(self, row: SessionOwnerRow) -> None: ...

    @abc.abstractmethod
    def session_owner(self, code: str) -> SessionOwnerRow | None: ...

    @abc.abstractmethod
    def recent_sessions(self, technician_id: str | None, limit: int) -> list[tuple[SessionRow, SessionOwnerRow | None]]:
        """The newest sessions first, with their owners: one technician's, or everyone's (None)."""

    @abc.abstractmethod
    def step_names(self, codes: Sequence[str]) -> dict[str, set[str]]:
        """For each of ``codes`` that has step events, the names of its steps."""

    @abc.abstractmethod
    def insert_step_event(self, row: StepEventRow) -> None: ...

    @abc.abstractmethod
    def step_event(self, event_id: str) -> StepEventRow | None: ...

    @abc.abstractmethod
    def step_events(self, code: str) -> list[StepEventRow]:
        """The session's step events in the order they were stored."""

    @abc.abstractmethod
    def step_event_count(self, code: str) -> int: ...


class Store(abc.ABC):
    """One database of sessions and consents. Safe to share between threads; close it when done."""

    # True where several server processes may share the store (it waits on the network, not on a
    # local file): the wrong-code limit then counts in the database too (server.domain.shared_limits).
    waits_on_network = False
    # Whether writing concurrent consents in one transaction beats one transaction each here.
    group_commit_pays = True
    # Threads that may call the store at once (server.storage.runner); SQLite has one connection.
    threads = 1

    def __init__(self) -> None:
        self._secrets: dict[str, bytes] = {}
        self._secrets_lock = threading.Lock()

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[Transaction]:
        """A write transaction: committed when the block ends, rolled back if it raises."""

    @abc.abstractmethod
    def reading(self) -> AbstractContextManager[Transaction]:
        """Reads that see one consistent state; writing in it is a mistake."""

    @abc.abstractmethod
    def write_each(self, items: Sequence[T], write: Callable[[Transaction, T], R]) -> list[R | Exception]:
        """``write(tx, item)`` for every item in ONE transaction, each in its own savepoint: one
        that raises is undone alone and its exception takes its place in the answer. Later items
        see what earlier ones wrote. If the commit itself fails, nothing is kept and this raises."""

    @abc.abstractmethod
    def close(self) -> None: ...

    @property
    @abc.abstractmethod
    def description(self) -> str:
        """Where the data is, for messages (a file path, a database name; never a password)."""

    def reading_once(self) -> AbstractContextManager[Transaction]:
        """For ONE read query: an engine may run it without a transaction around it (a single
        statement sees one consistent state anyway), saving the round trips of BEGIN and COMMIT."""
        return self.reading()

    # Conveniences every engine gets from the methods above.

    def session(self, code: str) -> SessionRow | None:
        with self.reading_once() as tx:
            return tx.session(code)

    def consent_for_session(self, code: str) -> ConsentRow | None:
        with self.reading_once() as tx:
            return tx.consent_for_session(code)

    def consent_count(self) -> int:
        with self.reading_once() as tx:
            return tx.consent_count()

    def withdrawal(self, receipt_id: str) -> WithdrawalRow | None:
        with self.reading() as tx:
            return tx.withdrawal(receipt_id)

    def secret(self, name: str, make: Callable[[], bytes]) -> bytes:
        """The named secret, read once and then kept in memory (it never changes once made)."""
        with self._secrets_lock:
            if name not in self._secrets:
                with self.transaction() as tx:
                    self._secrets[name] = tx.secret(name, make)
            return self._secrets[name]

    def __enter__(self: StoreT) -> StoreT:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


StoreT = TypeVar("StoreT", bound=Store)

