"""Participants: the states and organisations that take part, and the recipient."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from ramstein.api.schemas.common import Code, Day, Name
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus


class ParticipantCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "ESP", "name": "Spain", "kind": "state", "gdp_eur_bn": "1462.07"}]
        }
    )

    code: Code = Field(description="ISO 3166-1 alpha-3 for a state, a short code otherwise.")
    name: Name
    kind: ParticipantKind
    status: ParticipantStatus = ParticipantStatus.MEMBER
    joined_on: Day | None = None
    gdp_eur_bn: Decimal | None = Field(default=None, ge=0, le=10**6, decimal_places=4)


class ParticipantUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"gdp_eur_bn": "4200.50"}]})

    name: Name | None = None
    gdp_eur_bn: Decimal | None = Field(default=None, ge=0, le=10**6, decimal_places=4)


class ParticipantStatusChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "observer"}]})

    status: ParticipantStatus
    on: Day | None = None


class ParticipantPublic(BaseModel):
    code: str
    name: str
    kind: ParticipantKind
    status: ParticipantStatus
    joined_on: date
    left_on: date | None
    gdp_eur_bn: Decimal | None
    version: int


def public(p: Participant) -> ParticipantPublic:
    return ParticipantPublic(
        code=p.code,
        name=p.name,
        kind=p.kind,
        status=p.status,
        joined_on=p.joined_on,
        left_on=p.left_on,
        gdp_eur_bn=p.gdp_eur_bn,
        version=p.version,
    )
