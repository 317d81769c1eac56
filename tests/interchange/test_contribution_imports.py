"""Importing a pooled fund's contribution register: new rows are recorded, status changes
(paid, cancelled with a reason) applied through the funds service, labels kept, the same file
again changes nothing, and every bad row is reported with its line, column, value and reason.

Every test runs on SQLite and on PostgreSQL (the `store` fixture), in the factory coalition
with the pooled fund PF.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ramstein.domain.funds import ContributionStatus, FundContribution
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import Money
from ramstein.domain.releasability import Principal
from ramstein.interchange.sheets import FileRefused
from ramstein.services import funds, imports
from ramstein.services import participants as participant_services
from ramstein.services.imports import Action, ImportReport
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests.factories import CLOCK, Principals, restricted, setup_coalition, snapshot

FUND = "PF"
REGISTER = (
    "fund,contributor,amount,currency,eur_rate,on,status,status_on,reason,note,releasability,"
    "releasable_to\n"
    'PF,DEU,"1,000,000.01",USD,0.92345678,2025-02-02,paid,2025-02-20,,,public,\n'
    "pf,gbr,250000,,,2025-02-03,,,,first half,restricted,POL\n"
    "PF,POL,10,EUR,,2025-02-04,cancelled,2025-02-21,Entered twice,,,\n"
)


@pytest.fixture
def coalition(store: Store) -> Principals:
    made = setup_coalition(store)
    with store.write(clock=CLOCK) as uow:
        participant_services.register_participant(
            uow=uow, actor=made.chair, code=FUND, name="Pooled fund", kind=ParticipantKind.FUND,
            joined_on=date(2025, 2, 1),
        )  # fmt: skip
    return made


def run(store: Store, actor: Principal, data: str, **options: object) -> ImportReport:
    return imports.import_file(
        store=store,
        actor=actor,
        kind="contributions",
        data=data.encode(),
        name="contributions.csv",
        clock=CLOCK,
        **options,  # type: ignore[arg-type]
    )


def refused(store: Store, actor: Principal, data: str) -> list[tuple[int, str, str, str]]:
    """The problems of a register the import refuses, having checked it wrote nothing."""
    before = snapshot(store)
    with pytest.raises(FileRefused) as caught:
        run(store, actor, data)
    assert snapshot(store) == before, "a refused import changed the log or the records"
    return [(p.line, p.column, p.value, p.reason) for p in caught.value.problems]


def logged_since(store: Store, size: int) -> list[str]:
    e = t.log_entries
    with store.read() as conn:
        query = sa.select(e.c.event_type).where(e.c.seq > size).order_by(e.c.seq)
        return list(conn.execute(query).scalars().all())


def contributions(store: Store, viewer: Principal) -> list[FundContribution]:
    with store.read() as conn:
        found = funds.list_contributions(conn=conn, viewer=viewer, fund=FUND)
    return sorted(found, key=lambda c: c.id)


def test_a_register_is_recorded_with_its_statuses_and_labels_and_again_changes_nothing(
    store: Store, coalition: Principals
) -> None:
    before = snapshot(store).log_size

    report = run(store, coalition.chair, REGISTER)

    assert [(c.line, c.ref, c.action) for c in report.changes] == [
        (2, "#1", Action.CREATE),
        (3, "#2", Action.CREATE),
        (4, "#3", Action.CREATE),
    ]
    assert logged_since(store, before) == [
        "ContributionRecorded", "ContributionStatusChanged", "ContributionRecorded",
        "ContributionRecorded", "ContributionStatusChanged",
    ]  # fmt: skip
    deu, gbr, pol = contributions(store, coalition.chair)
    assert (deu.contributor, deu.value, deu.on) == (
        "DEU",
        Money(Decimal("1000000.01"), "USD", Decimal("0.92345678")),
        date(2025, 2, 2),
    )
    assert (deu.status, deu.status_on, deu.label.level.value) == (
        ContributionStatus.PAID,
        date(2025, 2, 20),
        "public",
    )
    assert (gbr.status, gbr.note, gbr.label) == (
        ContributionStatus.PLEDGED,
        "first half",
        restricted("POL", FUND),  # a restricted contribution is always released to its fund
    )
    assert (pol.status, pol.status_on, pol.reason) == (
        ContributionStatus.CANCELLED,
        date(2025, 2, 21),
        "Entered twice",
    )
    assert [c.contributor for c in contributions(store, coalition.donor("NLD"))] == ["DEU", "POL"]

    unchanged = snapshot(store)
    again = run(store, coalition.chair, REGISTER)
    assert (again.unchanged, again.entries) == (3, 0)
    assert snapshot(store) == unchanged


def test_a_status_in_the_file_moves_the_contribution_and_an_export_row_finds_it_by_id(
    store: Store, coalition: Principals
) -> None:
    run(store, coalition.chair, REGISTER)
    before = snapshot(store).log_size
    header = "id,fund,contributor,amount,on,status,status_on,reason\n"

    report = run(
        store,
        coalition.donor("GBR"),
        header + "2,PF,GBR,250000,2025-02-03,paid,2025-02-25,\n",
    )
    refund = run(
        store,
        coalition.chair,
        # the first row is found by what it records, the second by its id
        "fund,contributor,amount,currency,eur_rate,on,status,reason\n"
        "PF,DEU,1000000.01,USD,0.92345678,2025-02-02,cancelled,refunded\n",
    )

    assert [(c.action, c.record, c.fields) for c in report.changes] == [
        (Action.UPDATE, 2, ("status",))
    ]
    assert [(c.action, c.record, c.fields) for c in refund.changes] == [
        (Action.UPDATE, 1, ("status",))
    ]
    assert logged_since(store, before) == ["ContributionStatusChanged"] * 2
    deu, gbr, _ = contributions(store, coalition.chair)
    assert (gbr.status, gbr.status_on) == (ContributionStatus.PAID, date(2025, 2, 25))
    assert (deu.status, deu.status_on, deu.reason) == (
        ContributionStatus.CANCELLED,
        CLOCK().date(),  # no status_on: the day of the import
        "refunded",
    )


def test_rows_alike_are_as_many_contributions_and_again_change_nothing(
    store: Store, coalition: Principals
) -> None:
    twice = "fund,contributor,amount,on\nPF,NLD,500,2025-02-10\nPF,NLD,500,2025-02-10\n"

    assert run(store, coalition.donor("NLD"), twice).created == 2
    assert run(store, coalition.donor("NLD"), twice).unchanged == 2
    assert [c.value.amount for c in contributions(store, coalition.chair)] == [500, 500]
    assert run(store, coalition.donor("NLD"), twice + "PF,NLD,500,2025-02-10\n").created == 1


def test_bad_rows_are_each_reported_and_nothing_is_recorded(
    store: Store, coalition: Principals
) -> None:
    run(store, coalition.chair, REGISTER)

    problems = refused(
        store,
        coalition.chair,
        "id,fund,contributor,amount,currency,on,status,reason\n"
        ",DEU,GBR,100,,2025-02-10,,\n"  # not a fund
        ",PF,XXX,100,,2025-02-10,,\n"  # no such contributor
        ",PF,UKR,100,,2025-02-10,,\n"  # the recipient does not contribute
        ",PF,NLD,0,,2025-02-10,,\n"
        ",PF,NLD,-5,,2025-02-10,,\n"
        ",PF,NLD,,,2025-02-10,,\n"
        ",PF,NLD,100,USD,2025-02-10,,\n"  # no rate
        ",PF,NLD,100,,2025-02-10,cancelled,\n"  # no reason
        ",PF,NLD,100,,2025-01-10,,\n"  # before the fund was set up
        "1,PF,GBR,100,,2025-02-10,,\n"  # DEU's contribution
        "2,PF,GBR,250001,,2025-02-03,,\n"  # a recorded contribution cannot change
        "3,PF,POL,10,,2025-02-04,paid,\n"  # a cancelled one stays cancelled
        "2,PF,GBR,250000,,2025-02-03,,\n",  # the same one as line 12
    )

    assert problems == [
        (2, "fund", "DEU", "Germany (DEU) is a state, not a pooled fund; register the fund as a "
         "participant of kind 'fund' first."),
        (3, "contributor", "XXX", "There is no participant XXX."),
        (4, "contributor", "UKR", "Ukraine (UKR) is a recipient; only states and organisations "
         "contribute to a fund."),
        (5, "amount", "0", "A contribution is a positive amount (got 0)."),
        (6, "amount", "-5", "A contribution is a positive amount (got -5)."),
        (7, "amount", "", "required"),
        (8, "eur_rate", "", "a value in USD needs its rate (EUR per USD)"),
        (9, "reason", "", "Say why the contribution is cancelled."),
        (10, "on", "2025-01-10", "PF was set up on 2025-02-01; a contribution cannot precede it."),
        (11, "id", "1", "contribution 1 is DEU's to PF; a contribution's fund and contributor "
         "cannot change (cancel it, and record the new one in a row without an id)"),
        (12, "amount", "250001", "contribution 2 was recorded with amount 250000; a recorded "
         "contribution cannot change (cancel it with a reason, and record a new one)"),
        (13, "status", "paid", "A contribution that is cancelled cannot become paid; from "
         "cancelled it may become: none (it is final)."),
        (14, "id", "2", "the same contribution as line 12"),
    ]  # fmt: skip


def test_a_donor_records_its_own_contributions_only(store: Store, coalition: Principals) -> None:
    problems = refused(
        store, coalition.donor("DEU"), "fund,contributor,amount,on\nPF,GBR,100,2025-02-10\n"
    )

    assert [(line, column, value) for line, column, value, _ in problems] == [
        (2, "contributor", "GBR")
    ]
    assert problems[0][3].startswith("Only GBR, PF or the chair may record contributions")
