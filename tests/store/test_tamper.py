"""Editing the stored log behind Ramstein's back is caught, and named by its first bad entry.

Each case builds the same signed log through the services, makes one change with raw SQL in
its own transaction (as someone with database access would), and runs the live verification
that `ramstein log verify` runs, on SQLite and on PostgreSQL.

The log: the every-event script (checkpoints 52, signed by HOST_A at the first meeting's
close, and 56, signed by HOST_A at the handover to NATO), four more pledges, checkpoint 60
signed by HOST_B and cosigned by the DEU witness, and two pledges after it that no
checkpoint covers yet (62 entries).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection

from ramstein.api.app import create_app
from ramstein.domain.releasability import Role
from ramstein.ledger.entries import canonical, payload_digest
from ramstein.ledger.merkle import Frontier, leaf_hash
from ramstein.ledger.notes import Checkpoint
from ramstein.ledger.verify import LogError
from ramstein.services import log
from ramstein.settings import Settings
from ramstein.store import tables as t
from ramstein.store.engine import Store, utc_now
from ramstein.store.uow import format_instant
from tests import factories as f
from tests.cli.support import Cli

E, N, C = t.log_entries, t.tree_nodes, t.checkpoints
SIGNED = 60
"""The size of the last checkpoint (HOST_B's, cosigned by the DEU witness)."""
SIZE = 62
"""Entries in the built log; 61 and 62 are not yet covered by a checkpoint."""
NATO_CHAIR = f.principal(f.ALLIANCE, Role.CHAIR, Role.DONOR)
COSIGNED_AT = 1_740_819_600


def build(store: Store) -> None:
    """The every-event script, then four pledges, a cosigned checkpoint and two more pledges."""
    c = f.every_event_script(store)
    pol = c.donor("POL")
    for i in range(4):
        label = f.restricted("UKR") if i == 1 else f.COALITION_LABEL
        f.announce(store, pol, quantity=100 + i, label=label)
    with store.write(clock=f.CLOCK) as uow:
        cp = log.sign_checkpoint(uow=uow, actor=NATO_CHAIR, host=f.HOST_B)
        line = f.WITNESS.cosign(Checkpoint(cp.origin, cp.size, cp.root), COSIGNED_AT)
        log.add_cosignature(uow=uow, size=cp.size, line=line)
    for i in range(2):
        f.announce(store, pol, quantity=200 + i)


@pytest.fixture
def built(store: Store) -> Store:
    build(store)
    with store.read() as conn:
        assert log.log_size(conn=conn) == SIZE
        assert [cp.size for cp in log.checkpoints(conn=conn)] == [52, 56, SIGNED]
    return store


def tamper(store: Store, edit: Callable[[Connection], None]) -> None:
    """Apply `edit` with raw SQL in its own committed transaction."""
    with store.engine.begin() as conn:
        edit(conn)


# --- edits ---------------------------------------------------------------------------------


def _value(conn: Connection, column: str, seq: int) -> str:
    return str(conn.execute(sa.select(E.c[column]).where(E.c.seq == seq)).scalar_one())


def set_columns(seq: int, **values: object) -> Callable[[Connection], None]:
    def edit(conn: Connection) -> None:
        assert conn.execute(E.update().where(E.c.seq == seq).values(**values)).rowcount == 1

    return edit


def replace_in(seq: int, column: str, old: str, new: str) -> Callable[[Connection], None]:
    """Replace the first `old` in entry `seq`'s `column` by `new` (one or a few bytes)."""

    def edit(conn: Connection) -> None:
        text = _value(conn, column, seq)
        assert old in text, f"{old!r} is not in entry {seq}'s {column}"
        set_columns(seq, **{column: text.replace(old, new, 1)})(conn)

    return edit


def flip_first_hex_digit(seq: int, column: str) -> Callable[[Connection], None]:
    def edit(conn: Connection) -> None:
        text = _value(conn, column, seq)
        set_columns(seq, **{column: ("1" if text[0] != "1" else "2") + text[1:]})(conn)

    return edit


def delete_entry(seq: int) -> Callable[[Connection], None]:
    def edit(conn: Connection) -> None:
        assert conn.execute(E.delete().where(E.c.seq == seq)).rowcount == 1

    return edit


def swap_entries(a: int, b: int) -> Callable[[Connection], None]:
    """Give entry a's row b's place and b's row a's place (the contents trade places)."""

    def edit(conn: Connection) -> None:
        conn.execute(E.update().where(E.c.seq == a).values(seq=-1))
        conn.execute(E.update().where(E.c.seq == b).values(seq=a))
        conn.execute(E.update().where(E.c.seq == -1).values(seq=b))

    return edit


def _next_entry(conn: Connection, *, new_pledge: bool) -> dict[str, object]:
    """A plausible entry SIZE + 1: a copy of the last one, its leaf and hash made to match.

    With `new_pledge`, it announces a pledge that does not exist yet (a fresh id, a fresh
    digest), so that replaying it succeeds; otherwise it repeats the last announcement.
    """
    row = conn.execute(sa.select(E).where(E.c.seq == SIZE)).one()._asdict()
    header = json.loads(row["leaf"])
    if new_pledge:
        payload = json.loads(row["payload"])
        payload["pledge_id"] = 99
        row["payload"] = canonical(payload).decode()
        row["aggregate_id"] = "99"
        row["payload_digest"] = payload_digest(bytes.fromhex(row["salt"]), row["payload"].encode())
        header["payload_digest"] = row["payload_digest"]
    header["seq"] = row["seq"] = SIZE + 1
    row["leaf"] = canonical(header).decode()
    row["leaf_hash"] = leaf_hash(row["leaf"].encode()).hex()
    return row


def append_entry(
    *, nodes: bool = False, head: bool = False, new_pledge: bool = False
) -> Callable[[Connection], None]:
    """Insert entry 63 after the last; with `nodes` also its tree nodes, with `head` the head."""

    def edit(conn: Connection) -> None:
        row = _next_entry(conn, new_pledge=new_pledge)
        conn.execute(E.insert(), row)
        current = conn.execute(sa.select(t.log_head.c.size, t.log_head.c.frontier)).one()
        frontier = Frontier.from_json(current.size, json.loads(current.frontier))
        completed = frontier.append(bytes.fromhex(str(row["leaf_hash"])))
        if nodes:
            for level, index, node in completed:
                conn.execute(N.insert(), dict(level=level, idx=index, hash=node.hex()))
        if head:
            conn.execute(
                t.log_head.update().values(size=SIZE + 1, frontier=json.dumps(frontier.to_json()))
            )

    return edit


def set_node(level: int, index: int) -> Callable[[Connection], None]:
    def edit(conn: Connection) -> None:
        where = (N.c.level == level) & (N.c.idx == index)
        assert conn.execute(N.update().where(where).values(hash="ab" * 32)).rowcount == 1

    return edit


def delete_node(level: int, index: int) -> Callable[[Connection], None]:
    def edit(conn: Connection) -> None:
        assert conn.execute(N.delete().where(N.c.level == level, N.c.idx == index)).rowcount == 1

    return edit


def set_head_frontier(conn: Connection) -> None:
    frontier = json.loads(conn.execute(sa.select(t.log_head.c.frontier)).scalar_one())
    frontier[-1] = "cd" * 32
    conn.execute(t.log_head.update().values(frontier=json.dumps(frontier)))


def _note(conn: Connection, size: int) -> str:
    return str(conn.execute(sa.select(C.c.note).where(C.c.size == size)).scalar_one())


def _flip_signature(line: str) -> str:
    """One base64 character of the signature changed (the key ID prefix left alone)."""
    head, sig = line.rsplit(" ", 1)
    return f"{head} {sig[:12]}{'A' if sig[12] != 'A' else 'B'}{sig[13:]}"


def break_note_signature(size: int) -> Callable[[Connection], None]:
    def edit(conn: Connection) -> None:
        body, signature = _note(conn, size).rstrip("\n").split("\n\n")
        note = f"{body}\n\n{_flip_signature(signature)}\n"
        conn.execute(C.update().where(C.c.size == size).values(note=note))

    return edit


def resign_note(size: int) -> Callable[[Connection], None]:
    """Replace checkpoint `size`'s signature by one from a key that does not sign this log."""

    def edit(conn: Connection) -> None:
        body = _note(conn, size).split("\n\n")[0] + "\n"
        note = f.HOST_B.signer.sign_note(body)
        conn.execute(C.update().where(C.c.size == size).values(note=note))

    return edit


def break_cosignature(conn: Connection) -> None:
    line = conn.execute(sa.select(t.cosignatures.c.line)).scalar_one()
    conn.execute(t.cosignatures.update().values(line=_flip_signature(line)))


def delete_checkpoint(size: int) -> Callable[[Connection], None]:
    def edit(conn: Connection) -> None:
        conn.execute(t.cosignatures.delete().where(t.cosignatures.c.size == size))
        assert conn.execute(C.delete().where(C.c.size == size)).rowcount == 1

    return edit


# --- one change, one report ----------------------------------------------------------------


@dataclass(frozen=True)
class Tamper:
    edit: Callable[[Connection], None]
    seq: int | None
    """The sequence number LogError names (None: the fault is not in one entry)."""
    words: tuple[str, ...]
    """What the message must say."""
    checkpoint: int | None = None


def case(name: str, tamper: Tamper, *, bug: str | None = None) -> object:
    """One row of the table; `bug` marks a case the code gets wrong today (strict xfail)."""
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"BUG: {bug}")]
    return pytest.param(tamper, id=name, marks=marks if bug else [])


