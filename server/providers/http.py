"""One way to call a provider's API: bounded time, bounded retries, and failures in words.

Retried: connection failures and timeouts, ``429`` (honouring ``Retry-After`` up to a cap) and
``5xx``, with exponential back-off and jitter. Everything else is answered at once. TLS is always
verified (httpx's default, never switched off here).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from server.providers.errors import ProviderAnswerError, ProviderUnavailable

TIMEOUT = httpx.Timeout(15.0, connect=5.0)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A provider that asks for a longer wait than this is reported, not waited for.
    max_retry_after: float = 30.0
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep, compare=False)

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base·2^attempt, capped."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def send(
    client: httpx.AsyncClient,
    build: Callable[[], httpx.Request],
    *,
    provider: str,
    what: str,
    retry: RetryPolicy,
) -> httpx.Response:
    """The first answer that is neither 429 nor 5xx, after at most ``retry.attempts`` tries.

    ``build`` makes a fresh request each try (so a refreshed token goes with it). ``what`` says
    what was being done ("create a session"), for the message if every try fails.
    """
    last = ""
    for attempt in range(retry.attempts):
        try:
            response = await client.send(build())
        except httpx.TimeoutException:
            last = "it did not answer in time"
            wait = retry.backoff(attempt)
        except httpx.TransportError as exc:
            last = f"it could not be reached ({type(exc).__name__})"
            wait = retry.backoff(attempt)
        else:
            if response.status_code == 429:
                asked = retry_after_seconds(response)
                if asked is not None and asked > retry.max_retry_after:
                    raise ProviderUnavailable(
                        f"{provider} is limiting how often we may ask and wants us to wait "
                        f"{asked:.0f} seconds before we {what}. Try again then, or switch the session "
                        "to the other provider."
                    )
                last = "it asked us to slow down (HTTP 429)"
                wait = asked if asked is not None else retry.backoff(attempt)
            elif response.status_code >= 500:
                last = f"it answered with a server error (HTTP {response.status_code})"
                wait = retry.backoff(attempt)
            else:
                return response
        if attempt + 1 < retry.attempts:
            await retry.sleep(wait)
    raise ProviderUnavailable(
        f"Could not {what} with {provider}: {last}, {retry.attempts} times. Try again in a few minutes; "
        "if it keeps failing, switch the session to the other provider."
    )


def json_object(response: httpx.Response, *, provider: str, what: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ProviderAnswerError(
            f"{provider} answered the request to {what} with something that is not a JSON object "
            f"(HTTP {response.status_code})."
        )
    return data


def short(text: Any, limit: int = 200) -> str:
    """A provider's own message, bounded, for a technician's error line."""
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
