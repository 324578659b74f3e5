"""Group commit: consents written together in one transaction answer exactly as if written alone."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.terms import load_terms
from server.domain.consent_writer import ConsentWriter
from server.domain.consents import ConsentToStore, prepare_consent, record_consents
from server.domain.refusals import Refusal
from server.domain.sessions import cancel_session, open_session
from server.storage import open_store
from server.storage.interface import ConsentRow, R, T, Transaction
from server.storage.sqlite import SqliteStore
from server.web.errors import refusal_status
from testbed.consent_records import make_record
from tests.database_fixtures import select

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"


class CountingStore:
    """A real store of either engine that remembers how many items each one-transaction write held."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.batches: list[int] = []
        self._store = open_store(database)

    def write_each(self, items: Sequence[T], write: Callable[[Transaction, T], R]) -> list[R | Exception]:
        self.batches.append(len(items))
        return self._store.write_each(items, write)

    def __getattr__(self, name: str):
        return getattr(self._store, name)


@pytest.fixture
def store(database: str):
    opened = CountingStore(database)
    yield opened
    opened.close()


def new_session(store: CountingStore, **options) -> str:
    settings = {"technician": "Sam", "ticket": None, "join_url": ZOHO_LINK, "provider": "zoho-assist", "expires_in_minutes": 60}
    return open_session(store, **{**settings, **options}).code


def prepared(code: str, **overrides) -> ConsentToStore:
    return prepare_consent(code, make_record(code, **overrides), terms=load_terms())


def refusal(outcome: bytes | Exception) -> tuple[int, str]:
    assert isinstance(outcome, Refusal), outcome
    return refusal_status(outcome)


def stored_rows(store: CountingStore) -> dict[str, str]:
    return dict(select(store.database, "SELECT session_code, receipt_id FROM consents"))


def statuses(store: CountingStore, *codes: str) -> list[str]:
    return [store.session(code).status for code in codes]


def test_one_batch_gives_every_contract_answer_and_keeps_only_the_accepted(store: CountingStore) -> None:
    first, second, outdated, fine, cancelled = (new_session(store) for _ in range(5))
    expired = new_session(store, now=datetime.now(UTC) - timedelta(hours=2))
    assert cancel_session(store, cancelled)
    accepted = prepared(first)
    batch = [
        accepted,
        accepted,  # a retry of the same receipt in the same batch: the answer just written
        prepared(first),  # another record for a session consented earlier in this batch
        prepared(second, receipt_id=accepted.receipt_id),  # that receipt id, for another session
        prepared(outdated, terms__version="2019-01"),
        prepared("100000000"),
        prepared(cancelled),
        prepared(expired),
        prepared(fine),
    ]

    outcomes = record_consents(store, batch)

    assert outcomes[0] == outcomes[1] and isinstance(outcomes[0], bytes)
    assert [refusal(o) for o in outcomes[2:8]] == [
        (409, "already_consented"),
        (409, "receipt_reused"),
        (409, "terms_outdated"),
        (404, "unknown_code"),
        (410, "cancelled"),
        (410, "expired"),
    ]
    assert isinstance(outcomes[8], bytes)
    # One commit for all nine; the refused ones left no trace next to the two accepted.
    assert stored_rows(store) == {first: accepted.receipt_id, fine: batch[8].receipt_id}
    assert statuses(store, first, second, outdated, fine) == ["consented", "open", "open", "consented"]
    assert store.consent_for_session(first).answer_json.encode() == outcomes[0]


def test_a_write_that_fails_midway_is_undone_alone(store: CountingStore) -> None:
    before, broken, after = (new_session(store) for _ in range(3))

    def write(tx: Transaction, code: str) -> str:
        tx.set_status(code, "consented")
        if code == broken:
            raise RuntimeError("the write failed after changing the session")
        return code

    outcomes = store.write_each([before, broken, after], write)

    assert outcomes[0] == before and outcomes[2] == after
    assert isinstance(outcomes[1], RuntimeError)
    assert statuses(store, before, broken, after) == ["consented", "open", "consented"]


def test_a_failed_commit_keeps_nothing_and_the_store_works_on(tmp_path: Path) -> None:
    # SQLite's way to make COMMIT itself fail; PostgreSQL's commit failures are its own tests'.
    store = CountingStore(str(tmp_path / "c.sqlite3"))
    code = new_session(store)
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction() as tx:
            tx.set_status(code, "consented")
            # Foreign keys checked at COMMIT: the commit itself fails, as a full disk would.
            tx._db.execute("PRAGMA defer_foreign_keys = ON")
            tx.insert_consent(ConsentRow("100000000", "r", "AAA-AAA", "{}", "2024-01-01T00:00:00Z", "{}"))
    assert statuses(store, code) == ["open"]
    assert stored_rows(store) == {}
    # Not left inside the failed transaction: the next write works.
    assert record_consents(store, [prepared(code)])[0]
    assert statuses(store, code) == ["consented"]
    store.close()


