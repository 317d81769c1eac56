"""`ramstein meetings ...`: the monthly meeting, its attendance and decisions."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy.engine import Connection

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
    utc_today,
)
from ramstein.cli.output import Column, col
from ramstein.domain.meetings import (
    AgendaEntry,
    AttendanceLevel,
    DecisionKind,
    DecisionStatus,
    Meeting,
    MeetingFormat,
    MeetingStatus,
    default_agenda,
)
from ramstein.domain.pledges import Pledge
from ramstein.domain.releasability import Principal
from ramstein.reports.readout import Audience, Format
from ramstein.reports.render import render
from ramstein.services import agenda, capabilities, meetings, readouts, rounds
from ramstein.services.agenda import Agenda
from ramstein.settings import Settings

app = typer.Typer(
    help="Meetings: schedule, run, the agenda, announcements, decisions and read-outs.",
    no_args_is_help=True,
)

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
    Column("No.", lambda d: d.key, "right"),
    col("Kind", "kind"),
    col("Text", "text"),
    col("Owner", "owner"),
    col("Due", "due_on"),
    col("Status", "status"),
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


def _move(ctx: typer.Context, number: int, to: MeetingStatus, expected: int | None) -> None:
    host = host_signer(ctx) if to is MeetingStatus.CLOSED else None
    with writing(ctx) as (uow, actor):
        found = meetings.change_meeting_status(
            uow=uow, actor=actor, number=number, status=to, expected_version=expected, host=host
        )
    output.done(f"Meeting {found.number} is now {found.status.value}.")
    if host is not None:
        output.done(f"Signed a checkpoint of the log as {host.origin}.")
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
    _move(ctx, number, new_status, expected_version)


@app.command("invite")
def invite(ctx: typer.Context, number: Number, expected_version: ExpectedVersion = None) -> None:
    """Send out the invitations: attendance and announcements open (chair only)."""
    _move(ctx, number, MeetingStatus.INVITED, expected_version)


@app.command("hold")
def hold(ctx: typer.Context, number: Number, expected_version: ExpectedVersion = None) -> None:
    """Open the meeting: decisions are recorded while it is held (chair only)."""
    _move(ctx, number, MeetingStatus.HELD, expected_version)


@app.command("close")
def close(ctx: typer.Context, number: Number, expected_version: ExpectedVersion = None) -> None:
    """Close the meeting and sign a checkpoint of the log with this host's key (chair only)."""
    _move(ctx, number, MeetingStatus.CLOSED, expected_version)


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
    owner: Annotated[
        str, typer.Option(help="The participant that carries it out.", metavar="CODE")
    ],
    action: Annotated[
        bool, typer.Option("--action", help="An action item: carried until closed; needs --due.")
    ] = False,
    due: Annotated[date | None, date_option("When it is due (an action item).", "--due")] = None,
    releasability: ReleasabilityOpt = None,
    to: ReleasableTo = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Record a decision, or an action item, of a held meeting (chair only)."""
    with writing(ctx) as (uow, actor):
        found = meetings.record_decision(
            uow=uow,
            actor=actor,
            number=number,
            text=text,
            owner=owner,
            kind=DecisionKind.ACTION if action else DecisionKind.DECISION,
            due_on=due,
            label=label(releasability, to),
            expected_version=expected_version,
        )
    kind = "action item" if action else "decision"
    output.done(f"Recorded {kind} {found.number}/{len(found.decisions)}.")
    show_meeting(found)


@app.command("actions")
def actions(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only those still open.")] = False,
    owner: Annotated[str | None, typer.Option(help="Only this owner's.", metavar="CODE")] = None,
    as_json: AsJson = False,
) -> None:
    """List the action items of every meeting, oldest first."""
    with reading(ctx) as (conn, viewer):
        found = meetings.list_actions(conn=conn, viewer=viewer, open_only=open_only, owner=owner)
    output.listing(
        found, DECISION_COLUMNS, as_json=as_json, title="Action items", empty="No action items."
    )


@app.command("close-action")
def close_action(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The action item, MEETING/NUMBER (e.g. 27/3).")],
    dropped: Annotated[
        bool, typer.Option("--done/--dropped", help="Done (default), or dropped with a --note.")
    ] = True,
    note: Annotated[str, typer.Option(help="What was done, or why it is dropped.")] = "",
    on: Annotated[date | None, date_option("The day it closed (default today).", "--on")] = None,
) -> None:
    """Close an open action item (its owner or the chair)."""
    meeting, _, decision = key.partition("/")
    if not (meeting.isdigit() and decision.isdigit()):
        raise BadInput(f"{key!r} is not MEETING/NUMBER, such as 27/3.")
    with writing(ctx) as (uow, actor):
        closed = meetings.close_action(
            uow=uow,
            actor=actor,
            number=int(meeting),
            decision=int(decision),
            outcome=DecisionStatus.DONE if dropped else DecisionStatus.DROPPED,
            note=note,
            on=on,
        )
    output.done(f"Action item {closed.key} is {closed.status.value}.")


@app.command("announce")
def announce(
    ctx: typer.Context,
    number: Number,
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            help="The round as CSV: donor,item_type,quantity[,source,value,currency,eur_rate,"
            "years,tranches,releasability,releasable_to,external_ref].",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the round and show it; record nothing.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Record the announcement round: each row becomes a pledge linked to the meeting, all
    of them or none (a refused row is named)."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{file} is not UTF-8 text; save the round as CSV (UTF-8).") from None
    parsed = rounds.parse_csv(text)
    try:
        with writing(ctx) as (uow, actor):
            made = rounds.announce_round(uow=uow, actor=actor, number=number, announcements=parsed)
            if dry_run:
                raise _DryRun(made)
    except _DryRun as checked:
        _show_round(checked.made, as_json=as_json, title=f"Would announce at meeting {number}")
        output.done(f"Dry run: the {len(parsed)} announcements are valid; nothing was recorded.")
        return
    _show_round(made, as_json=as_json, title=f"Announced at meeting {number}")
    output.done(f"Recorded {len(made)} announcements at meeting {number}.")


class _DryRun(Exception):
    """Raised inside the write to take it back after the round was checked."""

    def __init__(self, made: list[Pledge]) -> None:
        self.made = made


@app.command("agenda")
def agenda_(
    ctx: typer.Context,
    number: Number,
    version: Annotated[
        int | None, typer.Option(help="An earlier version of the chair's agenda.", min=1)
    ] = None,
    add: Annotated[str | None, typer.Option(help="Add an item with this title.")] = None,
    text: Annotated[str, typer.Option(help="The added item's text.")] = "",
    at: Annotated[
        int | None, typer.Option(help="Where --add or --move puts the item (1 = first).", min=1)
    ] = None,
    drop: Annotated[str | None, typer.Option(help="Drop the item with this key.")] = None,
    move: Annotated[str | None, typer.Option(help="Move the item with this key (--at).")] = None,
    section: Annotated[
        str | None,
        typer.Option(
            help="Put a built section on the agenda (priorities, pledges, overdue, actions, "
            "coalition:<code>), at --at or at the end."
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show the meeting's agenda built from the data; the chair can add, drop and move its
    items, each change a new version of it."""
    changing = any(x is not None for x in (add, drop, move, section))
    if changing:
        with writing(ctx) as (uow, actor):
            meeting = meetings.get_meeting(conn=uow.conn, viewer=actor, number=number)
            entries = _edited(uow.conn, actor, meeting, add, text, at, drop, move, section)
            meetings.set_agenda(
                uow=uow,
                actor=actor,
                number=number,
                entries=entries,
                expected_version=meeting.agenda_version,
            )
            found = agenda.build(conn=uow.conn, viewer=actor, number=number, today=uow.today())
        output.done(f"Agenda of meeting {number} is now version {found.version}.")
    else:
        with reading(ctx) as (conn, viewer):
            found = agenda.build(
                conn=conn, viewer=viewer, number=number, today=utc_today(), version=version
            )
    if as_json:
        output.print_json(found)
    else:
        show_agenda(found)


def _edited(
    conn: Connection,
    actor: Principal,
    meeting: Meeting,
    add: str | None,
    text: str,
    at: int | None,
    drop: str | None,
    move: str | None,
    section: str | None,
) -> list[AgendaEntry]:
    coalitions = capabilities.list_coalitions(conn=conn, viewer=actor)
    entries = list(meeting.agenda or default_agenda(tuple(sorted(c.code for c in coalitions))))
    keys = [e.key for e in entries]

    def place(entry: AgendaEntry) -> None:
        entries.insert((at - 1) if at is not None else len(entries), entry)

    if drop is not None:
        if drop not in keys:
            raise BadInput(f"{drop} is not on the agenda (it has {', '.join(keys)}).")
        entries = [e for e in entries if e.key != drop]
    if move is not None:
        if move not in keys:
            raise BadInput(f"{move} is not on the agenda (it has {', '.join(keys)}).")
        if at is None:
            raise BadInput("Say where to move it with --at.")
        moved = next(e for e in entries if e.key == move)
        entries = [e for e in entries if e.key != move]
        place(moved)
    if section is not None:
        place(AgendaEntry(section))
    if add is not None:
        taken = [int(k.partition(":")[2]) for k in keys if k.startswith("item:")]
        place(AgendaEntry(f"item:{max(taken, default=0) + 1}", add, text))
    return entries


