"""Which join links the launcher may open: the allow-list policy.

A link is opened only when it came from the consent server's answer to a recorded consent and
passes :func:`check_join_link`. The check is strict on purpose: scam flows live on links that
only look right, so anything unusual is refused with a reason and nothing is opened. The hosts,
paths and query keys allowed come from the brand config (``join_links`` in ``brand.json``).

The checks run on the text exactly as received, before any decoding: a link is refused for what
it could be made to mean by a browser, not only for what Python's parser makes of it. The one
percent-encoded value allowed is a Zoho customer link's ``email``: it is decoded exactly once, must
then be one e-mail address and nothing else, and is written back in one canonical encoding.

Accepted shapes (the brand's rules; each rule names its documentation in ``source``):

- ``https://<Zoho Assist host>/join?role=A&key=<digits>[&email=<one percent-encoded address>]``
  (Zoho Assist API v2 ``POST /api/v2/session``, ``customer_url``);
- ``https://<Zoho Assist host>/assist-schedule?digest=<hex>&og=<token>&role=A&schedule_id=<digits>
  &x-com-zoho-assist-orgid=<digits>`` (``POST /api/v2/session/schedule``, ``customer_url``);
- ``https://join.zoho.com/`` with an optional numeric ``key`` (Zoho's join page);
- ``https://get.teamviewer.com/s<8 digits>`` (TeamViewer ``POST /api/v1/sessions``,
  ``end_customer_link``).

Never the technician's links (``/assist-start``, ``role=V``) or TeamViewer's ``supporter_link``
(the customer link plus ``-<secret>``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, unquote_to_bytes, urlsplit, urlunsplit

from app.core.brand import Brand, JoinLinkRule
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message, UserFacingError
from app.core.session_code import CODE_PATTERN

MAX_LINK_LENGTH = 2048
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# Every character a provider's customer link uses. Anything else (%, @, #, +, ;, quotes,
# brackets, ...) has a second meaning to some browser or parser, so it is refused outright.
# "%" only ever survives to this check inside an e-mail value (refused everywhere else first).
_LINK_CHARACTERS = re.compile(r"[A-Za-z0-9._~:/?&=%-]+")
# One address as a customer's mailbox is written (RFC 5322 dot-atom local part, a host name
# with at least two labels); anything else in the decoded value (a second address, a space, a
# comma, a "%" left by double encoding, a display name) fails it.
_ATEXT = r"[A-Za-z0-9!#$&'*+/=?^_`{|}~-]+"
_EMAIL = re.compile(
    rf"(?=.{{1,64}}@){_ATEXT}(?:\.{_ATEXT})*@(?=.{{4,253}}$)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
_DEMO_PATH = re.compile(f"/demo/join/{CODE_PATTERN}")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class JoinLinkRefused(UserFacingError):
    """The link may not be opened; ``error.message`` says why, in words for the customer.

    ``error.reason`` is the reason alone (a :class:`Message`), for tests and logs.
    """

    def __init__(self, template: str, reason: Message) -> None:
        super().__init__(template, reason=reason)
        self.reason = reason


@dataclass(frozen=True)
class JoinLink:
    """A link that passed the policy: ``url`` is the normalised text that was checked and is
    the only thing ever opened; ``provider`` is ``zoho-assist``, ``teamviewer`` or ``demo``."""

    url: str
    provider: str
    host: str


def _refuse(reason: str, **params: str) -> JoinLinkRefused:
    # ``reason`` is itself a marked template; the UI translates both parts.
    return JoinLinkRefused(
        QT_TRANSLATE_NOOP(
            CONTEXT,
            "The connection link from the server was not opened because {reason}. "
            "Please tell your technician: they can start a new session.",
        ),
        Message(reason, params),
    )


def _unusual() -> JoinLinkRefused:
    return _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its address is written in an unusual way"))


def check_join_link(link: str, brand: Brand, demo_origin: str | None = None) -> JoinLink:
    """Return the normalised link to open, or raise :class:`JoinLinkRefused` with the reason.

    Refused: anything but ``https``; user names or passwords; any port; hosts not exactly on the
    brand's allow-list (look-alikes, trailing dots, capitals, IDN/punycode, percent-encoding, IP
    addresses); backslashes, spaces and control characters; more than 2 048 characters; paths
    and query settings other than the provider's customer ones; fragments. No other exception
    escapes, whatever ``link`` is.

    ``demo_origin`` (``http://127.0.0.1:<port>``) is only ever passed in demo and test mode, by
    the code that started the embedded server; it lets exactly that server's demo join page through.
    """
    _check_text(link)
    try:
        parts = urlsplit(link)
        port = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it is not a valid web address")) from None

    if demo_origin is not None and _is_demo_link(link, parts, demo_origin):
        return JoinLink(url=link, provider="demo", host=parts.hostname or "")

    if parts.scheme != "https":
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it is not a secure (https) link"))
    if not link.startswith("https://"):
        raise _unusual()
    host = _check_authority(parts, port)
    rules = [r for r in brand.join_links if host in r.hosts]
    if not rules:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "“{host}” is not a Zoho Assist or TeamViewer address"), host=host)
    path = parts.path or "/"
    rule = next((r for r in rules if "%" not in path and re.fullmatch(r.path, path) is not None), None)
    if rule is None:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it is not a customer join page"))
    query = _check_query(parts.query, rule)
    if "#" in link:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it carries extra data the connection does not need"))
    if _LINK_CHARACTERS.fullmatch(link) is None:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it contains characters a join link does not use"))
    return JoinLink(url=urlunsplit(("https", host, path, query, "")), provider=rule.provider, host=host)


def _check_text(link: object) -> None:
    if not isinstance(link, str) or not link:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "the server sent no link"))
    if len(link) > MAX_LINK_LENGTH:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it is too long"))
    if any(c.isspace() or ord(c) < 32 or 127 <= ord(c) < 160 for c in link):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it contains spaces or control characters"))
    if not link.isascii():
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it contains characters that can disguise a web address"))
    if "\\" in link:
        # Browsers read "\" as "/", Python's parser does not: the two would see different hosts.
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it contains a backslash"))


def _check_authority(parts: SplitResult, port: int | None) -> str:
    """The host of an https link, if it is written the one plain way a provider writes it."""
    if "@" in parts.netloc:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it carries a user name or password"))
    if port is not None or parts.netloc.endswith(":"):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it names an unusual port"))
    host = parts.hostname or ""
    if parts.netloc != parts.netloc.lower() or "%" in parts.netloc:
        raise _unusual()
    if _is_ip_literal(host):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it points at a bare network address"))
    labels = host.split(".")
    if parts.netloc != host or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise _unusual()
    if any(label.startswith("xn--") for label in labels):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its address uses look-alike characters"))
    return host


def _check_query(query: str, rule: JoinLinkRule) -> str:
    """The query written the one way the normalised link writes it: the rule's keys in the
    rule's order, each value as given except an e-mail's, which is re-encoded canonically."""
    if "+" in query:
        # "+" reads as a space in a form value and as "+" elsewhere: two meanings, so neither.
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its query is written in an unusual way"))
    pairs = _split_query(query)
    for key, value in pairs:
        if "%" in key or ("%" in value and key not in rule.email_query):
            # Decoding would change it: the checked text and the opened text must be the same.
            raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its query is written in an unusual way"))
    allowed = dict(rule.query)
    values: dict[str, str] = {}
    for key, value in pairs:
        pattern = allowed.get(key)
        if pattern is None:
            raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it carries an unexpected setting “{key}”"), key=key[:20])
        if key in values:
            raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it repeats the setting “{key}”"), key=key[:20])
        if re.fullmatch(pattern, value) is None:
            raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its setting “{key}” is not in the expected form"), key=key[:20])
        if key in rule.email_query:
            value = _one_address(key, value)
        values[key] = value
    missing = [k for k in rule.required_query if k not in values]
    if missing:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it lacks the setting “{key}”"), key=missing[0])
    return "&".join(f"{key}={values[key]}" for key, _ in rule.query if key in values)


def _split_query(query: str) -> list[tuple[str, str]]:
    """``key=value`` pairs split on the raw text, nothing decoded; empty fields are malformed."""
    if not query:
        return []
    pairs = []
    for field in query.split("&"):
        key, equals, value = field.partition("=")
        if not key or not equals:
            raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its query is malformed"))
        pairs.append((key, value))
    return pairs


def _one_address(key: str, value: str) -> str:
    """A percent-encoded e-mail value decoded exactly once: one address, re-encoded the one way."""
    try:
        address = unquote_to_bytes(value).decode("ascii")
    except UnicodeDecodeError:
        address = ""
    if _EMAIL.fullmatch(address) is None:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its setting “{key}” is not in the expected form"), key=key[:20])
    return quote(address, safe="")


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # Forms browsers still read as addresses: 2130706433, 0x7f.1, 0177.0.0.1.
        return re.fullmatch(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*", host) is not None
    return True


def _is_demo_link(link: str, parts: SplitResult, demo_origin: str) -> bool:
    try:
        origin = urlsplit(demo_origin)
    except ValueError:
        return False
    return (
        link == f"{origin.scheme}://{origin.netloc}{parts.path}"  # nothing before, after or around it
        and origin.scheme == "http"
        and origin.hostname in _LOOPBACK_HOSTS
        and _DEMO_PATH.fullmatch(parts.path) is not None
    )
