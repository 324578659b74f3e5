"""The one text rule (app.core.wire.text_problem) judges printable ASCII without looking up each
character's Unicode category; that shortcut must give the very answer the full rule gives."""

from hypothesis import given, strategies as st

from app.core.wire import _problem_by_category, text_problem

ASCII = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=12)


def test_every_ascii_character_alone_and_beside_a_letter_is_judged_as_the_full_rule_does():
    for code in range(0x80):
        for text in (chr(code), f"A{chr(code)}", f"{chr(code)} "):
            for multiline in (False, True):
                assert text_problem(text, multiline=multiline) == _problem_by_category(text, multiline), repr(text)


@given(ASCII | st.text(max_size=12), st.booleans())
def test_any_text_is_judged_as_the_full_rule_does(text: str, multiline: bool):
    assert text_problem(text, multiline=multiline) == _problem_by_category(text, multiline)


def test_the_rule_still_refuses_what_it_must():
    assert text_problem("") == "has nothing visible in it"
    assert text_problem("   ") == "has nothing visible in it"
    assert text_problem("Ann\x7f") == "contains control characters"
    assert text_problem("Ann\nExample") == "contains control characters"
    assert text_problem("Ann\nExample", multiline=True) is None
    assert text_problem("moc.knab\u202e") == "contains characters that reorder or break the line"
    assert text_problem("Ann Example") is None
