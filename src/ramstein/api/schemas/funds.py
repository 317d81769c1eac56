"""Pooled funds: contributions to a fund, and each fund's report with its attribution."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from ramstein.api.schemas.common import Code, Day, Labelled, Note, label_fields
from ramstein.api.schemas.pledges import MoneyIn, MoneyPublic, money_public
from ramstein.domain.funds import ContributionStatus, FundContribution
from ramstein.domain.releasability import Releasability
from ramstein.reports.funds import Attribution, FundReport


class ContributionCreate(Labelled):
    """Money one donor puts into one pooled fund."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "fund": "PF",
                    "contributor": "DEU",
                    "value": {"amount": "1000000.00", "currency": "EUR"},
                    "on": "2026-03-01",
                    "releasability": "coalition",
                }
            ]
        }
    )

    fund: Code
    contributor: Code
    value: MoneyIn
    on: Day | None = Field(default=None, description="The day pledged to the fund (today).")
    note: Note = ""


class ContributionStatusChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "paid"}]})

    status: ContributionStatus
    on: Day | None = None
    reason: Note = Field(default="", description="Required when cancelling.")


class ContributionPublic(BaseModel):
    id: int
    fund: str
    contributor: str
    value: MoneyPublic
    on: date
    status: ContributionStatus
    status_on: date
    reason: str
    note: str
    releasability: Releasability
    releasable_to: list[str]
    version: int


class AttributionPublic(BaseModel):
    contributor: str = Field(
        description="A participant, or `withheld` for the contributions of at least 3 donors "
        "the viewer may not see."
    )
    name: str
    contributed_eur: Decimal = Field(description="Pledged or paid, not cancelled.")
    paid_eur: Decimal
    share: Decimal | None = Field(description="Of the fund's contributions; null if withheld.")
    delivered_eur: Decimal | None = Field(
        description="What of the fund's deliveries is attributed to it; null if withheld."
    )


class FundPublic(BaseModel):
    fund: str
    name: str
    contributions: int
    contributed_eur: Decimal
    paid_eur: Decimal
    packages: int = Field(description="The fund's pledges not cancelled.")
    packaged_eur: Decimal
    delivered_eur: Decimal = Field(description="What the fund's packages have dispatched.")
    attributed: bool = Field(
        description="False where fewer than 3 donors' contributions are hidden from the "
        "viewer: shares would reveal them, so none is given."
    )
    unattributed_eur: Decimal = Field(
        description="Delivered while the fund had no contribution to attribute it to."
    )
    attributions: list[AttributionPublic]


def contribution_public(c: FundContribution) -> ContributionPublic:
    return ContributionPublic(
        id=c.id,
        fund=c.fund,
        contributor=c.contributor,
        value=money_public(c.value),
        on=c.on,
        status=c.status,
        status_on=c.status_on,
        reason=c.reason,
        note=c.note,
        version=c.version,
        **label_fields(c.label),
    )


def _attribution(a: Attribution) -> AttributionPublic:
    return AttributionPublic(
        contributor=a.contributor,
        name=a.name,
        contributed_eur=a.contributed_eur,
        paid_eur=a.paid_eur,
        share=a.share,
        delivered_eur=a.delivered_eur,
    )


def fund_public(r: FundReport) -> FundPublic:
    return FundPublic(
        fund=r.fund,
        name=r.name,
        contributions=r.contributions,
        contributed_eur=r.contributed_eur,
        paid_eur=r.paid_eur,
        packages=r.packages,
        packaged_eur=r.packaged_eur,
        delivered_eur=r.delivered_eur,
        attributed=r.attributed,
        unattributed_eur=r.unattributed_eur,
        attributions=[_attribution(a) for a in r.attributions],
    )
