"""`ramstein import ...`, `ramstein export ...`, `ramstein templates`: files in and out."""

from __future__ import annotations

import typer

import_app = typer.Typer(
    help="Import needs, pledges and deliveries from Excel or CSV, or a Kiel Tracker release.",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="Export what you may see: CSV, XLSX, JSON, HXL, IATI, flows, or the Kiel layout.",
    no_args_is_help=True,
)
