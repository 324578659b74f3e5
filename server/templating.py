"""Server-rendered HTML: one Jinja2 environment over ``server/templates/`` and the headers every
page is sent with.

Templates live in one folder per area (``join/`` for the emailed link's pages, ``console/`` for
the technicians' console) and may extend ``base.html``. Every value is escaped (autoescape on for
every file, whatever its name), and a value a template names but nobody passed fails loudly
(``StrictUndefined``) instead of printing nothing on a customer's page.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

# Pages load nothing from elsewhere and run no inline script or style: whatever markup a value
# could smuggle in stays inert, and no frame can dress the page up as something else.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

_STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("server", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **values: Any) -> str:
    """The template ``name`` (``"join/download.html"``) filled with ``values``, escaped."""
    return environment().get_template(name).render(**values)


def static_files() -> dict[str, tuple[bytes, str]]:
    """Every file in ``server/static/`` by name, with its content type: read once when the app is
    built, so serving ``/static/<name>`` never touches the disk."""
    files = {}
    for entry in resources.files("server").joinpath("static").iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in _STATIC_TYPES:
            files[entry.name] = (entry.read_bytes(), _STATIC_TYPES[suffix])
    return files
