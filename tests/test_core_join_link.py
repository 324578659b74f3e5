"""The join-link policy follows the brand's allow-list and explains itself; the case-by-case
table of hostile and legitimate links is tests/test_join_link_table.py."""

import dataclasses

import pytest

from app.core.brand import JoinLinkRule, load_brand
from app.core.join_link import JoinLinkRefused, check_join_link
from app.core.messages import Message

BRAND = load_brand()
ZOHO = "https://assist.zoho.com/join?role=A&key=123456789"
TEAMVIEWER = "https://get.teamviewer.com/s06301144"


def brand_with(*rules: JoinLinkRule):
    return dataclasses.replace(BRAND, join_links=rules)


def test_the_allow_list_is_the_brands():
    teamviewer_only = brand_with(next(rule for rule in BRAND.join_links if rule.provider == "teamviewer"))
    assert check_join_link(TEAMVIEWER, teamviewer_only).provider == "teamviewer"
    with pytest.raises(JoinLinkRefused, match=r"assist\.zoho\.com"):
        check_join_link(ZOHO, teamviewer_only)


def test_a_brand_without_rules_opens_nothing():
    with pytest.raises(JoinLinkRefused):
        check_join_link(ZOHO, brand_with())


def test_a_brands_extra_query_setting_is_honoured_and_nothing_more():
    zoho = next(rule for rule in BRAND.join_links if "assist.zoho.com" in rule.hosts)
    with_lang = dataclasses.replace(zoho, query=(*zoho.query, ("lang", "^[a-z]{2}$")))
    assert check_join_link(ZOHO + "&lang=en", brand_with(with_lang)).url == ZOHO + "&lang=en"
    with pytest.raises(JoinLinkRefused, match="unexpected setting"):
        check_join_link(ZOHO + "&lang=en", BRAND)


def test_the_refusal_names_the_reason_and_the_next_step_and_translates_both_parts():
    with pytest.raises(JoinLinkRefused) as refused:
        check_join_link("https://assist.zoho.com.evil.io/join?key=1", BRAND)
    assert str(refused.value) == (
        "The connection link from the server was not opened because “assist.zoho.com.evil.io” is not a "
        "Zoho Assist or TeamViewer address. Please tell your technician: they can start a new session."
    )
    assert isinstance(refused.value.reason, Message)
    # Both the sentence and the reason inside it go through the translator.
    marked = refused.value.message.render(lambda template: f"<{template}>")
    assert marked.startswith("<The connection link") and "<“assist.zoho.com.evil.io” is not a" in marked


def test_refusals_never_echo_a_long_or_odd_setting_name():
    with pytest.raises(JoinLinkRefused) as refused:
        check_join_link(ZOHO + "&" + "x" * 500 + "=1", BRAND)
    assert "x" * 21 not in str(refused.value)
