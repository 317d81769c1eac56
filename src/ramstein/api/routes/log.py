"""`/api/v1/log`: what mirrors and witnesses read (entries, checkpoints, proofs, keys) and post.

Everything here is public except payloads: an entry's payload and salt are shown only to a
viewer that may see the entry, by the same rule as bundle exports. A bad token is a 401 on
every route; no token reads as the public.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy.engine import Connection

from ramstein.api.deps import EVERYONE, StoreDep, Viewer, permits
from ramstein.api.params import PROBLEMS
from ramstein.api.reads import answer, read
from ramstein.domain.errors import NotFound
from ramstein.ledger.verify import StoredEntry
from ramstein.services import bundles, log, remote
from ramstein.services.log import CheckpointInfo

router = APIRouter(prefix="/api/v1/log", tags=["log"], responses=PROBLEMS)


class CheckpointPublic(BaseModel):
    size: int
    origin: str
    root: str = Field(description="The Merkle root, hex.")
    note: str = Field(description="The host-signed checkpoint note with every cosignature.")
    cosigners: list[str]


class EntryPublic(BaseModel):
    seq: int
    leaf: str = Field(description="The entry's header, canonical JSON: what the tree commits to.")
    salt: str | None = Field(description="Hex; null when the payload is withheld.")
    payload: str | None = Field(description="Canonical JSON; null when withheld from the viewer.")


class EntriesPage(BaseModel):
    entries: list[EntryPublic]
    size: int = Field(description="The log's size now (it may hold unsigned entries).")


class ProofPublic(BaseModel):
    proof: list[str] = Field(description="The proof's hashes, base64.")


class HostKeyPublic(BaseModel):
    number: int
    origin: str
    key: str
    since_seq: int
    participant: str


class WitnessPublic(BaseModel):
    participant: str
    key: str


class KeysPublic(BaseModel):
    host_keys: list[HostKeyPublic]
    witnesses: list[WitnessPublic]
    quorum: int


class CosignatureCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"size": 1200, "line": "\u2014 witness.deu.example AAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
            ]
        }
    )

    size: StrictInt = Field(ge=0, le=2**53)
    line: str = Field(max_length=1000, description="'— <name> <base64>', a cosignature/v1 line.")


def _checkpoint(c: CheckpointInfo) -> CheckpointPublic:
    return CheckpointPublic(
        size=c.size, origin=c.origin, root=c.root.hex(), note=c.note, cosigners=list(c.cosigners)
    )


def _entry(e: StoredEntry) -> EntryPublic:
    return EntryPublic(
        seq=e.seq,
        leaf=e.leaf.decode(),
        salt=e.salt.hex() if e.salt is not None else None,
        payload=e.payload.decode() if e.payload is not None else None,
    )


def _proof(hashes: list[bytes]) -> ProofPublic:
    return ProofPublic(proof=[base64.b64encode(h).decode() for h in hashes])


@router.get("/checkpoint", **permits(*EVERYONE), response_model=CheckpointPublic)
async def latest_checkpoint(store: StoreDep) -> Response:
    """The latest signed checkpoint, with its cosignatures."""
    found = await read(store, lambda conn: log.latest_checkpoint(conn=conn))
    if found is None:
        raise NotFound("signed checkpoint", "yet")
    return answer(_checkpoint(found))


@router.get("/checkpoints", **permits(*EVERYONE), response_model=list[CheckpointPublic])
async def checkpoints(store: StoreDep) -> Response:
    """Every signed checkpoint, smallest first."""
    found = await read(store, lambda conn: log.checkpoints(conn=conn))
    return answer([_checkpoint(c) for c in found])


@router.get("/entries", **permits(*EVERYONE), response_model=EntriesPage)
async def entries(
    store: StoreDep,
    viewer: Viewer,
    after: Annotated[
        int, Query(ge=0, le=2**53, description="Entries after this sequence number.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=remote.PAGE)] = remote.PAGE,
) -> Response:
    """Entries after `after`, at most `limit`; payloads the viewer may not see are withheld."""

    def query(conn: Connection) -> tuple[list[StoredEntry], int]:
        return (
            bundles.entries_for(conn=conn, viewer=viewer, after=after, limit=limit),
            log.log_size(conn=conn),
        )

    found, size = await read(store, query)
    return answer(EntriesPage(entries=[_entry(e) for e in found], size=size))


@router.get("/proof/consistency", **permits(*EVERYONE))
def consistency_proof(
    store: StoreDep,
    old: Annotated[int, Query(alias="from", ge=1, le=2**53)],
    new: Annotated[int, Query(alias="to", ge=1, le=2**53)],
) -> ProofPublic:
    """The RFC 6962 consistency proof between the log at two sizes."""
    with store.read() as conn:
        return _proof(log.prove_consistency(conn=conn, old_size=old, new_size=new))


@router.get("/proof/inclusion", **permits(*EVERYONE))
def inclusion_proof(
    store: StoreDep,
    seq: Annotated[int, Query(ge=1, le=2**53)],
    size: Annotated[int, Query(ge=1, le=2**53)],
) -> ProofPublic:
    """The RFC 6962 inclusion proof of entry `seq` in the log of `size` entries."""
    with store.read() as conn:
        return _proof(log.prove_inclusion(conn=conn, seq=seq, size=size))


@router.get("/keys", **permits(*EVERYONE))
def keys(store: StoreDep) -> KeysPublic:
    """The host key chain, genesis first; the registered witnesses and their quorum."""
    with store.read() as conn:
        host_keys = log.host_keys(conn=conn)
        witnesses = log.list_witnesses(conn=conn)
        quorum = log.witness_quorum(conn=conn)
    return KeysPublic(
        host_keys=[
            HostKeyPublic(
                number=k.number,
                origin=k.origin,
                key=k.key,
                since_seq=k.since_seq,
                participant=k.participant,
            )
            for k in host_keys
        ],
        witnesses=[WitnessPublic(participant=w.participant, key=w.key) for w in witnesses],
        quorum=quorum,
    )


@router.post("/cosignatures", **permits(*EVERYONE))
def add_cosignature(store: StoreDep, body: CosignatureCreate) -> CheckpointPublic:
    """Store a witness's cosignature of the checkpoint of `size`; it must verify by itself."""
    with store.write() as uow:
        found = log.add_cosignature(uow=uow, size=body.size, line=body.line)
    return _checkpoint(found)
