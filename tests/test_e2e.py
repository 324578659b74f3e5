"""The whole journey: the real wizard against the real reference server on loopback, with a real
SQLite file. Only the browser is replaced, by a recorder of what would be opened."""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import time

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWizard

from app.core.session_code import format_session_code
from app.ui.wizard import PageId
from testbed.backup_trees import make_home, mirror
from testbed.consent_records import make_record
from tests.wizard_driver import Customer, make_wizard

pytestmark = pytest.mark.e2e


def wizard_for(qtbot, server, session, **options):
    """The wizard in demo mode against ``server``, opened on ``session``'s code."""
    return make_wizard(qtbot, server.base_url, demo_origin=server.base_url, initial_code=session["code"], **options)


def stored_consents(server) -> list[dict]:
    with sqlite3.connect(server.db_path) as db:
        return [json.loads(row[0]) for row in db.execute("SELECT record_json FROM consents")]


def test_the_whole_journey_records_one_consent_and_opens_the_join_link(qtbot, consent_server, tmp_path):
    session = consent_server.create_session(technician="Sam Carter", ticket="PTX-1042")
    # A customer's home and a fresh copy of it on a USB drive, checked by the real Backup page.
    home = make_home(tmp_path / "home", time.time(), files=40)
    usb = mirror(home, tmp_path / "usb")
    wizard, opened = make_wizard(
        qtbot,
        consent_server.base_url,
        demo_origin=consent_server.base_url,
        backup_folder=str(usb),
        backup_system=lambda: home.system(separate_disk=usb),
    )
    customer = Customer(qtbot, wizard)

    customer.type_code(format_session_code(session["code"]))
    page = customer.wait_for_session()
    assert page.technician_value.text() == "Sam Carter"
    assert page.ticket_value.text() == "PTX-1042"
    assert page.company_value.text() == "Phonetex"

    shown_terms = customer.walk_to_consent(with_backup=True)
    # A recent, complete backup was checked: there is no risk to acknowledge, so no box for it.
    assert wizard.page_of(PageId.BACKUP).risk_box.isHidden()
    assert opened.urls == []
    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)

    consents = stored_consents(consent_server)
    assert len(consents) == 1
    assert consents[0]["terms"]["sha256"] == hashlib.sha256(shown_terms.encode("utf-8")).hexdigest()
    assert consents[0]["name"] == "Ann Example"
    assert consents[0]["backup"]["verdict"] == "recent"
    assert consents[0]["backup"]["coverage"] == 1.0
    assert consents[0]["backup"]["risk_acknowledged"] is False
    assert str(tmp_path) not in json.dumps(consents[0])  # no path leaves the machine
    assert opened.urls == [session["join_url"]]
    connect = wizard.currentPage()
    assert connect.reference_label.text() == consent_server.store.consent_for_session(session["code"]).reference
    # The technician's copy on the server reads back the very lines the customer sees.
    server_copy = httpx.get(
        f"{consent_server.base_url}/api/v1/sessions/{session['code']}/consent",
        headers={"Authorization": f"Bearer {consent_server.token}"},
    ).json()["checklist"]
    assert connect.checklist.text().splitlines()[1:] == [f"{n}. {line}" for n, line in enumerate(server_copy, 1)]
    # The last page: Finish alone, no Next to nowhere, no Back to a consent already given.
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    assert not wizard.button(QWizard.WizardButton.NextButton).isVisible()
    assert not wizard.button(QWizard.WizardButton.BackButton).isVisible()
    # The browser tab closed: the page opens the same link again, for as long as the session lasts.
    assert connect.copy_button.isVisible()
    qtbot.mouseClick(connect.open_again_button, Qt.MouseButton.LeftButton)
    assert opened.urls == [session["join_url"]] * 2


def test_the_demo_join_page_is_what_opens(qtbot, consent_server):
    session = consent_server.create_session()
    wizard, opened = wizard_for(qtbot, consent_server, session)
    Customer(qtbot, wizard).walk_to_consent()
    Customer(qtbot, wizard).give_permission()
    qtbot.waitUntil(lambda: bool(opened.urls), timeout=10_000)
    page = httpx.get(opened.urls[0])
    assert "You have joined the demo session" in page.text


def test_when_the_browser_does_not_open_the_link_can_be_copied(qtbot, consent_server):
    session = consent_server.create_session()
    wizard, opened = wizard_for(qtbot, consent_server, session)
    opened.browser_works = False
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    page = wizard.currentPage()
    assert page.copy_button.isVisible()
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)

    assert QGuiApplication.clipboard().text() == session["join_url"]


# --- the server refuses or cannot be reached: nothing opens, the customer reads why ------------


def _consent_page_after_refusal(qtbot, wizard, opened):
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    customer.give_permission()
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: page.retry_button.isVisible(), timeout=10_000)
    assert wizard.currentId() == PageId.CONSENT
    assert opened.urls == []
    message = page.status_label.text()
    assert page.status_label.isVisible() and message
    assert "Traceback" not in message
    return page, message


