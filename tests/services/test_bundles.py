"""Bundles: the log in one file, redacted per viewer; loading a full one into an empty instance.

The source log: the every-event script (checkpoints 52 and 56 signed by HOST_A, the second at
the handover to NATO), two POL pledges (one released to UKR only), checkpoint 58 signed by
HOST_B; the DEU witness cosigns 56 and 58.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Releasability, Role
from ramstein.ledger.notes import Checkpoint
from ramstein.services import bundles, log, maintenance
from ramstein.services.bundles import BundleRefused
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests import factories as f
from tests.conftest import new_postgres_database
from tests.pgserver import PostgresServer

A_KEY = f.HOST_A.signer.verifier_key()
B_KEY = f.HOST_B.signer.verifier_key()
NATO_CHAIR = f.principal(f.ALLIANCE, Role.CHAIR, Role.DONOR)
"""The chair after the handover: it may see every entry, so its export is a full bundle."""
SIZE = 58


def cosign(store: Store, size: int, at: int) -> None:
    with store.write(clock=f.CLOCK) as uow:
        cp = log.checkpoint_at(conn=uow.conn, size=size)
        line = f.WITNESS.cosign(Checkpoint(cp.origin, cp.size, cp.root), at)
        log.add_cosignature(uow=uow, size=size, line=line)


def build(store: Store) -> None:
    c = f.every_event_script(store)
    cosign(store, 56, 1_740_819_600)
    f.announce(store, c.donor("POL"), quantity=100)
    f.announce(store, c.donor("POL"), quantity=101, label=f.restricted("UKR"))
    with store.write(clock=f.CLOCK) as uow:
        log.sign_checkpoint(uow=uow, actor=NATO_CHAIR, host=f.HOST_B)
    cosign(store, SIZE, 1_740_819_700)


def export(store: Store, viewer: Principal) -> str:
    out = io.StringIO()
    bundles.export_bundle(store=store, viewer=viewer, out=out)
    return out.getvalue()


def load(store: Store, text: str, *, pinned_key: str | None = A_KEY) -> object:
    return bundles.import_bundle(
        store=store, bundle=bundles.read_bundle(io.StringIO(text)), pinned_key=pinned_key
    )


def entry_rows(store: Store) -> list[tuple[object, ...]]:
    e = t.log_entries
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(sa.select(e).order_by(e.c.seq))]


def the_log(store: Store) -> dict[str, object]:
    """Everything the log stores apart from the projections, as a user could compare it."""
    n = t.tree_nodes
    with store.read() as conn:
        return {
            "entries": entry_rows(store),
            "nodes": sorted(tuple(r) for r in conn.execute(sa.select(n))),
            "head": tuple(conn.execute(sa.select(t.log_head)).one()),
            # The bundle carries notes, not the moment each was signed.
            "checkpoints": [
                (c.size, c.origin, c.root, c.key, c.note, c.cosigners)
                for c in log.checkpoints(conn=conn)
            ],
        }


def empty_digest(store: Store) -> str:
    with store.read() as conn:
        return maintenance.digest(conn=conn)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The source log, built once on SQLite for the tests that only read it."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('source') / 'source.sqlite'}")
    build(store)
    yield store
    store.dispose()


@pytest.fixture(scope="module")
def full(source: Store) -> str:
    return export(source, NATO_CHAIR)


# --- full bundles, across database kinds --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_a_full_bundle_gives_the_same_instance_on_the_other_database(
    direction: str, postgres: PostgresServer, tmp_path: Path
) -> None:
    urls = {"sqlite": f"sqlite:///{tmp_path / 'other.sqlite'}"}
    urls["postgresql"] = new_postgres_database(postgres)
    source_kind, target_kind = direction.split("-to-")
    source, target = Store(urls[source_kind]), Store(urls[target_kind])
    try:
        build(source)
        text = export(source, NATO_CHAIR)
        report = load(target, text)
        assert report.size == SIZE  # type: ignore[attr-defined]
        assert f.snapshot(target) == f.snapshot(source)
        assert the_log(target) == the_log(source)
        with target.read() as conn:
            assert [c.cosigners for c in log.checkpoints(conn=conn)] == [(), ("DEU",), ("DEU",)]
        there, here = log.verify(store=target, pinned_key=A_KEY), log.verify(store=source)
        assert there.projections_match
        assert there.log == here.log
        assert there.log.cosignatures == 2 and there.log.under_quorum == [52]

        # The loaded log goes on: the host in force signs its next checkpoint there.
        f.announce(target, f.principal("DEU", Role.DONOR), quantity=70)
        with target.write(clock=f.CLOCK) as uow:
            assert log.sign_checkpoint(uow=uow, actor=NATO_CHAIR, host=f.HOST_B).size == SIZE + 1
        assert log.verify(store=target, pinned_key=A_KEY).log.checkpoints == 4
    finally:
        source.dispose()
        target.dispose()


# --- redacted bundles ---------------------------------------------------------------------


def payloads(text: str) -> dict[int, tuple[str | None, str | None]]:
    """seq -> (salt, payload) as the bundle holds them (None where redacted)."""
    out = {}
    for line in text.splitlines()[1:]:
        item = json.loads(line)
        if "seq" in item:
            out[item["seq"]] = (item["salt"], item["payload"])
    return out


def stored(source: Store) -> dict[int, tuple[str, str, str, str, list[str]]]:
    """seq -> (salt, payload, releasability, owner, releasable_to) from the log table."""
    e = t.log_entries
    with source.read() as conn:
        rows = conn.execute(
            sa.select(
                e.c.seq, e.c.salt, e.c.payload, e.c.releasability, e.c.owner, e.c.releasable_to
            )
        ).all()
    return {
        r.seq: (r.salt, r.payload, r.releasability, r.owner, json.loads(r.releasable_to))
        for r in rows
    }


def test_a_public_bundle_redacts_exactly_the_entries_that_are_not_public(
    source: Store, store: Store
) -> None:
    text = export(source, PUBLIC_VIEWER)
    held, log_rows = payloads(text), stored(source)
    restricted = {s for s, row in log_rows.items() if row[2] != Releasability.PUBLIC}
    assert len(restricted) == 11  # the coalition and restricted entries of the script
    assert {s for s, (salt, payload) in held.items() if payload is None} == restricted
    assert all(held[s] == (None, None) for s in restricted)
    assert all(held[s] == log_rows[s][:2] for s in log_rows.keys() - restricted)

    bundle = bundles.read_bundle(io.StringIO(text))
    assert (bundle.viewer, bundle.redacted) == ("public", len(restricted))
    report = bundles.verify_bundle(bundle, pinned_key=A_KEY)
    assert (report.size, report.redacted, report.checkpoints) == (SIZE, len(restricted), 3)
    assert (report.cosignatures, report.keys) == (2, [A_KEY, B_KEY])

    empty = f.snapshot(store)
    with pytest.raises(BundleRefused) as refused:
        load(store, text)
    assert f"leaves out {len(restricted)} payloads" in str(refused.value)
    assert "only a full bundle" in str(refused.value)
    assert f.snapshot(store) == empty
    assert the_log(store)["checkpoints"] == []


def test_a_donor_bundle_shows_the_donors_own_restricted_entries(source: Store) -> None:
    gbr = f.principal("GBR", Role.DONOR)
    held, log_rows = payloads(export(source, gbr)), stored(source)
    shown = {
        s
        for s, (_, _, level, owner, named) in log_rows.items()
        if level != Releasability.RESTRICTED or owner == "GBR" or "GBR" in named
    }
    own = {
        s for s, row in log_rows.items() if row[2] == Releasability.RESTRICTED and row[3] == "GBR"
    }
    assert own == {36, 42, 46, 47}  # GBR's air-defence pledge, released to UKR and DEU
    assert own <= shown
    assert {s for s, (_, payload) in held.items() if payload is not None} == shown
    assert all(held[s] == log_rows[s][:2] for s in shown)
    redacted_for_public = payloads(export(source, PUBLIC_VIEWER))
    assert all(redacted_for_public[s] == (None, None) for s in own)
    report = bundles.verify_bundle(bundles.read_bundle(io.StringIO(export(source, gbr))))
    assert report.redacted == SIZE - len(shown) > 0


# --- damaged bundles ----------------------------------------------------------------------

Damage = Callable[[list[str]], list[str]]
"""A change to the bundle's lines (header, entries 1..58 at their own index, checkpoints, end)."""


