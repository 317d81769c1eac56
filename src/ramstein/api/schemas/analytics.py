"""Analytics as the API answers them: the figures of `ramstein.reports.analytics`, decimals
as JSON numbers in strings where they are money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Figures(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DonorTotalsPublic(_Figures):
    donor: str
    name: str
    pledges: int
    pledged_eur: Decimal
    pledged_eur_bn: Decimal = Field(description="The same in EUR billions, to six places.")
    committed_eur: Decimal
    delivered_eur: Decimal
    pledged_units: int
    committed_units: int
    delivered_units: int
    gdp_eur_bn: Decimal | None
    pledged_pct_gdp: Decimal | None = Field(description="Percent of GDP; null without a GDP.")
    delivered_pct_gdp: Decimal | None


class FairSharePublic(_Figures):
    donor: str
    gdp_share: Decimal
    target_eur: Decimal
    counted_eur: Decimal
    attainment: Decimal = Field(description="counted / target: 1 is the fair share exactly.")
    gap_eur: Decimal


class ReliabilityPublic(_Figures):
    key: str = Field(description="The donor's or the area's code.")
    due: int
    on_time: int
    on_time_share: Decimal | None
    mean_slip_days: Decimal | None
    p90_slip_days: int | None


class ReliabilityReportPublic(_Figures):
    as_of: date
    donors: list[ReliabilityPublic]
    areas: list[ReliabilityPublic]


class AreaCoveragePublic(_Figures):
    area: str
    needed_eur: Decimal
    pledged_eur: Decimal
    delivered_eur: Decimal
    pledged_coverage: Decimal | None
    delivered_coverage: Decimal | None
    donors: int
    top_donor: str | None
    top_donor_share: Decimal | None
    concentration: Decimal | None = Field(description="Herfindahl index of donors' shares.")


class CoveragePointPublic(_Figures):
    on: date = Field(description="A month end.")
    area: str
    coalitions: list[str]
    needed_eur: Decimal
    pledged_coverage: Decimal | None
    delivered_coverage: Decimal | None


class AreaAmountPublic(_Figures):
    area: str
    eur: Decimal
    eur_bn: Decimal = Field(description="EUR billions, to six places.")


class MonthTotalPublic(_Figures):
    month: str = Field(description="YYYY-MM: the month the pledges were announced in.")
    pledges: int
    donors: int
    total_eur: Decimal
    total_eur_bn: Decimal = Field(description="EUR billions, to six places.")
    areas: list[AreaAmountPublic] = Field(
        description="Every capability area of the series, in code order (0 where none)."
    )
