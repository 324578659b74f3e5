"""The emailed link, over HTTP: the page for each system and each state of a code, the downloads
(names, bytes, HEAD, ranges), and which visits count as wrong codes."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.core.brand import load_brand
from server.domain.limits import LookupLimit
from server.domain.sessions import cancel_session, open_session
from server.embedded import EmbeddedServer
from testbed.launcher_builds import MACHO, NAME, publish
from tests.browser import USER_AGENTS

BRAND = load_brand()
ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _as(system: str) -> dict[str, str]:
    user_agent, platform = USER_AGENTS[system]
    return {**HTML, "User-Agent": user_agent, "Sec-CH-UA-Platform": f'"{platform}"',
            "Sec-CH-UA-Mobile": "?1" if system == "android" else "?0"}


@pytest.fixture
def published(tmp_path: Path) -> Path:
    return publish(tmp_path / "launchers")


@pytest.fixture
def server(database: str, published: Path):
    with EmbeddedServer(
        database, launchers_dir=published, lookup_limit=LookupLimit(max_failures=5, window_seconds=300)
    ) as running:
        yield running


@pytest.fixture
def http(server: EmbeddedServer):
    with httpx.Client(base_url=server.base_url, timeout=20) as client:
        yield client


def _session(server: EmbeddedServer, **options) -> str:
    return server.create_session(join_url=ZOHO_LINK, **options)["code"]


def _words(html: str) -> str:
    """The page's text with its markup's line breaks folded, as a reader sees it."""
    return " ".join(html.split())


def _download_links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="download[^"]*" data-system="(\w+)" href="([^"]+)"', html)


@pytest.mark.parametrize(
    ("system", "filename"),
    [("windows", "{name}-{code}.exe"), ("macos", "{name}-{code}.zip"), ("linux", "{name}-{code}")],
)
def test_the_visitors_system_comes_first_and_the_others_follow(http, server, system: str, filename: str) -> None:
    code = _session(server)
    page = http.get(f"/join/{code}", headers=_as(system))
    assert page.status_code == 200
    links = _download_links(page.text)
    assert links[0][0] == system
    assert sorted(found for found, _ in links) == ["linux", "macos", "windows"]
    assert links[0][1] == f"/join/{code}/download/{filename.format(name=NAME, code=code)}"
    assert f"{code[:3]} {code[3:6]} {code[6:]}" in page.text
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]


def test_the_page_lists_each_files_size_and_sha256(http, server, published: Path) -> None:
    code = _session(server)
    page = http.get(f"/join/{code}", headers=_as("linux")).text
    linux = (published / NAME).read_bytes()
    assert f"<td>{NAME}-{code}</td><td>{len(linux)}</td>" in page
    assert hashlib.sha256(linux).hexdigest() in page
    windows = (published / f"{NAME}.exe").read_bytes()
    assert hashlib.sha256(windows).hexdigest() in page
    # The macOS zip is this session's own (the bundle carries the code), so its sum is what it downloads.
    mac = http.get(f"/join/{code}/download/{NAME}-{code}.zip").content
    assert hashlib.sha256(mac).hexdigest() in page


def test_a_republished_build_is_offered_with_its_new_sum(http, server, published: Path) -> None:
    code = _session(server)
    before = http.get(f"/join/{code}", headers=_as("linux")).text
    new_build = b"\x7fELF" + os.urandom(1000)
    (published / f"{NAME}.new").write_bytes(new_build)
    os.replace(published / f"{NAME}.new", published / NAME)  # how a release is published: one rename
    after = http.get(f"/join/{code}", headers=_as("linux")).text
    assert hashlib.sha256(new_build).hexdigest() in after
    assert hashlib.sha256(new_build).hexdigest() not in before
    assert http.get(f"/join/{code}/download/{NAME}-{code}").content == new_build


def test_a_linux_download_is_the_published_build_under_the_sessions_name(http, server, published: Path) -> None:
    code = _session(server)
    answer = http.get(f"/join/{code}/download/{NAME}-{code}")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="{NAME}-{code}"'
    assert answer.content == (published / NAME).read_bytes()
    assert answer.headers["content-length"] == str(len(answer.content))
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["cache-control"] == "no-store"
    windows = http.get(f"/join/{code}/download/{NAME}-{code}.exe")
    assert windows.headers["content-disposition"] == f'attachment; filename="{NAME}-{code}.exe"'
    assert windows.content == (published / f"{NAME}.exe").read_bytes()


def test_the_macos_download_holds_the_app_named_with_the_code(http, server) -> None:
    code = _session(server)
    answer = http.get(f"/join/{code}/download/{NAME}-{code}.zip")
    assert answer.headers["content-disposition"] == f'attachment; filename="{NAME}-{code}.zip"'
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.read(f"{NAME}-{code}.app/Contents/MacOS/{NAME}") == MACHO
        assert not [name for name in archive.namelist() if f"{NAME}.app" in name]


def test_head_and_ranges_resume_a_download(http, server, published: Path) -> None:
    code = _session(server)
    url = f"/join/{code}/download/{NAME}-{code}"
    build = (published / NAME).read_bytes()
    head = http.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(build))
    etag = head.headers["etag"]
    first = http.get(url, headers={"Range": "bytes=0-99999"})
    assert first.status_code == 206
    assert first.headers["content-range"] == f"bytes 0-99999/{len(build)}"
    rest = http.get(url, headers={"Range": "bytes=100000-", "If-Range": etag})
    assert rest.status_code == 206
    assert first.content + rest.content == build
    assert http.get(url, headers={"Range": "bytes=-10"}).content == build[-10:]
    beyond = http.get(url, headers={"Range": f"bytes={len(build)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(build)}"
    # A range against an older version of the file gets the whole new file, not a patchwork.
    stale = http.get(url, headers={"Range": "bytes=100000-", "If-Range": '"0000"'})
    assert stale.status_code == 200 and stale.content == build
    mac = f"/join/{code}/download/{NAME}-{code}.zip"
    whole = http.get(mac).content
    assert http.get(mac, headers={"Range": "bytes=50-149"}).content == whole[50:150]


def test_a_missing_build_says_to_call(database: str, tmp_path: Path) -> None:
    folder = publish(tmp_path / "only-windows", systems=("windows",))
    with EmbeddedServer(database, launchers_dir=folder) as running:
        code = _session(running)
        page = httpx.get(f"{running.base_url}/join/{code}", headers=_as("linux")).text
        assert [system for system, _ in _download_links(page)] == ["windows"]
        assert "program for Linux is not available here" in _words(page)
        assert BRAND.phone in page
        missing = httpx.get(f"{running.base_url}/join/{code}/download/{NAME}-{code}")
        assert missing.status_code == 404


def test_without_published_builds_every_system_says_to_call(database: str) -> None:
    with EmbeddedServer(database) as running:
        code = _session(running)
        page = httpx.get(f"{running.base_url}/join/{code}", headers=_as("windows")).text
        assert _download_links(page) == []
        assert _words(page).count("is not available here") == 3


def test_a_phone_is_told_to_use_the_computer(http, server) -> None:
    code = _session(server)
    page = http.get(f"/join/{code}", headers=_as("android")).text
    assert "Open this email on the computer that needs help" in _words(page)
    # Still listed, for whoever reads the page to someone at the computer; none pressed on as "yours".
    assert sorted(system for system, _ in _download_links(page)) == ["linux", "macos", "windows"]
    assert 'class="download primary"' not in page


def test_names_are_escaped(http, server) -> None:
    code = server.create_session(technician="<script>alert(1)</script>", ticket='"><b>', join_url=ZOHO_LINK)["code"]
    page = http.get(f"/join/{code}", headers=_as("linux")).text
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '"><b>' not in page


def _expired(server: EmbeddedServer) -> str:
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    return open_session(
        server.store,
        technician="Sam", ticket=None, join_url=ZOHO_LINK, provider="zoho-assist", expires_in_minutes=60, now=long_ago
    ).code


def _cancelled(server: EmbeddedServer) -> str:
    code = _session(server)
    assert cancel_session(server.store, code)
    return code


def _used(server: EmbeddedServer) -> str:
    from testbed.consent_records import make_record

    code = _session(server)
    assert httpx.post(f"{server.base_url}/api/v1/sessions/{code}/consent", json=make_record(code)).status_code == 201
    return code


@pytest.mark.parametrize(
    ("make", "status", "error", "heading", "says"),
    [
        (_expired, 410, "expired", "This session code has expired", "ask for a new session"),
        (_cancelled, 410, "cancelled", "This support session was cancelled", "ask for a new session"),
        (_used, 409, "already_consented", "Permission was already given for this session",
         "You do not need to download anything again"),
        (lambda server: "100000000", 404, "unknown_code", "There is no session with this code",
         "open it from the email again"),
        (lambda server: "12345", 422, "invalid_code", "This is not a session link", "A session code has 9 digits"),
    ],
    ids=["expired", "cancelled", "used", "unknown", "not-a-code"],
)
def test_codes_that_cannot_start_a_session_get_a_readable_page(http, server, make, status, error, heading, says):
    code = make(server)
    for path in (f"/join/{code}", f"/join/{code}/download/{NAME}-{code}"):
        page = http.get(path, headers=HTML)
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert f">{heading}</h1>" in page.text
        assert says in _words(page.text)
        assert BRAND.phone in page.text
        assert "application/" not in page.text and "download/" not in page.text
        # An API client that asks for JSON still gets the API's error.
        answer = http.get(path, headers=JSON)
        assert (answer.status_code, answer.json()["error"]) == (status, error)
        assert answer.json()["message"]


def test_only_unknown_codes_count_against_the_wrong_code_limit(http, server) -> None:
    real = _session(server)
    known = [_expired(server), _cancelled(server), _used(server)]
    for _ in range(5):
        for code in known:
            assert http.get(f"/join/{code}").status_code in (409, 410)
            assert http.get(f"/join/{code}/download/{NAME}-{code}").status_code in (409, 410)
    assert http.get(f"/join/{real}").status_code == 200
    # Five unknown codes, through the page and the downloads, and the address must wait.
    http.get("/join/100000001")
    http.get("/join/100000002", headers=JSON)
    http.get(f"/join/100000003/download/{NAME}-100000003")
    http.get(f"/join/100000004/download/{NAME}-100000004.zip")
    http.head(f"/join/100000005/download/{NAME}-100000005.exe")
    limited = http.get(f"/join/{real}", headers=HTML)
    assert limited.status_code == 429
    assert "Please wait before trying again" in limited.text
    assert 1 <= int(limited.headers["retry-after"]) <= 300
    assert "5 minutes" in limited.text
    assert http.get(f"/join/{real}/download/{NAME}-{real}").status_code == 429
    answer = http.get(f"/join/{real}", headers=JSON)
    assert answer.json()["error"] == "too_many_attempts" and answer.json()["retry_after"] >= 1


def test_serve_refuses_a_launchers_folder_that_is_not_there(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--db", str(tmp_path / "c.sqlite3"), "--port", "0",
         "--launchers", str(tmp_path / "nowhere")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "there is no such folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_event_loop_never_reads_the_builds(http, server, monkeypatch) -> None:
    """Hashing a published build and streaming it happen in worker threads: the server's own
    thread (the event loop, "consent-server") never waits on the disk for them."""
    import threading

    from server.domain.served_file import RangeReader

    readers: set[str] = set()
    original_read = RangeReader.read

    def read(self, size=256 * 1024):
        readers.add(threading.current_thread().name)
        return original_read(self, size)

    monkeypatch.setattr(RangeReader, "read", read)
    code = _session(server)
    assert http.get(f"/join/{code}", headers=_as("windows")).status_code == 200  # sums worked out
    assert http.get(f"/join/{code}/download/{NAME}-{code}.zip").status_code == 200  # streamed
    assert readers and "consent-server" not in readers
