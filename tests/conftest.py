"""Shared test set-up: Qt offscreen, no network but loopback, the real reference server on hand."""

import os

import pytest

# Before any Qt import: tests run without a display unless a test starts its own Xvfb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A developer's proxy settings must not send loopback test traffic elsewhere.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"

pytest_plugins = ["tests.server_fixtures", "tests.browser", "tests.database_fixtures", "tests.standins.fixtures"]


@pytest.fixture(autouse=True, scope="session")
def _user_state_in_a_temporary_folder(tmp_path_factory):
    """The launcher writes its log and consent receipts under XDG_STATE_HOME (app.core.user_files):
    in tests, never into the developer's own home."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("xdg-state"))