def show_agenda(found: Agenda) -> None:
    version = f"version {found.version}" if found.version else "the default agenda"
    screen = output.console()
    screen.print(
        Text.assemble(
            (f"Agenda of meeting {found.meeting}", "bold"),
            f" ({found.held_on}; {version}). Gaps from {found.gaps_from}; overdue as of "
            f"{found.as_of}.",
        )
    )
    for item in found.items:
        screen.print(
            Text.assemble(
                "\n", (f"{item.position}. {item.title}", "bold"), (f"  {item.key}", "dim")
            )
        )
        if item.text:
            screen.print(Text(item.text))
        if item.key == "priorities":
            output.print_table("", GAP_COLUMNS, item.gaps, "No P1 or P2 gaps.")
        elif item.key == "pledges":
            output.print_table("", CHANGE_COLUMNS, item.pledges, "No pledge new or changed.")
        elif item.key == "overdue":
            output.print_table("", OVERDUE_COLUMNS, item.overdue, "No tranche is overdue.")
        elif item.key == "actions":
            output.print_table("", DECISION_COLUMNS, item.actions, "No open action items.")
        elif item.coalition is not None:
            report = item.coalition
            cover = report.coverage
            share = (
                "no need recorded"
                if cover is None or cover.pledged_coverage is None
                else f"{cover.pledged_coverage:.0%} of the need pledged"
            )
            screen.print(
                Text(f"Area {report.area}, led by {', '.join(report.leads) or 'nobody'}: {share}.")
            )
            output.print_table("Asks", GAP_COLUMNS, report.asks, "No P1 or P2 gaps.")
            output.print_table("New pledges", CHANGE_COLUMNS, report.new_pledges, "No new pledges.")


GAP_COLUMNS = [
    col("Need", "need", right=True),
    col("Priority", "priority"),
    col("Item", "item_name"),
    col("Needed", "needed", right=True),
    col("Covered", "covered", right=True),
    col("Gap", "gap", right=True),
    col("By", "needed_by"),
]
CHANGE_COLUMNS = [
    col("Pledge", "pledge", right=True),
    Column("", lambda c: "new" if c.new else "changed"),
    col("Donor", "donor"),
    col("Item", "item_type"),
    col("Quantity", "quantity", right=True),
    col("Status", "status"),
]
OVERDUE_COLUMNS = [
    Column("Tranche", lambda o: f"{o.pledge}/{o.tranche}", "right"),
    col("Donor", "donor"),
    col("Item", "item_type"),
    Column("Undelivered", lambda o: o.quantity - o.delivered, "right"),
    col("Expected", "expected_on"),
    col("Days late", "days_late", right=True),
]
ROUND_COLUMNS = [
    col("Pledge", "id", right=True),
    col("Donor", "donor"),
    col("Item", "item_type"),
    col("Quantity", "quantity", right=True),
    col("Releasability", "label"),
]


def _show_round(made: list[Pledge], *, as_json: bool, title: str) -> None:
    output.listing(made, ROUND_COLUMNS, as_json=as_json, title=title, empty="None.")


@app.command("readout")
def readout(
    ctx: typer.Context,
    number: Number,
    audience: Annotated[
        str,
        typer.Option(help="public, coalition, or a participant's code (participant:DEU)."),
    ] = "public",
    format: Annotated[Format, typer.Option("--format", help="md, html or pdf.")] = Format.MARKDOWN,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write it here (default: standard output; a PDF goes to "
            "meeting-N-readout-AUDIENCE.pdf).",
        ),
    ] = None,
) -> None:
    """Generate a meeting's read-out for an audience from the log: the same document for the
    same log position."""
    with reading(ctx) as (conn, viewer):
        document = readouts.build(
            conn=conn,
            requester=viewer,
            number=number,
            audience=Audience.parse(audience),
            group=Settings().group_name,
        )
    data = render(document, format)
    if out is None and format is not Format.PDF:
        sys.stdout.write(data.decode())
        return
    target = out or Path(f"meeting-{number}-readout-{document.audience.key}.{format.value}")
    target.write_bytes(data)
    output.done(
        f"Wrote the {document.audience.title.lower()} read-out of meeting {number} to {target} "
        f"(log entry {document.log_size})."
    )
