"""Signed notes, checkpoints and cosignatures (C2SP), with known answers from the Go reference."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.ledger.notes import (
    Checkpoint,
    NoteError,
    Signer,
    Verified,
    Verifier,
    add_signatures,
    cosignature_message,
    key_id,
    open_checkpoint,
    open_note,
    split_note,
)

# golang.org/x/mod/sumdb/note, note_test.go: a fixed key pair, a text and its signatures.
# Ed25519 is deterministic, so signing the text with the private key must give these bytes.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngo"
    "tpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox3"
    "3WWd1RvMc+QQ=\n"
)
# transparency-dev/formats note_cosigv1_test.go: a witness's cosignature/v1 (type 0x04) key,
# and an Ed25519 (type 0x01) key; their key IDs are computed with different type bytes.
COSIGNER_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
TEST_VKEY = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"

ORIGIN = "ramstein.test/log"
ROOT = bytes(range(32))


def flip(text: str, i: int) -> str:
    return text[:i] + chr(ord(text[i]) ^ 1) + text[i + 1 :]


# --- known answers ---------------------------------------------------------------------------


def test_signing_reproduces_the_go_reference_note() -> None:
    signer = Signer.from_private_key(PETER_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_id == bytes.fromhex("c74f20a3")
    assert signer.private_key_string() == PETER_SKEY
    assert signer.verifier_key() == PETER_VKEY
    assert signer.sign_note(TEXT) == TEXT + "\n" + PETER_SIG


def test_opening_the_go_reference_notes() -> None:
    peter, enoch = Verifier.parse(PETER_VKEY), Verifier.parse(ENOCH_VKEY)
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    text, verified = open_note(note, [peter])
    assert text == TEXT
    assert verified == [Verified("PeterNeumann", bytes.fromhex("c74f20a3"), "ed25519", None)]
    _, both = open_note(note, [peter, enoch])
    assert [v.name for v in both] == ["PeterNeumann", "EnochRoot"]
    with pytest.raises(NoteError, match="not signed by any of the given keys"):
        open_note(note, [])
    # Repeated signatures by one key count once; unknown ones are ignored.
    _, once = open_note(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG, [peter])
    assert len(once) == 1


def test_key_ids_of_reference_keys() -> None:
    cosigner = Verifier.parse(COSIGNER_VKEY)
    assert cosigner.kind == "cosignature/v1"
    assert cosigner.key_id == key_id(cosigner.name, 0x04, cosigner.public_key)
    assert cosigner.key_id.hex() == "da77ade7"
    plain = Verifier.parse(TEST_VKEY)
    assert plain.kind == "ed25519" and plain.key_id.hex() == "7997405c"
    assert str(cosigner) == COSIGNER_VKEY and plain.key_string() == TEST_VKEY


@pytest.mark.parametrize(
    "note",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2p\n",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG.replace("—", "-"),  # a hyphen, not an em dash
        TEXT + "\n" + PETER_SIG.replace("—", "–"),  # an en dash
        TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:],  # known key, bad signature
        TEXT + "\n" + PETER_SIG * 101,
    ],
    ids=[
        "no-signatures",
        "blank-line-only",
        "no-final-newline",
        "control-character",
        "space-in-name",
        "unexpected-line",
        "hyphen",
        "en-dash",
        "invalid-signature",
        "too-many-signatures",
    ],
)
def test_malformed_or_invalid_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError):
        open_note(note, [Verifier.parse(PETER_VKEY)])


def test_mangled_key_strings_are_refused() -> None:
    """As Go's TestNewVerifier: every proper substring and every one-byte change fails."""
    for good, parse in ((PETER_VKEY, Verifier.parse), (PETER_SKEY, Signer.from_private_key)):
        for i in range(len(good) + 1):
            for j in range(i + 1, len(good) + 1):
                if (i, j) != (0, len(good)):
                    with pytest.raises(NoteError):
                        parse(good[i:j])
        for i in range(len(good)):
            mangled = good[:i] + chr(ord(good[i]) + 1) + good[i + 1 :]
            with pytest.raises(NoteError):
                parse(mangled)
    for bad in (
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ):
        with pytest.raises(NoteError):
            Verifier.parse(bad)


