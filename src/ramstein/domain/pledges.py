"""Donors' pledges, their delivery tranches and their lifecycle."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from ramstein.domain.decimals import check_places, check_quantity
from ramstein.domain.errors import InvalidValue, NotPermitted, QuantityExceeded
from ramstein.domain.events import Event, event
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.releasability import Label
from ramstein.domain.transitions import Transitions

CURRENCY = re.compile(r"^[A-Z]{3}$")
CENT = Decimal("0.01")


class PledgeStatus(StrEnum):
    ANNOUNCED = "announced"
    COMMITTED = "committed"
    CONTRACTED = "contracted"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class PledgeSource(StrEnum):
    """Where the pledged support comes from (goods from stocks or bought from industry, or
    money to buy them), or the service it is (training, logistics: transport, maintenance)."""

    STOCKS = "stocks"
    PROCUREMENT = "procurement"
    FUNDING = "funding"
    TRAINING = "training"
    LOGISTICS = "logistics"


PLEDGE_TRANSITIONS = Transitions(
    "pledge",
    {
        PledgeStatus.ANNOUNCED: frozenset({PledgeStatus.COMMITTED, PledgeStatus.CANCELLED}),
        PledgeStatus.COMMITTED: frozenset(
            {PledgeStatus.CONTRACTED, PledgeStatus.DELIVERING, PledgeStatus.CANCELLED}
        ),
        PledgeStatus.CONTRACTED: frozenset({PledgeStatus.DELIVERING, PledgeStatus.CANCELLED}),
        PledgeStatus.DELIVERING: frozenset({PledgeStatus.DELIVERED, PledgeStatus.CANCELLED}),
        PledgeStatus.DELIVERED: frozenset(),
        PledgeStatus.CANCELLED: frozenset(),
    },
)

OPEN_STATUSES = frozenset(
    {
        PledgeStatus.ANNOUNCED,
        PledgeStatus.COMMITTED,
        PledgeStatus.CONTRACTED,
        PledgeStatus.DELIVERING,
    }
)


class YearStatus(StrEnum):
    """How firm one year's part of a multi-year pledge is."""

    INDICATIVE = "indicative"
    COMMITTED = "committed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


YEAR_TRANSITIONS = Transitions(
    "pledge year",
    {
        YearStatus.INDICATIVE: frozenset({YearStatus.COMMITTED, YearStatus.CANCELLED}),
        YearStatus.COMMITTED: frozenset({YearStatus.DELIVERED, YearStatus.CANCELLED}),
        YearStatus.DELIVERED: frozenset(),
        YearStatus.CANCELLED: frozenset(),
    },
)