def _item(lines: list[str], index: int) -> dict[str, object]:
    return dict(json.loads(lines[index]))


def _with(lines: list[str], index: int, **changes: object) -> list[str]:
    out = list(lines)
    out[index] = json.dumps(_item(lines, index) | changes)
    return out


def _flip(text: str, at: int) -> str:
    return text[:at] + ("1" if text[at] != "1" else "2") + text[at + 1 :]


def truncate(keep: int) -> Damage:
    return lambda lines: lines[:keep]


def payload_byte(lines: list[str]) -> list[str]:
    payload = str(_item(lines, 40)["payload"])
    return _with(lines, 40, payload=payload.replace('"pledge_id":1', '"pledge_id":3'))


def leaf_byte(lines: list[str]) -> list[str]:
    leaf = str(_item(lines, 40)["leaf"])
    return _with(lines, 40, leaf=leaf.replace("2025-03-01", "2025-03-02"))


def swap_lines(lines: list[str]) -> list[str]:
    out = list(lines)
    out[40], out[41] = out[41], out[40]
    return out


def swap_contents(lines: list[str]) -> list[str]:
    """Entries 40 and 41 trade leaves and payloads but keep their sequence numbers."""
    a, b = _item(lines, 40), _item(lines, 41)
    out = list(lines)
    out[40] = json.dumps(b | {"seq": 40})
    out[41] = json.dumps(a | {"seq": 41})
    return out


