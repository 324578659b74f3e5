"""The brand config: who the customer is dealing with and which server the build talks to.

The server address is fixed here, at build time. Nothing the customer or a link supplies can
change it; only development runs may override it (see :mod:`app.core.server_address`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from app.core.resources import read_json


@dataclass(frozen=True)
class TermsRef:
    id: str
    version: str
    language: str
    file: str


@dataclass(frozen=True)
class JoinLinkRule:
    """One kind of customer link a provider hands out: exact hosts, a path pattern, and the query
    keys allowed, in the order the normalised link writes them. ``email_query`` keys hold one
    percent-encoded e-mail address; ``source`` says where the shape is documented."""

    provider: str
    hosts: tuple[str, ...]
    path: str
    query: tuple[tuple[str, str], ...]
    required_query: tuple[str, ...]
    email_query: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Brand:
    company: str
    product_name: str
    launcher_name: str
    phone: str
    server_url: str
    support_site: str
    # False in a production brand: then no argument can switch on demo mode or another server.
    development_options: bool
    backup_max_age_days: int
    terms: TermsRef
    join_links: tuple[JoinLinkRule, ...]


def brand_from_dict(data: dict[str, Any]) -> Brand:
    rules = tuple(
        JoinLinkRule(
            provider=rule["provider"],
            hosts=tuple(h.lower() for h in rule["hosts"]),
            path=rule["path"],
            # JSON order is kept: it is the order the normalised link is written in.
            query=tuple(rule.get("query", {}).items()),
            required_query=tuple(rule.get("required_query", ())),
            email_query=tuple(rule.get("email_query", ())),
            source=rule.get("source", ""),
        )
        for rule in data["join_links"]
    )
    return Brand(
        company=data["company"],
        product_name=data["product_name"],
        launcher_name=data["launcher_name"],
        phone=data["phone"],
        server_url=data["server_url"],
        support_site=data["support_site"],
        development_options=bool(data.get("development_options", False)),
        backup_max_age_days=int(data["backup_max_age_days"]),
        terms=TermsRef(**data["terms"]),
        join_links=rules,
    )


@cache
def load_brand() -> Brand:
    """The brand this build was made for (``resources/brand.json``)."""
    return brand_from_dict(read_json("brand.json"))
