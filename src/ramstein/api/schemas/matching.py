"""Matching plans as the API shows them: the header, the report, allocations, diffs, stress.

The services' report types are read attribute by attribute (`from_attributes`), so each model
here names exactly the fields a client sees.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from ramstein.api.schemas.common import Code
from ramstein.domain.errors import InvalidValue
from ramstein.domain.needs import Priority
from ramstein.matching import stress
from ramstein.matching.stress import Scenario
from ramstein.services.match_changes import PlanStress


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SolverPublic(Read):
    solvers: list[str]
    components: int
    statuses: list[str]
    max_mip_gap: float
    seconds: float


class PlanInfoPublic(Read):
    id: int
    created_at: datetime
    user: str | None
    participant: str
    log_seq: int = Field(description="The log position the inputs were read at.")
    weights: dict[Priority, float]
    late_penalty: float
    objective: float
    units_allocated: int
    needs: int
    pledges: int
    solver: SolverPublic


class PrioritySharePublic(Read):
    priority: Priority
    needed: int
    covered: float
    gap: float
    share: float


class NeedCoveragePublic(Read):
    need_id: int
    item_type: str
    area: str
    priority: Priority
    needed_by: date
    needed: int
    covered: float
    gap: float


class AreaGapPublic(Read):
    priority: Priority
    area: str
    needed: int
    covered: float
    gap: float


class CoalitionGapPublic(AreaGapPublic):
    coalition: str


class UnusedOfferPublic(Read):
    offer_id: str
    pledge_id: int
    donor: str
    item_type: str
    available: date
    units_left: int


class OverlapPublic(Read):
    item_type: str
    area: str
    pledges: list[int]
    offered: int
    needed: int
    excess: int


class PlanReportPublic(Read):
    plan: PlanInfoPublic
    priorities: list[PrioritySharePublic]
    needs: list[NeedCoveragePublic]
    area_gaps: list[AreaGapPublic] = Field(description="P1 first, then the largest gap.")
    coalition_gaps: list[CoalitionGapPublic]
    unused: list[UnusedOfferPublic]
    overlaps: list[OverlapPublic]


class AllocationPublic(Read):
    offer_id: str = Field(description="`pledge/tranche`.")
    pledge_id: int
    tranche: int
    donor: str
    offer_type: str
    need_id: int
    need_type: str
    quantity: int = Field(description="Offer units sent.")
    need_units: float = Field(description="Units of the need's own type they serve.")


class MatchRun(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"weights": {"P1": 100, "P2": 40}, "late_penalty": 1}]}
    )

    weights: dict[Priority, Annotated[StrictFloat, Field(ge=0, le=10**6)]] = Field(
        default_factory=dict, description="Priority weights over the defaults P1=100 … P4=5."
    )
    late_penalty: StrictFloat = Field(default=1.0, ge=0, le=10**6)


class AllocationChangePublic(Read):
    offer_id: str
    need_id: int
    before: int
    after: int


class AllocationDiffPublic(Read):
    added: list[AllocationChangePublic]
    removed: list[AllocationChangePublic]
    changed: list[AllocationChangePublic]


class PriorityChangePublic(Read):
    priority: Priority
    needed_before: int
    needed_after: int
    covered_before: float
    covered_after: float


class CoverageChangePublic(Read):
    need_id: int
    before: float
    after: float
    delta: float


class InputChangePublic(Read):
    kind: str
    key: str
    change: str
    fields: dict[str, list[object]] = Field(description="Each changed field: [before, after].")


class PlanDiffPublic(Read):
    before: int
    after: int
    log_seq_before: int
    log_seq_after: int
    objective_before: float
    objective_after: float
    objective_delta: float
    priorities: list[PriorityChangePublic]
    allocations: AllocationDiffPublic
    needs: list[CoverageChangePublic]
    inputs: list[InputChangePublic]


class RerunPublic(Read):
    plan_id: int
    reproduced: bool
    objective_stored: float
    objective_now: float
    allocations: AllocationDiffPublic
    seconds: float


class Delay(BaseModel):
    donor: Code
    days: StrictInt = Field(ge=0, le=3650)


class StressCreate(BaseModel):
    """One scenario: withdraw donors, cut a share of every offer, or delay one donor; or
    `all_donors` to withdraw each donor in turn and rank them."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"donors": ["DEU"]}]})

    donors: list[Code] = Field(default_factory=list, max_length=100)
    share: StrictFloat | None = Field(default=None, ge=0, le=1)
    delay: Delay | None = None
    all_donors: StrictBool = False

    def scenario(self) -> Scenario | None:
        """The scenario asked for; None for every donor in turn."""
        given = [bool(self.donors), self.share is not None, self.delay is not None]
        if sum(given) + self.all_donors != 1:
            raise InvalidValue(
                "body", "Give exactly one of donors, share, delay and all_donors for a stress test."
            )
        if self.donors:
            return stress.remove_donors(self.donors)
        if self.share is not None:
            return stress.cut_share(self.share)
        if self.delay is not None:
            return stress.delay_donor(self.delay.donor, self.delay.days)
        return None


class CapacityPublic(Read):
    donor: str
    offer_units: int


class PriorityLossPublic(BaseModel):
    priority: Priority
    units: float
    share: float


class AreaLossPublic(Read):
    priority: Priority
    area: str
    needed: int
    lost_units: float
    share: float


class CoalitionLossPublic(AreaLossPublic):
    coalition: str


class HurtNeedPublic(Read):
    need_id: int
    item_type: str
    area: str
    priority: Priority
    lost_units: float
    lost_weighted: float
    remaining: list[CapacityPublic] = Field(
        description="Unallocated units of compatible offers each other donor still holds."
    )


class StressPublic(BaseModel):
    plan_id: int
    scenario: str
    baseline_objective: float
    objective: float
    objective_lost: float
    components_resolved: int
    coverage_lost: list[PriorityLossPublic]
    by_area: list[AreaLossPublic]
    by_coalition: list[CoalitionLossPublic]
    hurt: list[HurtNeedPublic]


def stress_public(found: PlanStress) -> StressPublic:
    r = found.result
    return StressPublic(
        plan_id=found.plan_id,
        scenario=r.scenario.label,
        baseline_objective=found.baseline_objective,
        objective=r.plan.objective,
        objective_lost=r.objective_lost,
        components_resolved=r.components_resolved,
        coverage_lost=[
            PriorityLossPublic(priority=p, units=loss.units, share=loss.share)
            for p, loss in r.coverage_lost.items()
        ],
        by_area=[AreaLossPublic.model_validate(x) for x in found.by_area],
        by_coalition=[CoalitionLossPublic.model_validate(x) for x in found.by_coalition],
        hurt=[HurtNeedPublic.model_validate(x) for x in found.hurt],
    )
