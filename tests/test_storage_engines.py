"""The storage interface on both engines (SQLite and PostgreSQL), through the domain's own calls.

Two store objects on one database stand for two server processes: each has its own connections
(PostgreSQL: its own pool), so what they agree on is what the database enforces.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from app.core.terms import load_terms
from server.domain.consents import prepare_consent, record_consent, record_consents
from server.domain.refusals import AlreadyConsented, SessionCancelled
from server.domain.sessions import cancel_session, open_session, words_secret
from server.storage import ConsentRow, SessionReportRow, Store, StoreError, open_store
from testbed.consent_records import make_record

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"
TERMS = load_terms()


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    with open_store(database) as opened:
        yield opened


@pytest.fixture
def second_store(database: str) -> Iterator[Store]:
    """Another "process" on the same database."""
    with open_store(database) as opened:
        yield opened


def new_session(store: Store) -> str:
    return open_session(
        store, technician="Sam Carter", ticket="PTX-1", join_url=ZOHO_LINK, provider="zoho-assist",
        expires_in_minutes=30,
    ).code


def race(*calls: Callable[[], object]) -> list[object]:
    """Run ``calls`` at the same moment in threads; each one's result or exception, in order."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        start.wait(timeout=10)
        try:
            outcomes[index] = call()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished"
    return outcomes


def test_a_session_and_its_consent_round_trip(store: Store) -> None:
    code = new_session(store)
    session = store.session(code)
    assert session is not None and (session.technician, session.status) == ("Sam Carter", "open")
    answer = json.loads(record_consent(store, code, make_record(code), terms=TERMS))
    assert store.session(code).status == "consented"
    stored = store.consent_for_session(code)
    assert stored is not None and json.loads(stored.answer_json) == answer
    assert store.consent_count() == 1
    assert store.session("123456789") is None


def test_a_write_that_raises_leaves_nothing(store: Store) -> None:
    code = new_session(store)
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.set_status(code, "cancelled")
            raise RuntimeError("the caller changed its mind")
    assert store.session(code).status == "open"


def test_one_refusal_in_a_batch_undoes_only_itself(store: Store) -> None:
    first, second = new_session(store), new_session(store)
    consents = [
        prepare_consent(first, make_record(first), terms=TERMS),
        prepare_consent(first, make_record(first), terms=TERMS),  # a second consent: refused
        prepare_consent(second, make_record(second), terms=TERMS),
    ]
    outcomes = record_consents(store, consents)
    assert isinstance(outcomes[1], AlreadyConsented)
    assert [json.loads(outcomes[i])["receipt"]["session_code"] for i in (0, 2)] == [first, second]
    assert store.consent_count() == 2


def test_the_database_itself_refuses_a_second_consent_for_a_session(store: Store) -> None:
    code = new_session(store)
    record_consent(store, code, make_record(code), terms=TERMS)
    stored = store.consent_for_session(code)
    twin = ConsentRow(code, "another-receipt", "ZZZ-ZZZ", stored.record_json, stored.received_at, stored.answer_json)
    with pytest.raises(Exception) as refused:
        with store.transaction() as tx:
            tx.insert_consent(twin)  # past the domain's checks: only the constraint stands
    assert "unique" in str(refused.value).lower() or "primary" in str(refused.value).lower()
    assert store.consent_count() == 1


def test_two_processes_racing_one_session_store_one_consent(store: Store, second_store: Store) -> None:
    code = new_session(store)
    outcomes = race(
        lambda: record_consent(store, code, make_record(code), terms=TERMS),
        lambda: record_consent(second_store, code, make_record(code), terms=TERMS),
    )
    answers = [outcome for outcome in outcomes if isinstance(outcome, bytes)]
    assert len(answers) == 1, outcomes
    assert any(isinstance(outcome, AlreadyConsented) for outcome in outcomes), outcomes
    assert store.consent_count() == 1


def test_a_receipt_replayed_to_another_process_meanwhile_gets_the_same_answer(
    store: Store, second_store: Store
) -> None:
    code = new_session(store)
    record = make_record(code)
    # Both in batches, as the group-commit writer sends them, with other consents around them.
    others = [new_session(store) for _ in range(4)]

    def batch(on: Store, extra: list[str]) -> list[bytes | Exception]:
        consents = [prepare_consent(c, make_record(c), terms=TERMS) for c in extra]
        return record_consents(on, [*consents, prepare_consent(code, record, terms=TERMS)])

    first, second = race(lambda: batch(store, others[:2]), lambda: batch(second_store, others[2:]))
    assert isinstance(first[-1], bytes) and first[-1] == second[-1]
    assert all(isinstance(outcome, bytes) for outcome in [*first, *second])
    assert store.consent_count() == 5


