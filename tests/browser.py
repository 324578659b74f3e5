"""The real browser for tests (testbed.browser: Debian's headless Chromium through Selenium),
skipping a test with the reason where it is not installed, and the ``browser`` fixture (this
module is a pytest plugin, see conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from testbed import browser as _browser
from testbed.browser import USER_AGENTS, missing_browser, screenshot, wait_for

__all__ = ["USER_AGENTS", "browser", "chromium", "chromium_as", "missing_browser", "screenshot", "wait_for"]


@contextmanager
def chromium(**options: Any) -> Iterator[Any]:
    """:func:`testbed.browser.chromium`, or the test skipped where no browser is installed."""
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    with _browser.chromium(**options) as driver:
        yield driver


@contextmanager
def chromium_as(system: str, **options: Any) -> Iterator[Any]:
    """:func:`testbed.browser.chromium_as`, or the test skipped where no browser is installed."""
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    with _browser.chromium_as(system, **options) as driver:
        yield driver


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver
