"""Outside sources cited as records (such as a Kiel Tracker release): read what is recorded.

Sources are public, like the publications they cite: every viewer may read them. They are
recorded by the importer of their source (`services.kiel`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.sources import Source, SourceDonor, SourceFigure
from ramstein.store import tables as t


def get_source(*, conn: Connection, source: str, release: str) -> Source | None:
    """A recorded source release (sources are public: every viewer may read them)."""
    s, d, f = t.sources, t.source_donors, t.source_figures
    row = conn.execute(sa.select(s).where(s.c.source == source, s.c.release == release)).first()
    if row is None:
        return None
    donors = conn.execute(
        sa.select(d.c.code, d.c.name)
        .where(d.c.source == source, d.c.release == release)
        .order_by(d.c.position)
    ).all()
    figures = conn.execute(
        sa.select(f).where(f.c.source == source, f.c.release == release).order_by(f.c.position)
    ).all()
    return Source(
        source=row.source,
        release=row.release,
        period=row.period,
        published_on=row.published_on,
        label=row.label,
        citation=row.citation,
        donors=tuple(SourceDonor(r.code, r.name) for r in donors),
        figures=tuple(
            SourceFigure(
                file=r.file,
                line=r.line,
                donor=r.donor,
                period=r.period,
                category=r.category,
                item=r.item,
                figure=r.figure,
                value=Decimal(r.value),
            )
            for r in figures
        ),
    )


def latest_release(*, conn: Connection, source: str) -> tuple[str, date] | None:
    """The newest recorded release of `source` (by its date): (release, published_on)."""
    s = t.sources
    row = conn.execute(
        sa.select(s.c.release, s.c.published_on)
        .where(s.c.source == source)
        .order_by(s.c.published_on.desc(), s.c.updated_seq.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.release, row.published_on)


def citations(*, conn: Connection) -> list[tuple[str, str]]:
    """Every recorded source release as (label, citation), the newest first."""
    s = t.sources
    rows = conn.execute(
        sa.select(s.c.label, s.c.citation).order_by(
            s.c.published_on.desc(), s.c.source, s.c.release
        )
    ).all()
    return [(r.label, r.citation) for r in rows]
