"""First-level checks of the join-link allow-list; the hostile table lives with the policy work."""

import pytest

from app.core.brand import load_brand
from app.core.join_link import JoinLinkRefused, check_join_link

BRAND = load_brand()


@pytest.mark.parametrize(
    "link, provider",
    [
        ("https://assist.zoho.com/join?role=A&key=123456789", "zoho-assist"),
        ("https://assist.zoho.eu/assist-schedule?key=42", "zoho-assist"),
        ("https://join.zoho.com/?key=123", "zoho-assist"),
        ("https://get.teamviewer.com/abc123", "teamviewer"),
    ],
)
def test_provider_links_pass(link, provider):
    assert check_join_link(link, BRAND).provider == provider


@pytest.mark.parametrize(
    "link",
    [
        "http://assist.zoho.com/join?key=1",
        "javascript:alert(1)",
        "https://assist.zoho.com.evil.io/join?key=1",
        "https://evil.io/assist.zoho.com/join?key=1",
        "https://user@assist.zoho.com/join?key=1",
        "https://assist.zoho.com:8443/join?key=1",
        "https://assist.zoho.com/admin?key=1",
        "http://127.0.0.1:8000/demo/join/482913557",
    ],
)
def test_other_links_are_refused(link):
    with pytest.raises(JoinLinkRefused):
        check_join_link(link, BRAND)


def test_demo_mode_lets_exactly_its_own_demo_page_through():
    origin = "http://127.0.0.1:8123"
    assert check_join_link(f"{origin}/demo/join/482913557", BRAND, origin).provider == "demo"
    for other in (f"http://127.0.0.1:8124/demo/join/482913557", f"{origin}/admin", "http://evil.io/demo/join/482913557"):
        with pytest.raises(JoinLinkRefused):
            check_join_link(other, BRAND, origin)
