"""The item catalogue and substitutions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ramstein.domain import catalogue
from ramstein.domain.catalogue import ItemType
from ramstein.domain.errors import InvalidValue


def define(**overrides: Any) -> catalogue.ItemTypeDefined:
    args: dict[str, Any] = {
        "code": "155mm-shell",
        "name": " 155 mm shell ",
        "area": "artillery",
        "unit": " round ",
        "unit_value_eur": Decimal("3200.00"),
    }
    args.update(overrides)
    return catalogue.define_item(**args)


def test_define() -> None:
    event = define()
    assert (event.name, event.unit, event.unit_value_eur) == (
        "155 mm shell",
        "round",
        Decimal("3200.00"),
    )


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"code": "155MM"}, "code", "Item code '155MM' is not valid"),
        ({"code": "x"}, "code", "Item code 'x' is not valid"),
        ({"name": ""}, "name", "An item type needs a name"),
        ({"unit": " "}, "unit", "needs a unit of measure"),
        ({"unit_value_eur": Decimal("-1")}, "unit_value_eur", "cannot be negative (-1)"),
        ({"unit_value_eur": Decimal("0.001")}, "unit_value_eur", "more than 2 decimal places"),
    ],
)
def test_define_refusals(overrides: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        define(**overrides)
    assert caught.value.field == field
    assert says in str(caught.value)


SHELL = ItemType("155mm-shell", "155 mm shell", "artillery", "round", Decimal(3200))
NATO_SHELL = ItemType("155mm-nato", "155 mm (NATO)", "artillery", "round", Decimal(3000))


def test_revise_keeps_the_code_and_validates_like_define() -> None:
    event = catalogue.revise_item(
        SHELL, name="Shell", area="artillery", unit="round", unit_value_eur=Decimal(1)
    )
    assert (event.code, event.name) == ("155mm-shell", "Shell")
    with pytest.raises(InvalidValue, match="needs a unit of measure"):
        catalogue.revise_item(SHELL, name="Shell", area="a", unit="", unit_value_eur=Decimal(1))


def test_substitutions() -> None:
    assert catalogue.set_substitution(NATO_SHELL, SHELL, Decimal("0.5")).ratio == Decimal("0.5")
    assert catalogue.set_substitution(NATO_SHELL, SHELL, None).ratio is None
    with pytest.raises(InvalidValue, match="already serves itself at ratio 1"):
        catalogue.set_substitution(SHELL, SHELL, Decimal(1))
    with pytest.raises(InvalidValue, match=r"must be positive \(got 0\)"):
        catalogue.set_substitution(NATO_SHELL, SHELL, Decimal(0))
    with pytest.raises(InvalidValue, match="more than 6 decimal places"):
        catalogue.set_substitution(NATO_SHELL, SHELL, Decimal("0.1234567"))
