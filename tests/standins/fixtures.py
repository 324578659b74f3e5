"""Pytest fixtures for the providers' stand-ins (loaded for every test through conftest.py's
``pytest_plugins``): one Zoho Assist and one TeamViewer on loopback per test, and the environment
that points a server at both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.standins.teamviewer import StandInTeamViewer
from tests.standins.zoho import StandInZoho

__all__ = ["providers_environ", "teamviewer", "zoho"]


@pytest.fixture
def zoho() -> Iterator[StandInZoho]:
    with StandInZoho() as standin:
        yield standin


@pytest.fixture
def teamviewer() -> Iterator[StandInTeamViewer]:
    with StandInTeamViewer() as standin:
        yield standin


@pytest.fixture
def providers_environ(zoho: StandInZoho, teamviewer: StandInTeamViewer) -> dict[str, str]:
    """A server's provider settings (``EmbeddedServer(provider_environ=...)``) for both stand-ins."""
    return {**zoho.environ(), **teamviewer.environ()}
