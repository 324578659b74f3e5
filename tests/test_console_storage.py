"""The console's storage on both engines (SQLite and PostgreSQL), through the domain's calls:
accounts and their secrets, per-technician visibility, step events stored once and in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.step_event import new_step_event
from server.domain import technicians as accounts
from server.domain.console_sessions import NewConsoleSession, NotYourSession, listed_sessions, open_console_session, session_facts
from server.domain.passwords import hash_password
from server.domain.refusals import AccountRefused
from server.domain.step_events import record_step
from server.storage import Store, open_store

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    with open_store(database) as opened:
        yield opened


def test_accounts_logins_and_tokens_behave_alike_on_both_engines(store):
    admin, link = accounts.add_technician(store, email="Ada@Phonetex.example", name="Ada Admin", is_admin=True)
    assert accounts.technician_for_password_link(store, link) == admin
    accounts.set_password(store, link, hash_password("correct horse battery"))
    assert accounts.technician_for_password_link(store, link) is None  # once only
    with pytest.raises(AccountRefused):
        accounts.add_technician(store, email="ada@phonetex.example", name="Another Ada")
    sam, _ = accounts.add_technician(store, email="sam@phonetex.example", name="Sam Carter")
    login = accounts.start_login(store, "ada@phonetex.example")
    assert accounts.technician_for_login(store, login).is_admin
    _, secret = accounts.create_api_token(store, sam, "Helpdesk")
    assert accounts.technician_for_api_token(store, secret).id == sam.id
    _, second = accounts.create_api_token(store, sam, "Helpdesk again")
    assert accounts.technician_for_api_token(store, secret) is None  # one token per technician
    assert accounts.technician_for_api_token(store, second).id == sam.id
    accounts.set_disabled(store, admin, sam.id, True)
    assert accounts.technician_for_api_token(store, second) is None
    accounts.remove_technician(store, admin, sam.id)
    assert [t.email for t in accounts.technicians(store)] == ["ada@phonetex.example"]
    accounts.end_login(store, login)
    assert accounts.technician_for_login(store, login) is None


def test_sessions_belong_to_their_technician_and_steps_are_kept_once_in_order(store):
    admin, _ = accounts.add_technician(store, email="ada@phonetex.example", name="Ada Admin", is_admin=True)
    sam, _ = accounts.add_technician(store, email="sam@phonetex.example", name="Sam Carter")
    kim, _ = accounts.add_technician(store, email="kim@phonetex.example", name="Kim Lee")
    new = NewConsoleSession("PTX-1", "Ann Example", "ann@example.com", "zoho-assist", ZOHO_LINK)
    code = open_console_session(store, sam, new).code
    assert [item.session.code for item in listed_sessions(store, sam)] == [code]
    assert listed_sessions(store, kim) == []
    assert [item.session.code for item in listed_sessions(store, admin)] == [code]
    with pytest.raises(NotYourSession):
        session_facts(store, kim, code)

    events = [new_step_event("launcher_started"), new_step_event("terms_accepted"),
              new_step_event("backup_checked", verdict="none", kind="none")]
    assert [record_step(store, code, event) for event in events] == [True, True, True]
    assert record_step(store, code, events[1]) is False  # a repeat
    facts = session_facts(store, admin, code)
    assert [step.step for step in facts.steps] == ["launcher_started", "terms_accepted", "backup_checked"]
    assert facts.customer_name == "Ann Example"
    assert [item.state for item in listed_sessions(store, sam)] == ["waiting"]
    assert listed_sessions(store, sam, "open") == []
