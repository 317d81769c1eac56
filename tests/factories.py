"""Factories: a small coalition set up through the services, and the principals acting in it.

`setup_coalition(store)` registers a chair nation (USA), the recipient (UKR), four donor
states, an alliance (NATO), an observer (EU), three capability areas and three item types,
and records the USA as the first chair. Every date is explicit and every write runs on a
fixed clock, so the same calls give the same state on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import pytest

from ramstein.domain import sources
from ramstein.domain.baselines import Baseline, CountingRules, PooledRule
from ramstein.domain.capabilities import CoalitionRole
from ramstein.domain.deliveries import Delivery
from ramstein.domain.errors import DomainError
from ramstein.domain.funds import ContributionStatus
from ramstein.domain.meetings import (
    AgendaEntry,
    AttendanceLevel,
    DecisionKind,
    DecisionRecordedV1,
    DecisionStatus,
    MeetingFormat,
    MeetingStatus,
)
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.participants import ParticipantKind, ParticipantStatus
from ramstein.domain.pledges import (
    Money,
    Pledge,
    PledgeSource,
    PledgeStatus,
    TrancheSpec,
    YearStatus,
)
from ramstein.domain.releasability import PUBLIC_VIEWER, Label, Principal, Releasability, Role
from ramstein.ledger.notes import Signer
from ramstein.services import (
    baselines,
    capabilities,
    catalogue,
    chair,
    deliveries,
    funds,
    log,
    maintenance,
    meetings,
    needs,
    pledges,
    users,
)
from ramstein.services import participants as participant_services
from ramstein.services.log import HostSigner
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork

JOINED = date(2022, 4, 26)
"""The day every factory participant joined (the group's first meeting)."""
BASE = date(2025, 1, 15)
"""The day factory pledges are announced and needs raised, unless a test says otherwise."""
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def fixed_clock(at: datetime = NOW) -> Callable[[], datetime]:
    """A clock that always reads `at`, so defaulted dates and log times are reproducible."""
    return lambda: at


CLOCK = fixed_clock()

HOST = Principal(participant=None, roles=frozenset({Role.CHAIR}), user="host-operator")
"""The host operator who sets the coalition up before any participant chairs."""

CHAIR = "USA"
RECIPIENT = "UKR"
DONORS = ("DEU", "GBR", "POL", "NLD")
ALLIANCE = "NATO"
OBSERVER = "EU"

PARTICIPANTS: tuple[tuple[str, str, ParticipantKind, ParticipantStatus, Decimal | None], ...] = (
    ("USA", "United States", ParticipantKind.STATE, ParticipantStatus.MEMBER, Decimal("27360")),
    ("UKR", "Ukraine", ParticipantKind.RECIPIENT, ParticipantStatus.MEMBER, Decimal("170.5")),
    ("DEU", "Germany", ParticipantKind.STATE, ParticipantStatus.MEMBER, Decimal("4121.160175")),
    ("GBR", "United Kingdom", ParticipantKind.STATE, ParticipantStatus.MEMBER, Decimal("3090")),
    ("POL", "Poland", ParticipantKind.STATE, ParticipantStatus.MEMBER, Decimal("750.25")),
    ("NLD", "Netherlands", ParticipantKind.STATE, ParticipantStatus.MEMBER, Decimal("1010")),
    ("NATO", "North Atlantic Treaty Organization", ParticipantKind.ORGANISATION,
     ParticipantStatus.MEMBER, None),
    ("EU", "European Union", ParticipantKind.ORGANISATION, ParticipantStatus.OBSERVER, None),
)  # fmt: skip

AREAS = (
    ("air-defence", "Air defence"),
    ("artillery", "Artillery"),
    ("drones", "Drones"),
)
SHELL = "155mm-shell"
AIR_DEFENCE = "iris-t-slm"
DRONE = "fpv-drone"
ITEMS = (
    (SHELL, "155 mm artillery shell", "artillery", "round", Decimal("3200.00")),
    (AIR_DEFENCE, "IRIS-T SLM fire unit", "air-defence", "system", Decimal("140000000")),
    (DRONE, "FPV drone", "drones", "unit", Decimal("420.50")),
)

COALITION_LABEL = Label(Releasability.COALITION)
PUBLIC = Label(Releasability.PUBLIC)


def restricted(*named: str) -> Label:
    return Label(Releasability.RESTRICTED, frozenset(named))


@dataclass(frozen=True)
class Principals:
    """Who acts in the factory coalition; `donors` are the four donor states."""

    host: Principal
    chair: Principal
    recipient: Principal
    donors: dict[str, Principal]
    alliance: Principal
    observer: Principal
    public: Principal

    def donor(self, code: str) -> Principal:
        return self.donors[code]


def principal(code: str, *roles: Role, user: str | None = None) -> Principal:
    return Principal(participant=code, roles=frozenset(roles), user=user or code.lower())


def setup_coalition(store: Store, *, clock: Callable[[], datetime] = CLOCK) -> Principals:
    """Register the factory coalition through the services; returns its principals."""
    with store.write(clock=clock) as uow:
        for code, name, kind, status, gdp in PARTICIPANTS:
            participant_services.register_participant(
                uow=uow,
                actor=HOST,
                code=code,
                name=name,
                kind=kind,
                status=status,
                joined_on=JOINED,
                gdp_eur_bn=gdp,
            )
        for code, name in AREAS:
            capabilities.define_area(uow=uow, actor=HOST, code=code, name=name)
        for code, name, area, unit, value in ITEMS:
            catalogue.define_item(
                uow=uow,
                actor=HOST,
                code=code,
                name=name,
                area=area,
                unit=unit,
                unit_value_eur=value,
            )
        chair.assume_chair(uow=uow, actor=HOST, chair=CHAIR, since=JOINED, note="lead nation")
    return coalition_principals()


def coalition_principals() -> Principals:
    """The principals of the factory coalition (as `setup_coalition` returns them)."""
    return Principals(
        host=HOST,
        chair=principal(CHAIR, Role.CHAIR, Role.DONOR),
        recipient=principal(RECIPIENT, Role.RECIPIENT),
        donors={code: principal(code, Role.DONOR) for code in DONORS},
        alliance=principal(ALLIANCE, Role.DONOR),
        observer=principal(OBSERVER, Role.OBSERVER),
        public=PUBLIC_VIEWER,
    )


def user_principal(
    store: Store, *, user: str, participant: str, roles: Iterable[Role]
) -> Principal:
    """Add a host user and return its effective principal today (as sign-in would)."""
    wanted = sorted(r.value for r in roles)
    with store.write(clock=CLOCK) as uow:
        users.add_user(
            conn=uow.conn, name=user, participant=participant, roles=[Role(r) for r in wanted]
        )
    return effective(store, user=user, participant=participant, roles=wanted)


def effective(store: Store, *, user: str, participant: str, roles: Iterable[str]) -> Principal:
    """The principal `users.principal_for` gives a user today."""
    with store.read() as conn:
        return users.principal_for(conn=conn, user=user, participant=participant, roles=roles)


def announce(
    store: Store,
    actor: Principal,
    *,
    donor: str | None = None,
    item_type: str = SHELL,
    quantity: int = 100,
    tranches: Sequence[tuple[int, date]] = ((60, BASE + timedelta(days=30)),),
    label: Label = COALITION_LABEL,
    value: Money | None = None,
    source: PledgeSource = PledgeSource.STOCKS,
    announced_on: date = BASE,
    meeting: int | None = None,
) -> Pledge:
    """Announce a pledge (by default 100 shells, one tranche of 60) and return it."""
    with store.write(clock=CLOCK) as uow:
        return pledges.announce_pledge(
            uow=uow,
            actor=actor,
            donor=donor or actor.participant or "",
            item_type=item_type,
            quantity=quantity,
            value=value,
            source=source,
            announced_on=announced_on,
            tranches=[TrancheSpec(q, on) for q, on in tranches],
            label=label,
            meeting=meeting,
        )


def move(
    store: Store,
    actor: Principal,
    pledge_id: int,
    *statuses: PledgeStatus,
    on: date | None = None,
) -> Pledge:
    """Take a pledge through `statuses`, one command each (by default on its announcement day)."""
    pledge: Pledge | None = None
    for status in statuses:
        with store.write(clock=CLOCK) as uow:
            if on is None:
                current = pledges.get_pledge(conn=uow.conn, viewer=actor, pledge_id=pledge_id)
                on = current.announced_on
            pledge = pledges.change_pledge_status(
                uow=uow,
                actor=actor,
                pledge_id=pledge_id,
                status=status,
                on=on,
                reason="withdrawn from the offer" if status is PledgeStatus.CANCELLED else "",
            )
    assert pledge is not None
    return pledge


def deliver(
    store: Store,
    actor: Principal,
    pledge_id: int,
    *,
    quantity: int,
    tranche: int = 1,
    dispatched_on: date = BASE + timedelta(days=40),
) -> Delivery:
    with store.write(clock=CLOCK) as uow:
        return deliveries.record_delivery(
            uow=uow,
            actor=actor,
            pledge_id=pledge_id,
            tranche=tranche,
            quantity=quantity,
            dispatched_on=dispatched_on,
        )


def receive(
    store: Store,
    actor: Principal,
    delivery_id: int,
    *,
    quantity: int,
    on: date = BASE + timedelta(days=45),
    discrepancy: str = "",
) -> Delivery:
    with store.write(clock=CLOCK) as uow:
        return deliveries.confirm_receipt(
            uow=uow,
            actor=actor,
            delivery_id=delivery_id,
            received_quantity=quantity,
            received_on=on,
            discrepancy=discrepancy,
        )


def submit_need(
    store: Store,
    actor: Principal,
    *,
    item_type: str = SHELL,
    quantity: int = 500,
    priority: Priority = Priority.P1,
    needed_by: date = BASE + timedelta(days=90),
    raised_on: date = BASE,
    label: Label = COALITION_LABEL,
    rationale: str = "counter-battery fire on the eastern front",
) -> Need:
    with store.write(clock=CLOCK) as uow:
        return needs.submit_need(
            uow=uow,
            actor=actor,
            recipient=RECIPIENT,
            item_type=item_type,
            quantity=quantity,
            priority=priority,
            needed_by=needed_by,
            raised_on=raised_on,
            rationale=rationale,
            label=label,
        )


@dataclass(frozen=True)
class Snapshot:
    """What a user could tell about the store: how long the log is and what state it holds."""

    log_size: int
    digest: str


def snapshot(store: Store) -> Snapshot:
    size = maintenance.status(store=store).log_size
    with store.read() as conn:
        return Snapshot(size, maintenance.digest(conn=conn))


E = TypeVar("E", bound=DomainError)


def refuse(store: Store, error: type[E], command: Callable[[UnitOfWork], object]) -> E:
    """Run `command` in a unit of work, expect `error`, and check that nothing was written.

    The command must refuse before appending anything, and afterwards the log has the same
    length and the state the same digest as before.
    """
    before = snapshot(store)
    with pytest.raises(error) as caught, store.write(clock=CLOCK) as uow:
        try:
            command(uow)
        except DomainError:
            assert uow.appended == [], "the command appended events before refusing"
            raise
    assert snapshot(store) == before, "a refused command changed the log or the state"
    assert caught.value.code == error.code
    return caught.value


ORIGIN = "ramstein.test/coalition"
HOST_A = HostSigner(Signer.generate(ORIGIN), ORIGIN)
"""The first host of the test log (the lead nation's)."""
HOST_B = HostSigner(Signer.generate(ORIGIN), ORIGIN)
"""The host the log is handed to (the alliance's)."""
WITNESS = Signer.generate("witness.deu.example")
"""A member's cosigner key."""


def every_event_script(store: Store) -> Principals:
    """Set up the coalition and run a script that appends every kind of event at least once.

    Values are chosen to catch what databases store differently: decimals with many places
    and trailing zeros, foreign currencies, dates across years, JSON lists, named labels.
    """
    c = setup_coalition(store)
    deu, gbr, ukr, chair_p = c.donor("DEU"), c.donor("GBR"), c.recipient, c.chair
    day = timedelta(days=1)
    with store.write(clock=CLOCK) as uow:
        participant_services.register_participant(
            uow=uow,
            actor=chair_p,
            code="NOR",
            name="Norway",
            kind=ParticipantKind.STATE,
            joined_on=JOINED,
            gdp_eur_bn=Decimal("485.000100"),
        )
        participant_services.revise_participant(
            uow=uow, actor=chair_p, code="NOR", name="Kingdom of Norway", gdp_eur_bn=Decimal("0.5")
        )
        participant_services.change_participant_status(
            uow=uow, actor=chair_p, code="NLD", status=ParticipantStatus.OBSERVER, on=BASE
        )
        capabilities.define_area(uow=uow, actor=chair_p, code="demining", name="Demining")
        capabilities.revise_area(
            uow=uow, actor=chair_p, code="demining", description="Humanitarian and military"
        )
        capabilities.form_coalition(
            uow=uow,
            actor=chair_p,
            code="iadc",
            name="Integrated air defence",
            area="air-defence",
            leads=["DEU"],
            members=["GBR"],
        )
        capabilities.change_coalition_membership(
            uow=uow, actor=chair_p, code="iadc", participant="NOR", role=CoalitionRole.MEMBER
        )
        capabilities.revise_coalition(
            uow=uow, actor=chair_p, code="iadc", name="Integrated air and missile defence"
        )
        catalogue.define_item(
            uow=uow,
            actor=chair_p,
            code="155mm-nato",
            name="155 mm (NATO standard)",
            area="artillery",
            unit="round",
            unit_value_eur=Decimal("2999.99"),
        )
        catalogue.revise_item(uow=uow, actor=chair_p, code=DRONE, unit_value_eur=Decimal("399.10"))
        catalogue.set_substitution(
            uow=uow,
            actor=chair_p,
            offer_type="155mm-nato",
            need_type=SHELL,
            ratio=Decimal("0.950000"),
        )
        catalogue.set_substitution(
            uow=uow, actor=chair_p, offer_type=SHELL, need_type="155mm-nato", ratio=Decimal(1)
        )
        catalogue.set_substitution(
            uow=uow, actor=chair_p, offer_type=SHELL, need_type="155mm-nato", ratio=None
        )
        meetings.schedule_meeting(
            uow=uow,
            actor=chair_p,
            held_on=BASE + 20 * day,
            format=MeetingFormat.HYBRID,
            venue="Ramstein Air Base",
            chair="USA",
            co_chairs=["GBR"],
        )
        meetings.revise_meeting(uow=uow, actor=chair_p, number=1, co_chairs=["GBR", "DEU"])
        meetings.change_meeting_status(
            uow=uow, actor=chair_p, number=1, status=MeetingStatus.INVITED
        )
        meetings.record_attendance(
            uow=uow, actor=chair_p, number=1, participant="DEU", level=AttendanceLevel.MINISTER
        )
        meetings.change_meeting_status(uow=uow, actor=chair_p, number=1, status=MeetingStatus.HELD)
        meetings.record_decision(
            uow=uow,
            actor=chair_p,
            number=1,
            text="Winter air defence",
            owner="USA",
            label=restricted("GBR"),
        )
    usd = Money(Decimal("1234567.89"), "USD", Decimal("0.92345678"))
    p1 = announce(store, deu, value=usd, meeting=1, tranches=[(60, BASE + 30 * day)])
    p2 = announce(
        store,
        gbr,
        item_type=AIR_DEFENCE,
        quantity=3,
        tranches=[(1, date(2025, 12, 31)), (2, date(2026, 6, 30))],
        value=Money.eur_amount(Decimal("420000000.10")),
        label=restricted("UKR", "DEU"),
    )
    with store.write(clock=CLOCK) as uow:
        pledges.revise_pledge(
            uow=uow, actor=deu, pledge_id=p1.id, quantity=120, years=[2025, 2026], label=PUBLIC
        )
        pledges.schedule_tranche(
            uow=uow, actor=deu, pledge_id=p1.id, quantity=60, expected_on=date(2026, 1, 5)
        )
        pledges.revise_tranche(
            uow=uow, actor=deu, pledge_id=p1.id, number=1, expected_on=BASE + 45 * day
        )
    move(store, deu, p1.id, PledgeStatus.COMMITTED, PledgeStatus.CONTRACTED)
    move(store, gbr, p2.id, PledgeStatus.COMMITTED)
    d1 = deliver(store, deu, p1.id, quantity=60, dispatched_on=BASE + 50 * day)
    receive(store, ukr, d1.id, quantity=58, on=BASE + 55 * day, discrepancy="2 rounds damaged")
    deliver(store, gbr, p2.id, quantity=1, dispatched_on=date(2026, 1, 2))
    n1 = submit_need(store, ukr, label=restricted("DEU"))
    with store.write(clock=CLOCK) as uow:
        needs.revise_need(uow=uow, actor=ukr, need_id=n1.id, quantity=750, priority=Priority.P2)
        needs.change_need_status(
            uow=uow, actor=ukr, need_id=n1.id, status=NeedStatus.PARTLY_COVERED
        )
        meetings.change_meeting_status(
            uow=uow, actor=chair_p, number=1, status=MeetingStatus.CLOSED, host=HOST_A
        )
        log.set_witness(uow=uow, actor=chair_p, participant="DEU", key=WITNESS.cosigner_key())
        log.set_quorum(uow=uow, actor=chair_p, quorum=1)
        chair.hand_over_chair(
            uow=uow,
            actor=chair_p,
            incoming=ALLIANCE,
            on=date(2026, 1, 1),
            note="alliance",
            new_host_key=HOST_B.signer.verifier_key(),
            host=HOST_A,
        )
    return c


def meeting_events_script(store: Store) -> None:
    """After `every_event_script`: meeting 2 under NATO's chair with an agenda of the chair's,
    an action item closed, a decision as the first schema wrote it (as old logs hold it), an
    outside source cited, pledge 1's years planned, and a pooled fund with contributions."""
    nato = principal(ALLIANCE, Role.CHAIR, Role.DONOR)
    with store.write(clock=CLOCK) as uow:
        meetings.schedule_meeting(
            uow=uow, actor=nato, held_on=date(2026, 2, 12), format=MeetingFormat.VIRTUAL,
            chair=ALLIANCE,
        )  # fmt: skip
        meetings.set_agenda(
            uow=uow,
            actor=nato,
            number=2,
            entries=[AgendaEntry("priorities"), AgendaEntry("item:1", "Winter", "energy")],
        )
        for status in (MeetingStatus.INVITED, MeetingStatus.HELD):
            meetings.change_meeting_status(uow=uow, actor=nato, number=2, status=status)
        meetings.record_decision(
            uow=uow, actor=nato, number=2, text="Report interceptor stocks", owner="DEU",
            kind=DecisionKind.ACTION, due_on=date(2026, 3, 12), label=restricted("GBR"),
        )  # fmt: skip
        meetings.close_action(
            uow=uow, actor=nato, number=2, decision=1, outcome=DecisionStatus.DROPPED,
            note="Reported at the ministers' meeting instead", on=date(2026, 2, 20),
        )  # fmt: skip
        uow.append(
            DecisionRecordedV1(number=2, decision=2, text="Keep the group monthly", label=PUBLIC),
            actor=nato,
            label=PUBLIC,
            owner=ALLIANCE,
        )
        # An outside source cited as a record, with figures of more places than NUMERIC keeps.
        uow.append(
            sources.record_source(
                source="kiel-ust",
                release="29",
                period="04/2026",
                published_on=date(2026, 8, 4),
                label="Ukraine Support Tracker, Release 29 (04/2026)",
                citation="Kiel Institute for the World Economy, Release 29",
                donors=(sources.SourceDonor("DEU", "Germany"), sources.SourceDonor("EU", "EU")),
                figures=(
                    sources.SourceFigure(
                        "data_explorer.csv", 2, "DEU", "", "", "", "gdp", Decimal("4121.1601750543")
                    ),
                    sources.SourceFigure(
                        "data_explorer.csv", 2, "DEU", "2022-03", "", "", "pct_gdp",
                        Decimal("0.000201482184415531"),
                    ),
                    sources.SourceFigure(
                        "data_explorer.csv", 3, "EU", "2022-03", "", "", "to_be_allocated",
                        Decimal("-0.600"),
                    ),
                    sources.SourceFigure(
                        "weapons.csv", 2, "DEU", "", "Air Defense", "Iris-T SLM", "system",
                        Decimal(14),
                    ),
                ),
            ),
            actor=nato,
            label=PUBLIC,
            owner=ALLIANCE,
        )  # fmt: skip
        # Pledge 1 (2025-2026) planned year by year: 2025 committed, then delivered.
        for year, amount, status in (
            (2025, "600000.00", YearStatus.COMMITTED),
            (2026, "450000.50", YearStatus.INDICATIVE),
            (2025, "600000.00", YearStatus.DELIVERED),
        ):
            pledges.plan_year(
                uow=uow, actor=nato, pledge_id=1, year=year, amount_eur=Decimal(amount),
                status=status,
            )  # fmt: skip
        fund_script(uow, nato)
        baseline_script(uow, nato)


FUND = "PF"
BASELINE = "pledge-2025"


def baseline_script(uow: UnitOfWork, chair_p: Principal) -> None:
    """The baseline pledge-2025: EUR 40 bn a year for 2025-2026 counting pooled
    contributions in the year pledged, then revised to count only air defence, and the
    fund's packages pro rata."""
    baselines.agree_baseline(
        uow=uow, actor=chair_p,
        baseline=Baseline(
            code=BASELINE, name="Long-term pledge", annual_eur=Decimal("40000000000.00"),
            first_year=2025, last_year=2026, rules=CountingRules.of(pooled=PooledRule.CONTRIBUTED),
        ),
    )  # fmt: skip
    baselines.revise_baseline(
        uow=uow, actor=chair_p, code=BASELINE, areas=["air-defence"],
        pooled=PooledRule.ATTRIBUTED, note="Air defence only, from the June meeting",
    )  # fmt: skip


def fund_script(uow: UnitOfWork, chair_p: Principal) -> None:
    """The pooled fund PF (set up 2025-06-01): DEU gives USD 1,000,000.01 (paid), GBR EUR
    250,000 restricted to POL (the fund is named too), POL EUR 10 (cancelled); the fund
    pledges a package of 10 drones worth EUR 5,000, of which 3 are dispatched."""
    participant_services.register_participant(
        uow=uow, actor=chair_p, code=FUND, name="Pooled fund", kind=ParticipantKind.FUND,
        joined_on=date(2025, 6, 1), gdp_eur_bn=None,
    )  # fmt: skip
    given = [
        funds.record_contribution(
            uow=uow, actor=chair_p, fund=FUND, contributor=who, value=value,
            on=date(2025, 6, day), label=label, note=note,
        )
        for who, value, day, label, note in (
            ("DEU", Money(Decimal("1000000.01"), "USD", Decimal("0.92345678")), 2, PUBLIC, ""),
            ("GBR", Money.eur_amount(Decimal("250000")), 3, restricted("POL"), "first half"),
            ("POL", Money.eur_amount(Decimal("10")), 4, COALITION_LABEL, ""),
        )
    ]  # fmt: skip
    funds.change_contribution_status(
        uow=uow, actor=chair_p, contribution_id=given[0].id, status=ContributionStatus.PAID,
        on=date(2025, 6, 20),
    )  # fmt: skip
    funds.change_contribution_status(
        uow=uow, actor=chair_p, contribution_id=given[2].id, status=ContributionStatus.CANCELLED,
        on=date(2025, 6, 21), reason="Entered twice",
    )  # fmt: skip
    package = pledges.announce_pledge(
        uow=uow, actor=chair_p, donor=FUND, item_type=DRONE, quantity=10,
        value=Money.eur_amount(Decimal("5000")), source=PledgeSource.PROCUREMENT,
        announced_on=date(2025, 7, 1), tranches=[TrancheSpec(10, date(2025, 9, 1))], label=PUBLIC,
    )  # fmt: skip
    pledges.change_pledge_status(
        uow=uow, actor=chair_p, pledge_id=package.id, status=PledgeStatus.COMMITTED,
        on=date(2025, 7, 2),
    )  # fmt: skip
    deliveries.record_delivery(
        uow=uow, actor=chair_p, pledge_id=package.id, tranche=1, quantity=3,
        dispatched_on=date(2025, 9, 3),
    )  # fmt: skip
