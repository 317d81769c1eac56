"""What every command shares: the database, who is acting, and one transaction per command."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import typer
from sqlalchemy.engine import Connection

from ramstein.cli.errors import BadInput
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Role
from ramstein.services import capabilities, chair, participants
from ramstein.services.log import HostSigner, load_host
from ramstein.settings import Settings
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork


def cli_user() -> str:
    """The operator's login name, recorded as the user of every entry the CLI writes."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        name = "unknown"
    return f"cli:{name}"


def resolve_principal(conn: Connection, *, acting_as: str | None, user: str) -> Principal:
    """Who the command acts and reads as.

    Without --as: the host operator acting for the sitting chair (the chair role, and the
    chair's participant code once one is recorded). With --as CODE: that participant, with the
    roles it holds today: the recipient role for the recipient; otherwise donor, plus
    coalition lead if it leads a coalition, plus chair while it chairs. A participant that
    has left holds only the public view, as its users' tokens do.
    """
    term = chair.current_chair(conn=conn)
    sitting = term.chair if term is not None else None
    if acting_as is None:
        return Principal(participant=sitting, roles=frozenset({Role.CHAIR}), user=user)
    who = participants.get_participant(conn=conn, viewer=PUBLIC_VIEWER, code=acting_as)
    if not who.is_active:
        return Principal(participant=who.code, roles=frozenset({Role.PUBLIC}), user=user)
    if who.kind is ParticipantKind.RECIPIENT:
        return Principal(participant=who.code, roles=frozenset({Role.RECIPIENT}), user=user)
    roles = {Role.DONOR}
    led = capabilities.list_coalitions(conn=conn, viewer=PUBLIC_VIEWER, participant=who.code)
    if any(who.code in c.leads for c in led):
        roles.add(Role.COALITION_LEAD)
    if who.code == sitting:
        roles.add(Role.CHAIR)
    return Principal(participant=who.code, roles=frozenset(roles), user=user)


@dataclass
class CliState:
    """The root options, and the store opened (and migrated) on first use."""

    database_url: str | None = None
    acting_as: str | None = None
    user: str = field(default_factory=cli_user)
    _store: Store | None = None

    @property
    def url(self) -> str:
        return self.database_url or Settings().database_url

    def store(self) -> Store:
        if self._store is None:
            try:
                self._store = Store(self.url, pool=Settings().pool())
            except OSError as error:  # e.g. a SQLite directory that cannot be created
                reason = error.strerror or str(error)
                raise BadInput(f"The database {self.url} cannot be opened: {reason}.") from None
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None


def state(ctx: typer.Context) -> CliState:
    found = ctx.find_object(CliState)
    if found is None:  # a command run outside the root group (tests of one sub-app)
        found = ctx.find_root().ensure_object(CliState)
        ctx.find_root().call_on_close(found.close)
    return found


def store(ctx: typer.Context) -> Store:
    return state(ctx).store()


def host_signer(ctx: typer.Context) -> HostSigner:
    """This host's signing identity, from the key file in the settings (created when missing)."""
    settings = Settings()
    return load_host(settings.host_key_file, settings.log_origin)


@contextmanager
def reading(ctx: typer.Context) -> Iterator[tuple[Connection, Principal]]:
    """A read transaction and the principal reading."""
    s = state(ctx)
    with s.store().read() as conn:
        yield conn, resolve_principal(conn, acting_as=s.acting_as, user=s.user)


@contextmanager
def writing(ctx: typer.Context) -> Iterator[tuple[UnitOfWork, Principal]]:
    """The command's one unit of work and the principal acting; commits on success."""
    s = state(ctx)
    with s.store().write() as uow:
        yield uow, resolve_principal(uow.conn, acting_as=s.acting_as, user=s.user)


def principal(ctx: typer.Context) -> Principal:
    """The principal acting, for a service that opens its own transactions (`store=`)."""
    with reading(ctx) as (_, viewer):
        return viewer
