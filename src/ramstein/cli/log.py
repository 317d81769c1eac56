"""`ramstein log ...`: checkpoints, verification, bundles and offline proofs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import host_signer, reading, resolve_principal, state, writing
from ramstein.cli.errors import BadInput, fail
from ramstein.cli.inputs import AsJson
from ramstein.cli.output import Column, col
from ramstein.domain.releasability import PUBLIC_VIEWER
from ramstein.ledger.keys import read_public_key, write_public_key
from ramstein.services import bundles, log, proofs

app = typer.Typer(
    help="The verifiable log: checkpoints, verification, bundles, proofs.", no_args_is_help=True
)

COLUMNS = [
    col("Size", "size", right=True),
    col("Origin", "origin"),
    Column("Root", lambda c: c.root.hex()[:16] + "…"),
    Column("Cosigners", lambda c: ", ".join(c.cosigners) or "–"),
    col("Signed at", "signed_at"),
]

KeyFile = Annotated[
    Path | None,
    typer.Option("--key", help="Pin the genesis host key (a public key file).", metavar="PUBFILE"),
]


def _pinned(path: Path | None) -> str | None:
    return read_public_key(path) if path is not None else None


@app.command("key")
def key(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--output", help="Also write it to this file.", metavar="FILE")
    ] = None,
) -> None:
    """Show this host's public (verifier) key, creating the host key file if it is missing."""
    host = host_signer(ctx)
    vkey = host.signer.verifier_key()
    if out is not None:
        write_public_key(out, vkey)
    typer.echo(vkey)


@app.command("checkpoint")
def checkpoint(ctx: typer.Context) -> None:
    """Sign a checkpoint of the log as it stands now (the host, acting for the chair)."""
    host = host_signer(ctx)
    with writing(ctx) as (uow, actor):
        signed = log.sign_checkpoint(uow=uow, actor=actor, host=host)
    output.done(f"Signed checkpoint of size {signed.size}.")
    typer.echo(signed.note, nl=False)


@app.command("checkpoints")
def checkpoints(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List the signed checkpoints and who cosigned them."""
    with reading(ctx) as (conn, _viewer):
        found = log.checkpoints(conn=conn)
    output.listing(found, COLUMNS, as_json=as_json, title="Checkpoints", empty="No checkpoint yet.")


def _show_report(report: object, what: str) -> None:
    output.done(what)
    output.print_record(
        "Verified",
        [
            col("Entries", "size", right=True),
            Column("Root", lambda r: r.root.hex()),
            col("Checkpoints", "checkpoints", right=True),
            col("Cosignatures", "cosignatures", right=True),
            Column("Under quorum", lambda r: ", ".join(map(str, r.under_quorum)) or "none"),
            col("Redacted payloads", "redacted", right=True),
            Column("Host keys", lambda r: "\n".join(r.keys)),
        ],
        report,
    )


@app.command("verify")
def verify(
    ctx: typer.Context,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle", help="Verify this bundle file instead of the database.", metavar="FILE"
        ),
    ] = None,
    key_file: KeyFile = None,
) -> None:
    """Recompute every leaf, the tree, every signature and the host-key chain; exit 1 if bad.

    On the database it also checks the stored tree, the query columns, and that the
    projections equal a replay of the log.
    """
    pinned = _pinned(key_file)
    if bundle is not None:
        with bundle.open() as f:
            report = bundles.verify_bundle(bundles.read_bundle(f), pinned_key=pinned)
        _show_report(report, f"The bundle {bundle} verifies.")
        return
    result = log.verify(store=state(ctx).store(), pinned_key=pinned)
    if not result.projections_match:
        raise fail(
            f"The log verifies, but the records in {', '.join(result.drifted)} differ from a "
            "replay of it; run `ramstein rebuild`."
        )
    _show_report(result.log, "The log verifies, and the projections equal a replay of it.")


@app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--output", help="The bundle file to write.", metavar="FILE")
    ],
    for_: Annotated[
        str,
        typer.Option(
            "--for",
            help="Export for this participant, or 'public'; payloads it may "
            "not see are replaced by their digests.",
            metavar="VIEWER",
        ),
    ] = "public",
) -> None:
    """Write the log as one self-contained bundle, redacted for a viewer."""
    s = state(ctx)
    with s.store().read() as conn:
        if for_ == "public":
            viewer = PUBLIC_VIEWER
        else:
            viewer = resolve_principal(conn, acting_as=for_, user=s.user)
    with out.open("w") as f:
        count = bundles.export_bundle(store=s.store(), viewer=viewer, out=f)
    output.done(f"Wrote {count} entries for {for_} to {out}.")


@app.command("import")
def import_(
    ctx: typer.Context,
    bundle: Annotated[Path, typer.Argument(help="The bundle file.", metavar="FILE")],
    key_file: KeyFile = None,
) -> None:
    """Verify a full bundle completely, then load it into this empty instance."""
    with bundle.open() as f:
        parsed = bundles.read_bundle(f)
    report = bundles.import_bundle(
        store=state(ctx).store(), bundle=parsed, pinned_key=_pinned(key_file)
    )
    _show_report(report, f"Loaded {report.size} entries from {bundle} and rebuilt the projections.")


@app.command("prove")
def prove(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(help="A sequence number, or KIND:ID such as pledge:42.")],
    out: Annotated[Path, typer.Option("--output", help="The proof file to write.", metavar="FILE")],
    size: Annotated[
        int | None,
        typer.Option(
            "--size",
            help="Prove against the checkpoint of this size (default: the latest).",
            metavar="N",
        ),
    ] = None,
    reveal: Annotated[bool, typer.Option(help="Include the record's payload.")] = True,
) -> None:
    """Write an offline proof that a record is on the signed log."""
    with reading(ctx) as (conn, viewer):
        text = proofs.prove(conn=conn, viewer=viewer, record=record, size=size, reveal=reveal)
    out.write_text(text)
    output.done(f"Wrote the proof of {record} to {out}.")


@app.command("check-proof")
def check_proof(
    proof: Annotated[Path, typer.Argument(help="The proof file.", metavar="FILE")],
    key_file: Annotated[
        Path, typer.Option("--key", help="The host's public key file.", metavar="PUBFILE")
    ],
    as_json: AsJson = False,
) -> None:
    """Verify an offline proof with nothing but the host's public key."""
    try:
        text = proof.read_text()
    except OSError as error:
        raise BadInput(f"The proof {proof} cannot be read: {error.strerror}.") from None
    checked = proofs.check_proof(text, host_key=read_public_key(key_file))
    if as_json:
        output.print_json(checked)
        return
    output.done(
        f"Entry {checked.seq} ({checked.header['event_type']}) is in the log {checked.origin} "
        f"of size {checked.checkpoint_size}, signed by the host key"
        + (f" and cosigned by {', '.join(checked.cosigners)}." if checked.cosigners else ".")
    )
    if checked.payload is not None:
        output.print_json(checked.payload)
