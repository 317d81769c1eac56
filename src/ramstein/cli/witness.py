"""`ramstein witness ...`: members that cosign the log's checkpoints, and the quorum they form.

`keygen` and `cosign` are the witness's own commands (no database: a key file and a state
file); `register`, `remove` and `quorum` are the chair's, on the host's database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading, writing
from ramstein.cli.errors import BadInput
from ramstein.cli.inputs import AsJson
from ramstein.cli.output import col
from ramstein.ledger.keys import load_private_key, read_public_key, write_private_key
from ramstein.ledger.notes import Signer
from ramstein.services import log, witness
from ramstein.services.remote import UrlHttp

app = typer.Typer(
    help="Witnesses: members that cosign the log's checkpoints.", no_args_is_help=True
)

COLUMNS = [col("Participant", "participant"), col("Cosigner key", "key")]

Code = Annotated[str, typer.Argument(help="The member's participant code.", metavar="CODE")]


@app.command("keygen")
def keygen(
    name: Annotated[
        str, typer.Option("--name", help="The witness's key name, e.g. witness.deu.example.")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--output", help="The private key file to create (mode 0600).", metavar="FILE"
        ),
    ],
) -> None:
    """Create a witness key; print the cosigner key the chair registers."""
    signer = Signer.generate(name)
    write_private_key(out, signer)
    output.done(f"Wrote the private key to {out}; register this cosigner key with the chair:")
    typer.echo(signer.cosigner_key())


@app.command("register")
def register(
    ctx: typer.Context,
    code: Code,
    key: Annotated[
        str | None, typer.Argument(help="The cosigner key string.", metavar="KEYSTRING")
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", help="Read the cosigner key from this file.", metavar="PUBFILE"),
    ] = None,
) -> None:
    """Register a member's cosigner key (chair); it replaces the member's previous one."""
    if key_file is not None and key is None:
        vkey = read_public_key(key_file)
    elif key is not None and key_file is None:
        vkey = key
    else:
        raise BadInput("Give the cosigner key once: as KEYSTRING or with --key-file.")
    with writing(ctx) as (uow, actor):
        found = log.set_witness(uow=uow, actor=actor, participant=code, key=vkey)
    output.done(f"{code} witnesses the log with {vkey}.")
    output.print_table(f"Witnesses ({len(found)})", COLUMNS, found, "No witness.")


@app.command("remove")
def remove(ctx: typer.Context, code: Code) -> None:
    """Withdraw a member's cosigner key (chair)."""
    with writing(ctx) as (uow, actor):
        found = log.set_witness(uow=uow, actor=actor, participant=code, key=None)
    output.done(f"{code} no longer witnesses the log.")
    output.print_table(f"Witnesses ({len(found)})", COLUMNS, found, "No witness left.")


@app.command("quorum")
def quorum(
    ctx: typer.Context,
    number: Annotated[
        int, typer.Argument(help="Cosignatures a checkpoint needs (0 for none).", metavar="N")
    ],
) -> None:
    """Set how many registered witnesses must cosign each checkpoint (chair)."""
    with writing(ctx) as (uow, actor):
        log.set_quorum(uow=uow, actor=actor, quorum=number)
    output.done(f"A checkpoint now needs {number} witness cosignature(s).")


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List the registered witnesses and the quorum."""
    with reading(ctx) as (conn, _viewer):
        found = log.list_witnesses(conn=conn)
        needed = log.witness_quorum(conn=conn)
    if as_json:
        output.print_json({"witnesses": found, "quorum": needed})
        return
    output.print_table(f"Witnesses ({len(found)})", COLUMNS, found, "No witness registered.")
    typer.echo(f"Quorum: {needed} cosignature(s) per checkpoint.")


@app.command("cosign")
def cosign(
    url: Annotated[str, typer.Argument(help="The host's address, e.g. https://host.example.")],
    key_file: Annotated[
        Path, typer.Option("--key", help="The witness's private key file.", metavar="FILE")
    ],
    state_file: Annotated[
        Path,
        typer.Option(
            "--state",
            help="What this witness cosigned so far (created if missing).",
            metavar="FILE",
        ),
    ],
    host_key: Annotated[
        Path | None,
        typer.Option(
            "--host-key",
            help="The host's public key file, trusted on the first run; later runs follow the "
            "host keys the log records.",
            metavar="PUBFILE",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the host.", min=1)] = 30,
) -> None:
    """Check the host's latest checkpoint against what this witness cosigned; cosign and post it."""
    signer = load_private_key(key_file)
    trusted = read_public_key(host_key) if host_key is not None else None
    done = witness.cosign(
        url=url, signer=signer, state_path=state_file, http=UrlHttp(timeout=timeout),
        host_key=trusted,
    )  # fmt: skip
    for key in done.handovers:
        output.done(f"Followed the handover of the log to the host key {key}.")
    root = done.root.hex()[:16]
    if done.already:
        output.done(f"Already cosigned the checkpoint of size {done.size} of {done.origin}.")
    else:
        since = f", consistent with size {done.previous}" if done.previous else ""
        output.done(
            f"Cosigned the checkpoint of size {done.size} of {done.origin} (root {root}…{since}) "
            f"and posted it to {done.url}."
        )
