"""verify_log over synthetic logs: every single-byte change, gap, swap, insertion and key fault."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import replace

import pytest

from ramstein.ledger.entries import EntryHeader, payload_digest
from ramstein.ledger.merkle import EMPTY_ROOT, MemoryTree
from ramstein.ledger.notes import Checkpoint, Signer, add_signatures, split_note
from ramstein.ledger.verify import LogError, LogReport, SignedCheckpoint, StoredEntry, verify_log
from tests.ledger.builder import ORIGIN, Log, build_log, make_entry

N = 40
EVERY = 8
HANDOVER = 20
SIZES = [8, 16, 20, 24, 32, 40]


@pytest.fixture(scope="module")
def log() -> Log:
    """40 entries, checkpoints every 8 and at the handover (entry 20), two witnesses."""
    built = build_log(N, seed=11, checkpoint_every=EVERY, handovers=[HANDOVER], witnesses=2)
    assert [c.size for c in built.checkpoints] == SIZES
    return built


def run(
    log: Log,
    entries: Sequence[StoredEntry] | None = None,
    checkpoints: Sequence[SignedCheckpoint] | None = None,
    quorum: int = 0,
) -> LogReport:
    return verify_log(
        log.entries if entries is None else entries,
        log.checkpoints if checkpoints is None else checkpoints,
        origin=ORIGIN,
        genesis_key=log.genesis_key,
        witnesses=log.witness_keys,
        quorum=quorum,
    )


def fails(
    log: Log,
    entries: Sequence[StoredEntry] | None = None,
    checkpoints: Sequence[SignedCheckpoint] | None = None,
) -> LogError:
    with pytest.raises(LogError) as caught:
        run(log, entries, checkpoints)
    assert str(caught.value), "a LogError says what is wrong"
    return caught.value


def with_entry(log: Log, entry: StoredEntry) -> list[StoredEntry]:
    entries = list(log.entries)
    entries[entry.seq - 1] = entry
    return entries


def with_checkpoint(log: Log, size: int, note: str) -> list[SignedCheckpoint]:
    return [SignedCheckpoint(c.size, note) if c.size == size else c for c in log.checkpoints]


def flip_byte(data: bytes, i: int) -> bytes:
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def signed(log: Log, size: int, signer: Signer, *, origin: str = ORIGIN) -> str:
    return signer.sign_note(Checkpoint(origin, size, log.roots[size]).body())


# --- a good log ------------------------------------------------------------------------------


def test_a_valid_log_verifies(log: Log) -> None:
    report = run(log, quorum=2)
    assert report.size == N
    assert report.root == MemoryTree.from_leaves(e.leaf for e in log.entries).root()
    assert report.checkpoints == len(SIZES) and report.signed_size == N
    assert report.cosignatures == 2 * len(SIZES) and report.under_quorum == []
    assert report.redacted == 0
    assert report.keys == [k.verifier_key() for k in log.keys]  # genesis, then the handover


def test_the_empty_log_and_a_streamed_log() -> None:
    empty = verify_log([], [], origin=ORIGIN)
    assert (empty.size, empty.root, empty.checkpoints, empty.keys) == (0, EMPTY_ROOT, 0, [])
    small = build_log(5, seed=3, checkpoint_every=2)
    report = verify_log(iter(small.entries), small.checkpoints, origin=ORIGIN)
    assert report.size == 5 and report.checkpoints == 3


# --- single-byte changes ---------------------------------------------------------------------


def covering(k: int) -> tuple[int, int]:
    """The previous checkpoint's size and the first checkpoint that covers entry k."""
    return max([0, *(s for s in SIZES if s < k)]), min(s for s in SIZES if s >= k)


@pytest.mark.parametrize("k", [1, 2, 8, 9, 20, 21, 40])
def test_any_changed_leaf_byte_is_found(log: Log, k: int) -> None:
    entry = log.entries[k - 1]
    leaf = entry.leaf
    digest_at = leaf.index(b'"payload_digest":"')
    digest_span = range(digest_at, digest_at + len(b'"payload_digest":""') + 64)
    seq_span = range(len(leaf) - len(b',"seq":%d}' % k), len(leaf))
    previous, checkpoint = covering(k)
    for i in range(len(leaf)):
        err = fails(log, with_entry(log, replace(entry, leaf=flip_byte(leaf, i))))
        if i in digest_span or i in seq_span:
            assert err.seq == k, (i, str(err))  # the entry's own checks name it exactly
        else:
            # Only the checkpoint's root can reveal it: the first entry it alone covers.
            assert (err.seq, err.checkpoint) == (previous + 1, checkpoint), (i, str(err))


@pytest.mark.parametrize("k", [1, 9, 20, 40])
def test_any_changed_payload_or_salt_byte_is_found(log: Log, k: int) -> None:
    entry = log.entries[k - 1]
    assert entry.payload is not None and entry.salt is not None
    for i in range(len(entry.payload)):
        err = fails(log, with_entry(log, replace(entry, payload=flip_byte(entry.payload, i))))
        assert err.seq == k and "payload does not match its digest" in str(err)
    for i in range(len(entry.salt)):
        err = fails(log, with_entry(log, replace(entry, salt=flip_byte(entry.salt, i))))
        assert err.seq == k


