"""The wire contract between the launcher and the consent server: every body, defined once.

The server parses requests and checks the answers it builds with these definitions; the launcher
parses every answer with them, strictly (:mod:`app.core.wire`). ``docs/openapi.json`` is made
from them (``python -m server openapi``), and ``tests/test_contract_docs.py`` fails when
``docs/server-api.md``, :data:`ROUTES` and the server's routes disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.core.session_code import CODE_PATTERN
from app.core.wire import (
    Boolean,
    Choice,
    Integer,
    ListOf,
    Nullable,
    Number,
    Object,
    Spec,
    Text,
)

API_VERSION = "1"

# --- the pieces ---------------------------------------------------------------------------------

SESSION_CODE = Text(9, pattern=CODE_PATTERN, min_length=9, expected="9 digits", description="Nine digits, e.g. 482913557.")
# No 0/O, 1/I/L: a reference is read over the phone and typed back by the technician.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE = Text(
    7,
    pattern=f"[{REFERENCE_ALPHABET}]{{3}}-[{REFERENCE_ALPHABET}]{{3}}",
    min_length=7,
    expected="a reference like K7P-4QX",
    description="The consent's reference, read aloud: K7P-4QX.",
)
# What app.core.utc_time.iso_utc writes, and nothing else.
TIMESTAMP = Text(
    20,
    pattern=r"20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z",
    min_length=20,
    expected="a UTC time like 2026-12-01T08:15:00Z",
    description="UTC, whole seconds, with a Z: 2026-12-01T08:15:00Z.",
)
RECEIPT_ID = Text(
    36,
    pattern="[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    min_length=36,
    expected="a UUID in its canonical lower-case form",
    description="A UUID the launcher makes, in canonical lower-case form; also the idempotency key.",
)
WEB_ADDRESS = Text(
    2048, pattern=r"https?://[!-~]+", min_length=8, expected="an http(s) address without spaces", description="An absolute http(s) address."
)
# In answers, the link is text the launcher's allow-list (app.core.join_link) judges and explains:
# refusing the whole answer would hide the reference of a consent that is on record.
JOIN_URL = Text(2048, description="Opened only if it passes the launcher's allow-list.")
PROVIDERS = ("zoho-assist", "teamviewer")
PROVIDER = Choice(PROVIDERS, description="Which remote-support program the join link opens.")
PERSON_NAME = Text(120, description="A name as a person typed it.")
TICKET = Text(64, description="The helpdesk's ticket number.")
VERIFICATION_WORDS = ListOf(
    Text(20, pattern="[a-z]{1,20}", expected="a lower-case word"),
    min_items=3,
    max_items=3,
    unique=True,
    description="Three different words of resources/verification-words.txt, read aloud on the phone.",
)
MAX_EXPIRES_IN_MINUTES = 7 * 24 * 60
CONSENT_TICKET = Text(
    45,
    pattern="[0-9]{1,12}[.][0-9a-f]{32}",
    min_length=34,
    expected="a consent ticket",
    description="Proof of this successful look-up: sent back in the Phonetex-Consent-Ticket header of the "
    "consent, it lets the consent past the wrong-code limit. Valid for two hours.",
)
# The header that carries the ticket back (docs/server-api.md, "Wrong codes").
TICKET_HEADER = "Phonetex-Consent-Ticket"

# --- the consent record (what the customer agreed to) ------------------------------------------

ACKNOWLEDGEMENT_KEYS = ("terms_accepted", "screen_visible", "backup_responsibility", "this_session_only")
APP_CATEGORIES = ("email", "browser", "password-manager", "finance", "messaging", "documents", "photos", "other")
BACKUP_VERDICTS = ("recent", "old", "incomplete", "none")
BACKUP_KINDS = ("folder", "file-history", "onedrive", "time-machine", "deja-dup", "restic", "borg", "none")
OS_FAMILIES = ("windows", "macos", "linux", "other")
RECORD_SCHEMA_VERSION = 1
MAX_APPS = 200
# A hundred years: older than any backup, and a bound that keeps 4 000-digit numbers out.
MAX_BACKUP_AGE_SECONDS = 100 * 365 * 24 * 60 * 60

APP = Object(
    "AppSummary",
    {"name": Text(80), "category": Choice(APP_CATEGORIES)},
    description="A friendly application name and its kind: never a path, process id or window title.",
)
TERMS_ACCEPTED = Object(
    "TermsAccepted",
    {
        "id": Text(120),
        "version": Text(40),
        "sha256": Text(64, pattern="[0-9a-f]{64}", min_length=64, expected="64 lower-case hex digits"),
        "language": Text(16, pattern="[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", expected="a language tag like en-GB"),
    },
)
ACKNOWLEDGEMENTS = Object("Acknowledgements", {key: Boolean() for key in ACKNOWLEDGEMENT_KEYS})
OPEN_APPS = Object(
    "OpenAppsSummary",
    {
        "left_open": ListOf(APP, max_items=MAX_APPS),
        "closed": ListOf(APP, max_items=MAX_APPS),
        "windows_listed": Boolean(description="False where the list came from processes, not windows."),
    },
)
BACKUP = Object(
    "BackupSummary",
    {
        "verdict": Choice(BACKUP_VERDICTS),
        "kind": Choice(BACKUP_KINDS),
        "age_seconds": Nullable(Integer(0, MAX_BACKUP_AGE_SECONDS)),
        "coverage": Nullable(Number(0, 1)),
        "risk_acknowledged": Boolean(),
    },
)
CONSENT_RECORD = Object(
    "ConsentRecord",
    {
        "receipt_id": RECEIPT_ID,
        "session_code": SESSION_CODE,
        "given_at": TIMESTAMP,
        "name": PERSON_NAME,
        "terms": TERMS_ACCEPTED,
        "acknowledgements": ACKNOWLEDGEMENTS,
        "open_apps": OPEN_APPS,
        "backup": BACKUP,
        "client_version": Text(40, pattern="[0-9A-Za-z.+-]{1,40}", expected="a version like 1.2.0"),
        "os_family": Choice(OS_FAMILIES),
        "schema_version": Integer(RECORD_SCHEMA_VERSION, RECORD_SCHEMA_VERSION),
    },
    description="What the customer agreed to (Kantara Consent Receipt, ISO/IEC TS 27560).",
)
RECEIPT = CONSENT_RECORD.extend(
    "Receipt",
    {"received_at": TIMESTAMP},
    description="The stored consent record with the time the server stored it.",
)

# --- requests and answers ---------------------------------------------------------------------

HEALTH = Object("Health", {"status": Choice(("ok",))})
EMAIL = Text(
    254,
    pattern=r"[!#-'*+/-9=?A-Z^-~.]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+",
    min_length=6,
    expected="one e-mail address, like ann@example.com",
    description="The customer's e-mail address; Zoho Assist sends its invitation there.",
)
SCHEDULE = Object(
    "Schedule",
    {
        "start": Text(40, description="When the booked session starts, with its UTC offset: 2026-12-02T14:00+00:00."),
        "minutes": Integer(5, 24 * 60, description="How long it is booked for; default 60."),
        "time_zone": Text(64, description="The customer's time zone name, like Europe/London."),
        "title": Text(128, description="The title of Zoho's invitation."),
    },
    optional=("minutes", "title"),
    description="A Zoho Assist session booked for later.",
)
NEW_SESSION = Object(
    "NewSession",
    {
        "technician": PERSON_NAME,
        "ticket": Nullable(TICKET),
        "join_url": WEB_ADDRESS,
        "provider": PROVIDER,
        "expires_in_minutes": Integer(1, MAX_EXPIRES_IN_MINUTES, description="Default 60."),
        "customer_email": EMAIL,
        "schedule": SCHEDULE,
    },
    optional=("ticket", "join_url", "provider", "expires_in_minutes", "customer_email", "schedule"),
    description="Without join_url the server opens the session with the provider's API itself.",
)
SESSION = Object(
    "Session",
    {
        "code": SESSION_CODE,
        "company": Text(120),
        "technician": PERSON_NAME,
        "ticket": Nullable(TICKET),
        "expires_at": TIMESTAMP,
        "status": Choice(("open", "consented")),
        "verification_words": VERIFICATION_WORDS,
        "consent_ticket": CONSENT_TICKET,
    },
    optional=("consent_ticket",),
    description="What a customer's launcher is told about a session, to show who is helping.",
)
SESSION_CREATED = SESSION.extend(
    "SessionCreated", {"customer_link": WEB_ADDRESS}, description="The session, for the technician who opened it."
)
CONSENT_ANSWER = Object(
    "ConsentAnswer",
    {"reference": REFERENCE, "receipt": RECEIPT, "join_url": JOIN_URL, "provider": PROVIDER},
)
CONSENT_READ_BACK = Object(
    "ConsentReadBack",
    {
        "reference": REFERENCE,
        "receipt": RECEIPT,
        "checklist": ListOf(
            Text(400),
            max_items=8,
            description="The numbered checklist the customer's Connect page shows, in the same words "
            "(English), for the technician to read back.",
        ),
    },
)
AMENDMENT = Object(
    "Amendment",
    {
        "kind": Choice(("provider_changed",)),
        "at": TIMESTAMP,
        "technician": PERSON_NAME,
        "from_provider": PROVIDER,
        "to_provider": PROVIDER,
    },
    description="A change to a consented session: its provider was switched (the terms name TeamViewer).",
)
AMENDMENTS = ListOf(AMENDMENT, max_items=20)
CONNECTION_QUESTION = Object("ConnectionQuestion", {"receipt_id": RECEIPT_ID})
CONNECTION = Object(
    "Connection",
    {"code": SESSION_CODE, "provider": PROVIDER, "join_url": JOIN_URL, "amendments": AMENDMENTS},
    description="The provider and join link a consented session is on now.",
)
PROVIDER_SWITCH = Object(
    "ProviderSwitch", {"provider": PROVIDER, "technician": PERSON_NAME}, optional=("technician",)
)
PROVIDER_SESSION_ID = Nullable(Text(40, description="The provider's id of the session (Zoho's key, TeamViewer's code)."))
TECHNICIAN_URL = Nullable(Text(2048, description="The technician's own link into the provider session: never a customer's."))
PROVIDER_SWITCHED = Object(
    "ProviderSwitched",
    {
        "code": SESSION_CODE,
        "provider": PROVIDER,
        "provider_session_id": PROVIDER_SESSION_ID,
        "join_url": JOIN_URL,
        "technician_url": TECHNICIAN_URL,
        "switched": Boolean(description="False when the session was on that provider already."),
        "amendments": AMENDMENTS,
    },
)
SWITCH = Object(
    "Switch",
    {
        "at": TIMESTAMP,
        "technician": PERSON_NAME,
        "from_provider": PROVIDER,
        "to_provider": PROVIDER,
        "after_consent": Boolean(),
    },
)
SESSION_REPORT = Object(
    "SessionReport",
    {
        "provider": PROVIDER,
        "provider_session_id": Text(40),
        "state": Choice(("pending", "found", "missing", "failed")),
        "started_at": Nullable(TIMESTAMP),
        "ended_at": Nullable(TIMESTAMP),
        "duration_seconds": Nullable(Number(0, 10**9)),
        "flag": Nullable(Choice(("never_happened", "started_before_consent"))),
        "detail": Nullable(Text(500)),
        "checked_at": TIMESTAMP,
    },
    description="What the provider's report says of the session: when it really ran.",
)
PROVIDER_STATE = Object(
    "ProviderState",
    {
        "code": SESSION_CODE,
        "provider": PROVIDER,
        "provider_session_id": PROVIDER_SESSION_ID,
        "join_url": JOIN_URL,
        "technician_url": TECHNICIAN_URL,
        "switches": ListOf(SWITCH, max_items=20),
        "report": Nullable(SESSION_REPORT),
    },
)
# The end of the support session a consent was given for, reported by the customer's launcher.
WITHDRAWAL_REASONS = ("customer", "program_ended")
WITHDRAWAL_REQUEST = Object(
    "WithdrawalRequest",
    {
        "reason": Choice(
            WITHDRAWAL_REASONS,
            description="customer: they pressed End support now and withdraw the consent; "
            "program_ended: the provider's program on their computer ended by itself.",
        )
    },
)
WITHDRAWAL = Object(
    "Withdrawal",
    {
        "receipt_id": RECEIPT_ID,
        "reference": REFERENCE,
        "status": Choice(("withdrawn", "ended"), description="The consent's status now."),
        "reason": Choice(WITHDRAWAL_REASONS),
        "withdrawn_at": TIMESTAMP,
    },
    description="The end as recorded: the first report stands; a repeat gets the same answer.",
)

# The launcher's step events (app.core.step_event adds which details each step carries).
STEPS = (
    "launcher_started",
    "terms_accepted",
    "open_apps_checked",
    "backup_checked",
    "join_link_opened",
    "provider_switched",
    "ended",
)
STEP_SCHEMA_VERSION = 1
STEP_PROVIDERS = (*PROVIDERS, "demo")
STEP_DETAILS = Object(
    "StepDetails",
    {
        "left_open": ListOf(APP, max_items=50, description="open_apps_checked: the flagged applications left open."),
        "verdict": Choice(BACKUP_VERDICTS, description="backup_checked"),
        "kind": Choice(BACKUP_KINDS, description="backup_checked"),
        "provider": Choice(STEP_PROVIDERS, description="join_link_opened, provider_switched"),
        "browser_opened": Boolean(description="join_link_opened: false when the customer was shown the link to copy."),
    },
    optional=("left_open", "verdict", "kind", "provider", "browser_opened"),
    description="Only what the consent record would hold; each step has exactly its own keys.",
)
STEP_EVENT = Object(
    "StepEvent",
    {
        "event_id": RECEIPT_ID,
        "step": Choice(STEPS),
        "details": STEP_DETAILS,
        "schema_version": Integer(STEP_SCHEMA_VERSION, STEP_SCHEMA_VERSION),
    },
    description="Which step the customer reached, for the technician's console; the event id makes a repeat harmless.",
)
STEP_STORED = Object("StepStored", {"event_id": RECEIPT_ID, "stored": Boolean(description="False for a repeat.")})

# Every machine word an error answer may carry. The launcher shows its own message per word.
ERROR_WORDS = (
    "invalid_request",
    "invalid_code",
    "invalid_record",
    "unknown_code",
    "no_consent",
    "cancelled",
    "expired",
    "receipt_reused",
    "already_consented",
    "terms_outdated",
    "too_many_attempts",
    "too_many_steps",
    "unauthorized",
    "link_refused",
    "not_switchable",
    "provider_not_configured",
    "provider_failed",
    "not_your_session",
    "account_refused",
    "too_large",
    "not_found",
    "method_not_allowed",
    "unsupported_media_type",
    "internal_error",
    # Said by the HTTP layer itself (server/web/guarded_http.py), on any route: HTTP_LAYER_REFUSALS.
    "bad_request",
    "request_timeout",
    "request_header_too_large",
    "server_busy",
)
MAX_RETRY_AFTER = 24 * 60 * 60
ERROR = Object(
    "Error",
    {
        "error": Choice(ERROR_WORDS),
        "message": Text(500, description="For a technician or a log; the launcher shows its own words."),
        "retry_after": Integer(1, MAX_RETRY_AFTER, description="Seconds to wait (429)."),
        "current_version": Text(40, description="The terms version to read instead (409 terms_outdated)."),
        "provider": PROVIDER,
        "provider_error": Choice(
            ("provider_failed", "provider_unavailable", "provider_credentials", "provider_answer", "provider_not_configured"),
            description="What went wrong with the provider (502 provider_failed).",
        ),
        "retryable": Boolean(description="Whether trying again later may help (502 provider_failed)."),
    },
    optional=("retry_after", "current_version", "provider", "provider_error", "retryable"),
)

# --- routes ------------------------------------------------------------------------------------

JSON = "application/json"
HTML = "text/html"
NO_BODY = ""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Spec | None = None  # None: not JSON (media says what, NO_BODY for none)
    words: tuple[str, ...] = ()  # the error words this status carries here
    media: str = JSON


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    who: str
    summary: str
    answers: tuple[Answer, ...]
    request: Object | None = None
    demo_only: bool = False
    parameters: Mapping[str, Spec] = field(default_factory=dict)

    def answer(self, status: int) -> Answer:
        for answer in self.answers:
            if answer.status == status:
                return answer
        raise KeyError(status)


def _errors(*pairs: tuple[int, Sequence[str]], media: str = JSON) -> tuple[Answer, ...]:
    return tuple(Answer(status, ERROR, tuple(words), media) for status, words in pairs)


# The join pages answer a browser's refusal with a page and a client that asks for JSON with
# the error body (schemathesis found the pages' refusals documented as JSON only).
_PAGE_OR_JSON = f"{HTML}, {JSON}"


_CODE: dict[str, Spec] = {"code": SESSION_CODE}
_LAUNCHER_MEDIA = "application/vnd.microsoft.portable-executable, application/zip, application/octet-stream"
_WRONG_CODE = ((404, ["unknown_code"]), (410, ["expired", "cancelled"]), (429, ["too_many_attempts"]))

ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", "anyone", "Is the server up?", (Answer(200, HEALTH),)),
    Route(
        "GET", "/openapi.json", "anyone", "This API as an OpenAPI 3.1 document.",
        (Answer(200, None, media=JSON),),
    ),
    Route(
        "POST", "/api/v1/sessions", "technician", "Open a support session.",
        (Answer(201, SESSION_CREATED),
         *_errors((401, ["unauthorized"]), (409, ["provider_not_configured"]), (413, ["too_large"]),
                  (415, ["unsupported_media_type"]), (422, ["invalid_request", "link_refused"]),
                  (429, ["too_many_attempts"]), (502, ["provider_failed"]))),
        request=NEW_SESSION,
    ),
    Route(
        "POST", "/api/v1/sessions/{code}/provider", "technician", "Switch a session to the other provider.",
        (Answer(200, PROVIDER_SWITCHED),
         *_errors((401, ["unauthorized"]), (404, ["unknown_code"]), (409, ["not_switchable", "provider_not_configured"]),
                  (413, ["too_large"]), (415, ["unsupported_media_type"]), (422, ["invalid_code", "invalid_request"]),
                  (429, ["too_many_attempts"]), (502, ["provider_failed"]))),
        request=PROVIDER_SWITCH,
        parameters=_CODE,
    ),
    Route(
        "GET", "/api/v1/sessions/{code}/provider", "technician", "A session's provider, switches and report.",
        (Answer(200, PROVIDER_STATE),
         *_errors((401, ["unauthorized"]), (404, ["unknown_code"]), (422, ["invalid_code"]),
                  (429, ["too_many_attempts"]))),
        parameters=_CODE,
    ),
    Route(
        "POST", "/api/v1/sessions/{code}/connection", "customer", "Which provider and link a consented session is on now.",
        (Answer(200, CONNECTION),
         *_errors((404, ["unknown_code", "no_consent"]), (410, ["expired", "cancelled"]), (429, ["too_many_attempts"]),
                  (413, ["too_large"]), (415, ["unsupported_media_type"]), (422, ["invalid_code", "invalid_request"]))),
        request=CONNECTION_QUESTION,
        parameters=_CODE,
    ),
    Route(
        "GET", "/api/v1/sessions/{code}", "customer", "Look a session up by its code.",
        (Answer(200, SESSION), *_errors(*_WRONG_CODE, (422, ["invalid_code"]))),
        parameters=_CODE,
    ),
    Route(
        "POST", "/api/v1/sessions/{code}/consent", "customer", "Record the customer's consent.",
        (
            Answer(201, CONSENT_ANSWER),
            *_errors(
                *_WRONG_CODE,
                (409, ["already_consented", "terms_outdated", "receipt_reused"]),
                (413, ["too_large"]),
                (415, ["unsupported_media_type"]),
                (422, ["invalid_code", "invalid_record"]),
            ),
        ),
        request=CONSENT_RECORD,
        parameters=_CODE,
    ),
    Route(
        "GET", "/api/v1/sessions/{code}/consent", "technician", "Read back a session's consent.",
        (Answer(200, CONSENT_READ_BACK),
         *_errors((401, ["unauthorized"]), (404, ["unknown_code", "no_consent", "not_your_session"]),
                  (422, ["invalid_code"]), (429, ["too_many_attempts"]))),
        parameters=_CODE,
    ),
    Route(
        "POST", "/api/v1/sessions/{code}/steps", "customer", "Report the step the customer reached.",
        (
            Answer(201, STEP_STORED),
            Answer(200, STEP_STORED),
            *_errors(*_WRONG_CODE[:2], (413, ["too_large"]), (415, ["unsupported_media_type"]),
                     (422, ["invalid_code", "invalid_request"]),
                     (429, ["too_many_attempts", "too_many_steps"])),
        ),
        request=STEP_EVENT,
        parameters=_CODE,
    ),
    Route(
        "POST", "/api/v1/consents/{receipt_id}/withdrawal", "customer",
        "Record the end of the support session a consent was given for (idempotent).",
        (Answer(200, WITHDRAWAL),
         *_errors((404, ["no_consent"]), (413, ["too_large"]), (415, ["unsupported_media_type"]),
                  (422, ["invalid_request"]))),
        request=WITHDRAWAL_REQUEST,
        parameters={"receipt_id": RECEIPT_ID},
    ),
    Route(
        "GET", "/join/{code}", "customer's browser",
        "The emailed link's page: the launcher for the visitor's system first, or why there is none. "
        "Refusals are HTML pages for browsers; this JSON only for a client that asks for JSON.",
        (Answer(200, None, media=HTML),
         *_errors(*_WRONG_CODE, (409, ["already_consented"]), (422, ["invalid_code"]), media=_PAGE_OR_JSON)),
        parameters=_CODE,
    ),
    Route(
        "GET", "/join/{code}/download/{filename}", "customer's browser",
        "A published launcher build, saved under the session's file name (also HEAD and one Range).",
        (Answer(200, None, media=_LAUNCHER_MEDIA), Answer(206, None, media=_LAUNCHER_MEDIA),
         *_errors((404, ["unknown_code", "not_found"]), *_WRONG_CODE[1:], (409, ["already_consented"]),
                  (422, ["invalid_code"]), media=_PAGE_OR_JSON)),
        parameters={**_CODE, "filename": Text(100, pattern="[A-Za-z0-9_.-]{1,100}", expected="a launcher file name")},
    ),
    Route(
        "GET", "/demo/join/{code}", "demo only", "The join page of demo sessions.",
        (Answer(200, None, media=HTML), *_errors((404, ["unknown_code"]), (422, ["invalid_code"]),
                                                 (429, ["too_many_attempts"]), media=_PAGE_OR_JSON)),
        demo_only=True,
        parameters=_CODE,
    ),
    Route(
        "GET", "/static/{name}", "browsers", "Stylesheets and scripts of the pages.",
        (Answer(200, None, media="text/css, text/javascript, image/png, image/svg+xml"),
         *_errors((404, ["not_found"]))),
        parameters={"name": Text(100, pattern="[A-Za-z0-9_.-]{1,100}", expected="a file name")},
    ),
)


def _html(*statuses: int | tuple[int, Sequence[str]]) -> tuple[Answer, ...]:
    """Console answers: pages for a browser, refusals as pages too; a redirect (303) or "no
    change" (204) has no body (schemathesis found them documented as pages)."""
    return tuple(
        Answer(status, None, media=NO_BODY if status in (204, 303) else HTML)
        if isinstance(status, int)
        else Answer(status[0], None, tuple(status[1]), HTML)
        for status in statuses
    )


