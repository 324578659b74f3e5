"""The server's pages in a real browser (headless Chromium, tests/browser.py): the strict
Content-Security-Policy lets the page's own stylesheet through and nothing inline."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from server.embedded import EmbeddedServer
from tests.browser import wait_for


def test_pages_style_themselves_from_static_files_under_the_strict_policy(
    consent_server: EmbeddedServer, browser
) -> None:
    created = consent_server.create_session()
    browser.get(created["join_url"])
    heading = wait_for(browser, lambda d: d.find_element(By.TAG_NAME, "h1"))
    assert heading.text == "You have joined the demo session"
    # site.css sets 18px; without it (blocked, or missing) Chromium's default is 16px.
    assert browser.execute_script("return getComputedStyle(document.body).fontSize") == "18px"
    # An inline style, as injected markup would carry, is refused by the policy.
    browser.execute_script(
        "const s = document.createElement('style'); s.textContent = 'body { font-size: 40px }';"
        "document.head.appendChild(s);"
    )
    assert browser.execute_script("return getComputedStyle(document.body).fontSize") == "18px"


def test_static_files_are_only_those_shipped(consent_server: EmbeddedServer) -> None:
    import httpx

    response = httpx.get(f"{consent_server.base_url}/static/site.css")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    for missing in ("nothing.css", "..%2Fapi.py", "%2E%2E%2Fdb.py"):
        answer = httpx.get(f"{consent_server.base_url}/static/{missing}")
        assert answer.status_code == 404
        assert answer.json()["error"] == "not_found"
