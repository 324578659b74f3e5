"""Which consent server this run talks to.

Production: the brand's HTTPS address, fixed by the build. Development runs (a brand with
``development_options`` and not a frozen build) may name another server with ``--server``, HTTPS
anywhere or plain HTTP on loopback only, and may run the demo with its embedded server.
"""

from __future__ import annotations

import ipaddress
import sys
from urllib.parse import urlsplit

from app.core.brand import Brand
from app.core.messages import CONTEXT, QT_TRANSLATE_NOOP, UserFacingError


class ServerAddressError(UserFacingError):
    pass


def development_allowed(brand: Brand) -> bool:
    """Development switches work only from source with a development brand, never in a release."""
    return brand.development_options and not getattr(sys, "frozen", False)


def is_loopback_host(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_server_url(url: str, *, allow_loopback_http: bool) -> str:
    """Return ``url`` without a trailing slash if it is an acceptable server address."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        parts = None
    if parts is None or not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        raise ServerAddressError(QT_TRANSLATE_NOOP(CONTEXT, "“{url}” is not a server address."), url=url[:80])
    if parts.scheme == "https":
        return url.rstrip("/")
    if parts.scheme == "http" and allow_loopback_http and is_loopback_host(parts.hostname):
        return url.rstrip("/")
    raise ServerAddressError(
        QT_TRANSLATE_NOOP(
            CONTEXT, "The server address must use https (plain http only on this computer): “{url}”."
        ),
        url=url[:80],
    )


def resolve_server_url(brand: Brand, override: str | None) -> str:
    if override is None:
        return check_server_url(brand.server_url, allow_loopback_http=False)
    if not development_allowed(brand):
        raise ServerAddressError(
            QT_TRANSLATE_NOOP(CONTEXT, "This launcher always talks to {company}'s own server; --server is not available."),
            company=brand.company,
        )
    return check_server_url(override, allow_loopback_http=True)
