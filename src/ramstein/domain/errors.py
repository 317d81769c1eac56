"""Typed domain errors: each carries a stable code and a sentence a user can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation; `code` is stable, `str(error)` is for people."""

    code = "domain-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidValue(DomainError):
    """A field has a value the model refuses (a zero quantity, a date in the wrong order)."""

    code = "invalid-value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """A referenced record does not exist (or is not visible to the viewer)."""

    code = "not-found"

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"There is no {kind} {key!s}.")
        self.kind = kind
        self.key = key


class AlreadyExists(DomainError):
    """A record with the same key already exists."""

    code = "already-exists"

    def __init__(self, kind: str, key: object) -> None:
        article = "An" if kind[:1].lower() in "aeiou" else "A"
        super().__init__(
            f"{article} {kind} {key!s} already exists; choose another code or update it."
        )
        self.kind = kind
        self.key = key


class IllegalTransition(DomainError):
    """A state change that the aggregate's transition table does not allow."""

    code = "illegal-transition"

    def __init__(self, kind: str, current: str, wanted: str, allowed: frozenset[str]) -> None:
        options = ", ".join(sorted(allowed)) if allowed else "none (it is final)"
        super().__init__(
            f"A {kind} that is {current} cannot become {wanted}; from {current} it may become: "
            f"{options}."
        )
        self.kind = kind
        self.current = current
        self.wanted = wanted
        self.allowed = allowed


class QuantityExceeded(DomainError):
    """A quantity exceeds what its parent allows (delivered > pledged, received > delivered)."""

    code = "quantity-exceeded"


class InactiveParticipant(DomainError):
    """The participant has left the coalition and may no longer act in it."""

    code = "inactive-participant"


class NotPermitted(DomainError):
    """The actor's roles do not allow this command."""

    code = "not-permitted"


class StaleVersion(DomainError):
    """The write was based on an older version of the record than the stored one."""

    code = "stale-version"

    def __init__(self, kind: str, key: object, expected: int, current: int) -> None:
        super().__init__(
            f"{kind.capitalize()} {key!s} has changed since you read it (you had version "
            f"{expected}, it is now version {current}); reload it and apply your change again."
        )
        self.kind = kind
        self.key = key
        self.expected = expected
        self.current = current
