"""Session codes from every way they arrive: typed, on the command line, in the launcher's name."""

import pytest
from hypothesis import given, settings, strategies as st

from app.core.session_code import (
    SessionCodeError,
    code_from_argument,
    code_from_launcher_name,
    format_session_code,
    parse_session_code,
)
from app.core.session_intake import initial_session, launcher_path


@pytest.mark.parametrize("typed", ["482913557", "482 913 557", "482-913-557", "482.913.557", " 482 913-557 "])
def test_typed_codes_normalise_to_nine_digits(typed):
    assert parse_session_code(typed) == "482913557"


@pytest.mark.parametrize("typed", ["", "48291355", "4829135570", "482 913 55a", "٤٨٢٩١٣٥٥٧", "482_913_557", "482/913/557"])
def test_anything_else_is_refused_with_an_example(typed):
    with pytest.raises(SessionCodeError) as refused:
        parse_session_code(typed)
    assert "482 913 557" in str(refused.value)


def test_codes_are_shown_in_groups_of_three():
    assert format_session_code("482913557") == "482 913 557"


@pytest.mark.parametrize(
    "argument",
    [
        "482913557",
        "482 913 557",
        "482-913-557",
        "https://support.phonetex.example/join/482913557",
        "https://support.phonetex.example/join/482913557/",
        "https://support.phonetex.example/join?code=482913557",
    ],
)
def test_command_line_takes_a_code_or_a_join_link(argument):
    assert code_from_argument(argument) == "482913557"


@pytest.mark.parametrize(
    "argument", ["https://support.phonetex.example/", "file:///join/482913557", "javascript:482913557"]
)
def test_links_without_a_code_are_refused(argument):
    with pytest.raises(SessionCodeError):
        code_from_argument(argument)


# --- the launcher's own file name --------------------------------------------------------------

NAME = "Phonetex-Support"


@pytest.mark.parametrize(
    "path",
    [
        r"C:\Users\ann\Downloads\Phonetex-Support-482913557.exe",
        r"C:\Users\ann\Downloads\Phonetex-Support-482913557 (1).exe",
        r"C:\Users\ann\Downloads\Phonetex-Support-482 913 557 (1).exe",
        r"C:\Users\ann\Downloads\Phonetex-Support-482-913-557(2).EXE",
        "/home/ann/Downloads/Phonetex-Support-482913557",
        "/home/ann/Downloads/Phonetex-Support-482913557(1)",
        "/home/ann/Downloads/Phonetex-Support-482-913-557.AppImage",
        "/home/ann/Downloads/Phonetex-Support-482 913 557 (3).AppImage",
        "/Applications/Phonetex-Support-482913557.app/Contents/MacOS/Phonetex-Support",
        "/Users/ann/Downloads/Phonetex-Support-482-913-557 (1).app/Contents/MacOS/Phonetex-Support",
        "Phonetex-Support-482913557.exe",
        "./phonetex-support-482913557",
        "/home/ann/Phonetex Support 482 913 557.AppImage",
        "/home/ann/Phonetex_Support_482913557",
    ],
)
def test_the_file_name_carries_the_code_on_every_platform(path):
    assert code_from_launcher_name(path, NAME) == "482913557"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/usr/lib/python3/app/__main__.py",
        r"C:\Downloads\Phonetex-Support.exe",
        r"C:\Downloads\Phonetex-Support (1).exe",
        "/tmp/Phonetex-Support-48291355.exe",  # 8 digits
        "/tmp/Phonetex-Support-4829135570.exe",  # 10 digits
        "/tmp/Phonetex-Support-482.913.557",  # dots read as an extension
        "/tmp/Phonetex-Support-482913557.exe.lnk",
        "/tmp/Phonetex-Support-482913557.sh",
        "/tmp/Phonetex-Support-482913557-https-evil.example",
        "/tmp/Other-Support-482913557.exe",
        "/tmp/Phonetex-Support-٤٨٢٩١٣٥٥٧.exe",  # digits of another script
        "/tmp/Phonetex-Support-482913557 (1) (2).exe",
        "/Phonetex-Support-482913557.app/Phonetex-Support",  # not inside a bundle's Contents
    ],
)
def test_a_file_name_without_exactly_a_code_carries_none(path):
    assert code_from_launcher_name(path, NAME) is None


def test_the_folder_name_never_supplies_the_code():
    assert code_from_launcher_name("/home/Phonetex-Support-482913557/Phonetex-Support", NAME) is None


def test_a_frozen_build_reads_its_real_path_not_argv0():
    assert launcher_path("Phonetex-Support", frozen=True, executable="/dl/Phonetex-Support-482913557", environ={}) == (
        "/dl/Phonetex-Support-482913557"
    )


def test_an_appimage_reads_the_downloaded_file_not_its_temporary_mount():
    environ = {"APPIMAGE": "/home/ann/Phonetex-Support-482913557.AppImage"}
    path = launcher_path("x", frozen=True, executable="/tmp/.mount_abc/usr/bin/Phonetex-Support", environ=environ)
    assert code_from_launcher_name(path, NAME) == "482913557"


