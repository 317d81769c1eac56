"""The scenario as service commands: who does what on which simulated day.

Every record of the demo is created here through the same service functions a user's request
would call, each by the participant who would act: the host operator only to bootstrap, the
chair for participants, catalogue, coalitions and meetings, each donor for its own pledges,
tranches and deliveries, the recipient for its needs and receipts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from ramstein.demo import reference
from ramstein.demo.actors import OPERATOR, RECIPIENT_ACTOR, chair_actor, donor_actor
from ramstein.demo.calendar import ALLIANCE, LEAD_NATION, SETUP_ON, Calendar, plan_calendar
from ramstein.demo.commands import (
    announce,
    contribute,
    dispatch,
    on_contribution,
    on_need,
    on_pledge,
    receive,
    register,
    submit_need,
)
from ramstein.demo.coverage import plan_coverage
from ramstein.demo.funds import FundPlan, plan_fund
from ramstein.demo.hosts import demo_hosts
from ramstein.demo.lifecycle import PledgePlan, TranchePlan, plan_years
from ramstein.demo.meetings import MeetingWriter
from ramstein.demo.needs import NeedPlan, plan_needs
from ramstein.demo.pledges import merge_pledges, plan_pledges
from ramstein.demo.timeline import Phase, Timeline
from ramstein.domain.baselines import Baseline, CountingRules, PooledRule
from ramstein.domain.funds import ContributionStatus
from ramstein.domain.needs import NeedStatus
from ramstein.domain.pledges import PledgeStatus
from ramstein.domain.releasability import Principal
from ramstein.services import baselines, capabilities, catalogue, chair, funds, needs
from ramstein.services import pledges as pledge_service
from ramstein.services.log import HostSigner

BASELINE = Baseline(
    code="annual-baseline",
    name="Minimum annual baseline of support",
    annual_eur=Decimal("40000000000"),
    first_year=2023,
    last_year=2025,
    rules=CountingRules.of(pooled=PooledRule.CONTRIBUTED),
    note="Synthetic, on the pattern of the alliance's pledge of long-term security assistance "
    "(July 2024): EUR 40 bn a year shared by GDP, every source counting, money paid into "
    "pooled funds counted as its contributors'. Agreed as the alliance takes the chair.",
)
"""The fair-share baseline the coalition agrees when the alliance takes over the chair."""


@dataclass(frozen=True)
class Scenario:
    """The planned scenario: its calendar, needs, pledges (the fund's packages among them),
    the pooled fund and the timeline of commands."""

    seed: int
    calendar: Calendar
    needs: list[NeedPlan]
    pledges: list[PledgePlan]
    fund: FundPlan
    timeline: Timeline


def plan_scenario(seed: int) -> Scenario:
    """Everything the demo will do, decided from `random.Random(seed)` alone."""
    rng = random.Random(seed)
    calendar = plan_calendar(rng)
    need_plans = plan_needs(rng, calendar)
    pledge_plans = plan_pledges(rng, calendar, need_plans)
    fund = plan_fund(rng, calendar, need_plans)
    pledge_plans = merge_pledges(pledge_plans, fund.packages)
    plan_years(rng, pledge_plans)
    plan_coverage(calendar, need_plans, pledge_plans)
    timeline = Timeline(calendar.end)
    hosts = demo_hosts(seed)
    writer = _Writer(calendar, timeline, hosts)
    writer.setup()
    gatherings = MeetingWriter(rng, calendar, timeline, hosts)
    gatherings.meetings()
    for need in need_plans:
        writer.need(need)
    for pledge in pledge_plans:
        writer.pledge(pledge)
    writer.fund(fund)
    gatherings.coalitions(pledge_plans)
    gatherings.decisions(pledge_plans)
    return Scenario(seed, calendar, need_plans, pledge_plans, fund, timeline)


class _Writer:
    """Turns the plans into timeline steps (service calls bound to their arguments)."""

    def __init__(
        self, calendar: Calendar, timeline: Timeline, hosts: dict[str, HostSigner]
    ) -> None:
        self.calendar = calendar
        self.add = timeline.add
        self.hosts = hosts

    def chair(self, day: date) -> Principal:
        return chair_actor(self.calendar.chair_on(day))

    # --- the coalition's set-up, members joining later, the chair ------------------------

    def setup(self) -> None:
        first = self.calendar.meetings[0].held_on
        specs = reference.participants()
        lead = next(p for p in specs if p.code == LEAD_NATION)
        self.add(SETUP_ON, Phase.SETUP, partial(register, actor=OPERATOR, spec=lead))
        self.add(
            SETUP_ON,
            Phase.SETUP,
            partial(
                chair.assume_chair,
                actor=OPERATOR,
                chair=LEAD_NATION,
                since=first,
                note="The United States convenes the contact group (Ramstein Air Base).",
            ),
        )
        host = chair_actor(LEAD_NATION)
        for spec in specs:
            if spec.code == LEAD_NATION:
                continue
            on = SETUP_ON if spec.joined_on <= first else spec.joined_on
            self.add(on, Phase.SETUP, partial(register, actor=self.chair(on), spec=spec))
        for area in reference.areas():
            self.add(
                SETUP_ON,
                Phase.SETUP,
                partial(
                    capabilities.define_area,
                    actor=host,
                    code=area.code,
                    name=area.name,
                    description=area.description,
                ),
            )
        for it in reference.items():
            self.add(
                SETUP_ON,
                Phase.SETUP,
                partial(
                    catalogue.define_item,
                    actor=host,
                    code=it.code,
                    name=it.name,
                    area=it.area,
                    unit=it.unit,
                    unit_value_eur=it.unit_value_eur,
                ),
            )
        for s in reference.substitutions():
            self.add(
                SETUP_ON,
                Phase.SETUP,
                partial(
                    catalogue.set_substitution,
                    actor=host,
                    offer_type=s.offer_type,
                    need_type=s.need_type,
                    ratio=s.ratio,
                ),
            )
        self.add(
            self.calendar.handover_on,
            Phase.SETUP,
            partial(
                chair.hand_over_chair,
                actor=chair_actor(LEAD_NATION),
                incoming=ALLIANCE,
                on=self.calendar.handover_on,
                note="The alliance takes over the chair so that support is predictable and "
                "long-term.",
                new_host_key=self.hosts[ALLIANCE].signer.verifier_key(),
                host=self.hosts[LEAD_NATION],
            ),
        )
        agreed_on = self.calendar.handover_on + timedelta(days=1)
        self.add(
            agreed_on,
            Phase.SETUP,
            partial(baselines.agree_baseline, actor=chair_actor(ALLIANCE), baseline=BASELINE),
        )

    # --- needs ---------------------------------------------------------------------------

    def need(self, n: NeedPlan) -> None:
        self.add(n.raised_on, Phase.NEEDS, partial(submit_need, n=n))
        for r in n.revisions:
            if n.withdrawn_on is None or r.on < n.withdrawn_on:
                self.add(
                    r.on,
                    Phase.NEEDS,
                    partial(
                        on_need,
                        n=n,
                        call=needs.revise_need,
                        actor=RECIPIENT_ACTOR,
                        quantity=r.quantity,
                        priority=r.priority,
                        needed_by=r.needed_by,
                    ),
                )
        for on, status in n.statuses:
            self.add(
                on,
                Phase.DECIDE,
                partial(
                    on_need,
                    n=n,
                    call=needs.change_need_status,
                    actor=self.chair(on),
                    status=status,
                ),
            )
        if n.withdrawn_on is not None:
            self.add(
                n.withdrawn_on,
                Phase.DECIDE,
                partial(
                    on_need,
                    n=n,
                    call=needs.change_need_status,
                    actor=RECIPIENT_ACTOR,
                    status=NeedStatus.WITHDRAWN,
                    reason=n.withdraw_reason,
                ),
            )

    # --- pledges -------------------------------------------------------------------------

    def pledge(self, p: PledgePlan) -> None:
        donor = donor_actor(p.donor)
        self.add(p.announced_on, Phase.ANNOUNCE, partial(announce, p=p, actor=donor))
        for on, status in (
            (p.commit_on, PledgeStatus.COMMITTED),
            (p.contract_on, PledgeStatus.CONTRACTED),
        ):
            if on is not None and p.alive_on(on):
                self.add(
                    on,
                    Phase.FOLLOW_UP,
                    partial(
                        on_pledge,
                        p=p,
                        call=pledge_service.change_pledge_status,
                        actor=donor,
                        status=status,
                        on=on,
                    ),
                )
        for y in p.year_steps:
            if p.open_on(y.on):
                self.add(
                    y.on,
                    Phase.FOLLOW_UP,
                    partial(
                        on_pledge,
                        p=p,
                        call=pledge_service.plan_year,
                        actor=donor,
                        year=y.year,
                        amount_eur=y.amount_eur,
                        status=y.status,
                    ),
                )
        for number, t in enumerate(p.tranches, start=1):
            self._tranche(p, donor, number, t)
        if p.cancel_on is not None:
            self.add(
                p.cancel_on,
                Phase.FOLLOW_UP,
                partial(
                    on_pledge,
                    p=p,
                    call=pledge_service.change_pledge_status,
                    actor=donor,
                    status=PledgeStatus.CANCELLED,
                    on=p.cancel_on,
                    reason=p.cancel_reason,
                ),
            )

    def _tranche(self, p: PledgePlan, donor: Principal, number: int, t: TranchePlan) -> None:
        if t.scheduled_on is not None and p.alive_on(t.scheduled_on):
            self.add(
                t.scheduled_on,
                Phase.FOLLOW_UP,
                partial(
                    on_pledge,
                    p=p,
                    call=pledge_service.schedule_tranche,
                    actor=donor,
                    quantity=t.quantity,
                    expected_on=t.expected_on,
                ),
            )
        if t.revised_on is not None and p.alive_on(t.revised_on):
            self.add(
                t.revised_on,
                Phase.FOLLOW_UP,
                partial(
                    on_pledge,
                    p=p,
                    call=pledge_service.revise_tranche,
                    actor=donor,
                    number=number,
                    expected_on=t.revised_expected_on,
                ),
            )
        for d in t.deliveries:
            if not p.alive_on(d.dispatched_on):
                continue
            self.add(
                d.dispatched_on,
                Phase.FOLLOW_UP,
                partial(dispatch, p=p, d=d, actor=donor, tranche=number),
            )
            if d.received_on is not None:
                self.add(d.received_on, Phase.RECEIPT, partial(receive, d=d))

    # --- the pooled fund -----------------------------------------------------------------

    def fund(self, f: FundPlan) -> None:
        """Each donor records its contribution; the fund marks it paid when the money is in;
        a donor that withdraws its contribution cancels it. The packages are pledges."""
        manager = donor_actor(f.code)
        for c in f.contributions:
            donor = donor_actor(c.contributor)
            self.add(c.on, Phase.ANNOUNCE, partial(contribute, c=c, fund=f.code, actor=donor))
            if c.paid_on is not None:
                self.add(
                    c.paid_on,
                    Phase.FOLLOW_UP,
                    partial(
                        on_contribution,
                        c=c,
                        call=funds.change_contribution_status,
                        actor=manager,
                        status=ContributionStatus.PAID,
                        on=c.paid_on,
                    ),
                )
            if c.cancel_on is not None:
                self.add(
                    c.cancel_on,
                    Phase.FOLLOW_UP,
                    partial(
                        on_contribution,
                        c=c,
                        call=funds.change_contribution_status,
                        actor=donor,
                        status=ContributionStatus.CANCELLED,
                        on=c.cancel_on,
                        reason=c.cancel_reason,
                    ),
                )
