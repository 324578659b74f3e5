import pytest

from app.core.session_code import SessionCodeError, code_from_argument, format_session_code, parse_session_code


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