@pytest.mark.parametrize("size", [8, 16, 20, 24])
def test_any_changed_checkpoint_character_is_found(log: Log, size: int) -> None:
    """Every change is refused, except to a witness's line, which may turn it into an unknown
    signature: that cosignature then no longer counts (and the quorum shows it)."""
    note = next(c.note for c in log.checkpoints if c.size == size)
    text, lines = split_note(note)
    witness_start = len(text) + 1 + len(lines[0]) + 1  # after the host's signature line
    for i in range(len(note)):
        changed = note[:i] + chr(ord(note[i]) ^ 1) + note[i + 1 :]
        try:
            report = run(log, checkpoints=with_checkpoint(log, size, changed), quorum=2)
        except LogError as err:
            assert err.seq is None and err.checkpoint == size, (i, str(err))
        else:
            assert witness_start <= i < len(note) - 1, i
            assert report.cosignatures == 2 * len(SIZES) - 1
            assert report.under_quorum == [size]


# --- missing, reordered and inserted entries --------------------------------------------------


def test_a_deleted_entry(log: Log) -> None:
    err = fails(log, log.entries[:12] + log.entries[13:])
    assert err.seq == 13 and str(err) == "entry 13 is missing: 12 is followed by 14"
    assert fails(log, log.entries[1:]).seq == 1
    err = fails(log, log.entries[:-1])
    assert err.seq == N and err.checkpoint == N and "beyond the end of the log" in str(err)


def test_a_swapped_pair(log: Log) -> None:
    entries = list(log.entries)
    entries[12], entries[13] = entries[13], entries[12]
    err = fails(log, entries)
    assert err.seq == 13 and "entry 13 is missing: 12 is followed by 14" in str(err)


def test_an_inserted_entry(log: Log) -> None:
    rng = random.Random(5)
    forged = make_entry(13, b'{"forged":true}', rng.randbytes(16), rng)
    err = fails(log, [*log.entries[:12], forged, *log.entries[12:]])
    assert err.seq == 13 and str(err) == "entry 13 appears twice"
    err = fails(log, [*log.entries[:13], log.entries[12], *log.entries[13:]])
    assert err.seq == 13
    err = fails(log, [*log.entries[:20], log.entries[4], *log.entries[20:]])
    assert err.seq == 21 and "20 is followed by 5" in str(err)


def test_entries_after_the_last_checkpoint_are_reported_unsigned(log: Log) -> None:
    rng = random.Random(6)
    extra = make_entry(N + 1, b"{}", rng.randbytes(16), rng)
    report = run(log, [*log.entries, extra])
    assert report.size == N + 1 and report.signed_size == N


def test_a_payload_digest_hidden_in_another_field_does_not_count() -> None:
    """The digest must be the payload_digest member, not text inside some other string."""
    small = build_log(3, seed=4, checkpoint_every=3)
    rng = random.Random(9)
    salt, payload = rng.randbytes(16), b'{"quantity":3}'
    real = payload_digest(salt, payload)
    header = EntryHeader(
        seq=2,
        at="2024-01-01T00:00:00.000000Z",
        actor="DEU",
        actor_user=f'"payload_digest":"{real}"',
        event_type="NeedSubmitted",
        schema_version=1,
        releasability="coalition",
        owner="DEU",
        releasable_to=(),
        payload_digest="0" * 64,
    )
    assert real.encode() in header.leaf()
    entries = [small.entries[0], StoredEntry(2, header.leaf(), salt, payload), small.entries[2]]
    with pytest.raises(LogError) as caught:
        verify_log(entries, [], origin=ORIGIN)
    assert caught.value.seq == 2 and "does not match its digest" in str(caught.value)


# --- redaction ---------------------------------------------------------------------------------


def test_a_redacted_payload_verifies_and_is_counted(log: Log) -> None:
    entries = with_entry(log, replace(log.entries[12], payload=None, salt=None))
    entries[30] = replace(entries[30], payload=None)  # a kept salt does no harm
    report = run(log, entries)
    assert report.redacted == 2 and report.root == run(log).root


def test_a_payload_without_its_salt_or_a_redacted_host_key_fails(log: Log) -> None:
    err = fails(log, with_entry(log, replace(log.entries[12], salt=None)))
    assert err.seq == 13 and "no salt" in str(err)
    err = fails(log, with_entry(log, replace(log.entries[HANDOVER - 1], payload=None, salt=None)))
    assert err.seq == HANDOVER and "redacted" in str(err)


# --- the host key chain ------------------------------------------------------------------------


def test_the_old_key_signing_after_the_handover_is_a_fork(log: Log) -> None:
    old = log.keys[0]
    err = fails(log, checkpoints=with_checkpoint(log, 24, signed(log, 24, old)))
    assert err.seq is None and err.checkpoint == 24
    assert "fork" in str(err) and "checkpoint of size 24" in str(err)


