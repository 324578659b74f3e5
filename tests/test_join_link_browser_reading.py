"""Differential test of the join-link policy against a WHATWG URL parser (ada, the parser the
URL standard's browsers follow): for every link the policy accepts, the browser's reading of what
the customer is sent and of what is opened has the same scheme, host, port, path and query as
the policy's."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import ada_url
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from app.core.join_link import JoinLinkRefused, check_join_link
from tests.test_join_link_table import BRAND, LEGITIMATE, NORMALISED, near_legitimate, provider_links


def _pairs(search: str) -> list[tuple[str, str]]:
    query = search.removeprefix("?")
    return sorted((k, unquote(v)) for k, _, v in (field.partition("=") for field in query.split("&") if field))


def _assert_browser_reads_it_as_the_policy_does(link: str) -> None:
    try:
        checked = check_join_link(link, BRAND)
    except JoinLinkRefused:
        return
    opened = urlsplit(checked.url)
    for text in (link, checked.url):
        browser = ada_url.parse_url(text)
        assert browser["protocol"] == "https:"
        assert browser["username"] == browser["password"] == ""
        assert browser["hostname"] == browser["host"] == checked.host
        assert browser["port"] == ""
        assert browser["pathname"] == opened.path
        assert browser["hash"] == ""
        assert _pairs(browser["search"]) == _pairs(opened.query)
    # The browser opens exactly the text that was checked: it has nothing left to normalise.
    assert ada_url.parse_url(checked.url)["href"] == checked.url
    assert ada_url.parse_url(checked.url)["search"].removeprefix("?") == opened.query


@pytest.mark.parametrize("link", [link for link, _ in LEGITIMATE] + [link for link, _ in NORMALISED])
def test_the_browser_reads_every_listed_provider_link_as_the_policy_does(link):
    check_join_link(link, BRAND)  # each of these is accepted
    _assert_browser_reads_it_as_the_policy_does(link)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(provider_links().map(lambda pair: pair[0]), near_legitimate))
def test_the_browser_reads_every_accepted_link_as_the_policy_does(link):
    _assert_browser_reads_it_as_the_policy_does(link)