@dataclass(frozen=True, slots=True)
class YearPlan:
    """One year's part of a multi-year pledge: its amount in EUR and how firm it is."""

    year: int
    amount_eur: Decimal
    status: YearStatus


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in its source currency, the rate used (EUR per unit), and the EUR value."""

    amount: Decimal
    currency: str
    eur_rate: Decimal

    @property
    def eur(self) -> Decimal:
        return (self.amount * self.eur_rate).quantize(CENT, rounding=ROUND_HALF_EVEN)

    @classmethod
    def eur_amount(cls, amount: Decimal) -> Money:
        return cls(amount=amount, currency="EUR", eur_rate=Decimal(1))


def validate_money(value: Money) -> Money:
    check_places("value", value.amount, 2)
    check_places("eur_rate", value.eur_rate, 8)
    if value.amount < 0:
        raise InvalidValue("value", f"A pledge's value cannot be negative ({value.amount}).")
    if not CURRENCY.match(value.currency):
        raise InvalidValue(
            "currency", f"Currency {value.currency!r} is not an ISO 4217 code such as EUR or USD."
        )
    if value.eur_rate <= 0:
        raise InvalidValue("eur_rate", f"An exchange rate must be positive ({value.eur_rate}).")
    if value.currency == "EUR" and value.eur_rate != 1:
        raise InvalidValue("eur_rate", "A value in EUR has rate 1.")
    return value


@dataclass(frozen=True, slots=True)
class TrancheSpec:
    """A part of a pledge and when it is expected to be available for delivery."""

    quantity: int
    expected_on: date


@dataclass(frozen=True, slots=True)
class Tranche:
    """A scheduled part of a pledge; `promised_on` is the first date given, kept for slippage."""

    pledge_id: int
    number: int
    quantity: int
    expected_on: date
    promised_on: date
    delivered: int = 0


@dataclass(frozen=True, slots=True)
class Pledge:
    """What a donor gives: item, quantity, value, source, years, tranches and lifecycle."""

    id: int
    donor: str
    item_type: str
    quantity: int
    value: Money | None
    source: PledgeSource
    years: tuple[int, ...]
    meeting: int | None
    announced_on: date
    status: PledgeStatus
    label: Label
    tranches: tuple[Tranche, ...] = ()
    cancel_reason: str = ""
    external_ref: str | None = None
    version: int = 0
    year_plans: tuple[YearPlan, ...] = ()
    """Each year's amount and status, for the years planned so far (by year)."""

    @property
    def owner(self) -> str:
        return self.donor

    @property
    def scheduled(self) -> int:
        return sum(t.quantity for t in self.tranches)

    @property
    def delivered(self) -> int:
        return sum(t.delivered for t in self.tranches)

    def year_plan(self, year: int) -> YearPlan | None:
        return next((y for y in self.year_plans if y.year == year), None)

    def units_by_year(self) -> dict[int, int]:
        """The units its tranches plan in each of its years (0 where none)."""
        found = dict.fromkeys(self.years, 0)
        for t in self.tranches:
            found[t.expected_on.year] = found.get(t.expected_on.year, 0) + t.quantity
        return found

    def tranche(self, number: int) -> Tranche:
        for t in self.tranches:
            if t.number == number:
                return t
        numbers = ", ".join(str(t.number) for t in self.tranches) or "none"
        raise InvalidValue(
            "tranche", f"Pledge {self.id} has no tranche {number}; its tranches are: {numbers}."
        )


@event("PledgeAnnounced", aggregate="pledge")
@dataclass(frozen=True, slots=True)
class PledgeAnnounced(Event):
    pledge_id: int
    donor: str
    item_type: str
    quantity: int
    value: Money | None
    source: PledgeSource
    years: tuple[int, ...]
    meeting: int | None
    announced_on: date
    tranches: tuple[TrancheSpec, ...]
    label: Label
    external_ref: str | None

    def aggregate_id(self) -> str:
        return str(self.pledge_id)


@event("PledgeRevised", aggregate="pledge")
@dataclass(frozen=True, slots=True)
class PledgeRevised(Event):
    pledge_id: int
    quantity: int
    value: Money | None
    source: PledgeSource
    years: tuple[int, ...]
    label: Label

    def aggregate_id(self) -> str:
        return str(self.pledge_id)


@event("PledgeStatusChanged", aggregate="pledge")
@dataclass(frozen=True, slots=True)
class PledgeStatusChanged(Event):
    pledge_id: int
    status: PledgeStatus
    on: date
    reason: str

    def aggregate_id(self) -> str:
        return str(self.pledge_id)


@event("TrancheScheduled", aggregate="pledge")
@dataclass(frozen=True, slots=True)
class TrancheScheduled(Event):
    pledge_id: int
    number: int
    quantity: int
    expected_on: date

    def aggregate_id(self) -> str:
        return str(self.pledge_id)


@event("TrancheRevised", aggregate="pledge")
@dataclass(frozen=True, slots=True)
class TrancheRevised(Event):
    pledge_id: int
    number: int
    quantity: int
    expected_on: date

    def aggregate_id(self) -> str:
        return str(self.pledge_id)


@event("PledgeYearPlanned", aggregate="pledge")
@dataclass(frozen=True, slots=True)
class PledgeYearPlanned(Event):
    pledge_id: int
    year: int
    amount_eur: Decimal
    status: YearStatus

    def aggregate_id(self) -> str:
        return str(self.pledge_id)


def _check_years(years: tuple[int, ...], announced_on: date) -> tuple[int, ...]:
    if not years:
        raise InvalidValue("years", "A pledge covers at least one year.")
    ordered = tuple(sorted(set(years)))
    if ordered != tuple(range(ordered[0], ordered[-1] + 1)):
        raise InvalidValue("years", f"The years a pledge covers must be consecutive (got {years}).")
    if ordered[-1] < announced_on.year:
        raise InvalidValue(
            "years", f"A pledge announced in {announced_on.year} cannot cover only earlier years."
        )
    return ordered


