"""Host key files: the private key readable by its owner only, the public key by anyone.

A private key file holds one line, the signer's "PRIVATE+KEY+..." string; a public key file
holds one verifier key string. Neither is ever overwritten: a new key gets a new file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ramstein.ledger.notes import NoteError, Signer, Verifier

MAX_KEY_FILE = 4096


class KeyFileError(Exception):
    """A key file could not be written or read safely; the message says why."""


def _create(path: Path, text: str, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists; a key file is never overwritten") from None
    except OSError as exc:
        raise KeyFileError(f"cannot create {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, mode)  # the umask may have removed bits, never added them; be exact
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise KeyFileError(f"cannot write {path}: {exc.strerror}") from None
    os.close(fd)


def _read(path: Path, *, private: bool) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise KeyFileError(f"{path} does not exist") from None
    except OSError as exc:
        raise KeyFileError(f"cannot open {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"{path} is not a regular file")
        if private and info.st_mode & 0o077:
            raise KeyFileError(
                f"{path} is accessible by group or others (mode "
                f"{stat.S_IMODE(info.st_mode):04o}); a private key must be mode 0600: "
                f"run chmod 600 {path} if it has not been exposed, or replace the key"
            )
        data = os.read(fd, MAX_KEY_FILE + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_KEY_FILE:
        raise KeyFileError(f"{path} is too large to be a key file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not UTF-8 text") from None
    return text.removesuffix("\n")


def write_private_key(path: Path, signer: Signer) -> None:
    """Create `path` with mode 0600 holding the signer's private key; refuse an existing file."""
    _create(path, signer.private_key_string() + "\n", 0o600)


def load_private_key(path: Path) -> Signer:
    """Read a private key, refusing a file that group or others can access, or a malformed one."""
    text = _read(path, private=True)
    try:
        return Signer.from_private_key(text)
    except NoteError as exc:
        raise KeyFileError(f"{path} does not hold a private key: {exc}") from None


def write_public_key(path: Path, verifier_key: str) -> None:
    """Create `path` (mode 0644) holding a verifier key string; refuse an existing file."""
    try:
        Verifier.parse(verifier_key)
    except NoteError as exc:
        raise KeyFileError(f"refusing to write a malformed verifier key: {exc}") from None
    _create(path, verifier_key + "\n", 0o644)


def read_public_key(path: Path) -> str:
    """Read a verifier key string, checking that it parses."""
    text = _read(path, private=False)
    try:
        Verifier.parse(text)
    except NoteError as exc:
        raise KeyFileError(f"{path} does not hold a verifier key: {exc}") from None
    return text
