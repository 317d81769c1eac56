"""End to end: host A runs meetings and hands over; host B continues; a mirror and a witness
follow both; a third party verifies everything from B's public bundle with only the genesis
key; and when A goes on signing after the handover, the mirror and the witness refuse it.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Role
from ramstein.ledger.notes import Verifier, open_note
from ramstein.services import bundles, chair, log, maintenance, mirror, witness
from ramstein.store.engine import Store
from tests.factories import (
    ALLIANCE,
    CLOCK,
    HOST_A,
    HOST_B,
    WITNESS,
    setup_coalition,
)
from tests.system.support import (
    HOST_A_URL,
    HOST_B_URL,
    hold_meeting,
    pledge_round,
    rogue_checkpoint,
    serving,
)

GENESIS = HOST_A.signer.verifier_key()
NEW_CHAIR = Principal(participant=ALLIANCE, roles=frozenset({Role.CHAIR, Role.DONOR}), user="b")


def _bundle(store: Store, viewer: Principal) -> bundles.Bundle:
    out = io.StringIO()
    bundles.export_bundle(store=store, viewer=viewer, out=out)
    return bundles.read_bundle(io.StringIO(out.getvalue()))


def test_a_log_handed_over_is_followed_verified_and_defended(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    host_a, host_b = store, other_store
    mirror_dir, late_mirror_dir = tmp_path / "mirror", tmp_path / "late-mirror"
    witness_state = tmp_path / "witness.json"

    # Host A: the coalition, a witness with a quorum of one, a meeting that signs a checkpoint.
    c = setup_coalition(host_a)
    with host_a.write(clock=CLOCK) as uow:
        log.set_witness(uow=uow, actor=c.chair, participant="DEU", key=WITNESS.cosigner_key())
        log.set_quorum(uow=uow, actor=c.chair, quorum=1)
    pledge_round(host_a, c)
    first = hold_meeting(host_a, c.chair, HOST_A)

    with serving(**{"host-a": host_a}) as net:
        done = witness.cosign(
            url=HOST_A_URL, signer=WITNESS, state_path=witness_state, http=net, host_key=GENESIS
        )
        assert (done.size, done.previous, done.already) == (first, 0, False)
        pulled = mirror.pull(url=HOST_A_URL, into=mirror_dir, http=net, host_key=GENESIS)
        assert (pulled.before, pulled.size, pulled.fetched) == (0, first, first)
        assert pulled.report is not None and pulled.report.under_quorum == []

        # A holds another meeting, then hands the chair and the log to the alliance (host B).
        pledge_round(host_a, c)
        second = hold_meeting(host_a, c.chair, HOST_A, day=7)
        with host_a.write(clock=CLOCK) as uow:
            chair.hand_over_chair(
                uow=uow,
                actor=c.chair,
                incoming=ALLIANCE,
                on=date(2025, 6, 1),
                note="the alliance takes over",
                new_host_key=HOST_B.signer.verifier_key(),
                host=HOST_A,
            )
            handover = uow.size
        assert handover == second + 2  # the chair's handover entry, then the new host key

        # The witness follows the handover and cosigns its checkpoint (signed by A, outgoing).
        done = witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=witness_state, http=net)
        assert (done.size, done.previous) == (handover, first)
        assert done.handovers == [HOST_B.signer.verifier_key()]
        pulled = mirror.pull(url=HOST_A_URL, into=mirror_dir, http=net)
        assert (pulled.before, pulled.size, pulled.fetched) == (first, handover, handover - first)
        # A second mirror stops here, at the handover, to meet A's fork later from this side.
        mirror.pull(url=HOST_A_URL, into=late_mirror_dir, http=net, host_key=GENESIS)

    # A exports everything for the new chair; B loads it, verified, into its own database.
    full = _bundle(host_a, NEW_CHAIR)
    assert full.redacted == 0
    loaded = bundles.import_bundle(store=host_b, bundle=full, pinned_key=GENESIS)
    assert loaded.size == handover
    with host_a.read() as a, host_b.read() as b:
        assert maintenance.digest(conn=b) == maintenance.digest(conn=a)
        assert [k.key for k in log.host_keys(conn=b)] == [GENESIS, HOST_B.signer.verifier_key()]

    # B continues: more pledges, a meeting chaired by the alliance, signed with B's key.
    pledge_round(host_b, c)  # B holds the same participants; its donors act as they did on A
    third = hold_meeting(host_b, NEW_CHAIR, HOST_B, day=14)
    with host_b.read() as conn:
        latest = log.latest_checkpoint(conn=conn)
    assert latest is not None and latest.size == third
    open_note(latest.note, [Verifier.parse(HOST_B.signer.verifier_key())])

    with serving(**{"host-a": host_a, "host-b": host_b}) as net:
        done = witness.cosign(url=HOST_B_URL, signer=WITNESS, state_path=witness_state, http=net)
        assert (done.size, done.previous, done.handovers) == (third, handover, [])
        net.requests.clear()
        pulled = mirror.pull(url=HOST_B_URL, into=mirror_dir, http=net)
        assert (pulled.before, pulled.size, pulled.fetched) == (handover, third, third - handover)
        assert net.entries_carried == third - handover  # only what was new crossed the wire
        assert pulled.report is not None
        assert pulled.report.keys == [GENESIS, HOST_B.signer.verifier_key()]
        # The witness cosigned every checkpoint it saw as the latest; A's second it skipped.
        assert pulled.report.under_quorum == [second]
        assert pulled.root == latest.root
        assert mirror.verify_mirror(into=mirror_dir).size == third

        # A third party: B's public bundle, the genesis key, nothing else.
        public = _bundle(host_b, PUBLIC_VIEWER)
        report = bundles.verify_bundle(public, pinned_key=GENESIS)
        assert (report.size, report.root, report.checkpoints) == (third, latest.root, 4)
        assert report.keys == [GENESIS, HOST_B.signer.verifier_key()]
        assert report.redacted == 6  # three pledge rounds, a coalition and a restricted pledge each
        assert (report.cosignatures, report.under_quorum) == (3, [second])

        # A goes on after the handover and signs with its old key: a fork.
        forked = rogue_checkpoint(host_a, HOST_A.signer, c.donor("DEU"))
        assert forked == handover + 1 < third
        with pytest.raises(mirror.ForkDetected) as caught:
            mirror.pull(url=HOST_A_URL, into=mirror_dir, http=net)
        fork = caught.value
        assert (fork.seq, fork.mirror_size, fork.remote_size) == (handover + 1, third, forked)
        assert f"The histories part at entry {handover + 1}" in fork.message
        assert f"handed the log over at entry {handover}" in fork.message
        assert mirror.mirror_state(into=mirror_dir).size == third  # nothing was written

        # The mirror that stopped at the handover meets the fork from the other side.
        with pytest.raises(mirror.MirrorRefused, match="it is a fork") as refused:
            mirror.pull(url=HOST_A_URL, into=late_mirror_dir, http=net)
        assert f"which handed the host key over at entry {handover}" in refused.value.message
        assert mirror.mirror_state(into=late_mirror_dir).size == handover

        # The witness, which follows B's key now, will not cosign A's fork either.
        with pytest.raises(witness.WitnessRefused, match="not signed by the host key"):
            witness.cosign(url=HOST_A_URL, signer=WITNESS, state_path=witness_state, http=net)
        assert witness.load_state(witness_state)["ramstein.test/coalition"].size == third
