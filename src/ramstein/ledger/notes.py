"""Signed notes, checkpoints and cosignatures, as C2SP specifies them.

- c2sp.org/signed-note: a UTF-8 text ending in a newline, a blank line, then one signature
  line per key: "— <key name> <base64(key ID || signature)>". The key ID is the first four
  bytes of SHA-256(key name || 0x0A || signature type || public key); Ed25519 is type 0x01.
- c2sp.org/tlog-checkpoint: the note text is the log's origin, its size in decimal and its
  base64 root hash, one per line, then optional extension lines.
- c2sp.org/tlog-cosignature: a witness's cosignature/v1 (type 0x04) signs
  "cosignature/v1\\ntime <unix seconds>\\n" + the checkpoint text, and its signature bytes
  are timestamp (8 bytes, big-endian) || Ed25519 signature.

Key strings follow golang.org/x/mod/sumdb/note: a verifier key is
"<name>+<hex key ID>+<base64(type || public key)>" and a private key is
"PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || Ed25519 seed)>".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
EM_DASH = "\u2014"
SIGNATURE_PREFIX = EM_DASH + " "
MAX_SIGNATURES = 100
"""Notes with more signature lines than this are refused (the spec asks for at least 16)."""
MAX_TIMESTAMP = 2**63 - 1

Kind = Literal["ed25519", "cosignature/v1"]
_KINDS: dict[int, Kind] = {ED25519: "ed25519", COSIGNATURE_V1: "cosignature/v1"}
_TYPES: dict[str, int] = {kind: t for t, kind in _KINDS.items()}


class NoteError(Exception):
    """A note, a checkpoint or a key string is malformed, or a note did not verify."""


class UnverifiedNoteError(NoteError):
    """A well-formed note carries no signature from any of the keys it was opened with."""


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64: padded, no stray characters, and in its one canonical spelling."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not valid base64") from None
    if _b64encode(data) != text:
        raise NoteError(f"{what} is not canonical base64")
    return data


def _check_name(name: str, what: str = "key name") -> None:
    if not name:
        raise NoteError(f"the {what} is empty")
    if "+" in name or any(c.isspace() or not c.isprintable() for c in name):
        raise NoteError(f"the {what} {name!r} contains a space, a plus sign or a control character")


def _check_text(text: str, what: str) -> bytes:
    """A note's text must be UTF-8 with no control character other than newline."""
    if any(c < " " and c != "\n" for c in text):
        raise NoteError(f"the {what} contains a control character")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"the {what} is not valid UTF-8") from None


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || signature type || public key)[:4]."""
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    ).digest()[:4]


def cosignature_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: the header and time lines, then the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


# --- checkpoints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body: the log's origin, its size and its root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise NoteError("a checkpoint's origin must be one non-empty line")
        if self.size < 0:
            raise NoteError(f"a checkpoint cannot have a negative size ({self.size})")
        if len(self.root) != 32:
            raise NoteError(f"a checkpoint's root hash has 32 bytes, not {len(self.root)}")
        for line in self.extensions:
            if not line or "\n" in line:
                raise NoteError("a checkpoint's extension lines must be non-empty single lines")

    def body(self) -> str:
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse a checkpoint text, refusing anything that `body()` would not have written."""
        _check_text(body, "checkpoint")
        if not body.endswith("\n"):
            raise NoteError("a checkpoint must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("a checkpoint has an origin, a size and a root hash, one per line")
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise NoteError("the checkpoint's origin line is empty")
        if not (size_text.isascii() and size_text.isdigit()) or (
            len(size_text) > 1 and size_text[0] == "0"
        ):
            raise NoteError(
                f"the checkpoint's size {size_text!r} is not a decimal number without "
                "leading zeroes"
            )
        root = _b64decode(root_text, "the checkpoint's root hash")
        if len(root) != 32:
            raise NoteError(f"the checkpoint's root hash has {len(root)} bytes, not 32")
        if any(not line for line in extensions):
            raise NoteError("the checkpoint has an empty extension line")
        return cls(origin, int(size_text), root, tuple(extensions))


# --- keys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verifier:
    """A public key that checks note signatures: Ed25519 (0x01) or cosignature/v1 (0x04)."""

    name: str
    key_id: bytes
    kind: Kind
    public_key: bytes
    _key: Ed25519PublicKey = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_public_key(cls, name: str, kind: Kind, public_key: bytes) -> Verifier:
        _check_name(name)
        if kind not in _TYPES:
            raise NoteError(f"unknown signature kind {kind!r}")
        if len(public_key) != 32:
            raise NoteError(f"an Ed25519 public key has 32 bytes, not {len(public_key)}")
        try:
            key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError:
            raise NoteError("the public key is not a valid Ed25519 key") from None
        return cls(name, key_id(name, _TYPES[kind], public_key), kind, public_key, key)

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """Parse "<name>+<hex key ID>+<base64(type || public key)>", checking the key ID."""
        parts = vkey.split("+", 2)  # the base64 key may itself contain plus signs
        if len(parts) != 3:
            raise NoteError("a verifier key is <name>+<key ID>+<key>")
        name, id_text, key_text = parts
        _check_name(name)
        if len(id_text) != 8 or any(c not in "0123456789abcdef" for c in id_text):
            raise NoteError(f"the key ID {id_text!r} is not 8 lowercase hex digits")
        key = _b64decode(key_text, "the verifier key")
        if not key or key[0] not in _KINDS:
            raise NoteError("the verifier key is of an unknown signature type")
        verifier = cls.from_public_key(name, _KINDS[key[0]], key[1:])
        if verifier.key_id.hex() != id_text:
            raise NoteError(f"the key ID {id_text} does not match the key of {name}")
        return verifier

    def key_string(self) -> str:
        key = bytes([_TYPES[self.kind]]) + self.public_key
        return f"{self.name}+{self.key_id.hex()}+{_b64encode(key)}"

    def __str__(self) -> str:
        return self.key_string()

    def verify(self, body: bytes, signature: bytes) -> int | None:
        """Check `signature` (without key ID) over `body`; return the cosignature's timestamp.

        Raises NoteError when it does not verify.
        """
        timestamp: int | None = None
        message = body
        if self.kind == "cosignature/v1":
            if len(signature) != 8 + 64:
                raise NoteError(f"the cosignature of {self.name} is not 72 bytes long")
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp > MAX_TIMESTAMP:
                raise NoteError(f"the cosignature of {self.name} has an impossible timestamp")
            message = cosignature_message(body.decode("utf-8"), timestamp)
            signature = signature[8:]
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            raise NoteError(
                f"the signature of {self.name}+{self.key_id.hex()} does not verify"
            ) from None
        return timestamp


class Signer:
    """An Ed25519 private key with its name: signs notes (0x01) and cosigns checkpoints (0x04)."""

    __slots__ = ("name", "key_id", "cosigner_key_id", "_private", "_public")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._private = private_key
        self._public = private_key.public_key().public_bytes_raw()
        self.key_id = key_id(name, ED25519, self._public)
        self.cosigner_key_id = key_id(name, COSIGNATURE_V1, self._public)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_private_key(cls, text: str) -> Signer:
        """Parse "PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>", checking the key ID."""
        parts = text.split("+", 4)  # the base64 key may itself contain plus signs
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteError("a private key is PRIVATE+KEY+<name>+<key ID>+<key>")
        _, _, name, id_text, key_text = parts
        _check_name(name)
        if len(id_text) != 8 or any(c not in "0123456789abcdef" for c in id_text):
            raise NoteError(f"the key ID {id_text!r} is not 8 lowercase hex digits")
        key = _b64decode(key_text, "the private key")
        if len(key) != 33 or key[0] != ED25519:
            raise NoteError("the private key is not an Ed25519 seed (0x01 followed by 32 bytes)")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(key[1:]))
        if signer.key_id.hex() != id_text:
            raise NoteError(f"the key ID {id_text} does not match the key of {name}")
        return signer

    @property
    def public_key(self) -> bytes:
        return self._public

    def private_key_string(self) -> str:
        seed = self._private.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{_b64encode(bytes([ED25519]) + seed)}"

    def verifier(self) -> Verifier:
        return Verifier.from_public_key(self.name, "ed25519", self._public)

    def cosigner(self) -> Verifier:
        return Verifier.from_public_key(self.name, "cosignature/v1", self._public)

    def verifier_key(self) -> str:
        """The Ed25519 (0x01) verifier key string for notes this signer signs."""
        return self.verifier().key_string()

    def cosigner_key(self) -> str:
        """The cosignature/v1 (0x04) verifier key string for this signer's cosignatures."""
        return self.cosigner().key_string()

    def signature_line(self, body: str) -> str:
        """The Ed25519 signature line for `body`, without its newline."""
        data = _check_body(body)
        sig = self.key_id + self._private.sign(data)
        return f"{SIGNATURE_PREFIX}{self.name} {_b64encode(sig)}"

    def sign_note(self, body: str) -> str:
        """A complete note: `body`, a blank line and this signer's signature line."""
        return f"{body}\n{self.signature_line(body)}\n"

    def cosign(self, checkpoint: Checkpoint, timestamp: int) -> str:
        """A cosignature/v1 signature line for `checkpoint`, made at `timestamp` (Unix seconds)."""
        if not 0 <= timestamp <= MAX_TIMESTAMP:
            raise NoteError(f"a cosignature timestamp must be within 0..2^63-1, not {timestamp}")
        message = cosignature_message(checkpoint.body(), timestamp)
        sig = self.cosigner_key_id + timestamp.to_bytes(8, "big") + self._private.sign(message)
        return f"{SIGNATURE_PREFIX}{self.name} {_b64encode(sig)}"

    def __repr__(self) -> str:
        return f"Signer({self.name}+{self.key_id.hex()})"


