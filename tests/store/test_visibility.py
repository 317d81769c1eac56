"""The SQL visibility condition agrees with `can_see`, the one rule, for every label and viewer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ramstein.domain.releasability import (
    Label,
    Principal,
    Releasability,
    Role,
    can_see,
    can_see_label,
)
from ramstein.services import pledges
from ramstein.store import tables as t
from ramstein.store.engine import Store
from ramstein.store.visibility import visible
from tests import factories as f

CODES = ["DEU", "GBR", "POL", "UKR", "USA"]

labels = st.one_of(
    st.sampled_from([Releasability.PUBLIC, Releasability.COALITION]).map(Label),
    st.frozensets(st.sampled_from(CODES), max_size=3).map(
        lambda named: Label(Releasability.RESTRICTED, named)
    ),
)
viewers = st.builds(
    Principal,
    participant=st.none() | st.sampled_from(CODES),
    roles=st.frozensets(st.sampled_from(list(Role)), max_size=3),
)


def sql_sees(conn: sa.Connection, viewer: Principal, label: Label, owner: str) -> bool:
    """Store one record's grants, ask the SQL condition about it, and roll back."""
    record_id = "42"
    with conn.begin_nested() if conn.in_transaction() else conn.begin() as tx:
        if label.named:
            conn.execute(
                t.record_grants.insert(),
                [
                    {"record_kind": "pledge", "record_id": record_id, "participant": p}
                    for p in label.named
                ],
            )
        condition = visible(
            viewer,
            level=sa.literal(label.level.value),
            owner=sa.literal(owner),
            kind="pledge",
            record_id=sa.literal(record_id),
        )
        result = bool(conn.scalar(sa.select(sa.case((condition, 1), else_=0))))
        tx.rollback()
    return result


@pytest.fixture
def conn(sqlite_store: Store) -> Iterator[sa.Connection]:
    with sqlite_store.engine.connect() as connection:
        yield connection


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(viewer=viewers, label=labels, owner=st.sampled_from(CODES))
def test_sql_visibility_matches_can_see(
    conn: sa.Connection, viewer: Principal, label: Label, owner: str
) -> None:
    assert sql_sees(conn, viewer, label, owner) is can_see_label(viewer, label, owner)


def test_visibility_of_real_rows_matches_can_see_on_each_database(store: Store) -> None:
    """Every label, owned by two donors, read by every kind of viewer, through the services."""
    c = f.setup_coalition(store)
    labels_ = [
        f.PUBLIC,
        f.COALITION_LABEL,
        f.restricted(),
        f.restricted("GBR"),
        f.restricted("UKR", "POL"),
    ]
    for owner in ("DEU", "GBR"):
        for label in labels_:
            f.announce(store, c.donor(owner), label=label)
    everyone = [
        c.public,
        c.chair,
        c.recipient,
        c.observer,
        c.alliance,
        *c.donors.values(),
        Principal(participant="DEU", roles=frozenset({Role.PUBLIC})),
        Principal(participant=None, roles=frozenset({Role.DONOR})),
    ]
    with store.read() as conn:
        all_pledges = pledges.list_pledges(conn=conn, viewer=c.chair)
        assert len(all_pledges) == 10
        for viewer in everyone:
            seen = {p.id for p in pledges.list_pledges(conn=conn, viewer=viewer)}
            assert seen == {p.id for p in all_pledges if can_see(viewer, p)}, viewer
