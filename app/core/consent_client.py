"""Talks to Phonetex's consent server: look a session up, record a consent.

TLS is always verified (httpx's default, never switched off) and the base URL comes from
:mod:`app.core.server_address`, never from the server's answers or the customer. Proxies from the
environment are honoured so the launcher works in offices behind one.

Every answer is parsed strictly with the wire contract (:mod:`app.core.contract`); one that
breaks it is refused with the launcher's own message. What the customer reads is always the
launcher's own words, chosen by the server's error word (and numbers such as the minutes to
wait): a server, or something posing as one, cannot put its text on the customer's screen.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app import __version__
from app.core.bounded_answers import (
    AnswerRefused,
    DeadlinePassed,
    RawAnswer,
    read_bounded,
    strict_json,
    within_deadline,
)
from app.core.consent_record import ConsentRecord, Receipt, record_from_wire
from app.core.contract import (
    CONNECTION,
    CONSENT_ANSWER,
    ERROR,
    MAX_RETRY_AFTER,
    SESSION,
    STEP_STORED,
    TICKET_HEADER,
    WITHDRAWAL,
    route,
)
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, UserFacingError
from app.core.session_code import format_session_code, parse_session_code
from app.core.step_event import StepEvent
from app.core.verification_words import checked_words
from app.core.wire import Object, WireError

log = logging.getLogger(__name__)

# Per read and to connect; DEADLINE_SECONDS bounds the whole exchange, however it trickles.
TIMEOUT = httpx.Timeout(15.0, connect=10.0)
DEADLINE_SECONDS = 30.0
# A step report is worth little once late: a stuck server must not hold the next one for long.
STEP_TIMEOUT = httpx.Timeout(5.0)

_LOOK_UP = route("GET", "/api/v1/sessions/{code}")
_CONSENT = route("POST", "/api/v1/sessions/{code}/consent")

# The launcher's own message for each error word of the contract: what happened and what to do.
_REFUSALS = {
    "unknown_code": QT_TRANSLATE_NOOP(
        CONTEXT,
        "There is no support session with the code {code}. Check the code with your technician "
        "(it is in their email or text message) and type it again.",
    ),
    "expired": QT_TRANSLATE_NOOP(
        CONTEXT,
        "The session code {code} has expired. Ask your technician for a new code; they can open a "
        "new session for you straight away.",
    ),
    "cancelled": QT_TRANSLATE_NOOP(
        CONTEXT,
        "The session {code} was cancelled by your technician. If you still need help, ask them for "
        "a new code.",
    ),
    "already_consented": QT_TRANSLATE_NOOP(
        CONTEXT,
        "Permission for session {code} has already been given, so it cannot be given again. If you "
        "need to start again, ask your technician for a new session code.",
    ),
    "terms_outdated": QT_TRANSLATE_NOOP(
        CONTEXT,
        "Phonetex's terms have changed since this launcher was made, so permission cannot be "
        "recorded with it. Download the launcher again from your technician's link, then start again.",
    ),
    "receipt_reused": QT_TRANSLATE_NOOP(
        CONTEXT,
        "This permission could not be recorded because its receipt number is already in use. "
        "Close the launcher and start it again; if it happens again, tell your technician.",
    ),
    "invalid_record": QT_TRANSLATE_NOOP(
        CONTEXT,
        "Phonetex's server could not accept what this launcher sent. Please tell your technician.",
    ),
    "invalid_code": QT_TRANSLATE_NOOP(
        CONTEXT,
        "Phonetex's server did not accept the session code {code}. Check the code with your technician.",
    ),
    "too_large": QT_TRANSLATE_NOOP(
        CONTEXT,
        "Phonetex's server could not accept this much information at once. Please tell your technician.",
    ),
}


class ServerError(UserFacingError):
    """The server could not be reached or refused; the message says what to do next.

    ``status`` is the HTTP status (0 when no answer came back), ``error`` the server's machine word
    (only a word of the contract, else empty), ``retry_after`` the seconds a ``429`` asked to wait,
    ``failure`` which of the client's own failures it was (``NO_ANSWER``, ``INSECURE``,
    ``SERVER_FAILED``; empty for a refusal), so a page can word it for its own buttons.
    """

    NO_ANSWER = "no_answer"
    INSECURE = "insecure"
    SERVER_FAILED = "server_failed"

    def __init__(
        self,
        template: str,
        status: int = 0,
        error: str = "",
        retry_after: int | None = None,
        failure: str = "",
        **params: Any,
    ) -> None:
        # The status is also a value the templates may name ("error {status}").
        super().__init__(template, status=status, **params)
        self.status = status
        self.error = error
        self.retry_after = retry_after
        self.failure = failure

    @property
    def retryable(self) -> bool:
        """True when sending the same request again may work (no answer, or the server failed)."""
        return self.status in (0, 408, 429) or self.status >= 500


@dataclass(frozen=True)
class SessionInfo:
    code: str
    company: str
    technician: str
    ticket: str | None
    expires_at: str
    status: str
    verification_words: tuple[str, ...] = ()
    # Proof of this look-up, sent back with the consent so it passes the wrong-code limit.
    consent_ticket: str | None = None


@dataclass(frozen=True)
class ConsentAnswer:
    """The server's ``201``: the reference to read aloud, the join link, and the receipt, which
    is the consent exactly as the server recorded it, with ``received_at``."""

    reference: str
    join_url: str
    provider: str
    # Always set by send_consent; None only where an answer is made up without a server.
    receipt: Receipt | None = None


@dataclass(frozen=True)
class Amendment:
    """A change to the consented session the server recorded: its provider was switched."""

    at: str
    technician: str
    from_provider: str
    to_provider: str


@dataclass(frozen=True)
class ConnectionInfo:
    """Which provider and join link the consented session is on now (the link still has to pass
    the allow-list before anything opens)."""

    provider: str
    join_url: str
    amendments: tuple[Amendment, ...] = ()


@dataclass(frozen=True)
class Withdrawal:
    """The end of support as the server recorded it; ``status`` is withdrawn or ended."""

    reference: str
    status: str
    reason: str
    withdrawn_at: str


class ConsentClient:
    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._transport = transport
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        # Made on first use, in a worker: loading the system's certificate store reads disk and
        # must neither hold up the first painted page nor run on the GUI thread.
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    base_url=self._base_url,
                    transport=self._transport,
                    timeout=TIMEOUT,
                    headers={
                        "User-Agent": f"PhonetexSupportLauncher/{__version__}",
                        "Accept": "application/json",
                        # Compressed answers are read with a bound (bounded_answers); asking for
                        # none keeps honest servers and proxies from sending any.
                        "Accept-Encoding": "identity",
                    },
                    follow_redirects=False,  # an answer must come from the configured server itself
                )
            return self._http

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def lookup_session(self, code: str) -> SessionInfo:
        """What the server says about a session. Unknown, expired and cancelled codes raise a
        :class:`ServerError` whose message is this launcher's own, with what to do next."""
        code = parse_session_code(code)
        data = self._call("GET", f"/api/v1/sessions/{code}", SESSION, code=code)
        try:
            words = checked_words(data["verification_words"])
        except ValueError as error:
            raise _unreadable_answer(str(error)) from None
        if data["code"] != code:
            raise _unreadable_answer("the answer is about another session")
        return SessionInfo(
            code=data["code"],
            company=data["company"],
            technician=data["technician"],
            ticket=data["ticket"],
            expires_at=data["expires_at"],
            status=data["status"],
            verification_words=words,
            consent_ticket=data.get("consent_ticket"),
        )

    def send_consent(self, record: ConsentRecord, ticket: str | None = None) -> ConsentAnswer:
        """Record the consent. Sending the same record again is safe: the receipt id makes the
        server answer a repeat with the first answer instead of storing a second consent. The
        receipt in the answer must be the very record sent, or the answer is refused.
        ``ticket`` is the look-up's ``consent_ticket``, so neighbours' typos cannot block it."""
        data = self._call(
            "POST", f"/api/v1/sessions/{record.session_code}/consent", CONSENT_ANSWER,
            code=record.session_code, json=record.to_dict(),
            headers={TICKET_HEADER: ticket} if ticket else None,
        )
        receipt = data["receipt"]
        recorded = record_from_wire(receipt)
        if recorded != record:
            raise _unreadable_answer("the receipt is not the record that was sent")
        return ConsentAnswer(
            reference=data["reference"],
            join_url=data["join_url"],
            provider=data["provider"],
            receipt=Receipt(record=recorded, received_at=receipt["received_at"]),
        )

    def connection(self, code: str, receipt_id: str) -> ConnectionInfo:
        """Which provider the session is on now: the Connect page asks while it is open, so it can
        follow a switch to TeamViewer. Only the launcher that recorded the consent is told."""
        data = self._call(
            "POST", f"/api/v1/sessions/{code}/connection", CONNECTION, code=code, json={"receipt_id": receipt_id}
        )
        if data["code"] != code:
            raise _unreadable_answer("the answer is about another session")
        return ConnectionInfo(
            provider=data["provider"],
            join_url=data["join_url"],
            amendments=tuple(
                Amendment(a["at"], a["technician"], a["from_provider"], a["to_provider"]) for a in data["amendments"]
            ),
        )
    def withdraw(self, receipt_id: str, reason: str, code: str) -> Withdrawal:
        """Report the end of the support session the consent ``receipt_id`` was given for:
        ``customer`` (End support now: the consent is withdrawn) or ``program_ended``. Safe to
        send again: the server keeps the first report and answers every repeat with it."""
        data = self._call(
            "POST", f"/api/v1/consents/{receipt_id}/withdrawal", WITHDRAWAL, code=code, json={"reason": reason}
        )
        if data["receipt_id"] != receipt_id:
            raise _unreadable_answer("the answer is about another consent")
        return Withdrawal(data["reference"], data["status"], data["reason"], data["withdrawn_at"])

    def report_step(self, code: str, event: StepEvent) -> None:
        """Tell the server the customer reached a step (app.core.step_reporter calls this off the
        GUI thread). Safe to repeat: the event id makes the server store it once."""
        code = parse_session_code(code)
        self._call(
            "POST", f"/api/v1/sessions/{code}/steps", STEP_STORED, code=code, json=event.to_dict(), timeout=STEP_TIMEOUT
        )

    def _call(self, method: str, path: str, answer: Object, *, code: str, **kwargs: Any) -> dict[str, Any]:
        """The answer's body as the contract's ``answer`` parsed it; every failure a ServerError."""
        raw = self._exchange(method, path, **kwargs)
        if 200 <= raw.status < 300:
            try:
                return answer.parse(strict_json(raw.body))
            except (AnswerRefused, WireError) as error:
                raise _unreadable_answer(str(error)) from None
        raise _refusal(raw, method, code)

    def _exchange(self, method: str, path: str, **kwargs: Any) -> RawAnswer:
        deadline = time.monotonic() + DEADLINE_SECONDS
        client = self._client()

        def exchange() -> RawAnswer:
            with client.stream(method, path, **kwargs) as response:
                return RawAnswer(response.status_code, response.headers, read_bounded(response, deadline))

        try:
            return within_deadline(exchange, DEADLINE_SECONDS)
        except (httpx.TimeoutException, DeadlinePassed):
            raise _not_in_time() from None
        except httpx.ConnectError as error:
            if "CERTIFICATE" in str(error).upper() or "SSL" in str(error).upper():
                raise ServerError(
                    QT_TRANSLATE_NOOP(
                        CONTEXT,
                        "The connection to Phonetex's server could not be verified as secure, so "
                        "nothing was sent. If you are on a public or hotel network, try another "
                        "network, then press Retry.",
                    ),
                    failure=ServerError.INSECURE,
                ) from None
            raise _unreachable() from None
        except httpx.HTTPError:
            raise _unreachable() from None
        except AnswerRefused as error:
            raise _unreadable_answer(error.reason) from None


