"""`ramstein publish --out DIR`: the public records as a static open-data package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import host_signer, principal, store
from ramstein.cli.inputs import AsJson
from ramstein.interchange.publication import LICENSES
from ramstein.services.publish import publish as publish_package
from ramstein.settings import Settings


def publish(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="The folder to write (replaced if it holds a package).",
            file_okay=False,
        ),
    ],
    license: Annotated[
        str,
        typer.Option(help=f"The data's licence: {', '.join(LICENSES)}.", metavar="SPDX"),
    ] = "CC-BY-4.0",
    sign: Annotated[
        bool,
        typer.Option(
            "--sign/--no-sign",
            help="Sign a checkpoint first when the log has grown since the last one (the host "
            "key); with --no-sign the latest checkpoint is published as it is.",
        ),
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Write the records the public may see as a static data package for any web host: a
    Frictionless datapackage.json describing CSV (with table schemas) and JSON files, HXL,
    IATI and flow files, an index.html, and the log's public bundle with its latest signed
    checkpoint so that anyone can verify it."""
    if license not in LICENSES:
        raise typer.BadParameter(f"choose one of {', '.join(LICENSES)}.", param_hint="--license")
    settings = Settings()
    done = publish_package(
        store=store(ctx),
        actor=principal(ctx),
        out=out,
        group_name=settings.group_name,
        iati_ref=settings.iati_org_ref,
        license=LICENSES[license],
        host=host_signer(ctx) if sign else None,
    )
    if as_json:
        output.print_json(done)
        return
    signed = f"signed checkpoint {done.checkpoint_size}; " if done.signed else ""
    output.done(
        f"Published {done.files} files ({done.bytes} bytes) to {done.folder}: the public "
        f"records at log entry {done.log_size}, {signed}open {done.folder / 'index.html'}."
    )
