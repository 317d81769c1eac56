"""`can_see` as a SQL condition, so list queries filter in the database by the same rule."""

from __future__ import annotations

import sqlalchemy as sa

from ramstein.domain.releasability import Principal, Releasability, Role
from ramstein.store.tables import record_grants


def visible(
    viewer: Principal,
    *,
    level: sa.ColumnElement[str],
    owner: sa.ColumnElement[str],
    kind: str,
    record_id: sa.ColumnElement[str],
) -> sa.ColumnElement[bool]:
    """The rows `viewer` may see; mirrors `domain.releasability.can_see_label` exactly."""
    if viewer.is_public:
        return level == Releasability.PUBLIC.value
    if viewer.has(Role.CHAIR):
        return sa.true()
    named = sa.exists().where(
        record_grants.c.record_kind == kind,
        record_grants.c.record_id == record_id,
        record_grants.c.participant == viewer.participant,
    )
    return sa.or_(
        level != Releasability.RESTRICTED.value,
        owner == viewer.participant,
        named,
    )