def test_from_source_argv0_is_the_launcher_and_appimage_is_ignored():
    environ = {"APPIMAGE": "/home/ann/Phonetex-Support-111111111.AppImage"}
    assert launcher_path("/dl/Phonetex-Support-482913557", frozen=False, executable="/usr/bin/python", environ=environ) == (
        "/dl/Phonetex-Support-482913557"
    )


# --- precedence: command line, then file name --------------------------------------------------


def test_the_command_line_wins_over_the_file_name():
    intake = initial_session("111 222 333", "/dl/Phonetex-Support-482913557.exe", NAME)
    assert intake.code == "111222333" and intake.error is None


def test_a_join_link_argument_wins_over_the_file_name():
    intake = initial_session("https://support.phonetex.example/join/111222333/", "/dl/Phonetex-Support-482913557", NAME)
    assert intake.code == "111222333"


def test_without_an_argument_the_file_name_gives_the_code():
    assert initial_session(None, "/dl/Phonetex-Support-482 913 557 (1).exe", NAME).code == "482913557"


def test_a_bad_argument_is_reported_rather_than_replaced_by_the_file_name():
    intake = initial_session("48291", "/dl/Phonetex-Support-482913557.exe", NAME)
    assert intake.code is None
    assert "482 913 557" in str(intake.error)


def test_nothing_given_means_the_customer_types_it():
    intake = initial_session(None, "/usr/bin/phonetex-support", NAME)
    assert intake.code is None and intake.error is None


# --- properties: any text gives a code or the documented rejection, nothing else ---------------

NINE_DIGITS = st.from_regex(r"[1-9][0-9]{8}", fullmatch=True)


def _code_or_rejection(parse, text):
    try:
        code = parse(text)
    except SessionCodeError as error:
        assert "482 913 557" in str(error) or "9-digit" in str(error)
        return None
    assert len(code) == 9 and code.isascii() and code.isdigit()
    return code


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_typed_text_is_a_code_or_the_rejection(text):
    _code_or_rejection(parse_session_code, text)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.builds(lambda scheme, rest: f"{scheme}://{rest}", st.sampled_from(["https", "http", "file", "HTTPS"]), st.text()),
        st.builds(lambda q: f"https://support.phonetex.example/join?{q}", st.text()),
        st.builds(lambda p: f"https://support.phonetex.example/join/{p}", st.text()),
    )
)
def test_any_argument_is_a_code_or_the_rejection(text):
    _code_or_rejection(code_from_argument, text)


@settings(max_examples=200, deadline=None)
@given(host=st.from_regex(r"[a-z0-9.:@-]{1,40}", fullmatch=True), code=NINE_DIGITS)
def test_a_join_links_host_never_changes_what_is_taken_from_it(host, code):
    # Only the code is carried through: a link cannot smuggle in a server.
    try:
        taken = code_from_argument(f"https://{host}/join/{code}")
    except SessionCodeError:
        return
    assert taken == code


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.builds(lambda tail: "/dl/Phonetex-Support-" + tail, st.text())))
def test_any_file_name_gives_a_code_or_none_and_never_raises(path):
    code = code_from_launcher_name(path, NAME)
    assert code is None or (len(code) == 9 and code.isascii() and code.isdigit())


@settings(max_examples=200, deadline=None)
@given(
    code=NINE_DIGITS,
    grouping=st.sampled_from(["{a}{b}{c}", "{a}-{b}-{c}", "{a} {b} {c}"]),
    duplicate=st.sampled_from(["", " (1)", "(2)", " (12)"]),
    extension=st.sampled_from(["", ".exe", ".EXE", ".AppImage", ".app/Contents/MacOS/Phonetex-Support"]),
    folder=st.sampled_from(["", "/home/ann/Downloads/", "C:\\Users\\Ann\\Downloads\\", "./"]),
)
def test_every_download_name_of_a_code_gives_that_code(code, grouping, duplicate, extension, folder):
    grouped = grouping.format(a=code[:3], b=code[3:6], c=code[6:])
    assert code_from_launcher_name(f"{folder}Phonetex-Support-{grouped}{duplicate}{extension}", NAME) == code


@settings(max_examples=200, deadline=None)
@given(NINE_DIGITS)
def test_formatted_codes_parse_back(code):
    assert parse_session_code(format_session_code(code)) == code


@pytest.mark.parametrize(
    "provider_link",
    [
        "https://assist.zoho.com/join?role=A&key=123456789",
        "https://join.zoho.com/?key=123456789",
        "https://get.teamviewer.com/482913557",
        "https://assist.zoho.eu/assist-schedule?key=482913557&id=42",
    ],
)
def test_a_provider_join_link_on_the_command_line_is_not_taken_for_anything(provider_link):
    # Join links come only from the consent server's answer: given as an argument, a provider's
    # link is neither a code nor kept; the customer is asked for the code instead.
    with pytest.raises(SessionCodeError) as refused:
        code_from_argument(provider_link)
    assert "9-digit code" in str(refused.value)
