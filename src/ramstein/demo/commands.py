"""The service commands the scenario runs, bound to its plans.

Each takes the unit of work as `uow=` and records the new record's id on its plan, so that
later steps (a delivery after an announcement, a receipt after a delivery) can refer to it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ramstein.demo import reference
from ramstein.demo.actors import RECIPIENT_ACTOR
from ramstein.demo.funds import ContributionPlan
from ramstein.demo.labels import RECIPIENT
from ramstein.demo.lifecycle import DeliveryPlan, PledgePlan
from ramstein.demo.needs import NeedPlan
from ramstein.domain.meetings import DecisionStatus, MeetingStatus
from ramstein.domain.pledges import TrancheSpec
from ramstein.domain.releasability import Principal
from ramstein.services import deliveries, funds, meetings
from ramstein.services import needs as need_service
from ramstein.services import participants as participant_service
from ramstein.services import pledges as pledge_service
from ramstein.services.log import HostSigner
from ramstein.store.uow import UnitOfWork


def register(uow: UnitOfWork, *, actor: Principal, spec: reference.ParticipantSpec) -> None:
    participant_service.register_participant(
        uow=uow,
        actor=actor,
        code=spec.code,
        name=spec.name,
        kind=spec.kind,
        status=spec.status,
        joined_on=spec.joined_on,
        gdp_eur_bn=spec.gdp_eur_bn,
    )


def move_meeting(
    actor: Principal,
    number: int,
    status: MeetingStatus,
    *,
    uow: UnitOfWork,
    host: HostSigner | None = None,
) -> None:
    meetings.change_meeting_status(uow=uow, actor=actor, number=number, status=status, host=host)


def close_action(*, uow: UnitOfWork, actor: Principal, number: int, text: str, on: date) -> None:
    """The owner reports the action item of meeting `number` with `text` done."""
    meeting = meetings.get_meeting(conn=uow.conn, viewer=actor, number=number)
    found = next(d for d in meeting.decisions if d.text == text and d.is_open)
    meetings.close_action(
        uow=uow,
        actor=actor,
        number=number,
        decision=found.number,
        outcome=DecisionStatus.DONE,
        note="Delivered as agreed.",
        on=on,
    )


def submit_need(uow: UnitOfWork, *, n: NeedPlan) -> None:
    need = need_service.submit_need(
        uow=uow,
        actor=RECIPIENT_ACTOR,
        recipient=RECIPIENT,
        item_type=n.item,
        quantity=n.quantity,
        priority=n.priority,
        needed_by=n.needed_by,
        raised_on=n.raised_on,
        rationale=n.rationale,
        label=n.label,
    )
    n.id = need.id


def on_need(uow: UnitOfWork, *, n: NeedPlan, call: Callable[..., object], **kwargs: object) -> None:
    assert n.id is not None
    call(uow=uow, need_id=n.id, **kwargs)


def announce(uow: UnitOfWork, *, p: PledgePlan, actor: Principal) -> None:
    pledge = pledge_service.announce_pledge(
        uow=uow,
        actor=actor,
        donor=p.donor,
        item_type=p.item,
        quantity=p.quantity,
        value=p.value,
        source=p.source,
        years=p.years,
        meeting=p.meeting,
        announced_on=p.announced_on,
        tranches=[
            TrancheSpec(t.quantity, t.expected_on) for t in p.tranches if t.scheduled_on is None
        ],
        label=p.label,
    )
    p.id = pledge.id


def on_pledge(
    uow: UnitOfWork, *, p: PledgePlan, call: Callable[..., object], **kwargs: object
) -> None:
    assert p.id is not None
    call(uow=uow, pledge_id=p.id, **kwargs)


def dispatch(
    uow: UnitOfWork, *, p: PledgePlan, d: DeliveryPlan, actor: Principal, tranche: int
) -> None:
    assert p.id is not None
    delivery = deliveries.record_delivery(
        uow=uow,
        actor=actor,
        pledge_id=p.id,
        tranche=tranche,
        quantity=d.quantity,
        dispatched_on=d.dispatched_on,
    )
    d.id = delivery.id


def receive(uow: UnitOfWork, *, d: DeliveryPlan) -> None:
    assert d.id is not None
    deliveries.confirm_receipt(
        uow=uow,
        actor=RECIPIENT_ACTOR,
        delivery_id=d.id,
        received_quantity=d.received_quantity,
        received_on=d.received_on,
        discrepancy=d.discrepancy,
    )


def contribute(uow: UnitOfWork, *, c: ContributionPlan, fund: str, actor: Principal) -> None:
    contribution = funds.record_contribution(
        uow=uow,
        actor=actor,
        fund=fund,
        contributor=c.contributor,
        value=c.value,
        on=c.on,
        label=c.label,
        note=c.note,
    )
    c.id = contribution.id


def on_contribution(
    uow: UnitOfWork, *, c: ContributionPlan, call: Callable[..., object], **kwargs: object
) -> None:
    assert c.id is not None
    call(uow=uow, contribution_id=c.id, **kwargs)
