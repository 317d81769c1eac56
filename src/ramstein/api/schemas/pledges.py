"""Donors' pledges, their tranches and their status history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from ramstein.api.schemas.common import (
    Code,
    Day,
    ExternalRef,
    Labelled,
    Note,
    Quantity,
    label_fields,
)
from ramstein.domain.pledges import (
    CENT,
    Money,
    Pledge,
    PledgeSource,
    PledgeStatus,
    Tranche,
    TrancheSpec,
    YearStatus,
)
from ramstein.domain.releasability import Releasability

Year = Annotated[StrictInt, Field(ge=1990, le=2100)]


class MoneyIn(BaseModel):
    amount: Decimal = Field(ge=0, lt=10**15, decimal_places=2)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    eur_rate: Decimal = Field(
        default=Decimal(1), gt=0, lt=10**6, decimal_places=8, description="EUR per unit."
    )

    def money(self) -> Money:
        return Money(amount=self.amount, currency=self.currency, eur_rate=self.eur_rate)


class MoneyPublic(BaseModel):
    amount: Decimal
    currency: str
    eur_rate: Decimal
    eur: Decimal


class TrancheCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"quantity": 500, "expected_on": "2027-05-15"}]}
    )

    quantity: Quantity
    expected_on: Day

    def spec(self) -> TrancheSpec:
        return TrancheSpec(quantity=self.quantity, expected_on=self.expected_on)


class TrancheUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"expected_on": "2027-06-30"}]})

    quantity: Quantity | None = None
    expected_on: Day | None = None


class YearPlanChange(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount_eur": "1000.00", "status": "committed"}]}
    )

    amount_eur: Decimal | None = Field(
        default=None, ge=0, lt=10**15, decimal_places=2, description="Default: as it is."
    )
    status: YearStatus | None = Field(
        default=None, description="Default: as it is (indicative for a year planned first)."
    )


class YearPublic(BaseModel):
    year: int
    amount_eur: Decimal | None = Field(description="The year's amount; null until planned.")
    status: YearStatus | None
    tranche_units: int = Field(description="Units its tranches plan in the year.")


class TranchePublic(BaseModel):
    number: int
    quantity: int
    expected_on: date
    promised_on: date = Field(description="The first date given, kept to measure slippage.")
    delivered: int


ANNOUNCEMENT_EXAMPLE = {
    "donor": "DEU",
    "item_type": "155mm-shell",
    "quantity": 1000,
    "value": {"amount": "4000000.00", "currency": "EUR"},
    "source": "stocks",
    "tranches": [{"quantity": 1000, "expected_on": "2027-04-30"}],
    "releasability": "coalition",
}


class AnnouncementCreate(Labelled):
    """A pledge's terms as a member announces it."""

    model_config = ConfigDict(json_schema_extra={"examples": [ANNOUNCEMENT_EXAMPLE]})

    donor: Code
    item_type: Code
    quantity: Quantity
    value: MoneyIn | None = None
    source: PledgeSource
    years: list[Year] | None = Field(default=None, max_length=20)
    tranches: list[TrancheCreate] = Field(default_factory=list, max_length=200)
    external_ref: ExternalRef | None = None


class PledgeCreate(AnnouncementCreate):
    model_config = ConfigDict(json_schema_extra={"examples": [ANNOUNCEMENT_EXAMPLE]})

    meeting: StrictInt | None = Field(default=None, ge=1, le=10**6)
    announced_on: Day | None = None


class PledgeUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"quantity": 1200}]})

    quantity: Quantity | None = None
    value: MoneyIn | None = None
    source: PledgeSource | None = None
    years: list[Year] | None = Field(default=None, max_length=20)
    releasability: Releasability | None = None
    releasable_to: list[Code] | None = Field(default=None, max_length=100)


class PledgeStatusChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "contracted"}]})

    status: PledgeStatus
    on: Day | None = None
    reason: Note = Field(default="", description="Required when cancelling.")


class PledgePublic(BaseModel):
    id: int
    donor: str
    item_type: str
    quantity: int
    value: MoneyPublic | None
    source: PledgeSource
    years: list[int]
    meeting: int | None
    announced_on: date
    status: PledgeStatus
    cancel_reason: str
    tranches: list[TranchePublic]
    year_plan: list[YearPublic] = Field(
        description="Every year the pledge covers: its amount and status, and its tranches' units."
    )
    scheduled: int = Field(description="Units scheduled in tranches.")
    delivered: int = Field(description="Units delivered so far.")
    releasability: Releasability
    releasable_to: list[str]
    external_ref: str | None
    version: int


class StatusChangePublic(BaseModel):
    seq: int = Field(description="The log entry that made the change.")
    status: PledgeStatus
    on: date
    reason: str


def money_public(m: Money) -> MoneyPublic:
    return MoneyPublic(amount=m.amount, currency=m.currency, eur_rate=m.eur_rate, eur=m.eur)


def year_public(p: Pledge, year: int, units: int) -> YearPublic:
    plan = p.year_plan(year)
    return YearPublic(
        year=year,
        amount_eur=plan.amount_eur.quantize(CENT) if plan else None,
        status=plan.status if plan else None,
        tranche_units=units,
    )


def tranche_public(t: Tranche) -> TranchePublic:
    return TranchePublic(
        number=t.number,
        quantity=t.quantity,
        expected_on=t.expected_on,
        promised_on=t.promised_on,
        delivered=t.delivered,
    )


def public(p: Pledge) -> PledgePublic:
    return PledgePublic(
        id=p.id,
        donor=p.donor,
        item_type=p.item_type,
        quantity=p.quantity,
        value=money_public(p.value) if p.value is not None else None,
        source=p.source,
        years=list(p.years),
        meeting=p.meeting,
        announced_on=p.announced_on,
        status=p.status,
        cancel_reason=p.cancel_reason,
        tranches=[tranche_public(t) for t in p.tranches],
        year_plan=[year_public(p, year, units) for year, units in p.units_by_year().items()],
        scheduled=p.scheduled,
        delivered=p.delivered,
        external_ref=p.external_ref,
        version=p.version,
        **label_fields(p.label),
    )
