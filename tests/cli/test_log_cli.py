"""`ramstein witness ...` and `ramstein mirror ...` against a host served over real HTTP."""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from ramstein.api.app import create_app
from ramstein.ledger.keys import write_public_key
from ramstein.ledger.notes import Signer, Verifier
from ramstein.store.engine import Store
from tests.cli.support import Cli, add_need
from tests.conftest import free_port


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, coalition: Cli) -> dict[str, Path]:
    """The host's key files and a witness key (registered for DEU), on the small coalition."""
    monkeypatch.setenv("RAMSTEIN_HOST_KEY_FILE", str(tmp_path / "host.key"))
    coalition.ok(f"log key --output {tmp_path / 'host.pub'}")
    out = coalition.ok(f"witness keygen --name witness.deu.example --output {tmp_path / 'w.key'}")
    coalition.ok("witness register DEU", out.splitlines()[-1])
    return {"host": tmp_path / "host.pub", "witness": tmp_path / "w.key"}


@pytest.fixture
def host_url(db_url: str) -> Iterator[str]:
    """The API on the CLI's database, served by uvicorn on a free loopback port."""
    store = Store(db_url)
    port = free_port()
    config = uvicorn.Config(
        create_app(store=store), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    store.dispose()


def test_keygen_writes_a_private_key_and_prints_the_cosigner_key(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "witness.key"
    out = cli.ok(f"witness keygen --name witness.pol.example --output {path}")
    key = Verifier.parse(out.splitlines()[-1])
    assert (key.name, key.kind) == ("witness.pol.example", "cosignature/v1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Signer.from_private_key(path.read_text().strip()).cosigner_key() == key.key_string()
    assert "already exists" in cli.fails(f"witness keygen --name other --output {path}")


def test_the_chair_registers_removes_and_sets_a_quorum(coalition: Cli, tmp_path: Path) -> None:
    cosigner = Signer.generate("witness.pol.example")
    pub = tmp_path / "pol.pub"
    write_public_key(pub, cosigner.cosigner_key())
    assert coalition.json("witness list") == {"witnesses": [], "quorum": 0}
    coalition.ok(f"witness register POL --key-file {pub}")
    coalition.ok("witness register DEU", Signer.generate("witness.deu").cosigner_key())
    coalition.ok("witness quorum 2")
    listed = coalition.json("witness list")
    assert [w["participant"] for w in listed["witnesses"]] == ["DEU", "POL"]
    assert listed["witnesses"][1]["key"] == cosigner.cosigner_key()
    assert listed["quorum"] == 2
    assert "impossible with 2 registered witnesses" in coalition.fails("witness quorum 3")
    coalition.ok("witness quorum 1")
    coalition.ok("witness remove DEU")
    assert [w["participant"] for w in coalition.json("witness list")["witnesses"]] == ["POL"]
    ed25519 = Signer.generate("host").verifier_key()
    assert "is not a cosignature/v1 verifier key" in coalition.fails(
        "witness register UKR", ed25519
    )
    assert "Give the cosigner key once" in coalition.fails("witness register UKR")
    assert coalition.fails("witness quorum 0", as_="DEU") == (
        "Only the chair may set the witness quorum; DEU is not the chair."
    )


def test_a_witness_and_a_mirror_follow_a_served_log(
    coalition: Cli, keys: dict[str, Path], host_url: str, tmp_path: Path
) -> None:
    coalition.ok("log checkpoint")
    mirror_dir, state = tmp_path / "mirror", tmp_path / "witness.json"
    out = coalition.ok(f"mirror pull {host_url} --into {mirror_dir} --host-key {keys['host']}")
    size = json.loads(coalition.ok(f"mirror status --into {mirror_dir} --json"))["size"]
    assert f"Pulled {size} new entries, 1 checkpoint(s) and 0 cosignature(s)" in out

    out = coalition.ok(
        f"witness cosign {host_url} --key {keys['witness']} --state {state} "
        f"--host-key {keys['host']}"
    )
    assert f"Cosigned the checkpoint of size {size} of ramstein/coalition" in out
    assert "Already cosigned" in coalition.ok(
        f"witness cosign {host_url} --key {keys['witness']} --state {state}"
    )
    out = coalition.ok(f"mirror pull {host_url} --into {mirror_dir}")
    assert "Pulled 0 new entries, 0 checkpoint(s) and 1 cosignature(s)" in out
    assert "up to date" in coalition.ok(f"mirror pull {host_url} --into {mirror_dir}")

    add_need(coalition)
    coalition.ok("log checkpoint")
    out = coalition.ok(f"mirror pull {host_url} --into {mirror_dir}")
    assert "Pulled 1 new entries, 1 checkpoint(s)" in out
    out = coalition.ok(f"witness cosign {host_url} --key {keys['witness']} --state {state}")
    assert f"Cosigned the checkpoint of size {size + 1}" in out
    assert f"consistent with size {size})" in out

    assert "The mirror in" in coalition.ok(f"mirror verify --into {mirror_dir}")
    out = coalition.ok(f"log verify --bundle {mirror_dir / 'log.jsonl'} --key {keys['host']}")
    assert "The bundle" in out and "verifies" in out
    status = json.loads(coalition.ok(f"mirror status --into {mirror_dir} --json"))
    assert (status["size"], status["checkpoints"]) == (size + 1, 2)
    assert status["url"] == f"{host_url}/api/v1/log"


def test_refusals_are_one_sentence(cli: Cli, tmp_path: Path) -> None:
    port = free_port()
    message = cli.fails(f"mirror pull http://127.0.0.1:{port} --into {tmp_path / 'm'} --timeout 5")
    assert message.startswith(f"http://127.0.0.1:{port}/api/v1/log/checkpoint cannot be reached")
    assert "holds no mirror yet" in cli.fails(f"mirror status --into {tmp_path / 'm'}")
    assert "not an http:// or https:// address" in cli.fails(
        f"mirror pull ftp://example.org --into {tmp_path / 'm'}"
    )
    key = tmp_path / "w.key"
    cli.ok(f"witness keygen --name w.example --output {key}")
    key.chmod(0o644)
    assert "mode 0600" in cli.fails(
        f"witness cosign http://127.0.0.1:{port} --key {key} --state {tmp_path / 's.json'}"
    )


def test_a_first_cosign_needs_the_host_key(
    coalition: Cli, keys: dict[str, Path], host_url: str, tmp_path: Path
) -> None:
    coalition.ok("log checkpoint")
    message = coalition.fails(
        f"witness cosign {host_url} --key {keys['witness']} --state {tmp_path / 's.json'}"
    )
    assert "has not cosigned ramstein/coalition before: give the host's public key" in message
