"""The join-link policy, case by case: hostile links with the reason each is refused for, the
provider links that must pass, and properties over links hypothesis makes up."""

from __future__ import annotations

from urllib.parse import urlsplit

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
    ("https://get.teamviewer.com/abc123?download=1", UNEXPECTED),
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
    ("https://assist.zoho.com/join?key=123456789#@evil.io", FRAGMENT),
    ("https://assist.zoho.com/join?key=123456789#", FRAGMENT),
    # the demo page of a loopback server outside demo mode
    ("http://127.0.0.1:8000/demo/join/482913557", SCHEME),
    # nothing at all
    ("", NO_LINK),
]

LEGITIMATE = [
    ("https://assist.zoho.com/join?role=A&key=123456789", "zoho-assist"),
    ("https://assist.zoho.com/join?key=123456789", "zoho-assist"),
    ("https://assist.zoho.com/join?key=123456789&role=A", "zoho-assist"),
    ("https://assist.zoho.com/join?key=12345678901234567890", "zoho-assist"),
    ("https://assist.zoho.eu/join?role=A&key=987654321", "zoho-assist"),
    ("https://assist.zoho.in/join?role=A&key=555000111", "zoho-assist"),
    ("https://assist.zoho.com.au/join?role=A&key=123456789", "zoho-assist"),
    ("https://assist.zoho.com.cn/join?role=A&key=123456789", "zoho-assist"),
    ("https://assist.zoho.jp/join?role=Customer&key=1", "zoho-assist"),
    ("https://assist.zoho.uk/join?key=42", "zoho-assist"),
    ("https://assist.zohocloud.ca/join?role=A&key=123456789", "zoho-assist"),
    ("https://assist.zoho.sa/join?role=A&key=123456789", "zoho-assist"),
    ("https://assist.zoho.com/assist-schedule?key=123456789&id=42", "zoho-assist"),
    ("https://assist.zoho.eu/assist-schedule?key=987654321&session_id=1234", "zoho-assist"),
    ("https://assist.zoho.in/assist-schedule?id=7&key=2", "zoho-assist"),
    ("https://join.zoho.com/", "zoho-assist"),
    ("https://join.zoho.com/?key=123456789", "zoho-assist"),
    ("https://get.teamviewer.com/abc123", "teamviewer"),
    ("https://get.teamviewer.com/PhonetexQS", "teamviewer"),
    ("https://get.teamviewer.com/6abcd7e", "teamviewer"),
    ("https://get.teamviewer.com/" + "A1" * 32, "teamviewer"),
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


def test_an_empty_query_is_dropped_from_what_is_opened():
    assert check_join_link("https://join.zoho.com/?", BRAND).url == "https://join.zoho.com/"


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


def _zoho_query(key, extras, order):
    pairs = [("key", key), *extras]
    order.shuffle(pairs)
    return "&".join(f"{name}={value}" for name, value in pairs)


@st.composite
def provider_links(draw):
    """Links made the way the providers make them, from the brand's own rules."""
    kind = draw(st.sampled_from(["zoho", "join.zoho", "teamviewer"]))
    if kind == "teamviewer":
        return "https://get.teamviewer.com/" + draw(st.from_regex(r"[A-Za-z0-9]{1,64}", fullmatch=True))
    if kind == "join.zoho":
        return "https://join.zoho.com/" + draw(st.one_of(st.just(""), digits.map(lambda key: f"?key={key}")))
    host = draw(st.sampled_from(next(rule for rule in BRAND.join_links if "assist.zoho.com" in rule.hosts).hosts))
    path = draw(st.sampled_from(["/join", "/assist-schedule"]))
    extras = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("role"), st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True)),
                st.tuples(st.sampled_from(["id", "session_id"]), digits),
            ),
            max_size=3,
            unique_by=lambda pair: pair[0],
        )
    )
    order = draw(st.randoms(use_true_random=False))
    return f"https://{host}{path}?{_zoho_query(draw(digits), extras, order)}"


def _verdict(link):
    try:
        return check_join_link(link, BRAND)
    except JoinLinkRefused:
        return None


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(URL_CHARACTERS), link_like, near_legitimate, provider_links()))
@example("https://assist.zoho.com/join?key=1\x00")
@example("https://[::1")
@example("https://assist.zoho.com:65536/join?key=1")
def test_no_link_raises_anything_but_the_refusal_and_accepted_links_reparse_the_same(link):
    checked = _verdict(link)
    if checked is None:
        return
    # What is opened is what was checked: re-parsing it gives the same host, path and query,
    # with nothing a browser could read differently.
    opened = urlsplit(checked.url)
    given_parts = urlsplit(link)
    assert (opened.scheme, opened.hostname, opened.path, opened.query) == (
        "https",
        given_parts.hostname,
        given_parts.path or "/",  # the one normalisation of a path: "" is the root
        given_parts.query,
    )
    assert opened.port is None and opened.username is None and opened.fragment == ""
    assert checked.host == opened.hostname == opened.netloc
    assert checked.host in ALL_HOSTS
    # And the normalised link passes the policy unchanged.
    assert check_join_link(checked.url, BRAND) == checked


@settings(max_examples=300, deadline=None)
@given(provider_links())
def test_every_link_made_the_providers_way_is_accepted_as_it_is(link):
    checked = check_join_link(link, BRAND)
    assert checked.url == link
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
