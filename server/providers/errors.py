"""What goes wrong with a provider, in words the technician can act on.

Provider errors reach technicians (the CLI, the technician API and its console), never a customer:
the launcher shows its own words for the error word it gets.
"""

from __future__ import annotations


class ProviderError(Exception):
    """A provider call failed. ``word`` is the machine word the technician API answers with;
    ``str(error)`` says what happened and what to do next."""

    word = "provider_failed"
    status = 502

    def __init__(self, message: str, *, word: str | None = None) -> None:
        super().__init__(message)
        if word is not None:
            self.word = word


class ProviderUnavailable(ProviderError):
    """Not reached, or answered 5xx, or kept asking us to wait: worth trying again later, or
    switching provider."""

    word = "provider_unavailable"
    status = 503


class ProviderAuthError(ProviderError):
    """The provider refused our credentials: the setup needs fixing, retrying will not help."""

    word = "provider_credentials"
    status = 502


class ProviderAnswerError(ProviderError):
    """The provider answered, but not in the documented shape (or with a link the allow-list
    refuses)."""

    word = "provider_answer"
    status = 502


class ProviderNotConfigured(ProviderError):
    word = "provider_not_configured"
    status = 409


class ProviderSettingsError(ValueError):
    """A provider setting is unusable; one line for whoever starts the server."""