def _check_tranche(quantity: int, expected_on: date, announced_on: date) -> None:
    check_quantity("quantity", quantity, "A tranche's quantity")
    if expected_on < announced_on:
        raise InvalidValue(
            "expected_on",
            f"A tranche cannot be expected on {expected_on}, before the pledge was announced "
            f"on {announced_on}.",
        )


def _require_open(pledge: Pledge, doing: str) -> None:
    if pledge.status not in OPEN_STATUSES:
        raise InvalidValue(
            "status", f"Pledge {pledge.id} is {pledge.status.value}; its {doing} cannot change."
        )


def announce(
    *,
    pledge_id: int,
    donor: Participant,
    item_type: str,
    quantity: int,
    value: Money | None,
    source: PledgeSource,
    years: tuple[int, ...],
    meeting: int | None,
    announced_on: date,
    tranches: tuple[TrancheSpec, ...],
    label: Label,
    external_ref: str | None = None,
) -> PledgeAnnounced:
    if donor.kind is ParticipantKind.RECIPIENT:
        raise NotPermitted(f"{donor.name} ({donor.code}) is the recipient; it cannot pledge.")
    donor.require_active("pledge")
    check_quantity("quantity", quantity, "A pledge's quantity")
    for spec in tranches:
        _check_tranche(spec.quantity, spec.expected_on, announced_on)
    scheduled = sum(t.quantity for t in tranches)
    if scheduled > quantity:
        raise QuantityExceeded(
            f"The tranches add up to {scheduled}, more than the {quantity} pledged."
        )
    return PledgeAnnounced(
        pledge_id=pledge_id,
        donor=donor.code,
        item_type=item_type,
        quantity=quantity,
        value=validate_money(value) if value is not None else None,
        source=source,
        years=_check_years(years, announced_on),
        meeting=meeting,
        announced_on=announced_on,
        tranches=tranches,
        label=label,
        external_ref=external_ref,
    )


def announced(event: PledgeAnnounced) -> Pledge:
    """The pledge an announcement makes, as the projection stores it (version 1)."""
    return Pledge(
        id=event.pledge_id,
        donor=event.donor,
        item_type=event.item_type,
        quantity=event.quantity,
        value=event.value,
        source=event.source,
        years=tuple(range(event.years[0], event.years[-1] + 1)),
        meeting=event.meeting,
        announced_on=event.announced_on,
        status=PledgeStatus.ANNOUNCED,
        label=event.label,
        tranches=tuple(
            Tranche(
                pledge_id=event.pledge_id,
                number=n,
                quantity=spec.quantity,
                expected_on=spec.expected_on,
                promised_on=spec.expected_on,
            )
            for n, spec in enumerate(event.tranches, start=1)
        ),
        external_ref=event.external_ref,
        version=1,
    )


def revise(
    pledge: Pledge,
    *,
    quantity: int,
    value: Money | None,
    source: PledgeSource,
    years: tuple[int, ...],
    label: Label,
) -> PledgeRevised:
    _require_open(pledge, "terms")
    check_quantity("quantity", quantity, "A pledge's quantity")
    if quantity < pledge.scheduled:
        raise QuantityExceeded(
            f"Pledge {pledge.id} has {pledge.scheduled} scheduled in tranches; reduce its tranches "
            f"before cutting the pledge to {quantity}."
        )
    kept = _check_years(years, pledge.announced_on)
    dropped = [
        y.year
        for y in pledge.year_plans
        if y.year not in kept and y.status is not YearStatus.CANCELLED
    ]
    if dropped:
        raise InvalidValue(
            "years",
            f"Pledge {pledge.id} has amounts planned for {', '.join(map(str, dropped))}; "
            "cancel those years before the pledge stops covering them.",
        )
    return PledgeRevised(
        pledge_id=pledge.id,
        quantity=quantity,
        value=validate_money(value) if value is not None else None,
        source=source,
        years=kept,
        label=label,
    )


