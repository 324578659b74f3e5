"""The join page guesses the visitor's system from real browsers' headers."""

from __future__ import annotations

import pytest

from server.web.visitor_system import LINUX, MACOS, PHONE, UNKNOWN, WINDOWS, visitor_system

# Real User-Agent strings of current browsers (Firefox and Safari send no Client Hints).
USER_AGENTS = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", WINDOWS),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
     "Safari/537.36 Edg/126.0.0.0", WINDOWS),
    ("Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko", WINDOWS),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Safari/605.1.15", MACOS),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0", MACOS),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", LINUX),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", LINUX),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", LINUX),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
     "Mobile Safari/537.36", PHONE),
    ("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
     "Safari/537.36", PHONE),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", PHONE),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Mobile/15E148 Safari/604.1", PHONE),
    ("Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0", PHONE),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
     "Safari/537.36", UNKNOWN),
    ("Mozilla/5.0 (X11; FreeBSD amd64; rv:128.0) Gecko/20100101 Firefox/128.0", UNKNOWN),
    ("curl/8.5.0", UNKNOWN),
    ("", UNKNOWN),
]


@pytest.mark.parametrize(("user_agent", "system"), USER_AGENTS)
def test_the_user_agent_names_the_system(user_agent: str, system: str) -> None:
    assert visitor_system({"user-agent": user_agent}) == system


@pytest.mark.parametrize(
    ("platform", "mobile", "system"),
    [
        ('"Windows"', "?0", WINDOWS),
        ('"macOS"', "?0", MACOS),
        ('"Linux"', "?0", LINUX),
        ('"Android"', "?1", PHONE),
        ('"Android"', "?0", PHONE),  # a tablet asking for the desktop site is still no computer
        ('"Chrome OS"', "?0", UNKNOWN),
        ('"Unknown"', "?0", UNKNOWN),
        ('"Windows"', "?1", PHONE),
    ],
)
def test_client_hints_win_over_the_user_agent(platform: str, mobile: str, system: str) -> None:
    # A browser whose User-Agent says Linux (Chromium's frozen string on many systems) but whose hints say otherwise.
    headers = {
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0.0.0 Safari/537.36",
        "sec-ch-ua-platform": platform,
        "sec-ch-ua-mobile": mobile,
    }
    assert visitor_system(headers) == system


def test_no_headers_at_all_puts_no_build_first() -> None:
    assert visitor_system({}) == UNKNOWN