def _error_body(raw: RawAnswer) -> dict[str, Any] | None:
    """A refusal's body if it is the contract's error answer; None for anything else (a proxy's
    HTML page, a redirect, broken JSON)."""
    try:
        return ERROR.parse(strict_json(raw.body))
    except (AnswerRefused, WireError):
        return None


def _refusal(raw: RawAnswer, method: str, code: str) -> ServerError:
    body = _error_body(raw)
    word = body["error"] if body is not None else ""
    route_ = _CONSENT if method == "POST" else _LOOK_UP
    try:
        known = word in route_.answer(raw.status).words
    except KeyError:
        known = False
    if raw.status == 429:
        return _too_many_attempts(raw, body)
    if known and word in _REFUSALS:
        return ServerError(_REFUSALS[word], status=raw.status, error=word, code=format_session_code(code))
    if raw.status >= 500:
        return ServerError(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Phonetex's server had a problem and could not record this. Nothing is lost: "
                "press Retry in a moment.",
            ),
            status=raw.status,
            error=word,
            failure=ServerError.SERVER_FAILED,
        )
    if 300 <= raw.status < 400:
        return ServerError(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Phonetex's server sent this launcher to another address (error {status}), which it "
                "does not follow. If your network signs you in through a web page, do that first; "
                "otherwise tell your technician.",
            ),
            status=raw.status,
        )
    if raw.status == 408:
        # The server gave up waiting for this request's headers: a slow network, worth a retry.
        return _not_in_time(raw.status)
    if raw.status == 407:
        return ServerError(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Your network's proxy asks for a sign-in before the launcher can reach Phonetex. "
                "Ask whoever looks after your network, or try another network.",
            ),
            status=raw.status,
        )
    return ServerError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "Phonetex's server refused the request (error {status}). Please tell your technician.",
        ),
        status=raw.status,
        error=word,
    )