def plan_year(
    pledge: Pledge, worth_eur: Decimal, *, year: int, amount_eur: Decimal, status: YearStatus
) -> PledgeYearPlanned:
    """Set one year's amount and status; `worth_eur` is what the whole pledge is worth, which
    the years' amounts (those not cancelled) may not exceed together."""
    _require_open(pledge, "years")
    if year not in pledge.years:
        covered = f"{pledge.years[0]}-{pledge.years[-1]}"
        raise InvalidValue("year", f"Pledge {pledge.id} covers {covered}, not {year}.")
    check_places("amount_eur", amount_eur, 2)
    if amount_eur < 0:
        raise InvalidValue("amount_eur", f"A year's amount cannot be negative ({amount_eur}).")
    before = pledge.year_plan(year)
    if before is None:
        if status not in (YearStatus.INDICATIVE, YearStatus.COMMITTED):
            raise InvalidValue(
                "status", f"A year is first planned as indicative or committed, not {status.value}."
            )
    else:
        if before.status in (YearStatus.DELIVERED, YearStatus.CANCELLED):
            raise InvalidValue(
                "status",
                f"{year} of pledge {pledge.id} is {before.status.value}; it cannot change.",
            )
        if status is not before.status:
            YEAR_TRANSITIONS.check(before.status, status)
    others = sum(
        (y.amount_eur for y in pledge.year_plans
         if y.year != year and y.status is not YearStatus.CANCELLED),
        Decimal(0),
    )  # fmt: skip
    counted = amount_eur if status is not YearStatus.CANCELLED else Decimal(0)
    if others + counted > worth_eur:
        raise QuantityExceeded(
            f"The years of pledge {pledge.id} would add up to EUR {others + counted:,}, more than "
            f"the EUR {worth_eur:,} it is worth."
        )
    return PledgeYearPlanned(pledge_id=pledge.id, year=year, amount_eur=amount_eur, status=status)


def change_status(
    pledge: Pledge, status: PledgeStatus, on: date, reason: str = ""
) -> PledgeStatusChanged:
    PLEDGE_TRANSITIONS.check(pledge.status, status)
    if status is PledgeStatus.CANCELLED and not reason.strip():
        raise InvalidValue("reason", "Say why the pledge is cancelled.")
    if status is PledgeStatus.DELIVERED and pledge.delivered < pledge.quantity:
        raise QuantityExceeded(
            f"Pledge {pledge.id} has delivered {pledge.delivered} of {pledge.quantity}; record the "
            "remaining deliveries, or cancel the remainder with a reason."
        )
    if on < pledge.announced_on:
        raise InvalidValue(
            "on",
            f"Pledge {pledge.id} was announced on {pledge.announced_on}; a change cannot "
            "precede it.",
        )
    return PledgeStatusChanged(pledge_id=pledge.id, status=status, on=on, reason=reason.strip())


def schedule_tranche(pledge: Pledge, *, quantity: int, expected_on: date) -> TrancheScheduled:
    _require_open(pledge, "tranches")
    _check_tranche(quantity, expected_on, pledge.announced_on)
    if pledge.scheduled + quantity > pledge.quantity:
        raise QuantityExceeded(
            f"Pledge {pledge.id} has {pledge.quantity - pledge.scheduled} of {pledge.quantity} "
            f"left to schedule; a tranche of {quantity} is too large."
        )
    number = max((t.number for t in pledge.tranches), default=0) + 1
    return TrancheScheduled(
        pledge_id=pledge.id, number=number, quantity=quantity, expected_on=expected_on
    )


def revise_tranche(
    pledge: Pledge, number: int, *, quantity: int, expected_on: date
) -> TrancheRevised:
    _require_open(pledge, "tranches")
    tranche = pledge.tranche(number)
    _check_tranche(quantity, expected_on, pledge.announced_on)
    if quantity < tranche.delivered:
        raise QuantityExceeded(
            f"Tranche {number} of pledge {pledge.id} has already delivered {tranche.delivered}; it "
            f"cannot shrink to {quantity}."
        )
    if pledge.scheduled - tranche.quantity + quantity > pledge.quantity:
        raise QuantityExceeded(
            f"The tranches of pledge {pledge.id} would add up to more than the {pledge.quantity} "
            "pledged."
        )
    return TrancheRevised(
        pledge_id=pledge.id, number=number, quantity=quantity, expected_on=expected_on
    )
