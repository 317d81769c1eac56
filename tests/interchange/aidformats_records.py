"""A small hand-built `Records` for the aid-format writers (IATI, HXL, flows).

Six pledges cover what the writers must tell apart:

1. Germany, public, 300 shells for 1,000,000.00 EUR over 2025-2027, delivered in three
   deliveries of 100 (the first received short, the second received, the third not yet);
   its shares do not divide evenly: 333333.33, 333333.33, 333333.34.
2. United Kingdom, restricted (named UKR, DEU), 3 fire units it funds for 420,000,000.10
   EUR, delivering: one dispatched, not yet received.
3. Poland, coalition, 1000 drones for 1,234,567.89 USD at 0.92345678, announced, 2025-2026.
4. NATO, public, 500 drones with no value, contracted.
5. Germany, public, 50 shells for 160,000.00 EUR, cancelled.
6. Netherlands, public, 7 shells procured for 0.05 EUR, delivering: 6 dispatched one by one
   (shares of a fraction of a cent each).

`records_for(viewer)` keeps what a viewer may see, as `services.exports.gather` does.
`scripted(store)` gives a larger set from a store, for the chair and for the public.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from ramstein.domain.capabilities import CapabilityArea
from ramstein.domain.catalogue import ItemType
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.pledges import Money, Pledge, PledgeSource, PledgeStatus, Tranche
from ramstein.domain.releasability import (
    PUBLIC_VIEWER,
    Label,
    Principal,
    Releasability,
    Role,
    can_see,
)
from ramstein.interchange.records import Records
from ramstein.services import exports, pledges
from ramstein.store.engine import Store
from tests import factories
from tests.factories import every_event_script

GENERATED_AT = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
JOINED = date(2022, 4, 26)
PUBLIC = Label(Releasability.PUBLIC)
COALITION = Label(Releasability.COALITION)
RESTRICTED = Label(Releasability.RESTRICTED, frozenset({"UKR", "DEU"}))

CHAIR = Principal(participant="USA", roles=frozenset({Role.CHAIR}), user="usa")


def _participant(code: str, name: str, kind: ParticipantKind) -> Participant:
    return Participant(code, name, kind, ParticipantStatus.MEMBER, JOINED, version=1)


PARTICIPANTS = {
    p.code: p
    for p in (
        _participant("USA", "United States", ParticipantKind.STATE),
        _participant("UKR", "Ukraine", ParticipantKind.RECIPIENT),
        _participant("DEU", "Germany", ParticipantKind.STATE),
        _participant("GBR", "United Kingdom", ParticipantKind.STATE),
        _participant("POL", "Poland", ParticipantKind.STATE),
        _participant("NLD", "Netherlands", ParticipantKind.STATE),
        _participant("NATO", "North Atlantic Treaty Organization", ParticipantKind.ORGANISATION),
    )
}
AREAS = {
    a.code: a
    for a in (
        CapabilityArea("artillery", "Artillery", version=1),
        CapabilityArea("air-defence", "Air defence", version=1),
        CapabilityArea("drones", "Drones", version=1),
    )
}
SHELL, FIRE_UNIT, DRONE = "155mm-shell", "iris-t-slm", "fpv-drone"
ITEMS = {
    i.code: i
    for i in (
        ItemType(SHELL, "155 mm artillery shell", "artillery", "round", Decimal("3200.00")),
        ItemType(FIRE_UNIT, "IRIS-T SLM fire unit", "air-defence", "system", Decimal("140e6")),
        ItemType(DRONE, "FPV drone", "drones", "unit", Decimal("420.50")),
    )
}


def _tranches(pledge_id: int, *parts: tuple[int, date, int]) -> tuple[Tranche, ...]:
    return tuple(
        Tranche(pledge_id, n, quantity, on, on, delivered)
        for n, (quantity, on, delivered) in enumerate(parts, start=1)
    )


PLEDGES = (
    Pledge(
        id=1,
        donor="DEU",
        item_type=SHELL,
        quantity=300,
        value=Money.eur_amount(Decimal("1000000.00")),
        source=PledgeSource.STOCKS,
        years=(2025, 2026, 2027),
        meeting=None,
        announced_on=date(2025, 1, 15),
        status=PledgeStatus.DELIVERED,
        label=PUBLIC,
        tranches=_tranches(1, (200, date(2025, 3, 1), 200), (100, date(2025, 5, 1), 100)),
        external_ref="DEU-MOD-2025-001",
        version=6,
    ),
    Pledge(
        id=2,
        donor="GBR",
        item_type=FIRE_UNIT,
        quantity=3,
        value=Money.eur_amount(Decimal("420000000.10")),
        source=PledgeSource.FUNDING,
        years=(2025,),
        meeting=None,
        announced_on=date(2025, 2, 1),
        status=PledgeStatus.DELIVERING,
        label=RESTRICTED,
        tranches=_tranches(2, (1, date(2025, 5, 30), 1), (2, date(2025, 12, 31), 0)),
        version=3,
    ),
    Pledge(
        id=3,
        donor="POL",
        item_type=DRONE,
        quantity=1000,
        value=Money(Decimal("1234567.89"), "USD", Decimal("0.92345678")),
        source=PledgeSource.FUNDING,
        years=(2025, 2026),
        meeting=None,
        announced_on=date(2025, 3, 10),
        status=PledgeStatus.ANNOUNCED,
        label=COALITION,
        tranches=_tranches(3, (1000, date(2026, 2, 1), 0)),
        external_ref="POL-2025-17",
        version=1,
    ),
    Pledge(
        id=4,
        donor="NATO",
        item_type=DRONE,
        quantity=500,
        value=None,
        source=PledgeSource.FUNDING,
        years=(2025,),
        meeting=None,
        announced_on=date(2025, 4, 2),
        status=PledgeStatus.CONTRACTED,
        label=PUBLIC,
        version=3,
    ),
    Pledge(
        id=5,
        donor="DEU",
        item_type=SHELL,
        quantity=50,
        value=Money.eur_amount(Decimal("160000.00")),
        source=PledgeSource.STOCKS,
        years=(2025,),
        meeting=None,
        announced_on=date(2025, 4, 20),
        status=PledgeStatus.CANCELLED,
        label=PUBLIC,
        cancel_reason="withdrawn from the offer",
        version=2,
    ),
    Pledge(
        id=6,
        donor="NLD",
        item_type=SHELL,
        quantity=7,
        value=Money.eur_amount(Decimal("0.05")),
        source=PledgeSource.PROCUREMENT,
        years=(2025,),
        meeting=None,
        announced_on=date(2025, 5, 1),
        status=PledgeStatus.DELIVERING,
        label=PUBLIC,
        tranches=_tranches(6, (7, date(2025, 6, 1), 6)),
        version=8,
    ),
)


def _delivery(
    id: int,
    pledge: Pledge,
    quantity: int,
    on: date,
    *,
    received: tuple[int, date, str] | None = None,
    tranche: int = 1,
) -> Delivery:
    d = Delivery(
        id=id,
        pledge_id=pledge.id,
        tranche=tranche,
        quantity=quantity,
        dispatched_on=on,
        note="",
        status=DeliveryStatus.DISPATCHED,
        donor=pledge.donor,
        label=pledge.label,
        version=1,
    )
    if received is None:
        return d
    count, day, discrepancy = received
    return replace(
        d,
        status=DeliveryStatus.RECEIVED,
        received_quantity=count,
        received_on=day,
        discrepancy=discrepancy,
        version=2,
    )


P1, P2, P3, P4, P5, P6 = PLEDGES
DELIVERIES = (
    _delivery(1, P1, 100, date(2025, 2, 10), received=(98, date(2025, 2, 14), "2 damaged")),
    _delivery(2, P1, 100, date(2025, 3, 1), received=(100, date(2025, 3, 4), "")),
    _delivery(3, P1, 100, date(2025, 5, 2), tranche=2),
    _delivery(4, P2, 1, date(2025, 6, 1)),
    *(_delivery(5 + n, P6, 1, date(2025, 6, 2 + n)) for n in range(6)),
)

NEEDS = (
    Need(
        id=1,
        recipient="UKR",
        item_type=SHELL,
        quantity=5000,
        priority=Priority.P1,
        needed_by=date(2025, 9, 30),
        raised_on=date(2025, 1, 10),
        rationale='counter-battery fire, "east"',
        status=NeedStatus.PARTLY_COVERED,
        label=PUBLIC,
        external_ref="UKR-N-1",
        version=2,
    ),
    Need(
        id=2,
        recipient="UKR",
        item_type=FIRE_UNIT,
        quantity=4,
        priority=Priority.P2,
        needed_by=date(2025, 12, 31),
        raised_on=date(2025, 1, 12),
        rationale="cover for the power grid",
        status=NeedStatus.OPEN,
        label=Label(Releasability.RESTRICTED, frozenset({"GBR"})),
        version=1,
    ),
    Need(
        id=3,
        recipient="UKR",
        item_type=DRONE,
        quantity=20000,
        priority=Priority.P3,
        needed_by=date(2026, 3, 31),
        raised_on=date(2025, 2, 1),
        rationale="",
        status=NeedStatus.OPEN,
        label=COALITION,
        version=1,
    ),
)


def records_for(viewer: Principal, *, audience: str | None = None) -> Records:
    """What `viewer` may see of the fixture."""
    return Records(
        audience=audience or ("public" if viewer.is_public else f"{viewer.participant}"),
        generated_at=GENERATED_AT,
        log_size=123,
        group_name="Ukraine Defense Contact Group",
        participants=PARTICIPANTS,
        areas=AREAS,
        items=ITEMS,
        needs=[n for n in NEEDS if can_see(viewer, n)],
        pledges=[p for p in PLEDGES if can_see(viewer, p)],
        deliveries=[d for d in DELIVERIES if can_see(viewer, d)],
    )


def chair_records() -> Records:
    return records_for(CHAIR, audience="USA (chair)")


def public_records() -> Records:
    return records_for(PUBLIC_VIEWER)


NOT_PUBLIC_PLEDGES = tuple(p for p in PLEDGES if not p.label.is_public)
"""Pledge 2 (restricted) and pledge 3 (coalition)."""


# --- a larger set, from the store ------------------------------------------------------


@dataclass(frozen=True)
class Scripted:
    """`every_event_script` plus a delivered, an announced, a cancelled and a coalition pledge,
    gathered for the chair and for the public."""

    chair: Records
    public: Records
    delivered: int
    """The id of the pledge delivered in full (the script's USD pledge, made public)."""
    restricted: int
    """The id of the script's restricted pledge (the United Kingdom's)."""
    coalition: int
    """The id of a pledge labelled coalition."""


def scripted(store: Store) -> Scripted:
    c = every_event_script(store)
    deu, pol = c.donor("DEU"), c.donor("POL")
    with store.read() as conn:
        by_donor = {p.donor: p for p in pledges.list_pledges(conn=conn, viewer=c.chair)}
    usd, gbr = by_donor["DEU"], by_donor["GBR"]
    factories.deliver(store, deu, usd.id, quantity=60, tranche=2, dispatched_on=date(2026, 1, 6))
    factories.announce(
        store,
        pol,
        item_type=factories.DRONE,
        quantity=250,
        label=factories.PUBLIC,
        value=Money.eur_amount(Decimal("105125.00")),
        announced_on=date(2025, 2, 3),
    )
    cancelled = factories.announce(
        store,
        pol,
        quantity=10,
        tranches=(),
        label=factories.PUBLIC,
        value=Money.eur_amount(Decimal("1.00")),
    )
    factories.move(store, pol, cancelled.id, PledgeStatus.CANCELLED)
    coalition = factories.announce(
        store, deu, item_type=factories.DRONE, quantity=5, tranches=((5, date(2025, 4, 1)),)
    )
    factories.move(store, deu, coalition.id, PledgeStatus.COMMITTED)
    with store.read() as conn:
        chair = exports.gather(
            conn=conn, viewer=c.chair, generated_at=GENERATED_AT, group_name="Contact group"
        )
        public = exports.gather(
            conn=conn, viewer=PUBLIC_VIEWER, generated_at=GENERATED_AT, group_name="Contact group"
        )
    return Scripted(chair, public, usd.id, gbr.id, coalition.id)