def test_a_session_consented_elsewhere_is_refused_with_409(qtbot, consent_server):
    session = consent_server.create_session()
    first = httpx.post(
        f"{consent_server.base_url}/api/v1/sessions/{session['code']}/consent", json=make_record(session["code"])
    )
    assert first.status_code == 201
    wizard, _opened = wizard_for(qtbot, consent_server, session)
    # The session page already says so: the customer cannot even start.
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: "already" in page.status_label.text(), timeout=10_000)
    assert not page.isComplete()
    assert len(stored_consents(consent_server)) == 1


def test_a_consent_raced_by_another_is_refused_with_409_and_a_message(qtbot, consent_server):
    session = consent_server.create_session()
    wizard, opened = wizard_for(qtbot, consent_server, session)
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    # Someone else consents for this session while the customer is on the Consent page.
    other = httpx.post(
        f"{consent_server.base_url}/api/v1/sessions/{session['code']}/consent", json=make_record(session["code"])
    )
    assert other.status_code == 201
    customer.give_permission()
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: "already" in page.status_label.text().lower(), timeout=10_000)
    assert opened.urls == []
    assert not page.retry_button.isVisible()  # sending it again cannot help: the message says what to do
    assert len(stored_consents(consent_server)) == 1


def test_after_a_lost_answer_the_same_record_is_retried_and_nothing_can_change_it(qtbot, consent_server):
    """The consent reaches the server but the answer is lost: the customer must not be able to edit
    the record or go Back (a changed record would be refused as a second consent), and Retry gets
    the first answer."""
    session = consent_server.create_session()
    real = httpx.HTTPTransport()
    lost = {"left": 1}

    def answer_lost(request: httpx.Request) -> httpx.Response:
        response = real.handle_request(request)
        if request.method == "POST" and lost["left"]:
            lost["left"] -= 1
            response.read()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    wizard, opened = wizard_for(qtbot, consent_server, session, transport=httpx.MockTransport(answer_lost))
    page, message = _consent_page_after_refusal(qtbot, wizard, opened)
    assert "Retry" in message
    assert not page.name_edit.isEnabled()
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    # Only Retry is offered: Give permission would look like a second, different consent.
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    assert len(stored_consents(consent_server)) == 1
    qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    assert len(stored_consents(consent_server)) == 1
    assert opened.urls == [session["join_url"]]


def test_a_server_failure_shows_a_message_and_retry_sends_the_same_consent_once(qtbot, consent_server):
    session = consent_server.create_session()
    real = httpx.HTTPTransport()
    failures = {"left": 1}
    seen_receipts = []

    def flaky(request: httpx.Request) -> httpx.Response:
        # A 500 is not something the real server produces on demand: fake exactly that answer,
        # then let the retry through to the real server.
        if request.method == "POST":
            seen_receipts.append(json.loads(request.content)["receipt_id"])
            if failures["left"]:
                failures["left"] -= 1
                return httpx.Response(500, json={"error": "internal", "message": "boom"})
        return real.handle_request(request)

    wizard, opened = wizard_for(qtbot, consent_server, session, transport=httpx.MockTransport(flaky))
    page, message = _consent_page_after_refusal(qtbot, wizard, opened)
    assert "Retry" in message
    # Only Retry is offered: Give permission is greyed out while the same record waits to go again.
    assert page.retry_button.isEnabled() and not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    assert len(seen_receipts) == 2 and seen_receipts[0] == seen_receipts[1]
    assert len(stored_consents(consent_server)) == 1
    assert opened.urls == [session["join_url"]]


def test_connection_refused_shows_a_message_and_opens_nothing(qtbot, consent_server):
    session = consent_server.create_session()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    real = httpx.HTTPTransport()

    def server_goes_away(request: httpx.Request) -> httpx.Response:
        # Look-ups reach the real server; the consent goes to a port where nothing listens.
        if request.method == "POST":
            request.url = request.url.copy_with(port=dead_port)
        return real.handle_request(request)

    wizard, opened = wizard_for(qtbot, consent_server, session, transport=httpx.MockTransport(server_goes_away))
    _page, message = _consent_page_after_refusal(qtbot, wizard, opened)
    assert "could not be reached" in message
    assert stored_consents(consent_server) == []


def _consent_answered_with(join_url: str):
    """A transport that stands in for a server whose consent answer carries ``join_url``: the
    real server stores and answers the consent, then the link in its answer is swapped."""
    real = httpx.HTTPTransport()

    def swap(request: httpx.Request) -> httpx.Response:
        answer = real.handle_request(request)
        if request.method != "POST" or answer.status_code != 201:
            return answer
        answer.read()
        return httpx.Response(201, json={**answer.json(), "join_url": join_url})

    return httpx.MockTransport(swap)


