"""The terms the customer accepts: the exact legal text, with the id, version and hash that prove it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from app.core.brand import Brand, load_brand
from app.core.resources import read_text


@dataclass(frozen=True)
class Terms:
    id: str
    version: str
    language: str
    text: str

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the UTF-8 text exactly as shown: the server checks it against its own copy
        (once per consent, so worked out once: the text never changes)."""
        return terms_hash(self.text)


def terms_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_terms(brand: Brand | None = None) -> Terms:
    ref = (brand or load_brand()).terms
    return Terms(id=ref.id, version=ref.version, language=ref.language, text=read_text(ref.file))
