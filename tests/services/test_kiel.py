"""Importing the real Kiel Tracker release 29: Ramstein's analytics then give the Tracker's own
published figures; a second import changes nothing; the export is the release again."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ramstein.domain.errors import NotPermitted
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import PledgeStatus
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Releasability, Role
from ramstein.interchange import kiel as files
from ramstein.interchange.kiel import ReleaseRefused
from ramstein.services import analytics, kiel, maintenance, participants, pledges, sources
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests import factories as f
from tests.interchange.kiel_data import (
    BN,
    RELEASE_29,
    SIX,
    assert_same_cells,
    copy_release,
    replace_cell,
    tracker_donors,
    tracker_months,
    weapon_systems,
)

CHAIR = Principal(participant=None, roles=frozenset({Role.CHAIR}), user="kiel-test")
AT = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def _import(store: Store, folder: Path = RELEASE_29, **options: object) -> kiel.KielReport:
    return kiel.import_release(
        store=store,
        actor=CHAIR,
        release=files.read_release(folder),
        clock=lambda: AT,
        **options,  # type: ignore[arg-type]
    )


def _log_size(store: Store) -> int:
    return maintenance.status(store=store).log_size


def test_release_29_reproduces_the_trackers_figures_and_comes_back_out_unchanged(
    store: Store, tmp_path: Path
) -> None:
    started = time.perf_counter()
    report = _import(store)
    seconds = time.perf_counter() - started
    print(f"\nimport of release 29 on {store.dialect}: {seconds:.1f} s, {report.entries} entries")
    assert seconds < 120
    assert report.source == "created"
    assert report.counts["allocations"] == {"created": 1450}
    assert report.counts["weapons"] == {"created": weapon_systems()}
    assert report.counts["participants"] == {"created": 42}
    assert report.entries == _log_size(store)

    with store.read() as conn:
        months = analytics.monthly(conn=conn, viewer=PUBLIC_VIEWER)
        donors = {d.donor: d for d in analytics.donors(conn=conn, viewer=PUBLIC_VIEWER)}
        weapons = [
            p
            for p in pledges.list_pledges(conn=conn, viewer=PUBLIC_VIEWER)
            if (p.external_ref or "").startswith("kiel-ust:weapons:")
        ]
        eu = participants.get_participant(conn=conn, viewer=PUBLIC_VIEWER, code="EU")

    # Monthly: the sum over donors of each month's total and its split, to the Tracker's six
    # decimals of EUR bn (exactly: every figure is whole thousands of euros).
    expected = tracker_months()
    assert [m.month for m in months] == sorted(expected)
    for m in months:
        want = expected[m.month]
        assert m.total_eur_bn == want["total"].quantize(SIX), m.month
        assert m.total_eur == want["total"] * BN, m.month
        split = {a.area: a.eur_bn for a in m.areas}
        assert split == {
            k: want[k].quantize(SIX) for k in ("military", "financial", "humanitarian")
        }

    # Donors: by ISO code, the total is the sum of the monthly totals (exactly) and the share
    # of GDP the sum of the monthly pct_gdp, to the six places the analytics give.
    tracker = tracker_donors()
    assert set(donors) == set(tracker)
    for code, (total, pct, gdp) in tracker.items():
        d = donors[code]
        assert d.pledged_eur == total * BN and d.pledged_eur_bn == total.quantize(SIX), code
        if gdp:
            assert d.pledged_pct_gdp == pct.quantize(SIX, rounding=ROUND_HALF_EVEN), code
            assert abs(100 * total / d.gdp_eur_bn - pct) < Decimal("1e-7"), code
        else:
            assert d.pledged_pct_gdp is None and pct == 0, code  # the EU: no GDP
    assert eu.kind is ParticipantKind.ORGANISATION

    # The heavy weapons are kept, delivered, and worth nothing in the money totals.
    assert len(weapons) == weapon_systems()
    assert {p.status for p in weapons} == {PledgeStatus.DELIVERED}
    assert all(p.value is not None and p.value.eur == 0 for p in weapons)
    gbr = {p.external_ref: p.quantity for p in weapons if p.donor == "GBR"}
    assert gbr["kiel-ust:weapons:GBR:Howitzers:AS-90 howitzer"] == 66

    # A second import appends nothing at all.
    again = _import(store)
    assert (again.entries, again.source) == (0, "unchanged")
    assert again.counts["allocations"] == {"unchanged": 1450}

    # The export is the release, cell by cell; importing it appends nothing.
    with store.read() as conn:
        out = files.write_release(kiel.export_release(conn=conn, viewer=PUBLIC_VIEWER), tmp_path)
    assert len(out) == 3
    assert_same_cells(tmp_path)
    size = _log_size(store)
    assert _import(store, tmp_path).entries == 0
    assert _log_size(store) == size

    # The log replays to the same state.
    rebuilt = maintenance.rebuild(store=store)
    assert rebuilt.identical


def _release_30(folder: Path) -> Path:
    """Release 29 as release 30: Australia's 2022-03 military allocation raised by 0.01 bn,
    its 2022-02 one gone, and two more M777s delivered to Ukraine by Canada."""

    def edit(name: str, lines: list[str]) -> list[str]:
        if name == "release_info.csv":
            return [lines[0], '"30","05/2026","2026-09-01","Ukraine Support Tracker, Release 30"']
        if name == "weapons.csv":
            return [
                line.replace("M777 howitzer (4)", "M777 howitzer (6)").replace(
                    '"Howitzers",4,', '"Howitzers",6,'
                )
                if line.startswith('"Canada","Howitzers"')
                else line
                for line in lines
            ]
        out = []
        for line in lines:
            if line.startswith('"Australia","AUS",2022,3,'):
                line = replace_cell(line, 4, "0.152911")
                line = replace_cell(line, 7, "0.087611")
            elif line.startswith('"Australia","AUS",2022,2,'):
                for column in (4, 7):
                    line = replace_cell(line, column, "0")
            out.append(line)
        return out

    return copy_release(folder, edit=edit)


def test_a_later_release_revises_cancels_and_adds_and_keeps_the_earlier_one(
    sqlite_store: Store, tmp_path: Path
) -> None:
    _import(sqlite_store)
    before = _log_size(sqlite_store)
    report = _import(sqlite_store, _release_30(tmp_path / "r30"))
    assert report.source == "created"
    assert report.counts["allocations"] == {"updated": 1, "cancelled": 1, "unchanged": 1448}
    assert report.counts["weapons"] == {"created": 1, "unchanged": weapon_systems() - 1}
    with sqlite_store.read() as conn:
        by_ref = {p.external_ref: p for p in pledges.list_pledges(conn=conn, viewer=PUBLIC_VIEWER)}
        logged = conn.execute(
            sa.select(t.log_entries.c.event_type).where(t.log_entries.c.seq > before)
        ).scalars()
        kept = conn.execute(sa.select(t.sources.c.release).order_by(t.sources.c.release)).all()
        history = pledges.pledge_history(
            conn=conn,
            viewer=PUBLIC_VIEWER,
            pledge_id=by_ref["kiel-ust:AUS:2022-02:military"].id,
        )
        months = {m.month: m for m in analytics.monthly(conn=conn, viewer=PUBLIC_VIEWER)}
    raised = by_ref["kiel-ust:AUS:2022-03:military"]
    assert raised.value is not None and raised.value.eur == Decimal("87611000.00")
    assert raised.version == 3  # announced, committed, revised
    gone = by_ref["kiel-ust:AUS:2022-02:military"]
    assert gone.status is PledgeStatus.CANCELLED
    assert history[-1].reason == "not in Kiel release 30"
    more = by_ref["kiel-ust:weapons:CAN:Howitzers:M777 howitzer#2"]
    assert (more.quantity, more.status) == (2, PledgeStatus.DELIVERED)
    assert sorted(logged) == sorted(
        ["SourceRecorded", "PledgeRevised", "PledgeStatusChanged"]
        + ["PledgeAnnounced", "PledgeStatusChanged", "DeliveryRecorded"]
        + ["PledgeStatusChanged", "PledgeStatusChanged"]
    )
    assert [r.release for r in kept] == ["29", "30"]  # releases are kept
    assert months["2022-03"].total_eur_bn == tracker_months()["2022-03"]["total"] + Decimal("0.01")
    with sqlite_store.read() as conn:
        out = files.write_release(
            kiel.export_release(conn=conn, viewer=PUBLIC_VIEWER), tmp_path / "out"
        )
    assert len(out) == 3
    assert_same_cells(tmp_path / "out", tmp_path / "r30")
    assert _import(sqlite_store, tmp_path / "out").entries == 0


def test_an_older_release_or_a_non_chair_is_refused_and_writes_nothing(
    sqlite_store: Store, tmp_path: Path
) -> None:
    _import(sqlite_store, _release_30(tmp_path / "r30"))
    before = f.snapshot(sqlite_store)
    with pytest.raises(ReleaseRefused) as caught:
        _import(sqlite_store)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "release_info.csv",
        2,
        "date",
        "2026-08-04",
    )
    assert "older than release 30" in problem.reason
    donor = Principal(participant="DEU", roles=frozenset({Role.DONOR}), user="deu")
    with pytest.raises(NotPermitted, match="Only the chair may import a Kiel Tracker release"):
        kiel.import_release(store=sqlite_store, actor=donor, release=files.read_release(RELEASE_29))
    assert f.snapshot(sqlite_store) == before


def test_a_rule_refused_half_way_rolls_back_the_whole_import(
    sqlite_store: Store, tmp_path: Path
) -> None:
    # Estonia is on record as the recipient: it cannot pledge. The refusal names the first
    # row it stops at; nothing of the release is kept, not even what came before.
    with sqlite_store.write(clock=lambda: AT) as uow:
        participants.register_participant(
            uow=uow,
            actor=CHAIR,
            code="EST",
            name="Estonia",
            kind=ParticipantKind.RECIPIENT,
            joined_on=date(2022, 1, 1),
        )
    before = f.snapshot(sqlite_store)
    with pytest.raises(ReleaseRefused) as caught:
        _import(sqlite_store)
    (problem,) = caught.value.problems
    assert problem.file == "data_explorer.csv" and problem.column == "military"
    assert problem.line > 1 and problem.value
    assert "the recipient; it cannot pledge" in problem.reason
    assert f.snapshot(sqlite_store) == before


def test_a_dry_run_reports_and_writes_nothing(sqlite_store: Store) -> None:
    report = _import(sqlite_store, dry_run=True)
    assert report.dry_run and report.entries > 3000
    assert "would be created" in report.summary()
    assert _log_size(sqlite_store) == 0


def test_the_same_release_republished_with_another_figure_is_recorded_again(
    sqlite_store: Store, tmp_path: Path
) -> None:
    _import(sqlite_store)

    def edit(name: str, lines: list[str]) -> list[str]:
        if name != "data_explorer.csv":
            return lines
        return [lines[0], replace_cell(lines[1], 8, "0.003"), *lines[2:]]

    report = _import(sqlite_store, copy_release(tmp_path / "again", edit=edit))
    assert (report.source, report.entries) == ("updated", 1)
    with sqlite_store.read() as conn:
        found = sources.get_source(conn=conn, source="kiel-ust", release="29")
    assert found is not None
    assert found.figures[42].figure == "commitments" and found.figures[42].value == Decimal("0.003")
    assert found.label == "Ukraine Support Tracker, Release 29 (04/2026)"
    assert found.citation.startswith("Kiel Institute for the World Economy")
    assert {r.releasability for r in _labels(sqlite_store)} == {Releasability.PUBLIC.value}


def _labels(store: Store) -> list[sa.Row[tuple[str]]]:
    with store.read() as conn:
        return list(conn.execute(sa.select(t.log_entries.c.releasability).distinct()).all())
