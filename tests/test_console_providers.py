"""The console with the providers' APIs (stand-ins on loopback): a session opened without a
pasted link comes from Zoho Assist with the technician's own link; Switch to TeamViewer moves it
and the session page says so; without TeamViewer set up, the switch is refused with why. On both
engines (SQLite, PostgreSQL)."""

from __future__ import annotations

import html
import re

from server.embedded import EmbeddedServer
from testbed.console_accounts import Browser, add_account


def signed_in(server) -> Browser:
    add_account(server.store, "sam@phonetex.example", "Sam Carter")
    browser = Browser(server.base_url)
    assert browser.sign_in("sam@phonetex.example").status_code == 303
    return browser


def open_through_zoho(browser: Browser) -> str:
    browser.get("/console/sessions/new")
    created = browser.post("/console/sessions", {"ticket": "PTX-77", "provider": "zoho-assist", "join_url": ""})
    assert created.status_code == 303, html.unescape(created.text)
    return re.search(r"/console/sessions/([0-9]{9})", created.headers["location"]).group(1)


def test_a_session_from_zoho_offers_the_technicians_link_and_switches_to_teamviewer(database, zoho, providers_environ):
    with EmbeddedServer(database, demo=False, provider_environ=providers_environ) as server:
        browser = signed_in(server)
        code = open_through_zoho(browser)
        (made,) = zoho.sessions.values()
        page = html.unescape(browser.get(f"/console/sessions/{code}").text)
        assert f'href="{made["technician_url"]}"' in page and "Open my Zoho Assist session" in page
        assert server.store.session(code).join_url == made["customer_url"]

        switched = browser.post(f"/console/sessions/{code}/switch-provider")
        assert switched.headers["location"] == f"/console/sessions/{code}?done=switched"
        assert server.store.session(code).provider == "teamviewer"
        page = html.unescape(browser.get(switched.headers["location"]).text)
        assert "Sam Carter switched the session from Zoho Assist to TeamViewer." in page
        assert "Switch to TeamViewer" not in page  # already there
        browser.close()


def test_without_teamviewer_set_up_the_switch_is_refused_and_says_why(database, zoho):
    with EmbeddedServer(database, demo=False, provider_environ=zoho.environ()) as server:
        browser = signed_in(server)
        code = open_through_zoho(browser)
        refused = browser.post(f"/console/sessions/{code}/switch-provider")
        assert refused.status_code == 409
        assert "TeamViewer is not set up on this server" in html.unescape(refused.text)
        assert server.store.session(code).provider == "zoho-assist"
        browser.close()
