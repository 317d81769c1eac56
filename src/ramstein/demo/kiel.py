"""The Kiel Institute Ukraine Support Tracker (release 29), read from the package's data.

Only what the demo needs: each donor's monthly military allocations and GDP, and the heavy
weapons delivered by donor and category. The files are real outside data; never edit them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

RELEASE = "kiel-ust-r29"
EU_CODE = "EU"
"""The Tracker gives the EU institutions no ISO code; the demo uses 'EU' for them."""

Month = tuple[int, int]


@dataclass(frozen=True, slots=True)
class KielDonor:
    """A donor as the Tracker lists it: its name, code and GDP (EUR bn, as published)."""

    code: str
    name: str
    gdp_eur_bn: Decimal | None


@dataclass(frozen=True, slots=True)
class HeavyWeapon:
    """One line of a donor's heavy-weapon deliveries: a named system and how many."""

    donor: str
    category: str
    name: str
    count: int


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("ramstein.demo").joinpath("data", RELEASE, name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def donors() -> dict[str, KielDonor]:
    """Every donor in the Tracker by code; GDP None where the Tracker gives none (EU)."""
    out: dict[str, KielDonor] = {}
    for row in _read("data_explorer.csv"):
        code = row["iso"] or EU_CODE
        gdp = Decimal(row["gdp"]) if row["gdp"] else Decimal(0)
        out[code] = KielDonor(code=code, name=row["country"], gdp_eur_bn=gdp or None)
    return out


@cache
def military_allocations() -> dict[str, dict[Month, Decimal]]:
    """Military allocations by donor code and (year, month), in EUR billions."""
    out: dict[str, dict[Month, Decimal]] = defaultdict(dict)
    for row in _read("data_explorer.csv"):
        code = row["iso"] or EU_CODE
        month = (int(row["year"]), int(row["month"]))
        out[code][month] = out[code].get(month, Decimal(0)) + Decimal(row["military"] or "0")
    return dict(out)


def military_total(code: str, first: Month | None = None, last: Month | None = None) -> Decimal:
    """A donor's military allocations (EUR bn) over the months from `first` to `last`."""
    months = military_allocations().get(code, {})
    return sum(
        (
            v
            for m, v in months.items()
            if (first is None or m >= first) and (last is None or m <= last)
        ),
        Decimal(0),
    )


_WEAPON = re.compile(r"^(.*\S)\s*\((\d+)\)$")


@cache
def heavy_weapons() -> tuple[HeavyWeapon, ...]:
    """Heavy-weapon deliveries, one line per donor and named system, in file order."""
    by_name = {d.name: d.code for d in donors().values()}
    out: list[HeavyWeapon] = []
    for row in _read("weapons.csv"):
        code = by_name[row["donor"]]
        for part in row["weapons_list"].split(";"):
            found = _WEAPON.match(part.strip())
            if found is None:
                raise ValueError(f"cannot read the weapon {part!r} of {row['donor']}")
            out.append(HeavyWeapon(code, row["category"], found.group(1), int(found.group(2))))
    return tuple(out)
