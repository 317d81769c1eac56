"""Mirrors pull only what is new, verify it against what they hold, and refuse forks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from ramstein.domain.errors import InvalidValue
from ramstein.domain.releasability import Principal, Role
from ramstein.services import bundles, mirror, remote, users
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests.conftest import free_port
from tests.factories import (
    CLOCK,
    HOST_A,
    HOST_B,
    Principals,
    every_event_script,
    setup_coalition,
    user_principal,
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
CHAIR_VIEW = Principal(participant=None, roles=frozenset({Role.CHAIR}), user="exporter")


def _host(store: Store) -> tuple[Principals, int]:
    c = setup_coalition(store)
    pledge_round(store, c)
    return c, hold_meeting(store, c.chair, HOST_A)


def test_a_first_pull_takes_everything_and_later_pulls_only_what_is_new(
    store: Store, tmp_path: Path
) -> None:
    c, first = _host(store)
    into = tmp_path / "mirror"
    with serving(**{"host-a": store}) as net:
        pulled = mirror.pull(url=HOST_A_URL, into=into, http=net, host_key=GENESIS)
        assert (pulled.before, pulled.size, pulled.fetched, pulled.new_checkpoints) == (
            0,
            first,
            first,
            1,
        )
        assert pulled.report is not None and pulled.report.redacted == 2  # no token: public view
        assert net.entries_carried == first

        pledge_round(store, c)  # entries beyond the latest checkpoint are not pulled
        net.requests.clear()
        again = mirror.pull(url=HOST_A_URL, into=into, http=net)
        assert (again.size, again.fetched, net.entry_requests()) == (first, 0, [])

        second = hold_meeting(store, c.chair, HOST_A, day=3)
        net.requests.clear()
        pulled = mirror.pull(url=HOST_A_URL, into=into, http=net)
        assert (pulled.before, pulled.size, pulled.fetched) == (first, second, second - first)
        assert net.entries_carried == second  # first, then only second - first
        assert f"/proof/consistency?from={first}&to={second}" in " ".join(net.requests)
        assert net.entry_requests() == [
            f"{HOST_A_URL}/api/v1/log/entries?after={first}&limit={second - first}"
        ]

    state = mirror.mirror_state(into=into)
    assert (state.size, state.checkpoints, state.genesis_key) == (second, 2, GENESIS)
    assert state.root == pulled.root.hex()
    with (into / mirror.BUNDLE_FILE).open() as f:
        report = bundles.verify_bundle(bundles.read_bundle(f), pinned_key=GENESIS)
    assert (report.size, report.root) == (second, pulled.root)
    assert mirror.verify_mirror(into=into).size == second


def test_a_mirror_with_a_token_holds_the_payloads_its_viewer_may_see(
    store: Store, tmp_path: Path
) -> None:
    _host(store)
    user_principal(store, user="chair", participant="USA", roles=[Role.CHAIR])
    with store.write(clock=CLOCK) as uow:
        _, token = users.issue_token(conn=uow.conn, user="chair")
    with serving(**{"host-a": store}) as net:
        net.token = token
        pulled = mirror.pull(url=HOST_A_URL, into=tmp_path / "m", http=net)
    assert pulled.report is not None and pulled.report.redacted == 0


def _clone(source: Store, target: Store) -> None:
    out = io.StringIO()
    bundles.export_bundle(store=source, viewer=CHAIR_VIEW, out=out)
    bundles.import_bundle(
        store=target, bundle=bundles.read_bundle(io.StringIO(out.getvalue())), pinned_key=GENESIS
    )


def test_a_rewritten_history_is_refused_with_where_it_parts(store: Store, tmp_path: Path) -> None:
    """The host rewrites everything after its first checkpoint and signs the new history."""
    c, first = _host(store)
    rewritten = Store(f"sqlite:///{tmp_path / 'rewritten.sqlite'}")
    _clone(store, rewritten)  # the same first `first` entries, the same key
    into = tmp_path / "mirror"
    with serving(**{"host-a": store, "host-b": rewritten}) as net:
        mirror.pull(url=HOST_A_URL, into=into, http=net, host_key=GENESIS)
        pledge_round(store, c)
        second = hold_meeting(store, c.chair, HOST_A, day=3)
        assert mirror.pull(url=HOST_A_URL, into=into, http=net).size == second

        pledge_round(rewritten, c, secret_for="POL")
        shorter = hold_meeting(rewritten, c.chair, HOST_A, day=4)
        assert shorter == second
        with pytest.raises(mirror.ForkDetected) as caught:
            mirror.pull(url=HOST_B_URL, into=into, http=net)
        fork = caught.value
        assert (fork.seq, fork.mirror_size, fork.remote_size) == (first + 1, second, second)
        assert fork.remote_root != fork.mirror_root
        assert f"its checkpoint of size {second} (root {fork.remote_root.hex()[:16]}" in str(fork)
        assert f"at that size (root {fork.mirror_root.hex()[:16]}" in str(fork)
        assert f"The histories part at entry {first + 1}" in str(fork)
        assert "the host key in force" in str(fork)  # the same key signed both histories

        pledge_round(rewritten, c)
        longer = hold_meeting(rewritten, c.chair, HOST_A, day=5)
        with pytest.raises(mirror.ForkDetected) as caught:
            mirror.pull(url=HOST_B_URL, into=into, http=net)
        fork = caught.value
        assert (fork.seq, fork.mirror_size, fork.remote_size) == (first + 1, second, longer)
        assert f"does not extend the checkpoint of size {second}" in str(fork)
    rewritten.dispose()
    assert mirror.mirror_state(into=into).size == second
    assert mirror.verify_mirror(into=into).size == second


def test_a_changed_payload_is_refused_on_the_first_pull(store: Store, tmp_path: Path) -> None:
    _host(store)
    e = t.log_entries
    with store.engine.begin() as conn:
        payload = conn.execute(sa.select(e.c.payload).where(e.c.seq == 3)).scalar_one()
        conn.execute(e.update().where(e.c.seq == 3).values(payload=payload.replace("a", "b", 1)))
    with serving(**{"host-a": store}) as net, pytest.raises(mirror.MirrorRefused) as caught:
        mirror.pull(url=HOST_A_URL, into=tmp_path / "m", http=net)
    assert "entry 3: its payload does not match its digest" in str(caught.value)
    assert not (tmp_path / "m" / mirror.STATE_FILE).exists()


def test_after_a_handover_the_old_host_signing_on_is_refused_as_a_fork(
    store: Store, tmp_path: Path
) -> None:
    c = every_event_script(store)  # ends with the log handed from HOST_A to HOST_B
    into = tmp_path / "mirror"
    with serving(**{"host-a": store}) as net:
        pulled = mirror.pull(url=HOST_A_URL, into=into, http=net, host_key=GENESIS)
        assert pulled.report is not None
        assert pulled.report.keys == [GENESIS, HOST_B.signer.verifier_key()]
        handover = pulled.size
        forked = rogue_checkpoint(store, HOST_A.signer, c.donor("DEU"))
        with pytest.raises(mirror.MirrorRefused) as caught:
            mirror.pull(url=HOST_A_URL, into=into, http=net)
    assert str(caught.value) == (
        f"The log at {HOST_A_URL}/api/v1/log does not verify, so nothing was pulled: "
        f"checkpoint of size {forked} is signed by {HOST_A.signer.name}+"
        f"{HOST_A.signer.key_id.hex()}, which handed the host key over at entry {handover}: "
        "it is a fork."
    )
    assert mirror.mirror_state(into=into).size == handover


def test_a_mirror_keeps_to_its_log_and_its_genesis_key(store: Store, tmp_path: Path) -> None:
    _host(store)
    with serving(**{"host-a": store}) as net:
        with pytest.raises(mirror.MirrorRefused, match="introduces the genesis key"):
            mirror.pull(
                url=HOST_A_URL, into=tmp_path / "m", http=net, host_key=HOST_B.signer.verifier_key()
            )
        mirror.pull(url=HOST_A_URL, into=tmp_path / "m", http=net)  # trusts the key on first use
        with pytest.raises(mirror.MirrorRefused, match="pinned the genesis key"):
            mirror.pull(
                url=HOST_A_URL, into=tmp_path / "m", http=net, host_key=HOST_B.signer.verifier_key()
            )
    assert mirror.mirror_state(into=tmp_path / "m").genesis_key == GENESIS


def test_a_host_without_a_checkpoint_or_out_of_reach_is_one_sentence(
    store: Store, tmp_path: Path
) -> None:
    with serving(**{"host-a": store}) as net, pytest.raises(remote.RemoteRefused) as caught:
        mirror.pull(url=HOST_A_URL, into=tmp_path / "m", http=net)
    assert str(caught.value) == (
        f"The log at {HOST_A_URL}/api/v1/log refused its latest checkpoint: "
        "There is no signed checkpoint yet."
    )
    port = free_port()
    with pytest.raises(remote.RemoteRefused) as caught:
        mirror.pull(
            url=f"http://127.0.0.1:{port}", into=tmp_path / "m", http=remote.UrlHttp(timeout=5)
        )
    assert str(caught.value).startswith(
        f"http://127.0.0.1:{port}/api/v1/log/checkpoint cannot be reached: "
    )
    with pytest.raises(InvalidValue, match="not an http"):
        mirror.pull(url="file:///etc/passwd", into=tmp_path / "m", http=remote.UrlHttp())
