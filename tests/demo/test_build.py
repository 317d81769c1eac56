"""Building the demo: every record through the services, reproducible, with working tokens."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from ramstein.demo.build import DemoSummary, build_demo, issue_demo_tokens
from ramstein.demo.hosts import demo_hosts
from ramstein.demo.scenario import plan_scenario
from ramstein.domain.errors import InvalidValue
from ramstein.domain.releasability import Principal, Role
from ramstein.reports.forecast import Scenario
from ramstein.services import analytics, maintenance, matching, users
from ramstein.services import log as log_service
from ramstein.store import tables as t
from ramstein.store.engine import Store

HISTORY = {
    "ParticipantRegistered",
    "CapabilityAreaDefined",
    "ItemTypeDefined",
    "SubstitutionSet",
    "CoalitionFormed",
    "CoalitionMembershipChanged",
    "ChairAssumed",
    "ChairHandedOver",
    "BaselineAgreed",
    "MeetingScheduled",
    "MeetingStatusChanged",
    "AttendanceRecorded",
    "DecisionRecorded",
    "ActionClosed",
    "NeedSubmitted",
    "NeedRevised",
    "NeedStatusChanged",
    "PledgeAnnounced",
    "PledgeStatusChanged",
    "PledgeYearPlanned",
    "TrancheScheduled",
    "TrancheRevised",
    "DeliveryRecorded",
    "ReceiptConfirmed",
    "ContributionRecorded",
    "ContributionStatusChanged",
    "HostKeyIntroduced",
}


def test_summary_matches_the_store(demo_store: Store, demo_summary: DemoSummary) -> None:
    status = maintenance.status(store=demo_store)
    assert demo_summary.log_size == status.log_size > 10_000
    assert demo_summary.pledges == status.counts["pledges"]
    assert demo_summary.needs == status.counts["needs"]
    assert demo_summary.deliveries == status.counts["deliveries"] > 1000
    assert demo_summary.coalitions == 8
    assert demo_summary.chair == "NATO"
    with demo_store.read() as conn:
        assert demo_summary.state_digest == maintenance.digest(conn=conn)


def test_the_log_holds_the_whole_history_on_the_scenarios_clock(demo_store: Store) -> None:
    log = t.log_entries
    with demo_store.read() as conn:
        kinds = set(conn.execute(sa.select(log.c.event_type).distinct()).scalars())
        times = list(conn.execute(sa.select(log.c.at).order_by(log.c.seq)).scalars())
        announced = conn.execute(
            sa.select(log.c.actor, log.c.owner).where(log.c.event_type == "PledgeAnnounced")
        ).all()
        first_user = conn.execute(sa.select(log.c.actor_user).where(log.c.seq == 1)).scalar()
    assert kinds == HISTORY
    assert times == sorted(times)
    assert times[0].startswith("2022-04-") and times[-1] < "2024-04"
    assert all(actor == owner for actor, owner in announced)  # each donor announces its own
    assert first_user == "demo:operator"


def test_rebuild_reproduces_the_state(demo_store: Store, demo_summary: DemoSummary) -> None:
    report = maintenance.rebuild(store=demo_store)
    assert report.entries == demo_summary.log_size
    assert report.identical
    assert report.digest_after == demo_summary.state_digest


def test_the_demo_builds_only_into_an_empty_database(demo_store: Store) -> None:
    with pytest.raises(InvalidValue, match="empty database"):
        build_demo(demo_store)


def test_a_token_per_role_signs_in_with_that_role(demo_store: Store) -> None:
    first = issue_demo_tokens(demo_store)
    issued = issue_demo_tokens(demo_store)
    assert [tok.role for tok in issued] == [
        Role.CHAIR,
        Role.RECIPIENT,
        Role.DONOR,
        Role.COALITION_LEAD,
        Role.OBSERVER,
    ]
    expected = {
        Role.CHAIR: "NATO",
        Role.RECIPIENT: "UKR",
        Role.DONOR: "DEU",
        Role.COALITION_LEAD: "LVA",
        Role.OBSERVER: "EDA",
    }
    with demo_store.read() as conn:
        for tok in issued:
            principal = users.authenticate(conn=conn, token=tok.token)
            assert principal is not None, tok.role
            assert principal.participant == expected[tok.role] == tok.participant
            assert tok.role in principal.roles
        for tok in first:  # the earlier tokens were revoked
            assert users.authenticate(conn=conn, token=tok.token) is None


def test_the_scenario_runs_from_april_2022(demo_summary: DemoSummary) -> None:
    scenario = plan_scenario(demo_summary.seed)
    assert scenario.calendar.meetings[0].held_on == date(2022, 4, 26)
    assert len(scenario.pledges) == demo_summary.pledges


def test_the_demo_log_is_signed_at_every_meeting_and_handed_to_the_alliance(
    demo_store: Store, demo_summary: DemoSummary
) -> None:
    hosts = demo_hosts(demo_summary.seed)
    result = log_service.verify(
        store=demo_store, pinned_key=hosts["USA"].signer.verifier_key(), replay_projections=False
    )
    with demo_store.read() as conn:
        keys = log_service.host_keys(conn=conn)
        signed = log_service.checkpoints(conn=conn)
    assert [k.participant for k in keys] == ["USA", "NATO"]
    assert result.log.keys == [
        hosts["USA"].signer.verifier_key(),
        hosts["NATO"].signer.verifier_key(),
    ]
    assert len(signed) == demo_summary.meetings + 1  # one per closed meeting, one at the handover
    handover = next(c for c in signed if c.size == keys[1].since_seq)
    assert handover.key == hosts["USA"].signer.verifier_key()  # the outgoing host signs it
    assert signed[-1].key == hosts["NATO"].signer.verifier_key()


def test_the_demo_holds_a_plan_every_member_may_read_and_one_on_everything(
    demo_store: Store,
) -> None:
    chair = maintenance.status(store=demo_store).chair
    assert chair is not None
    as_chair = Principal(chair.chair, frozenset({Role.CHAIR}))
    donor = Principal("DEU", frozenset({Role.DONOR}))
    stop = Scenario(stops=(("DEU", date(2024, 6, 30)),))
    with demo_store.read() as conn:
        plans = matching.list_plans(conn=conn, viewer=as_chair)
        assert [p.participant for p in plans] == [chair.chair, "EDA"]
        assert [p.participant for p in matching.list_plans(conn=conn, viewer=donor)] == ["EDA"]
        risk = analytics.scenario(
            conn=conn, viewer=as_chair, scenario=stop, as_of=date(2024, 4, 1), runs=20
        )
    assert risk.allocation is not None and risk.allocation.plan_id == plans[0].id
    assert risk.allocation.result.objective_lost > 0  # DEU's later tranches are gone
    assert risk.allocation.hurt
