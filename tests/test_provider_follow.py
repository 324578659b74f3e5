"""When the Connect page opens a new link: the decision without Qt (app.core.provider_follow)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.core.brand import load_brand
from app.core.consent_client import Amendment, ConnectionInfo
from app.core.join_link import check_join_link
from app.core.provider_follow import MAX_POLL_SECONDS, POLL_SECONDS, ProviderFollower

BRAND = load_brand()
ZOHO = "https://assist.zoho.com/join?role=A&key=880567893"
TEAMVIEWER = "https://get.teamviewer.com/s06301144"
SWITCHED = Amendment("2026-12-01T09:00:00Z", "Alex Kim", "zoho-assist", "teamviewer")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def follower(**options):
    return ProviderFollower(BRAND, check_join_link(ZOHO, BRAND), expires_at="2026-12-01T10:00:00Z", clock=lambda: NOW, **options)


def test_the_link_already_opened_opens_nothing_again():
    assert follower().consider(ConnectionInfo("zoho-assist", ZOHO)) is None


def test_a_switch_to_an_allowed_link_is_followed_once_with_its_amendment():
    watching = follower()
    switch = watching.consider(ConnectionInfo("teamviewer", TEAMVIEWER, (SWITCHED,)))
    assert switch.link.url == TEAMVIEWER and switch.provider == "teamviewer" and switch.amendments == (SWITCHED,)
    assert watching.consider(ConnectionInfo("teamviewer", TEAMVIEWER, (SWITCHED,))) is None


def test_a_new_link_written_another_way_is_the_same_link():
    assert follower().consider(ConnectionInfo("zoho-assist", "https://assist.zoho.com/join?key=880567893&role=A")) is None


def test_a_switch_to_a_refused_link_opens_nothing_and_says_why_once():
    watching = follower()
    switch = watching.consider(ConnectionInfo("teamviewer", "https://get.teamviewer.com/s06301144-Zx7Yq2Wb"))
    assert switch.link is None and "not a customer join page" in str(switch.refusal.reason)
    assert watching.consider(ConnectionInfo("teamviewer", "https://get.teamviewer.com/s06301144-Zx7Yq2Wb")) is None
    assert watching.current.url == ZOHO  # what was opened stays what was opened


def test_questions_slow_down_after_failures_and_stop_when_the_session_is_over():
    now = [NOW]
    watching = ProviderFollower(BRAND, None, expires_at="2026-12-01T10:00:00Z", clock=lambda: now[0])
    assert watching.next_delay() == POLL_SECONDS
    for _ in range(10):
        watching.failed()
    assert watching.next_delay() == MAX_POLL_SECONDS
    watching.consider(ConnectionInfo("zoho-assist", ZOHO))
    assert watching.next_delay() == POLL_SECONDS
    now[0] = NOW + timedelta(hours=1)
    assert watching.next_delay() is None
