"""The verifiable log as a host runs it: checkpoints, host keys, witnesses and verification.

Also a few end-to-end runs of `ramstein log ...` through the command line (SQLite only).
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from ramstein.cli.main import app
from ramstein.domain.errors import InvalidValue, NotFound, NotPermitted
from ramstein.domain.meetings import MeetingFormat, MeetingStatus
from ramstein.domain.releasability import Principal, Role
from ramstein.ledger.keys import write_public_key
from ramstein.ledger.notes import Checkpoint, NoteError, Signer, open_checkpoint, open_note
from ramstein.services import log, maintenance, meetings
from ramstein.services.log import LogInconsistent
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests import factories as f

A_KEY = f.HOST_A.signer.verifier_key()
B_KEY = f.HOST_B.signer.verifier_key()
NATO_CHAIR = f.principal(f.ALLIANCE, Role.CHAIR, Role.DONOR)
"""The chair after the every-event script's handover."""
COALITION_SIZE = 15
"""Entries `setup_coalition` appends."""


def sign(
    store: Store,
    actor: Principal,
    host: log.HostSigner,
    *,
    clock: Callable[[], datetime] = f.CLOCK,
) -> log.CheckpointInfo:
    with store.write(clock=clock) as uow:
        return log.sign_checkpoint(uow=uow, actor=actor, host=host)


def entry(store: Store, seq: int) -> tuple[str, dict[str, object]]:
    e = t.log_entries
    with store.read() as conn:
        row = conn.execute(sa.select(e.c.event_type, e.c.payload).where(e.c.seq == seq)).one()
    return row.event_type, json.loads(row.payload)


def checkpoint_sizes(store: Store) -> list[int]:
    with store.read() as conn:
        return [c.size for c in log.checkpoints(conn=conn)]


def cosign(size: int, *, by: Signer = f.WITNESS, at: int = 1_740_819_600, store: Store) -> str:
    with store.read() as conn:
        cp = log.checkpoint_at(conn=conn, size=size)
    return by.cosign(Checkpoint(cp.origin, cp.size, cp.root), at)


# --- checkpoints --------------------------------------------------------------------------


def test_the_first_checkpoint_introduces_the_genesis_key_with_the_origin(store: Store) -> None:
    c = f.setup_coalition(store)
    signed = sign(store, c.chair, f.HOST_A)
    genesis = COALITION_SIZE + 1
    assert signed.size == genesis  # the HostKeyIntroduced entry is under the first checkpoint
    assert entry(store, genesis) == (
        "HostKeyIntroduced",
        {"origin": f.ORIGIN, "key": A_KEY, "participant": "USA"},
    )
    assert (signed.origin, signed.key, signed.cosigners) == (f.ORIGIN, A_KEY, ())
    body, _ = open_checkpoint(signed.note, [f.HOST_A.signer.verifier()], origin=f.ORIGIN)
    assert (body.size, body.root) == (genesis, signed.root)
    with store.read() as conn:
        assert log.host_keys(conn=conn) == [log.HostKey(1, f.ORIGIN, A_KEY, genesis, "USA")]
    report = log.verify(store=store, pinned_key=A_KEY)
    assert (report.log.size, report.log.checkpoints, report.log.keys) == (genesis, 1, [A_KEY])


def test_signing_again_at_the_same_size_returns_the_same_checkpoint(store: Store) -> None:
    c = f.setup_coalition(store)
    first = sign(store, c.chair, f.HOST_A)
    before = f.snapshot(store)
    later = f.fixed_clock(f.NOW + timedelta(days=3))
    assert sign(store, c.chair, f.HOST_A, clock=later) == first  # same note, same signed_at
    assert f.snapshot(store) == before
    assert checkpoint_sizes(store) == [first.size]


def test_a_host_whose_key_is_not_in_force_cannot_sign(store: Store) -> None:
    c = f.setup_coalition(store)
    genesis = sign(store, c.chair, f.HOST_A)
    f.announce(store, c.donor("DEU"))
    refused = f.refuse(
        store, NotPermitted, lambda uow: log.sign_checkpoint(uow=uow, actor=c.chair, host=f.HOST_B)
    )
    assert A_KEY in str(refused)
    assert f"since entry {genesis.size}" in str(refused)
    assert B_KEY in str(refused)  # the refused host is told which key it presented
    assert checkpoint_sizes(store) == [genesis.size]