# --- round trips -----------------------------------------------------------------------------


def test_sign_and_open_round_trip_and_failures() -> None:
    signer = Signer.generate("host.ramstein.test")
    other = Signer.generate("host.ramstein.test")
    checkpoint = Checkpoint(ORIGIN, 42, ROOT)
    note = signer.sign_note(checkpoint.body())
    verifier = Verifier.parse(signer.verifier_key())
    body, verified = open_note(note, [verifier])
    assert body == checkpoint.body()
    assert verified == [Verified(signer.name, signer.key_id, "ed25519", None)]
    assert open_checkpoint(note, [verifier], origin=ORIGIN)[0] == checkpoint

    with pytest.raises(NoteError):  # the same name, another key: its signature is unknown
        open_note(note, [other.verifier()])
    with pytest.raises(NoteError, match="not 'elsewhere.test/log'"):
        open_checkpoint(note, [verifier], origin="elsewhere.test/log")
    with pytest.raises(NoteError):
        open_note(note.replace("\n42\n", "\n43\n"), [verifier])
    truncated = note[:-6] + "\n"
    with pytest.raises(NoteError):
        open_note(truncated, [verifier])
    for i in range(len(note)):
        with pytest.raises(NoteError):
            open_note(flip(note, i), [verifier])


def test_cosignature_round_trip() -> None:
    host = Signer.generate(ORIGIN)
    witness = Signer.generate("witness.ramstein.test")
    checkpoint = Checkpoint(ORIGIN, 7, ROOT, ("extension line",))
    line = witness.cosign(checkpoint, 1_727_964_367)
    note = add_signatures(host.sign_note(checkpoint.body()), [line])
    assert note.endswith(line + "\n")
    cosigner = Verifier.parse(witness.cosigner_key())
    assert cosigner.kind == "cosignature/v1" and cosigner.key_id == witness.cosigner_key_id
    assert cosigner.key_id != witness.key_id

    raw = base64.b64decode(line.split(" ")[2])
    assert raw[:4] == witness.cosigner_key_id
    assert int.from_bytes(raw[4:12], "big") == 1_727_964_367
    witness.cosigner()._key.verify(raw[12:], cosignature_message(checkpoint.body(), 1_727_964_367))
    assert cosignature_message("a\nb\nc\n", 5) == b"cosignature/v1\ntime 5\na\nb\nc\n"

    _, verified = open_note(note, [host.verifier(), cosigner])
    assert verified == [
        Verified(host.name, host.key_id, "ed25519", None),
        Verified(witness.name, witness.cosigner_key_id, "cosignature/v1", 1_727_964_367),
    ]
    # A cosignature is not an Ed25519 note signature: the plain key does not know it.
    with pytest.raises(NoteError):
        open_note(note, [witness.verifier()])
    # Changing its timestamp breaks it, and a known key's bad signature rejects the note.
    forged = raw[:4] + (1_727_964_368).to_bytes(8, "big") + raw[12:]
    bad_line = f"— {witness.name} {base64.b64encode(forged).decode()}"
    with pytest.raises(NoteError, match="does not verify"):
        open_note(add_signatures(host.sign_note(checkpoint.body()), [bad_line]), [cosigner])
    with pytest.raises(NoteError, match="timestamp"):
        witness.cosign(checkpoint, -1)