@pytest.mark.parametrize(
    "join_url, reason",
    [
        ("https://assist.zoho.com.evil.io/join?key=1", "is not a Zoho Assist or TeamViewer address"),
        ("https://assist.zoho.com@evil.io/join?key=1", "user name or password"),
        ("https://xn--ssist-3ve.zoho.com/join?key=1", "look-alike characters"),
        ("https://get.teamviewer.com/s06301144?download=https://evil.io", "unexpected setting"),
        ("javascript:alert(document.cookie)", "secure (https)"),
        ("file:///C:/Windows/System32/cmd.exe", "secure (https)"),
        ("https://аssist.zoho.com/join?key=1", "disguise a web address"),
        (r"https://assist.zoho.com\@evil.io/join?key=1", "backslash"),
    ],
)
def test_an_off_list_join_link_from_the_server_is_never_opened(qtbot, consent_server, join_url, reason):
    # The real server refuses such links when the session is made (tests/test_provider_sessions_api.py),
    # so they can only come from a server that is not ours (or was tampered with): a replaced answer.
    session = consent_server.create_session(join_url="https://assist.zoho.com/join?role=A&key=1")
    transport = _consent_answered_with(join_url)
    wizard, opened = wizard_for(qtbot, consent_server, session, transport=transport)
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    page = wizard.currentPage()
    assert opened.urls == []
    message = page.status_label.text()
    assert "was not opened" in message and reason in message and "tell your technician" in message
    assert not page.copy_button.isVisible() and page.link_edit.text() == ""
    assert QGuiApplication.clipboard().text() != join_url
    # The consent itself is on record, and the customer has its reference to quote.
    assert page.reference_label.text() == consent_server.store.consent_for_session(session["code"]).reference


def test_outside_demo_mode_the_loopback_demo_link_is_refused(qtbot, consent_server):
    session = consent_server.create_session()
    wizard, opened = make_wizard(qtbot, consent_server.base_url, demo_origin=None, initial_code=session["code"])
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    assert opened.urls == []
    assert "https" in wizard.currentPage().status_label.text()


def expire_now(server, code: str) -> None:
    """The technician's session ran out while the customer was still on their way."""
    with sqlite3.connect(server.store.path) as db:
        db.execute("UPDATE sessions SET expires_at = '2020-01-01T00:00:00Z' WHERE code = ?", (code,))


def test_a_code_that_expires_mid_way_leads_back_to_a_new_code_with_nothing_stale(qtbot, consent_server):
    old = consent_server.create_session()
    wizard, _opened = wizard_for(qtbot, consent_server, old)
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    expire_now(consent_server, old["code"])
    customer.give_permission()
    consent = wizard.currentPage()
    bar = wizard._expired_bars[PageId.CONSENT]
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    assert "expired" in bar.message.text() and not consent.isComplete()
    assert not consent.retry_button.isVisible()  # one way on: the bar's button
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)

    session_page = customer.page(PageId.SESSION)
    assert "has expired" in session_page.status_label.text()
    assert not session_page.words_value.isVisible() and not session_page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    new = consent_server.create_session()
    customer.type_code(new["code"])
    customer.wait_for_session()
    assert not bar.isVisible()
    customer.press_next()
    customer.page(PageId.TERMS)  # still accepted: Back kept the tick
    customer.press_next()
    customer.pass_open_apps()
    customer.press_next()
    customer.press_next()  # the backup risk stays acknowledged
    consent = customer.page(PageId.CONSENT)
    assert consent.status_label.text() == "" and consent.isComplete()
    customer.give_permission()
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
    assert consent_server.store.consent_for_session(new["code"]) is not None
    assert consent_server.store.consent_for_session(old["code"]) is None


def test_a_greyed_out_give_permission_says_what_is_missing_and_the_terms_are_not_asked_again(qtbot, consent_server):
    session = consent_server.create_session()
    wizard, _opened = wizard_for(qtbot, consent_server, session)
    customer = Customer(qtbot, wizard)
    customer.walk_to_consent()
    page = customer.page(PageId.CONSENT)
    give = wizard.button(QWizard.WizardButton.CommitButton)
    assert give.isEnabled() and not page.missing_label.isVisible()
    # The Terms page's tick is the acceptance: no second "I accept the terms" box here.
    assert "terms_accepted" not in page.ack_boxes
    assert not any("accept the remote support terms" in box.accessibleName() for box in page.ack_boxes.values())
    page.name_edit.clear()
    assert not give.isEnabled()
    assert page.missing_label.isVisible() and page.missing_label.text() == "Type your full name."
    assert give.toolTip() == "Type your full name."
    customer.tick(next(iter(page.ack_boxes.values())))  # already ticked: stays
    next(iter(page.ack_boxes.values())).setChecked(False)
    assert page.missing_label.text() == "Type your full name and tick each line."
