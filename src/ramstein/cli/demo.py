"""`ramstein demo ...`: build the demo coalition (being written)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Build the seeded demo coalition.", no_args_is_help=True)
