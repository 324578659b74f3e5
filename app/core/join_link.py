"""Which join links the launcher may open: the allow-list policy.

A link is opened only when it came from the consent server's answer to a recorded consent and
passes :func:`check_join_link`. The check is strict on purpose: scam flows live on links that
only look right, so anything unusual is refused with a reason and nothing is opened.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from app.core.brand import Brand, JoinLinkRule
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, Message, UserFacingError

MAX_LINK_LENGTH = 2048
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


class JoinLinkRefused(UserFacingError):
    """The link may not be opened; ``error.message`` says why, in words for the customer."""


@dataclass(frozen=True)
class JoinLink:
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
        reason=Message(reason, params),
    )


def check_join_link(link: str, brand: Brand, demo_origin: str | None = None) -> JoinLink:
    """Return the normalised link to open, or raise :class:`JoinLinkRefused` with the reason.

    ``demo_origin`` (``http://127.0.0.1:<port>``) is only ever passed in demo and test mode, by
    the code that started the embedded server; it lets exactly that server's demo join page through.
    """
    if not isinstance(link, str) or not link:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "the server sent no link"))
    if len(link) > MAX_LINK_LENGTH:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it is too long"))
    if any(c.isspace() or ord(c) < 32 or 127 <= ord(c) < 160 for c in link):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it contains spaces or control characters"))
    if not link.isascii():
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it contains characters that can disguise a web address"))
    if "\\" in link:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it contains a backslash"))
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it is not a valid web address")) from None

    if demo_origin is not None and _is_demo_link(parts, demo_origin):
        return JoinLink(url=urlunsplit(parts._replace(fragment="")), provider="demo", host=parts.hostname or "")

    if parts.scheme != "https":
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it is not a secure (https) link"))
    if "@" in parts.netloc:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it carries a user name or password"))
    if port is not None or parts.netloc.endswith(":"):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it names an unusual port"))
    host = parts.hostname or ""
    if parts.netloc != parts.netloc.lower():
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its address is written in an unusual way"))
    if "%" in parts.netloc:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its address is written in an unusual way"))
    if _is_ip_literal(host):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it points at a bare network address"))
    labels = host.split(".")
    if host.endswith(".") or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its address is written in an unusual way"))
    if any(label.startswith("xn--") for label in labels):
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its address uses look-alike characters"))
    if parts.fragment:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it carries extra data the connection does not need"))

    rule = next((r for r in brand.join_links if host in r.hosts), None)
    if rule is None:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "“{host}” is not a Zoho Assist or TeamViewer address"), host=host)
    path = parts.path or "/"
    if "%" in path or re.fullmatch(rule.path, path) is None:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it is not a customer join page"))
    query = _check_query(parts.query, rule)
    normalised = urlunsplit(("https", host, path, query, ""))
    return JoinLink(url=normalised, provider=rule.provider, host=host)


def _check_query(query: str, rule: JoinLinkRule) -> str:
    allowed = dict(rule.query)
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its query is malformed")) from None
    seen: set[str] = set()
    for key, value in pairs:
        pattern = allowed.get(key)
        if pattern is None:
            raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it carries an unexpected setting “{key}”"), key=key[:20])
        if key in seen:
            raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it repeats the setting “{key}”"), key=key[:20])
        if re.fullmatch(pattern, value) is None:
            raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its setting “{key}” is not in the expected form"), key=key)
        seen.add(key)
    missing = [k for k in rule.required_query if k not in seen]
    if missing:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "it lacks the setting “{key}”"), key=missing[0])
    if "%" in query or "+" in query:
        raise _refuse(QT_TRANSLATE_NOOP(CONTEXT, "its query is written in an unusual way"))
    return query


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.replace(".", "").isdigit()
    return True


def _is_demo_link(parts, demo_origin: str) -> bool:
    origin = urlsplit(demo_origin)
    return (
        parts.scheme == "http"
        and origin.scheme == "http"
        and parts.netloc == origin.netloc
        and origin.hostname in ("127.0.0.1", "localhost", "::1")
        and re.fullmatch(r"/demo/join/[0-9]{9}", parts.path) is not None
        and not parts.query
    )
