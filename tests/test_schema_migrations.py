"""Versioned schema migrations on both engines, and a database made by release 0.1 migrating."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from app.core.verification_words import derive_words
from server.cli import main
from server.domain.sessions import words_secret
from server.embedded import EmbeddedServer
from server.storage import StoreError, migrations
from server.storage.migrations import Migration, SchemaError
from server.storage.postgresql_url import connect, redact
from server.storage.sqlite import SqliteStore
from testbed.consent_records import make_record

DATA = Path(__file__).resolve().parent / "data"
RELEASE_DB = DATA / "release-0.1-consents.sqlite3"
RELEASE = json.loads((DATA / "release-0.1-consents.json").read_text(encoding="utf-8"))


def test_every_migration_exists_for_both_engines_under_one_number() -> None:
    labels = {engine: [m.label for m in migrations.migrations(engine)] for engine in migrations.ENGINES}
    assert labels["sqlite"] == labels["postgresql"]
    assert labels["sqlite"][0] == "0001_release_0_1"


def test_sqlite_scripts_are_cut_into_whole_statements() -> None:
    script = """
    -- a comment line
    CREATE TABLE a (x TEXT DEFAULT 'semi;colon');
    CREATE TRIGGER t AFTER INSERT ON a BEGIN
        UPDATE a SET x = 'y';
    END;
    """
    statements = migrations.sqlite_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    with pytest.raises(ValueError, match="not finished"):
        migrations.sqlite_statements("CREATE TABLE b (x TEXT)")


# --- SQLite: release 0.1's file --------------------------------------------------------------


@pytest.fixture
def release_db(tmp_path: Path) -> Path:
    copy = tmp_path / "consents.sqlite3"
    shutil.copyfile(RELEASE_DB, copy)
    return copy


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA user_version").fetchone()[0]


def test_a_file_made_by_release_0_1_migrates_and_keeps_its_consents(release_db: Path) -> None:
    assert user_version(release_db) == 1
    with EmbeddedServer(release_db, token="tech") as server:
        assert user_version(release_db) == migrations.latest_version("sqlite")
        consented = RELEASE["consented"]
        stored = httpx.get(
            f"{server.base_url}/api/v1/sessions/{consented}/consent", headers={"Authorization": "Bearer tech"}
        )
        assert stored.status_code == 200
        read_back = stored.json()
        assert read_back.pop("checklist")[0] == "The remote support terms were read and accepted."  # newer than 0.1
        assert read_back == {k: v for k, v in json.loads(RELEASE["answer"]).items() if k in ("reference", "receipt")}
        # The launcher retrying its consent after the upgrade gets the very bytes release 0.1 sent.
        retry = httpx.post(f"{server.base_url}/api/v1/sessions/{consented}/consent", json=RELEASE["record"])
        assert (retry.status_code, retry.text) == (201, RELEASE["answer"])
        again = httpx.post(f"{server.base_url}/api/v1/sessions/{consented}/consent", json=make_record(consented))
        # Refused, and nothing stored: 409 while the session lasts, 410 once it is over (it is now).
        assert again.status_code in (409, 410)
        cancelled = httpx.get(f"{server.base_url}/api/v1/sessions/{RELEASE['cancelled']}")
        assert cancelled.json()["error"] == "cancelled"
        # Same secret, so the same words a technician read out before the upgrade.
        for code, words in RELEASE["verification_words"].items():
            assert list(derive_words(words_secret(server.store), code)) == words
        assert server.store.consent_count() == 1


def test_migrate_command_upgrades_and_check_reports(release_db: Path, capsys) -> None:
    assert main(["migrate", "--db", str(release_db), "--check"]) == 1
    out = capsys.readouterr().out
    assert "schema version 1" in out and "0002_retention_indexes" in out
    assert user_version(release_db) == 1  # a check changes nothing

    assert main(["migrate", "--db", str(release_db)]) == 0
    assert f"from schema version 1 to {migrations.latest_version('sqlite')}" in capsys.readouterr().out
    assert main(["migrate", "--db", str(release_db), "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_a_newer_file_is_refused_by_serve_and_left_alone(release_db: Path, capsys) -> None:
    newer = migrations.latest_version("sqlite") + 1
    with sqlite3.connect(release_db) as connection:
        connection.execute(f"PRAGMA user_version = {newer}")
    with pytest.raises(StoreError, match=f"newer consent server \\(schema version {newer}"):
        SqliteStore(release_db)
    assert main(["serve", "--db", str(release_db), "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert "newer consent server" in error and error.count("\n") == 1
    assert main(["migrate", "--db", str(release_db)]) == 1
    assert user_version(release_db) == newer


def test_a_failing_migration_leaves_the_file_as_it_was(release_db: Path, monkeypatch) -> None:
    broken = (
        *migrations.migrations("sqlite"),
        Migration(migrations.latest_version("sqlite") + 1, "broken", "CREATE TABLE extra (x TEXT);\nSELECT * FROM nowhere;"),
    )
    monkeypatch.setattr(migrations, "migrations", lambda engine: broken)
    connection = sqlite3.connect(release_db, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        migrations.upgrade_sqlite(connection, str(release_db))
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    connection.close()
    assert "extra" not in tables and user_version(release_db) == 1


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_version(url: str) -> int:
    with connect(url) as connection:
        return migrations.postgresql_version(connection)


def test_postgresql_migrates_once_when_several_processes_start_together(empty_postgres_url: str) -> None:
    errors: list[BaseException] = []
    applied: list[list[Migration]] = []
    start = threading.Barrier(4)

    def one_server_starting() -> None:
        try:
            with connect(empty_postgres_url) as connection:
                start.wait(timeout=10)
                applied.append(migrations.upgrade_postgresql(connection, "test"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one_server_starting) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(len(each) for each in applied) == [0, 0, 0, migrations.latest_version("postgresql")]
    with connect(empty_postgres_url) as connection:
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, migrations.latest_version("postgresql") + 1))


def test_postgresql_migrate_command_and_a_newer_database(empty_postgres_url: str, capsys) -> None:
    assert main(["migrate", "--database", empty_postgres_url, "--check"]) == 1
    assert "schema version 0" in capsys.readouterr().out
    assert main(["migrate", "--database", empty_postgres_url]) == 0
    out = capsys.readouterr().out
    assert f"from schema version 0 to {migrations.latest_version('postgresql')}" in out
    assert ":***@" in out and empty_postgres_url.split("@")[0].split(":")[-1] not in out  # no password

    newer = migrations.latest_version("postgresql") + 1
    with connect(empty_postgres_url, autocommit=True) as connection:
        connection.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, 'future')", (newer,))
        with pytest.raises(SchemaError, match="newer consent server"):
            migrations.upgrade_postgresql(connection, redact(empty_postgres_url))
    assert main(["migrate", "--database", empty_postgres_url]) == 1
    assert "newer consent server" in capsys.readouterr().err
    assert pg_version(empty_postgres_url) == newer


def test_a_database_address_is_never_shown_with_its_password() -> None:
    assert redact("postgresql://app:s3cret@db.internal:5433/consents?sslmode=require&password=s3cret") == (
        "postgresql://app:***@db.internal:5433/consents?sslmode=***&password=***"
    )
    assert redact("postgresql://app@[::1]/consents") == "postgresql://app@[::1]/consents"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://app@db/consents", "must start with postgresql://"),
        ("postgresql://app@db:99999/consents", "not a valid database address"),
        ("postgresql://app@db/", "names no database"),
    ],
)
def test_a_bad_database_address_is_one_line_and_exit_2(url: str, words: str, capsys) -> None:
    assert main(["migrate", "--database", url]) == 2
    error = capsys.readouterr().err
    assert words in error and error.count("\n") == 1


def test_a_throwaway_cluster_leaves_nothing_behind() -> None:
    from testbed.postgres_cluster import ClusterUnavailable, PostgresCluster

    try:
        cluster = PostgresCluster().start()
    except ClusterUnavailable as exc:
        pytest.skip(str(exc))
    folder, url = cluster.folder, cluster.url()
    try:
        with connect(url) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    finally:
        cluster.stop()
    assert not folder.exists()
    with pytest.raises(ValueError, match="Cannot open the database"):
        connect(url, connect_timeout=2)
