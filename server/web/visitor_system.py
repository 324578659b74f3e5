"""Which computer a visitor of the join page is on, from the request's headers alone.

Chromium-based browsers send User-Agent Client Hints (``Sec-CH-UA-Platform``,
``Sec-CH-UA-Mobile``) on every request to a secure origin; they name the system directly and,
unlike the User-Agent string, are not frozen or spoofed for compatibility, so they win when
present. Firefox and Safari send only the User-Agent, read here for the few tokens that tell the
systems apart. A guess only orders the page: every build stays listed below the first one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from server.domain.launchers import DESKTOPS, LINUX, MACOS, WINDOWS

__all__ = ["DESKTOPS", "LINUX", "MACOS", "PHONE", "UNKNOWN", "WINDOWS", "visitor_system"]

# A phone or tablet: the launcher cannot run there; the page says to use the computer instead.
PHONE = "phone"
# Anything else (ChromeOS, BSD, an unknown or missing header): no build comes first.
UNKNOWN = "unknown"

_HINT_PLATFORMS = {
    "windows": WINDOWS,
    "macos": MACOS,
    "linux": LINUX,
    "android": PHONE,
    "ios": PHONE,
    "chrome os": UNKNOWN,
    "chromium os": UNKNOWN,
}

# Checked in order: Android and Windows Phone carry "Linux" and "Windows" too.
_USER_AGENT_RULES = (
    (re.compile(r"Android|iPhone|iPad|iPod|Windows Phone|Mobile\b.*Firefox|KaiOS|BlackBerry", re.I), PHONE),
    (re.compile(r"CrOS", re.I), UNKNOWN),
    (re.compile(r"Windows NT|Win64|WOW64", re.I), WINDOWS),
    (re.compile(r"Macintosh|Mac OS X", re.I), MACOS),
    (re.compile(r"Linux", re.I), LINUX),
)


def _hint(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    # Structured-field strings arrive quoted: "Windows".
    return value.strip().strip('"').strip().lower()


def visitor_system(headers: Mapping[str, str]) -> str:
    """One of :data:`DESKTOPS`, :data:`PHONE` or :data:`UNKNOWN`. ``headers`` is looked up with
    lower-case names (Starlette's ``request.headers`` is case-insensitive either way)."""
    if _hint(headers, "sec-ch-ua-mobile") == "?1":
        return PHONE
    platform = _hint(headers, "sec-ch-ua-platform")
    if platform:
        return _HINT_PLATFORMS.get(platform, UNKNOWN)
    user_agent = headers.get("user-agent") or ""
    for pattern, system in _USER_AGENT_RULES:
        if pattern.search(user_agent):
            return system
    return UNKNOWN
