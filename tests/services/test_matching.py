"""Matching on the live records: what a plan may use, who may read it, and what it reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from ramstein.domain.errors import InvalidValue, NotFound, NotPermitted
from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.pledges import PledgeStatus
from ramstein.domain.releasability import Principal
from ramstein.matching.stress import Capacity, cut_share, remove_donors
from ramstein.reports.forecast import Scenario
from ramstein.services import (
    analytics,
    capabilities,
    catalogue,
    maintenance,
    matching,
    needs,
    pledges,
)
from ramstein.services.analytics import PoliticalRisk
from ramstein.services.match_changes import Change, InputChange, InputKind
from ramstein.services.match_plans import StoredPlan
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import AIR_DEFENCE, BASE, CLOCK, DRONE, NOW, SHELL, Principals

DAY = timedelta(days=1)
P1, P2, P3 = Priority.P1, Priority.P2, Priority.P3


@dataclass(frozen=True)
class World:
    needs: dict[str, int]
    pledges: dict[str, int]


def build(store: Store, c: Principals) -> World:
    """Shell, air defence and drone needs, and pledges across labels.

    Shells: a P1 need only the recipient and the chair see, a P2 need for the coalition; DEU,
    GBR (restricted to itself) and POL (restricted, named to DEU) offer 150 shells on time
    and NLD 30 too late to use. Air defence: 4 needed at P1, NLD offers 1. Drones: 50 needed
    at P3, nobody offers any. Artillery and air defence each have a capability coalition.
    """
    with store.write(clock=CLOCK) as uow:
        for code, area, lead in (("artillery", "artillery", "POL"), ("iadc", "air-defence", "DEU")):
            capabilities.form_coalition(
                uow=uow, actor=c.chair, code=code, name=code, area=area, leads=[lead]
            )
    ukr = c.recipient
    on_time = [(60, BASE + 30 * DAY)]
    return World(
        needs={
            "secret": f.submit_need(store, ukr, quantity=100, priority=P1, label=f.restricted()).id,
            "shells": f.submit_need(store, ukr, quantity=500, priority=P2).id,
            "air": f.submit_need(store, ukr, item_type=AIR_DEFENCE, quantity=4, priority=P1).id,
            "drones": f.submit_need(store, ukr, item_type=DRONE, quantity=50, priority=P3).id,
        },
        pledges={
            "deu": f.announce(store, c.donor("DEU"), tranches=on_time).id,
            "gbr": f.announce(
                store,
                c.donor("GBR"),
                quantity=50,
                tranches=[(50, BASE + 30 * DAY)],
                label=f.restricted(),
            ).id,
            "pol": f.announce(
                store,
                c.donor("POL"),
                quantity=40,
                tranches=[(40, BASE + 30 * DAY)],
                label=f.restricted("DEU"),
            ).id,
            "nld-late": f.announce(
                store, c.donor("NLD"), quantity=30, tranches=[(30, BASE + 400 * DAY)]
            ).id,
            "nld-air": f.announce(
                store,
                c.donor("NLD"),
                item_type=AIR_DEFENCE,
                quantity=1,
                tranches=[(1, BASE + 30 * DAY)],
            ).id,
        },
    )


def run(
    store: Store,
    viewer: Principal,
    *,
    weights: dict[Priority, float] | None = None,
    late_penalty: float = 1.0,
) -> StoredPlan:
    return matching.run_match(
        store=store, viewer=viewer, weights=weights, late_penalty=late_penalty, clock=CLOCK
    )


def get(store: Store, viewer: Principal, plan_id: int) -> StoredPlan:
    with store.read() as conn:
        return matching.get_plan(conn=conn, viewer=viewer, plan_id=plan_id)


def listed(store: Store, viewer: Principal) -> list[int]:
    with store.read() as conn:
        return [p.id for p in matching.list_plans(conn=conn, viewer=viewer)]


def test_a_donor_plans_on_what_it_may_see_and_the_chair_on_everything(
    store: Store, coalition: Principals
) -> None:
    w = build(store, coalition)
    deu = run(store, coalition.donor("DEU"))
    chair = run(store, coalition.chair)

    assert {n.id for n in deu.inputs.needs} == {w.needs[k] for k in ("shells", "air", "drones")}
    assert {o.pledge_id for o in deu.inputs.offers} == {
        w.pledges[k] for k in ("deu", "pol", "nld-late", "nld-air")
    }
    assert {a.pledge_id for a in deu.allocations} == {
        w.pledges[k] for k in ("deu", "pol", "nld-air")
    }
    assert {a.need_id for a in deu.allocations} == {w.needs["shells"], w.needs["air"]}

    assert {n.id for n in chair.inputs.needs} == set(w.needs.values())
    assert {o.pledge_id for o in chair.inputs.offers} == set(w.pledges.values())
    # Every shell goes: the restricted P1 need first, the rest to the P2 need.
    by_need = {n: 0.0 for n in w.needs.values()}
    for a in chair.allocations:
        by_need[a.need_id] += a.need_units
    assert by_need[w.needs["secret"]] == 100 and by_need[w.needs["shells"]] == 50
    assert w.pledges["gbr"] in {a.pledge_id for a in chair.allocations}
    # An offer is the tranche's undelivered part, named pledge/tranche.
    assert {o.offer_id: o.quantity for o in chair.inputs.offers}[f"{w.pledges['deu']}/1"] == 60


def test_delivered_units_and_closed_records_are_not_offered(
    store: Store, coalition: Principals
) -> None:
    w = build(store, coalition)
    deu, gbr = coalition.donor("DEU"), coalition.donor("GBR")
    f.move(store, deu, w.pledges["deu"], PledgeStatus.COMMITTED)
    f.deliver(store, deu, w.pledges["deu"], quantity=45)
    f.move(store, gbr, w.pledges["gbr"], PledgeStatus.CANCELLED)
    with store.write(clock=CLOCK) as uow:
        needs.change_need_status(
            uow=uow,
            actor=coalition.recipient,
            need_id=w.needs["drones"],
            status=NeedStatus.COVERED,
        )

    plan = run(store, coalition.chair)

    offered = {o.pledge_id: o.quantity for o in plan.inputs.offers}
    assert offered[w.pledges["deu"]] == 15
    assert w.pledges["gbr"] not in offered
    assert w.needs["drones"] not in {n.id for n in plan.inputs.needs}


def test_a_plan_is_read_only_by_who_may_see_every_input_it_used(
    store: Store, coalition: Principals
) -> None:
    w = build(store, coalition)
    deu, gbr = coalition.donor("DEU"), coalition.donor("GBR")
    chairs = run(store, coalition.chair)
    deus = run(store, deu)
    missing = chairs.info.id + deus.info.id

    with pytest.raises(NotFound) as hidden:
        get(store, deu, chairs.info.id)
    with pytest.raises(NotFound) as absent:
        get(store, deu, missing)
    assert str(hidden.value) == f"There is no plan {chairs.info.id}."
    assert str(absent.value) == f"There is no plan {missing}."
    assert get(store, coalition.chair, deus.info.id) == deus
    assert get(store, coalition.chair, chairs.info.id) == chairs
    assert listed(store, coalition.chair) == [deus.info.id, chairs.info.id]
    assert listed(store, deu) == [deus.info.id]
    # DEU's plan used POL's pledge named to DEU alone: GBR may not read it...
    assert listed(store, gbr) == []
    with pytest.raises(NotFound):
        get(store, gbr, deus.info.id)
    # ...until POL releases it to the coalition: labels are read when the plan is.
    with store.write(clock=CLOCK) as uow:
        pledges.revise_pledge(
            uow=uow, actor=coalition.donor("POL"), pledge_id=w.pledges["pol"], label=f.PUBLIC
        )
    assert get(store, gbr, deus.info.id) == deus
    assert listed(store, gbr) == [deus.info.id]


def test_a_plan_records_its_log_position_and_who_ran_it(
    store: Store, coalition: Principals
) -> None:
    build(store, coalition)
    head = maintenance.status(store=store).log_size

    plan = run(store, coalition.donor("DEU"), weights={P1: 250.0}, late_penalty=2.5)
    f.submit_need(store, coalition.recipient)  # the log moves on; the plan does not

    stored = get(store, coalition.chair, plan.info.id)
    assert stored == plan
    info = stored.info
    assert info.log_seq == head
    assert (info.created_at, info.participant, info.user) == (NOW, "DEU", "deu")
    assert info.weights == {P1: 250.0, P2: 40.0, P3: 15.0, Priority.P4: 5.0}
    assert info.late_penalty == 2.5
    assert info.objective == sum(
        a.quantity * 250.0 if a.need_type == AIR_DEFENCE else a.quantity * 40.0
        for a in plan.allocations
    )
    assert info.units_allocated == sum(a.quantity for a in plan.allocations)
    assert info.solver.solvers == ("min_cost_flow",)


def test_the_public_cannot_store_a_plan_and_settings_are_checked(
    store: Store, coalition: Principals
) -> None:
    build(store, coalition)

    with pytest.raises(NotPermitted, match="signed-in"):
        run(store, coalition.public)
    with pytest.raises(InvalidValue, match="lateness penalty"):
        run(store, coalition.chair, late_penalty=-1.0)
    with pytest.raises(InvalidValue, match="weight of P2"):
        run(store, coalition.chair, weights={P2: float("nan")})
    assert listed(store, coalition.chair) == []


def test_rerun_reproduces_a_plan_with_a_fractional_substitution(
    store: Store, coalition: Principals
) -> None:
    w = build(store, coalition)
    with store.write(clock=CLOCK) as uow:
        catalogue.define_item(
            uow=uow,
            actor=coalition.chair,
            code="155mm-nato",
            name="155 mm (NATO)",
            area="artillery",
            unit="round",
            unit_value_eur=Decimal("3000"),
        )
        catalogue.set_substitution(
            uow=uow,
            actor=coalition.chair,
            offer_type="155mm-nato",
            need_type=SHELL,
            ratio=Decimal("0.950000"),
        )
    nato = f.announce(
        store,
        coalition.donor("NLD"),
        item_type="155mm-nato",
        quantity=21,
        tranches=[(21, BASE + 30 * DAY)],
    )
    plan = run(store, coalition.chair)
    sent = [a for a in plan.allocations if a.pledge_id == nato.id]
    assert sum(a.quantity for a in sent) == 21
    assert sum(a.need_units for a in sent) == pytest.approx(21 * 0.95)

    with store.read() as conn:
        again = matching.rerun(conn=conn, viewer=coalition.chair, plan_id=plan.info.id)

    assert again.reproduced and again.allocations.same
    assert again.objective_now == plan.info.objective
    with store.read() as conn, pytest.raises(NotFound):
        matching.rerun(conn=conn, viewer=coalition.donor("DEU"), plan_id=plan.info.id)
    assert w.needs["shells"] in {a.need_id for a in plan.allocations}


def test_diff_reports_exactly_the_revised_need_and_the_new_pledge(
    store: Store, coalition: Principals
) -> None:
    w = build(store, coalition)
    before = run(store, coalition.chair)
    with store.write(clock=CLOCK) as uow:
        needs.revise_need(
            uow=uow, actor=coalition.recipient, need_id=w.needs["shells"], quantity=30
        )
    drones = f.announce(
        store, coalition.donor("NLD"), item_type=DRONE, quantity=20, tranches=[(20, BASE)]
    )
    after = run(store, coalition.chair)

    with store.read() as conn:
        found = matching.diff(
            conn=conn, viewer=coalition.chair, before=before.info.id, after=after.info.id
        )

    shells = str(w.needs["shells"])
    assert found.inputs == (
        InputChange(InputKind.NEED, shells, Change.CHANGED, {"quantity": (500, 30)}),
        InputChange(InputKind.OFFER, f"{drones.id}/1", Change.ADDED, {}),
    )
    changes = {c.need_id: (c.before, c.after, c.delta) for c in found.needs}
    assert changes == {w.needs["shells"]: (50, 30, -20), w.needs["drones"]: (0, 20, 20)}
    assert (found.log_seq_before, found.log_seq_after) == (before.info.log_seq, after.info.log_seq)
    added = [(c.offer_id, c.need_id, c.before, c.after) for c in found.allocations.added]
    assert (f"{drones.id}/1", w.needs["drones"], 0, 20) in added
    p2 = next(p for p in found.priorities if p.priority is P2)
    assert (p2.needed_before, p2.needed_after, p2.covered_after) == (500, 30, 30)
    assert found.objective_delta == pytest.approx(after.info.objective - before.info.objective)
    with store.read() as conn:
        same = matching.diff(
            conn=conn, viewer=coalition.chair, before=before.info.id, after=before.info.id
        )
    assert same.inputs == () and same.needs == () and same.allocations.same


def test_gaps_by_area_and_coalition_come_p1_first_and_sum_to_the_needs_gaps(
    store: Store, coalition: Principals
) -> None:
    w = build(store, coalition)
    report = matching.report(run(store, coalition.chair))

    gaps = {n.need_id: n.gap for n in report.needs}
    assert gaps == {
        w.needs["secret"]: 0,
        w.needs["shells"]: 450,
        w.needs["air"]: 3,
        w.needs["drones"]: 50,
    }
    assert [(g.priority, g.area, g.gap) for g in report.area_gaps] == [
        (P1, "air-defence", 3),
        (P2, "artillery", 450),
        (P3, "drones", 50),
    ]
    # Drones have no coalition; every other area's gap is its coalition's.
    assert [(g.priority, g.coalition, g.gap) for g in report.coalition_gaps] == [
        (P1, "iadc", 3),
        (P2, "artillery", 450),
    ]
    for p in Priority:
        by_need = sum(n.gap for n in report.needs if n.priority is p)
        assert sum(g.gap for g in report.area_gaps if g.priority is p) == pytest.approx(by_need)
    shares = {s.priority: (s.needed, s.covered, s.gap) for s in report.priorities}
    assert shares[P1] == (104, 101, 3) and shares[P2] == (500, 50, 450)
    assert [(u.pledge_id, u.units_left) for u in report.unused] == [(w.pledges["nld-late"], 30)]


def test_a_new_run_solves_again_only_the_components_whose_inputs_changed(
    store: Store, coalition: Principals
) -> None:
    w = build(store, coalition)
    first = run(store, coalition.chair)
    assert not any(c.reused for c in first.info.solver.component_stats)
    with store.write(clock=CLOCK) as uow:
        needs.revise_need(uow=uow, actor=coalition.recipient, need_id=w.needs["air"], quantity=2)
    second = run(store, coalition.chair)

    stats = second.info.solver.component_stats
    # Shells are untouched and keep their allocations; the air-defence component is re-solved.
    assert sorted(c.reused for c in stats) == [False, True]
    with store.read() as conn:
        again = matching.rerun(conn=conn, viewer=coalition.chair, plan_id=second.info.id)
    assert again.reproduced  # reusing gives exactly what a fresh solve of the inputs gives
    shells = {a for a in first.allocations if a.need_type == SHELL}
    assert shells == {a for a in second.allocations if a.need_type == SHELL}


def test_an_overlap_is_warned_when_pledges_of_a_need_type_exceed_it(
    store: Store, coalition: Principals
) -> None:
    build(store, coalition)  # 50 drones needed, none offered
    first = f.announce(
        store, coalition.donor("DEU"), item_type=DRONE, quantity=30, tranches=[(30, BASE)]
    )
    alone = matching.report(run(store, coalition.chair))
    second = f.announce(
        store, coalition.donor("GBR"), item_type=DRONE, quantity=30, tranches=[(30, BASE)]
    )
    both = matching.report(run(store, coalition.chair))

    assert alone.overlaps == ()
    (overlap,) = [o for o in both.overlaps if o.item_type == DRONE]
    assert (overlap.item_type, overlap.area) == (DRONE, "drones")
    assert overlap.pledges == (first.id, second.id)
    assert (overlap.offered, overlap.needed, overlap.excess) == (60, 50, 10)


def test_one_pledge_larger_than_the_need_is_not_an_overlap(
    store: Store, coalition: Principals
) -> None:
    build(store, coalition)  # 50 drones needed
    f.announce(store, coalition.donor("DEU"), item_type=DRONE, quantity=80, tranches=[(80, BASE)])
    assert matching.report(run(store, coalition.chair)).overlaps == ()


def test_stress_reports_losses_by_area_and_coalition_that_sum_to_the_priorities(
    store: Store, coalition: Principals
) -> None:
    w = build(store, coalition)
    plan = run(store, coalition.chair)

    with store.read() as conn:
        gone = matching.stress(
            conn=conn,
            viewer=coalition.chair,
            plan_id=plan.info.id,
            scenario=remove_donors(["GBR"]),
        )
        cut = matching.stress(
            conn=conn, viewer=coalition.chair, plan_id=plan.info.id, scenario=cut_share(0.5)
        )
        ranked = matching.stress_all_donors(conn=conn, viewer=coalition.chair, plan_id=plan.info.id)

    assert gone.baseline_objective == plan.info.objective
    assert [(a.priority, a.area, a.lost_units) for a in gone.by_area] == [(P2, "artillery", 50)]
    assert [(c.priority, c.coalition, c.lost_units) for c in gone.by_coalition] == [
        (P2, "artillery", 50)
    ]
    (hurt,) = gone.hurt
    assert (hurt.need_id, hurt.area, hurt.item_type, hurt.lost_units) == (
        w.needs["shells"],
        "artillery",
        SHELL,
        50,
    )
    assert hurt.remaining == (Capacity("NLD", 30),)  # too late for this plan, but compatible
    for result in (gone, cut, *ranked):
        for p, loss in result.result.coverage_lost.items():
            by_area = sum(a.lost_units for a in result.by_area if a.priority is p)
            assert by_area == pytest.approx(loss.units)
    assert {a.area for a in cut.by_area} == {"artillery", "air-defence"}
    assert sorted(r.result.scenario.label for r in ranked) == [
        f"remove {d}" for d in ("DEU", "GBR", "NLD", "POL")
    ]
    lost = [r.result.objective_lost for r in ranked]
    assert lost == sorted(lost, reverse=True)
    with store.read() as conn, pytest.raises(NotFound):
        matching.stress_all_donors(conn=conn, viewer=coalition.donor("DEU"), plan_id=plan.info.id)


def test_a_political_risk_scenario_stresses_the_newest_plan_the_viewer_may_read(
    store: Store, coalition: Principals
) -> None:
    build(store, coalition)
    plan = run(store, coalition.chair)
    deu_stops = Scenario(stops=(("DEU", BASE),))  # before its 60 shells are available

    def risk(viewer: Principal, asked: Scenario, plan_id: int | None = None) -> PoliticalRisk:
        with store.read() as conn:
            return analytics.scenario(
                conn=conn, viewer=viewer, scenario=asked, as_of=BASE, runs=20, plan_id=plan_id
            )

    stopped = risk(coalition.chair, deu_stops).allocation
    assert stopped is not None and stopped.plan_id == plan.info.id
    assert stopped.result.scenario.label == f"DEU stops after {BASE.isoformat()}"
    assert sum(loss.units for loss in stopped.result.coverage_lost.values()) == 60
    assert stopped.result.objective_lost > 0
    assert {a.offer_id for a in stopped.result.plan.allocations}.isdisjoint(
        a.offer_id for a in plan.allocations if a.donor == "DEU"
    )
    later = risk(coalition.chair, Scenario(stops=(("DEU", BASE + 60 * DAY),))).allocation
    assert later is not None and later.result.objective_lost == 0  # delivered by then
    half = Scenario(cut_donors=Decimal("0.5"), cut_by=Decimal("0.5"))
    cut = risk(coalition.chair, half).allocation
    assert cut is not None and cut.result.scenario.label == "cut 0.25 of every offer"
    lost = {p: loss.units for p, loss in cut.result.coverage_lost.items() if loss.units}
    # A quarter of 60, 50 and 40 shells (floored remainders kept) comes off the P2 shells once
    # the P1 need's 100 are served; NLD's one air-defence system goes from the P1 need.
    assert lost == {P1: 1, P2: 15 + 13 + 10}
    donor = coalition.donor("DEU")
    assert risk(donor, deu_stops).allocation is None  # the chair's plan used what DEU may not see
    with pytest.raises(NotFound):
        risk(donor, deu_stops, plan_id=plan.info.id)
    own = run(store, donor)
    mine = risk(donor, deu_stops).allocation
    assert mine is not None and mine.plan_id == own.info.id


def test_rebuild_keeps_stored_plans(store: Store, coalition: Principals) -> None:
    build(store, coalition)
    plan = run(store, coalition.chair)

    report = maintenance.rebuild(store=store)

    assert report.identical
    assert get(store, coalition.chair, plan.info.id) == plan
    assert listed(store, coalition.chair) == [plan.info.id]


def test_the_latest_plan_is_the_viewers_own(store: Store, coalition: Principals) -> None:
    build(store, coalition)
    chairs = run(store, coalition.chair)
    run(store, coalition.donor("DEU"))

    with store.read() as conn:
        latest = matching.latest_plan(conn=conn, viewer=coalition.chair)
        assert latest is not None and latest.id == chairs.info.id
        assert matching.latest_plan(conn=conn, viewer=coalition.donor("GBR")) is None
