"""The item catalogue and its substitutions (interoperability lives here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ramstein.domain.decimals import check_places
from ramstein.domain.errors import InvalidValue
from ramstein.domain.events import Event, event

ITEM_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True, slots=True)
class ItemType:
    """A kind of item that can be needed and pledged, with its unit and reference value."""

    code: str
    name: str
    area: str
    unit: str
    unit_value_eur: Decimal
    version: int = 0


@dataclass(frozen=True, slots=True)
class Substitution:
    """One unit of `offer_type` serves `ratio` units of a need for `need_type`."""

    offer_type: str
    need_type: str
    ratio: Decimal


@event("ItemTypeDefined", aggregate="item")
@dataclass(frozen=True, slots=True)
class ItemTypeDefined(Event):
    code: str
    name: str
    area: str
    unit: str
    unit_value_eur: Decimal

    def aggregate_id(self) -> str:
        return self.code


@event("ItemTypeRevised", aggregate="item")
@dataclass(frozen=True, slots=True)
class ItemTypeRevised(Event):
    code: str
    name: str
    area: str
    unit: str
    unit_value_eur: Decimal

    def aggregate_id(self) -> str:
        return self.code


@event("SubstitutionSet", aggregate="item")
@dataclass(frozen=True, slots=True)
class SubstitutionSet(Event):
    """Defines or changes a substitution; a ratio of None removes it."""

    offer_type: str
    need_type: str
    ratio: Decimal | None

    def aggregate_id(self) -> str:
        return self.need_type


def _validate(code: str, name: str, unit: str, unit_value_eur: Decimal) -> None:
    if not ITEM_CODE.match(code):
        raise InvalidValue(
            "code",
            f"Item code {code!r} is not valid; use 2-64 lower-case letters, digits, '.', '_' "
            "or '-' (e.g. 155mm-shell).",
        )
    if not name.strip():
        raise InvalidValue("name", "An item type needs a name.")
    if not unit.strip():
        raise InvalidValue("unit", "An item type needs a unit of measure (e.g. round, system).")
    check_places("unit_value_eur", unit_value_eur, 2)
    if unit_value_eur < 0:
        raise InvalidValue("unit_value_eur", f"A unit value cannot be negative ({unit_value_eur}).")


def define_item(
    *, code: str, name: str, area: str, unit: str, unit_value_eur: Decimal
) -> ItemTypeDefined:
    _validate(code, name, unit, unit_value_eur)
    return ItemTypeDefined(
        code=code, name=name.strip(), area=area, unit=unit.strip(), unit_value_eur=unit_value_eur
    )


def revise_item(
    item: ItemType, *, name: str, area: str, unit: str, unit_value_eur: Decimal
) -> ItemTypeRevised:
    _validate(item.code, name, unit, unit_value_eur)
    return ItemTypeRevised(
        code=item.code,
        name=name.strip(),
        area=area,
        unit=unit.strip(),
        unit_value_eur=unit_value_eur,
    )


def set_substitution(offer: ItemType, need: ItemType, ratio: Decimal | None) -> SubstitutionSet:
    if offer.code == need.code:
        raise InvalidValue("need_type", "Every item type already serves itself at ratio 1.")
    if ratio is not None:
        check_places("ratio", ratio, 6)
    if ratio is not None and ratio <= 0:
        raise InvalidValue("ratio", f"A substitution ratio must be positive (got {ratio}).")
    return SubstitutionSet(offer_type=offer.code, need_type=need.code, ratio=ratio)
