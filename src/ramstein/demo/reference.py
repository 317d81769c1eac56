"""The demo's hand-written reference data: participants, areas, coalitions and the catalogue.

The files live in `ramstein/demo/data/` beside the Kiel Tracker release; each says in its own
columns what is real and what is synthetic (see that folder's README).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from importlib import resources

from ramstein.demo import kiel
from ramstein.domain.participants import ParticipantKind, ParticipantStatus

GDP_PLACES = Decimal("0.000001")
"""The domain keeps GDP to 6 decimal places; the Tracker's figures are rounded to that."""


@dataclass(frozen=True, slots=True)
class ParticipantSpec:
    """A participant of the demo coalition and how it takes part."""

    code: str
    name: str
    kind: ParticipantKind
    status: ParticipantStatus
    joined_on: date
    gdp_eur_bn: Decimal | None
    gdp_source: str
    pledges: str
    """'all', 'non-lethal' or 'none'."""
    currency: str
    note: str


@dataclass(frozen=True, slots=True)
class AreaSpec:
    code: str
    name: str
    description: str
    pledge_weight: float
    need_weight: float


@dataclass(frozen=True, slots=True)
class CoalitionSpec:
    code: str
    name: str
    area: str
    leads: tuple[str, ...]
    formed_in: tuple[int, int]


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """A catalogue item; `kiel_category` names the Tracker's heavy-weapon category, if any."""

    code: str
    name: str
    area: str
    unit: str
    unit_value_eur: Decimal
    min_qty: int
    max_qty: int
    kiel_category: str
    weight: float

    @property
    def heavy(self) -> bool:
        return bool(self.kiel_category)


@dataclass(frozen=True, slots=True)
class SubstitutionSpec:
    offer_type: str
    need_type: str
    ratio: Decimal
    why: str


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("ramstein.demo").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _gdp(row: dict[str, str]) -> Decimal | None:
    if row["gdp_source"] == "kiel":
        gdp = kiel.donors()[row["code"]].gdp_eur_bn
    else:
        gdp = Decimal(row["gdp_eur_bn"]) if row["gdp_eur_bn"] else None
    return None if gdp is None else gdp.quantize(GDP_PLACES, rounding=ROUND_HALF_EVEN)


@cache
def participants() -> tuple[ParticipantSpec, ...]:
    return tuple(
        ParticipantSpec(
            code=r["code"],
            name=r["name"],
            kind=ParticipantKind(r["kind"]),
            status=ParticipantStatus(r["status"]),
            joined_on=date.fromisoformat(r["joined_on"]),
            gdp_eur_bn=_gdp(r),
            gdp_source=r["gdp_source"],
            pledges=r["pledges"],
            currency=r["currency"],
            note=r["note"],
        )
        for r in _read("participants.csv")
    )


@cache
def areas() -> tuple[AreaSpec, ...]:
    return tuple(
        AreaSpec(
            r["code"],
            r["name"],
            r["description"],
            float(r["pledge_weight"]),
            float(r["need_weight"]),
        )
        for r in _read("areas.csv")
    )


@cache
def coalitions() -> tuple[CoalitionSpec, ...]:
    out = []
    for r in _read("coalitions.csv"):
        year, month = r["formed_on"].split("-")
        out.append(
            CoalitionSpec(
                r["code"], r["name"], r["area"], tuple(r["leads"].split()), (int(year), int(month))
            )
        )
    return tuple(out)


@cache
def items() -> tuple[ItemSpec, ...]:
    return tuple(
        ItemSpec(
            code=r["code"],
            name=r["name"],
            area=r["area"],
            unit=r["unit"],
            unit_value_eur=Decimal(r["unit_value_eur"]),
            min_qty=int(r["min_qty"]),
            max_qty=int(r["max_qty"]),
            kiel_category=r["kiel_category"],
            weight=float(r["weight"]),
        )
        for r in _read("catalogue.csv")
    )


@cache
def substitutions() -> tuple[SubstitutionSpec, ...]:
    return tuple(
        SubstitutionSpec(r["offer_type"], r["need_type"], Decimal(r["ratio"]), r["why"])
        for r in _read("substitutions.csv")
    )


@cache
def weapon_items() -> tuple[tuple[str, str], ...]:
    """(pattern, item code): the first pattern found in a Tracker weapon name gives its item."""
    return tuple((r["pattern"].lower(), r["item"]) for r in _read("weapons_map.csv"))


def item_for_weapon(name: str) -> str:
    lowered = name.lower()
    for pattern, item in weapon_items():
        if pattern in lowered:
            return item
    raise ValueError(f"the demo catalogue has no item for the Tracker's weapon {name!r}")
