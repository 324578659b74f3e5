import dataclasses
import sys

import pytest

from app.core.brand import load_brand
from app.core.server_address import ServerAddressError, development_allowed, resolve_server_url

PRODUCTION = dataclasses.replace(load_brand(), development_options=False)


def test_production_uses_the_brand_server():
    assert resolve_server_url(PRODUCTION, None) == PRODUCTION.server_url


@pytest.mark.parametrize("override", ["https://evil.example", "http://127.0.0.1:8000"])
def test_production_refuses_any_other_server(override):
    with pytest.raises(ServerAddressError):
        resolve_server_url(PRODUCTION, override)


def test_a_frozen_build_allows_no_development_switches(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert not development_allowed(load_brand())


@pytest.mark.parametrize("override", ["http://127.0.0.1:8000", "http://localhost:1", "https://staging.example"])
def test_development_may_name_https_or_loopback_http(override):
    assert resolve_server_url(load_brand(), override) == override


@pytest.mark.parametrize(
    "override", ["http://staging.example", "ftp://127.0.0.1", "https://user:pw@x.example", "http://10.0.0.1:80", "nonsense"]
)
def test_development_refuses_plain_http_beyond_loopback(override):
    with pytest.raises(ServerAddressError):
        resolve_server_url(load_brand(), override)