_BROWSER = "technician's browser"
_ID = Text(64, pattern="[A-Za-z0-9_-]{1,64}", expected="an id")
_OWN = (404, ["not_your_session"])
_ACCOUNT = (422, ["account_refused"])
# The technician console (server/web/console_routes.py): HTML pages and form posts. Every page
# but sign-in and set-password sends a visitor who is not signed in to sign-in (303) and refuses
# a post without a signed-in account (401), a CSRF token (403) or from another origin (403).
CONSOLE_ROUTES: tuple[Route, ...] = (
    Route("GET", "/console", _BROWSER, "The console: on to the sessions.", _html(303)),
    Route("GET", "/console/sign-in", _BROWSER, "The sign-in form.", _html(200, 303)),
    Route("POST", "/console/sign-in", _BROWSER, "Sign in (form: email, password, csrf).", _html(303, 401, 403, 429)),
    Route("POST", "/console/sign-out", _BROWSER, "Sign out.", _html(303, 401, 403)),
    Route("GET", "/console/set-password/{token}", _BROWSER, "A one-time set-password link.", _html(200, 410),
          parameters={"token": _ID}),
    Route("POST", "/console/set-password/{token}", _BROWSER, "Set the password (form: password, repeat, csrf).",
          _html(303, 403, 410, 422), parameters={"token": _ID}),
    Route("GET", "/console/sessions", _BROWSER, "The sessions, newest first (query: state).", _html(200, 303)),
    Route("POST", "/console/sessions", _BROWSER, "Open a session (form: ticket, customer_name, customer_email, "
          "provider, join_url, csrf).", _html(303, 401, 403, 422)),
    Route("GET", "/console/sessions/new", _BROWSER, "The new session form.", _html(200, 303)),
    Route("GET", "/console/sessions/{code}", _BROWSER, "A session, live.", _html(200, 303, _OWN), parameters=_CODE),
    Route("GET", "/console/sessions/{code}/live", _BROWSER, "The live part of a session page, once it changes "
          "(query: since).", (*_html(200, 204), Answer(401, None, media=NO_BODY), *_html(_OWN)), parameters=_CODE),
    Route("POST", "/console/sessions/{code}/cancel", _BROWSER, "Cancel a session nobody consented to.",
          _html(303, 401, 403, _OWN), parameters=_CODE),
    Route("POST", "/console/sessions/{code}/switch-provider", _BROWSER, "Switch the session to TeamViewer.",
          _html(303, 401, 403, _OWN, 409, 502), parameters=_CODE),
    Route("GET", "/console/sessions/{code}/receipt", _BROWSER, "The consent receipt, printable.",
          _html(200, 303, _OWN), parameters=_CODE),
    Route("GET", "/console/sessions/{code}/receipt.json", _BROWSER, "The consent receipt as JSON.",
          (Answer(200, None, media=JSON), *_html(303, _OWN)), parameters=_CODE),
    Route("GET", "/console/tokens", _BROWSER, "The technician's API tokens.", _html(200, 303)),
    Route("POST", "/console/tokens", _BROWSER, "Make the technician's API token, shown once (form: label, csrf).",
          _html(201, 401, 403, _ACCOUNT)),
    Route("POST", "/console/tokens/{token_id}/revoke", _BROWSER, "Revoke an API token.", _html(303, 401, 403),
          parameters={"token_id": _ID}),
    Route("GET", "/console/technicians", _BROWSER, "Technicians' accounts (administrators).", _html(200, 303, 403)),
    Route("POST", "/console/technicians", _BROWSER, "Add a technician (form: name, email, admin, csrf).",
          _html(201, 401, 403, _ACCOUNT)),
    Route("POST", "/console/technicians/{technician_id}/{action}", _BROWSER,
          "disable, enable, remove, or password-link (a new set-password link).",
          _html(200, 303, 401, 403, 404, _ACCOUNT),
          parameters={"technician_id": _ID, "action": Choice(("disable", "enable", "remove", "password-link"))}),
)
ROUTES = (*ROUTES, *CONSOLE_ROUTES)
# Any route may also answer this (docs/server-api.md says so once, above its table).
SERVER_FAILURE = Answer(500, ERROR, ("internal_error",))
# And these, from the HTTP layer before any route sees the request; each closes the connection.
HTTP_LAYER_REFUSALS = (
    Answer(400, ERROR, ("bad_request",)),
    Answer(408, ERROR, ("request_timeout",)),
    Answer(431, ERROR, ("request_header_too_large",)),
    Answer(503, ERROR, ("server_busy",)),
)


def route(method: str, path: str) -> Route:
    for candidate in ROUTES:
        if (candidate.method, candidate.path) == (method, path):
            return candidate
    raise KeyError(f"{method} {path}")

