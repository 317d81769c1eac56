"""Importing the years of multi-year pledges: each row plans (or re-plans) one year of one
pledge through the pledge service, a second import of the same file changes nothing, and every
bad row is reported with its line, column, value and reason.

Every test runs on SQLite and on PostgreSQL (the `store` fixture), in the factory coalition.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from ramstein.domain.pledges import Pledge, YearPlan, YearStatus
from ramstein.domain.releasability import Principal
from ramstein.interchange.sheets import FileRefused
from ramstein.services import imports, pledges
from ramstein.services.imports import Action, ImportReport
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests.factories import CLOCK, Principals, setup_coalition, snapshot

PLEDGES = (
    "ref,item_type,quantity,value,years,announced_on,status\n"
    "P-1,155mm-shell,100,300000,2025-2027,2025-01-15,committed\n"
    "P-2,fpv-drone,10,,2025-2026,2025-01-15,\n"  # worth 10 x EUR 420.50 = EUR 4,205
)
YEARS = (
    "pledge_ref,pledge_id,year,amount_eur,status\n"
    "P-1,,2025,100000,committed\n"
    "P-1,,2026,120000.50,\n"
    ",1,2027,50000,cancelled\n"
    "P-2,,2025,4205,Delivered\n"
)


@pytest.fixture
def coalition(store: Store) -> Principals:
    made = setup_coalition(store)
    run(store, made.chair, "pledges", PLEDGES)
    return made


def run(store: Store, actor: Principal, kind: str, data: str, **options: object) -> ImportReport:
    return imports.import_file(
        store=store,
        actor=actor,
        kind=kind,
        data=data.encode(),
        name=f"{kind}.csv",
        clock=CLOCK,
        **options,  # type: ignore[arg-type]
    )


def refused(store: Store, actor: Principal, data: str) -> list[tuple[int, str, str, str]]:
    """The problems of a years file the import refuses, having checked it wrote nothing."""
    before = snapshot(store)
    with pytest.raises(FileRefused) as caught:
        run(store, actor, "pledge-years", data)
    assert snapshot(store) == before, "a refused import changed the log or the records"
    return [(p.line, p.column, p.value, p.reason) for p in caught.value.problems]


def logged_since(store: Store, size: int) -> list[str]:
    e = t.log_entries
    with store.read() as conn:
        return list(
            conn.execute(sa.select(e.c.event_type).where(e.c.seq > size).order_by(e.c.seq))
            .scalars()
            .all()
        )


def pledge(store: Store, viewer: Principal, pledge_id: int) -> Pledge:
    with store.read() as conn:
        return pledges.get_pledge(conn=conn, viewer=viewer, pledge_id=pledge_id)


def test_each_row_plans_a_year_of_its_pledge_and_the_same_file_again_changes_nothing(
    store: Store, coalition: Principals
) -> None:
    before = snapshot(store).log_size

    first = run(store, coalition.chair, "pledge-years", YEARS)

    assert [(c.line, c.ref, c.action, c.record) for c in first.changes] == [
        (2, "P-1/2025", Action.CREATE, 1),
        (3, "P-1/2026", Action.CREATE, 1),
        (4, "#1/2027", Action.CREATE, 1),
        (5, "P-2/2025", Action.CREATE, 2),
    ]
    # a cancelled year is planned, then cancelled; a delivered one committed, then delivered
    assert logged_since(store, before) == ["PledgeYearPlanned"] * 6
    assert pledge(store, coalition.observer, 1).year_plans == (
        YearPlan(2025, Decimal("100000"), YearStatus.COMMITTED),
        YearPlan(2026, Decimal("120000.50"), YearStatus.INDICATIVE),
        YearPlan(2027, Decimal("50000"), YearStatus.CANCELLED),
    )
    assert pledge(store, coalition.observer, 2).year_plans == (
        YearPlan(2025, Decimal("4205"), YearStatus.DELIVERED),
    )

    unchanged = snapshot(store)
    again = run(store, coalition.chair, "pledge-years", YEARS)
    assert (again.unchanged, again.entries) == (4, 0)
    assert snapshot(store) == unchanged


def test_a_changed_row_re_plans_its_year_and_money_can_move_between_years(
    store: Store, coalition: Principals
) -> None:
    chair = coalition.chair
    run(
        store,
        chair,
        "pledge-years",
        "pledge_ref,year,amount_eur\nP-1,2025,100000\nP-1,2026,200000\n",
    )
    before = snapshot(store).log_size

    # EUR 100,000 moves from 2026 to 2025: in the file's order the first step would exceed
    # the EUR 300,000 the pledge is worth, so the lowering row is applied first
    report = run(
        store,
        chair,
        "pledge-years",
        "pledge_ref,year,amount_eur,status\nP-1,2025,200000,committed\nP-1,2026,100000,\n",
    )

    assert [(c.line, c.action, c.fields) for c in report.changes] == [
        (2, Action.UPDATE, ("amount_eur", "status")),
        (3, Action.UPDATE, ("amount_eur",)),
    ]
    assert logged_since(store, before) == ["PledgeYearPlanned"] * 2
    assert pledge(store, chair, 1).year_plans == (
        YearPlan(2025, Decimal("200000"), YearStatus.COMMITTED),
        YearPlan(2026, Decimal("100000"), YearStatus.INDICATIVE),
    )
    # an empty amount keeps the year's amount; the status alone moves on
    run(store, chair, "pledge-years", "pledge_ref,year,amount_eur,status\nP-1,2026,,committed\n")
    assert pledge(store, chair, 1).year_plan(2026) == YearPlan(
        2026, Decimal("100000"), YearStatus.COMMITTED
    )


def test_bad_rows_are_each_reported_and_nothing_is_planned(
    store: Store, coalition: Principals
) -> None:
    chair = coalition.chair
    run(store, chair, "pledge-years", "pledge_ref,year,amount_eur,status\nP-2,2026,100,cancelled\n")

    problems = refused(
        store,
        chair,
        "pledge_ref,pledge_id,year,amount_eur,status\n"
        "P-9,,2025,100,\n"  # no such pledge
        ",77,2025,100,\n"  # nor this one
        "P-1,,2031,100,\n"  # a year the pledge does not cover
        "P-1,,2025,300000.01,\n"  # more than the pledge is worth
        "P-1,,2026,100,maybe\n"  # no status
        "P-1,,2027,,\n"  # a new year needs its amount
        "P-2,,2026,100,committed\n"  # a cancelled year stays cancelled
        "P-2,,2025,10,indicative\n"
        "P-2,,2025,10,\n"  # the same year again
        "P-1,,2025.5,1,\n",
    )

    assert problems == [
        (2, "pledge_ref", "P-9", "no pledge has this reference"),
        (3, "pledge_id", "77", "There is no pledge 77."),
        (4, "year", "2031", "Pledge 1 covers 2025-2027, not 2031."),
        (5, "amount_eur", "300000.01", "The years of pledge 1 would add up to EUR 300,000.01, "
         "more than the EUR 300,000.00 it is worth."),
        (6, "status", "maybe", "one of indicative, committed, delivered, cancelled"),
        (7, "amount_eur", "", "required: 2027 of pledge 1 is not planned"),
        (8, "status", "committed", "2026 of pledge 2 is cancelled; it cannot change."),
        (10, "year", "2025", "the same pledge and year as line 9"),
        (11, "year", "2025.5", "a year such as 2027, not a fraction"),
    ]  # fmt: skip


def test_only_the_donor_or_the_chair_plans_a_pledges_years(
    store: Store, coalition: Principals
) -> None:
    problems = refused(store, coalition.donor("GBR"), "pledge_ref,year,amount_eur\nP-1,2025,1\n")

    assert [(line, column, value) for line, column, value, _ in problems] == [
        (2, "pledge_ref", "P-1")
    ]
    assert "Only" in problems[0][3]


def test_the_years_of_a_pledge_that_is_no_longer_open_cannot_change(
    store: Store, coalition: Principals
) -> None:
    chair = coalition.chair
    run(store, chair, "pledge-years", "pledge_ref,year,amount_eur\nP-1,2025,1000\n")
    run(
        store,
        chair,
        "pledges",
        "ref,item_type,quantity,status,cancel_reason\nP-1,155mm-shell,100,cancelled,needed\n",
    )

    assert run(
        store, chair, "pledge-years", "pledge_ref,year,amount_eur\nP-1,2025,1000\n"
    ).unchanged
    assert refused(store, chair, "pledge_ref,year,amount_eur\nP-1,2025,2000\n") == [
        (2, "pledge_ref", "P-1",
         "pledge 1 is cancelled; the years of a pledge that is no longer open cannot change"),
    ]  # fmt: skip
