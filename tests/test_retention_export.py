"""``prune --older-than DAYS`` and ``export --receipt ID`` on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.core.brand import load_brand
from app.core.terms import load_terms
from server.cli import main
from server.domain.consents import record_consent
from server.domain.retention import NoSuchReceipt, RetentionError, export_consent, prune
from server.domain.sessions import open_session
from server.storage import Store, open_store
from testbed.consent_records import make_record
from tests.database_fixtures import location_args, select

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"
NOW = datetime.now(UTC)


@pytest.fixture
def store(database: str):
    with open_store(database) as opened:
        yield opened


def session_at(store: Store, when: datetime, *, consent: bool) -> tuple[str, dict | None]:
    code = open_session(
        store, technician="Sam Carter", ticket="PTX-7", join_url=ZOHO_LINK, provider="zoho-assist",
        expires_in_minutes=60, now=when,
    ).code
    if not consent:
        return code, None
    record = make_record(code, name="Zoë Example", given_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    record_consent(store, code, record, terms=load_terms(), now=when + timedelta(minutes=5))
    return code, record


def test_prune_removes_what_is_past_the_period_and_keeps_the_rest(store: Store, database: str) -> None:
    old_consented, old_record = session_at(store, NOW - timedelta(days=40), consent=True)
    old_unused, _ = session_at(store, NOW - timedelta(days=40), consent=False)
    recent_consented, recent_record = session_at(store, NOW - timedelta(days=20), consent=True)
    live, _ = session_at(store, NOW, consent=False)

    dry = prune(store, 30, dry_run=True)
    assert (dry.consents, dry.sessions) == (1, 2)
    assert store.consent_count() == 2  # a dry run keeps everything

    done = prune(store, 30)
    assert (done.consents, done.sessions) == (1, 2) and "Removed 1 consent(s) and 2 session(s)" in done.describe()
    assert store.session(old_consented) is None and store.session(old_unused) is None
    assert store.session(recent_consented) is not None and store.session(live) is not None
    rows = select(database, "SELECT receipt_id FROM consents")
    assert rows == [(recent_record["receipt_id"],)]
    # Nothing of the removed customer is left anywhere in the tables.
    assert old_record["receipt_id"] not in json.dumps(select(database, "SELECT * FROM consents"))
    assert prune(store, 30).consents == 0  # running it again finds nothing more


@pytest.mark.parametrize("days", ["0", "7", "-3", "thirty"])
def test_a_retention_period_shorter_than_a_session_is_refused(store: Store, days: str) -> None:
    with pytest.raises(RetentionError, match="retention period"):
        prune(store, days)  # type: ignore[arg-type]


def test_export_gives_the_stored_answer_and_the_readable_receipt(store: Store) -> None:
    code, record = session_at(store, NOW - timedelta(hours=2), consent=True)
    exported = export_consent(store, record["receipt_id"], load_brand())
    stored = json.loads(store.consent_for_session(code).answer_json)
    assert exported.answer == {"reference": stored["reference"], "receipt": stored["receipt"]}
    assert "join_url" not in exported.answer  # a one-time link is not the customer's data to carry off
    assert stored["reference"] in exported.text and "Zoë Example" in exported.text
    assert record["receipt_id"] in exported.text and "Recorded by" in exported.text
    with pytest.raises(NoSuchReceipt, match="retention period"):
        export_consent(store, "0b6f3c1e-8a4d-4f2a-9c1e-2d5b7a9e4f10", load_brand())
    with pytest.raises(NoSuchReceipt, match="is not a receipt id"):
        export_consent(store, "../../etc/passwd", load_brand())


def test_the_commands(store: Store, database: str, capsys, monkeypatch) -> None:
    _, old = session_at(store, NOW - timedelta(days=100), consent=True)
    _, kept = session_at(store, NOW - timedelta(days=1), consent=True)

    assert main(["export", *location_args(database), "--receipt", old["receipt_id"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["receipt"]["receipt_id"] == old["receipt_id"]
    assert main(["export", *location_args(database), "--receipt", kept["receipt_id"]]) == 0
    both = capsys.readouterr().out
    assert "your consent receipt" in both and json.loads(both[both.index("{"):])["receipt"]["name"] == "Zoë Example"

    assert main(["prune", *location_args(database), "--older-than", "90", "--dry-run"]) == 0
    assert "Would remove 1 consent(s) and 1 session(s)" in capsys.readouterr().out
    monkeypatch.setenv("PHONETEX_RETENTION_DAYS", "90")
    assert main(["prune", *location_args(database)]) == 0  # the period from the environment
    assert "Removed 1 consent(s)" in capsys.readouterr().out

    assert main(["export", *location_args(database), "--receipt", old["receipt_id"]]) == 1
    assert "retention period" in capsys.readouterr().err
    monkeypatch.delenv("PHONETEX_RETENTION_DAYS")
    assert main(["prune", *location_args(database)]) == 2
    error = capsys.readouterr().err
    assert "--older-than" in error and error.count("\n") == 1


def test_every_table_that_hangs_off_a_session_goes_with_it(database: str, store: Store) -> None:
    # prune deletes sessions; a table added by a later migration that points at sessions without
    # ON DELETE CASCADE would make every prune fail. consents is the one prune empties itself.
    if "://" in database:
        rules = select(
            database,
            "SELECT tc.table_name, rc.delete_rule FROM information_schema.referential_constraints rc "
            "JOIN information_schema.table_constraints tc ON tc.constraint_name = rc.constraint_name "
            "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.unique_constraint_name "
            "WHERE ccu.table_name = 'sessions'",
        )
    else:
        tables = [name for (name,) in select(database, "SELECT name FROM sqlite_master WHERE type = 'table'")]
        rules = [
            (table, row[6])
            for table in tables
            for row in select(database, f"PRAGMA foreign_key_list({table})")
            if row[2] == "sessions"
        ]
    assert rules and ("consents", "NO ACTION") in rules
    assert {table: rule for table, rule in rules if table != "consents"} == {
        table: "CASCADE" for table, _ in rules if table != "consents"
    }


def test_export_into_a_pipe_closed_early_ends_quietly(store: Store, database: str) -> None:
    """`export ... | head -1`: the reader has gone before the receipt is written; one short exit, no
    traceback. (The read end is closed before the command starts, so every write meets a closed pipe.)"""
    import os
    import subprocess
    import sys

    _, record = session_at(store, NOW - timedelta(days=1), consent=True)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        exporter = subprocess.run(
            [sys.executable, "-m", "server", "export", *location_args(database), "--receipt", record["receipt_id"]],
            stdout=write_end, stderr=subprocess.PIPE, timeout=60, check=False,
        )
    finally:
        os.close(write_end)
    error = exporter.stderr.decode()
    assert "Traceback" not in error and "BrokenPipe" not in error, error
    assert exporter.returncode == 141