def test_consents_queued_in_one_turn_of_the_loop_are_one_commit(store: CountingStore) -> None:
    writer = ConsentWriter(store, group_commit=True)
    codes = [new_session(store) for _ in range(4)]
    consents = [prepared(code) for code in codes]
    second_try = prepared(codes[0])

    async def post_all() -> list[bytes | BaseException]:
        return await asyncio.gather(*(writer.record(c) for c in [*consents, second_try, consents[1]]), return_exceptions=True)

    answers = asyncio.run(post_all())

    assert store.batches == [6]
    assert all(isinstance(answer, bytes) for answer in answers[:4])
    assert refusal(answers[4]) == (409, "already_consented")
    assert answers[5] == answers[1]
    assert stored_rows(store) == {c.code: c.receipt_id for c in consents}


def test_requests_after_a_batch_form_the_next_one(store: CountingStore) -> None:
    writer = ConsentWriter(store, group_commit=True)
    codes = [new_session(store) for _ in range(3)]

    async def one_then_two() -> None:
        await writer.record(prepared(codes[0]))
        await asyncio.gather(writer.record(prepared(codes[1])), writer.record(prepared(codes[2])))

    asyncio.run(one_then_two())
    assert store.batches == [1, 2]
    assert set(stored_rows(store)) == set(codes)


def test_when_the_commit_fails_every_request_of_the_batch_is_told(store: CountingStore, monkeypatch) -> None:
    writer = ConsentWriter(store, group_commit=True)
    codes = [new_session(store) for _ in range(3)]

    def failing_commit(items, write):
        raise sqlite3.OperationalError("disk I/O error")

    async def post(codes: list[str]) -> list[bytes | BaseException]:
        return await asyncio.gather(*(writer.record(prepared(code)) for code in codes), return_exceptions=True)

    with monkeypatch.context() as patch:
        patch.setattr(store, "write_each", failing_commit)
        failed = asyncio.run(post(codes[:2]))
    assert all(isinstance(answer, sqlite3.OperationalError) for answer in failed)
    assert stored_rows(store) == {}
    # The writer is not stuck: the customers' retries and the next customer are recorded.
    assert all(isinstance(answer, bytes) for answer in asyncio.run(post(codes)))
    assert set(stored_rows(store)) == set(codes)


def test_an_answer_is_given_only_once_its_consent_is_committed_to_disk(store: CountingStore) -> None:
    writer = ConsentWriter(store, group_commit=True)
    codes = [new_session(store) for _ in range(3)]

    async def post_and_look(code: str) -> str | None:
        await writer.record(prepared(code))
        # Another connection, as after a restart: it sees only what was committed.
        rows = select(store.database, "SELECT session_code FROM consents WHERE session_code = ?", (code,))
        return rows[0][0] if rows else None

    async def post_all() -> list[str | None]:
        return await asyncio.gather(*(post_and_look(code) for code in codes))

    assert asyncio.run(post_all()) == codes
    # Group commit must not buy its speed with durability: a 201 has to survive a power cut.
    with store.transaction() as tx:
        if isinstance(store._store, SqliteStore):
            assert tx._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
            assert tx._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        else:  # the test cluster runs with synchronous_commit off; the engine's sessions must not
            assert tx._db.execute("SHOW synchronous_commit").fetchone()[0] != "off"


def test_without_group_commit_each_consent_is_its_own_transaction_with_the_same_answers(store: CountingStore) -> None:
    # PostgreSQL's default (server/domain/consent_writer.py); on SQLite, what `--group-commit off` does.
    writer = ConsentWriter(store, group_commit=False)
    codes = [new_session(store) for _ in range(4)]
    consents = [prepared(code) for code in codes]

    async def post_all() -> list[bytes | BaseException]:
        racing = [*consents, prepared(codes[0]), consents[1]]
        return await asyncio.gather(*(writer.record(c) for c in racing), return_exceptions=True)

    answers = asyncio.run(post_all())
    assert store.batches == [1] * 6
    assert all(isinstance(answer, bytes) for answer in answers[1:4])
    # Two records for one session at once, in two transactions: whichever came first is kept.
    first, rival = answers[0], answers[4]
    [kept] = [answer for answer in (first, rival) if isinstance(answer, bytes)]
    assert refusal(rival if kept is first else first) == (409, "already_consented")
    assert answers[5] == answers[1]
    winner = consents[0] if kept is first else None
    expected = {c.code: c.receipt_id for c in consents[1:]}
    expected[codes[0]] = winner.receipt_id if winner else json.loads(kept)["receipt"]["receipt_id"]
    assert stored_rows(store) == expected


def test_each_engine_writes_the_way_that_was_measured_to_pay(database: str) -> None:
    with open_store(database) as opened:
        assert opened.group_commit_pays is isinstance(opened, SqliteStore)
