"""What one viewer may see, gathered once for an export: the input of every writer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ramstein.domain.capabilities import CapabilityArea
from ramstein.domain.catalogue import ItemType
from ramstein.domain.deliveries import Delivery
from ramstein.domain.funds import FundContribution
from ramstein.domain.needs import Need
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.pledges import Pledge
from ramstein.reports.funds import FundReport


@dataclass(frozen=True, slots=True)
class Records:
    """Records releasable to `audience`, at log position `log_size`, as of `generated_at`.

    `participants`, `areas` and `items` are reference data (all of it, it is public); `needs`,
    `pledges`, `deliveries` and `contributions` are only those the viewer may see, and `funds`
    each pooled fund's report as the viewer may know it (`reports.funds`).
    """

    audience: str
    generated_at: datetime
    log_size: int
    group_name: str
    participants: Mapping[str, Participant]
    areas: Mapping[str, CapabilityArea]
    items: Mapping[str, ItemType]
    needs: Sequence[Need]
    pledges: Sequence[Pledge]
    deliveries: Sequence[Delivery]
    contributions: Sequence[FundContribution] = ()
    funds: Sequence[FundReport] = ()

    @property
    def recipient(self) -> Participant | None:
        """The recipient, where one is registered (the first, by code)."""
        found = sorted(
            (p for p in self.participants.values() if p.kind is ParticipantKind.RECIPIENT),
            key=lambda p: p.code,
        )
        return found[0] if found else None

    def area_of(self, item_type: str) -> CapabilityArea | None:
        item = self.items.get(item_type)
        return self.areas.get(item.area) if item is not None else None
