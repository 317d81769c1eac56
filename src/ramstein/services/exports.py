"""Gather what a viewer may see for an export; every record passes the releasability rule."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.releasability import Principal, Role
from ramstein.interchange.records import Records
from ramstein.services import (
    capabilities,
    catalogue,
    deliveries,
    funds,
    needs,
    participants,
    pledges,
)
from ramstein.services.log import log_size
from ramstein.store import tables as t


def audience_of(viewer: Principal) -> str:
    """How an export names who it was generated for: 'public' or the participant's code."""
    if viewer.is_public or viewer.participant is None:
        return "public"
    if viewer.has(Role.CHAIR):
        return f"{viewer.participant} (chair)"
    return viewer.participant


def gather(
    *,
    conn: Connection,
    viewer: Principal,
    group_name: str,
    generated_at: datetime | None = None,
) -> Records:
    """Every list `viewer` may see, read in one transaction (so at one log position).

    `generated_at` defaults to the time of the log's last entry, so that the same records at
    the same log position export to the same bytes."""
    if generated_at is None:
        last = conn.execute(sa.select(t.log_head.c.last_at)).scalar_one()
        generated_at = (
            datetime.fromisoformat(str(last)) if last else datetime(1970, 1, 1, tzinfo=UTC)
        )
    return Records(
        audience=audience_of(viewer),
        generated_at=generated_at,
        log_size=log_size(conn=conn),
        group_name=group_name,
        participants={p.code: p for p in participants.list_participants(conn=conn, viewer=viewer)},
        areas={a.code: a for a in capabilities.list_areas(conn=conn, viewer=viewer)},
        items={i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)},
        needs=needs.list_needs(conn=conn, viewer=viewer),
        pledges=pledges.list_pledges(conn=conn, viewer=viewer),
        deliveries=deliveries.list_deliveries(conn=conn, viewer=viewer),
        contributions=funds.list_contributions(conn=conn, viewer=viewer),
        funds=funds.fund_reports(conn=conn, viewer=viewer),
    )


def known_codes(*, conn: Connection, viewer: Principal) -> dict[str, list[str]]:
    """The codes an import file may use, by list (for a template's drop-downs)."""
    return {
        "item_types": [i.code for i in catalogue.list_items(conn=conn, viewer=viewer)],
        "participants": [p.code for p in participants.list_participants(conn=conn, viewer=viewer)],
    }
