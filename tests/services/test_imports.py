"""Importing needs, pledges and deliveries from a file: all rows or none, each change logged.

Every test runs on SQLite and on PostgreSQL (the `store` fixture), in the factory coalition;
the tests of known bugs at the end, on SQLite only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from ramstein.domain.deliveries import DeliveryStatus
from ramstein.domain.errors import InvalidValue, NotPermitted
from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.pledges import Money, Pledge, PledgeStatus
from ramstein.domain.releasability import Label, Principal, Releasability
from ramstein.interchange.sheets import FileRefused
from ramstein.services import deliveries, imports, needs, pledges
from ramstein.services.imports import Action, ImportReport
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests.factories import CLOCK, Principals, setup_coalition, snapshot

Problems = list[tuple[int, str, str, str]]

NEEDS = (
    "Ref,Item type,Qty,Priority,Needed by,Raised on,Rationale\n"
    'N-1,155mm-shell,"20,000",P1,2025-06-30,2025-01-10,counter-battery fire\n'
    "N-2,fpv-drone,5000,p2,2025-09-30,2025-01-10,\n"
)
PLEDGES = (
    "ref,item_type,quantity,value,currency,eur_rate,tranches,years,announced_on,status\n"
    'P-1,155mm-shell,100,"1,000,000.50",USD,0.92345678,60@2025-03-01; 40@2025-06-30,'
    "2025-2026,2025-01-15,committed\n"
)
DELIVERIES = "ref,pledge_ref,tranche,quantity,dispatched_on,note\nD-1,P-1,1,50,2025-03-05,by rail\n"
RECEIPTS = (
    "ref,pledge_ref,tranche,quantity,dispatched_on,received_quantity,received_on,discrepancy\n"
    "D-1,P-1,1,50,2025-03-05,48,2025-03-09,2 damaged\n"
)


def run(
    store: Store, actor: Principal, kind: str, data: str | bytes, **options: object
) -> ImportReport:
    raw = data.encode() if isinstance(data, str) else data
    name = str(options.pop("name", f"{kind}.csv"))
    return imports.import_file(
        store=store,
        actor=actor,
        kind=kind,
        data=raw,
        name=name,
        clock=CLOCK,
        **options,
    )


def refused(
    store: Store, actor: Principal, kind: str, data: str | bytes, **options: object
) -> Problems:
    """The problems of a file the import refuses, having checked that it wrote nothing."""
    before = snapshot(store)
    with pytest.raises(FileRefused) as caught:
        run(store, actor, kind, data, **options)
    assert snapshot(store) == before, "a refused import changed the log or the records"
    return [(p.line, p.column, p.value, p.reason) for p in caught.value.problems]


def logged_since(store: Store, size: int) -> list[str]:
    """The event types appended to the log after its first `size` entries."""
    e = t.log_entries
    with store.read() as conn:
        query = sa.select(e.c.event_type).where(e.c.seq > size).order_by(e.c.seq)
        return list(conn.execute(query).scalars())


def size(store: Store) -> int:
    return snapshot(store).log_size


def the_pledge(store: Store, viewer: Principal, ref: str = "P-1") -> Pledge:
    with store.read() as conn:
        found = [p for p in pledges.list_pledges(conn=conn, viewer=viewer) if p.external_ref == ref]
    (pledge,) = found
    return pledge


def workbook(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- creating records -------------------------------------------------------------------


def test_needs_are_submitted_from_a_csv(store: Store, coalition: Principals) -> None:
    before = size(store)

    report = run(store, coalition.recipient, "needs", NEEDS)

    assert (report.created, report.updated, report.unchanged, report.entries) == (2, 0, 0, 2)
    assert [(c.line, c.ref, c.action) for c in report.changes] == [
        (2, "N-1", Action.CREATE),
        (3, "N-2", Action.CREATE),
    ]
    assert logged_since(store, before) == ["NeedSubmitted", "NeedSubmitted"]
    with store.read() as conn:
        need = needs.get_need(conn=conn, viewer=coalition.chair, need_id=report.changes[0].record)
    assert (need.external_ref, need.recipient, need.item_type, need.quantity) == (
        "N-1",
        "UKR",
        "155mm-shell",
        20000,
    )
    assert (need.priority, need.needed_by, need.raised_on) == (
        Priority.P1,
        date(2025, 6, 30),
        date(2025, 1, 10),
    )
    assert need.rationale == "counter-battery fire"


def test_a_pledge_with_tranches_and_a_dollar_value_is_announced_from_a_workbook(
    store: Store, coalition: Principals
) -> None:
    deu = coalition.donor("DEU")
    data = workbook(
        {
            "Read me": [["Pledges of Germany, January 2025"]],
            "pledges": [
                ["Ref", "Item", "Qty", "Value", "Currency", "Rate", "Schedule", "Year", "Date"],
                ["DEU-0042", "155mm-shell", 10000, 12500000, "USD", 0.9215,
                 "6000@2025-03-31; 4000@2025-06-30", "2025-2026", datetime(2025, 1, 15)],
            ],
        }
    )  # fmt: skip

    report = run(store, deu, "pledges", data, name="pledges.xlsx")

    assert report.created == 1
    pledge = the_pledge(store, deu, "DEU-0042")
    assert (pledge.donor, pledge.item_type, pledge.quantity) == ("DEU", "155mm-shell", 10000)
    assert pledge.value == Money(Decimal("12500000"), "USD", Decimal("0.9215"))
    assert pledge.value.eur == Decimal("11518750.00")
    assert [(tr.quantity, tr.expected_on) for tr in pledge.tranches] == [
        (6000, date(2025, 3, 31)),
        (4000, date(2025, 6, 30)),
    ]
    assert (pledge.years, pledge.announced_on) == ((2025, 2026), date(2025, 1, 15))


def test_a_rate_given_to_the_import_is_recorded_on_rows_without_their_own(
    store: Store, coalition: Principals
) -> None:
    deu = coalition.donor("DEU")
    data = (
        "ref,item_type,quantity,value,currency,eur_rate\n"
        "P-1,155mm-shell,10,1000000,USD,\n"
        "P-2,155mm-shell,10,1000000,USD,0.95\n"
        "P-3,155mm-shell,10,1000000,GBP,\n"
    )

    run(store, deu, "pledges", data, rates={"USD": Decimal("0.92"), "GBP": Decimal("1.17")})

    assert [the_pledge(store, deu, ref).value for ref in ("P-1", "P-2", "P-3")] == [
        Money(Decimal("1000000"), "USD", Decimal("0.92")),
        Money(Decimal("1000000"), "USD", Decimal("0.95")),
        Money(Decimal("1000000"), "GBP", Decimal("1.17")),
    ]


def test_deliveries_are_recorded_and_their_receipt_confirmed(
    store: Store, coalition: Principals
) -> None:
    deu = coalition.donor("DEU")
    run(store, deu, "pledges", PLEDGES, rates={})
    before = size(store)

    recorded = run(store, deu, "deliveries", DELIVERIES)
    received = run(store, coalition.recipient, "deliveries", RECEIPTS)

    assert (recorded.created, received.updated) == (1, 1)
    assert received.changes[0].fields == ("received_quantity",)
    assert logged_since(store, before) == [
        "DeliveryRecorded",
        "PledgeStatusChanged",
        "ReceiptConfirmed",
    ]
    with store.read() as conn:
        delivery = deliveries.get_delivery(
            conn=conn, viewer=deu, delivery_id=recorded.changes[0].record
        )
    assert (delivery.external_ref, delivery.quantity, delivery.note) == ("D-1", 50, "by rail")
    assert delivery.status is DeliveryStatus.RECEIVED
    assert (delivery.received_quantity, delivery.received_on) == (48, date(2025, 3, 9))
    assert delivery.discrepancy == "2 damaged"
    assert the_pledge(store, deu).status is PledgeStatus.DELIVERING


def test_accepted_forms_semicolons_a_bom_hxl_tags_serial_dates_and_separators(
    store: Store, coalition: Principals
) -> None:
    data = (
        "\ufeffref;item_type;quantity;priority;needed_by\n"
        "#meta+id;#item+code;#indicator+num;;#date+due\n"
        "N-1;155mm-shell;1,250,000;P1;46112\n"
    )
    book = workbook(
        {
            "needs": [
                ["ref", "item_type", "quantity", "priority", "needed_by"],
                ["N-2", "fpv-drone", 500, "P2", 46112],
                ["N-3", "fpv-drone", 500.0, "P3", datetime(2026, 3, 31)],
            ]
        }
    )

    run(store, coalition.recipient, "needs", data)
    run(store, coalition.recipient, "needs", book, name="needs.xlsx")

    with store.read() as conn:
        found = needs.list_needs(conn=conn, viewer=coalition.recipient)
    assert sorted((n.external_ref, n.quantity, n.needed_by) for n in found) == [
        ("N-1", 1250000, date(2026, 3, 31)),
        ("N-2", 500, date(2026, 3, 31)),
        ("N-3", 500, date(2026, 3, 31)),
    ]


def test_a_restricted_record_keeps_its_label_and_named_participants(
    store: Store, coalition: Principals
) -> None:
    data = (
        "ref,item_type,quantity,priority,needed_by,releasability,releasable_to\n"
        "N-1,iris-t-slm,2,P1,2025-12-31,restricted,deu gbr\n"
    )

    report = run(store, coalition.recipient, "needs", data)

    with store.read() as conn:
        need = needs.get_need(conn=conn, viewer=coalition.chair, need_id=report.changes[0].record)
        hidden = needs.list_needs(conn=conn, viewer=coalition.donor("POL"))
    assert need.label == Label(Releasability.RESTRICTED, frozenset({"DEU", "GBR"}))
    assert hidden == []


def test_a_file_with_only_a_header_imports_nothing(store: Store, coalition: Principals) -> None:
    before = snapshot(store)

    report = run(store, coalition.recipient, "needs", NEEDS.splitlines()[0] + "\n")

    assert (report.changes, report.entries) == ((), 0)
    assert snapshot(store) == before


# --- importing again --------------------------------------------------------------------


def test_importing_the_same_files_again_changes_nothing(
    store: Store, coalition: Principals
) -> None:
    deu, ukr = coalition.donor("DEU"), coalition.recipient
    files = [
        (ukr, "needs", NEEDS),
        (deu, "pledges", PLEDGES),
        (deu, "deliveries", DELIVERIES),
        (ukr, "deliveries", RECEIPTS),
    ]
    again = []
    for actor, kind, data in files:
        run(store, actor, kind, data)
        before = snapshot(store)
        again.append(run(store, actor, kind, data))
        assert snapshot(store) == before, f"importing {kind} again changed the store"

    assert [(r.unchanged, r.created, r.updated, r.entries) for r in again] == [
        (2, 0, 0, 0),
        (1, 0, 0, 0),
        (1, 0, 0, 0),
        (1, 0, 0, 0),
    ]


def test_a_revised_quantity_is_logged_as_a_pledge_revision(
    store: Store, coalition: Principals
) -> None:
    deu = coalition.donor("DEU")
    run(store, deu, "pledges", PLEDGES)
    before = size(store)

    report = run(store, deu, "pledges", PLEDGES.replace(",100,", ",120,"))

    assert [(c.action, c.fields) for c in report.changes] == [(Action.UPDATE, ("quantity",))]
    assert report.entries == 1
    assert logged_since(store, before) == ["PledgeRevised"]
    assert the_pledge(store, deu).quantity == 120


def test_an_added_tranche_is_scheduled_and_a_moved_one_revised(
    store: Store, coalition: Principals
) -> None:
    deu = coalition.donor("DEU")
    first = "ref,item_type,quantity,tranches\nP-1,155mm-shell,100,60@2025-03-01\n"
    run(store, deu, "pledges", first)
    before = size(store)

    report = run(store, deu, "pledges", first.replace("60@2025-03-01", "60@2025-03-15;40@46143"))

    assert report.changes[0].fields == ("tranches",)
    assert logged_since(store, before) == ["TrancheRevised", "TrancheScheduled"]
    tranches = the_pledge(store, deu).tranches
    assert [(tr.quantity, tr.expected_on, tr.promised_on) for tr in tranches] == [
        (60, date(2025, 3, 15), date(2025, 3, 1)),  # the first promise is kept, for slippage
        (40, date(2026, 5, 1), date(2026, 5, 1)),
    ]


def test_a_status_in_the_file_moves_the_pledge_through_the_normal_commands(
    store: Store, coalition: Principals
) -> None:
    deu = coalition.donor("DEU")
    contracted = PLEDGES.replace("committed", "contracted")
    before = size(store)

    run(store, deu, "pledges", contracted)
    cancelled = contracted.replace("status", "status,cancel_reason").replace(
        "contracted\n", "cancelled,stocks needed at home\n"
    )
    run(store, deu, "pledges", cancelled)

    assert logged_since(store, before) == ["PledgeAnnounced"] + ["PledgeStatusChanged"] * 3
    pledge = the_pledge(store, deu)
    assert (pledge.status, pledge.cancel_reason) == (
        PledgeStatus.CANCELLED,
        "stocks needed at home",
    )


# --- refusing ---------------------------------------------------------------------------


def test_a_status_the_rules_do_not_allow_is_refused(store: Store, coalition: Principals) -> None:
    deu = coalition.donor("DEU")
    run(store, deu, "pledges", PLEDGES)

    backwards = refused(store, deu, "pledges", PLEDGES.replace("committed", "announced"))
    delivered = refused(store, deu, "pledges", PLEDGES.replace("committed", "delivered"))

    assert backwards == [
        (2, "status", "announced", "A pledge that is committed cannot become announced; from "
         "committed it may become: cancelled, contracted, delivering."),
    ]  # fmt: skip
    assert delivered == [
        (2, "status", "delivered",
         "pledge 1 is committed; import its deliveries and its status follows"),
    ]  # fmt: skip


def test_bad_rows_deep_in_a_long_file_are_each_found_and_the_good_rows_report_in_order(
    store: Store, coalition: Principals
) -> None:
    count = 3 * imports.CHUNK + 7
    lines = [f"L-{n},DEU,155mm-shell,{n},2025-01-15" for n in range(1, count + 1)]
    header = "ref,donor,item_type,quantity,announced_on\n"
    good = header + "\n".join(lines) + "\n"
    bad_lines = list(lines)
    bad_lines[imports.CHUNK + 4] = f"L-{imports.CHUNK + 5},DEU,nonesuch,5,2025-01-15"
    bad_lines[2 * imports.CHUNK + 1] = "L-1,DEU,155mm-shell,9,2025-01-15"
    bad = header + "\n".join(bad_lines) + "\n"

    problems = refused(store, coalition.chair, "pledges", bad)
    assert [(line, column, value) for line, column, value, _ in problems] == [
        (imports.CHUNK + 6, "item_type", "nonesuch"),
        (2 * imports.CHUNK + 3, "ref", "L-1"),
    ]

    report = run(store, coalition.chair, "pledges", good)
    assert [(c.line, c.action) for c in report.changes] == [
        (n + 1, Action.CREATE) for n in range(1, count + 1)
    ]
    with store.read() as conn:
        made = pledges.list_pledges(conn=conn, viewer=coalition.chair)
    assert sorted(p.quantity for p in made) == list(range(1, count + 1))
    assert run(store, coalition.chair, "pledges", good).entries == 0


def test_one_bad_row_writes_nothing_and_every_bad_row_is_listed(
    store: Store, coalition: Principals
) -> None:
    data = (
        "ref,donor,item_type,quantity,announced_on,value,currency,tranches\n"
        "P-1,DEU,155mm-shell,100,2025-01-15,,,\n"
        "P-2,DEU,nonesuch,100,2025-01-15,,,\n"
        "P-3,DEU,155mm-shell,1.250.000,2025-01-15,,,\n"
        "P-4,XXX,155mm-shell,100,2025-01-15,,,\n"
        "P-5,DEU,155mm-shell,100,31/03/2025,,,\n"
        "P-6,DEU,155mm-shell,100,2025-01-15,5000,USD,\n"
        "P-1,GBR,155mm-shell,100,2025-01-15,,,\n"
        "P-7,DEU,155mm-shell,100,2025-01-15,,,60@2025-03-01;60@2025-04-01\n"
        "P-8,DEU,155mm-shell,99999999999999,2025-01-15,,,\n"
    )

    problems = refused(store, coalition.chair, "pledges", data)

    assert [(line, column, value) for line, column, value, _ in problems] == [
        (3, "item_type", "nonesuch"),
        (4, "quantity", "1.250.000"),
        (5, "donor", "XXX"),
        (6, "announced_on", "31/03/2025"),
        (7, "eur_rate", ""),
        (8, "ref", "P-1"),
        (9, "tranches", "60@2025-03-01;60@2025-04-01"),
        (10, "quantity", "99999999999999"),
    ]
    assert [reason for *_, reason in problems] == [
        "There is no item type nonesuch.",
        "a whole number: write the decimal point as '.', and thousands as ',' or nothing",
        "There is no participant XXX.",
        "a date as YYYY-MM-DD: day and month in this order are ambiguous",
        "a value in USD needs its rate (EUR per USD)",
        "the same ref as an earlier row of the file",
        "The tranches add up to 120, more than the 100 pledged.",
        "a whole number of at most 1,000,000,000,000",
    ]
    with store.read() as conn:
        assert pledges.list_pledges(conn=conn, viewer=coalition.chair) == []


def test_deliveries_that_break_the_rules_are_refused(store: Store, coalition: Principals) -> None:
    deu = coalition.donor("DEU")
    run(store, deu, "pledges", PLEDGES)
    run(store, deu, "deliveries", DELIVERIES)
    run(store, coalition.recipient, "deliveries", RECEIPTS)
    data = (
        "ref,pledge_ref,tranche,quantity,dispatched_on,received_quantity,received_on\n"
        "D-1,P-1,1,50,2025-03-05,50,2025-03-09\n"
        "D-2,P-1,1,11,2025-03-06,,\n"
        "D-3,P-404,1,5,2025-03-06,,\n"
        "D-4,P-1,7,5,2025-03-06,,\n"
    )

    problems = refused(store, coalition.chair, "deliveries", data)

    assert [(line, column) for line, column, _, _ in problems] == [
        (2, "received_quantity"),
        (3, "quantity"),
        (4, "pledge_ref"),
        (5, "tranche"),
    ]
    assert "a confirmed receipt cannot change" in problems[0][3]
    assert (
        problems[1][3]
        == "Tranche 1 of pledge 1 has 10 of 60 left to deliver; 11 is more than that."
    )
    assert problems[2][2:] == ("P-404", "no pledge has this reference")


def test_a_recorded_dispatch_cannot_change(store: Store, coalition: Principals) -> None:
    deu = coalition.donor("DEU")
    run(store, deu, "pledges", PLEDGES)
    run(store, deu, "deliveries", DELIVERIES)

    problems = refused(store, deu, "deliveries", DELIVERIES.replace(",50,", ",55,"))

    assert [(line, column, value) for line, column, value, _ in problems] == [(2, "quantity", "55")]
    assert problems[0][3].endswith("record the difference as another delivery)")


UNREADABLE = [
    (b"%PDF-1.4\n1 0 obj\n", "a PDF document, not a spreadsheet"),
    (b"", "the file is empty"),
    ("ref,rationale\nN-1,f\xfcr den Winter\n".encode("latin-1"), "not UTF-8 text"),
    (b"reference,thing\nN-1,x\n", "not a column of needs"),
]


def test_a_file_that_cannot_be_read_is_refused_and_writes_nothing(
    store: Store, coalition: Principals
) -> None:
    for data, reason in UNREADABLE:
        problems = refused(store, coalition.recipient, "needs", data)

        assert any(reason in problem for *_, problem in problems), (reason, problems)


def test_only_the_chair_the_recipient_and_donors_may_import(
    store: Store, coalition: Principals
) -> None:
    before = snapshot(store)

    with pytest.raises(NotPermitted):
        run(store, coalition.observer, "needs", NEEDS)
    with pytest.raises(InvalidValue, match="'meetings' cannot be imported"):
        run(store, coalition.chair, "meetings", NEEDS)

    assert snapshot(store) == before


# --- dry run ----------------------------------------------------------------------------


def test_a_dry_run_reports_what_would_change_and_writes_nothing(
    store: Store, coalition: Principals
) -> None:
    deu = coalition.donor("DEU")
    run(store, deu, "pledges", PLEDGES)
    changed = PLEDGES.replace(",100,", ",120,") + PLEDGES.splitlines()[1].replace("P-1", "P-2")
    before = snapshot(store)

    dry = run(store, deu, "pledges", changed, dry_run=True)

    assert snapshot(store) == before
    assert dry.dry_run
    assert [(c.ref, c.action, c.fields) for c in dry.changes] == [
        ("P-1", Action.UPDATE, ("quantity",)),
        ("P-2", Action.CREATE, ()),
    ]
    assert dry.entries == 3  # the revision; the announcement and its status change
    assert dry.summary() == (
        "pledges.csv: 2 pledges read; 1 would be created, 1 updated, 0 unchanged (3 log entries)."
    )
    real = run(store, deu, "pledges", changed)
    assert (real.changes, real.entries) == (dry.changes, dry.entries)


def test_a_dry_run_of_a_bad_file_reports_its_problems(store: Store, coalition: Principals) -> None:
    data = NEEDS.replace("fpv-drone", "hovercraft")

    problems = refused(store, coalition.recipient, "needs", data, dry_run=True)

    assert [(line, reason) for line, _, _, reason in problems] == [
        (3, "There is no item type hovercraft.")
    ]


# --- known bugs (fixes pending in services/imports.py) ----------------------------------
# The bugs are in the import's logic, not in a database: these run on SQLite only.


@pytest.fixture
def sqlite_coalition(sqlite_store: Store) -> Principals:
    """The factory coalition on SQLite."""
    return setup_coalition(sqlite_store)


def test_a_quantity_cut_together_with_its_tranches_is_applied(
    sqlite_store: Store, sqlite_coalition: Principals
) -> None:
    deu = sqlite_coalition.donor("DEU")
    run(sqlite_store, deu, "pledges", PLEDGES)

    run(sqlite_store, deu, "pledges", PLEDGES.replace(",100,", ",80,").replace("40@", "20@"))

    pledge = the_pledge(sqlite_store, deu)
    assert (pledge.quantity, [tr.quantity for tr in pledge.tranches]) == (80, [60, 20])


def test_a_ref_another_donor_used_is_not_matched_to_their_pledge(
    sqlite_store: Store, sqlite_coalition: Principals
) -> None:
    run(sqlite_store, sqlite_coalition.donor("DEU"), "pledges", PLEDGES)
    gbr = sqlite_coalition.donor("GBR")
    before = snapshot(sqlite_store)

    try:
        report = run(sqlite_store, gbr, "pledges", PLEDGES)
    except FileRefused as refusal:  # refusing the row is a fix too, if it says why
        assert [p.column for p in refusal.problems] == ["ref"]
        assert snapshot(sqlite_store) == before
        return
    assert report.created == 1
    assert the_pledge(sqlite_store, gbr).donor == "GBR"


def test_an_unknown_catalogue_code_or_participant_is_reported_in_its_column(
    sqlite_store: Store, sqlite_coalition: Principals
) -> None:
    data = (
        "ref,donor,item_type,quantity,tranches\n"
        "P-1,DEU,nonesuch,100,\n"
        "P-2,XXX,155mm-shell,100,\n"
        "P-3,DEU,155mm-shell,100,60@2025-03-01;60@2025-04-01\n"
    )

    problems = refused(sqlite_store, sqlite_coalition.chair, "pledges", data)

    assert [(line, column, value) for line, column, value, _ in problems] == [
        (2, "item_type", "nonesuch"),
        (3, "donor", "XXX"),
        (4, "tranches", "60@2025-03-01;60@2025-04-01"),
    ]


def test_the_same_pledges_file_imports_unchanged_after_a_delivery(
    sqlite_store: Store, sqlite_coalition: Principals
) -> None:
    deu = sqlite_coalition.donor("DEU")
    run(sqlite_store, deu, "pledges", PLEDGES)
    run(sqlite_store, deu, "deliveries", DELIVERIES)
    before = snapshot(sqlite_store)

    report = run(sqlite_store, deu, "pledges", PLEDGES)

    assert (report.unchanged, report.entries) == (1, 0)
    assert snapshot(sqlite_store) == before


def test_a_need_is_withdrawn_by_its_status_column_with_the_reason_given(
    sqlite_store: Store, sqlite_coalition: Principals
) -> None:
    ukr = sqlite_coalition.recipient
    report = run(sqlite_store, ukr, "needs", NEEDS)
    withdrawn = NEEDS.replace("Rationale\n", "Rationale,Status,Withdraw reason\n")
    withdrawn = withdrawn.replace(
        "counter-battery fire\n", "counter-battery fire,withdrawn,covered by the Czech initiative\n"
    ).replace("2025-01-10,\n", "2025-01-10,,,\n")
    without_reason = withdrawn.replace(",covered by the Czech initiative", ",")
    before = snapshot(sqlite_store)

    problems = refused(sqlite_store, ukr, "needs", without_reason)
    assert [(line, column) for line, column, _, _ in problems] == [(2, "withdraw_reason")]
    assert "Say why the need is withdrawn" in problems[0][3]
    assert snapshot(sqlite_store) == before

    again = run(sqlite_store, ukr, "needs", withdrawn)
    assert [(c.line, c.fields) for c in again.changes if c.action is Action.UPDATE] == [
        (2, ("status",))
    ]
    with sqlite_store.read() as conn:
        need = needs.get_need(conn=conn, viewer=ukr, need_id=report.changes[0].record)
    assert need.status is NeedStatus.WITHDRAWN
    assert run(sqlite_store, ukr, "needs", withdrawn).entries == 0


def test_a_changed_date_raised_is_not_reported_unchanged(
    sqlite_store: Store, sqlite_coalition: Principals
) -> None:
    ukr = sqlite_coalition.recipient
    run(sqlite_store, ukr, "needs", NEEDS)

    try:
        report = run(sqlite_store, ukr, "needs", NEEDS.replace("2025-01-10", "2025-01-12"))
    except FileRefused as refusal:  # refusing it (it cannot change) is a fix too
        assert {p.column for p in refusal.problems} == {"raised_on"}
        return
    assert report.unchanged == 0
