"""Retried creates: the first answer to a request sent with an Idempotency-Key, kept a day.

Recall and remember run inside the create's own write transaction, which holds the log's
write lock: a retry that arrives while the first attempt is still running waits for it and
then finds its answer, so a create is never applied twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.errors import InvalidValue
from ramstein.store import tables as t

KEEP = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str
    headers: dict[str, str]


def recall(
    *, conn: Connection, user: str, key: str, fingerprint: str, now: datetime
) -> Answer | None:
    """The answer given to `key` before, if any (and not older than a day).

    The same key with another request is refused: it would otherwise silently return the
    answer to something else.
    """
    k = t.idempotency_keys
    conn.execute(sa.delete(k).where(k.c.created_at < now - KEEP))
    row = conn.execute(sa.select(k).where(k.c.user_name == user, k.c.key == key)).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise InvalidValue(
            "header.Idempotency-Key",
            "This Idempotency-Key was used for a different request; use a new key for a new "
            "request.",
        )
    return Answer(status=row.status, body=row.body, headers=dict(row.headers))


def remember(
    *,
    conn: Connection,
    user: str,
    key: str,
    fingerprint: str,
    answer: Answer,
    now: datetime,
) -> None:
    conn.execute(
        sa.insert(t.idempotency_keys).values(
            user_name=user,
            key=key,
            fingerprint=fingerprint,
            status=answer.status,
            body=answer.body,
            headers=answer.headers,
            created_at=now,
        )
    )