CASES = [
    case(
        "payload-byte",
        Tamper(
            replace_in(40, "payload", '"pledge_id":1', '"pledge_id":2'),
            40,
            ("entry 40", "payload does not match its digest"),
        ),
    ),
    case(
        "salt",
        Tamper(flip_first_hex_digit(36, "salt"), 36, ("entry 36", "payload", "digest")),
    ),
    case(
        "leaf-after-the-last-checkpoint",
        Tamper(
            replace_in(61, "leaf", '"actor_user":"pol"', '"actor_user":"usa"'),
            61,
            ("entry 61", "actor_user", "leaf"),
        ),
    ),
    case(
        "leaf-under-a-checkpoint",
        Tamper(
            replace_in(40, "leaf", '"actor_user":"deu"', '"actor_user":"usa"'),
            40,
            ("entry 40",),
        ),
    ),
    case(
        "event-type-column",
        Tamper(set_columns(45, event_type="PledgeRevised"), 45, ("entry 45", "event_type", "leaf")),
    ),
    case(
        "owner-column",
        Tamper(set_columns(36, owner="DEU"), 36, ("entry 36", "owner", "leaf")),
    ),
    case(
        "releasability-column",
        Tamper(set_columns(36, releasability="public"), 36, ("entry 36", "releasability", "leaf")),
    ),
    case(
        "releasable-to-column",
        Tamper(
            set_columns(48, releasable_to='["DEU", "POL"]'),
            48,
            ("entry 48", "releasable_to", "leaf"),
        ),
    ),
    case(
        "leaf-hash-column",
        Tamper(flip_first_hex_digit(20, "leaf_hash"), 20, ("entry 20", "leaf hash is wrong")),
    ),
    case(
        "delete-middle",
        Tamper(delete_entry(30), 30, ("entry 30 is missing", "29 is followed by 31")),
    ),
    case(
        "delete-last-signed",
        Tamper(delete_entry(SIGNED), SIGNED, ("entry 60 is missing", "59 is followed by 61")),
    ),
    case(
        "delete-last",
        Tamper(delete_entry(SIZE), SIZE, ("entry 62",)),
    ),
    case(
        "swap-two-entries",
        Tamper(swap_entries(40, 41), 40, ("entry 40", "columns differ from its leaf in seq")),
    ),
    case(
        "insert-after-the-last",
        Tamper(append_entry(), SIZE + 1, ("entry 63", "Merkle node at level 0, index 62")),
    ),
    case(
        # The tree is completed too, but the head still counts 62: the head gives it away.
        "insert-after-the-last-with-its-tree-nodes",
        Tamper(append_entry(nodes=True), SIZE + 1, ("entry 63", "beyond the log head")),
    ),
    case(
        "tree-node-hash",
        Tamper(set_node(3, 2), 24, ("entry 24", "Merkle node at level 3, index 2")),
    ),
    case(
        "tree-node-deleted",
        Tamper(delete_node(2, 5), 24, ("entry 24", "Merkle node at level 2, index 5")),
    ),
    case(
        "log-head-frontier",
        Tamper(set_head_frontier, None, ("log head",)),
    ),
    case(
        "checkpoint-signature",
        Tamper(
            break_note_signature(52),
            None,
            ("checkpoint of size 52", "does not verify"),
            checkpoint=52,
        ),
    ),
    case(
        "checkpoint-signed-by-another-key",
        Tamper(
            resign_note(52),
            None,
            ("checkpoint of size 52", "not signed by the host key in force"),
            checkpoint=52,
        ),
    ),
    case(
        "cosignature",
        Tamper(
            break_cosignature,
            None,
            ("checkpoint of size 60", "witness.deu.example", "does not verify"),
            checkpoint=60,
        ),
    ),
    case(
        "handover-checkpoint-deleted",
        Tamper(
            delete_checkpoint(56),
            56,
            ("entry 56 hands the host key over", "no checkpoint of size 56"),
        ),
    ),
]


