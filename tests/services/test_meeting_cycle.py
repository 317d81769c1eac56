"""Two monthly meetings through the services: the agenda built from the data, the round of
announcements, decisions and action items carried over, read-outs per audience, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ramstein.domain.errors import (
    IllegalTransition,
    InvalidValue,
    NotFound,
    NotPermitted,
    StaleVersion,
)
from ramstein.domain.meetings import (
    AgendaEntry,
    AttendanceLevel,
    DecisionKind,
    DecisionStatus,
    MeetingFormat,
    MeetingStatus,
)
from ramstein.domain.needs import Priority
from ramstein.domain.pledges import PledgeStatus, TrancheSpec
from ramstein.domain.releasability import Principal
from ramstein.reports.readout import Audience, AudienceKind, Format
from ramstein.reports.render import render
from ramstein.services import agenda, capabilities, meetings, readouts, rounds
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import BASE, CLOCK, DRONE, SHELL, Principals

DAY = timedelta(days=1)
FIRST_ON = BASE + 10 * DAY
SECOND_ON = BASE + 40 * DAY


@dataclass(frozen=True)
class Cycle:
    c: Principals
    round_ids: dict[str, int]
    between: int


def first_meeting(store: Store, c: Principals) -> dict[str, int]:
    """Meeting 1: scheduled, invited, attended, held; its round, decisions and actions;
    closed."""
    chair = c.chair
    with store.write(clock=CLOCK) as uow:
        capabilities.form_coalition(
            uow=uow, actor=chair, code="artillery-c", name="Artillery coalition",
            area="artillery", leads=["DEU"], members=["GBR"],
        )  # fmt: skip
        for held_on in (FIRST_ON, SECOND_ON):
            meetings.schedule_meeting(
                uow=uow, actor=chair, held_on=held_on, format=MeetingFormat.HYBRID,
                venue="Ramstein Air Base", chair="USA", co_chairs=["GBR"],
            )  # fmt: skip
        meetings.change_meeting_status(uow=uow, actor=chair, number=1, status=MeetingStatus.INVITED)
        for code, level in (("DEU", AttendanceLevel.MINISTER), ("GBR", AttendanceLevel.AMBASSADOR)):
            meetings.record_attendance(
                uow=uow, actor=chair, number=1, participant=code, level=level
            )
        meetings.change_meeting_status(uow=uow, actor=chair, number=1, status=MeetingStatus.HELD)
    f.submit_need(store, c.recipient, item_type=SHELL, quantity=1000, priority=Priority.P1)
    f.submit_need(store, c.recipient, item_type=DRONE, quantity=50, priority=Priority.P2)
    parsed = rounds.parse_csv(
        "donor,item_type,quantity,value,currency,eur_rate,tranches,releasability,releasable_to\n"
        f"DEU,{SHELL},400,,,,200@{(BASE + 20 * DAY).isoformat()},coalition,\n"
        f"GBR,{SHELL},100,320000,EUR,,,public,\n"
        f"POL,{DRONE},20,,,,,restricted,GBR\n"
    )
    with store.write(clock=CLOCK) as uow:
        made = rounds.announce_round(uow=uow, actor=chair, number=1, announcements=parsed)
        meetings.record_decision(
            uow=uow, actor=chair, number=1, text="Shells first through the winter.",
            owner="DEU", label=f.PUBLIC,
        )  # fmt: skip
        meetings.record_decision(
            uow=uow, actor=chair, number=1, text="Report spare barrels.", owner="GBR",
            kind=DecisionKind.ACTION, due_on=SECOND_ON, label=f.COALITION_LABEL,
        )  # fmt: skip
        meetings.record_decision(
            uow=uow, actor=chair, number=1, text="Pool drone orders.", owner="POL",
            kind=DecisionKind.ACTION, due_on=SECOND_ON, label=f.restricted("GBR"),
        )  # fmt: skip
        meetings.change_meeting_status(uow=uow, actor=chair, number=1, status=MeetingStatus.CLOSED)
    return {p.donor: p.id for p in made}


@pytest.fixture
def cycle(store: Store, coalition: Principals) -> Cycle:
    ids = first_meeting(store, coalition)
    # Between the meetings: a new pledge, one changed, an action done.
    between = f.announce(
        store, coalition.donor("NLD"), item_type=SHELL, quantity=50,
        tranches=((50, SECOND_ON + 30 * DAY),), announced_on=FIRST_ON + 5 * DAY,
    ).id  # fmt: skip
    f.move(store, coalition.donor("DEU"), ids["DEU"], PledgeStatus.COMMITTED)
    with store.write(clock=CLOCK) as uow:
        meetings.close_action(
            uow=uow, actor=coalition.donor("GBR"), number=1, decision=2,
            outcome=DecisionStatus.DONE, note="Reported 40.", on=SECOND_ON - DAY,
        )  # fmt: skip
    return Cycle(coalition, ids, between)


def test_the_second_agenda_is_built_from_what_happened_since_the_first(
    store: Store, cycle: Cycle
) -> None:
    c = cycle.c
    with store.read() as conn:
        found = agenda.build(conn=conn, viewer=c.chair, number=2, today=date(2030, 1, 1))
    assert [i.key for i in found.items] == [
        "priorities", "pledges", "overdue", "coalition:artillery-c", "actions",
    ]  # fmt: skip
    assert found.version == 0 and found.previous == 1 and found.as_of == SECOND_ON
    items = {i.key: i for i in found.items}
    # 1000 shells needed, 550 pledged: a P1 gap of 450; 50 drones, 20 pledged: a P2 gap of 30.
    assert [(g.item_type, g.priority, g.gap) for g in items["priorities"].gaps] == [
        (SHELL, Priority.P1, 450),
        (DRONE, Priority.P2, 30),
    ]
    assert "no matching plan" in found.gaps_from
    changes = {(p.pledge, p.new) for p in items["pledges"].pledges}
    assert changes == {(cycle.between, True), (cycle.round_ids["DEU"], False)}
    (late,) = items["overdue"].overdue
    assert (late.pledge, late.tranche, late.days_late) == (cycle.round_ids["DEU"], 1, 20)
    report = items["coalition:artillery-c"].coalition
    assert report is not None and report.leads == ("DEU",)
    assert [g.item_type for g in report.asks] == [SHELL]
    assert [p.pledge for p in report.new_pledges] == [cycle.between]
    # GBR's action is done; POL's, released to GBR only, is carried.
    assert [(a.key, a.owner) for a in items["actions"].actions] == [("1/3", "POL")]
    with store.read() as conn:
        seen = agenda.build(conn=conn, viewer=c.donor("DEU"), number=2, today=SECOND_ON)
    deu_items = {i.key: i for i in seen.items}
    assert deu_items["actions"].actions == ()  # DEU may not see POL's restricted action
    assert {p.pledge for p in deu_items["pledges"].pledges} == {
        cycle.between,
        cycle.round_ids["DEU"],
    }


def test_the_chair_reorders_adds_and_drops_items_each_change_a_version(
    store: Store, cycle: Cycle
) -> None:
    chair = cycle.c.chair
    first = (AgendaEntry("actions"), AgendaEntry("item:1", "Winter energy", "EU brief"))
    second = (AgendaEntry("priorities"), *first)
    with store.write(clock=CLOCK) as uow:
        meetings.set_agenda(uow=uow, actor=chair, number=2, entries=first, expected_version=0)
    with store.write(clock=CLOCK) as uow:
        meetings.set_agenda(uow=uow, actor=chair, number=2, entries=second, expected_version=1)
    with store.read() as conn:
        now = agenda.build(conn=conn, viewer=chair, number=2, today=SECOND_ON)
        then = agenda.build(conn=conn, viewer=chair, number=2, today=SECOND_ON, version=1)
    assert now.version == 2 and [i.key for i in now.items] == ["priorities", "actions", "item:1"]
    assert then.version == 1 and [i.title for i in then.items] == [
        "Open action items",
        "Winter energy",
    ]
    f.refuse(
        store,
        StaleVersion,
        lambda uow: meetings.set_agenda(
            uow=uow, actor=chair, number=2, entries=first, expected_version=1
        ),
    )
    f.refuse(
        store,
        NotPermitted,
        lambda uow: meetings.set_agenda(
            uow=uow, actor=cycle.c.donor("DEU"), number=2, entries=first, expected_version=2
        ),
    )


def test_bad_input_is_refused_with_a_sentence_and_nothing_written(
    store: Store, cycle: Cycle
) -> None:
    chair = cycle.c.chair
    with store.write(clock=CLOCK) as uow:
        meetings.change_meeting_status(uow=uow, actor=chair, number=2, status=MeetingStatus.INVITED)
        meetings.change_meeting_status(uow=uow, actor=chair, number=2, status=MeetingStatus.HELD)
    held_twice = f.refuse(
        store,
        IllegalTransition,
        lambda uow: meetings.change_meeting_status(
            uow=uow, actor=chair, number=2, status=MeetingStatus.HELD
        ),
    )
    assert "held" in str(held_twice)
    not_a_member = f.refuse(
        store,
        NotFound,
        lambda uow: meetings.record_attendance(
            uow=uow, actor=chair, number=2, participant="XYZ", level=AttendanceLevel.OFFICIAL
        ),
    )
    assert "XYZ" in str(not_a_member)
    no_owner = f.refuse(
        store,
        InvalidValue,
        lambda uow: meetings.record_decision(
            uow=uow, actor=chair, number=2, text="Who does this?", owner=None, label=f.PUBLIC
        ),
    )
    assert "needs an owner" in str(no_owner)
    # A round at a closed meeting: the first announcement is refused, nothing is written.
    before = f.snapshot(store)
    round_ = [rounds.Announcement("DEU", SHELL, 10), rounds.Announcement("GBR", SHELL, 10)]
    refused = pytest.raises(rounds.RoundRefused, match="Announcement 1 .* announcements are taken")
    with refused, store.write(clock=CLOCK) as uow:
        rounds.announce_round(uow=uow, actor=chair, number=1, announcements=round_)
    # A round whose second announcement is refused takes its first back too.
    round_ = [rounds.Announcement("DEU", SHELL, 10), rounds.Announcement("GBR", "no-item", 10)]
    refused = pytest.raises(rounds.RoundRefused, match="Announcement 2 \\(GBR, no-item\\)")
    with refused, store.write(clock=CLOCK) as uow:
        rounds.announce_round(uow=uow, actor=chair, number=2, announcements=round_)
    assert f.snapshot(store) == before
    with store.read() as conn, pytest.raises(NotFound, match="audience"):
        readouts.build(
            conn=conn, requester=chair, number=1, audience=Audience.parse("XYZ"), group="G"
        )
    with pytest.raises(InvalidValue, match="is not an audience"):
        Audience.parse("everybody please")


def test_a_bad_round_file_lists_every_bad_row() -> None:
    text = "donor,item_type,quantity,tranches,years,colour\n"  # an unknown column
    with pytest.raises(rounds.BadRound, match="colour"):
        rounds.parse_csv(text)
    text = (
        "donor,item_type,quantity,tranches,years,value,currency\n"
        "DEU,shell,ten,,,,\n"
        "GBR,shell,5,5@tomorrow,2029-2027,,\n"
        "POL,shell,5,,,100,USD\n"
        "NLD,shell,5,,2027-2028,,\n"
    )
    with pytest.raises(rounds.BadRound) as caught:
        rounds.parse_csv(text)
    assert [(r.line, r.column) for r in caught.value.rows] == [
        (2, "quantity"),
        (3, "years"),
        (3, "tranches"),
        (4, "eur_rate"),
    ]
    assert "line 3, column tranches ('5@tomorrow')" in str(caught.value)
    good = rounds.parse_csv(
        "donor,item_type,quantity,years,tranches\n"
        "deu,shell,5,2027-2028,2@2027-01-31; 3@2027-02-28\n"
    )
    assert good == [
        rounds.Announcement(
            "DEU", "shell", 5, years=(2027, 2028),
            tranches=(TrancheSpec(2, date(2027, 1, 31)), TrancheSpec(3, date(2027, 2, 28))),
        )
    ]  # fmt: skip


def readout_for(store: Store, requester: Principal, audience: str) -> readouts.Readout:
    with store.read() as conn:
        return readouts.build(
            conn=conn, requester=requester, number=1, audience=Audience.parse(audience), group="G"
        )


def test_each_audience_reads_only_what_it_may_see(store: Store, cycle: Cycle) -> None:
    c, ids = cycle.c, cycle.round_ids
    public = readout_for(store, c.public, "public")
    coalition = readout_for(store, c.donor("NLD"), "coalition")
    gbr = readout_for(store, c.donor("GBR"), "GBR")
    assert [a.pledge for a in public.announcements] == [ids["GBR"]]
    assert [a.pledge for a in coalition.announcements] == [ids["DEU"], ids["GBR"]]
    assert [a.pledge for a in gbr.announcements] == [ids["DEU"], ids["GBR"], ids["POL"]]
    assert [d.text for d in public.decisions] == ["Shells first through the winter."]
    assert [d.number for d in coalition.decisions] == [1, 2]
    assert [d.number for d in gbr.decisions] == [1, 2, 3]
    assert [a.name for a in public.attendance] == ["Germany", "United Kingdom"]
    assert gbr.audience.title == "United Kingdom (GBR)"
    # Three donors behind the round's total: the public sees it; the drones are POL's alone,
    # restricted, so what was pledged for drones is withheld from the public.
    assert public.totals.value_eur is not None and public.totals.donors == 1
    drones = next(a for a in public.coverage if a.area == "drones")
    assert drones.pledged_eur is None and drones.needed_eur is None and public.withholds
    drones_gbr = next(a for a in gbr.coverage if a.area == "drones")
    assert drones_gbr.pledged_eur == Decimal("8410.00")  # 20 × 420.50
    assert coalition.log_size == public.log_size and len(public.log_root) == 64
    document = render(public, Format.MARKDOWN).decode()
    for hidden in ("Pool drone orders", "Report spare barrels", "Poland"):
        assert hidden not in document
    assert "withheld" in document and "Shells first through the winter." in document


def test_who_may_generate_which_read_out(store: Store, cycle: Cycle) -> None:
    c = cycle.c
    with pytest.raises(NotPermitted):
        readout_for(store, c.public, "coalition")
    with pytest.raises(NotPermitted):
        readout_for(store, c.donor("DEU"), "GBR")
    assert readout_for(store, c.chair, "GBR").audience.kind is AudienceKind.PARTICIPANT


def test_regenerating_at_the_same_log_position_gives_the_same_read_out(
    store: Store, cycle: Cycle
) -> None:
    first = readout_for(store, cycle.c.chair, "coalition")
    again = readout_for(store, cycle.c.chair, "coalition")
    assert first == again
    assert render(first, Format.MARKDOWN) == render(again, Format.MARKDOWN)
    f.announce(store, cycle.c.donor("NLD"), item_type=SHELL, quantity=5, tranches=())
    later = readout_for(store, cycle.c.chair, "coalition")
    assert later.log_size > first.log_size and later.log_root != first.log_root


def test_open_actions_are_listed_until_closed(store: Store, cycle: Cycle) -> None:
    c = cycle.c
    with store.read() as conn:
        every = meetings.list_actions(conn=conn, viewer=c.chair)
        still = meetings.list_actions(conn=conn, viewer=c.chair, open_only=True)
        for_deu = meetings.list_actions(conn=conn, viewer=c.donor("DEU"))
    assert [(a.key, a.status) for a in every] == [
        ("1/2", DecisionStatus.DONE),
        ("1/3", DecisionStatus.OPEN),
    ]
    assert [a.key for a in still] == ["1/3"] and [a.key for a in for_deu] == ["1/2"]
    f.refuse(
        store,
        NotPermitted,
        lambda uow: meetings.close_action(
            uow=uow, actor=c.donor("GBR"), number=1, decision=3, outcome=DecisionStatus.DONE
        ),
    )
    f.refuse(
        store,
        NotFound,  # NLD may not see it: it is answered as missing
        lambda uow: meetings.close_action(
            uow=uow, actor=c.donor("NLD"), number=1, decision=3, outcome=DecisionStatus.DONE
        ),
    )
    with store.write(clock=CLOCK) as uow:
        closed = meetings.close_action(
            uow=uow, actor=c.donor("POL"), number=1, decision=3,
            outcome=DecisionStatus.DROPPED, note="Orders placed separately.",
        )  # fmt: skip
    assert (closed.status, closed.note) == (DecisionStatus.DROPPED, "Orders placed separately.")
    with store.read() as conn:
        assert meetings.list_actions(conn=conn, viewer=c.chair, open_only=True) == []
