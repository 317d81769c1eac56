"""Capability areas and capability coalitions."""

from __future__ import annotations

import pytest

from ramstein.domain import capabilities
from ramstein.domain.capabilities import Coalition, CoalitionRole
from ramstein.domain.errors import InvalidValue


def test_define_area() -> None:
    event = capabilities.define_area(code="air-defence", name=" Air defence ")
    assert (event.code, event.name) == ("air-defence", "Air defence")
    for bad in ("Air-Defence", "a", "1st-area", "air defence"):
        with pytest.raises(InvalidValue, match=f"{bad!r} is not a valid code"):
            capabilities.define_area(code=bad, name="x")
    with pytest.raises(InvalidValue, match="A capability area needs a name"):
        capabilities.define_area(code="demining", name=" ")


def test_form_coalition() -> None:
    event = capabilities.form_coalition(
        code="iadc", name="Air defence", area="air-defence", leads=["DEU", "FRA"], members=["NLD"]
    )
    assert (event.leads, event.members) == (("DEU", "FRA"), ("NLD",))
    with pytest.raises(InvalidValue, match="needs at least one lead participant"):
        capabilities.form_coalition(code="iadc", name="x", area="a", leads=[], members=["NLD"])
    with pytest.raises(InvalidValue, match="DEU cannot be listed as both lead and member"):
        capabilities.form_coalition(code="iadc", name="x", area="a", leads=["DEU"], members=["DEU"])


COALITION = Coalition(
    code="iadc",
    name="Air defence",
    area="air-defence",
    members={"DEU": CoalitionRole.LEAD, "NLD": CoalitionRole.MEMBER},
)


def test_change_membership() -> None:
    event = capabilities.change_membership(COALITION, "POL", CoalitionRole.MEMBER)
    assert (event.participant, event.role) == ("POL", CoalitionRole.MEMBER)
    assert capabilities.change_membership(COALITION, "NLD", None).role is None
    with pytest.raises(InvalidValue, match="NLD is already member of iadc"):
        capabilities.change_membership(COALITION, "NLD", CoalitionRole.MEMBER)
    with pytest.raises(InvalidValue, match="POL is already not a member of iadc"):
        capabilities.change_membership(COALITION, "POL", None)
    with pytest.raises(InvalidValue, match="DEU is the only lead of iadc; name another lead"):
        capabilities.change_membership(COALITION, "DEU", CoalitionRole.MEMBER)
