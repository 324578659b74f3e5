"""The technician console at the HTTP level: who may see and do what, against the real server on
loopback on each engine (a real SQLite file, a real PostgreSQL database)."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import httpx
import pytest

from app.core.step_event import new_step_event
from server.domain import technicians as accounts
from testbed.consent_records import make_record
from testbed.console_accounts import PASSWORD, Browser, add_account
from tests.database_fixtures import location_args

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"


@pytest.fixture
def team(engine_server):
    """An administrator and two technicians, each signed in in their own browser."""
    store = engine_server.store
    people = {
        "admin": add_account(store, "ada@phonetex.example", "Ada Admin", admin=True),
        "sam": add_account(store, "sam@phonetex.example", "Sam Carter"),
        "kim": add_account(store, "kim@phonetex.example", "Kim Lee"),
    }
    browsers = {}
    for key, person in people.items():
        browsers[key] = Browser(engine_server.base_url)
        assert browsers[key].sign_in(person.email).status_code == 303
    yield people, browsers
    for browser in browsers.values():
        browser.close()


def open_session(browser: Browser, **fields) -> str:
    browser.get("/console/sessions/new")
    form = {"ticket": "PTX-1042", "customer_name": "Ann Example", "customer_email": "ann@example.com",
            "provider": "zoho-assist", "join_url": ZOHO_LINK, **fields}
    response = browser.post("/console/sessions", form)
    assert response.status_code == 303, response.text
    code = re.fullmatch(r"/console/sessions/([0-9]{9})\?done=opened", response.headers["location"]).group(1)
    return code


# Every console page and action, with a session code filled in where one is needed.
def console_routes(code: str, technician_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/console/sessions"),
        ("GET", "/console/sessions/new"),
        ("POST", "/console/sessions"),
        ("GET", f"/console/sessions/{code}"),
        ("GET", f"/console/sessions/{code}/live"),
        ("POST", f"/console/sessions/{code}/cancel"),
        ("GET", f"/console/sessions/{code}/receipt"),
        ("GET", f"/console/sessions/{code}/receipt.json"),
        ("GET", "/console/tokens"),
        ("POST", "/console/tokens"),
        ("POST", "/console/tokens/0123456789abcdef/revoke"),
        ("GET", "/console/technicians"),
        ("POST", "/console/technicians"),
        ("POST", f"/console/technicians/{technician_id}/disable"),
        ("POST", f"/console/technicians/{technician_id}/remove"),
        ("POST", f"/console/technicians/{technician_id}/password-link"),
        ("POST", "/console/sign-out"),
    ]


def test_an_anonymous_visitor_is_sent_to_sign_in_or_refused_everywhere(engine_server, team):
    people, browsers = team
    code = open_session(browsers["sam"])
    anonymous = Browser(engine_server.base_url)
    anonymous.get("/console/sign-in")  # a visitor cookie and its CSRF token do not sign anybody in
    for method, path in console_routes(code, people["kim"].id):
        if method == "GET":
            response = anonymous.get(path)
            if path.endswith("/live"):
                assert response.status_code == 401, path
            else:
                assert response.status_code == 303, path
                assert response.headers["location"].startswith("/console/sign-in?next="), path
        else:
            response = anonymous.post(path, {"label": "x", "email": "eve@evil.example", "name": "Eve"})
            assert response.status_code == 401, path
            assert "Please sign in" in response.text
    assert engine_server.store.session(code).status == "open"
    assert len(accounts.technicians(engine_server.store)) == 3
    anonymous.close()


def test_a_forged_csrf_token_changes_nothing(engine_server, team):
    people, browsers = team
    admin = browsers["admin"]
    code = open_session(admin)
    admin.get("/console/sessions")
    real = admin.csrf
    for method, path in console_routes(code, people["kim"].id):
        if method != "POST":
            continue
        for forged in ("", "forged", browsers["sam"].csrf):  # another browser's token is no better
            response = admin.post(path, {"label": "x", "email": "eve@evil.example", "name": "Eve"}, csrf=forged)
            assert response.status_code == 403, (path, forged)
            assert "This form has expired" in response.text
    assert engine_server.store.session(code).status == "open"
    assert not accounts.technicians(engine_server.store)[1].disabled
    assert len(accounts.technicians(engine_server.store)) == 3
    # The real token still works, so the refusals above were about the token alone.
    assert admin.get("/console/sessions").status_code == 200 and admin.csrf == real
    assert admin.post(f"/console/sessions/{code}/cancel").status_code == 303
    assert engine_server.store.session(code).status == "cancelled"


def test_a_form_posted_from_another_site_is_refused(engine_server, team):
    _, browsers = team
    code = open_session(browsers["sam"])
    browsers["sam"].origin = "https://evil.example"
    response = browsers["sam"].post(f"/console/sessions/{code}/cancel")
    assert response.status_code == 403
    assert engine_server.store.session(code).status == "open"


def test_another_technicians_session_is_not_there_but_an_administrator_sees_it(engine_server, team):
    people, browsers = team
    code = open_session(browsers["sam"])
    # A consent, so the receipt routes have something to refuse.
    httpx.post(f"{engine_server.base_url}/api/v1/sessions/{code}/consent", json=make_record(code)).raise_for_status()
    kim = browsers["kim"]
    for method, path in console_routes(code, "")[3:8]:
        response = kim.get(path) if method == "GET" else kim.post(path)
        assert response.status_code == 404, path
        assert code not in response.text.replace(" ", "") or "no session" in response.text.lower()
    assert code not in kim.get("/console/sessions").text
    admin = browsers["admin"]
    assert admin.get(f"/console/sessions/{code}").status_code == 200
    assert admin.get(f"/console/sessions/{code}/receipt.json").json()["technician"] == "Sam Carter"
    listing = admin.get("/console/sessions").text
    assert f"/console/sessions/{code}" in listing
    # Technicians' accounts are for administrators only.
    assert kim.get("/console/technicians").status_code == 403
    assert kim.post(f"/console/technicians/{people['sam'].id}/disable").status_code == 403
    assert not [t for t in accounts.technicians(engine_server.store) if t.disabled]


def test_a_disabled_account_can_do_nothing_and_a_removed_one_loses_nothing_it_opened(engine_server, team):
    people, browsers = team
    sam, admin = browsers["sam"], browsers["admin"]
    code = open_session(sam)
    sam.get("/console/tokens")
    token = re.search(r'id="new-token">([^<]+)<', sam.post("/console/tokens", {"label": "Helpdesk"}).text).group(1)
    api = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{engine_server.base_url}/api/v1/sessions", json={"join_url": ZOHO_LINK}, headers=api).status_code == 201

    admin.get("/console/technicians")
    assert admin.post(f"/console/technicians/{people['sam'].id}/disable").status_code == 303
    assert sam.get("/console/sessions").status_code == 303  # the cookie no longer signs in
    assert sam.get(f"/console/sessions/{code}/live").status_code == 401
    assert Browser(engine_server.base_url).sign_in(people["sam"].email).status_code == 401
    refused = httpx.post(f"{engine_server.base_url}/api/v1/sessions", json={"join_url": ZOHO_LINK}, headers=api)
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"

    admin.get("/console/technicians")
    assert admin.post(f"/console/technicians/{people['sam'].id}/remove").status_code == 303
    assert [t.name for t in accounts.technicians(engine_server.store)] == ["Ada Admin", "Kim Lee"]
    page = admin.get(f"/console/sessions/{code}")
    assert page.status_code == 200 and "Sam Carter" in page.text


def test_wrong_passwords_are_slowed_down_even_before_the_right_one(engine_server, team):
    people, _ = team
    guesser = Browser(engine_server.base_url)
    answers = [guesser.sign_in(people["kim"].email, f"wrong guess {n}").status_code for n in range(3)]
    assert answers == [401, 401, 401]
    response = guesser.sign_in(people["kim"].email, PASSWORD)
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.text and "seconds" in response.text
    assert "__Host-phonetex-console" not in guesser.cookies
    guesser.close()


def test_the_session_cookie_and_page_headers_are_strict(engine_server):
    add_account(engine_server.store, "sam@phonetex.example", "Sam Carter")
    browser = Browser(engine_server.base_url)
    page = browser.get("/console/sign-in")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    response = browser.post("/console/sign-in", {"email": "sam@phonetex.example", "password": PASSWORD})
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("__Host-phonetex-console="))
    for attribute in ("Secure", "HttpOnly", "SameSite=strict", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie
    # Tampering with the signed value signs nobody in.
    browser.cookies["__Host-phonetex-console"] = browser.cookies["__Host-phonetex-console"][:-2] + "xx"
    assert browser.get("/console/sessions").status_code == 303
    browser.close()


def test_a_session_opened_with_a_technicians_token_names_them_and_a_revoked_token_stops(engine_server, team):
    people, browsers = team
    kim = browsers["kim"]
    kim.get("/console/tokens")
    created = kim.post("/console/tokens", {"label": "Helpdesk"})
    assert created.status_code == 201
    token = re.search(r'id="new-token">([^<]+)<', created.text).group(1)
    assert token not in kim.get("/console/tokens").text  # shown once
    api = {"Authorization": f"Bearer {token}"}
    answer = httpx.post(f"{engine_server.base_url}/api/v1/sessions", json={"join_url": ZOHO_LINK, "ticket": "PTX-7"}, headers=api)
    assert answer.status_code == 201 and answer.json()["technician"] == "Kim Lee"
    code = answer.json()["code"]
    assert f"/console/sessions/{code}" in kim.get("/console/sessions").text
    assert f"/console/sessions/{code}" not in browsers["sam"].get("/console/sessions").text
    # A token speaks for its own technician only.
    other = httpx.post(f"{engine_server.base_url}/api/v1/sessions", json={"join_url": ZOHO_LINK, "technician": "Sam Carter"}, headers=api)
    assert other.status_code == 422
    token_id = accounts.api_tokens(engine_server.store, people["kim"])[0].id
    kim.get("/console/tokens")
    assert kim.post(f"/console/tokens/{token_id}/revoke").status_code == 303
    assert httpx.post(f"{engine_server.base_url}/api/v1/sessions", json={"join_url": ZOHO_LINK}, headers=api).status_code == 401


def test_the_new_session_form_refuses_a_technicians_own_link_with_what_to_paste(engine_server, team):
    _, browsers = team
    sam = browsers["sam"]
    sam.get("/console/sessions/new")
    response = sam.post("/console/sessions", {"provider": "zoho-assist", "ticket": "PTX-9",
                                             "join_url": "https://assist.zoho.com/assist-tech?key=1"})
    assert response.status_code == 422
    assert "Paste the customer's link from Zoho Assist" in html.unescape(response.text)
    assert 'value="PTX-9"' in response.text  # nothing typed is lost
    response = sam.post("/console/sessions", {"provider": "teamviewer", "join_url": ZOHO_LINK})
    assert response.status_code == 422 and "That is a Zoho Assist link" in response.text


def test_step_reports_are_stored_once_and_refused_for_a_cancelled_session(engine_server, team):
    _, browsers = team
    code = open_session(browsers["sam"])
    url = f"{engine_server.base_url}/api/v1/sessions/{code}/steps"
    event = new_step_event("open_apps_checked", left_open=[{"name": "Firefox", "category": "browser"}])
    assert httpx.post(url, json=event.to_dict()).status_code == 201
    assert httpx.post(url, json=event.to_dict()).status_code == 200  # a repeat is harmless
    page = browsers["sam"].get(f"/console/sessions/{code}").text
    assert page.count('data-step="open_apps_checked"') == 1
    assert "leaving 1 flagged application open: Firefox" in page
    off_schema = {**event.to_dict(), "details": {"left_open": [], "window_titles": ["Bank"]}}
    assert httpx.post(url, json=off_schema).json()["error"] == "invalid_request"
    browsers["sam"].post(f"/console/sessions/{code}/cancel")
    refused = httpx.post(url, json=new_step_event("terms_accepted").to_dict())
    assert refused.status_code == 410 and refused.json()["error"] == "cancelled"
    assert httpx.post(f"{engine_server.base_url}/api/v1/sessions/100000000/steps",
                      json=new_step_event("terms_accepted").to_dict()).status_code == 404


def test_add_technician_prints_a_link_that_sets_the_password_once(engine_server):
    result = subprocess.run(
        [sys.executable, "-m", "server", "add-technician", *location_args(engine_server.database),
         "--email", "First@Phonetex.example", "--name", "First Admin", "--admin", "--public-url", engine_server.base_url],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    link = re.search(r"(http://\S+/console/set-password/\S+)", result.stdout).group(1)
    path = link.removeprefix(engine_server.base_url)
    browser = Browser(engine_server.base_url)
    assert "First Admin" in browser.get(path).text
    short = browser.post(path, {"password": "short", "repeat": "short"})
    assert short.status_code == 422 and "at least 12 characters" in short.text
    assert browser.post(path, {"password": PASSWORD, "repeat": PASSWORD}).headers["location"] == "/console/sign-in?done=password-set"
    assert browser.get(path).status_code == 410  # once only
    assert browser.sign_in("first@phonetex.example").status_code == 303
    assert "Technicians" in browser.get("/console/sessions").text  # an administrator's menu
    browser.close()


def test_the_end_of_support_shows_on_the_session_page(engine_server, team):
    _, browsers = team
    code = open_session(browsers["sam"])
    record = make_record(code)
    httpx.post(f"{engine_server.base_url}/api/v1/sessions/{code}/consent", json=record).raise_for_status()
    assert "Consented" in browsers["sam"].get(f"/console/sessions/{code}").text
    ended = httpx.post(f"{engine_server.base_url}/api/v1/consents/{record['receipt_id']}/withdrawal",
                       json={"reason": "customer"})
    assert ended.status_code == 200, ended.text
    page = html.unescape(browsers["sam"].get(f"/console/sessions/{code}").text)
    assert '<span class="status" id="session-state">Withdrawn</span>' in page
    assert "The customer pressed End support now at" in page
    # The sessions list says so too, and its filter finds it.
    withdrawn = browsers["sam"].get("/console/sessions?state=withdrawn").text
    assert code in withdrawn.replace(" ", "") or f"{code[:3]} {code[3:6]} {code[6:]}" in withdrawn
    assert code not in browsers["sam"].get("/console/sessions?state=consented").text.replace(" ", "")


def test_text_a_database_cannot_hold_and_ids_of_nobody_get_the_consoles_own_answers(engine_server, team):
    # A NUL byte: SQLite would store it or find no row; PostgreSQL's text refuses it outright.
    # Either way the technician gets the console's answer, never a server error, on both engines.
    people, browsers = team
    guesser = Browser(engine_server.base_url)
    guesser.get("/console/sign-in")
    assert guesser.post("/console/sign-in", {"email": "ada\x00@phonetex.example", "password": PASSWORD}).status_code == 401
    guesser.close()
    admin = browsers["admin"]
    admin.get("/console/technicians")
    for email, name in (("eve\x00@phonetex.example", "Eve"), ("eve@phonetex.example", "Eve\x00Example")):
        refused = admin.post("/console/technicians", {"email": email, "name": name})
        assert refused.status_code == 422, refused.text
        assert ("Type an e-mail address" if "\x00" in email else "Type the technician's name") in html.unescape(refused.text)
    assert len(accounts.technicians(engine_server.store)) == 3
    for action in ("disable", "remove", "password-link"):
        for nobody in ("a%00b", "9" * 40):
            answer = admin.post(f"/console/technicians/{nobody}/{action}")
            assert answer.status_code == 422 and "There is no such technician" in answer.text, (action, nobody)
    assert not [t for t in accounts.technicians(engine_server.store) if t.disabled]
    sam = browsers["sam"]
    sam.get("/console/tokens")
    refused = sam.post("/console/tokens", {"label": "Help\x00desk"})
    assert refused.status_code == 422 and "Say in a few words what the token is for" in refused.text
    assert accounts.api_tokens(engine_server.store, people["sam"]) == []
    assert sam.post("/console/tokens/a%00b/revoke").status_code == 303  # names no token: nothing to revoke
