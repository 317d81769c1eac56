"""Host key files: owner-only private keys, never overwritten."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ramstein.ledger.keys import (
    KeyFileError,
    load_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)
from ramstein.ledger.notes import Signer


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable: the key file must not be."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
def test_private_key_is_written_owner_only_and_loads(tmp_path: Path) -> None:
    signer = Signer.generate("host.ramstein.test")
    path = tmp_path / "host.key"
    write_private_key(path, signer)
    assert mode(path) == 0o600
    loaded = load_private_key(path)
    assert loaded.private_key_string() == signer.private_key_string()
    assert loaded.verifier_key() == signer.verifier_key()


def test_a_group_or_world_readable_private_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "host.key"
    write_private_key(path, Signer.generate("host.ramstein.test"))
    for loose in (0o644, 0o640, 0o604, 0o660):
        path.chmod(loose)
        with pytest.raises(KeyFileError, match=f"mode {loose:04o}"):
            load_private_key(path)
    path.chmod(0o400)
    load_private_key(path)


def test_key_files_are_never_overwritten(tmp_path: Path) -> None:
    first, second = Signer.generate("one.test"), Signer.generate("two.test")
    path = tmp_path / "host.key"
    write_private_key(path, first)
    with pytest.raises(KeyFileError, match="already exists"):
        write_private_key(path, second)
    assert load_private_key(path).verifier_key() == first.verifier_key()
    public = tmp_path / "host.pub"
    write_public_key(public, first.verifier_key())
    with pytest.raises(KeyFileError, match="already exists"):
        write_public_key(public, second.verifier_key())
    assert read_public_key(public) == first.verifier_key()


def test_a_symlink_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    link = tmp_path / "host.key"
    link.symlink_to(target)
    with pytest.raises(KeyFileError):
        write_private_key(link, Signer.generate("host.test"))
    assert not target.exists()


def test_malformed_or_missing_key_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="does not exist"):
        load_private_key(tmp_path / "missing.key")
    bad = tmp_path / "bad.key"
    bad.write_text("PRIVATE+KEY+not+a+key\n")
    bad.chmod(0o600)
    with pytest.raises(KeyFileError, match="does not hold a private key"):
        load_private_key(bad)
    public = tmp_path / "bad.pub"
    public.write_text("not a verifier key\n")
    with pytest.raises(KeyFileError, match="does not hold a verifier key"):
        read_public_key(public)
    with pytest.raises(KeyFileError, match="malformed verifier key"):
        write_public_key(tmp_path / "new.pub", "nonsense")
    assert not (tmp_path / "new.pub").exists()
    with pytest.raises(KeyFileError, match="not a regular file"):
        read_public_key(tmp_path)


def test_public_key_file_is_readable_by_all(tmp_path: Path) -> None:
    signer = Signer.generate("host.ramstein.test")
    path = tmp_path / "host.pub"
    write_public_key(path, signer.cosigner_key())
    assert mode(path) == 0o644
    assert path.read_text() == signer.cosigner_key() + "\n"
    assert read_public_key(path) == signer.cosigner_key()
