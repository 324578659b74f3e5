"""The technician console in a real browser (Debian's headless Chromium) beside the real wizard,
both against the same real server on loopback: the technician signs in, opens a session, and
watches the customer's steps, the consent, the reference code and the same checklist arrive.
Also makes the console's screenshots: into docs/ with ``PHONETEX_SCREENSHOTS=docs``, otherwise
into the test's own folder, so an ordinary ``make test`` leaves the tree as it found it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.core.consent_client import ConsentClient
from app.core.step_reporter import StepReporter
from app.ui.wizard import PageId
from server.embedded import EmbeddedServer
from testbed.console_accounts import PASSWORD, add_account
from tests.browser import chromium, screenshot
from tests.wizard_driver import Customer, make_wizard

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).resolve().parent.parent / "docs"
WAIT_MS = 10_000


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where the screenshots go: docs/ only when asked (``PHONETEX_SCREENSHOTS=docs make test``)."""
    return DOCS if os.environ.get("PHONETEX_SCREENSHOTS") == "docs" else tmp_path


@pytest.fixture
def server(tmp_path):
    with EmbeddedServer(tmp_path / "consents.sqlite3", demo=True) as running:
        add_account(running.store, "sam@phonetex.example", "Sam Carter", admin=True)
        yield running


@pytest.fixture
def driver():
    with chromium() as browser:
        yield browser


def seen(qtbot, driver, find, timeout_ms: int = WAIT_MS):
    """Wait, keeping the wizard's event loop running, until ``find(driver)`` returns something."""
    found = []

    def ready() -> bool:
        try:
            value = find(driver)
        except Exception:
            return False
        if value:
            found.append(value)
            return True
        return False

    qtbot.waitUntil(ready, timeout=timeout_ms)
    return found[-1]


def steps_shown(driver) -> list[str]:
    return [item.get_attribute("data-step") for item in driver.find_elements(By.CSS_SELECTOR, "#steps li")]


def unlabelled_controls(driver) -> list[str]:
    """Form controls a screen reader could not name."""
    controls = driver.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), select, button, a[href]")
    return [c.get_attribute("outerHTML")[:80] for c in controls if not (c.accessible_name or "").strip()]


