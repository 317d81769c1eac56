"""Log entries: canonical payloads, salted payload digests and the leaf that is hashed.

The payload digest is sha256(salt || canonical JSON payload) with a random per-entry salt;
the leaf is the canonical JSON of the entry's header (which includes the digest but not the
payload), so a restricted payload can be redacted from an export while the log still verifies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import orjson
import rfc8785

SALT_BYTES = 16


_EXACT = 2**53 - 1
"""The largest integer an IEEE double holds exactly (RFC 8785 writes numbers as doubles)."""


def _plain(value: Any) -> bool:
    """Whether `orjson` writes `value` byte for byte as RFC 8785 does: no float (JCS writes
    doubles in ECMAScript's shortest form), integers a double holds exactly, and ASCII keys
    (JCS sorts keys by UTF-16 code units; for ASCII that is Python's order). Strings are
    escaped alike: the quote, the backslash and control characters, as short escapes where
    JSON has them and as lowercase `\\u00xx` otherwise, everything else as UTF-8; keys sorted
    with `OPT_SORT_KEYS`."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return True
    if kind is int:
        return bool(-_EXACT <= value <= _EXACT)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not key.isascii() or not _plain(item):
                return False
        return True
    if kind is list or kind is tuple:
        return all(map(_plain, value))
    return False


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON.

    The `rfc8785` package writes it; for the values Ramstein's payloads and headers hold
    (`_plain`), `orjson` writes the same bytes twelve times faster than the standard library's
    encoder (tests/ledger/test_canonical.py checks both agree on generated values). A log
    entry's payload and leaf, which need no `_plain` check, go to `canonical_plain`."""
    return canonical_plain(value) if _plain(value) else rfc8785.dumps(value)


def canonical_plain(value: Any) -> bytes:
    """`canonical` of a value known to hold no float and only ASCII keys, as an event's
    payload (`domain.events.to_payload`) and an entry's header do: the integers' range is
    all there is left to check, and `orjson` checks it (`OPT_STRICT_INTEGER`)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER)
    except orjson.JSONEncodeError:  # an integer beyond 2**53, or a lone surrogate
        return rfc8785.dumps(value)


def new_salts(count: int) -> list[bytes]:
    """`count` random salts, read from the system's generator at once."""
    pool = secrets.token_bytes(SALT_BYTES * count)
    return [pool[i : i + SALT_BYTES] for i in range(0, len(pool), SALT_BYTES)]


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
        fields: dict[str, Any] = {name: getattr(self, name) for name in self.__slots__}
        fields["releasable_to"] = list(self.releasable_to)
        return canonical_plain(fields)