def test_add_signatures_checks_its_lines() -> None:
    host = Signer.generate(ORIGIN)
    note = host.sign_note(Checkpoint(ORIGIN, 1, ROOT).body())
    assert add_signatures(note, []) == note
    with pytest.raises(NoteError):
        add_signatures(note, ["- witness AAAAAAAA"])
    with pytest.raises(NoteError):
        add_signatures(note, ["— witness AAAA\n— other AAAAAAAA"])
    with pytest.raises(NoteError):
        add_signatures("no signatures\n", ["— witness AAAAAAAA"])
    text, lines = split_note(add_signatures(note, ["— witness AAAAAAAA\n"]))
    assert lines[-1] == "— witness AAAAAAAA" and text == Checkpoint(ORIGIN, 1, ROOT).body()


def test_key_strings_round_trip() -> None:
    signer = Signer.generate("host.ramstein.test")
    again = Signer.from_private_key(signer.private_key_string())
    assert again.public_key == signer.public_key and again.key_id == signer.key_id
    for text in (signer.verifier_key(), signer.cosigner_key()):
        verifier = Verifier.parse(text)
        assert verifier.key_string() == text
        assert Verifier.parse(verifier.key_string()) == verifier
    assert Verifier.parse(signer.verifier_key()) == signer.verifier()
    with pytest.raises(NoteError):
        Signer.generate("has space")
    with pytest.raises(NoteError):
        Signer.generate("has+plus")
    with pytest.raises(NoteError):
        Signer.generate("")


# --- checkpoints -----------------------------------------------------------------------------

origins = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x2FFF, exclude_categories=["Cs"]),
    min_size=1,
    max_size=40,
)
extension_lines = st.lists(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=30),
    max_size=3,
)


@settings(max_examples=100, deadline=None)
@given(
    origin=origins,
    size=st.integers(0, 2**64),
    root=st.binary(min_size=32, max_size=32),
    extensions=extension_lines,
)
def test_checkpoint_body_round_trip(
    origin: str, size: int, root: bytes, extensions: list[str]
) -> None:
    checkpoint = Checkpoint(origin, size, root, tuple(extensions))
    body = checkpoint.body()
    assert body.endswith("\n") and body.count("\n") == 3 + len(extensions)
    assert Checkpoint.parse(body) == checkpoint


def test_checkpoint_body_format() -> None:
    body = Checkpoint(
        "example.com/behind-the-sofa",
        20852163,
        base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
    ).body()
    assert body == (
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


@pytest.mark.parametrize(
    "body",
    [
        "o\n1\n{root}",  # no final newline
        "o\n1\n",  # no root
        "\n1\n{root}\n",  # empty origin
        "o\n01\n{root}\n",  # leading zero
        "o\n-1\n{root}\n",
        "o\n+1\n{root}\n",
        "o\n1 \n{root}\n",
        "o\n١\n{root}\n",  # a non-ASCII digit
        "o\n1\n{short}\n",  # 31-byte root
        "o\n1\n{root}x\n",  # not base64
        "o\n1\n{noncanonical}\n",  # base64 with stray bits
        "o\n1\n{root}\n\n",  # empty extension line
        "o\n1\n{root}\next\x07\n",  # control character
    ],
)
def test_checkpoint_parse_is_strict(body: str) -> None:
    root = base64.b64encode(ROOT).decode()
    noncanonical = root[:-2] + chr(ord(root[-2]) + 1) + "="
    assert base64.b64decode(noncanonical) == ROOT  # decoders that ignore stray bits accept it
    text = body.format(
        root=root, short=base64.b64encode(ROOT[:31]).decode(), noncanonical=noncanonical
    )
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


def test_checkpoint_refuses_bad_fields() -> None:
    with pytest.raises(NoteError):
        Checkpoint("", 1, ROOT)
    with pytest.raises(NoteError):
        Checkpoint("two\nlines", 1, ROOT)
    with pytest.raises(NoteError):
        Checkpoint("o", -1, ROOT)
    with pytest.raises(NoteError):
        Checkpoint("o", 1, ROOT[:31])
    with pytest.raises(NoteError):
        Checkpoint("o", 1, ROOT, ("",))