@pytest.mark.parametrize("change", CASES)
def test_one_change_is_reported_with_the_first_bad_entry(built: Store, change: Tamper) -> None:
    log.verify(store=built)  # the untouched log verifies
    tamper(built, change.edit)
    with pytest.raises(LogError) as caught:
        log.verify(store=built)
    error = caught.value
    message = str(error)
    assert error.seq == change.seq, message
    for word in change.words:
        assert word in message
    if change.checkpoint is not None:
        assert error.checkpoint == change.checkpoint


def test_the_untampered_log_verifies_in_full(built: Store) -> None:
    result = log.verify(store=built)
    report = result.log
    assert (report.size, report.checkpoints, report.signed_size) == (SIZE, 3, SIGNED)
    assert report.cosignatures == 1
    # The quorum of one was set after checkpoints 52 and 56 were signed: they lack it.
    assert report.under_quorum == [52, 56]
    assert report.keys == [f.HOST_A.signer.verifier_key(), f.HOST_B.signer.verifier_key()]
    assert report.redacted == 0
    assert result.projections_match
    assert result.state_digest == f.snapshot(built).digest
    with built.read() as conn:
        head = conn.execute(sa.select(t.log_head.c.size, t.log_head.c.frontier)).one()
    assert report.root == Frontier.from_json(head.size, json.loads(head.frontier)).root()


