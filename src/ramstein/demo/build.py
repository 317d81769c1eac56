"""Build the demo coalition into an empty store, and issue sign-in tokens for its demo users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from ramstein.demo.calendar import ALLIANCE
from ramstein.demo.labels import RECIPIENT
from ramstein.demo.scenario import plan_scenario
from ramstein.demo.timeline import Step
from ramstein.domain.errors import InvalidValue
from ramstein.domain.participants import ParticipantKind, ParticipantStatus
from ramstein.domain.releasability import Principal, Releasability, Role
from ramstein.services import (
    chair,
    funds,
    maintenance,
    matching,
    needs,
    participants,
    pledges,
    users,
)
from ramstein.store.engine import Store

DEFAULT_SEED = 2022

Progress = Callable[[str, int, int], None]

STAGES = ("plan", "scenario", "matching", "summary")
"""The stages `build_demo` reports to `progress(stage, done, total)`, in order."""


@dataclass(frozen=True)
class DemoSummary:
    """What the demo holds once built; `state_digest` is the same for the same seed."""

    seed: int
    participants: int
    members: int
    observers: int
    coalitions: int
    items: int
    meetings: int
    needs: int
    pledges: int
    tranches: int
    deliveries: int
    contributions: int
    """Contributions of donors to the pooled fund(s), whatever became of them."""
    log_size: int
    restricted_share: float
    """Restricted needs and pledges as a share of all needs and pledges."""
    state_digest: str
    chair: str


@dataclass(frozen=True)
class DemoToken:
    """A sign-in token for one demo user (shown once; for the local demo only)."""

    role: Role
    user: str
    participant: str
    token: str


def _moment(step: Step) -> datetime:
    """The simulated instant of a step: its day, from 08:00 UTC, an hour per phase."""
    return datetime.combine(step.on, time(8, tzinfo=UTC)) + timedelta(hours=step.phase)


def build_demo(
    store: Store, *, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> DemoSummary:
    """Fill an empty, migrated store with the demo coalition planned from `seed`.

    Every record goes through the service commands, one unit of work per simulated month,
    with the log's clock following the scenario's dates.
    """
    report = progress or (lambda stage, done, total: None)
    size = maintenance.status(store=store).log_size
    if size:
        raise InvalidValue(
            "database",
            f"The demo builds only into an empty database; this one already holds {size} log "
            "entries.",
        )
    report("plan", 0, 1)
    scenario = plan_scenario(seed)
    report("plan", 1, 1)
    months = list(scenario.timeline.by_month())
    now = [datetime.now(UTC)]
    for done, (_, steps) in enumerate(months, start=1):
        now[0] = _moment(steps[0])
        with store.write(clock=lambda: now[0]) as uow:
            for step in steps:
                now[0] = _moment(step)
                step.run(uow=uow)
        report("scenario", done, len(months))
    report("matching", 0, len(MATCHED_BY))
    for done, who in enumerate(MATCHED_BY, start=1):
        _match(store, who, now[0])
        report("matching", done, len(MATCHED_BY))
    report("summary", 0, 1)
    summary = summarise(store, seed=seed)
    report("summary", 1, 1)
    return summary


MATCHED_BY = ("EDA", None)
"""Who runs the demo's matching plans, in order: the observer EDA, on what every member may
see (the plan every member may read), then the sitting chair (None), on everything."""


def _match(store: Store, participant: str | None, at: datetime) -> None:
    """A matching plan run by `participant` (None: the sitting chair), stored at `at`."""
    if participant is None:
        term = maintenance.status(store=store).chair
        viewer = Principal(term.chair if term else None, frozenset({Role.CHAIR}), "demo:match")
    else:
        viewer = Principal(participant, frozenset({Role.OBSERVER}), "demo:match")
    matching.run_match(store=store, viewer=viewer, clock=lambda: at)


def summarise(store: Store, *, seed: int = DEFAULT_SEED) -> DemoSummary:
    """The figures of a built demo, read back through the services."""
    status = maintenance.status(store=store)
    term = status.chair
    viewer = Principal(
        participant=term.chair if term else None, roles=frozenset({Role.CHAIR}), user="demo:summary"
    )
    with store.read() as conn:
        everyone = participants.list_participants(conn=conn, viewer=viewer)
        restricted = len(
            needs.list_needs(conn=conn, viewer=viewer, releasability=Releasability.RESTRICTED)
        ) + len(
            pledges.list_pledges(conn=conn, viewer=viewer, releasability=Releasability.RESTRICTED)
        )
        contributions = len(funds.list_contributions(conn=conn, viewer=viewer))
        digest = maintenance.digest(conn=conn)
    counts = status.counts
    records = counts["needs"] + counts["pledges"]
    return DemoSummary(
        seed=seed,
        participants=len(everyone),
        members=sum(
            1
            for p in everyone
            if p.status is ParticipantStatus.MEMBER and p.kind is not ParticipantKind.RECIPIENT
        ),
        observers=sum(1 for p in everyone if p.status is ParticipantStatus.OBSERVER),
        coalitions=counts["coalitions"],
        items=counts["item_types"],
        meetings=counts["meetings"],
        needs=counts["needs"],
        pledges=counts["pledges"],
        tranches=counts["tranches"],
        deliveries=counts["deliveries"],
        contributions=contributions,
        log_size=status.log_size,
        restricted_share=restricted / records if records else 0.0,
        state_digest=digest,
        chair=term.chair if term else "",
    )


DEMO_USERS: tuple[tuple[Role, str, str | None, frozenset[Role]], ...] = (
    # (role shown, user name, participant (None: whoever chairs now), roles held)
    (Role.CHAIR, "demo-chair", None, frozenset({Role.CHAIR})),
    (Role.RECIPIENT, "demo-recipient", RECIPIENT, frozenset({Role.RECIPIENT})),
    (Role.DONOR, "demo-donor", "DEU", frozenset({Role.DONOR})),
    (
        Role.COALITION_LEAD,
        "demo-coalition-lead",
        "LVA",
        frozenset({Role.COALITION_LEAD, Role.DONOR}),
    ),
    (Role.OBSERVER, "demo-observer", "EDA", frozenset({Role.OBSERVER})),
)


def issue_demo_tokens(store: Store) -> list[DemoToken]:
    """One demo user per role (created if missing), each with a fresh token.

    Earlier tokens of the demo users are revoked, so only the tokens returned here work.
    The public needs no token.
    """
    out: list[DemoToken] = []
    with store.write() as uow:
        conn = uow.conn
        term = chair.current_chair(conn=conn)
        existing = {u.name: u for u in users.list_users(conn=conn)}
        for role, name, participant, roles in DEMO_USERS:
            code = participant or (term.chair if term else ALLIANCE)
            user = existing.get(name)
            if user is None:
                user = users.add_user(conn=conn, name=name, participant=code, roles=roles)
            for token in users.list_tokens(conn=conn, user=name):
                if token.revoked_at is None:
                    users.revoke_token(conn=conn, token_id=token.id)
            _, secret = users.issue_token(conn=conn, user=name, note="local demo sign-in")
            out.append(DemoToken(role=role, user=name, participant=user.participant, token=secret))
    return out
