"""Analytics as the API answers them: the figures of `ramstein.reports.analytics`, decimals
as JSON numbers in strings where they are money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from ramstein.api.schemas.matching import StressPublic


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
    to_funds_eur: Decimal = Field(
        description="Contributed to pooled funds (pledged or paid), beside the pledges."
    )
    via_funds_eur: Decimal | None = Field(
        description="Its part of what the funds' packages delivered; null where withheld."
    )


class FairSharePublic(_Figures):
    donor: str
    gdp_share: Decimal
    target_eur: Decimal
    counted_eur: Decimal
    attainment: Decimal = Field(description="counted / target: 1 is the fair share exactly.")
    gap_eur: Decimal
    pooled_eur: Decimal = Field(description="The part of counted_eur through pooled funds.")


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


class QuarterFiguresPublic(_Figures):
    quarter: str = Field(description="YYYY-Qn")
    ends_on: date
    planned_eur: Decimal = Field(description="Value expected to arrive in the quarter as planned.")
    expected_eur: Decimal = Field(description="The same with each donor's delays: the mean.")
    low_eur: Decimal = Field(description="10th percentile of the runs.")
    high_eur: Decimal = Field(description="90th percentile of the runs.")
    coverage_planned: Decimal | None = Field(
        description="Share of the need delivered by the quarter's end, as planned."
    )
    coverage_expected: Decimal | None
    coverage_low: Decimal | None
    coverage_high: Decimal | None


class AreaForecastPublic(_Figures):
    area: str
    needed_eur: Decimal
    quarters: list[QuarterFiguresPublic]


class ForecastPublic(_Figures):
    as_of: date
    runs: int
    seed: int
    quarters: list[QuarterFiguresPublic] = Field(description="Every area together.")
    areas: list[AreaForecastPublic]
    later_expected_eur: Decimal = Field(description="Expected after the last quarter.")
    unscheduled_eur: Decimal = Field(description="Pledged but in no tranche yet: not forecast.")


class YearCommitmentsPublic(_Figures):
    year: int
    committed_eur: Decimal = Field(description="Years the donors marked committed.")
    indicative_eur: Decimal = Field(description="Years the donors marked indicative.")
    delivered_eur: Decimal = Field(description="Years marked delivered.")
    unplanned_eur: Decimal = Field(
        description="Parts of pledges that plan no amount for the year: their value shared "
        "equally by the years they do not plan."
    )
    total_eur: Decimal
    donors: int
    pledges: int


class StopPublic(BaseModel):
    donor: str
    after: date


class ScenarioPublic(BaseModel):
    stops: list[StopPublic]
    cut_donors: Decimal
    cut_by: Decimal


class ExposedNeedPublic(_Figures):
    need_id: int
    item_type: str
    quantity: int
    needed_by: date
    expected_units: Decimal = Field(description="Expected to have arrived for it by then.")
    scenario_units: Decimal = Field(description="The same under the scenario.")


class AreaDependencePublic(_Figures):
    area: str
    expected_eur: Decimal = Field(description="Expected over the forecast's quarters.")
    donors: int
    top_donor: str | None
    top_donor_share: Decimal | None
    scenario_eur: Decimal
    lost_share: Decimal | None = Field(
        description="Share of the expected value the scenario loses."
    )


class ScenarioReportPublic(BaseModel):
    scenario: ScenarioPublic
    forecast: ForecastPublic
    stressed: ForecastPublic = Field(description="The same forecast under the scenario.")
    exposed: list[ExposedNeedPublic] = Field(
        description="P1 needs with less expected to arrive by their needed-by date."
    )
    dependence: list[AreaDependencePublic]
    allocation: StressPublic | None = Field(
        description="The matching plan's optimal allocation re-solved under the scenario: "
        "the plan asked for, or the newest the viewer may read; null when there is none."
    )


class FirmFundingPublic(_Figures):
    area: str
    needed_eur: Decimal = Field(description="Open needs due in the next twelve months.")
    firm_eur: Decimal = Field(
        description="Committed, contracted or delivering tranches expected by then."
    )
    announced_eur: Decimal = Field(description="Tranches only announced, expected by then.")
    firm_share: Decimal | None
