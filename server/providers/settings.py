"""Where the consent server reaches Zoho Assist and TeamViewer, and with which secrets.

Everything comes from the environment of the server process (a systemd ``EnvironmentFile=`` or
credentials readable only by the service), never from the repository or a command line that
``ps`` shows. The same settings point a test at the loopback stand-ins: plain ``http`` is
accepted only for a loopback host, and only when the server runs in a development or test
configuration.

Zoho's accounts server and Assist API host differ per data centre ("You must use your
domain-specific Zoho Accounts URL to refresh your access token",
https://www.zoho.com/assist/api/refresh-access-token.html; API root ``https://assist.zoho.com/api/v2``,
https://www.zoho.com/assist/api-integration.html): ``PHONETEX_ZOHO_DC`` picks both, and
``PHONETEX_ZOHO_ACCOUNTS_URL`` / ``PHONETEX_ZOHO_API_URL`` override either.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.providers.errors import ProviderSettingsError

# (accounts server, Assist API root) per Zoho data centre.
ZOHO_DATA_CENTRES: dict[str, tuple[str, str]] = {
    "us": ("https://accounts.zoho.com", "https://assist.zoho.com/api/v2"),
    "eu": ("https://accounts.zoho.eu", "https://assist.zoho.eu/api/v2"),
    "in": ("https://accounts.zoho.in", "https://assist.zoho.in/api/v2"),
    "au": ("https://accounts.zoho.com.au", "https://assist.zoho.com.au/api/v2"),
    "jp": ("https://accounts.zoho.jp", "https://assist.zoho.jp/api/v2"),
    "cn": ("https://accounts.zoho.com.cn", "https://assist.zoho.com.cn/api/v2"),
    "ca": ("https://accounts.zohocloud.ca", "https://assist.zohocloud.ca/api/v2"),
    "sa": ("https://accounts.zoho.sa", "https://assist.zoho.sa/api/v2"),
    "uk": ("https://accounts.zoho.uk", "https://assist.zoho.uk/api/v2"),
}
# TeamViewer Web API root (https://webapi.teamviewer.com/api/v1/docs/index).
TEAMVIEWER_API = "https://webapi.teamviewer.com/api/v1"

# The scopes the Zoho self client's grant token must be made with.
ZOHO_SCOPES = ("ZohoAssist.sessionapi.CREATE", "ZohoAssist.reportapi.READ", "ZohoAssist.userapi.READ")

ENV_ZOHO_DC = "PHONETEX_ZOHO_DC"
ENV_ZOHO_ACCOUNTS_URL = "PHONETEX_ZOHO_ACCOUNTS_URL"
ENV_ZOHO_API_URL = "PHONETEX_ZOHO_API_URL"
ENV_ZOHO_CLIENT_ID = "PHONETEX_ZOHO_CLIENT_ID"
ENV_ZOHO_CLIENT_SECRET = "PHONETEX_ZOHO_CLIENT_SECRET"
ENV_ZOHO_REFRESH_TOKEN = "PHONETEX_ZOHO_REFRESH_TOKEN"
ENV_ZOHO_DEPARTMENT_ID = "PHONETEX_ZOHO_DEPARTMENT_ID"
ENV_TEAMVIEWER_API_URL = "PHONETEX_TEAMVIEWER_API_URL"
ENV_TEAMVIEWER_TOKEN = "PHONETEX_TEAMVIEWER_TOKEN"
ENV_TEAMVIEWER_GROUP = "PHONETEX_TEAMVIEWER_GROUP"


def check_base_url(url: str, setting: str, *, development: bool) -> str:
    """``url`` without a trailing ``/`` if it may carry secrets: https, or http to loopback in
    development and tests only."""
    text = url.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        _ = parts.port
    except ValueError:
        raise ProviderSettingsError(f"{setting} ({url!r}) is not a valid web address.") from None
    if not parts.hostname or parts.query or parts.fragment or parts.username or parts.password:
        raise ProviderSettingsError(f"{setting} ({url!r}) must be a plain https:// address with a host.")
    if parts.scheme == "https":
        return text
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        if development:
            return text
        raise ProviderSettingsError(
            f"{setting} ({url!r}) is plain http: that is allowed only for the loopback stand-ins of a "
            "development or test server (serve --development). Use the provider's https address."
        )
    raise ProviderSettingsError(f"{setting} ({url!r}) must start with https://.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ZohoSettings:
    """A Zoho self client (client id, secret and refresh token) and where its data centre is."""

    accounts_url: str
    api_url: str
    client_id: str
    client_secret: str
    refresh_token: str
    # Scheduled sessions need one; without it the first of the technician's departments is used.
    department_id: str | None = None

    def __repr__(self) -> str:  # never print the secrets into a log or a traceback
        return f"ZohoSettings(accounts_url={self.accounts_url!r}, api_url={self.api_url!r}, client_id=…)"


@dataclass(frozen=True)
class TeamViewerSettings:
    """A TeamViewer script token (session management + connection reporting) and the group the
    service cases are filed in."""

    api_url: str
    token: str
    group: str = "Phonetex support"

    def __repr__(self) -> str:
        return f"TeamViewerSettings(api_url={self.api_url!r}, group={self.group!r}, token=…)"


@dataclass(frozen=True)
class ProviderSettings:
    zoho: ZohoSettings | None = None
    teamviewer: TeamViewerSettings | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, development: bool = False) -> ProviderSettings:
        """The providers this environment configures; one not configured at all is ``None``, one
        configured halfway is an error that names what is missing."""
        return cls(zoho=_zoho(environ, development), teamviewer=_teamviewer(environ, development))


def _zoho(environ: Mapping[str, str], development: bool) -> ZohoSettings | None:
    secrets = {name: environ.get(name, "").strip() for name in (ENV_ZOHO_CLIENT_ID, ENV_ZOHO_CLIENT_SECRET, ENV_ZOHO_REFRESH_TOKEN)}
    if not any(secrets.values()):
        return None
    missing = [name for name, value in secrets.items() if not value]
    if missing:
        raise ProviderSettingsError(f"Zoho Assist is configured halfway: {', '.join(missing)} is not set.")
    centre = environ.get(ENV_ZOHO_DC, "us").strip().lower() or "us"
    if centre not in ZOHO_DATA_CENTRES:
        raise ProviderSettingsError(
            f"{ENV_ZOHO_DC}={centre!r} is not a Zoho data centre; use one of {', '.join(ZOHO_DATA_CENTRES)}."
        )
    accounts, api = ZOHO_DATA_CENTRES[centre]
    return ZohoSettings(
        accounts_url=check_base_url(environ.get(ENV_ZOHO_ACCOUNTS_URL) or accounts, ENV_ZOHO_ACCOUNTS_URL, development=development),
        api_url=check_base_url(environ.get(ENV_ZOHO_API_URL) or api, ENV_ZOHO_API_URL, development=development),
        client_id=secrets[ENV_ZOHO_CLIENT_ID],
        client_secret=secrets[ENV_ZOHO_CLIENT_SECRET],
        refresh_token=secrets[ENV_ZOHO_REFRESH_TOKEN],
        department_id=environ.get(ENV_ZOHO_DEPARTMENT_ID, "").strip() or None,
    )


def _teamviewer(environ: Mapping[str, str], development: bool) -> TeamViewerSettings | None:
    token = environ.get(ENV_TEAMVIEWER_TOKEN, "").strip()
    if not token:
        return None
    return TeamViewerSettings(
        api_url=check_base_url(environ.get(ENV_TEAMVIEWER_API_URL) or TEAMVIEWER_API, ENV_TEAMVIEWER_API_URL, development=development),
        token=token,
        group=environ.get(ENV_TEAMVIEWER_GROUP, "").strip() or "Phonetex support",
    )
