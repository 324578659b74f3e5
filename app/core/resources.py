"""Read files shipped in the ``resources`` package, the same way from source and from a build."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def read_bytes(name: str) -> bytes:
    return resources.files("resources").joinpath(name).read_bytes()


def read_text(name: str) -> str:
    return read_bytes(name).decode("utf-8")


def read_json(name: str) -> Any:
    return json.loads(read_bytes(name))
