"""The catalogue: item types and the substitutions between them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ramstein.api.schemas.common import ONE_LINE, Code, Name
from ramstein.domain.catalogue import ItemType, Substitution

Unit = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=ONE_LINE)]


class ItemCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "shell-120-mortar",
                    "name": "120mm mortar round",
                    "area": "artillery",
                    "unit": "round",
                    "unit_value_eur": "1500.00",
                }
            ]
        }
    )

    code: Code
    name: Name
    area: Code
    unit: Unit
    unit_value_eur: Decimal = Field(ge=0, lt=10**12, decimal_places=2)


class ItemUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"unit_value_eur": "8250.00"}]})

    name: Name | None = None
    area: Code | None = None
    unit: Unit | None = None
    unit_value_eur: Decimal | None = Field(default=None, ge=0, lt=10**12, decimal_places=2)


class ItemPublic(BaseModel):
    code: str
    name: str
    area: str
    unit: str
    unit_value_eur: Decimal
    version: int


def item_public(i: ItemType) -> ItemPublic:
    return ItemPublic(
        code=i.code,
        name=i.name,
        area=i.area,
        unit=i.unit,
        unit_value_eur=i.unit_value_eur,
        version=i.version,
    )


class SubstitutionSet(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ratio": "0.5"}]})

    ratio: Decimal = Field(
        gt=0,
        lt=10**6,
        decimal_places=8,
        description="One unit of the offer type serves this many units of a need of the need type.",
    )


class SubstitutionPublic(BaseModel):
    offer_type: str
    need_type: str
    ratio: Decimal


def substitution_public(s: Substitution) -> SubstitutionPublic:
    return SubstitutionPublic(offer_type=s.offer_type, need_type=s.need_type, ratio=s.ratio)
