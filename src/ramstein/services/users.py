"""Users and API tokens: the host's access configuration (not coalition records, not logged).

A token is 32 random bytes shown once; only its SHA-256 is stored. Signing in with it gives
the user's roles, narrowed to what its participant holds today: the chair role only while
its participant chairs, nothing beyond the public view once its participant has left.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.errors import AlreadyExists, InvalidValue, NotFound
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Role
from ramstein.services import common
from ramstein.services.chair import current_chair
from ramstein.store import tables as t

TOKEN_PREFIX = "rst_"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    participant: str
    roles: frozenset[Role]
    disabled: bool


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    user: str
    note: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def add_user(*, conn: Connection, name: str, participant: str, roles: Iterable[Role]) -> User:
    wanted = frozenset(roles)
    if not name.strip():
        raise InvalidValue("name", "A user needs a name.")
    if not wanted or Role.PUBLIC in wanted:
        raise InvalidValue("roles", "Give the user at least one role other than public.")
    who = common.participant(conn, participant)
    if Role.RECIPIENT in wanted and who.kind is not ParticipantKind.RECIPIENT:
        raise InvalidValue(
            "roles", f"{participant} is not the recipient; it cannot hold that role."
        )
    if common.exists(conn, t.users, name=name):
        raise AlreadyExists("user", name)
    conn.execute(
        t.users.insert().values(
            name=name,
            participant=participant,
            roles=sorted(r.value for r in wanted),
            created_at=datetime.now(UTC),
            disabled=False,
        )
    )
    return User(name, participant, wanted, False)


def list_users(*, conn: Connection) -> list[User]:
    return [
        User(r.name, r.participant, frozenset(Role(x) for x in r.roles), r.disabled)
        for r in conn.execute(sa.select(t.users).order_by(t.users.c.name))
    ]


def issue_token(
    *, conn: Connection, user: str, expires_in: timedelta | None = None, note: str = ""
) -> tuple[TokenInfo, str]:
    """A new token for `user`: its record and the secret, which is never shown again."""
    if not common.exists(conn, t.users, name=user):
        raise NotFound("user", user)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    info = TokenInfo(
        id=secrets.token_hex(4),
        user=user,
        note=note,
        created_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
        revoked_at=None,
    )
    conn.execute(
        t.api_tokens.insert().values(
            id=info.id,
            user_name=user,
            token_hash=_hash(secret),
            note=note,
            created_at=info.created_at,
            expires_at=info.expires_at,
            revoked_at=None,
        )
    )
    return info, secret


def revoke_token(*, conn: Connection, token_id: str) -> None:
    result = conn.execute(
        t.api_tokens.update()
        .where(t.api_tokens.c.id == token_id, t.api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    if result.rowcount != 1:
        raise NotFound("active token", token_id)


def list_tokens(*, conn: Connection, user: str | None = None) -> list[TokenInfo]:
    tok = t.api_tokens
    q = sa.select(tok).order_by(tok.c.created_at, tok.c.id)
    if user is not None:
        q = q.where(tok.c.user_name == user)
    return [
        TokenInfo(
            r.id,
            r.user_name,
            r.note,
            _aware(r.created_at) or r.created_at,
            _aware(r.expires_at),
            _aware(r.revoked_at),
        )
        for r in conn.execute(q)
    ]


def authenticate(*, conn: Connection, token: str | None) -> Principal | None:
    """The principal for a bearer token; None if it is unknown, expired or revoked."""
    if not token:
        return PUBLIC_VIEWER
    tok, u = t.api_tokens, t.users
    row = conn.execute(
        sa.select(
            u.c.name, u.c.participant, u.c.roles, u.c.disabled, tok.c.expires_at, tok.c.revoked_at
        )
        .select_from(tok.join(u, tok.c.user_name == u.c.name))
        .where(tok.c.token_hash == _hash(token))
    ).first()
    if row is None or row.disabled or row.revoked_at is not None:
        return None
    expires = _aware(row.expires_at)
    if expires is not None and expires <= datetime.now(UTC):
        return None
    return principal_for(conn=conn, user=row.name, participant=row.participant, roles=row.roles)


def principal_for(
    *, conn: Connection, user: str, participant: str, roles: Iterable[str]
) -> Principal:
    """A user's effective principal today (see the module docstring)."""
    who = common.participant(conn, participant)
    if not who.is_active:
        return Principal(participant=participant, roles=frozenset({Role.PUBLIC}), user=user)
    effective = {Role(r) for r in roles}
    term = current_chair(conn=conn)
    if term is None or term.chair != participant:
        effective.discard(Role.CHAIR)
    return Principal(
        participant=participant, roles=frozenset(effective or {Role.PUBLIC}), user=user
    )
