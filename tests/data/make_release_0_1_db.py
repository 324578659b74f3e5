"""Build ``release-0.1-consents.sqlite3`` with release 0.1's own code (main at e37e53b).

    .venv/bin/python tests/data/make_release_0_1_db.py

Unpacks that commit's ``server``, ``app`` and ``resources`` into a temporary folder and runs its
embedded server there: three sessions (one consented over HTTP, one cancelled, one left open).
What that server answered is written beside the file as ``release-0.1-consents.json``, so the
migration test can check that today's server, after migrating the file, gives the same answers.
Committed output; run again only to rebuild it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

RELEASE = "e37e53b"
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DB = HERE / "release-0.1-consents.sqlite3"
ANSWERS = HERE / "release-0.1-consents.json"

# Runs inside the unpacked release, with its code first on sys.path.
_BUILD = r"""
import json, os, sys
import httpx
import server
assert os.path.dirname(server.__file__) == os.path.join(os.getcwd(), "server"), server.__file__
from server.embedded import EmbeddedServer
from tests.server_fixtures import make_record

db, answers = sys.argv[1], sys.argv[2]
with EmbeddedServer(db, token="release-token") as server:
    consented = server.create_session(technician="Sam Carter", ticket="PTX-1", join_url="https://assist.zoho.com/join?role=A&key=123456789")
    cancelled = server.create_session(technician="Ria Patel", ticket=None, join_url="https://get.teamviewer.com/s12345678", provider="teamviewer")
    left_open = server.create_session(technician="Sam Carter", ticket="PTX-3", join_url="https://assist.zoho.eu/join?role=A&key=987654321")
    record = make_record(consented["code"], name="Ann Example")
    answer = httpx.post(f"{server.base_url}/api/v1/sessions/{consented['code']}/consent", json=record)
    assert answer.status_code == 201, answer.text
    assert server.store.cancel_session(cancelled["code"])
    words = {s["code"]: s["verification_words"] for s in (consented, cancelled, left_open)}
with open(answers, "w", encoding="utf-8") as out:
    json.dump(
        {
            "release": sys.argv[3],
            "consented": consented["code"],
            "cancelled": cancelled["code"],
            "open": left_open["code"],
            "record": record,
            "answer": answer.text,
            "verification_words": words,
        },
        out,
        indent=2,
        ensure_ascii=False,
    )
    out.write("\n")
"""


def main() -> int:
    for stale in (DB, DB.with_name(DB.name + "-wal"), DB.with_name(DB.name + "-shm")):
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", RELEASE, "server", "app", "resources", "tests/__init__.py",
             "tests/server_fixtures.py"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        subprocess.run(
            [sys.executable, "-c", _BUILD, str(DB), str(ANSWERS), RELEASE],
            cwd=tmp,
            env={"PYTHONPATH": tmp, "PATH": "/usr/bin:/bin", "NO_PROXY": "127.0.0.1"},
            check=True,
        )
    print(f"wrote {DB.relative_to(REPO)} ({DB.stat().st_size} bytes) and {ANSWERS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
