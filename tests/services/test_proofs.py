"""Offline proofs: one record, its inclusion path and a cosigned checkpoint, checked with a key.

The log: the every-event script (checkpoints 52 and 56 signed by HOST_A, 56 at the handover
and cosigned by the DEU witness), a POL pledge, checkpoint 57 signed by HOST_B and cosigned,
and one more POL pledge that no checkpoint covers yet (58 entries).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Connection

from ramstein.domain.errors import InvalidValue, NotFound
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Role
from ramstein.ledger.notes import Checkpoint, Signer
from ramstein.services import log, proofs
from ramstein.services.proofs import ProofRefused
from ramstein.store.engine import Store
from tests import factories as f

A_KEY = f.HOST_A.signer.verifier_key()
B_KEY = f.HOST_B.signer.verifier_key()
WITNESS_KEY = f.WITNESS.cosigner_key()
NATO_CHAIR = f.principal(f.ALLIANCE, Role.CHAIR, Role.DONOR)
DEU = f.principal("DEU", Role.DONOR)
PLEDGE_1 = 35
"""The entry that announced pledge 1 (DEU's shells, at first released to the coalition)."""
PLEDGE_2 = 36
"""The entry that announced pledge 2 (GBR's, released to UKR and DEU only)."""
LATEST = 57


def cosign(conn: Connection, size: int) -> tuple[int, str]:
    cp = log.checkpoint_at(conn=conn, size=size)
    return size, f.WITNESS.cosign(Checkpoint(cp.origin, cp.size, cp.root), 1_740_819_600)


@pytest.fixture
def logged(store: Store) -> Store:
    c = f.every_event_script(store)
    f.announce(store, c.donor("POL"))
    with store.write(clock=f.CLOCK) as uow:
        log.sign_checkpoint(uow=uow, actor=NATO_CHAIR, host=f.HOST_B)
        for size in (56, LATEST):
            log.add_cosignature(uow=uow, size=size, line=cosign(uow.conn, size)[1])
    f.announce(store, c.donor("POL"), quantity=150)
    return store


def prove(
    store: Store,
    record: str,
    *,
    viewer: Principal = NATO_CHAIR,
    size: int | None = None,
    reveal: bool = True,
) -> str:
    with store.read() as conn:
        return proofs.prove(conn=conn, viewer=viewer, record=record, size=size, reveal=reveal)


def test_a_proof_of_a_pledge_checks_with_nothing_but_the_host_key(logged: Store) -> None:
    text = prove(logged, "pledge:1", viewer=DEU)
    head, note = text.split("\n\n", 1)
    lines = head.split("\n")
    assert (lines[0], lines[2]) == ("c2sp.org/tlog-proof@v1", f"index {PLEDGE_1 - 1}")
    assert len(lines) - 3 == 6  # the inclusion path in a tree of 57 leaves
    with logged.read() as conn:
        assert note == log.checkpoint_at(conn=conn, size=LATEST).note  # cosigned

    checked = proofs.check_proof(text, host_key=B_KEY)
    assert (checked.seq, checked.checkpoint_size, checked.origin) == (PLEDGE_1, LATEST, f.ORIGIN)
    assert checked.header["event_type"] == "PledgeAnnounced"
    assert (checked.header["owner"], checked.header["releasability"]) == ("DEU", "coalition")
    assert checked.payload is not None
    assert (checked.payload["pledge_id"], checked.payload["donor"]) == (1, "DEU")
    assert checked.payload["quantity"] == 100
    assert checked.cosigners == ()  # the cosignature is there, but its key was not given
    with_witness = proofs.check_proof(text, host_key=B_KEY, witnesses=[WITNESS_KEY])
    assert with_witness.cosigners == ("witness.deu.example",)


def test_a_proof_by_sequence_number_against_an_earlier_checkpoint(logged: Store) -> None:
    before_handover = prove(logged, "40", size=52)
    checked = proofs.check_proof(before_handover, host_key=A_KEY, witnesses=[WITNESS_KEY])
    assert (checked.seq, checked.checkpoint_size, checked.cosigners) == (40, 52, ())
    assert checked.header["event_type"] == "PledgeStatusChanged"
    # The handover checkpoint is the outgoing host's, cosigned by the witness.
    at_handover = proofs.check_proof(
        prove(logged, "40", size=56), host_key=A_KEY, witnesses=[WITNESS_KEY]
    )
    assert (at_handover.checkpoint_size, at_handover.cosigners) == (56, ("witness.deu.example",))
    with pytest.raises(ProofRefused, match="not signed by the host key"):
        proofs.check_proof(before_handover, host_key=B_KEY)
    latest = proofs.check_proof(prove(logged, "40"), host_key=B_KEY)
    assert (latest.seq, latest.checkpoint_size) == (40, LATEST)
    assert latest.header == checked.header


def test_without_reveal_the_proof_carries_no_payload(logged: Store) -> None:
    text = prove(logged, "pledge:1", viewer=DEU, reveal=False)
    extra = json.loads(base64.b64decode(text.split("\n")[1].removeprefix("extra ")))
    assert set(extra) == {"leaf"}
    checked = proofs.check_proof(text, host_key=B_KEY)
    assert (checked.seq, checked.payload) == (PLEDGE_1, None)
    assert checked.header["payload_digest"]  # the header still commits to the payload


# --- tampered proofs ----------------------------------------------------------------------


def _lines(text: str) -> tuple[list[str], str]:
    head, note = text.split("\n\n", 1)
    return head.split("\n"), note


def _join(lines: list[str], note: str) -> str:
    return "\n".join(lines) + "\n\n" + note


def _edit_extra(text: str, change: Callable[[dict[str, str]], None]) -> str:
    lines, note = _lines(text)
    extra = json.loads(base64.b64decode(lines[1].removeprefix("extra ")))
    change(extra)
    lines[1] = "extra " + base64.b64encode(json.dumps(extra).encode()).decode()
    return _join(lines, note)


def other_index(text: str) -> str:
    lines, note = _lines(text)
    lines[2] = f"index {PLEDGE_1}"
    return _join(lines, note)


def other_path_element(text: str) -> str:
    lines, note = _lines(text)
    lines[4] = base64.b64encode(b"\x07" * 32).decode()
    return _join(lines, note)


def other_payload(text: str) -> str:
    def change(extra: dict[str, str]) -> None:
        extra["payload"] = extra["payload"].replace('"quantity":100', '"quantity":900')

    return _edit_extra(text, change)


def other_leaf(text: str) -> str:
    def change(extra: dict[str, str]) -> None:
        extra["leaf"] = extra["leaf"].replace('"owner":"DEU"', '"owner":"POL"')

    return _edit_extra(text, change)


def other_root(text: str) -> str:
    lines, note = _lines(text)
    origin, size, root, rest = note.split("\n", 3)
    forged = base64.b64encode(b"\x09" * 32).decode()
    return _join(lines, "\n".join([origin, size, forged, rest]))


def without_checkpoint(text: str) -> str:
    return text.split("\n\n", 1)[0] + "\n"


@pytest.mark.parametrize(
    ("forge", "key", "words"),
    [
        pytest.param(lambda t: t, A_KEY, "not signed by the host key", id="another-key"),
        pytest.param(
            lambda t: t,
            Signer.generate(f.ORIGIN).verifier_key(),
            "not signed by the host key",
            id="a-stranger-key-of-the-same-name",
        ),
        pytest.param(other_index, B_KEY, "not in the signed log", id="index"),
        pytest.param(other_path_element, B_KEY, "not in the signed log", id="path-element"),
        pytest.param(other_payload, B_KEY, "payload does not match", id="payload"),
        pytest.param(other_leaf, B_KEY, "not in the signed log", id="leaf"),
        pytest.param(other_root, B_KEY, "not signed by the host key", id="checkpoint-root"),
        pytest.param(without_checkpoint, B_KEY, "not a c2sp.org/tlog-proof@v1", id="no-note"),
        pytest.param(lambda t: "hello\n\n" + t, B_KEY, "not a c2sp", id="not-a-proof"),
    ],
)
def test_a_changed_proof_or_the_wrong_key_is_refused(
    logged: Store, forge: Callable[[str], str], key: str, words: str
) -> None:
    text = prove(logged, "pledge:1")
    proofs.check_proof(text, host_key=B_KEY)  # the genuine proof checks
    with pytest.raises(ProofRefused) as refused:
        proofs.check_proof(forge(text), host_key=key)
    assert words in str(refused.value)


def test_a_witness_key_is_not_a_host_key(logged: Store) -> None:
    with pytest.raises(ProofRefused):
        proofs.check_proof(prove(logged, "pledge:1"), host_key=WITNESS_KEY)


# --- what cannot be proved ----------------------------------------------------------------


@pytest.mark.parametrize(
    "viewer",
    [
        pytest.param(PUBLIC_VIEWER, id="public"),
        pytest.param(f.principal("POL", Role.DONOR), id="another-donor"),
    ],
)
def test_a_viewer_who_may_not_see_the_record_cannot_prove_it(
    logged: Store, viewer: Principal
) -> None:
    for record in ("pledge:2", str(PLEDGE_2)):
        with pytest.raises(NotFound) as hidden:
            prove(logged, record, viewer=viewer)
        assert str(hidden.value) == f"There is no log entry {PLEDGE_2}."
    # Those it is released to can.
    for allowed in (DEU, f.principal("GBR", Role.DONOR), f.principal("UKR", Role.RECIPIENT)):
        checked = proofs.check_proof(prove(logged, "pledge:2", viewer=allowed), host_key=B_KEY)
        assert checked.seq == PLEDGE_2


def test_what_no_checkpoint_covers_cannot_be_proved(logged: Store) -> None:
    with pytest.raises(NotFound, match="There is no checkpoint of size 40"):
        prove(logged, "pledge:1", size=40)
    with pytest.raises(NotFound, match="sign one first"):
        prove(logged, "58")  # after the latest checkpoint
    with pytest.raises(InvalidValue, match="precedes entry 56"):
        prove(logged, "56", size=52)
    with pytest.raises(NotFound, match="There is no log entry for pledge:99"):
        prove(logged, "pledge:99")
    with pytest.raises(NotFound):
        prove(logged, "999")
    with pytest.raises(InvalidValue, match="neither a sequence number nor KIND:ID"):
        prove(logged, "pledge")
