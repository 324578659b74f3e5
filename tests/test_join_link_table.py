"""The join-link policy, case by case: hostile links with the reason each is refused for, the
provider links that must pass, and properties over links hypothesis makes up."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from app.core.brand import load_brand
from app.core.join_link import MAX_LINK_LENGTH, JoinLink, JoinLinkRefused, check_join_link

BRAND = load_brand()

# The reason in the customer's message, a few words of it: each link must be refused for the
# right reason, not merely refused.
SCHEME = "secure (https)"
USER = "user name or password"
PORT = "unusual port"
UNUSUAL = "written in an unusual way"
NOT_PROVIDER = "is not a Zoho Assist or TeamViewer address"
LOOK_ALIKE = "look-alike characters"
DISGUISE = "can disguise a web address"
BACKSLASH = "backslash"
ADDRESS = "bare network address"
SPACES = "spaces or control characters"
TOO_LONG = "too long"
NOT_JOIN = "not a customer join page"
UNEXPECTED = "unexpected setting"
REPEATS = "repeats the setting"
FORM = "not in the expected form"
LACKS = "lacks the setting"
QUERY = "query is written in an unusual way"
MALFORMED = "query is malformed"
FRAGMENT = "extra data"
NO_LINK = "sent no link"
INVALID = "not a valid web address"

ZOHO = "https://assist.zoho.com/join?key=123456789"

HOSTILE = [
    # schemes other than https
    ("http://assist.zoho.com/join?key=123456789", SCHEME),
    ("javascript:alert(1)", SCHEME),
    ("JavaScript:alert(document.cookie)//https://assist.zoho.com/join?key=1", SCHEME),
    ("file:///etc/passwd", SCHEME),
    ("file://assist.zoho.com/join?key=123456789", SCHEME),
    ("data:text/html,<script>alert(1)</script>", SCHEME),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", SCHEME),
    ("vbscript:msgbox(1)", SCHEME),
    ("zoho-assist://join?key=123456789", SCHEME),
    ("teamviewer10://control?device=123456789", SCHEME),
    ("ms-settings:privacy-webcam", SCHEME),
    ("search-ms:query=invoice&crumb=location:\\\\evil.io\\share", BACKSLASH),
    ("ftp://assist.zoho.com/join?key=123456789", SCHEME),
    ("assist.zoho.com/join?key=123456789", SCHEME),
    ("//assist.zoho.com/join?key=123456789", SCHEME),
    ("HTTPS://assist.zoho.com/join?key=123456789", UNUSUAL),
    ("https:assist.zoho.com/join?key=123456789", UNUSUAL),
    ("https:///assist.zoho.com/join?key=123456789", UNUSUAL),
    # hosts that only look right
    ("https://assist.zoho.com.evil.io/join?key=123456789", NOT_PROVIDER),
    ("https://evil.io/assist.zoho.com/join?key=123456789", NOT_PROVIDER),
    ("https://evil.io/join?key=123456789&host=assist.zoho.com", NOT_PROVIDER),
    ("https://assist-zoho.com/join?key=123456789", NOT_PROVIDER),
    ("https://assistzoho.com/join?key=123456789", NOT_PROVIDER),
    ("https://zoho.com/join?key=123456789", NOT_PROVIDER),
    ("https://www.assist.zoho.com/join?key=123456789", NOT_PROVIDER),
    ("https://evil.assist.zoho.com/join?key=123456789", NOT_PROVIDER),
    ("https://assist.zoho.co/join?key=123456789", NOT_PROVIDER),
    ("https://get.teamviewer.com.evil.io/abc123", NOT_PROVIDER),
    ("https://teamviewer.com/abc123", NOT_PROVIDER),
    ("https://assist.zoho.com./join?key=123456789", UNUSUAL),
    ("https://assist.zoho.com../join?key=123456789", UNUSUAL),
    ("https://ASSIST.ZOHO.COM/join?key=123456789", UNUSUAL),
    ("https://Assist.Zoho.com/join?key=123456789", UNUSUAL),
    ("https://assist..zoho.com/join?key=123456789", UNUSUAL),
    ("https://-assist.zoho.com/join?key=123456789", UNUSUAL),
    ("https://assist_zoho.com/join?key=123456789", UNUSUAL),
    # IDN and punycode look-alikes (Cyrillic а, о; full-width letters)
    ("https://аssist.zoho.com/join?key=123456789", DISGUISE),
    ("https://assist.zohо.com/join?key=123456789", DISGUISE),
    ("https://ａｓｓｉｓｔ.zoho.com/join?key=123456789", DISGUISE),
    ("https://get.teamviewer.com/ａｂｃ", DISGUISE),
    ("https://xn--ssist-3ve.zoho.com/join?key=123456789", LOOK_ALIKE),
    ("https://assist.xn--zoh-ued.com/join?key=123456789", LOOK_ALIKE),
    # user-info, which browsers show before the real host
    ("https://assist.zoho.com@evil.io/join?key=123456789", USER),
    ("https://user@assist.zoho.com/join?key=123456789", USER),
    ("https://user:password@assist.zoho.com/join?key=123456789", USER),
    ("https://:@assist.zoho.com/join?key=123456789", USER),
    # ports, the default one written out included
    ("https://assist.zoho.com:8443/join?key=123456789", PORT),
    ("https://assist.zoho.com:443/join?key=123456789", PORT),
    ("https://assist.zoho.com:/join?key=123456789", PORT),
    ("https://assist.zoho.com:0x1bb/join?key=123456789", INVALID),
    ("https://assist.zoho.com:99999/join?key=123456789", INVALID),
    # backslashes, which browsers read as slashes
    ("https://assist.zoho.com\\@evil.io/join?key=123456789", BACKSLASH),
    ("https://evil.io\\assist.zoho.com/join?key=123456789", BACKSLASH),
    ("https:\\\\assist.zoho.com\\join?key=123456789", BACKSLASH),
    ("https://assist.zoho.com/join?key=123456789\\", BACKSLASH),
    # percent-encoding in the host, path or query
    ("https://assist%2Ezoho.com/join?key=123456789", UNUSUAL),
    ("https://%61ssist.zoho.com/join?key=123456789", UNUSUAL),
    ("https://assist.zoho.com%2F.evil.io/join?key=123456789", UNUSUAL),
    ("https://assist.zoho.com/%6Aoin?key=123456789", NOT_JOIN),
    ("https://assist.zoho.com/join?key=%31%32%33", QUERY),
    ("https://assist.zoho.com/join?key=1&%6Bey=2", QUERY),
    # IP literals, in every notation a browser accepts
    ("https://203.0.113.7/join?key=123456789", ADDRESS),
    ("https://127.0.0.1/join?key=123456789", ADDRESS),
    ("https://[::1]/join?key=123456789", ADDRESS),
    ("https://[2001:db8::1]/join?key=123456789", ADDRESS),
    ("https://2130706433/join?key=123456789", ADDRESS),
    ("https://0x7f000001/join?key=123456789", ADDRESS),
    ("https://0177.0.0.1/join?key=123456789", ADDRESS),
    ("https://0x7f.1/join?key=123456789", ADDRESS),
    # whitespace and control characters, visible and invisible
    (" " + ZOHO, SPACES),
    (ZOHO + "\n", SPACES),
    ("https://assist.zoho.com/jo\tin?key=123456789", SPACES),
    (ZOHO + "\x00", SPACES),
    (ZOHO + "\r\nLocation: https://evil.io", SPACES),
    ("https://assist.zoho.com/join?key=123456789\x7f", SPACES),
    ("https://assist.zoho.com/join?key=123456789\x85", SPACES),
    ("\u202ehttps://assist.zoho.com/join?key=123456789", DISGUISE),
    ("https://assist.zoho.com\u200b/join?key=123456789", DISGUISE),
    ("https://assist.zoho.com\u3000/join?key=123456789", SPACES),
    # length
    (ZOHO + "&role=A" + "&" * (MAX_LINK_LENGTH - len(ZOHO) - 6), TOO_LONG),
    ("https://get.teamviewer.com/" + "a" * MAX_LINK_LENGTH, TOO_LONG),
    # paths other than the providers' customer pages
    ("https://assist.zoho.com/admin?key=123456789", NOT_JOIN),
    ("https://assist.zoho.com/join/../admin?key=123456789", NOT_JOIN),
    ("https://assist.zoho.com//join?key=123456789", NOT_JOIN),
    ("https://assist.zoho.com/join/?key=123456789", NOT_JOIN),
    ("https://assist.zoho.com/JOIN?key=123456789", NOT_JOIN),
    ("https://assist.zoho.com/join;jsessionid=1?key=123456789", NOT_JOIN),
    ("https://assist.zoho.com/download/ZA_Connect.exe?key=123456789", NOT_JOIN),
    ("https://assist.zoho.com?key=123456789", NOT_JOIN),
    ("https://join.zoho.com/download?key=123456789", NOT_JOIN),
    ("https://get.teamviewer.com/", NOT_JOIN),
    ("https://get.teamviewer.com/abc/def", NOT_JOIN),
    ("https://get.teamviewer.com/abc-123", NOT_JOIN),
    ("https://get.teamviewer.com/abc.exe", NOT_JOIN),
    # query settings other than the providers' own
    ("https://assist.zoho.com/join?key=123456789&next=https://evil.io", UNEXPECTED),
    ("https://join.zoho.com/?key=123456789&url=evil.io", UNEXPECTED),
    ("https://get.teamviewer.com/abc123?download=1", NOT_JOIN),
    ("https://get.teamviewer.com/s06301144?download=1", UNEXPECTED),
    ("https://assist.zoho.com/join?Key=123456789", UNEXPECTED),
    ("https://assist.zoho.com/join?key=1&key=2", REPEATS),
    ("https://assist.zoho.com/join?key=123456789&role=A&role=B", REPEATS),
    ("https://assist.zoho.com/join?key=abc", FORM),
    ("https://assist.zoho.com/join?key=", FORM),
    ("https://assist.zoho.com/join?key=123456789012345678901", FORM),
    ("https://assist.zoho.com/join?key=123456789&role=Administrator", FORM),
    ("https://assist.zoho.com/join?key=1;evil=2", FORM),
    ("https://assist.zoho.com/join?key=123456789&role=A+B", QUERY),
    ("https://assist.zoho.com/join", LACKS),
    ("https://assist.zoho.com/join?role=A", LACKS),
    ("https://assist.zoho.com/join?key=123456789&", MALFORMED),
    ("https://assist.zoho.com/join?&key=123456789", MALFORMED),
    ("https://assist.zoho.com/join??key=123456789", UNEXPECTED),
    # fragments, and characters with a second meaning
    ("https://assist.zoho.com/join?key=123456789#@evil.io", LACKS),
    ("https://assist.zoho.com/join?key=123456789#", LACKS),
    ("https://assist.zoho.com/join?role=A&key=123456789#@evil.io", FRAGMENT),
    ("https://assist.zoho.com/join?role=A&key=123456789#", FRAGMENT),
    # the demo page of a loopback server outside demo mode
    ("http://127.0.0.1:8000/demo/join/482913557", SCHEME),
    # nothing at all
    ("", NO_LINK),
    # the technician's links and TeamViewer's supporter link: credentials, never the customer's
    ("https://assist.zoho.com/assist-start?key=880567893&viewer=html", NOT_JOIN),
    ("https://assist.zoho.com/assist-start?key=880567893", NOT_JOIN),
    ("https://assist.zoho.com/join?role=V&key=880567893", FORM),
    ("https://assist.zoho.com/join?role=a&key=880567893", FORM),
    ("https://assist.zoho.com/join?role=AA&key=880567893", FORM),
    ("https://assist.zoho.com/join?role=Customer&key=1", FORM),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9xQ2&role=V&schedule_id=1&x-com-zoho-assist-orgid=2",
     FORM),
    ("https://get.teamviewer.com/s06301144-Zx7Yq2Wb", NOT_JOIN),
    ("https://get.teamviewer.com/s06301144-", NOT_JOIN),
    ("https://get.teamviewer.com/v14/s06301144", NOT_JOIN),
    # TeamViewer's customer link is "s" and exactly eight digits, nothing else
    ("https://get.teamviewer.com/s0630114", NOT_JOIN),
    ("https://get.teamviewer.com/s063011444", NOT_JOIN),
    ("https://get.teamviewer.com/S06301144", NOT_JOIN),
    ("https://get.teamviewer.com/s06-301-144", NOT_JOIN),
    ("https://get.teamviewer.com/PhonetexQS", NOT_JOIN),
    ("https://get.teamviewer.com/s06301144/", NOT_JOIN),
    ("https://get.teamviewer.com/s%3006301144", NOT_JOIN),
    # Zoho links of shapes Zoho does not hand out
    ("https://assist.zoho.com/join?key=123456789", LACKS),
    ("https://assist.zoho.com/assist-schedule?key=123456789&id=42", UNEXPECTED),
    ("https://assist.zoho.com/join?role=A&key=123456789&id=42", UNEXPECTED),
    ("https://assist.zoho.com/join?role=A&key=123456789&session_id=42", UNEXPECTED),
    ("https://join.zoho.com/?key=123456789&role=A", UNEXPECTED),
    ("https://join.zoho.com/join?role=A&key=123456789", NOT_JOIN),
    # the e-mail: one percent-encoded address, decoded once, nothing else
    ("https://assist.zoho.com/join?role=A&key=1&email=john@zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%2540zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%40zylker.com%2Cmark%40evil.io", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%40zylker.com%20mark%40evil.io", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%40zylker.com%26next%3Devil.io", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=John%20%3Cjohn%40zylker.com%3E", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%40%40zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=%40zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%40zylker", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%40zylker.com.", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%40-zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john..k%40zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=j%C3%B6rg%40zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%4", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%ZZzylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%00%40zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%0A%40zylker.com", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=", FORM),
    ("https://assist.zoho.com/join?role=A&key=1&email=john%40zylker.com&email=mark%40zylker.com", REPEATS),
    ("https://assist.zoho.com/join?role=A&key=1&email=john+k%40zylker.com", QUERY),
    ("https://assist.zoho.com/join?role=A&key=1&%65mail=john%40zylker.com", QUERY),
    ("https://assist.zoho.com/join?role=%41&key=1&email=john%40zylker.com", QUERY),
    ("https://assist.zoho.com/join?role=A&key=1&email=" + "a" * 64 + "a%40zylker.com", FORM),
    ("https://join.zoho.com/?key=1&email=john%40zylker.com", QUERY),
    # a scheduled session's link: all five settings, each in its own form
    ("https://assist.zoho.com/assist-schedule?og=Tk9xQ2&role=A&schedule_id=1&x-com-zoho-assist-orgid=2", LACKS),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&role=A&schedule_id=1&x-com-zoho-assist-orgid=2",
     LACKS),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9xQ2&schedule_id=1&x-com-zoho-assist-orgid=2",
     LACKS),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9xQ2&role=A&x-com-zoho-assist-orgid=2", LACKS),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9xQ2&role=A&schedule_id=1", LACKS),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdeg&og=Tk9xQ2&role=A&schedule_id=1&x-com-zoho-assist-orgid=2",
     FORM),
    ("https://assist.zoho.com/assist-schedule?digest=0123&og=Tk9xQ2&role=A&schedule_id=1&x-com-zoho-assist-orgid=2", FORM),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9x.Q2&role=A&schedule_id=1&x-com-zoho-assist-orgid=2",
     FORM),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9xQ2&role=A&schedule_id=1a&x-com-zoho-assist-orgid=2",
     FORM),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9xQ2&role=A&schedule_id=1&x-com-zoho-assist-orgid=x",
     FORM),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9xQ2&role=A&schedule_id=1&x-com-zoho-assist-orgid=2"
     "&key=1", UNEXPECTED),
    ("https://assist.zoho.com/assist-schedule?digest=0123456789abcdef&og=Tk9xQ2%3D&role=A&schedule_id=1"
     "&x-com-zoho-assist-orgid=2", QUERY),
    ("https://assist.zoho.com/join?digest=0123456789abcdef&og=Tk9xQ2&role=A&schedule_id=1&x-com-zoho-assist-orgid=2",
     UNEXPECTED),
]

EMAIL_LINK = "https://assist.zoho.com/join?role=A&key=880567893&email=john%40zylker.com"
SCHEDULE_LINK = (
    "https://assist.zoho.com/assist-schedule?digest=5f2b9c0e7a1d4e3f9b8a6c5d4e3f2a1b&og=Tk9xQ2h1ZlRzZ0pIU1V2"
    "&role=A&schedule_id=1024000000123457&x-com-zoho-assist-orgid=815262805"
)

# Each as the providers' APIs hand them out, and what is opened.
LEGITIMATE = [
    ("https://assist.zoho.com/join?role=A&key=880567893", "zoho-assist"),
    (EMAIL_LINK, "zoho-assist"),
    ("https://assist.zoho.com/join?role=A&key=12345678901234567890", "zoho-assist"),
    ("https://assist.zoho.eu/join?role=A&key=987654321", "zoho-assist"),
    ("https://assist.zoho.in/join?role=A&key=555000111", "zoho-assist"),
    ("https://assist.zoho.com.au/join?role=A&key=123456789", "zoho-assist"),
    ("https://assist.zoho.com.cn/join?role=A&key=123456789", "zoho-assist"),
    ("https://assist.zoho.jp/join?role=A&key=1", "zoho-assist"),
    ("https://assist.zoho.uk/join?role=A&key=42", "zoho-assist"),
    ("https://assist.zohocloud.ca/join?role=A&key=123456789&email=mark.k%40gmail.com", "zoho-assist"),
    ("https://assist.zoho.sa/join?role=A&key=123456789", "zoho-assist"),
    ("https://assist.zoho.eu/join?role=A&key=987654321&email=o%27brien%2Bsupport%40mail.example.co.uk", "zoho-assist"),
    (SCHEDULE_LINK, "zoho-assist"),
    (SCHEDULE_LINK.replace("assist.zoho.com", "assist.zoho.eu"), "zoho-assist"),
    ("https://assist.zoho.in/assist-schedule?digest=ABCDEF0123456789&og=a-b_c&role=A&schedule_id=7"
     "&x-com-zoho-assist-orgid=1", "zoho-assist"),
    ("https://join.zoho.com/", "zoho-assist"),
    ("https://join.zoho.com/?key=123456789", "zoho-assist"),
    ("https://get.teamviewer.com/s06301144", "teamviewer"),
    ("https://get.teamviewer.com/s00000000", "teamviewer"),
    ("https://get.teamviewer.com/s99999999", "teamviewer"),
    ("https://get.teamviewer.com/s12345678", "teamviewer"),
]

# Written another way than the provider's own order or encoding: accepted, and opened as the one
# canonical form (the rule's key order, the address encoded once with upper-case hex).
NORMALISED = [
    ("https://assist.zoho.com/join?key=880567893&role=A", "https://assist.zoho.com/join?role=A&key=880567893"),
    ("https://assist.zoho.com/join?email=john%40zylker.com&key=880567893&role=A", EMAIL_LINK),
    ("https://assist.zoho.com/join?role=A&key=880567893&email=john%40ZYLKER.com",
     "https://assist.zoho.com/join?role=A&key=880567893&email=john%40ZYLKER.com"),
    ("https://assist.zoho.com/join?role=A&key=880567893&email=%6A%6F%68%6E%40zylker.com", EMAIL_LINK),
    ("https://assist.zoho.com/join?role=A&key=880567893&email=john%40zylker%2Ecom", EMAIL_LINK),
    ("https://assist.zoho.eu/join?role=A&key=9&email=o%27brien%2bsupport%40mail.example.co.uk",
     "https://assist.zoho.eu/join?role=A&key=9&email=o%27brien%2Bsupport%40mail.example.co.uk"),
    ("https://assist.zoho.com/assist-schedule?x-com-zoho-assist-orgid=815262805&schedule_id=1024000000123457&role=A"
     "&og=Tk9xQ2h1ZlRzZ0pIU1V2&digest=5f2b9c0e7a1d4e3f9b8a6c5d4e3f2a1b", SCHEDULE_LINK),
    ("https://join.zoho.com", "https://join.zoho.com/"),
    ("https://join.zoho.com/?", "https://join.zoho.com/"),
]


def test_the_table_has_what_the_issue_asks_for():
    assert len(HOSTILE) >= 60 and len(LEGITIMATE) >= 20
    assert len({link for link, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("link, reason", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_links_are_refused_for_the_right_reason(link, reason):
    with pytest.raises(JoinLinkRefused) as refused:
        check_join_link(link, BRAND)
    assert reason in str(refused.value.reason)
    # The customer's message always says what to do next.
    assert "tell your technician" in str(refused.value)


@pytest.mark.parametrize("link, provider", LEGITIMATE, ids=[f"legitimate-{i}" for i in range(len(LEGITIMATE))])
def test_provider_links_pass_unchanged(link, provider):
    checked = check_join_link(link, BRAND)
    assert checked == JoinLink(url=link, provider=provider, host=urlsplit(link).hostname)


@pytest.mark.parametrize("link, opened", NORMALISED, ids=[f"normalised-{i}" for i in range(len(NORMALISED))])
def test_links_written_another_way_open_as_the_one_canonical_form(link, opened):
    assert check_join_link(link, BRAND).url == opened
    assert check_join_link(opened, BRAND).url == opened


def test_every_accepted_shape_names_where_it_is_documented():
    assert all(rule.source for rule in BRAND.join_links)


@pytest.mark.parametrize("not_text", [None, 42, b"https://assist.zoho.com/join?key=1", ["https://join.zoho.com/"]])
def test_anything_but_text_is_refused(not_text):
    with pytest.raises(JoinLinkRefused):
        check_join_link(not_text, BRAND)


# --- demo mode ------------------------------------------------------------------------------

ORIGIN = "http://127.0.0.1:8123"


def test_demo_mode_lets_its_own_demo_page_through_as_given():
    link = f"{ORIGIN}/demo/join/482913557"
    assert check_join_link(link, BRAND, ORIGIN) == JoinLink(url=link, provider="demo", host="127.0.0.1")


@pytest.mark.parametrize(
    "link",
    [
        "http://127.0.0.1:8124/demo/join/482913557",
        f"{ORIGIN}/demo/join/48291355",
        f"{ORIGIN}/demo/join/482913557?next=x",
        f"{ORIGIN}/demo/join/482913557#x",
        f"{ORIGIN}/demo/join/482913557/",
        f"{ORIGIN}/admin",
        "http://user@127.0.0.1:8123/demo/join/482913557",
        "https://127.0.0.1:8123/demo/join/482913557",
        "http://evil.io/demo/join/482913557",
    ],
)
def test_demo_mode_lets_nothing_else_of_loopback_through(link):
    with pytest.raises(JoinLinkRefused):
        check_join_link(link, BRAND, ORIGIN)


@pytest.mark.parametrize("origin", ["http://evil.io:8123", "https://127.0.0.1:8123", "http://[::1"])
def test_a_demo_origin_off_loopback_opens_nothing(origin):
    with pytest.raises(JoinLinkRefused):
        check_join_link(f"{origin}/demo/join/482913557", BRAND, origin)


# --- properties -------------------------------------------------------------------------------

ALL_HOSTS = [host for rule in BRAND.join_links for host in rule.hosts]
URL_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs",))

# Text built from the pieces links are made of: real hosts, tricks around them, any characters.
link_pieces = st.one_of(
    st.sampled_from(ALL_HOSTS),
    st.sampled_from(
        ["https://", "http://", "/join", "/assist-schedule", "?", "&", "=", "key", "role", "id", "#", "@", ":",
         ".", "..", "%2e", "%", "\\", "[", "]", "xn--", "/", "A", "123456789", " ", "\t", "\x00", "а"]
    ),
    st.text(URL_CHARACTERS, max_size=6),
)
link_like = st.lists(link_pieces, max_size=14).map("".join)
near_legitimate = st.builds(
    lambda link, position, insert: link[:position] + insert + link[position:],
    st.sampled_from([link for link, _ in LEGITIMATE]),
    st.integers(0, 80),
    st.text(URL_CHARACTERS, min_size=1, max_size=4),
)

digits = st.from_regex(r"[0-9]{1,20}", fullmatch=True)
ZOHO_HOSTS = next(rule for rule in BRAND.join_links if "assist.zoho.com" in rule.hosts).hosts
_atext = st.from_regex(r"[A-Za-z0-9!#$&'*+/=?^_`{|}~-]{1,12}", fullmatch=True)
addresses = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.lists(_atext, min_size=1, max_size=3).map(".".join),
    st.lists(st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True), min_size=1, max_size=3),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
)


@st.composite
def encoded(draw, address):
    """``address`` percent-encoded the way some encoder might: "@" always, any other character
    at random, hex in either case."""
    out = []
    for char in address:
        if char in "@" or not (char.isalnum() or char in "._~-") or draw(st.booleans()):
            code = f"%{ord(char):02X}"
            out.append(code if draw(st.booleans()) else code.lower())
        else:
            out.append(char)
    return "".join(out)


@st.composite
def provider_links(draw):
    """Links made the way the providers make them (any order of their settings, any valid
    encoding of the address), with the canonical text each must open as."""
    kind = draw(st.sampled_from(["join", "schedule", "join.zoho", "teamviewer"]))
    if kind == "teamviewer":
        link = "https://get.teamviewer.com/s" + draw(st.from_regex(r"[0-9]{8}", fullmatch=True))
        return link, link
    if kind == "join.zoho":
        link = "https://join.zoho.com/" + draw(st.one_of(st.just(""), digits.map(lambda key: f"?key={key}")))
        return link, link
    host = draw(st.sampled_from(ZOHO_HOSTS))
    if kind == "join":
        path = "/join"
        pairs = [("role", "A"), ("key", draw(digits))]
        if draw(st.booleans()):
            address = draw(addresses)
            pairs.append(("email", quote(address, safe="")))
            given_value = draw(encoded(address))
        order = pairs.copy()
    else:
        path = "/assist-schedule"
        pairs = [
            ("digest", draw(st.from_regex(r"[0-9A-Fa-f]{16,64}", fullmatch=True))),
            ("og", draw(st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True))),
            ("role", "A"),
            ("schedule_id", draw(digits)),
            ("x-com-zoho-assist-orgid", draw(digits)),
        ]
        order = pairs.copy()
    draw(st.randoms(use_true_random=False)).shuffle(order)
    given_pairs = [(k, given_value if k == "email" else v) for k, v in order]
    link = f"https://{host}{path}?" + "&".join(f"{k}={v}" for k, v in given_pairs)
    return link, f"https://{host}{path}?" + "&".join(f"{k}={v}" for k, v in pairs)


def _verdict(link):
    try:
        return check_join_link(link, BRAND)
    except JoinLinkRefused:
        return None


def _decoded_query(query):
    return sorted((key, unquote(value)) for key, _, value in (field.partition("=") for field in query.split("&") if field))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(URL_CHARACTERS), link_like, near_legitimate, provider_links().map(lambda pair: pair[0])))
@example("https://assist.zoho.com/join?key=1\x00")
@example("https://[::1")
@example("https://assist.zoho.com:65536/join?key=1")
def test_no_link_raises_anything_but_the_refusal_and_accepted_links_reparse_the_same(link):
    checked = _verdict(link)
    if checked is None:
        return
    # What is opened is what was checked: re-parsing it gives the same host, path and settings,
    # with nothing a browser could read differently.
    opened = urlsplit(checked.url)
    given_parts = urlsplit(link)
    assert (opened.scheme, opened.hostname, opened.path) == (
        "https",
        given_parts.hostname,
        given_parts.path or "/",  # the one normalisation of a path: "" is the root
    )
    assert _decoded_query(opened.query) == _decoded_query(given_parts.query)
    assert opened.port is None and opened.username is None and opened.fragment == ""
    assert checked.host == opened.hostname == opened.netloc
    assert checked.host in ALL_HOSTS
    # And the normalised link passes the policy unchanged.
    assert check_join_link(checked.url, BRAND) == checked


@settings(max_examples=300, deadline=None)
@given(provider_links())
def test_every_link_made_the_providers_way_is_accepted_and_opens_canonically(pair):
    link, canonical = pair
    checked = check_join_link(link, BRAND)
    assert checked.url == canonical
    assert urlsplit(checked.url).hostname == checked.host


@settings(max_examples=300, deadline=None)
@given(
    host=st.sampled_from(ALL_HOSTS),
    label=st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    where=st.sampled_from(["{label}.{host}", "{host}.{label}", "{host}{label}", "{label}{host}"]),
)
def test_no_host_near_an_allowed_one_is_accepted(host, label, where):
    near = where.format(label=label, host=host)
    if near in ALL_HOSTS:  # "assist.zoho.com" + ".au" is itself on the list
        return
    assert _verdict(f"https://{near}/join?key=123456789") is None
    assert _verdict(f"https://{near}/?key=1") is None
    assert _verdict(f"https://{near}/abc123") is None
