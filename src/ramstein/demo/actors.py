"""Who acts in the scenario: the host operator, the chair, the donors, the recipient.

Each command runs as the participant who would issue it, with the role it would use.
"""

from __future__ import annotations

from ramstein.demo.labels import RECIPIENT
from ramstein.domain.releasability import Principal, Role

OPERATOR = Principal(participant=None, roles=frozenset({Role.CHAIR}), user="demo:operator")
"""The host operator: only to register the first chair before anyone chairs."""
RECIPIENT_ACTOR = Principal(
    participant=RECIPIENT, roles=frozenset({Role.RECIPIENT}), user="demo:ukr-mod"
)


def chair_actor(code: str) -> Principal:
    return Principal(
        participant=code, roles=frozenset({Role.CHAIR}), user=f"demo:{code.lower()}-chair"
    )


def donor_actor(code: str) -> Principal:
    return Principal(participant=code, roles=frozenset({Role.DONOR}), user=f"demo:{code.lower()}")


def lead_actor(code: str) -> Principal:
    roles = frozenset({Role.COALITION_LEAD, Role.DONOR})
    return Principal(participant=code, roles=roles, user=f"demo:{code.lower()}-lead")