def test_only_the_chair_signs_checkpoints(store: Store) -> None:
    c = f.setup_coalition(store)
    refused = f.refuse(
        store,
        NotPermitted,
        lambda uow: log.sign_checkpoint(uow=uow, actor=c.donor("DEU"), host=f.HOST_A),
    )
    assert "Only the chair may sign checkpoints" in str(refused)
    assert checkpoint_sizes(store) == []


def test_after_a_handover_only_the_new_key_signs(store: Store) -> None:
    c = f.every_event_script(store)
    assert checkpoint_sizes(store) == [52, 56]
    with store.read() as conn:
        handover = log.checkpoint_at(conn=conn, size=56)
        current = log.current_host_key(conn=conn)
        assert log.host_key_at(conn=conn, size=56).key == A_KEY
        assert log.host_key_at(conn=conn, size=57).key == B_KEY
    assert entry(store, 56)[0] == "HostKeyIntroduced"
    assert current == log.HostKey(2, f.ORIGIN, B_KEY, 56, "NATO")
    # The checkpoint at the handover is the outgoing host's: only HOST_A's key opens it.
    assert handover.key == A_KEY
    open_note(handover.note, [f.HOST_A.signer.verifier()])
    with pytest.raises(NoteError):
        open_note(handover.note, [f.HOST_B.signer.verifier()])

    f.announce(store, c.donor("POL"))
    refused = f.refuse(
        store,
        NotPermitted,
        lambda uow: log.sign_checkpoint(uow=uow, actor=NATO_CHAIR, host=f.HOST_A),
    )
    assert B_KEY in str(refused) and "held by NATO" in str(refused)
    refused = f.refuse(
        store,
        NotPermitted,
        lambda uow: log.hand_over_host(
            uow=uow, actor=NATO_CHAIR, host=f.HOST_A, new_key=A_KEY, incoming="USA"
        ),
    )
    assert "Only the host whose key is in force" in str(refused)

    signed = sign(store, NATO_CHAIR, f.HOST_B)
    assert (signed.size, signed.key) == (57, B_KEY)
    open_checkpoint(signed.note, [f.HOST_B.signer.verifier()], origin=f.ORIGIN)
    report = log.verify(store=store, pinned_key=A_KEY).log
    assert (report.checkpoints, report.keys) == (3, [A_KEY, B_KEY])


def test_a_handover_needs_a_signed_log_and_a_new_key(store: Store) -> None:
    c = f.setup_coalition(store)
    refused = f.refuse(
        store,
        NotFound,
        lambda uow: log.hand_over_host(
            uow=uow, actor=c.chair, host=f.HOST_A, new_key=B_KEY, incoming="NATO"
        ),
    )
    assert "no checkpoint yet" in str(refused)
    sign(store, c.chair, f.HOST_A)
    refused = f.refuse(
        store,
        InvalidValue,
        lambda uow: log.hand_over_host(
            uow=uow, actor=c.chair, host=f.HOST_A, new_key=A_KEY, incoming="NATO"
        ),
    )
    assert "already in force" in str(refused)

    with store.write(clock=f.CLOCK) as uow:
        handover = log.hand_over_host(
            uow=uow, actor=c.chair, host=f.HOST_A, new_key=B_KEY, incoming="NATO"
        )
    size = f.snapshot(store).log_size
    assert (handover.size, handover.key) == (size, A_KEY)  # signed by the outgoing key
    assert entry(store, size) == (
        "HostKeyIntroduced",
        {"origin": f.ORIGIN, "key": B_KEY, "participant": "NATO"},
    )
    with store.read() as conn:
        assert log.current_host_key(conn=conn) == log.HostKey(2, f.ORIGIN, B_KEY, size, "NATO")
    assert log.verify(store=store, pinned_key=A_KEY).log.keys == [A_KEY, B_KEY]


def test_signing_refuses_a_tree_inconsistent_with_the_last_checkpoint(store: Store) -> None:
    c = f.every_event_script(store)
    f.announce(store, c.donor("POL"))
    n = t.tree_nodes
    with store.engine.begin() as conn:  # the subtree over entries 1..32, under checkpoint 56
        conn.execute(n.update().where(n.c.level == 5, n.c.idx == 0).values(hash="ab" * 32))
    refused = f.refuse(
        store,
        LogInconsistent,
        lambda uow: log.sign_checkpoint(uow=uow, actor=NATO_CHAIR, host=f.HOST_B),
    )
    assert str(refused).startswith("Refusing to sign")
    assert "checkpoint of size 56" in str(refused)
    assert checkpoint_sizes(store) == [52, 56]