def _check_body(body: str) -> bytes:
    data = _check_text(body, "note text")
    if not body.endswith("\n"):
        raise NoteError("a note's text must end with a newline")
    return data


# --- notes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """One signature of a note that verified: whose, and (for cosignatures) when."""

    name: str
    key_id: bytes
    kind: Kind
    timestamp: int | None


@dataclass(frozen=True)
class _Signature:
    name: str
    key_id: bytes
    signature: bytes
    line: str


def _parse_line(line: str) -> _Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"signature line {line!r} does not begin with an em dash and a space")
    name, sep, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not sep:
        raise NoteError(f"signature line {line!r} has no signature after the key name")
    _check_name(name)
    sig = _b64decode(b64, f"the signature of {name}")
    if len(sig) < 5:
        raise NoteError(f"the signature of {name} is too short")
    return _Signature(name, sig[:4], sig[4:], line)


def split_note(note: str) -> tuple[str, list[str]]:
    """The text of a note and its signature lines (without newlines); NoteError if malformed."""
    _check_text(note, "note")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("the note has no blank line between its text and its signatures")
    text, sigs = note[: split + 1], note[split + 2 :]
    if not sigs or not sigs.endswith("\n"):
        raise NoteError("the note's signature lines must be present and end with a newline")
    lines = sigs[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has more than {MAX_SIGNATURES} signatures")
    for line in lines:
        _parse_line(line)
    return text, lines


def add_signatures(note: str, lines: Iterable[str]) -> str:
    """Append signature lines (with or without their newline) to a signed note."""
    text, existing = split_note(note)
    added = [line.removesuffix("\n") for line in lines]
    for line in added:
        if "\n" in line:
            raise NoteError("a signature line cannot contain a newline")
        _parse_line(line)
    if len(existing) + len(added) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(line + "\n" for line in existing + added)


def open_note(note: str, verifiers: Iterable[Verifier]) -> tuple[str, list[Verified]]:
    """Check a note's signatures against `verifiers`; return its text and those that verified.

    As the spec says, signatures from keys not among `verifiers` (by name and key ID) are
    ignored, a signature from a known key that fails to verify rejects the whole note, and
    so does a note with no verified signature at all. Repeated signatures by one key count once.
    """
    text, lines = split_note(note)
    known: dict[tuple[str, bytes], Verifier] = {}
    for v in verifiers:
        other = known.setdefault((v.name, v.key_id), v)
        if other != v:
            raise NoteError(f"two different verifiers share the name and key ID {v.name}")
    body = text.encode("utf-8")
    verified: list[Verified] = []
    seen: set[tuple[str, bytes]] = set()
    for line in lines:
        sig = _parse_line(line)
        ident = (sig.name, sig.key_id)
        verifier = known.get(ident)
        if verifier is None or ident in seen:
            continue
        seen.add(ident)
        timestamp = verifier.verify(body, sig.signature)
        verified.append(Verified(sig.name, sig.key_id, verifier.kind, timestamp))
    if not verified:
        raise UnverifiedNoteError("the note is not signed by any of the given keys")
    return text, verified


def open_checkpoint(
    note: str, verifiers: Iterable[Verifier], *, origin: str
) -> tuple[Checkpoint, list[Verified]]:
    """Open a signed checkpoint of the log `origin`: `open_note`, then a strict parse."""
    body, verified = open_note(note, verifiers)
    checkpoint = Checkpoint.parse(body)
    if checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for the log {checkpoint.origin!r}, not {origin!r}")
    return checkpoint, verified
