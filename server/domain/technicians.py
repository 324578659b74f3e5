"""Technician accounts: who may use the console and the technicians' API, and how they prove it.

Three kinds of secret, each kept only as a SHA-256 digest in the store:

- a one-time set-password link (made by ``add-technician`` or an administrator), valid for
  :data:`PASSWORD_LINK_HOURS`;
- a console login (the signed cookie of :mod:`server.web.console_cookies`), ended by signing out,
  by disabling or removing the account, or after its lifetime;
- one API token per technician (made and revoked in the console), so every session the API
  opens names its technician.

A disabled account keeps its sessions but can do nothing: its logins and token stop working at
once. Removing an account deletes it, its logins and its token; its sessions stay, with the
name they were opened under.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.core.utc_time import iso_utc, parse_iso_utc, utc_now
from app.core.wire import text_problem
from server.domain.passwords import check_new_password, hash_password, verify_password
from server.domain.random_ids import id_digest, new_id
from server.domain.refusals import AccountRefused
from server.storage import ApiTokenRow, LoginRow, PasswordLinkRow, Store, TechnicianRow, Transaction

PASSWORD_LINK_HOURS = 48
LOGIN_HOURS = 12
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{1,63}")
_MAX_NAME = 120
_MAX_LABEL = 80
TOKEN_PREFIX = "ptx_"
# Account and API-token ids are ``secrets.token_hex(8)``. Anything else names nobody and is not
# looked up: a path such as /console/technicians/a%00b/remove would otherwise reach the database,
# where SQLite finds no row and PostgreSQL refuses the NUL byte (an error, not "no such account").
_ROW_ID = re.compile(r"[0-9a-f]{16}")


def _is_row_id(value: str) -> bool:
    return _ROW_ID.fullmatch(value) is not None


def _is_text(value: str) -> bool:
    """The tree's one text rule (app.core.wire): no control characters (NUL included, which
    PostgreSQL cannot store), no lone surrogates (not UTF-8), something visible."""
    return text_problem(value) is None


@dataclass(frozen=True)
class Technician:
    """The signed-in technician, as the console and the API see them."""

    id: str
    email: str
    name: str
    is_admin: bool
    disabled: bool
    has_password: bool

    @classmethod
    def of(cls, row: TechnicianRow) -> Technician:
        return cls(row.id, row.email, row.name, row.is_admin, row.disabled, row.password_hash is not None)


def normalise_email(email: str) -> str:
    email = (email or "").strip()
    if not _EMAIL.fullmatch(email) or not _is_text(email):
        raise AccountRefused("Type an e-mail address such as sam.carter@phonetex.example.")
    return email.lower()


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > _MAX_NAME or not _is_text(name):
        raise AccountRefused(f"Type the technician's name as customers should see it (at most {_MAX_NAME} characters).")
    return name


def _new_password_link(tx: Transaction, technician_id: str, now: datetime) -> str:
    token = new_id()
    tx.delete_password_links(technician_id)
    tx.insert_password_link(
        PasswordLinkRow(
            token_digest=id_digest(token),
            technician_id=technician_id,
            expires_at=iso_utc(now + timedelta(hours=PASSWORD_LINK_HOURS)),
        )
    )
    return token


def add_technician(
    store: Store, *, email: str, name: str, is_admin: bool = False, now: datetime | None = None
) -> tuple[Technician, str]:
    """A new account without a password, and the token of its one-time set-password link."""
    email, name, now = normalise_email(email), check_name(name), now or utc_now()
    with store.transaction() as tx:
        if tx.technician_by_email(email) is not None:
            raise AccountRefused(f"There is already a technician with the e-mail address {email}.")
        row = TechnicianRow(
            id=secrets.token_hex(8),
            email=email,
            name=name,
            is_admin=is_admin,
            disabled=False,
            password_hash=None,
            created_at=iso_utc(now),
        )
        tx.insert_technician(row)
        token = _new_password_link(tx, row.id, now)
    return Technician.of(row), token


def new_password_link(store: Store, technician_id: str, now: datetime | None = None) -> tuple[Technician, str]:
    """A fresh set-password link for an account (an earlier unused one stops working)."""
    if not _is_row_id(technician_id):
        raise AccountRefused("There is no such technician.")
    with store.transaction() as tx:
        row = tx.technician(technician_id)
        if row is None:
            raise AccountRefused("There is no such technician.")
        return Technician.of(row), _new_password_link(tx, row.id, now or utc_now())


def technician_for_password_link(store: Store, token: str, now: datetime | None = None) -> Technician | None:
    """The account a set-password link is for, or None if the link is unknown, used or too old."""
    with store.reading() as tx:
        link = tx.password_link(id_digest(token))
        if link is None or (now or utc_now()) >= parse_iso_utc(link.expires_at):
            return None
        row = tx.technician(link.technician_id)
    return None if row is None or row.disabled else Technician.of(row)


def hash_new_password(technician: Technician, password: str) -> str:
    """The hash to store (slow on purpose: call it off the event loop)."""
    check_new_password(password, email=technician.email)
    return hash_password(password)


def set_password(store: Store, token: str, password_hash: str, now: datetime | None = None) -> Technician:
    """Use a set-password link once: store the hash, end the account's logins, forget the link."""
    with store.transaction() as tx:
        link = tx.password_link(id_digest(token))
        if link is None or (now or utc_now()) >= parse_iso_utc(link.expires_at):
            raise AccountRefused("This set-password link has been used or is too old. Ask your administrator for a new one.")
        row = tx.technician(link.technician_id)
        if row is None or row.disabled:
            raise AccountRefused("This account is disabled. Ask your administrator.")
        row = replace(row, password_hash=password_hash)
        tx.update_technician(row)
        tx.delete_password_links(row.id)
        tx.delete_logins(row.id)
    return Technician.of(row)