def test_closing_a_meeting_with_the_host_signs_a_checkpoint(store: Store) -> None:
    c = f.setup_coalition(store)
    with store.write(clock=f.CLOCK) as uow:
        meetings.schedule_meeting(
            uow=uow,
            actor=c.chair,
            held_on=f.BASE,
            format=MeetingFormat.IN_PERSON,
            venue="Ramstein Air Base",
            chair="USA",
            co_chairs=[],
        )
        for status in (MeetingStatus.INVITED, MeetingStatus.HELD):
            meetings.change_meeting_status(uow=uow, actor=c.chair, number=1, status=status)
    assert checkpoint_sizes(store) == []  # holding a meeting signs nothing
    with store.write(clock=f.CLOCK) as uow:
        meetings.change_meeting_status(
            uow=uow, actor=c.chair, number=1, status=MeetingStatus.CLOSED, host=f.HOST_A
        )
    size = f.snapshot(store).log_size
    assert checkpoint_sizes(store) == [size]
    event_type, payload = entry(store, size - 1)
    assert (event_type, payload["status"]) == ("MeetingStatusChanged", "closed")
    assert entry(store, size)[0] == "HostKeyIntroduced"


# --- witnesses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(A_KEY, id="an-ed25519-host-key"),
        pytest.param("witness.pol.example+0badc0de+AAAA", id="garbage"),
    ],
)
def test_a_witness_needs_a_cosigner_key(store: Store, key: str) -> None:
    c = f.setup_coalition(store)
    refused = f.refuse(
        store,
        InvalidValue,
        lambda uow: log.set_witness(uow=uow, actor=c.chair, participant="DEU", key=key),
    )
    assert "cosignature/v1" in str(refused)


def test_a_quorum_cannot_exceed_the_registered_witnesses(store: Store) -> None:
    c = f.setup_coalition(store)
    with store.write(clock=f.CLOCK) as uow:
        log.set_witness(uow=uow, actor=c.chair, participant="DEU", key=f.WITNESS.cosigner_key())
    refused = f.refuse(
        store, InvalidValue, lambda uow: log.set_quorum(uow=uow, actor=c.chair, quorum=2)
    )
    assert "impossible with 1 registered witnesses" in str(refused)
    with store.write(clock=f.CLOCK) as uow:
        assert log.set_quorum(uow=uow, actor=c.chair, quorum=1) == 1
    with store.read() as conn:
        assert log.witness_quorum(conn=conn) == 1


def test_a_witness_cosignature_is_stored_and_counted(store: Store) -> None:
    f.every_event_script(store)  # DEU's witness registered, quorum 1, checkpoints 52 and 56
    assert log.verify(store=store).log.under_quorum == [52, 56]
    line = cosign(56, at=1_740_819_600, store=store)
    with store.write(clock=f.CLOCK) as uow:
        cosigned = log.add_cosignature(uow=uow, size=56, line=line)
    assert cosigned.cosigners == ("DEU",)
    assert cosigned.note.endswith(line + "\n")
    _, verified = open_note(cosigned.note, [f.HOST_A.signer.verifier(), f.WITNESS.cosigner()])
    assert [v.timestamp for v in verified if v.kind == "cosignature/v1"] == [1_740_819_600]
    report = log.verify(store=store).log
    assert (report.cosignatures, report.under_quorum) == (1, [52])

    # A newer cosignature by the same witness replaces the older one.
    newer = cosign(56, at=1_740_900_000, store=store)
    with store.write(clock=f.CLOCK) as uow:
        log.add_cosignature(uow=uow, size=56, line=newer)
        log.add_cosignature(uow=uow, size=52, line=cosign(52, store=store))
    with store.read() as conn:
        rows = conn.execute(sa.select(t.cosignatures.c.size, t.cosignatures.c.timestamp)).all()
    assert sorted(tuple(r) for r in rows) == [(52, 1_740_819_600), (56, 1_740_900_000)]
    report = log.verify(store=store).log
    assert (report.cosignatures, report.under_quorum) == (2, [])


