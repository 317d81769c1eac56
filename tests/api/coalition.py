"""The API tests' coalition: the factory coalition, a user and token per role, and records at
every releasability label, each carrying a canary string that must never reach a viewer who
may not see the record."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from ramstein.api.app import create_app
from ramstein.domain.funds import fund_label
from ramstein.domain.meetings import AttendanceLevel, DecisionKind, MeetingFormat, MeetingStatus
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import Money, PledgeSource, PledgeStatus, TrancheSpec
from ramstein.domain.releasability import Label, Principal, Role, can_see_label
from ramstein.ledger.keys import write_private_key
from ramstein.services import (
    capabilities,
    catalogue,
    deliveries,
    funds,
    log,
    matching,
    meetings,
    participants,
    pledges,
    users,
)
from ramstein.settings import Settings
from ramstein.store.engine import Store
from tests import factories as f

ROLE_USERS: dict[Role, tuple[str, str, tuple[Role, ...]]] = {
    Role.CHAIR: ("chair-usa", "USA", (Role.CHAIR, Role.DONOR)),
    Role.RECIPIENT: ("mod-ukr", "UKR", (Role.RECIPIENT,)),
    Role.DONOR: ("mod-deu", "DEU", (Role.DONOR,)),
    Role.COALITION_LEAD: ("mod-pol", "POL", (Role.COALITION_LEAD,)),
    Role.OBSERVER: ("eu-observer", "EU", (Role.OBSERVER,)),
}
"""Who signs in for each role; the public has no token."""

ROLES = tuple(Role)
COALITION = "arty"


@dataclass(frozen=True)
class Record:
    """A labelled record and the canary string it carries."""

    kind: str
    """need, pledge, delivery, decision or contribution."""
    key: int
    """Its id (for a decision: its meeting's number)."""
    label: Label
    owner: str
    canary: str


@dataclass
class ApiCoalition:
    path: Path
    """The SQLite file of the built coalition; `copy` makes a fresh one for a write."""
    settings: Settings
    tokens: dict[Role, str | None]
    principals: dict[Role, Principal]
    records: list[Record] = field(default_factory=list)
    pledge_of: dict[Role, int] = field(default_factory=dict)
    """The pledge each role may act on as its owner (the chair: a donor's)."""
    action_of: dict[Role, int] = field(default_factory=dict)
    """The action item of the held meeting each role owns (its number in the meeting)."""
    public_need: int = 0
    public_delivery: int = 0
    open_meeting: int = 0
    """Held: attendance and decisions are open."""
    next_meeting: int = 0
    """Scheduled: it may be revised, invited or cancelled."""
    contribution_of: dict[Role, int] = field(default_factory=dict)
    """The contribution to the fund each role may act on as its contributor."""
    public_plan: int = 0
    """A plan on public records only: every viewer may read it."""
    chair_plan: int = 0
    """A plan on every record: only the chair may read it."""

    def visible(self, role: Role, record: Record) -> bool:
        return can_see_label(self.principals[role], record.label, record.owner)

    def headers(self, role: Role) -> dict[str, str]:
        token = self.tokens[role]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def hidden_canaries(self, role: Role) -> set[str]:
        return {r.canary for r in self.records if not self.visible(role, r)}

    @contextmanager
    def client(self, *, fresh: Path | None = None) -> Iterator[TestClient]:
        """A client of the app on this coalition (on a fresh copy of it when `fresh` is given)."""
        path = self.path
        if fresh is not None:
            shutil.copyfile(self.path, fresh)
            path = fresh
        store = Store(f"sqlite:///{path}", migrate=False)
        try:
            with TestClient(create_app(settings=self.settings, store=store)) as client:
                yield client
        finally:
            store.dispose()


def build(directory: Path) -> ApiCoalition:
    """Build the coalition in `directory` through the services."""
    path = directory / "coalition.sqlite"
    key_file = directory / "host.key"
    write_private_key(key_file, f.HOST_A.signer)
    settings = Settings(
        database_url=f"sqlite:///{path}",
        host_key_file=key_file,
        log_origin=f.ORIGIN,
        session_key_file=directory / "session.key",
    )
    store = Store(settings.database_url)
    p = f.setup_coalition(store)
    tokens: dict[Role, str | None] = {Role.PUBLIC: None}
    principals: dict[Role, Principal] = {Role.PUBLIC: p.public}
    with store.write(clock=f.CLOCK) as uow:
        for role, (name, participant, roles) in ROLE_USERS.items():
            users.add_user(conn=uow.conn, name=name, participant=participant, roles=roles)
            tokens[role] = users.issue_token(conn=uow.conn, user=name)[1]
    for role, (name, participant, roles) in ROLE_USERS.items():
        principals[role] = f.effective(
            store, user=name, participant=participant, roles=[r.value for r in roles]
        )
    chair, donor, lead = (
        principals[Role.CHAIR],
        principals[Role.DONOR],
        principals[Role.COALITION_LEAD],
    )
    api = ApiCoalition(path=path, settings=settings, tokens=tokens, principals=principals)

    def need(label: Label, tag: str) -> int:
        made = f.submit_need(store, p.recipient, label=label, rationale=f"CANARY[need-{tag}]")
        api.records.append(Record("need", made.id, label, "UKR", f"CANARY[need-{tag}]"))
        return made.id

    def pledge(actor: Principal, label: Label, tag: str) -> int:
        with store.write(clock=f.CLOCK) as uow:
            made = pledges.announce_pledge(
                uow=uow,
                actor=actor,
                donor=actor.participant or "",
                item_type=f.SHELL,
                quantity=2000,
                value=None,
                source=PledgeSource.STOCKS,
                announced_on=f.BASE,
                tranches=[TrancheSpec(500, f.BASE + timedelta(days=30))],
                label=label,
                external_ref=f"CANARY[pledge-{tag}]",
            )
        f.move(store, actor, made.id, PledgeStatus.COMMITTED)
        api.records.append(
            Record("pledge", made.id, label, actor.participant or "", f"CANARY[pledge-{tag}]")
        )
        return made.id

    # First only public records, and a plan on them: readable by every viewer.
    api.public_need = need(f.PUBLIC, "public")
    public_pledge = pledge(donor, f.PUBLIC, "public")
    delivering = pledge(donor, f.PUBLIC, "public-delivering")
    api.public_plan = matching.run_match(store=store, viewer=principals[Role.OBSERVER]).info.id

    with store.write(clock=f.CLOCK) as uow:
        capabilities.form_coalition(
            uow=uow, actor=chair, code=COALITION, name="Artillery", area="artillery",
            leads=["POL"], members=["DEU"],
        )  # fmt: skip
        catalogue.set_substitution(
            uow=uow, actor=chair, offer_type=f.DRONE, need_type=f.SHELL, ratio=Decimal("0.5")
        )
    need(f.COALITION_LABEL, "coalition")
    need(f.restricted(), "restricted")
    need(f.restricted("DEU"), "restricted-to-deu")
    pledge(donor, f.COALITION_LABEL, "coalition")
    hidden = pledge(donor, f.restricted(), "restricted")
    pledge(donor, f.restricted("POL"), "restricted-to-pol")
    api.pledge_of = {
        Role.CHAIR: public_pledge,
        Role.DONOR: public_pledge,
        Role.COALITION_LEAD: pledge(lead, f.COALITION_LABEL, "lead"),
        Role.RECIPIENT: public_pledge,
        Role.OBSERVER: public_pledge,
        Role.PUBLIC: public_pledge,
    }
    with store.write(clock=f.CLOCK) as uow:
        secret = deliveries.record_delivery(
            uow=uow, actor=donor, pledge_id=hidden, tranche=1, quantity=40,
            dispatched_on=f.BASE + timedelta(days=20), note="CANARY[delivery-restricted]",
        )  # fmt: skip
        public = deliveries.record_delivery(
            uow=uow, actor=donor, pledge_id=delivering, tranche=1, quantity=40,
            dispatched_on=f.BASE + timedelta(days=20), note="public dispatch",
        )  # fmt: skip
    api.records.append(
        Record("delivery", secret.id, f.restricted(), "DEU", "CANARY[delivery-restricted]")
    )
    api.public_delivery = public.id

    # The pooled fund: a contribution at every label, and a package it delivered from.
    with store.write(clock=f.CLOCK) as uow:
        participants.register_participant(
            uow=uow, actor=chair, code=f.FUND, name="Pooled fund", kind=ParticipantKind.FUND,
            joined_on=f.BASE, gdp_eur_bn=None,
        )  # fmt: skip

        def contribution(actor: Principal, label: Label, tag: str) -> int:
            made = funds.record_contribution(
                uow=uow, actor=actor, fund=f.FUND, contributor=actor.participant or "",
                value=Money.eur_amount(Decimal(1000)), on=f.BASE, label=label,
                note=f"CANARY[contribution-{tag}]",
            )  # fmt: skip
            api.records.append(
                Record(
                    "contribution", made.id, fund_label(label, f.FUND),
                    actor.participant or "", f"CANARY[contribution-{tag}]",
                )
            )  # fmt: skip
            return made.id

        public_contribution = contribution(donor, f.PUBLIC, "public")
        contribution(donor, f.COALITION_LABEL, "coalition")
        contribution(donor, f.restricted(), "restricted")
        contribution(donor, f.restricted("POL"), "restricted-to-pol")
        api.contribution_of = dict.fromkeys(ROLES, public_contribution) | {
            Role.COALITION_LEAD: contribution(lead, f.COALITION_LABEL, "lead")
        }
        package = pledges.announce_pledge(
            uow=uow, actor=chair, donor=f.FUND, item_type=f.SHELL, quantity=10, value=None,
            source=PledgeSource.PROCUREMENT, announced_on=f.BASE,
            tranches=[TrancheSpec(10, f.BASE + timedelta(days=10))], label=f.PUBLIC,
        )  # fmt: skip
        pledges.change_pledge_status(
            uow=uow, actor=chair, pledge_id=package.id, status=PledgeStatus.COMMITTED
        )
        deliveries.record_delivery(
            uow=uow, actor=chair, pledge_id=package.id, tranche=1, quantity=4,
            dispatched_on=f.BASE + timedelta(days=12),
        )  # fmt: skip
        f.baseline_script(uow, chair)  # a public baseline counting the fund's packages

    with store.write(clock=f.CLOCK) as uow:
        held = meetings.schedule_meeting(
            uow=uow, actor=chair, held_on=f.BASE, format=MeetingFormat.HYBRID,
            venue="Ramstein Air Base", chair="USA",
        )  # fmt: skip
        for status in (MeetingStatus.INVITED, MeetingStatus.HELD):
            meetings.change_meeting_status(uow=uow, actor=chair, number=held.number, status=status)
        meetings.record_attendance(
            uow=uow, actor=chair, number=held.number, participant="DEU",
            level=AttendanceLevel.MINISTER,
        )  # fmt: skip
        meetings.record_decision(
            uow=uow, actor=chair, number=held.number, text="A public decision", owner="USA",
            label=f.PUBLIC,
        )  # fmt: skip
        meetings.record_decision(
            uow=uow, actor=chair, number=held.number, text="CANARY[decision-restricted]",
            owner="USA", label=f.restricted("DEU"),
        )  # fmt: skip
        meetings.record_decision(
            uow=uow, actor=chair, number=held.number, text="CANARY[action-restricted]",
            owner="USA", kind=DecisionKind.ACTION, due_on=f.BASE + timedelta(days=20),
            label=f.restricted("DEU"),
        )  # fmt: skip
        for role in (Role.CHAIR, Role.RECIPIENT, Role.DONOR, Role.COALITION_LEAD):
            found = meetings.record_decision(
                uow=uow, actor=chair, number=held.number, text=f"Report to the group ({role})",
                owner=ROLE_USERS[role][1], kind=DecisionKind.ACTION,
                due_on=f.BASE + timedelta(days=30), label=f.COALITION_LABEL,
            )  # fmt: skip
            api.action_of[role] = len(found.decisions)
        upcoming = meetings.schedule_meeting(
            uow=uow, actor=chair, held_on=f.BASE + timedelta(days=30),
            format=MeetingFormat.VIRTUAL, chair="USA",
        )  # fmt: skip
    for canary in ("CANARY[decision-restricted]", "CANARY[action-restricted]"):
        api.records.append(Record("decision", held.number, f.restricted("DEU"), "USA", canary))
    api.open_meeting, api.next_meeting = held.number, upcoming.number
    api.chair_plan = matching.run_match(store=store, viewer=chair).info.id
    with store.write(clock=f.CLOCK) as uow:
        log.sign_checkpoint(uow=uow, actor=chair, host=f.HOST_A)
    store.dispose()
    return api
