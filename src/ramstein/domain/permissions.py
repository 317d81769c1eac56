"""Who may issue which command: the chair coordinates; owners act on their own records."""

from __future__ import annotations

from collections.abc import Sequence

from ramstein.domain.errors import NotPermitted
from ramstein.domain.releasability import Principal, Role


def _who(actor: Principal) -> str:
    return actor.participant or actor.user or "the anonymous public"


def require_chair(actor: Principal, doing: str) -> None:
    """Only the chair's secretariat may `doing`."""
    if not actor.has(Role.CHAIR):
        raise NotPermitted(f"Only the chair may {doing}; {_who(actor)} is not the chair.")


def require_owner_or_chair(actor: Principal, owner: str, doing: str, *roles: Role) -> None:
    """The chair, or the record's owner acting in one of `roles`, may `doing`."""
    require_party_or_chair(actor, (owner,), doing, *roles)


def require_party_or_chair(
    actor: Principal, parties: Sequence[str], doing: str, *roles: Role
) -> None:
    """The chair, or one of the record's `parties` acting in one of `roles`, may `doing`
    (a contribution has two: its contributor and its fund)."""
    if actor.has(Role.CHAIR):
        return
    if actor.participant in parties and actor.has(*roles):
        return
    raise NotPermitted(
        f"Only {', '.join(parties)} or the chair may {doing}; {_who(actor)} acts for someone else."
    )


DONOR_ROLES = (Role.DONOR, Role.COALITION_LEAD)
MEMBER_ROLES = (Role.RECIPIENT, Role.DONOR, Role.COALITION_LEAD)
"""The roles of a participant that owes the coalition work (an observer owes none)."""
