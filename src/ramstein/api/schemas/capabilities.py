"""Capability areas and coalitions (an area, its lead participants and its members)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ramstein.api.schemas.common import Code, Name, Note
from ramstein.domain.capabilities import CapabilityArea, Coalition, CoalitionRole


class AreaCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "medical", "name": "Medical", "description": "Field hospitals"}]
        }
    )

    code: Code
    name: Name
    description: Note = ""


class AreaUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Air and missile defence"}]})

    name: Name | None = None
    description: Note | None = None


class AreaPublic(BaseModel):
    code: str
    name: str
    description: str
    version: int


def area_public(a: CapabilityArea) -> AreaPublic:
    return AreaPublic(code=a.code, name=a.name, description=a.description, version=a.version)


class CoalitionCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "medevac",
                    "name": "Medical evacuation coalition",
                    "area": "air-defence",
                    "leads": ["DEU"],
                    "members": ["GBR"],
                }
            ]
        }
    )

    code: Code
    name: Name
    area: Code
    leads: list[Code] = Field(min_length=1, max_length=20)
    members: list[Code] = Field(default_factory=list, max_length=200)


class CoalitionUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "IAMD coalition"}]})

    name: Name | None = None
    area: Code | None = None


class MembershipChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "member"}]})

    role: CoalitionRole | None = Field(description="lead, member, or null to leave.")


class CoalitionPublic(BaseModel):
    code: str
    name: str
    area: str
    leads: list[str]
    members: dict[str, CoalitionRole] = Field(description="Every member with its role.")
    version: int


def coalition_public(c: Coalition) -> CoalitionPublic:
    return CoalitionPublic(
        code=c.code,
        name=c.name,
        area=c.area,
        leads=sorted(c.leads),
        members=dict(sorted(c.members.items())),
        version=c.version,
    )
