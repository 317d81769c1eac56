"""Who may issue which command: owners act on their own records, the chair coordinates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ramstein.domain.errors import NotFound, NotPermitted
from ramstein.domain.needs import Priority
from ramstein.domain.participants import ParticipantKind, ParticipantStatus
from ramstein.domain.pledges import PledgeSource, PledgeStatus
from ramstein.domain.releasability import Role
from ramstein.services import catalogue, chair, deliveries, needs, participants, pledges
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import BASE, CLOCK, SHELL, Principals, refuse


def test_a_donor_cannot_announce_for_another_donor(store: Store, coalition: Principals) -> None:
    err = refuse(
        store,
        NotPermitted,
        lambda uow: pledges.announce_pledge(
            uow=uow,
            actor=coalition.donor("GBR"),
            donor="DEU",
            item_type=SHELL,
            quantity=10,
            value=None,
            source=PledgeSource.STOCKS,
            announced_on=BASE,
            label=f.COALITION_LABEL,
        ),
    )
    assert str(err) == "Only DEU or the chair may announce its pledges; GBR acts for someone else."


def test_the_chair_may_announce_for_a_donor(store: Store, coalition: Principals) -> None:
    pledge = f.announce(store, coalition.chair, donor="NLD")
    assert pledge.donor == "NLD"
    with store.read() as conn:
        assert pledges.get_pledge(conn=conn, viewer=coalition.donor("NLD"), pledge_id=pledge.id)


def test_a_donor_cannot_change_or_deliver_another_donors_pledge(
    store: Store, coalition: Principals
) -> None:
    pledge_id = f.announce(store, coalition.donor("DEU")).id
    gbr = coalition.donor("GBR")
    err = refuse(
        store,
        NotPermitted,
        lambda uow: pledges.change_pledge_status(
            uow=uow, actor=gbr, pledge_id=pledge_id, status=PledgeStatus.CANCELLED, reason="x"
        ),
    )
    assert "Only DEU or the chair may change its pledges' status" in str(err)
    f.move(store, coalition.donor("DEU"), pledge_id, PledgeStatus.COMMITTED)
    refuse(
        store,
        NotPermitted,
        lambda uow: deliveries.record_delivery(
            uow=uow, actor=gbr, pledge_id=pledge_id, tranche=1, quantity=1
        ),
    )


def test_a_donor_cannot_touch_a_restricted_pledge_it_cannot_see(
    store: Store, coalition: Principals
) -> None:
    pledge_id = f.announce(store, coalition.donor("DEU"), label=f.restricted("UKR")).id
    err = refuse(
        store,
        NotFound,
        lambda uow: pledges.revise_pledge(
            uow=uow, actor=coalition.donor("GBR"), pledge_id=pledge_id, quantity=1
        ),
    )
    assert str(err) == f"There is no pledge {pledge_id}."


def test_the_recipient_cannot_pledge(store: Store, coalition: Principals) -> None:
    def announce_for_ukr(actor: object) -> object:
        return lambda uow: pledges.announce_pledge(
            uow=uow,
            actor=actor,
            donor=f.RECIPIENT,
            item_type=SHELL,
            quantity=10,
            value=None,
            source=PledgeSource.STOCKS,
            announced_on=BASE,
            label=f.COALITION_LABEL,
        )

    refuse(store, NotPermitted, announce_for_ukr(coalition.recipient))
    err = refuse(store, NotPermitted, announce_for_ukr(coalition.chair))
    assert str(err) == "Ukraine (UKR) is the recipient; it cannot pledge."


def test_only_the_recipient_or_the_chair_submits_needs(store: Store, coalition: Principals) -> None:
    err = refuse(
        store,
        NotPermitted,
        lambda uow: needs.submit_need(
            uow=uow,
            actor=coalition.donor("DEU"),
            recipient=f.RECIPIENT,
            item_type=SHELL,
            quantity=10,
            priority=Priority.P2,
            needed_by=BASE,
            raised_on=BASE,
            label=f.COALITION_LABEL,
        ),
    )
    assert "Only UKR or the chair may submit its needs" in str(err)
    assert f.submit_need(store, coalition.chair).recipient == f.RECIPIENT


def test_only_the_recipient_or_the_chair_confirms_receipt(
    store: Store, coalition: Principals
) -> None:
    donor = coalition.donor("DEU")
    pledge_id = f.announce(store, donor).id
    f.move(store, donor, pledge_id, PledgeStatus.COMMITTED)
    first = f.deliver(store, donor, pledge_id, quantity=10)
    second = f.deliver(store, donor, pledge_id, quantity=10)
    for outsider in (donor, coalition.donor("GBR"), coalition.observer):
        err = refuse(
            store,
            NotPermitted,
            lambda uow, who=outsider: deliveries.confirm_receipt(
                uow=uow, actor=who, delivery_id=first.id, received_quantity=10
            ),
        )
        assert str(err) == "Only the recipient or the chair may confirm receipt of a delivery."
    got = f.receive(store, coalition.recipient, first.id, quantity=10)
    assert (got.status.value, got.received_quantity) == ("received", 10)
    got = f.receive(store, coalition.chair, second.id, quantity=9, discrepancy="1 damaged")
    assert (got.received_quantity, got.discrepancy) == (9, "1 damaged")


def test_only_the_chair_registers_participants(store: Store, coalition: Principals) -> None:
    err = refuse(
        store,
        NotPermitted,
        lambda uow: participants.register_participant(
            uow=uow,
            actor=coalition.donor("DEU"),
            code="FRA",
            name="France",
            kind=ParticipantKind.STATE,
            joined_on=BASE,
        ),
    )
    assert str(err) == "Only the chair may register participants; DEU is not the chair."


def test_the_chair_role_passes_with_the_handover(store: Store, coalition: Principals) -> None:
    usa_user = {"user": "usa-sec", "participant": "USA", "roles": ["chair", "donor"]}
    nato_user = {"user": "nato-sec", "participant": "NATO", "roles": ["chair", "donor"]}
    usa = f.user_principal(store, user="usa-sec", participant="USA", roles=[Role.CHAIR, Role.DONOR])
    nato = f.user_principal(
        store, user="nato-sec", participant="NATO", roles=[Role.CHAIR, Role.DONOR]
    )
    assert usa.has(Role.CHAIR) and not nato.has(Role.CHAIR)
    hidden = f.announce(store, coalition.donor("DEU"), label=f.restricted("GBR")).id

    with store.write(clock=CLOCK) as uow:
        chair.hand_over_chair(uow=uow, actor=usa, incoming="NATO", on=date(2025, 2, 1))

    usa = f.effective(store, **usa_user)  # type: ignore[arg-type]
    nato = f.effective(store, **nato_user)  # type: ignore[arg-type]
    assert usa.roles == frozenset({Role.DONOR})
    assert nato.roles == frozenset({Role.CHAIR, Role.DONOR})

    register = {
        "code": "FRA",
        "name": "France",
        "kind": ParticipantKind.STATE,
        "joined_on": BASE,
    }
    err = refuse(
        store,
        NotPermitted,
        lambda uow: participants.register_participant(uow=uow, actor=usa, **register),
    )
    assert "USA is not the chair" in str(err)
    with store.write(clock=CLOCK) as uow:
        participants.register_participant(uow=uow, actor=nato, **register)
    with store.read() as conn:
        # The former chair no longer sees what only the chair and the named may see.
        with pytest.raises(NotFound):
            pledges.get_pledge(conn=conn, viewer=usa, pledge_id=hidden)
        assert pledges.get_pledge(conn=conn, viewer=nato, pledge_id=hidden).id == hidden
        assert chair.current_chair(conn=conn).chair == "NATO"  # type: ignore[union-attr]
        assert [t.chair for t in chair.chair_history(conn=conn, viewer=usa)] == ["USA", "NATO"]


def test_a_participant_that_left_keeps_only_the_public_view(
    store: Store, coalition: Principals
) -> None:
    mine = f.announce(store, coalition.donor("GBR"), label=f.restricted()).id
    f.user_principal(store, user="gbr-mod", participant="GBR", roles=[Role.DONOR])
    with store.write(clock=CLOCK) as uow:
        participants.change_participant_status(
            uow=uow,
            actor=coalition.chair,
            code="GBR",
            status=ParticipantStatus.LEFT,
            on=BASE + timedelta(days=1),
        )
    gone = f.effective(store, user="gbr-mod", participant="GBR", roles=["donor"])
    assert gone.roles == frozenset({Role.PUBLIC})
    with store.read() as conn, pytest.raises(NotFound):
        pledges.get_pledge(conn=conn, viewer=gone, pledge_id=mine)


def test_only_the_chair_defines_the_catalogue(store: Store, coalition: Principals) -> None:
    err = refuse(
        store,
        NotPermitted,
        lambda uow: catalogue.define_item(
            uow=uow,
            actor=coalition.recipient,
            code="t-72",
            name="T-72",
            area="artillery",
            unit="tank",
            unit_value_eur=Decimal(1),
        ),
    )
    assert str(err) == "Only the chair may define item types; UKR is not the chair."
