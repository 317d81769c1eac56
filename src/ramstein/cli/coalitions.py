"""`ramstein coalitions ...`: capability coalitions, their leads and members."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading, writing
from ramstein.cli.inputs import AsJson, ExpectedVersion
from ramstein.cli.output import Column, col
from ramstein.domain.capabilities import Coalition, CoalitionRole
from ramstein.services import capabilities

app = typer.Typer(
    help="Capability coalitions: an area, its lead participants and members.",
    no_args_is_help=True,
)


class Membership(StrEnum):
    """A coalition role, or none to leave the coalition."""

    LEAD = "lead"
    MEMBER = "member"
    NONE = "none"

    def role(self) -> CoalitionRole | None:
        return None if self is Membership.NONE else CoalitionRole(self.value)


def _members(coalition: Coalition) -> list[str]:
    return sorted(p for p, r in coalition.members.items() if r is CoalitionRole.MEMBER)


COLUMNS = [
    col("Code", "code"),
    col("Name", "name"),
    col("Area", "area"),
    Column("Leads", lambda c: sorted(c.leads)),
    Column("Members", lambda c: len(c.members), "right"),
]
FIELDS = [
    col("Code", "code"),
    col("Name", "name"),
    col("Area", "area"),
    Column("Leads", lambda c: sorted(c.leads)),
    Column("Members", _members),
    col("Version", "version"),
]
MEMBER_COLUMNS = [Column("Participant", lambda m: m[0]), Column("Role", lambda m: m[1])]

Code = Annotated[str, typer.Argument(help="The coalition's code (e.g. air-defence-coalition).")]


def show_coalition(found: Coalition) -> None:
    members = sorted(found.members.items(), key=lambda m: (m[1] is not CoalitionRole.LEAD, m[0]))
    output.print_record(
        f"Coalition {found.code}", FIELDS, found, [("Members", MEMBER_COLUMNS, members)]
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Option(help="Only coalitions of this area.")] = None,
    participant: Annotated[
        str | None, typer.Option(help="Only coalitions this participant belongs to.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List capability coalitions."""
    with reading(ctx) as (conn, viewer):
        found = capabilities.list_coalitions(
            conn=conn, viewer=viewer, area=area, participant=participant
        )
    output.listing(
        found, COLUMNS, as_json=as_json, title="Coalitions", empty="No coalitions match."
    )


@app.command("show")
def show(ctx: typer.Context, code: Code, as_json: AsJson = False) -> None:
    """Show one coalition and its members."""
    with reading(ctx) as (conn, viewer):
        found = capabilities.get_coalition(conn=conn, viewer=viewer, code=code)
    output.record(found, as_json=as_json, render=show_coalition)


@app.command("add")
def add(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str, typer.Option(help="The coalition's name.")],
    area: Annotated[str, typer.Option(help="The capability area it leads.")],
    lead: Annotated[
        list[str], typer.Option(help="A lead participant (repeatable).", metavar="CODE")
    ],
    member: Annotated[
        list[str] | None, typer.Option(help="A member participant (repeatable).", metavar="CODE")
    ] = None,
) -> None:
    """Form a capability coalition (chair only)."""
    with writing(ctx) as (uow, actor):
        found = capabilities.form_coalition(
            uow=uow,
            actor=actor,
            code=code,
            name=name,
            area=area,
            leads=list(lead),
            members=list(member or []),
        )
    output.done(f"Formed coalition {found.code}.")
    show_coalition(found)


@app.command("update")
def update(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    area: Annotated[str | None, typer.Option(help="A new capability area.")] = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Rename a coalition or move it to another capability area (chair only)."""
    with writing(ctx) as (uow, actor):
        found = capabilities.revise_coalition(
            uow=uow,
            actor=actor,
            code=code,
            name=name,
            area=area,
            expected_version=expected_version,
        )
    output.done(f"Updated coalition {found.code} (version {found.version}).")
    show_coalition(found)


@app.command("member")
def member(
    ctx: typer.Context,
    code: Code,
    participant: Annotated[str, typer.Argument(help="The participant joining or leaving.")],
    role: Annotated[
        Membership, typer.Option(help="Its role in the coalition; none removes it.")
    ] = Membership.MEMBER,
    expected_version: ExpectedVersion = None,
) -> None:
    """Add a participant to a coalition, change its role, or remove it (chair or a lead)."""
    with writing(ctx) as (uow, actor):
        found = capabilities.change_coalition_membership(
            uow=uow,
            actor=actor,
            code=code,
            participant=participant,
            role=role.role(),
            expected_version=expected_version,
        )
    now = found.members.get(participant)
    state = f"is {now.value} of" if now else "has left"
    output.done(f"{participant} {state} coalition {found.code}.")
    show_coalition(found)
