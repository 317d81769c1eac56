"""`ramstein mirror ...`: keep a verified copy of a host's log in a directory.

No database is involved: the mirror is `DIR/log.jsonl` (a bundle that `ramstein log verify
--bundle` reads) and `DIR/mirror.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.inputs import AsJson
from ramstein.cli.output import Column, col
from ramstein.ledger.keys import read_public_key
from ramstein.ledger.verify import LogReport
from ramstein.services import mirror, remote

app = typer.Typer(help="Mirrors: verified copies of a host's log.", no_args_is_help=True)

Into = Annotated[Path, typer.Option("--into", help="The mirror's directory.", metavar="DIR")]

REPORT = [
    col("Entries", "size", right=True),
    Column("Root", lambda r: r.root.hex()),
    col("Checkpoints", "checkpoints", right=True),
    col("Cosignatures", "cosignatures", right=True),
    Column("Under quorum", lambda r: ", ".join(map(str, r.under_quorum)) or "none"),
    col("Redacted payloads", "redacted", right=True),
    Column("Host keys", lambda r: "\n".join(r.keys)),
]


def _report(report: LogReport) -> None:
    output.print_record("Verified", REPORT, report)


@app.command("pull")
def pull(
    url: Annotated[str, typer.Argument(help="The host's address, e.g. https://host.example.")],
    into: Into,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="An API token: the mirror then holds the payloads its user may read.",
            envvar="RAMSTEIN_MIRROR_TOKEN",
        ),
    ] = None,
    host_key: Annotated[
        Path | None,
        typer.Option(
            "--host-key",
            help="Pin the log's genesis host key (a public key file) on the first pull.",
            metavar="PUBFILE",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the host.", min=1)] = 30,
) -> None:
    """Fetch what is new at URL, verify it against what the mirror holds, and append it."""
    pinned = read_public_key(host_key) if host_key is not None else None
    done = mirror.pull(
        url=url, into=into, http=remote.UrlHttp(token=token, timeout=timeout), host_key=pinned
    )
    root = done.root.hex()[:16]
    if done.report is None:
        behind = f" ({done.url} is behind, at an older checkpoint)" if done.behind else ""
        output.done(f"The mirror is up to date at size {done.size} (root {root}…){behind}.")
        return
    output.done(
        f"Pulled {done.fetched} new entries, {done.new_checkpoints} checkpoint(s) and "
        f"{done.new_cosignatures} cosignature(s) from {done.url}: the mirror holds "
        f"{done.size} entries (root {root}…), verified."
    )
    _report(done.report)


@app.command("status")
def status(into: Into, as_json: AsJson = False) -> None:
    """Show what the mirror holds and where it last pulled from."""
    state = mirror.mirror_state(into=into)
    if as_json:
        output.print_json(state)
        return
    output.print_record(
        "Mirror",
        [
            col("Log", "origin"),
            col("Pulled from", "url"),
            col("Pulled at", "pulled_at"),
            col("Entries", "size"),
            col("Root", "root"),
            col("Checkpoints", "checkpoints"),
            col("Genesis key", "genesis_key"),
            Column(
                "Host keys",
                lambda s: "\n".join(f"{k['key']} (entry {k['since']})" for k in s.host_keys),
            ),
        ],
        state,
    )


@app.command("verify")
def verify(into: Into) -> None:
    """Verify the whole mirror again from its files, against the genesis key it pinned."""
    report = mirror.verify_mirror(into=into)
    output.done(f"The mirror in {into} verifies.")
    _report(report)
