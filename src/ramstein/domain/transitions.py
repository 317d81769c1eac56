"""Explicit state machines: one table of allowed transitions per aggregate."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from ramstein.domain.errors import IllegalTransition

S = TypeVar("S", bound=StrEnum)


class Transitions(Generic[S]):
    """The allowed moves of one aggregate's lifecycle; anything else is refused."""

    def __init__(self, kind: str, table: Mapping[S, frozenset[S]]) -> None:
        self.kind = kind
        self.table = dict(table)

    def allowed(self, current: S) -> frozenset[S]:
        return self.table.get(current, frozenset())

    def is_allowed(self, current: S, wanted: S) -> bool:
        return wanted in self.allowed(current)

    def check(self, current: S, wanted: S) -> None:
        """Raise `IllegalTransition` naming the allowed moves unless current → wanted is legal."""
        if not self.is_allowed(current, wanted):
            raise IllegalTransition(
                self.kind,
                current.value,
                wanted.value,
                frozenset(s.value for s in self.allowed(current)),
            )

    def is_final(self, state: S) -> bool:
        return not self.allowed(state)
