"""Every "no" the domain can say, as an exception that knows nothing of HTTP.

The web layer turns each into a status code and an error word with one table
(:data:`server.web.errors.REFUSALS`); the CLI prints the message. ``message`` is for a person
(the technician, a log); the launcher shows its own words chosen by the error word, never this.
``details`` are the extra answer fields the contract names (``retry_after``,
``current_version``).
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidRequest(Refusal, ValueError):
    """A technician's request (new session) is off; the message says which field and why."""


class InvalidCode(Refusal):
    """Text that is not a session code at all (not nine digits)."""


class UnknownCode(Refusal):
    """No session has this code."""


class SessionCancelled(Refusal):
    pass


class SessionExpired(Refusal):
    pass


class TooManyWrongCodes(Refusal):
    """This address tried too many wrong codes; ``details['retry_after']`` is in seconds."""

    @property
    def retry_after(self) -> int:
        return int(self.details["retry_after"])


class InvalidRecord(Refusal):
    """A consent record off the schema, for another session, or without every acknowledgement."""


class ReceiptReused(Refusal):
    pass


class AlreadyConsented(Refusal):
    pass


class TermsOutdated(Refusal):
    """``details['current_version']`` names the terms the customer must read instead."""


class NoConsent(Refusal):
    """A technician asked for the consent of a session that has none yet."""


class NotATechnician(Refusal):
    """A technician's route without the right token."""


class LinkRefused(InvalidRequest):
    """A join link the launcher's allow-list would refuse; checked when the session is made, so the
    technician learns it then and not after the customer consented."""


class NotSwitchable(Refusal):
    """The session is over (cancelled or expired): there is nobody to switch for."""


class ProviderNotConfigured(Refusal):
    """The provider asked for has no credentials on this server."""


class ProviderFailed(Refusal):
    """The provider's API failed or refused; ``details['provider_error']`` is its word
    (provider_unavailable, provider_credentials, provider_answer ...) and ``details['retryable']``
    says whether trying again later may help."""


# What a customer's code can earn that tells a wrong code from a right one: the limit counts these.
WRONG_CODE_REFUSALS: tuple[type[Refusal], ...] = (UnknownCode, SessionCancelled, SessionExpired)


# The technician console (issue 14).


class AccountRefused(Refusal):
    """An account change or sign-in that cannot be done; the message says why and what to do."""


class NotYourSession(Refusal):
    """No session with this code among those this technician may see (answered as unknown)."""


class TooManySteps(Refusal):
    """A session has had more step reports than any journey makes."""