def sign_in(driver, base_url: str) -> None:
    driver.get(f"{base_url}/console/sessions")  # not signed in: sent to sign-in, and back afterwards
    email = seen_plain(driver, lambda d: d.find_element(By.ID, "email"))
    email.send_keys("sam@phonetex.example")
    driver.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER)
    seen_plain(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Sessions")


def seen_plain(driver, find):
    from tests.browser import wait_for

    return wait_for(driver, find)


def open_session_in_console(driver, base_url: str, ticket: str) -> str:
    driver.get(f"{base_url}/console/sessions/new")
    driver.find_element(By.ID, "ticket").send_keys(ticket)
    driver.find_element(By.ID, "customer_name").send_keys("Ann Example")
    driver.find_element(By.ID, "customer_email").send_keys("ann@example.com")
    # Demo server: an empty join link means this server's own demo join page.
    driver.find_element(By.ID, "join_url").send_keys(Keys.ENTER)
    code = seen_plain(driver, lambda d: d.find_element(By.ID, "session-code").text)
    return code.replace(" ", "")


def test_the_console_follows_the_real_wizard_step_by_step(qtbot, server, driver, shots):
    base = server.base_url
    driver.get(f"{base}/console/sign-in")
    screenshot(driver, shots / "console-sign-in.png")
    assert unlabelled_controls(driver) == []
    sign_in(driver, base)
    driver.get(f"{base}/console/sessions/new")
    assert unlabelled_controls(driver) == []
    screenshot(driver, shots / "console-new-session.png")
    code = open_session_in_console(driver, base, "PTX-1042")
    words = driver.find_element(By.ID, "verification-words").text
    assert "Session opened" in driver.find_element(By.CSS_SELECTOR, "p.notice").text
    assert "I will read them to you" in driver.find_element(By.ID, "line-to-read").text
    assert driver.find_element(By.ID, "customer-link").text == f"{base}/join/{code}"
    assert steps_shown(driver) == []
    assert unlabelled_controls(driver) == []
    screenshot(driver, shots / "console-session-waiting.png")

    client = ConsentClient(base)
    reporter = StepReporter(client.report_step)
    wizard, opened = make_wizard(qtbot, base, demo_origin=base, initial_code=code, client=client, step_reporter=reporter)
    customer = Customer(qtbot, wizard)
    page = customer.wait_for_session()
    # The customer's words are the technician's words.
    assert page.words_value.text().replace("  ·  ", " · ") == words
    seen(qtbot, driver, lambda d: steps_shown(d) == ["launcher_started"])
    assert driver.find_element(By.ID, "session-state").text == "Waiting for consent"

    customer.press_next()
    customer.read_and_accept_terms()
    customer.press_next()
    seen(qtbot, driver, lambda d: steps_shown(d)[-1:] == ["terms_accepted"])
    customer.pass_open_apps()
    customer.press_next()
    seen(qtbot, driver, lambda d: steps_shown(d)[-1:] == ["open_apps_checked"])
    customer.accept_no_backup()
    customer.press_next()
    seen(qtbot, driver, lambda d: steps_shown(d)[-1:] == ["backup_checked"])
    assert "no backup" in driver.find_element(By.CSS_SELECTOR, '#steps li[data-step="backup_checked"]').text
    customer.fill_consent()
    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=WAIT_MS)

    connect = wizard.currentPage()
    reference = connect.reference_label.text()
    seen(qtbot, driver, lambda d: d.find_element(By.ID, "reference").text == reference)
    seen(qtbot, driver, lambda d: steps_shown(d)[-2:] == ["consent_recorded", "join_link_opened"])
    assert opened.urls == [f"{base}/demo/join/{code}"]
    # The checklist: the same sentences, in the same order, as on the customer's Connect page.
    wizard_items = re.findall(r"^\d+\. (.+)$", connect.checklist.text(), flags=re.MULTILINE)
    console_items = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#checklist li")]
    assert console_items == wizard_items and len(console_items) == 4
    assert steps_shown(driver) == [
        "launcher_started", "terms_accepted", "open_apps_checked", "backup_checked", "consent_recorded", "join_link_opened",
    ]
    assert driver.find_element(By.ID, "session-state").text == "Connected"
    screenshot(driver, shots / "console-session.png")

    driver.find_element(By.LINK_TEXT, "Receipt").click()
    seen_plain(driver, lambda d: reference in d.find_element(By.TAG_NAME, "h1").text)
    assert "Ann Example" in driver.page_source
    screenshot(driver, shots / "console-receipt.png")
    reporter.close(timeout=5)


def test_a_session_cancelled_in_the_console_is_refused_by_the_launcher(qtbot, server, driver, shots):
    base = server.base_url
    sign_in(driver, base)
    code = open_session_in_console(driver, base, "PTX-2001")
    # A customer already on the Consent page when the technician cancels.
    client = ConsentClient(base)
    reporter = StepReporter(client.report_step)
    early, _ = make_wizard(qtbot, base, demo_origin=base, initial_code=code, client=client, step_reporter=reporter)
    customer = Customer(qtbot, early)
    customer.walk_to_consent()
    seen(qtbot, driver, lambda d: steps_shown(d)[-1:] == ["backup_checked"])
    cancel = driver.find_element(By.XPATH, "//button[normalize-space()='Cancel this session']")
    cancel.send_keys(Keys.ENTER)  # the keyboard alone works the console
    seen_plain(driver, lambda d: d.find_element(By.ID, "session-state").text == "Cancelled")
    assert "Session cancelled" in driver.find_element(By.CSS_SELECTOR, "p.notice").text
    assert not driver.find_elements(By.XPATH, "//button[normalize-space()='Cancel this session']")

    driver.get(f"{base}/console/sessions")
    assert unlabelled_controls(driver) == []
    screenshot(driver, shots / "console-sessions.png")
    driver.get(f"{base}/console/sessions?state=cancelled")
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.find_element(By.TAG_NAME, "a").text.replace(" ", "") for r in rows] == [code]

    # Permission is refused with the launcher's own words, and nothing opens.
    customer.give_permission()
    consent_page = early.currentPage()
    qtbot.waitUntil(lambda: "cancelled by your technician" in consent_page.status_label.text(), timeout=WAIT_MS)
    assert early.currentId() == PageId.CONSENT
    assert server.store.consent_for_session(code) is None

    # A launcher started with the code afterwards refuses it on the Session page.
    wizard, _ = make_wizard(qtbot, base, demo_origin=base, initial_code=code)
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: "cancelled" in page.status_label.text(), timeout=WAIT_MS)
    assert not page.isComplete()  # the customer cannot go on with it
    reporter.close(timeout=5)
