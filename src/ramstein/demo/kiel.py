"""The Kiel Institute Ukraine Support Tracker (release 29), read from the package's data
through `ramstein.interchange.kiel` (the reader `ramstein import kiel` uses).

Only what the demo needs: each donor's monthly military allocations and GDP, and the heavy
weapons delivered by donor and category. The files are real outside data; never edit them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from ramstein.interchange.kiel import EU_CODE as EU_CODE
from ramstein.interchange.kiel import FILES, KielRelease, parse_release

RELEASE = "kiel-ust-r29"

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


@cache
def release() -> KielRelease:
    """The release, read (and every cell checked) by `ramstein.interchange.kiel`."""
    folder = resources.files("ramstein.demo").joinpath("data", RELEASE)
    return parse_release(
        {name: folder.joinpath(name).read_text("utf-8") for name in FILES}, RELEASE
    )


@cache
def donors() -> dict[str, KielDonor]:
    """Every donor in the Tracker by code; GDP None where the Tracker gives none (EU)."""
    return {
        d.iso: KielDonor(code=d.iso, name=d.name, gdp_eur_bn=d.gdp or None)
        for d in release().donors().values()
    }


@cache
def military_allocations() -> dict[str, dict[Month, Decimal]]:
    """Military allocations by donor code and (year, month), in EUR billions."""
    out: dict[str, dict[Month, Decimal]] = defaultdict(dict)
    for row in release().months:
        out[row.iso][(row.year, row.month)] = row.military
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


@cache
def heavy_weapons() -> tuple[HeavyWeapon, ...]:
    """Heavy-weapon deliveries, one line per donor and named system, in file order."""
    return tuple(
        HeavyWeapon(row.iso, row.category, system.name, system.count)
        for row in release().weapons
        for system in row.systems
    )