def test_a_leaf_rewritten_with_everything_derived_from_it_is_caught_by_its_checkpoint(
    built: Store,
) -> None:
    """A forger who also fixes the columns, leaf hash, tree and head still meets the signature.

    The checkpoint's root is all that is left to tell, so the report names the range after
    the previous checkpoint: the first entry that may be bad is 57.
    """

    def rewrite(conn: Connection) -> None:
        leaf = _value(conn, "leaf", 58).replace('"actor_user":"pol"', '"actor_user":"usa"')
        conn.execute(
            E.update()
            .where(E.c.seq == 58)
            .values(leaf=leaf, actor_user="usa", leaf_hash=leaf_hash(leaf.encode()).hex())
        )
        frontier = Frontier()
        conn.execute(N.delete())
        for (stored,) in conn.execute(sa.select(E.c.leaf_hash).order_by(E.c.seq)).all():
            for level, index, node in frontier.append(bytes.fromhex(stored)):
                conn.execute(N.insert(), dict(level=level, idx=index, hash=node.hex()))
        conn.execute(t.log_head.update().values(frontier=json.dumps(frontier.to_json())))

    tamper(built, rewrite)
    with pytest.raises(LogError) as caught:
        log.verify(store=built)
    assert (caught.value.seq, caught.value.checkpoint) == (57, SIGNED)
    assert "an entry in 57..60 has been changed" in str(caught.value)


def test_an_appended_entry_with_its_tree_and_head_is_caught_by_the_replay(built: Store) -> None:
    """Entries after the last checkpoint are not signed yet: a forged one that keeps the tree
    and the head consistent verifies as a log, but the projections no longer equal a replay."""
    tamper(built, append_entry(nodes=True, head=True, new_pledge=True))
    result = log.verify(store=built)
    assert (result.log.size, result.log.signed_size) == (SIZE + 1, SIGNED)
    assert not result.projections_match


