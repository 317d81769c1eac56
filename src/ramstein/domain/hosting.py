"""Hosting the log: the host keys that sign its checkpoints, and the witnesses that cosign them.

The log's origin names the log, not its host: it stays the same across a handover. The first
`HostKeyIntroduced` entry is the genesis key; a later one hands the log to a new host, and the
outgoing host signs the checkpoint that ends at that entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ramstein.domain.errors import InvalidValue
from ramstein.domain.events import Event, event

ORIGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-/_:]{2,199}$")
VERIFIER_KEY = re.compile(r"^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$")


@dataclass(frozen=True, slots=True)
class HostKey:
    """One host's term: the key that signs checkpoints from entry `since_seq` on."""

    number: int
    origin: str
    key: str
    since_seq: int
    participant: str


@dataclass(frozen=True, slots=True)
class Witness:
    """A member that cosigns checkpoints with its cosigner key."""

    participant: str
    key: str


@event("HostKeyIntroduced", aggregate="log")
@dataclass(frozen=True, slots=True)
class HostKeyIntroduced(Event):
    """`key` (a signed-note verifier key) signs the log's checkpoints from here on."""

    origin: str
    key: str
    participant: str

    def aggregate_id(self) -> str:
        return "host"


@event("WitnessSet", aggregate="log")
@dataclass(frozen=True, slots=True)
class WitnessSet(Event):
    """A participant's cosigner key is registered (or, with key None, withdrawn)."""

    participant: str
    key: str | None

    def aggregate_id(self) -> str:
        return "witnesses"


@event("WitnessQuorumSet", aggregate="log")
@dataclass(frozen=True, slots=True)
class WitnessQuorumSet(Event):
    """How many registered witnesses must cosign a checkpoint for it to count as witnessed."""

    quorum: int

    def aggregate_id(self) -> str:
        return "witnesses"


def check_verifier_key(field: str, key: str) -> str:
    if not VERIFIER_KEY.match(key):
        raise InvalidValue(field, f"{key!r} is not a signed-note verifier key (name+keyid+base64).")
    return key


def introduce_host_key(
    current: HostKey | None, *, origin: str, key: str, participant: str
) -> HostKeyIntroduced:
    if not ORIGIN.match(origin):
        raise InvalidValue("origin", f"{origin!r} is not a valid log origin (e.g. ramstein/udcg).")
    check_verifier_key("key", key)
    if current is not None:
        if origin != current.origin:
            raise InvalidValue(
                "origin", f"The log is {current.origin}; a new host keeps its origin."
            )
        if key == current.key:
            raise InvalidValue("key", "The new host key is the key already in force.")
    return HostKeyIntroduced(origin=origin, key=key, participant=participant)


def set_witness(participant: str, key: str | None) -> WitnessSet:
    if key is not None:
        check_verifier_key("key", key)
    return WitnessSet(participant=participant, key=key)


def set_quorum(quorum: int, witnesses: int) -> WitnessQuorumSet:
    if quorum < 0 or quorum > witnesses:
        raise InvalidValue(
            "quorum",
            f"A quorum of {quorum} is impossible with {witnesses} registered witnesses; "
            f"choose 0 to {witnesses}.",
        )
    return WitnessQuorumSet(quorum=quorum)
