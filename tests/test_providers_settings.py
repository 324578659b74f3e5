"""Provider settings: data centres, secrets kept out of sight, and plain http only to loopback in
a development or test configuration."""

from __future__ import annotations

import pytest

from server.providers.errors import ProviderSettingsError
from server.providers.settings import ProviderSettings

SELF_CLIENT = {
    "PHONETEX_ZOHO_CLIENT_ID": "1000.ABC",
    "PHONETEX_ZOHO_CLIENT_SECRET": "s3cr3t-client",
    "PHONETEX_ZOHO_REFRESH_TOKEN": "1000.r3fr3sh.t0ken",
}


def test_nothing_set_means_no_provider_is_configured():
    assert ProviderSettings.from_environ({}) == ProviderSettings(zoho=None, teamviewer=None)


@pytest.mark.parametrize(
    "centre, accounts, api",
    [
        ("us", "https://accounts.zoho.com", "https://assist.zoho.com/api/v2"),
        ("EU", "https://accounts.zoho.eu", "https://assist.zoho.eu/api/v2"),
        ("au", "https://accounts.zoho.com.au", "https://assist.zoho.com.au/api/v2"),
        ("ca", "https://accounts.zohocloud.ca", "https://assist.zohocloud.ca/api/v2"),
    ],
)
def test_the_data_centre_picks_the_accounts_server_and_the_api_host(centre, accounts, api):
    zoho = ProviderSettings.from_environ({**SELF_CLIENT, "PHONETEX_ZOHO_DC": centre}).zoho
    assert (zoho.accounts_url, zoho.api_url) == (accounts, api)


def test_an_unknown_data_centre_or_a_half_configured_client_is_refused_in_words():
    with pytest.raises(ProviderSettingsError, match="'mars' is not a Zoho data centre; use one of us, eu"):
        ProviderSettings.from_environ({**SELF_CLIENT, "PHONETEX_ZOHO_DC": "mars"})
    with pytest.raises(ProviderSettingsError, match="PHONETEX_ZOHO_REFRESH_TOKEN is not set"):
        ProviderSettings.from_environ({k: v for k, v in SELF_CLIENT.items() if "REFRESH" not in k})


def test_secrets_never_show_in_a_repr():
    settings = ProviderSettings.from_environ({**SELF_CLIENT, "PHONETEX_TEAMVIEWER_TOKEN": "12345-tv-s3cr3t"})
    text = repr(settings)
    assert "s3cr3t" not in text and "r3fr3sh" not in text and "accounts.zoho.com" in text


@pytest.mark.parametrize("url", ["http://127.0.0.1:8123", "http://localhost:9000/api/v2", "http://[::1]:8000"])
def test_plain_http_is_taken_only_for_loopback_in_development(url):
    environ = {**SELF_CLIENT, "PHONETEX_ZOHO_API_URL": url}
    assert ProviderSettings.from_environ(environ, development=True).zoho.api_url == url.rstrip("/")
    with pytest.raises(ProviderSettingsError, match="allowed only for the loopback stand-ins"):
        ProviderSettings.from_environ(environ, development=False)


@pytest.mark.parametrize(
    "url", ["http://assist.zoho.com/api/v2", "http://10.0.0.5/api/v2", "ftp://127.0.0.1/", "https://user@assist.zoho.eu/api/v2"]
)
def test_anything_else_but_https_is_refused_even_in_development(url):
    with pytest.raises(ProviderSettingsError):
        ProviderSettings.from_environ({"PHONETEX_TEAMVIEWER_TOKEN": "t", "PHONETEX_TEAMVIEWER_API_URL": url}, development=True)
