"""Fair-share baselines: the agreement (amount, span, counting rules) and its yearly report."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ramstein.api.schemas.analytics import FairSharePublic
from ramstein.api.schemas.common import Code, Name, Note
from ramstein.domain.baselines import Baseline, PooledRule
from ramstein.domain.pledges import PledgeSource
from ramstein.reports.baselines import BaselineReport

Year = Annotated[int, Field(ge=1900, le=2999)]
AnnualEur = Annotated[
    Decimal,
    Field(gt=0, lt=10**15, decimal_places=2, description="EUR a year, in cents."),
]


class BaselineCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "pledge-2026",
                    "name": "Long-term security assistance pledge",
                    "annual_eur": "40000000000.00",
                    "first_year": 2026,
                    "last_year": 2027,
                    "sources": ["stocks", "procurement", "funding", "training", "logistics"],
                    "pooled": "contributed",
                }
            ]
        }
    )

    code: Code
    name: Name
    annual_eur: AnnualEur
    first_year: Year
    last_year: Year
    sources: list[PledgeSource] = Field(
        default_factory=lambda: list(PledgeSource),
        max_length=len(PledgeSource),
        description="The pledge sources that count (default: all).",
    )
    areas: list[Code] = Field(
        default_factory=list, max_length=200, description="Areas that count (default: all)."
    )
    pooled: PooledRule = PooledRule.NONE
    note: Note = ""


class BaselineUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"annual_eur": "45000000000.00", "pooled": "attributed"}]}
    )

    name: Name | None = None
    annual_eur: AnnualEur | None = None
    first_year: Year | None = None
    last_year: Year | None = None
    sources: list[PledgeSource] | None = Field(default=None, max_length=len(PledgeSource))
    areas: list[Code] | None = Field(default=None, max_length=200)
    pooled: PooledRule | None = None
    note: Note | None = None


class BaselinePublic(BaseModel):
    code: str
    name: str
    annual_eur: Decimal
    first_year: int
    last_year: int
    sources: list[PledgeSource]
    areas: list[str] = Field(description="Empty: every area counts.")
    pooled: PooledRule
    rules: str = Field(description="The counting rules in words.")
    note: str
    version: int


def baseline_public(b: Baseline) -> BaselinePublic:
    return BaselinePublic(
        code=b.code,
        name=b.name,
        annual_eur=b.annual_eur,
        first_year=b.first_year,
        last_year=b.last_year,
        sources=[s for s in PledgeSource if s in b.rules.sources],
        areas=sorted(b.rules.areas),
        pooled=b.rules.pooled,
        rules=b.rules.describe(),
        note=b.note,
        version=b.version,
    )


class BaselineYearPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    target_eur: Decimal = Field(description="The annual baseline: the targets add up to it.")
    counted_eur: Decimal
    attainment: Decimal | None
    gap_eur: Decimal = Field(description="The gaps of the donors short of their share.")
    donors: list[FairSharePublic]
    withheld_funds: list[str] = Field(
        description="Funds whose packages are credited to nobody: their attribution is "
        "withheld from this viewer."
    )


class BaselineReportPublic(BaseModel):
    baseline: BaselinePublic
    years: list[BaselineYearPublic]


def report_public(r: BaselineReport) -> BaselineReportPublic:
    return BaselineReportPublic(
        baseline=baseline_public(r.baseline),
        years=[BaselineYearPublic.model_validate(y) for y in r.years],
    )
