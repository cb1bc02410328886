"""One error type per kind of refusal.

A service raises these; ``app.py`` turns each into an RFC 9457 problem+json answer. ``rule`` names the rule
that refused (for example ``identity.token-expired``) so a person can look it up; ``detail`` is a sentence
they can act on. Never put a raw sensitive value in either.
"""

from __future__ import annotations


class PubdataError(Exception):
    """Base of every refusal the platform gives on purpose."""

    status = 400
    title = "Bad request"

    def __init__(self, rule: str, detail: str, **extra: object) -> None:
        super().__init__(f"[{rule}] {detail}")
        self.rule = rule
        self.detail = detail
        self.extra = extra


class InvalidInput(PubdataError):
    status = 422
    title = "Invalid input"


class NotAuthenticated(PubdataError):
    status = 401
    title = "Not authenticated"


class PermissionDenied(PubdataError):
    status = 403
    title = "Permission denied"


class NotFound(PubdataError):
    """Also the answer for another organisation's object: it reveals nothing."""

    status = 404
    title = "Not found"


class Conflict(PubdataError):
    status = 409
    title = "Conflict"


class StateRefused(PubdataError):
    """A transition the state table does not allow, or a deadline that has passed."""

    status = 409
    title = "Not allowed in this state"


class PayloadTooLarge(PubdataError):
    status = 413
    title = "Payload too large"
