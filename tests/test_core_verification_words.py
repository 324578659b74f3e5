"""The verification words: one public list, the server's derivation, the launcher's check."""

import pytest
from hypothesis import given, settings, strategies as st

from app.core.verification_words import LIST_LENGTH, checked_words, derive_words, word_list


def test_the_public_list_is_256_different_short_plain_words():
    words = word_list()
    assert len(words) == LIST_LENGTH == len(set(words))
    assert all(word.isascii() and word.isalpha() and word.islower() and 3 <= len(word) <= 9 for word in words)
    # Read aloud, no word may be the start of another ("pine" / "pineapple" would be misheard).
    assert not [(a, b) for a in words for b in words if a != b and b.startswith(a)]


def test_the_same_secret_and_code_always_give_the_same_three_words():
    assert derive_words(b"k" * 32, "482913557") == derive_words(b"k" * 32, "482913557")
    assert derive_words(b"k" * 32, "482913557") != derive_words(b"j" * 32, "482913557")


@settings(max_examples=300, deadline=None)
@given(secret=st.binary(min_size=32, max_size=32), code=st.from_regex(r"[1-9][0-9]{8}", fullmatch=True))
def test_derived_words_are_always_three_different_words_the_launcher_accepts(secret, code):
    words = derive_words(secret, code)
    assert checked_words(list(words)) == words


def test_the_words_spread_over_the_whole_list():
    seen = {word for number in range(2000) for word in derive_words(b"s" * 32, f"{100000000 + number}")}
    assert len(seen) == LIST_LENGTH


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "acorn alpaca amber",
        ["acorn", "alpaca"],
        ["acorn", "alpaca", "amber", "anchor"],
        ["acorn", "acorn", "amber"],
        ["acorn", "alpaca", "Call +1 900 555 0100"],
        ["acorn", "alpaca", "https://evil.example"],
        ["acorn", "alpaca", 7],
        {"acorn": 1, "alpaca": 2, "amber": 3},
    ],
)
def test_the_launcher_shows_nothing_but_three_words_of_the_list(answer):
    with pytest.raises(ValueError):
        checked_words(answer)