def test_an_appended_duplicate_entry_is_reported_not_a_crash(built: Store) -> None:
    tamper(built, append_entry(nodes=True, head=True))
    try:
        result = log.verify(store=built)
    except LogError as error:
        assert error.seq == SIZE + 1
    else:
        assert not result.projections_match


def _set_pledge_quantity(conn: Connection) -> None:
    conn.execute(t.pledges.update().where(t.pledges.c.id == 1).values(quantity=9999))


def _set_host_key_holder(conn: Connection) -> None:
    hk = t.host_keys
    conn.execute(hk.update().where(hk.c.number == 2).values(participant="USA"))


def _drop_quorum(conn: Connection) -> None:
    conn.execute(t.witness_policy.update().values(quorum=0))


def _delete_tranche(conn: Connection) -> None:
    tr = t.tranches
    first = conn.execute(sa.select(tr.c.pledge_id, tr.c.number).limit(1)).one()
    conn.execute(tr.delete().where(tr.c.pledge_id == first.pledge_id, tr.c.number == first.number))


def _insert_grant(conn: Connection) -> None:
    conn.execute(
        t.record_grants.insert().values(record_kind="pledge", record_id="1", participant="USA")
    )


@pytest.mark.parametrize(
    ("edit", "table"),
    [
        pytest.param(_set_pledge_quantity, "pledges", id="pledge-quantity"),
        pytest.param(_set_host_key_holder, "host_keys", id="host-key-holder"),
        pytest.param(_drop_quorum, "witness_policy", id="witness-quorum"),
        pytest.param(_delete_tranche, "tranches", id="deleted-tranche"),
        pytest.param(_insert_grant, "record_grants", id="inserted-grant"),
    ],
)
def test_a_projection_edited_directly_differs_from_a_replay(
    built: Store, edit: Callable[[Connection], None], table: str
) -> None:
    good = log.verify(store=built)
    tamper(built, edit)
    result = log.verify(store=built)
    assert result.drifted == (table,)
    assert result.state_digest != good.state_digest
    assert result.log.size == SIZE  # the log itself is untouched
    # Verification replays into a scratch database: the edited row is still there.
    assert f.snapshot(built).digest == result.state_digest


# --- what an operator sees: `/readyz` and `ramstein log verify` -----------------------------

SURFACED = {
    "change": (replace_in(40, "payload", '"pledge_id":1', '"pledge_id":2'), 40, "entry 40"),
    "delete": (delete_entry(30), 30, "entry 30 is missing"),
    "reorder": (swap_entries(40, 41), 40, "entry 40"),
    "insert": (append_entry(), SIZE + 1, "entry 63"),
    "projection": (_set_pledge_quantity, None, "pledges"),
}


def _ready(client: TestClient, *, after: str) -> tuple[int, dict[str, Any]]:
    """`/readyz` once it answers with a verification started at `after` or later."""
    deadline = time.monotonic() + 60
    while True:
        answer = client.get("/readyz")
        found = answer.json()["checks"]["log"]
        if found.get("started_at", "") >= after or time.monotonic() > deadline:
            return answer.status_code, answer.json()
        time.sleep(0.05)


@pytest.mark.parametrize("kind", list(SURFACED))
def test_readyz_and_log_verify_name_the_first_bad_entry(built: Store, kind: str) -> None:
    edit, seq, words = SURFACED[kind]
    settings = Settings(ready_verify_seconds=0)
    cli = Cli(built.url)
    with TestClient(create_app(settings=settings, store=built)) as client:
        status, body = _ready(client, after=format_instant(utc_now()))
        assert status == 200, body
        verified = body["checks"]["log"]
        assert (verified["ok"], verified["size"], verified["signed_size"]) == (True, SIZE, SIGNED)
        assert "verifies" in cli.ok("log verify")

        tamper(built, edit)
        status, body = _ready(client, after=format_instant(utc_now()))
    assert status == 503
    assert body["status"] == "not ready"
    found = body["checks"]["log"]
    assert found["ok"] is False
    assert found.get("first_bad_entry") == seq
    assert words in found["problem"]
    assert body["checks"]["database"] == {"ok": True}
    assert words in cli.fails("log verify")
