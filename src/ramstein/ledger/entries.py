"""Log entries: canonical payloads, salted payload digests and the leaf that is hashed.

The payload digest is sha256(salt || canonical JSON payload) with a random per-entry salt;
the leaf is the canonical JSON of the entry's header (which includes the digest but not the
payload), so a restricted payload can be redacted from an export while the log still verifies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from typing import Any

import rfc8785

SALT_BYTES = 16


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON."""
    return rfc8785.dumps(value)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def payload_digest(salt: bytes, payload: bytes) -> str:
    return hashlib.sha256(salt + payload).hexdigest()


@dataclass(frozen=True, slots=True)
class EntryHeader:
    """Everything about an entry except its payload; this is what the log's leaf commits to."""

    seq: int
    at: str
    actor: str
    actor_user: str | None
    event_type: str
    schema_version: int
    releasability: str
    owner: str
    releasable_to: tuple[str, ...]
    payload_digest: str

    def leaf(self) -> bytes:
        fields = asdict(self)
        fields["releasable_to"] = list(self.releasable_to)
        return canonical(fields)