def remove_entry(lines: list[str]) -> list[str]:
    out = lines[:30] + lines[31:]
    return _with(out, len(out) - 1, end=SIZE - 1)


def _checkpoint_index(lines: list[str], size: int) -> int:
    return next(i for i, line in enumerate(lines) if json.loads(line).get("checkpoint") == size)


def resign(size: int) -> Damage:
    """Checkpoint `size` signed by a key that does not sign the log at that size."""

    def damage(lines: list[str]) -> list[str]:
        i = _checkpoint_index(lines, size)
        body = str(_item(lines, i)["note"]).split("\n\n")[0] + "\n"
        return _with(lines, i, note=f.HOST_B.signer.sign_note(body))

    return damage


def drop_last_checkpoint(lines: list[str]) -> list[str]:
    i = _checkpoint_index(lines, SIZE)
    out = lines[:i] + lines[i + 1 :]
    return _with(out, len(out) - 1, checkpoints=2)


def break_cosignature(lines: list[str]) -> list[str]:
    i = _checkpoint_index(lines, 56)
    note = str(_item(lines, i)["note"])
    head, sig = note.rstrip("\n").rsplit(" ", 1)
    return _with(lines, i, note=f"{head} {sig[:12]}{'A' if sig[12] != 'A' else 'B'}{sig[13:]}\n")


def header(**changes: object) -> Damage:
    return lambda lines: _with(lines, 0, **changes)


def pad(lines: list[str]) -> list[str]:
    return [*lines, lines[5]]


def case(name: str, damage: Damage, *words: str, bug: str | None = None) -> object:
    marks = [pytest.mark.xfail(strict=True, raises=ValueError, reason=f"BUG: {bug}")]
    return pytest.param(damage, words, id=name, marks=marks if bug else [])


DAMAGES = [
    case("empty", lambda lines: [], "empty or not a Ramstein log bundle"),
    case("not-a-bundle", header(bundle="something-else/1"), "not a ramstein-log-bundle/1"),
    case("truncated-end", truncate(-2), "truncated", "end marker is missing"),
    case("truncated-middle", truncate(31), "truncated"),
    case("padded", pad, "Line 64 follows the bundle's end marker"),
    case("malformed-line", lambda lines: [*lines[:9], "{not json", *lines[10:]], "Line 10"),
    case("payload-byte", payload_byte, "does not verify", "entry 40", "payload", "digest"),
    case("leaf-byte", leaf_byte, "does not verify", "an entry in 1..52 has been changed"),
    case("reordered", swap_lines, "does not verify", "entry 40 is missing"),
    case("contents-swapped", swap_contents, "entry 40", "does not end with its sequence"),
    case("entry-removed", remove_entry, "does not verify", "entry 30 is missing"),
    case("signed-by-another-key", resign(52), "checkpoint of size 52", "not signed by the host"),
    case("fork-after-handover", resign(56), "checkpoint of size 56", "not signed by the host"),
    case("cosignature", break_cosignature, "checkpoint of size 56", "witness.deu.example"),
    case("last-checkpoint-dropped", drop_last_checkpoint, "does not cover its last entry"),
    case(
        "origin", header(origin="ramstein.test/other"), "for the log", "not 'ramstein.test/other'"
    ),
    case("quorum-above-witnesses", header(quorum=5), "quorum"),
    case("witness-key", header(witnesses=["garbage"]), "witness key"),
]


@pytest.mark.parametrize(("damage", "words"), DAMAGES)
def test_a_damaged_bundle_is_refused_and_nothing_is_loaded(
    full: str, store: Store, damage: Damage, words: tuple[str, ...]
) -> None:
    before = empty_digest(store)
    text = "".join(line + "\n" for line in damage(full.splitlines()))
    with pytest.raises(BundleRefused) as refused:
        load(store, text)
    message = str(refused.value)
    for word in words:
        assert word in message
    assert f.snapshot(store) == f.Snapshot(0, before)
    stored_log = the_log(store)
    assert (stored_log["entries"], stored_log["nodes"], stored_log["checkpoints"]) == ([], [], [])
    # The undamaged bundle still loads into the same instance afterwards.
    load(store, full)
    assert f.snapshot(store).log_size == SIZE


def test_a_bundle_from_another_genesis_key_is_refused_when_the_key_is_pinned(
    full: str, store: Store
) -> None:
    with pytest.raises(BundleRefused) as refused:
        load(store, full, pinned_key=B_KEY)
    assert "introduces the genesis key" in str(refused.value)
    assert f.snapshot(store).log_size == 0


def test_a_bundle_is_only_loaded_into_an_empty_instance(full: str, store: Store) -> None:
    f.setup_coalition(store)
    before = f.snapshot(store)
    with pytest.raises(BundleRefused) as refused:
        load(store, full)
    assert "already holds 15 log entries; import into an empty one" in str(refused.value)
    assert f.snapshot(store) == before
    assert the_log(store)["checkpoints"] == []
