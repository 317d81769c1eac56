"""Queries honour releasability, and their filters select what they say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from ramstein.domain.deliveries import DeliveryStatus
from ramstein.domain.errors import NotFound
from ramstein.domain.meetings import MeetingFormat, MeetingStatus
from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.pledges import Money, PledgeSource, PledgeStatus
from ramstein.domain.releasability import Label, Principal, Releasability, can_see
from ramstein.services import capabilities, deliveries, meetings, needs, pledges
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import AIR_DEFENCE, BASE, CLOCK, DRONE, SHELL, Principals

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Scenario:
    pledges: dict[str, int]
    needs: dict[str, int]
    deliveries: dict[str, int]


def build(store: Store, c: Principals) -> Scenario:
    """Six pledges and four needs across every label, two deliveries and a meeting."""
    deu, gbr, pol = c.donor("DEU"), c.donor("GBR"), c.donor("POL")
    with store.write(clock=CLOCK) as uow:
        meetings.schedule_meeting(
            uow=uow,
            actor=c.chair,
            held_on=BASE + 10 * DAY,
            format=MeetingFormat.IN_PERSON,
            venue="Ramstein Air Base",
            chair="USA",
            co_chairs=["GBR"],
        )
        meetings.change_meeting_status(
            uow=uow, actor=c.chair, number=1, status=MeetingStatus.INVITED
        )
        capabilities.form_coalition(
            uow=uow,
            actor=c.chair,
            code="iadc",
            name="Integrated air defence",
            area="air-defence",
            leads=["DEU"],
            members=["NLD"],
        )
    p = {
        "deu-public": f.announce(store, deu, label=f.PUBLIC, item_type=SHELL).id,
        "deu-coalition": f.announce(
            store,
            deu,
            item_type=AIR_DEFENCE,
            quantity=2,
            tranches=[(1, BASE + 30 * DAY)],
            source=PledgeSource.PROCUREMENT,
            announced_on=BASE + 10 * DAY,
            meeting=1,
        ).id,
        "deu-restricted": f.announce(
            store,
            deu,
            item_type=DRONE,
            label=f.restricted(),
            source=PledgeSource.FUNDING,
            announced_on=BASE + 20 * DAY,
            tranches=[(60, BASE + 40 * DAY)],
        ).id,
        "deu-to-gbr": f.announce(
            store, deu, label=f.restricted("GBR"), announced_on=BASE + 30 * DAY, tranches=[]
        ).id,
        "gbr-coalition": f.announce(
            store,
            gbr,
            item_type=AIR_DEFENCE,
            quantity=4,
            tranches=[(4, BASE + 30 * DAY)],
            announced_on=BASE + 5 * DAY,
            meeting=1,
        ).id,
        "pol-to-ukr": f.announce(
            store,
            pol,
            item_type=DRONE,
            label=f.restricted("UKR"),
            announced_on=BASE + 40 * DAY,
            tranches=[],
        ).id,
    }
    with store.write(clock=CLOCK) as uow:
        pledges.schedule_tranche(
            uow=uow, actor=deu, pledge_id=p["deu-to-gbr"], quantity=50, expected_on=BASE + 60 * DAY
        )
    f.move(store, deu, p["deu-public"], PledgeStatus.COMMITTED)
    f.move(store, deu, p["deu-coalition"], PledgeStatus.COMMITTED)
    f.move(store, deu, p["deu-to-gbr"], PledgeStatus.COMMITTED, PledgeStatus.CONTRACTED)
    d = {
        "public": f.deliver(
            store, deu, p["deu-public"], quantity=20, dispatched_on=BASE + 40 * DAY
        ),
        "to-gbr": f.deliver(
            store, deu, p["deu-to-gbr"], quantity=10, dispatched_on=BASE + 70 * DAY
        ),
    }
    d = {k: v.id for k, v in d.items()}
    f.receive(store, c.recipient, d["public"], quantity=20, on=BASE + 45 * DAY)
    ukr = c.recipient
    n = {
        "public": f.submit_need(store, ukr, label=f.PUBLIC, needed_by=BASE + 30 * DAY).id,
        "coalition": f.submit_need(
            store, ukr, item_type=AIR_DEFENCE, priority=Priority.P2, needed_by=BASE + 60 * DAY
        ).id,
        "to-deu": f.submit_need(
            store, ukr, item_type=DRONE, label=f.restricted("DEU"), needed_by=BASE + 90 * DAY
        ).id,
        "restricted": f.submit_need(
            store, ukr, priority=Priority.P3, label=f.restricted(), needed_by=BASE + 10 * DAY
        ).id,
    }
    with store.write(clock=CLOCK) as uow:
        needs.change_need_status(
            uow=uow, actor=ukr, need_id=n["coalition"], status=NeedStatus.PARTLY_COVERED
        )
    return Scenario(p, n, d)


def viewers(c: Principals) -> dict[str, Principal]:
    return {
        "public": c.public,
        "chair": c.chair,
        "DEU": c.donor("DEU"),
        "GBR": c.donor("GBR"),
        "POL": c.donor("POL"),
        "UKR": c.recipient,
        "EU-observer": c.observer,
        "NATO": c.alliance,
    }


ALL_PLEDGES = {"deu-public", "deu-coalition", "deu-restricted", "deu-to-gbr", "gbr-coalition"}
ALL_PLEDGES |= {"pol-to-ukr"}
COALITION_PLEDGES = {"deu-public", "deu-coalition", "gbr-coalition"}
SEES_PLEDGES = {
    "public": {"deu-public"},
    "chair": ALL_PLEDGES,
    "DEU": ALL_PLEDGES - {"pol-to-ukr"},
    "GBR": COALITION_PLEDGES | {"deu-to-gbr"},
    "POL": COALITION_PLEDGES | {"pol-to-ukr"},
    "UKR": COALITION_PLEDGES | {"pol-to-ukr"},
    "EU-observer": COALITION_PLEDGES,
    "NATO": COALITION_PLEDGES,
}
SEES_NEEDS = {
    "public": {"public"},
    "chair": {"public", "coalition", "to-deu", "restricted"},
    "DEU": {"public", "coalition", "to-deu"},
    "GBR": {"public", "coalition"},
    "POL": {"public", "coalition"},
    "UKR": {"public", "coalition", "to-deu", "restricted"},
    "EU-observer": {"public", "coalition"},
    "NATO": {"public", "coalition"},
}


@pytest.mark.parametrize("viewer", list(SEES_PLEDGES))
def test_each_viewer_sees_exactly_the_pledges_its_labels_allow(
    store: Store, coalition: Principals, viewer: str
) -> None:
    s = build(store, coalition)
    who = viewers(coalition)[viewer]
    with store.read() as conn:
        listed = pledges.list_pledges(conn=conn, viewer=who)
        assert {p.id for p in listed} == {s.pledges[k] for k in SEES_PLEDGES[viewer]}
        assert all(can_see(who, p) for p in listed)
        for key, pledge_id in s.pledges.items():
            if key in SEES_PLEDGES[viewer]:
                assert (
                    pledges.get_pledge(conn=conn, viewer=who, pledge_id=pledge_id).id == pledge_id
                )
                assert pledges.pledge_history(conn=conn, viewer=who, pledge_id=pledge_id)
            else:
                with pytest.raises(NotFound):
                    pledges.get_pledge(conn=conn, viewer=who, pledge_id=pledge_id)
                with pytest.raises(NotFound):
                    pledges.pledge_history(conn=conn, viewer=who, pledge_id=pledge_id)


@pytest.mark.parametrize("viewer", list(SEES_NEEDS))
def test_each_viewer_sees_exactly_the_needs_its_labels_allow(
    store: Store, coalition: Principals, viewer: str
) -> None:
    s = build(store, coalition)
    who = viewers(coalition)[viewer]
    with store.read() as conn:
        listed = needs.list_needs(conn=conn, viewer=who)
        assert {n.id for n in listed} == {s.needs[k] for k in SEES_NEEDS[viewer]}
        for key, need_id in s.needs.items():
            if key not in SEES_NEEDS[viewer]:
                with pytest.raises(NotFound):
                    needs.get_need(conn=conn, viewer=who, need_id=need_id)


def _message_without(error: NotFound, key: object) -> str:
    return str(error).replace(str(key), "<id>")


def test_a_hidden_record_is_indistinguishable_from_a_missing_one(
    store: Store, coalition: Principals
) -> None:
    s = build(store, coalition)
    pol = coalition.donor("POL")
    with store.read() as conn:
        lookups = [
            (pledges.get_pledge, "pledge_id", s.pledges["deu-to-gbr"], 999),
            (needs.get_need, "need_id", s.needs["to-deu"], 999),
            (deliveries.get_delivery, "delivery_id", s.deliveries["to-gbr"], 999),
        ]
        for get, arg, hidden, missing in lookups:
            with pytest.raises(NotFound) as seen_hidden:
                get(conn=conn, viewer=pol, **{arg: hidden})
            with pytest.raises(NotFound) as seen_missing:
                get(conn=conn, viewer=pol, **{arg: missing})
            assert type(seen_hidden.value) is type(seen_missing.value)
            assert seen_hidden.value.kind == seen_missing.value.kind
            assert _message_without(seen_hidden.value, hidden) == _message_without(
                seen_missing.value, missing
            )


def test_deliveries_carry_their_pledges_label(store: Store, coalition: Principals) -> None:
    s = build(store, coalition)
    v = viewers(coalition)
    with store.read() as conn:

        def listed(viewer: str) -> set[int]:
            return {d.id for d in deliveries.list_deliveries(conn=conn, viewer=v[viewer])}

        both = {s.deliveries["public"], s.deliveries["to-gbr"]}
        assert listed("public") == {s.deliveries["public"]}
        assert listed("chair") == listed("DEU") == listed("GBR") == both
        assert listed("POL") == listed("UKR") == listed("EU-observer") == {s.deliveries["public"]}
        shown = deliveries.get_delivery(
            conn=conn, viewer=v["GBR"], delivery_id=s.deliveries["to-gbr"]
        )
        assert (shown.donor, shown.label) == ("DEU", f.restricted("GBR"))


def test_the_recipient_cannot_confirm_a_delivery_restricted_away_from_it(
    store: Store, coalition: Principals
) -> None:
    s = build(store, coalition)
    f.refuse(
        store,
        NotFound,
        lambda uow: deliveries.confirm_receipt(
            uow=uow,
            actor=coalition.recipient,
            delivery_id=s.deliveries["to-gbr"],
            received_quantity=10,
        ),
    )


def test_restricted_decisions_are_shown_only_to_those_who_may_see_them(
    store: Store, coalition: Principals
) -> None:
    build(store, coalition)
    with store.write(clock=CLOCK) as uow:
        meetings.change_meeting_status(
            uow=uow, actor=coalition.chair, number=1, status=MeetingStatus.HELD
        )
        for text, label in [
            ("Publish the readout", f.PUBLIC),
            ("Coordinate air defence deliveries", f.COALITION_LABEL),
            ("Hold the reserve for the spring", f.restricted("GBR")),
        ]:
            meetings.record_decision(
                uow=uow, actor=coalition.chair, number=1, text=text, owner="USA", label=label
            )
    v = viewers(coalition)
    with store.read() as conn:

        def texts(viewer: str) -> list[str]:
            shown = meetings.get_meeting(conn=conn, viewer=v[viewer], number=1)
            listed = meetings.list_meetings(conn=conn, viewer=v[viewer])[0]
            assert listed.decisions == shown.decisions
            return [d.text for d in shown.decisions]

        assert texts("public") == ["Publish the readout"]
        assert texts("POL") == ["Publish the readout", "Coordinate air defence deliveries"]
        assert len(texts("GBR")) == len(texts("chair")) == 3


# --- filters ------------------------------------------------------------------------------


def test_list_pledges_filters(store: Store, coalition: Principals) -> None:
    s = build(store, coalition)
    p = s.pledges

    def ids(**filters: object) -> list[int]:
        with store.read() as conn:
            return [
                x.id for x in pledges.list_pledges(conn=conn, viewer=coalition.chair, **filters)
            ]

    # Newest first: announced on, then id, descending.
    assert ids() == [
        p["pol-to-ukr"],
        p["deu-to-gbr"],
        p["deu-restricted"],
        p["deu-coalition"],
        p["gbr-coalition"],
        p["deu-public"],
    ]
    assert ids(donor="GBR") == [p["gbr-coalition"]]
    assert ids(area="air-defence") == [p["deu-coalition"], p["gbr-coalition"]]
    assert ids(coalition="iadc") == [p["deu-coalition"]]  # GBR is not a member of iadc
    assert ids(item_type=DRONE) == [p["pol-to-ukr"], p["deu-restricted"]]
    assert ids(status=[PledgeStatus.COMMITTED, PledgeStatus.CONTRACTED]) == [p["deu-coalition"]]
    assert ids(status=[PledgeStatus.DELIVERING]) == [p["deu-to-gbr"], p["deu-public"]]
    assert ids(status=[PledgeStatus.ANNOUNCED]) == [
        p["pol-to-ukr"],
        p["deu-restricted"],
        p["gbr-coalition"],
    ]
    assert ids(source=PledgeSource.FUNDING) == [p["deu-restricted"]]
    assert ids(meeting=1) == [p["deu-coalition"], p["gbr-coalition"]]
    assert ids(releasability=Releasability.PUBLIC) == [p["deu-public"]]
    assert ids(releasability=Releasability.RESTRICTED) == [
        p["pol-to-ukr"],
        p["deu-to-gbr"],
        p["deu-restricted"],
    ]
    assert ids(announced_from=BASE + 10 * DAY, announced_until=BASE + 30 * DAY) == [
        p["deu-to-gbr"],
        p["deu-restricted"],
        p["deu-coalition"],
    ]
    assert ids(limit=2) == [p["pol-to-ukr"], p["deu-to-gbr"]]
    assert ids(donor="GBR", item_type=SHELL) == []
    with store.read() as conn:
        # Filters never widen what a viewer sees.
        found = pledges.list_pledges(conn=conn, viewer=coalition.public, donor="DEU")
        assert [x.id for x in found] == [p["deu-public"]]


def test_list_needs_filters(store: Store, coalition: Principals) -> None:
    s = build(store, coalition)
    n = s.needs

    def ids(**filters: object) -> list[int]:
        with store.read() as conn:
            return [x.id for x in needs.list_needs(conn=conn, viewer=coalition.chair, **filters)]

    # Most urgent first: priority, then needed-by date.
    assert ids() == [n["public"], n["to-deu"], n["coalition"], n["restricted"]]
    assert ids(area="artillery") == [n["public"], n["restricted"]]
    assert ids(item_type=AIR_DEFENCE) == [n["coalition"]]
    assert ids(status=[NeedStatus.PARTLY_COVERED]) == [n["coalition"]]
    assert ids(status=[NeedStatus.OPEN]) == [n["public"], n["to-deu"], n["restricted"]]
    assert ids(priority=[Priority.P2, Priority.P3]) == [n["coalition"], n["restricted"]]
    assert ids(releasability=Releasability.RESTRICTED) == [n["to-deu"], n["restricted"]]
    assert ids(needed_from=BASE + 30 * DAY, needed_until=BASE + 60 * DAY) == [
        n["public"],
        n["coalition"],
    ]
    assert ids(limit=1) == [n["public"]]
    with store.read() as conn:
        assert [
            x.id for x in needs.list_needs(conn=conn, viewer=coalition.public, area="drones")
        ] == []


def test_list_deliveries_filters(store: Store, coalition: Principals) -> None:
    s = build(store, coalition)
    d, p = s.deliveries, s.pledges

    def ids(**filters: object) -> list[int]:
        with store.read() as conn:
            found = deliveries.list_deliveries(conn=conn, viewer=coalition.chair, **filters)
            return [x.id for x in found]

    assert ids() == [d["to-gbr"], d["public"]]  # newest dispatch first
    assert ids(pledge_id=p["deu-public"]) == [d["public"]]
    assert ids(donor="DEU") == [d["to-gbr"], d["public"]]
    assert ids(donor="GBR") == []
    assert ids(status=[DeliveryStatus.RECEIVED]) == [d["public"]]
    assert ids(status=[DeliveryStatus.DISPATCHED]) == [d["to-gbr"]]
    assert ids(dispatched_from=BASE + 41 * DAY) == [d["to-gbr"]]
    assert ids(dispatched_until=BASE + 40 * DAY) == [d["public"]]
    assert ids(limit=1) == [d["to-gbr"]]


@pytest.mark.parametrize(
    "label", [f.PUBLIC, f.COALITION_LABEL, f.restricted("GBR", "POL")], ids=lambda x: x.level.value
)
def test_an_announced_pledge_is_what_a_read_then_finds(
    store: Store, coalition: Principals, label: Label
) -> None:
    # The service answers an announcement from its event, without reading it back.
    made = f.announce(
        store,
        coalition.donor("DEU"),
        label=label,
        value=Money(Decimal("1234567.89"), "USD", Decimal("0.92345678")),
        tranches=((30, BASE + 30 * DAY), (40, BASE + 90 * DAY)),
    )
    with store.read() as conn:
        assert pledges.get_pledge(conn=conn, viewer=coalition.chair, pledge_id=made.id) == made
