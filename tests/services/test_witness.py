"""Witnesses cosign only checkpoints that extend what they cosigned; hosts keep only theirs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ramstein.domain.releasability import Principal, Role
from ramstein.ledger.notes import Signer
from ramstein.services import bundles, log, remote, witness
from ramstein.store.engine import Store
from tests.factories import (
    CLOCK,
    HOST_A,
    HOST_B,
    WITNESS,
    Principals,
    every_event_script,
    setup_coalition,
)
from tests.system.support import HOST_A_URL, HOST_B_URL, hold_meeting, pledge_round, serving

GENESIS = HOST_A.signer.verifier_key()
ORIGIN = HOST_A.origin


def _host(store: Store, *, quorum: int = 1) -> tuple[Principals, int]:
    c = setup_coalition(store)
    with store.write(clock=CLOCK) as uow:
        log.set_witness(uow=uow, actor=c.chair, participant="DEU", key=WITNESS.cosigner_key())
        log.set_quorum(uow=uow, actor=c.chair, quorum=quorum)
    pledge_round(store, c)
    return c, hold_meeting(store, c.chair, HOST_A)


def _cosigners(store: Store) -> dict[int, tuple[str, ...]]:
    with store.read() as conn:
        return {c.size: c.cosigners for c in log.checkpoints(conn=conn)}


def test_a_witness_cosigns_and_the_quorum_is_met(store: Store, tmp_path: Path) -> None:
    c, first = _host(store)
    state = tmp_path / "witness.json"
    assert log.verify(store=store).log.under_quorum == [first]
    with serving(**{"host-a": store}) as net:
        done = witness.cosign(
            url=HOST_A_URL, signer=WITNESS, state_path=state, http=net, host_key=GENESIS,
            now=lambda: 1_750_000_000,
        )  # fmt: skip
        assert (done.size, done.previous, done.already) == (first, 0, False)
        assert _cosigners(store) == {first: ("DEU",)}
        report = log.verify(store=store).log
        assert (report.cosignatures, report.under_quorum) == (1, [])

        again = witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=state, http=net)
        assert (again.size, again.already, again.line) == (first, True, "")

        pledge_round(store, c)
        second = hold_meeting(store, c.chair, HOST_A, day=3)
        net.requests.clear()
        done = witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=state, http=net)
        assert (done.size, done.previous) == (second, first)
        assert any(f"consistency?from={first}&to={second}" in u for u in net.requests)
        assert net.entry_requests() == []  # a witness needs no entries without a handover
    assert _cosigners(store) == {first: ("DEU",), second: ("DEU",)}
    held = witness.load_state(state)[ORIGIN]
    assert (held.size, held.host_key, held.url) == (second, GENESIS, f"{HOST_A_URL}/api/v1/log")
    assert log.verify(store=store).log.under_quorum == []


def test_the_first_run_needs_the_host_key_and_checks_it(store: Store, tmp_path: Path) -> None:
    _host(store)
    state = tmp_path / "witness.json"
    with serving(**{"host-a": store}) as net:
        with pytest.raises(witness.WitnessRefused, match="give the host's public key"):
            witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=state, http=net)
        with pytest.raises(witness.WitnessRefused, match="does not name .* among its host keys"):
            witness.cosign(
                url=HOST_A_URL, signer=WITNESS, state_path=state, http=net,
                host_key=HOST_B.signer.verifier_key(),
            )  # fmt: skip
    assert not state.exists()
    assert set(_cosigners(store).values()) == {()}


def test_a_witness_refuses_a_checkpoint_inconsistent_with_what_it_cosigned(
    store: Store, tmp_path: Path
) -> None:
    """A split view: the same host key shows the witness two histories."""
    c, first = _host(store)
    other = Store(f"sqlite:///{tmp_path / 'split.sqlite'}")
    other_c = setup_coalition(other)  # a different history from the first entry on
    pledge_round(other, other_c)
    pledge_round(other, other_c)
    split = hold_meeting(other, other_c.chair, HOST_A)
    assert split > first
    state = tmp_path / "witness.json"
    with serving(**{"host-a": store, "host-b": other}) as net:
        witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=state, http=net, host_key=GENESIS)
        with pytest.raises(witness.WitnessRefused) as caught:
            witness.cosign(url=HOST_B_URL, signer=WITNESS, state_path=state, http=net)
    message = str(caught.value)
    assert message.startswith(f"The checkpoint of size {split} (root ")
    assert f"is not consistent with the checkpoint of size {first} (root " in message
    assert message.endswith("The log has been rewritten or forked.")
    assert witness.load_state(state)[ORIGIN].size == first
    with other.read() as conn:
        assert [cp.cosigners for cp in log.checkpoints(conn=conn)] == [()]
    other.dispose()


def test_a_witness_refuses_to_go_back_or_to_cosign_another_root(
    store: Store, tmp_path: Path
) -> None:
    c, first = _host(store)
    pledge_round(store, c)
    second = hold_meeting(store, c.chair, HOST_A, day=3)
    older = Store(f"sqlite:///{tmp_path / 'older.sqlite'}")
    out = io.StringIO()
    bundles.export_bundle(store=store, viewer=Principal(None, frozenset({Role.CHAIR})), out=out)
    full = bundles.read_bundle(io.StringIO(out.getvalue()))
    older_bundle = bundles.Bundle(
        full.origin, full.viewer, full.entries[:first], full.checkpoints[:1], full.witnesses, 1
    )
    bundles.import_bundle(store=older, bundle=older_bundle, pinned_key=GENESIS)
    state = tmp_path / "witness.json"
    with serving(**{"host-a": store, "host-b": older}) as net:
        witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=state, http=net, host_key=GENESIS)
        with pytest.raises(witness.WitnessRefused, match="refusing to go back"):
            witness.cosign(url=HOST_B_URL, signer=WITNESS, state_path=state, http=net)
    assert witness.load_state(state)[ORIGIN].size == second
    older.dispose()


def test_the_host_refuses_a_cosignature_from_an_unregistered_witness(
    store: Store, tmp_path: Path
) -> None:
    _host(store)
    stranger = Signer.generate("witness.stranger.example")
    state = tmp_path / "stranger.json"
    with serving(**{"host-a": store}) as net, pytest.raises(remote.RemoteRefused) as caught:
        witness.cosign(
            url=HOST_A_URL, signer=stranger, state_path=state, http=net, host_key=GENESIS
        )
    assert "does not verify with any registered witness key" in str(caught.value)
    assert not state.exists()  # the witness records only what the host accepted
    assert set(_cosigners(store).values()) == {()}


def test_a_witness_starting_late_follows_the_handover_the_log_records(
    store: Store, tmp_path: Path
) -> None:
    c = every_event_script(store)  # checkpoints by A, the last at the handover to B
    with store.read() as conn:
        handover = log.log_size(conn=conn)
    state, trusting_b = tmp_path / "witness.json", tmp_path / "trusts-b.json"
    with serving(**{"host-a": store}) as net:
        done = witness.cosign(
            url=HOST_A_URL, signer=WITNESS, state_path=state, http=net, host_key=GENESIS
        )
        assert (done.size, done.handovers) == (handover, [HOST_B.signer.verifier_key()])
        assert any(f"/entries?after={handover - 1}&limit=1" in u for u in net.requests)
        assert any(f"/proof/inclusion?seq={handover}&size={handover}" in u for u in net.requests)
        assert witness.load_state(state)[ORIGIN].host_key == HOST_B.signer.verifier_key()
        again = witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=state, http=net)
        assert (again.size, again.handovers, again.already) == (handover, [], True)

        later = hold_meeting(store, c.chair, HOST_B, day=400)  # the new host signs from here on
        done = witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=state, http=net)
        assert (done.size, done.previous, done.handovers) == (later, handover, [])
        # A witness that trusts the new host's key from the start needs no handover.
        done = witness.cosign(
            url=HOST_A_URL, signer=WITNESS, state_path=trusting_b, http=net,
            host_key=HOST_B.signer.verifier_key(),
        )  # fmt: skip
        assert (done.size, done.handovers, done.already) == (later, [], True)
    assert _cosigners(store)[handover] == ("DEU",)
    assert _cosigners(store)[later] == ("DEU",)