def retry_after_seconds(headers: httpx.Headers, body: dict[str, Any] | None) -> int | None:
    """The wait a ``429`` asks for: the ``Retry-After`` header in seconds, else ``retry_after``
    of a contract error body; None when neither is a sensible number of seconds."""
    header = headers.get("retry-after", "").strip()
    if re.fullmatch(r"[0-9]{1,6}", header) and 0 < int(header) <= MAX_RETRY_AFTER:
        return int(header)
    if body is not None and "retry_after" in body:
        return int(body["retry_after"])
    return None


def _too_many_attempts(raw: RawAnswer, body: dict[str, Any] | None) -> ServerError:
    seconds = retry_after_seconds(raw.headers, body)
    word = body["error"] if body is not None else ""
    if seconds is None:
        return ServerError(
            QT_TRANSLATE_NOOP(
                CONTEXT,
                "Too many wrong session codes have been tried from your network, so Phonetex's server "
                "is pausing for a while. Check the code with your technician, then try again later.",
            ),
            status=429,
            error=word,
        )
    return ServerError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "Too many wrong session codes have been tried from your network, so Phonetex's server "
            "is pausing for a while. Try again in about {minutes} min. Meanwhile, check the code "
            "with your technician.",
        ),
        status=429,
        error=word,
        retry_after=seconds,
        minutes=-(-seconds // 60),
    )


def _not_in_time(status: int = 0) -> ServerError:
    return ServerError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "Phonetex's server did not answer in time. Check your internet connection, "
            "then press Retry.",
        ),
        status=status,
        failure=ServerError.NO_ANSWER,
    )


def _unreachable() -> ServerError:
    return ServerError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "Phonetex's server could not be reached. Check that you are connected to the internet, "
            "then press Retry.",
        ),
        failure=ServerError.NO_ANSWER,
    )


def _unreadable_answer(reason: str) -> ServerError:
    # The reason (which field, why) goes to the log for support; the customer gets one sentence.
    log.warning("refused an answer from the consent server: %s", reason[:300])
    return ServerError(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "Phonetex's server sent an answer this launcher cannot read, so nothing from it was used. "
            "Please tell your technician.",
        ),
        status=502,
    )
