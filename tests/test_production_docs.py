"""docs/production.md stays true to the server it describes: every command and option it shows
exists, and its proxy samples never let a client choose its own address."""

from __future__ import annotations

import re
from pathlib import Path

from server.cli import _parser

DOC = (Path(__file__).resolve().parents[1] / "docs" / "production.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, set[str]]]:
    """(subcommand, its --options) for every ``python -m server ...`` in the doc, with the
    continuation lines of a systemd ExecStart joined."""
    text = re.sub(r"\\\n\s*", " ", DOC)
    found = []
    for match in re.finditer(r"python -m server ([a-z-]+)([^\n`]*)", text):
        found.append((match[1], set(re.findall(r"(--[a-z-]+)", match[2]))))
    return found


def test_every_command_and_option_in_the_production_doc_exists() -> None:
    commands = _commands()
    assert {name for name, _ in commands} >= {"serve", "migrate", "prune", "export"}
    subparsers = next(a for a in _parser()._actions if a.dest == "command").choices  # type: ignore[attr-defined]
    for name, options in commands:
        assert name in subparsers, name
        known = {flag for action in subparsers[name]._actions for flag in action.option_strings}
        assert options <= known, (name, options - known)


def test_the_proxy_samples_replace_the_forwarded_address_and_the_server_trusts_only_them() -> None:
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in DOC
    assert "$proxy_add_x_forwarded_for" not in DOC  # appending would keep what the client sent
    assert "header_up X-Forwarded-For {remote_host}" in DOC
    assert "--trusted-proxy 127.0.0.1" in DOC and "--host 127.0.0.1" in DOC
