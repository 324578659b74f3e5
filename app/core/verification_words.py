"""Three words for a session that the customer and the technician read to each other on the phone.

The consent server derives them from the session code with a secret only it holds (HMAC-SHA256),
so nobody can work them out from a code, and shows the same words to the technician who opened
the session and to the customer's launcher. Matching words mean both people are looking at the
same session on Phonetex's own server. The word list is public and fixed
(``resources/verification-words.txt``); both sides read it from here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from functools import cache

from app.core.resources import read_text

WORD_LIST_FILE = "verification-words.txt"
WORDS_PER_SESSION = 3
# One byte of the digest picks one word, so every word is equally likely.
LIST_LENGTH = 256
_DOMAIN = b"phonetex-verification-words/v1:"


class WordListError(ValueError):
    """The shipped word list is damaged; a broken build, never the customer's doing."""


@cache
def word_list() -> tuple[str, ...]:
    """The public list: 256 different lower-case words, one a line."""
    words = tuple(line.strip() for line in read_text(WORD_LIST_FILE).splitlines() if line.strip())
    if len(words) != LIST_LENGTH or len(set(words)) != LIST_LENGTH or not all(
        word.isascii() and word.isalpha() and word.islower() for word in words
    ):
        raise WordListError(f"{WORD_LIST_FILE} must hold {LIST_LENGTH} different lower-case words.")
    return words


def derive_words(secret: bytes, code: str) -> tuple[str, ...]:
    """The session's three different words (server side): HMAC-SHA256 of the code with ``secret``."""
    words = word_list()
    chosen: list[str] = []
    block = 0
    # A second block is only needed when one 32-byte digest repeats words 30 times: practically never.
    while len(chosen) < WORDS_PER_SESSION:
        message = _DOMAIN + code.encode("ascii") + b":" + str(block).encode("ascii")
        for byte in hmac.new(secret, message, hashlib.sha256).digest():
            if words[byte] not in chosen:
                chosen.append(words[byte])
        block += 1
    return tuple(chosen[:WORDS_PER_SESSION])


def checked_words(words: object) -> tuple[str, ...]:
    """The words from a server answer, if they are three different words of the list (client side).

    Anything else raises ``ValueError``: a server answer must not be able to put other text
    (a phone number, a web address) where the customer expects the verification words.
    """
    if isinstance(words, (str, bytes)) or not isinstance(words, Sequence):
        raise ValueError("verification_words must be a list of words")
    known = set(word_list())
    if len(words) != WORDS_PER_SESSION or len(set(words)) != WORDS_PER_SESSION or not all(
        isinstance(word, str) and word in known for word in words
    ):
        raise ValueError("verification_words must be three different words of the public list")
    return tuple(words)


def spoken_form(words: tuple[str, ...]) -> str:
    """The words as the customer sees them, spaced to be read aloud one by one."""
    return "  ·  ".join(words)
