"""Bad input is refused with a typed error and a sentence saying what is wrong; nothing is written.

One test per bad input of the issue, each on SQLite and on PostgreSQL. "Nothing is written"
is what a user could check: the log has the same length and the state the same digest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ramstein.domain.errors import (
    AlreadyExists,
    IllegalTransition,
    InactiveParticipant,
    InvalidValue,
    NotFound,
    NotPermitted,
    QuantityExceeded,
    StaleVersion,
)
from ramstein.domain.meetings import MeetingFormat
from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.participants import ParticipantStatus
from ramstein.domain.pledges import Money, PledgeSource, PledgeStatus, TrancheSpec
from ramstein.domain.releasability import Role
from ramstein.services import catalogue, deliveries, meetings, needs, participants, pledges
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork
from tests import factories as f
from tests.factories import BASE, CLOCK, SHELL, Principals, refuse


def announce_args(c: Principals, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "actor": c.donor("DEU"),
        "donor": "DEU",
        "item_type": SHELL,
        "quantity": 100,
        "value": Money.eur_amount(Decimal("320000.00")),
        "source": PledgeSource.STOCKS,
        "announced_on": BASE,
        "tranches": [TrancheSpec(60, BASE + timedelta(days=30))],
        "label": f.COALITION_LABEL,
    }
    args.update(overrides)
    return args


def need_args(c: Principals, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "actor": c.recipient,
        "recipient": f.RECIPIENT,
        "item_type": SHELL,
        "quantity": 500,
        "priority": Priority.P1,
        "needed_by": BASE + timedelta(days=60),
        "raised_on": BASE,
        "label": f.COALITION_LABEL,
    }
    args.update(overrides)
    return args


def committed(store: Store, c: Principals, **kwargs: Any) -> int:
    pledge = f.announce(store, c.donor("DEU"), **kwargs)
    f.move(store, c.donor("DEU"), pledge.id, PledgeStatus.COMMITTED)
    return pledge.id


# --- unknown references -------------------------------------------------------------------


def test_an_unknown_item_type_is_refused_for_a_pledge(store: Store, coalition: Principals) -> None:
    err = refuse(
        store,
        NotFound,
        lambda uow: pledges.announce_pledge(
            uow=uow, **announce_args(coalition, item_type="mig-29")
        ),
    )
    assert str(err) == "There is no item type mig-29."


def test_an_unknown_item_type_is_refused_for_a_need(store: Store, coalition: Principals) -> None:
    err = refuse(
        store,
        NotFound,
        lambda uow: needs.submit_need(uow=uow, **need_args(coalition, item_type="f-16")),
    )
    assert str(err) == "There is no item type f-16."


def test_an_unknown_donor_is_refused(store: Store, coalition: Principals) -> None:
    err = refuse(
        store,
        NotFound,
        lambda uow: pledges.announce_pledge(
            uow=uow, **announce_args(coalition, actor=coalition.chair, donor="ATL")
        ),
    )
    assert str(err) == "There is no participant ATL."


def test_an_unknown_participant_named_on_a_label_is_refused(
    store: Store, coalition: Principals
) -> None:
    label = f.restricted("GBR", "XYZ")
    err = refuse(
        store,
        NotFound,
        lambda uow: pledges.announce_pledge(uow=uow, **announce_args(coalition, label=label)),
    )
    assert str(err) == "There is no participant XYZ."
    err = refuse(
        store,
        NotFound,
        lambda uow: needs.submit_need(uow=uow, **need_args(coalition, label=label)),
    )
    assert str(err) == "There is no participant XYZ."


# --- zero or negative quantities ----------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -5])
def test_a_pledge_of_no_quantity_is_refused(
    store: Store, coalition: Principals, quantity: int
) -> None:
    err = refuse(
        store,
        InvalidValue,
        lambda uow: pledges.announce_pledge(
            uow=uow, **announce_args(coalition, quantity=quantity, tranches=[])
        ),
    )
    assert (err.field, str(err)) == (
        "quantity",
        f"A pledge's quantity must be positive (got {quantity}).",
    )


@pytest.mark.parametrize("quantity", [0, -5])
def test_a_need_of_no_quantity_is_refused(
    store: Store, coalition: Principals, quantity: int
) -> None:
    err = refuse(
        store,
        InvalidValue,
        lambda uow: needs.submit_need(uow=uow, **need_args(coalition, quantity=quantity)),
    )
    assert str(err) == f"A need's quantity must be positive (got {quantity})."


@pytest.mark.parametrize("quantity", [0, -5])
def test_a_tranche_or_delivery_of_no_quantity_is_refused(
    store: Store, coalition: Principals, quantity: int
) -> None:
    pledge_id = committed(store, coalition)
    donor = coalition.donor("DEU")
    err = refuse(
        store,
        InvalidValue,
        lambda uow: pledges.schedule_tranche(
            uow=uow, actor=donor, pledge_id=pledge_id, quantity=quantity, expected_on=BASE
        ),
    )
    assert str(err) == f"A tranche's quantity must be positive (got {quantity})."
    err = refuse(
        store,
        InvalidValue,
        lambda uow: deliveries.record_delivery(
            uow=uow, actor=donor, pledge_id=pledge_id, tranche=1, quantity=quantity
        ),
    )
    assert str(err) == f"A delivery's quantity must be positive (got {quantity})."


# --- quantities beyond their parent -------------------------------------------------------


def test_delivering_more_than_pledged_is_refused(store: Store, coalition: Principals) -> None:
    donor = coalition.donor("DEU")
    pledge_id = committed(store, coalition, quantity=100, tranches=[(100, BASE)])
    f.deliver(store, donor, pledge_id, quantity=70)
    err = refuse(
        store,
        QuantityExceeded,
        lambda uow: deliveries.record_delivery(
            uow=uow, actor=donor, pledge_id=pledge_id, tranche=1, quantity=31
        ),
    )
    assert str(err) == "Tranche 1 of pledge 1 has 30 of 100 left to deliver; 31 is more than that."


def test_delivering_more_than_a_tranche_is_refused(store: Store, coalition: Principals) -> None:
    donor = coalition.donor("DEU")
    pledge_id = committed(store, coalition, quantity=100, tranches=[(60, BASE), (40, BASE)])
    err = refuse(
        store,
        QuantityExceeded,
        lambda uow: deliveries.record_delivery(
            uow=uow, actor=donor, pledge_id=pledge_id, tranche=2, quantity=41
        ),
    )
    assert "Tranche 2 of pledge 1 has 40 of 40 left to deliver; 41 is more" in str(err)


def test_scheduling_more_than_pledged_is_refused(store: Store, coalition: Principals) -> None:
    donor = coalition.donor("DEU")
    pledge_id = f.announce(store, donor, quantity=100, tranches=[(60, BASE)]).id
    err = refuse(
        store,
        QuantityExceeded,
        lambda uow: pledges.schedule_tranche(
            uow=uow, actor=donor, pledge_id=pledge_id, quantity=41, expected_on=BASE
        ),
    )
    assert str(err) == "Pledge 1 has 40 of 100 left to schedule; a tranche of 41 is too large."


def test_receiving_more_than_delivered_is_refused(store: Store, coalition: Principals) -> None:
    pledge_id = committed(store, coalition)
    delivery = f.deliver(store, coalition.donor("DEU"), pledge_id, quantity=30)
    err = refuse(
        store,
        QuantityExceeded,
        lambda uow: deliveries.confirm_receipt(
            uow=uow, actor=coalition.recipient, delivery_id=delivery.id, received_quantity=31
        ),
    )
    assert str(err) == (
        f"Delivery {delivery.id} dispatched 30; 31 cannot have been received. Record the surplus "
        "as a separate delivery."
    )


# --- illegal transitions ------------------------------------------------------------------


def test_an_illegal_pledge_transition_is_refused(store: Store, coalition: Principals) -> None:
    donor = coalition.donor("DEU")
    pledge_id = f.announce(store, donor).id
    err = refuse(
        store,
        IllegalTransition,
        lambda uow: pledges.change_pledge_status(
            uow=uow, actor=donor, pledge_id=pledge_id, status=PledgeStatus.DELIVERED, on=BASE
        ),
    )
    assert str(err) == (
        "A pledge that is announced cannot become delivered; from announced it may become: "
        "cancelled, committed."
    )


def test_a_final_pledge_stays_final(store: Store, coalition: Principals) -> None:
    donor = coalition.donor("DEU")
    pledge_id = f.announce(store, donor).id
    f.move(store, donor, pledge_id, PledgeStatus.CANCELLED)
    err = refuse(
        store,
        IllegalTransition,
        lambda uow: pledges.change_pledge_status(
            uow=uow, actor=donor, pledge_id=pledge_id, status=PledgeStatus.COMMITTED, on=BASE
        ),
    )
    assert "from cancelled it may become: none (it is final)" in str(err)


def test_delivering_against_an_announced_pledge_is_refused(
    store: Store, coalition: Principals
) -> None:
    donor = coalition.donor("DEU")
    pledge_id = f.announce(store, donor).id
    err = refuse(
        store,
        IllegalTransition,
        lambda uow: deliveries.record_delivery(
            uow=uow, actor=donor, pledge_id=pledge_id, tranche=1, quantity=1
        ),
    )
    assert "A pledge that is announced cannot become delivering" in str(err)


def test_an_illegal_need_transition_is_refused(store: Store, coalition: Principals) -> None:
    need = f.submit_need(store, coalition.recipient)
    with store.write(clock=CLOCK) as uow:
        needs.change_need_status(
            uow=uow,
            actor=coalition.recipient,
            need_id=need.id,
            status=NeedStatus.WITHDRAWN,
            reason="met by industry",
        )
    err = refuse(
        store,
        IllegalTransition,
        lambda uow: needs.change_need_status(
            uow=uow, actor=coalition.recipient, need_id=need.id, status=NeedStatus.OPEN
        ),
    )
    assert str(err) == (
        "A need that is withdrawn cannot become open; from withdrawn it may become: "
        "none (it is final)."
    )


# --- dates --------------------------------------------------------------------------------


def test_needed_by_before_raised_is_refused(store: Store, coalition: Principals) -> None:
    err = refuse(
        store,
        InvalidValue,
        lambda uow: needs.submit_need(
            uow=uow, **need_args(coalition, needed_by=BASE - timedelta(days=1))
        ),
    )
    assert (err.field, str(err)) == (
        "needed_by",
        "A need cannot be needed by 2025-01-14, before it was raised on 2025-01-15.",
    )


def test_revising_needed_by_before_raised_is_refused(store: Store, coalition: Principals) -> None:
    need = f.submit_need(store, coalition.recipient)
    err = refuse(
        store,
        InvalidValue,
        lambda uow: needs.revise_need(
            uow=uow, actor=coalition.recipient, need_id=need.id, needed_by=date(2024, 12, 31)
        ),
    )
    assert "needed by 2024-12-31, before it was raised on 2025-01-15" in str(err)


# --- participants that have left ----------------------------------------------------------


def leave(store: Store, c: Principals, code: str, on: date) -> None:
    with store.write(clock=CLOCK) as uow:
        participants.change_participant_status(
            uow=uow, actor=c.chair, code=code, status=ParticipantStatus.LEFT, on=on
        )


def test_a_pledge_for_a_participant_that_left_is_refused(
    store: Store, coalition: Principals
) -> None:
    leave(store, coalition, "POL", date(2025, 2, 1))
    err = refuse(
        store,
        InactiveParticipant,
        lambda uow: pledges.announce_pledge(
            uow=uow, **announce_args(coalition, actor=coalition.chair, donor="POL")
        ),
    )
    assert str(err) == (
        "Poland (POL) left the coalition on 2025-02-01; it can no longer pledge. Record it as a "
        "member again first if it has rejoined."
    )


def test_the_user_of_a_participant_that_left_can_no_longer_pledge(
    store: Store, coalition: Principals
) -> None:
    user = dict(user="pol-mod", participant="POL", roles=["donor"])
    f.user_principal(store, user="pol-mod", participant="POL", roles=[Role.DONOR])
    leave(store, coalition, "POL", date(2025, 2, 1))
    gone = f.effective(store, **user)  # type: ignore[arg-type]
    assert gone.roles == frozenset({Role.PUBLIC})
    err = refuse(
        store,
        NotPermitted,
        lambda uow: pledges.announce_pledge(
            uow=uow, **announce_args(coalition, actor=gone, donor="POL")
        ),
    )
    assert "Only POL or the chair may announce its pledges" in str(err)


# --- stale versions -----------------------------------------------------------------------


def test_a_stale_pledge_version_is_refused(store: Store, coalition: Principals) -> None:
    donor = coalition.donor("DEU")
    pledge = f.announce(store, donor)
    assert pledge.version == 1
    with store.write(clock=CLOCK) as uow:
        revised = pledges.revise_pledge(
            uow=uow, actor=donor, pledge_id=pledge.id, quantity=120, expected_version=1
        )
    assert revised.version == 2
    err = refuse(
        store,
        StaleVersion,
        lambda uow: pledges.revise_pledge(
            uow=uow, actor=donor, pledge_id=pledge.id, quantity=90, expected_version=1
        ),
    )
    assert str(err) == (
        "Pledge 1 has changed since you read it (you had version 1, it is now version 2); "
        "reload it and apply your change again."
    )


def test_stale_versions_are_refused_for_every_kind_of_record(
    store: Store, coalition: Principals
) -> None:
    donor, recipient = coalition.donor("DEU"), coalition.recipient
    pledge_id = committed(store, coalition)  # version 2
    delivery = f.deliver(store, donor, pledge_id, quantity=10)  # pledge version 4
    need = f.submit_need(store, recipient)
    commands: list[tuple[str, Callable[[UnitOfWork], object]]] = [
        (
            "Pledge 1 has changed since you read it (you had version 2, it is now version 4)",
            lambda uow: deliveries.record_delivery(
                uow=uow, actor=donor, pledge_id=pledge_id, tranche=1, quantity=1, expected_version=2
            ),
        ),
        (
            "Pledge 1 has changed since you read it (you had version 3",
            lambda uow: pledges.change_pledge_status(
                uow=uow,
                actor=donor,
                pledge_id=pledge_id,
                status=PledgeStatus.CANCELLED,
                reason="x",
                expected_version=3,
            ),
        ),
        (
            f"Delivery {delivery.id} has changed since you read it (you had version 0, it is now "
            "version 1)",
            lambda uow: deliveries.confirm_receipt(
                uow=uow,
                actor=recipient,
                delivery_id=delivery.id,
                received_quantity=10,
                expected_version=0,
            ),
        ),
        (
            f"Need {need.id} has changed since you read it (you had version 7, it is now "
            "version 1)",
            lambda uow: needs.change_need_status(
                uow=uow,
                actor=recipient,
                need_id=need.id,
                status=NeedStatus.COVERED,
                expected_version=7,
            ),
        ),
        (
            "Participant GBR has changed since you read it (you had version 2, it is now "
            "version 1)",
            lambda uow: participants.revise_participant(
                uow=uow, actor=coalition.chair, code="GBR", name="Britain", expected_version=2
            ),
        ),
    ]
    for says, command in commands:
        err = refuse(store, StaleVersion, command)
        assert says in str(err)


# --- found while writing these tests ------------------------------------------------------


def test_defining_an_item_twice_says_so_in_good_english(
    store: Store, coalition: Principals
) -> None:
    err = refuse(
        store,
        AlreadyExists,
        lambda uow: catalogue.define_item(
            uow=uow,
            actor=coalition.chair,
            code=SHELL,
            name="again",
            area="artillery",
            unit="round",
            unit_value_eur=Decimal(1),
        ),
    )
    assert str(err) == f"An item type {SHELL} already exists; choose another code or update it."


def test_a_quantity_beyond_what_the_log_can_encode_is_refused_with_a_typed_error(
    store: Store, coalition: Principals
) -> None:
    err = refuse(
        store,
        InvalidValue,
        lambda uow: pledges.announce_pledge(
            uow=uow, **announce_args(coalition, quantity=2**53, tranches=[])
        ),
    )
    assert err.field == "quantity"


def test_a_value_beyond_what_every_database_stores_is_refused_with_a_typed_error(
    store: Store, coalition: Principals
) -> None:
    value = Money.eur_amount(Decimal("100000000000000000000.00"))
    err = refuse(
        store,
        InvalidValue,
        lambda uow: pledges.announce_pledge(uow=uow, **announce_args(coalition, value=value)),
    )
    assert err.field == "value"


def test_a_refusal_in_a_batch_rolls_back_the_whole_unit_of_work(
    store: Store, coalition: Principals
) -> None:
    before = f.snapshot(store)
    with pytest.raises(NotFound), store.write(clock=CLOCK) as uow:
        pledges.announce_pledge(uow=uow, **announce_args(coalition))
        pledges.announce_pledge(uow=uow, **announce_args(coalition, item_type="nope"))
    assert f.snapshot(store) == before
    with store.read() as conn:
        assert pledges.list_pledges(conn=conn, viewer=coalition.chair) == []


def test_a_duplicate_pledge_reference_is_refused_with_a_typed_error(
    store: Store, coalition: Principals
) -> None:
    with store.write(clock=CLOCK) as uow:
        pledges.announce_pledge(uow=uow, **announce_args(coalition), external_ref="KIEL-0042")
    err = refuse(
        store,
        AlreadyExists,
        lambda uow: pledges.announce_pledge(
            uow=uow, **announce_args(coalition), external_ref="KIEL-0042"
        ),
    )
    assert "KIEL-0042" in str(err)


def test_a_duplicate_need_reference_is_refused_with_a_typed_error(
    store: Store, coalition: Principals
) -> None:
    with store.write(clock=CLOCK) as uow:
        needs.submit_need(uow=uow, **need_args(coalition), external_ref="UA-REQ-7")
    err = refuse(
        store,
        AlreadyExists,
        lambda uow: needs.submit_need(uow=uow, **need_args(coalition), external_ref="UA-REQ-7"),
    )
    assert "UA-REQ-7" in str(err)


def test_revising_a_meeting_cannot_make_a_participant_that_left_co_chair(
    store: Store, coalition: Principals
) -> None:
    with store.write(clock=CLOCK) as uow:
        meetings.schedule_meeting(
            uow=uow, actor=coalition.chair, held_on=BASE, format=MeetingFormat.VIRTUAL, chair="USA"
        )
    leave(store, coalition, "POL", BASE)
    err = refuse(
        store,
        InactiveParticipant,
        lambda uow: meetings.revise_meeting(
            uow=uow, actor=coalition.chair, number=1, co_chairs=["POL"]
        ),
    )
    assert "Poland (POL) left the coalition" in str(err)


def test_the_sitting_chair_cannot_leave_before_handing_over(
    store: Store, coalition: Principals
) -> None:
    err = refuse(
        store,
        InvalidValue,
        lambda uow: participants.change_participant_status(
            uow=uow, actor=coalition.chair, code="USA", status=ParticipantStatus.LEFT, on=BASE
        ),
    )
    assert str(err) == "USA chairs the coalition; hand over the chair before it leaves."