def password_hash_for(store: Store, email: str) -> str | None:
    """The stored hash of an active account's password, or None (checked with the same work
    whether or not the account exists: see :func:`server.domain.passwords.verify_password`)."""
    try:
        email = normalise_email(email)
    except AccountRefused:
        return None
    with store.reading() as tx:
        row = tx.technician_by_email(email)
    return None if row is None or row.disabled else row.password_hash


def password_matches(password: str, stored_hash: str | None) -> bool:
    """Slow on purpose: call it off the event loop."""
    return verify_password(password, stored_hash)


def start_login(store: Store, email: str, now: datetime | None = None) -> str:
    """After the password matched: a new login for the account; returns its id (the cookie's value)."""
    now = now or utc_now()
    login_id = new_id()
    with store.transaction() as tx:
        row = tx.technician_by_email(normalise_email(email))
        if row is None or row.disabled:
            raise AccountRefused("This account is disabled. Ask your administrator.")
        tx.insert_login(
            LoginRow(
                id_digest=id_digest(login_id),
                technician_id=row.id,
                created_at=iso_utc(now),
                expires_at=iso_utc(now + timedelta(hours=LOGIN_HOURS)),
            )
        )
    return login_id


def technician_for_login(store: Store, login_id: str, now: datetime | None = None) -> Technician | None:
    """Who is signed in with this login id, or None (unknown, ended, expired, or account disabled)."""
    with store.reading() as tx:
        login = tx.login(id_digest(login_id))
        if login is None or (now or utc_now()) >= parse_iso_utc(login.expires_at):
            return None
        row = tx.technician(login.technician_id)
    return None if row is None or row.disabled else Technician.of(row)


def end_login(store: Store, login_id: str) -> None:
    with store.transaction() as tx:
        tx.delete_login(id_digest(login_id))


def technicians(store: Store) -> list[Technician]:
    with store.reading() as tx:
        return [Technician.of(row) for row in tx.technicians()]


def technician_count(store: Store) -> int:
    with store.reading() as tx:
        return len(tx.technicians())


def _other_account(tx: Transaction, admin: Technician, technician_id: str) -> TechnicianRow:
    if not admin.is_admin:
        raise AccountRefused("Only an administrator can change technicians' accounts.")
    if technician_id == admin.id:
        raise AccountRefused("You cannot disable or remove your own account; ask another administrator.")
    row = tx.technician(technician_id) if _is_row_id(technician_id) else None
    if row is None:
        raise AccountRefused("There is no such technician (perhaps someone removed them just now).")
    return row


def set_disabled(store: Store, admin: Technician, technician_id: str, disabled: bool) -> Technician:
    with store.transaction() as tx:
        row = replace(_other_account(tx, admin, technician_id), disabled=disabled)
        tx.update_technician(row)
        if disabled:
            tx.delete_logins(row.id)
    return Technician.of(row)


def remove_technician(store: Store, admin: Technician, technician_id: str) -> Technician:
    with store.transaction() as tx:
        row = _other_account(tx, admin, technician_id)
        tx.delete_technician(row.id)
    return Technician.of(row)


# --- API tokens --------------------------------------------------------------------------------


def create_api_token(store: Store, technician: Technician, label: str, now: datetime | None = None) -> tuple[ApiTokenRow, str]:
    """The technician's new API token (shown once); their earlier token, if any, stops working."""
    label = (label or "").strip()
    if not label or len(label) > _MAX_LABEL or not _is_text(label):
        raise AccountRefused(f"Say in a few words what the token is for (at most {_MAX_LABEL} characters).")
    secret = TOKEN_PREFIX + new_id()
    now = now or utc_now()
    row = ApiTokenRow(
        id=secrets.token_hex(8),
        technician_id=technician.id,
        label=label,
        token_digest=id_digest(secret),
        tail=secret[-4:],
        created_at=iso_utc(now),
        revoked_at=None,
    )
    with store.transaction() as tx:
        tx.revoke_api_tokens(technician.id, iso_utc(now))
        tx.insert_api_token(row)
    return row, secret


def revoke_api_token(store: Store, technician: Technician, token_id: str, now: datetime | None = None) -> bool:
    if not _is_row_id(token_id):
        return False
    with store.transaction() as tx:
        return tx.revoke_api_token(token_id, technician.id, iso_utc(now or utc_now()))


def api_tokens(store: Store, technician: Technician) -> list[ApiTokenRow]:
    with store.reading() as tx:
        return tx.api_tokens(technician.id)


def technician_for_api_token(store: Store, secret: str) -> Technician | None:
    """Whose API token this is, or None (unknown, revoked, or account disabled)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    with store.reading() as tx:
        token = tx.api_token(id_digest(secret))
        if token is None or token.revoked_at is not None:
            return None
        row = tx.technician(token.technician_id)
    return None if row is None or row.disabled else Technician.of(row)
