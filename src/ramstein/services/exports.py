"""Gather what a viewer may see for an export; every record passes the releasability rule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from ramstein.domain.releasability import Principal, Role
from ramstein.interchange.records import Records
from ramstein.services import capabilities, catalogue, deliveries, needs, participants, pledges
from ramstein.services.log import log_size


def audience_of(viewer: Principal) -> str:
    """How an export names who it was generated for: 'public' or the participant's code."""
    if viewer.is_public or viewer.participant is None:
        return "public"
    if viewer.has(Role.CHAIR):
        return f"{viewer.participant} (chair)"
    return viewer.participant


def gather(
    *, conn: Connection, viewer: Principal, generated_at: datetime, group_name: str
) -> Records:
    """Every list `viewer` may see, read in one transaction (so at one log position)."""
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
    )
