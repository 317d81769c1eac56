"""Keeping the store honest: status, state digest, and rebuilding projections from the log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.chair import ChairTerm
from ramstein.services.chair import current_chair
from ramstein.store import tables as t
from ramstein.store.digest import state_digest
from ramstein.store.engine import Store
from ramstein.store.migrate import is_current
from ramstein.store.replay import replay


@dataclass(frozen=True, slots=True)
class Status:
    database: str
    migrations_current: bool
    log_size: int
    last_entry_at: str | None
    chair: ChairTerm | None
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class RebuildReport:
    entries: int
    digest_before: str
    digest_after: str

    @property
    def identical(self) -> bool:
        return self.digest_before == self.digest_after


COUNTED = (
    t.participants,
    t.capability_areas,
    t.coalitions,
    t.item_types,
    t.needs,
    t.pledges,
    t.tranches,
    t.deliveries,
    t.meetings,
)


def status(*, store: Store) -> Status:
    with store.read() as conn:
        head = conn.execute(sa.select(t.log_head).where(t.log_head.c.id == 1)).one()
        counts = {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in COUNTED
        }
        return Status(
            database=store.engine.url.render_as_string(hide_password=True),
            migrations_current=is_current(conn),
            log_size=head.size,
            last_entry_at=head.last_at or None,
            chair=current_chair(conn=conn),
            counts=counts,
        )


def digest(*, conn: Connection) -> str:
    return state_digest(conn)


def rebuild(*, store: Store, progress: Callable[[int], None] | None = None) -> RebuildReport:
    """Replay the log into empty projections, in one transaction holding the write lock."""
    with store.write() as uow:
        before = state_digest(uow.conn)
        entries = replay(uow.conn, progress)
        after = state_digest(uow.conn)
    return RebuildReport(entries=entries, digest_before=before, digest_after=after)
