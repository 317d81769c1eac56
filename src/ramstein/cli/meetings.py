"""`ramstein meetings ...`: the monthly meeting, its attendance and decisions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import host_signer, reading, writing
from ramstein.cli.errors import BadInput
from ramstein.cli.inputs import (
    AsJson,
    ExpectedVersion,
    ReleasabilityOpt,
    ReleasableTo,
    date_option,
    label,
)
from ramstein.cli.output import Column, col
from ramstein.domain.meetings import AttendanceLevel, Meeting, MeetingFormat, MeetingStatus
from ramstein.services import meetings

app = typer.Typer(help="Meetings: schedule, run, attendance and decisions.", no_args_is_help=True)

COLUMNS = [
    col("No.", "number", right=True),
    col("Date", "held_on"),
    col("Format", "format"),
    col("Venue", "venue"),
    col("Chair", "chair"),
    col("Co-chairs", "co_chairs"),
    col("Status", "status"),
    Column("Attending", lambda m: len(m.attendance), "right"),
    Column("Decisions", lambda m: len(m.decisions), "right"),
]
FIELDS = [*COLUMNS[:7], col("Version", "version")]
ATTENDANCE_COLUMNS = [Column("Participant", lambda a: a[0]), Column("Level", lambda a: a[1])]
DECISION_COLUMNS = [
    col("No.", "number", right=True),
    col("Decision", "text"),
    col("Releasability", "label"),
]

Number = Annotated[int, typer.Argument(help="The meeting's sequence number.", metavar="NUMBER")]
CoChairs = Annotated[
    list[str] | None,
    typer.Option("--co-chair", help="A co-chairing participant (repeatable).", metavar="CODE"),
]


def show_meeting(found: Meeting) -> None:
    output.print_record(
        f"Meeting {found.number}",
        FIELDS,
        found,
        [
            ("Attendance", ATTENDANCE_COLUMNS, sorted(found.attendance.items())),
            ("Decisions", DECISION_COLUMNS, found.decisions),
        ],
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[MeetingStatus | None, typer.Option(help="Only this status.")] = None,
    held_from: Annotated[
        date | None, date_option("Only meetings on or after this date.", "--from")
    ] = None,
    held_until: Annotated[
        date | None, date_option("Only meetings on or before this date.", "--until")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List meetings in order."""
    with reading(ctx) as (conn, viewer):
        found = meetings.list_meetings(
            conn=conn, viewer=viewer, status=status, held_from=held_from, held_until=held_until
        )
    output.listing(found, COLUMNS, as_json=as_json, title="Meetings", empty="No meetings match.")


@app.command("show")
def show(ctx: typer.Context, number: Number, as_json: AsJson = False) -> None:
    """Show one meeting with its attendance and the decisions you may see."""
    with reading(ctx) as (conn, viewer):
        found = meetings.get_meeting(conn=conn, viewer=viewer, number=number)
    output.record(found, as_json=as_json, render=show_meeting)


@app.command("add")
def add(
    ctx: typer.Context,
    held_on: Annotated[date, date_option("The meeting's date.", "--date")],
    format: Annotated[MeetingFormat, typer.Option("--format", help="How it meets.")],
    venue: Annotated[str, typer.Option(help="Where (not needed for a virtual meeting).")] = "",
    chair: Annotated[
        str | None, typer.Option(help="Who chairs it (default: the sitting chair).")
    ] = None,
    co_chair: CoChairs = None,
    number: Annotated[
        int | None, typer.Option(help="Its sequence number (default: the next one).")
    ] = None,
) -> None:
    """Schedule a meeting (chair only)."""
    with writing(ctx) as (uow, actor):
        who = chair or actor.participant
        if who is None:
            raise BadInput("Name the meeting's chair with --chair.")
        found = meetings.schedule_meeting(
            uow=uow,
            actor=actor,
            held_on=held_on,
            format=format,
            venue=venue,
            chair=who,
            co_chairs=list(co_chair or []),
            number=number,
        )
    output.done(f"Scheduled meeting {found.number} on {found.held_on}.")
    show_meeting(found)


@app.command("update")
def update(
    ctx: typer.Context,
    number: Number,
    held_on: Annotated[date | None, date_option("A new date.", "--date")] = None,
    format: Annotated[MeetingFormat | None, typer.Option("--format", help="A new format.")] = None,
    venue: Annotated[str | None, typer.Option(help="A new venue.")] = None,
    co_chair: CoChairs = None,
    no_co_chairs: Annotated[
        bool, typer.Option("--no-co-chairs", help="Remove every co-chair.")
    ] = False,
    expected_version: ExpectedVersion = None,
) -> None:
    """Move or revise a scheduled meeting; --co-chair replaces the co-chairs (chair only)."""
    if co_chair and no_co_chairs:
        raise BadInput("Give either --co-chair or --no-co-chairs, not both.")
    with writing(ctx) as (uow, actor):
        found = meetings.revise_meeting(
            uow=uow,
            actor=actor,
            number=number,
            held_on=held_on,
            format=format,
            venue=venue,
            co_chairs=[] if no_co_chairs else (list(co_chair) if co_chair else None),
            expected_version=expected_version,
        )
    output.done(f"Revised meeting {found.number}.")
    show_meeting(found)


@app.command("status")
def status(
    ctx: typer.Context,
    number: Number,
    new_status: Annotated[MeetingStatus, typer.Argument(metavar="STATUS", help="The new status.")],
    expected_version: ExpectedVersion = None,
) -> None:
    """Move a meeting along: scheduled → invited → held → closed, or cancelled (chair only).

    Closing a meeting signs a checkpoint of the log with this host's key.
    """
    host = host_signer(ctx) if new_status is MeetingStatus.CLOSED else None
    with writing(ctx) as (uow, actor):
        found = meetings.change_meeting_status(
            uow=uow,
            actor=actor,
            number=number,
            status=new_status,
            expected_version=expected_version,
            host=host,
        )
    output.done(f"Meeting {found.number} is now {found.status.value}.")
    if host is not None:
        output.done(f"Signed a checkpoint of the log as {host.origin}.")
    show_meeting(found)


@app.command("attend")
def attend(
    ctx: typer.Context,
    number: Number,
    participant: Annotated[str, typer.Argument(help="The participant represented.")],
    level: Annotated[AttendanceLevel, typer.Option(help="The level it was represented at.")],
    expected_version: ExpectedVersion = None,
) -> None:
    """Record a participant's attendance at a meeting (chair only)."""
    with writing(ctx) as (uow, actor):
        found = meetings.record_attendance(
            uow=uow,
            actor=actor,
            number=number,
            participant=participant,
            level=level,
            expected_version=expected_version,
        )
    output.done(f"{participant} attended meeting {found.number} ({level.value}).")
    show_meeting(found)


@app.command("decide")
def decide(
    ctx: typer.Context,
    number: Number,
    text: Annotated[str, typer.Argument(help="The decision's text.")],
    releasability: ReleasabilityOpt = None,
    to: ReleasableTo = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Record a decision taken at a held meeting (chair only)."""
    with writing(ctx) as (uow, actor):
        found = meetings.record_decision(
            uow=uow,
            actor=actor,
            number=number,
            text=text,
            label=label(releasability, to),
            expected_version=expected_version,
        )
    output.done(f"Recorded decision {len(found.decisions)} of meeting {found.number}.")
    show_meeting(found)