def test_a_cosignature_that_does_not_verify_is_refused(store: Store) -> None:
    f.every_event_script(store)
    stranger = Signer.generate("witness.pol.example")
    for line in (
        cosign(56, by=stranger, store=store),  # a key nobody registered
        cosign(52, store=store),  # the registered witness, but another checkpoint
    ):
        refused = f.refuse(
            store,
            NotPermitted,
            lambda uow, line=line: log.add_cosignature(uow=uow, size=56, line=line),
        )
        assert "does not verify with any registered witness key" in str(refused)
    f.refuse(
        store,
        NotFound,
        lambda uow: log.add_cosignature(uow=uow, size=40, line=cosign(56, store=store)),
    )
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.cosignatures)).scalar() == 0
    assert log.verify(store=store).log.cosignatures == 0


# --- the command line ---------------------------------------------------------------------


class Cli:
    """`ramstein` on one SQLite file, with the host key file at `key`."""

    def __init__(self, url: str, key: Path) -> None:
        self.url, self.key, self.runner = url, key, CliRunner()

    def run(self, *args: object) -> Result:
        return self.runner.invoke(
            app,
            ["--database-url", self.url, *map(str, args)],
            env={"RAMSTEIN_HOST_KEY_FILE": str(self.key), "COLUMNS": "200"},
        )

    def ok(self, *args: object) -> str:
        result = self.run(*args)
        assert result.exit_code == 0, f"{args}: {result.stdout}{result.stderr}"
        return result.stdout

    def fails(self, *args: object) -> str:
        """The one `Error: ...` line on stderr of a refused command (exit 1, no traceback)."""
        result = self.run(*args)
        assert result.exit_code == 1, f"{args}: {result.stdout}{result.stderr}"
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        (line,) = result.stderr.splitlines()
        assert line.startswith("Error: ")
        return line


def row(table: str, label: str) -> str:
    """The value beside `label` in a record the CLI printed as a table."""
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if label in cells:
            return cells[cells.index(label) + 1]
    raise AssertionError(f"no {label!r} row in:\n{table}")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The factory coalition with one restricted pledge, on SQLite, driven by `ramstein`."""
    url = f"sqlite:///{tmp_path / 'host.sqlite'}"
    store = Store(url)
    c = f.setup_coalition(store)
    f.announce(store, c.donor("GBR"), label=f.restricted("UKR"))
    store.dispose()
    return Cli(url, tmp_path / "keys" / "host.key")


def test_cli_checkpoint_and_verify_and_a_tampered_database_exits_1(cli: Cli) -> None:
    out = cli.ok("log", "checkpoint")
    assert "Signed checkpoint of size 17" in out
    assert stat.S_IMODE(cli.key.stat().st_mode) == 0o600  # created on first use
    assert "The log verifies, and the projections equal a replay of it" in cli.ok("log", "verify")

    store = Store(cli.url)
    with store.engine.begin() as conn:
        e = t.log_entries
        conn.execute(e.update().where(e.c.seq == 5).values(payload=e.c.payload + " "))
    store.dispose()
    assert cli.fails("log", "verify") == "Error: entry 5: its payload does not match its digest"


def test_cli_export_verify_import_and_prove(cli: Cli, tmp_path: Path) -> None:
    cli.ok("log", "checkpoint")
    pub = tmp_path / "host.pub"
    cli.ok("log", "key", "--output", pub)
    public, full = tmp_path / "public.bundle", tmp_path / "full.bundle"
    assert "Wrote 17 entries for public" in cli.ok(
        "log", "export", "--for", "public", "--output", public
    )
    verified = cli.ok("log", "verify", "--bundle", public, "--key", pub)
    assert f"The bundle {public} verifies" in verified
    assert row(verified, "Redacted payloads") == "1"  # GBR's pledge, released to UKR only

    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.sqlite'}", cli.key)
    assert "leaves out 1 payloads" in fresh.fails("log", "import", public)
    cli.ok("log", "export", "--for", "USA", "--output", full)
    assert "Loaded 17 entries" in fresh.ok("log", "import", full, "--key", pub)
    digests = []
    for url in (cli.url, fresh.url):
        store = Store(url)
        with store.read() as conn:
            digests.append(maintenance.digest(conn=conn))
        store.dispose()
    assert digests[0] == digests[1]

    proof = tmp_path / "pledge-1.proof"
    cli.ok("log", "prove", "pledge:1", "--output", proof)
    checked = cli.ok("log", "check-proof", proof, "--key", pub)
    assert "Entry 16 (PledgeAnnounced) is in the log ramstein/coalition of size 17" in checked
    other = tmp_path / "other.pub"
    write_public_key(other, Signer.generate("ramstein/coalition").verifier_key())
    assert "not signed by the host key" in cli.fails("log", "check-proof", proof, "--key", other)