def test_a_missing_handover_checkpoint_fails(log: Log) -> None:
    checkpoints = [c for c in log.checkpoints if c.size != HANDOVER]
    err = fails(log, checkpoints=checkpoints)
    assert err.seq == HANDOVER and f"no checkpoint of size {HANDOVER}" in str(err)


def test_the_handover_checkpoint_must_be_signed_by_the_outgoing_key(log: Log) -> None:
    new = log.keys[1]
    err = fails(log, checkpoints=with_checkpoint(log, HANDOVER, signed(log, HANDOVER, new)))
    assert err.checkpoint == HANDOVER and "not signed by the host key in force" in str(err)


def test_the_genesis_key_must_be_the_expected_one(log: Log) -> None:
    stranger = Signer.generate("host-0.ramstein.test")
    with pytest.raises(LogError) as caught:
        verify_log(log.entries, log.checkpoints, origin=ORIGIN, genesis_key=stranger.verifier_key())
    assert caught.value.seq == 1 and "genesis key" in str(caught.value)
    # Without a genesis key, the log's own first key is trusted.
    assert verify_log(log.entries, log.checkpoints, origin=ORIGIN).keys == run(log).keys


def test_a_host_key_entry_with_an_unreadable_key_fails() -> None:
    small = build_log(4, seed=8, checkpoint_every=2)
    rng = random.Random(1)
    salt = rng.randbytes(16)
    payload = json.dumps({"key": "not a key"}).encode()
    bad = make_entry(1, payload, salt, rng, "HostKeyIntroduced")
    with pytest.raises(LogError) as caught:
        verify_log([bad, *small.entries[1:]], small.checkpoints, origin=ORIGIN)
    assert caught.value.seq == 1 and "cannot be read" in str(caught.value)


# --- checkpoints -------------------------------------------------------------------------------


def test_a_checkpoint_for_another_origin_or_size_fails(log: Log) -> None:
    host = log.keys[0]
    err = fails(log, checkpoints=with_checkpoint(log, 16, signed(log, 16, host, origin="x/y")))
    assert err.checkpoint == 16 and "not 'ramstein.test/log'" in str(err)
    note = host.sign_note(Checkpoint(ORIGIN, 15, log.roots[16]).body())
    err = fails(log, checkpoints=with_checkpoint(log, 16, note))
    assert err.checkpoint == 16 and "says the log has 15" in str(err)


def test_checkpoint_sizes_must_increase(log: Log) -> None:
    checkpoints = list(log.checkpoints)
    checkpoints[1], checkpoints[2] = checkpoints[2], checkpoints[1]
    err = fails(log, checkpoints=checkpoints)
    assert err.seq is None and "sizes must increase" in str(err)
    err = fails(log, checkpoints=[log.checkpoints[0], *log.checkpoints])
    assert "sizes must increase" in str(err)


def test_a_checkpoint_before_any_host_key_fails(log: Log) -> None:
    note = log.keys[0].sign_note(Checkpoint(ORIGIN, 0, EMPTY_ROOT).body())
    err = fails(log, checkpoints=[SignedCheckpoint(0, note), *log.checkpoints])
    assert err.checkpoint == 0 and "introduces a host key" in str(err)


def test_cosignatures_are_counted_against_the_quorum(log: Log) -> None:
    note = next(c.note for c in log.checkpoints if c.size == 16)
    text, lines = split_note(note)
    one_witness = text + "\n" + "".join(line + "\n" for line in lines[:2])
    report = run(log, checkpoints=with_checkpoint(log, 16, one_witness), quorum=2)
    assert report.under_quorum == [16] and report.cosignatures == 2 * len(SIZES) - 1
    assert run(log, checkpoints=with_checkpoint(log, 16, one_witness), quorum=1).under_quorum == []
    # A third witness's cosignature, unknown to the verifier, is ignored.
    outsider = Signer.generate("outsider.test").cosign(Checkpoint(ORIGIN, 16, log.roots[16]), 1)
    assert run(log, checkpoints=with_checkpoint(log, 16, add_signatures(note, [outsider]))) == run(
        log
    )


def test_a_known_witness_with_a_bad_cosignature_fails(log: Log) -> None:
    note = next(c.note for c in log.checkpoints if c.size == 16)
    witness = log.witnesses[0]
    text, lines = split_note(note)
    stale = witness.cosign(Checkpoint(ORIGIN, 8, log.roots[8]), 1_700_000_016)
    forged = text + "\n" + lines[0] + "\n" + stale + "\n"  # a cosignature of another checkpoint
    err = fails(log, checkpoints=with_checkpoint(log, 16, forged))
    assert err.checkpoint == 16 and "does not verify" in str(err)


def test_bad_witness_configuration_is_refused(log: Log) -> None:
    with pytest.raises(ValueError, match="not a cosignature/v1 key"):
        verify_log(
            log.entries, log.checkpoints, origin=ORIGIN, witnesses=[log.witnesses[0].verifier_key()]
        )
    with pytest.raises(ValueError, match="quorum of 3"):
        verify_log(
            log.entries, log.checkpoints, origin=ORIGIN, witnesses=log.witness_keys, quorum=3
        )
