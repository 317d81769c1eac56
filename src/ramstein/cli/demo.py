"""`ramstein demo ...`: build the seeded demo coalition and issue its sign-in tokens."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ramstein.demo.build import DEFAULT_SEED, DemoSummary, DemoToken
from ramstein.demo.files import DemoFileError, build_url, reissue_tokens
from ramstein.demo.hosts import demo_hosts
from ramstein.domain.errors import DomainError
from ramstein.ledger.keys import KeyFileError, write_private_key

app = typer.Typer(help="Build the seeded demo coalition.", no_args_is_help=True)

DEFAULT_DATABASE = Path("var/demo.sqlite")
DEFAULT_HOST_KEY = Path("var/demo-host.key")
STAGES = {
    "plan": "Planning the scenario",
    "scenario": "Recording it month by month",
    "matching": "Running the matching",
    "summary": "Summarising",
}
LOCAL_ONLY = (
    "These tokens are for the local demo only: anyone who holds one acts as that demo user. "
    "Never use the demo database or its tokens on a shared or public server."
)

DatabaseOption = Annotated[
    Path,
    typer.Option(
        "--database",
        help="The demo's SQLite file (the root --database-url, if given, is used instead).",
    ),
]


def _console(*, stderr: bool = False) -> Console:
    # Tokens must never wrap when the output is not a terminal (piped, captured).
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=160)


def _fail(message: str) -> NoReturn:
    _console(stderr=True).print(message, style="red", markup=False, highlight=False)
    raise typer.Exit(1)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the errors a user can act on into one sentence and exit status 1."""
    try:
        yield
    except (DemoFileError, DomainError, KeyFileError) as exc:
        _fail(str(exc))
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0].rstrip(".")
        _fail(f"The database could not be used: {reason}.")
    except OSError as exc:
        _fail(f"The database file could not be written: {exc.strerror or exc}.")


def _given(ctx: Any, name: str) -> bool:
    """Whether option `name` was typed on the command line (not a default or the environment)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def _database_url(ctx: typer.Context, database: Path) -> str:
    """`--database`, unless the root `--database-url` was given on the command line instead."""
    root = ctx.find_root()
    url = root.params.get("database_url")
    if url and not _given(ctx, "database") and _given(root, "database_url"):
        return str(url)
    return f"sqlite:///{database}"


def _tokens_table(tokens: list[DemoToken]) -> Table:
    table = Table(
        title="Demo sign-in tokens (paste one into the web UI's sign-in page, or send it as "
        "Authorization: Bearer to the API)"
    )
    table.add_column("role")
    table.add_column("user")
    table.add_column("participant")
    table.add_column("token", no_wrap=True, overflow="ignore")
    for t in tokens:
        table.add_row(t.role.value, t.user, t.participant, t.token)
    return table


def _summary_table(summary: DemoSummary, seconds: float) -> Table:
    table = Table(title=f"Demo coalition (seed {summary.seed})", show_header=False)
    table.add_column("what")
    table.add_column("figure", justify="right")
    rows = (
        ("participants", summary.participants),
        ("members", summary.members),
        ("observers", summary.observers),
        ("capability coalitions", summary.coalitions),
        ("catalogue items", summary.items),
        ("meetings", summary.meetings),
        ("needs", summary.needs),
        ("pledges", summary.pledges),
        ("tranches", summary.tranches),
        ("deliveries", summary.deliveries),
        ("log entries", summary.log_size),
        ("restricted needs and pledges", f"{summary.restricted_share:.0%}"),
        ("chair now", summary.chair),
        ("state digest", summary.state_digest),
        ("built in", f"{seconds:.1f} s"),
    )
    for what, figure in rows:
        table.add_row(what, str(figure))
    return table


def _progress_bar(console: Console) -> tuple[Progress, Callable[[str, int, int], None]]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return bar, report


@app.command()
def build(
    ctx: typer.Context,
    database: DatabaseOption = DEFAULT_DATABASE,
    seed: Annotated[
        int, typer.Option("--seed", help="The scenario's seed; the same seed gives the same demo.")
    ] = DEFAULT_SEED,
    host_key: Annotated[
        Path,
        typer.Option(
            "--host-key",
            help="Where to write the signing key of the host that holds the demo log at the "
            "end (serve with RAMSTEIN_HOST_KEY_FILE set to it).",
        ),
    ] = DEFAULT_HOST_KEY,
) -> None:
    """Build the demo coalition, replacing the demo database once the new one is complete."""
    console = _console()
    url = _database_url(ctx, database)
    started = time.perf_counter()
    bar, report = _progress_bar(console)
    with _errors(), bar:
        summary, tokens = build_url(url, seed=seed, progress=report)
    with _errors():
        host = demo_hosts(seed)[summary.chair]
        host_key.parent.mkdir(parents=True, exist_ok=True)
        host_key.unlink(missing_ok=True)
        write_private_key(host_key, host.signer)
    console.print(_summary_table(summary, time.perf_counter() - started))
    console.print(
        f"The log ({host.origin}) is held by {summary.chair}; its signing key is in {host_key}: "
        f"{host.signer.verifier_key()}",
        markup=False,
        highlight=False,
    )
    console.print(_tokens_table(tokens))
    console.print(LOCAL_ONLY)


@app.command()
def tokens(ctx: typer.Context, database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """Issue fresh sign-in tokens for the demo users (earlier ones stop working)."""
    console = _console()
    with _errors():
        issued = reissue_tokens(_database_url(ctx, database))
    console.print(_tokens_table(issued))
    console.print(LOCAL_ONLY)