def test_a_cancel_racing_a_consent_never_leaves_both(store: Store, second_store: Store) -> None:
    for _ in range(3):
        code = new_session(store)
        consented, cancelled = race(
            lambda c=code: record_consent(store, c, make_record(c), terms=TERMS),
            lambda c=code: cancel_session(second_store, c),
        )
        final = store.session(code).status
        if final == "consented":
            assert isinstance(consented, bytes) and cancelled is False
        else:
            assert final == "cancelled" and cancelled is True and isinstance(consented, SessionCancelled)
            assert store.consent_for_session(code) is None


def test_the_words_secret_is_one_for_every_process(store: Store, second_store: Store) -> None:
    made = race(lambda: words_secret(store), lambda: words_secret(second_store))
    assert isinstance(made[0], bytes) and len(made[0]) == 32 and made[0] == made[1]


def test_postgresql_messages_never_show_the_password(postgres_cluster) -> None:
    url = postgres_cluster.url("no_such_database")
    password = url.split("@")[0].rsplit(":", 1)[1]
    with pytest.raises(StoreError) as failure:
        open_store(url)
    message = str(failure.value)
    assert "no_such_database" in message and password not in message and "\n" not in message
    with open_store(postgres_cluster.url(postgres_cluster.new_database(migrated=True))) as opened:
        assert password not in opened.description and ":***@" in opened.description


def test_a_write_the_database_refuses_is_undone_alone_in_its_batch(store: Store) -> None:
    before, broken, after = (new_session(store) for _ in range(3))

    def write(tx, code: str) -> str:
        tx.set_status(code, "consented")
        if code == broken:
            tx.set_status(code, "no such status")  # the table's CHECK refuses it, at the database
        return code

    outcomes = store.write_each([before, broken, after], write)
    assert outcomes[0] == before and outcomes[2] == after
    assert isinstance(outcomes[1], Exception) and "check" in str(outcomes[1]).lower()
    assert [store.session(code).status for code in (before, broken, after)] == ["consented", "open", "consented"]


def select_count(store: Store) -> int:
    with store.reading() as tx:
        return tx.wrong_code_clients_since(0)


def test_the_wrong_code_limit_in_the_database_is_one_for_every_process(store: Store, second_store: Store) -> None:
    from server.domain.limits import LookupLimit
    from server.domain.shared_limits import SharedFailedLookups

    now = [1_000_000.0]
    limit = LookupLimit(max_failures=3, window_seconds=60)
    first, second = (SharedFailedLookups(s, limit, clock=lambda: now[0]) for s in (store, second_store))
    first.record_failure("203.0.113.7")
    second.record_failure("203.0.113.7")
    assert first.retry_after("203.0.113.7") is None
    now[0] += 10
    first.record_failure("203.0.113.7")
    # Locked out on both, until the oldest failure leaves the window; other addresses are not.
    assert second.retry_after("203.0.113.7") == 50 and first.retry_after("203.0.113.7") == 50
    assert second.retry_after("198.51.100.1") is None
    assert first.tracked_clients() == 1
    now[0] += 51
    assert second.retry_after("203.0.113.7") is None
    now[0] += 10
    second.record_failure("198.51.100.1")  # clears out what left the window: all of .7's
    assert first.tracked_clients() == 1
    assert select_count(store) == 1


def test_a_later_lock_out_end_wins_and_ended_ones_are_not_listed(store: Store) -> None:
    with store.transaction() as tx:
        tx.record_lockout("203.0.113.0", "2026-12-01T10:00:00Z")
        tx.record_lockout("203.0.113.0", "2026-12-01T12:00:00Z")  # later: replaces
        tx.record_lockout("203.0.113.0", "2026-12-01T11:00:00Z")  # earlier: changes nothing
        tx.record_lockout("198.51.100.0", "2026-12-01T09:00:00Z")
    # A read-only look (PostgreSQL refuses a DELETE there) still leaves out the ended one.
    with store.reading() as tx:
        assert tx.lockouts("2026-12-01T09:30:00Z") == [("203.0.113.0", "2026-12-01T12:00:00Z")]
    with store.transaction() as tx:
        assert tx.lockouts("2026-12-01T12:00:00Z") == []


def test_a_session_report_put_again_replaces_the_first(store: Store) -> None:
    code = new_session(store)
    first = SessionReportRow(code, "zoho-assist", "z-1", "pending", 1, "2026-12-01T10:00:00Z", None, None, None, None,
                             "no answer yet", "2026-12-01T09:00:00Z")
    settled = replace(first, state="found", attempts=2, next_check_at=None, started_at="2026-12-01T09:05:00Z",
                      ended_at="2026-12-01T09:35:00Z", duration_seconds=1800.0, detail=None,
                      updated_at="2026-12-01T10:00:00Z")
    with store.transaction() as tx:
        tx.put_session_report(first)
        tx.put_session_report(settled)
    with store.reading() as tx:
        assert tx.session_report(code, "z-1") == settled
        assert tx.session_report(code, "z-2") is None
