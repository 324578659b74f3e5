"""The Session page against the real reference server: who is helping, the verification words, the
scam warning, and a message with a next step for every code that cannot be used."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.core.brand import load_brand
from app.core.session_code import format_session_code
from app.ui.wizard import PageId
from server.domain.limits import LookupLimit
from server.domain.sessions import cancel_session, open_session
from server.embedded import EmbeddedServer
from testbed.consent_records import make_record
from tests.wizard_driver import WAIT_MS, Customer, make_wizard

ZOHO = "https://assist.zoho.com/join?role=A&key=123456789"
WARNING = (
    "Phonetex will never ask you for bank details or passwords, and never starts support unless you "
    "called us or we agreed a time. If anything feels wrong, hang up and call us on +44 20 7946 0000."
)


def session_page(qtbot, server, **options):
    wizard, _opened = make_wizard(qtbot, server.base_url, demo_origin=server.base_url, **options)
    return wizard, wizard.page_of(PageId.SESSION)


def wait_for_status(qtbot, page, words: str) -> str:
    qtbot.waitUntil(lambda: words in page.status_label.text(), timeout=WAIT_MS)
    return page.status_label.text()


def next_enabled(wizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_the_scam_warning_with_the_brands_phone_number_is_there_before_anything_is_typed(qtbot, consent_server):
    _wizard, page = session_page(qtbot, consent_server)
    assert load_brand().phone in WARNING
    assert page.warning_label.isVisible()
    assert page.warning_label.text() == WARNING
    assert not page.words_value.isVisible()


def test_the_page_shows_who_is_helping_and_the_servers_verification_words(qtbot, consent_server):
    session = consent_server.create_session(technician="Sam Carter", ticket="PTX-1042")
    wizard, page = session_page(qtbot, consent_server, initial_code=session["code"])
    Customer(qtbot, wizard).wait_for_session()
    assert (page.company_value.text(), page.technician_value.text(), page.ticket_value.text()) == (
        "Phonetex", "Sam Carter", "PTX-1042",
    )
    assert page.expires_value.text()
    assert page.words_value.isVisible()
    assert page.words_value.text().split("  ·  ") == session["verification_words"]
    assert "read you the three words" in page.words_hint.text()
    assert "verification words" in page.status_label.text()
    assert page.warning_label.isVisible()


def test_a_technician_name_is_shown_as_text_never_as_markup(qtbot, consent_server):
    session = consent_server.create_session(technician="<b>Sam</b> <a href='https://evil.io'>call 0900</a>")
    wizard, page = session_page(qtbot, consent_server, initial_code=session["code"])
    Customer(qtbot, wizard).wait_for_session()
    assert page.technician_value.textFormat() == Qt.TextFormat.PlainText
    assert page.technician_value.text() == "<b>Sam</b> <a href='https://evil.io'>call 0900</a>"


def test_an_unknown_code_says_so_and_what_to_do(qtbot, consent_server):
    wizard, page = session_page(qtbot, consent_server, initial_code="100000000")
    message = wait_for_status(qtbot, page, "no support session")
    assert "100 000 000" in message and "Check the code with your technician" in message
    assert not next_enabled(wizard) and not page.words_value.isVisible()


def test_an_expired_code_says_so_and_what_to_do(qtbot, consent_server):
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    expired = open_session(consent_server.store,
        technician="Sam", ticket=None, join_url=ZOHO, provider="zoho-assist", expires_in_minutes=60, now=long_ago
    )
    wizard, page = session_page(qtbot, consent_server, initial_code=expired.code)
    message = wait_for_status(qtbot, page, "has expired")
    assert format_session_code(expired.code) in message and "Ask your technician for a new code" in message
    assert not next_enabled(wizard)


def test_a_cancelled_code_says_so_and_what_to_do(qtbot, consent_server):
    session = consent_server.create_session()
    assert cancel_session(consent_server.store, session["code"])
    wizard, page = session_page(qtbot, consent_server, initial_code=session["code"])
    message = wait_for_status(qtbot, page, "was cancelled")
    assert "ask them for a new code" in message
    assert not next_enabled(wizard)


def test_a_code_used_on_another_computer_says_where_to_go_and_hides_its_words(qtbot, consent_server):
    session = consent_server.create_session()
    first = httpx.post(f"{consent_server.base_url}/api/v1/sessions/{session['code']}/consent", json=make_record(session["code"]))
    assert first.status_code == 201
    wizard, page = session_page(qtbot, consent_server, initial_code=session["code"])
    message = wait_for_status(qtbot, page, "already given, but not on this computer")
    assert "On the computer where it was given, start the launcher again with this code" in message
    assert "ask your technician for a new code" in message
    assert not page.words_value.isVisible()
    assert not next_enabled(wizard)


def test_each_unusable_code_gets_its_own_message_in_one_sitting(qtbot, consent_server):
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    expired = open_session(consent_server.store,
        technician="Sam", ticket=None, join_url=ZOHO, provider="zoho-assist", expires_in_minutes=60, now=long_ago
    ).code
    cancelled = consent_server.create_session()["code"]
    cancel_session(consent_server.store, cancelled)
    used = consent_server.create_session()["code"]
    httpx.post(f"{consent_server.base_url}/api/v1/sessions/{used}/consent", json=make_record(used))
    wizard, page = session_page(qtbot, consent_server)
    customer = Customer(qtbot, wizard)
    messages = []
    for code, words in (("100000000", "no support session"), (expired, "expired"), (cancelled, "cancelled"), (used, "already")):
        customer.type_code(code)
        messages.append(wait_for_status(qtbot, page, words))
        assert not next_enabled(wizard)
    # With the code taken out, no two say the same thing.
    assert len({message.replace(format_session_code(code), "") for message, code in zip(messages, ["100000000", expired, cancelled, used], strict=True)}) == 4


def test_too_many_wrong_codes_show_when_to_try_again(qtbot, tmp_path):
    limit = LookupLimit(max_failures=2, window_seconds=300)
    with EmbeddedServer(tmp_path / "c.sqlite3", lookup_limit=limit) as server:
        real = server.create_session()["code"]
        wizard, page = session_page(qtbot, server)
        customer = Customer(qtbot, wizard)
        for wrong in ("100000001", "100000002"):
            customer.type_code(wrong)
            wait_for_status(qtbot, page, format_session_code(wrong))
        customer.type_code(format_session_code(real))
        message = wait_for_status(qtbot, page, "Too many wrong session codes")
        assert "Try again in about 5 min" in message
        assert "check the code with your technician" in message
        assert not next_enabled(wizard)


@pytest.mark.parametrize(
    "words",
    [["acorn", "alpaca"], ["acorn", "alpaca", "Call 0900 555 0100"], "acorn alpaca amber", None],
)
def test_an_answer_with_anything_but_three_listed_words_is_not_shown(qtbot, consent_server, words):
    session = consent_server.create_session()
    real = httpx.HTTPTransport()

    def tampered(request: httpx.Request) -> httpx.Response:
        answer = real.handle_request(request)
        answer.read()
        body = {**answer.json(), "verification_words": words}
        return httpx.Response(answer.status_code, json=body)

    wizard, page = session_page(
        qtbot, consent_server, initial_code=session["code"], transport=httpx.MockTransport(tampered)
    )
    message = wait_for_status(qtbot, page, "cannot read")
    assert "0900" not in message and not page.words_value.isVisible()
    assert not next_enabled(wizard)


def test_a_bad_command_line_code_is_explained_and_can_be_corrected(qtbot, consent_server):
    from app.core.session_intake import initial_session

    intake = initial_session("48291", "/dl/Phonetex-Support.exe", "Phonetex-Support")
    wizard, page = session_page(qtbot, consent_server, intake_error=intake.error)
    assert "482 913 557" in page.status_label.text()
    session = consent_server.create_session()
    Customer(qtbot, wizard).type_code(session["code"])
    Customer(qtbot, wizard).wait_for_session()
    assert next_enabled(wizard)


def test_enter_on_a_checked_code_goes_on_without_a_second_look_up(qtbot, consent_server):
    """A checked code and Enter: the wizard moves on, and no late answer can take the session back."""
    session = consent_server.create_session()
    real = httpx.HTTPTransport()
    look_ups = []

    def counting(request: httpx.Request) -> httpx.Response:
        look_ups.append(request.url.path)
        return real.handle_request(request)

    wizard, page = session_page(qtbot, consent_server, initial_code=session["code"], transport=httpx.MockTransport(counting))
    qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)
    page.code_edit.setFocus()
    qtbot.keyClick(page.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.TERMS, timeout=WAIT_MS)
    assert look_ups == [f"/api/v1/sessions/{session['code']}"]
    assert wizard.ctx.journey.session.code == session["code"]


def test_an_unreachable_server_names_the_button_this_page_has(qtbot, consent_server):
    """Nothing was being recorded, and the page's button is Check code: the message says so."""
    session = consent_server.create_session()
    with socket.socket() as closed:  # a port nothing listens on: the server cannot be reached
        closed.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{closed.getsockname()[1]}"
        wizard, _opened = make_wizard(qtbot, unreachable, initial_code=session["code"])
        page = wizard.page_of(PageId.SESSION)
        message = wait_for_status(qtbot, page, "could not be checked")
    assert "press Check code" in message and page.check_button.isVisible()
    assert "Retry" not in message and "Nothing is lost" not in message and "record" not in message
    assert not next_enabled(wizard)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        # Faults a real server cannot produce on demand: a certificate that does not verify, a crash.
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "verified as secure"),
        (httpx.Response(500, text="Internal Server Error"), "could not be checked"),
    ],
)
def test_an_insecure_or_failing_server_is_worded_for_this_pages_button(qtbot, fault, words):
    def answer(_request):
        if isinstance(fault, Exception):
            raise fault
        return fault

    wizard, _opened = make_wizard(
        qtbot, "https://support.phonetex.example", initial_code="123-456-789", transport=httpx.MockTransport(answer)
    )
    page = wizard.page_of(PageId.SESSION)
    message = wait_for_status(qtbot, page, words)
    assert "press Check code" in message
    assert "Retry" not in message and "Nothing is lost" not in message and "record" not in message
    assert not next_enabled(wizard)
