"""One place that turns a refused command into one sentence on stderr and exit code 1."""

from __future__ import annotations

from typing import Any

import sqlalchemy.exc
import typer
from typer.core import TyperGroup

from ramstein.domain.errors import DomainError
from ramstein.ledger.keys import KeyFileError
from ramstein.ledger.notes import NoteError
from ramstein.ledger.verify import LogError
from ramstein.store.replay import LogCorrupted

EXIT_REFUSED = 1


class BadInput(Exception):
    """Input the command line cannot parse (a malformed date, tranche or amount)."""


USER_ERRORS: tuple[type[Exception], ...] = (
    DomainError,
    BadInput,
    LogCorrupted,
    LogError,
    NoteError,
    KeyFileError,
)


def fail(message: str) -> typer.Exit:
    """Print `message` as the command's one error sentence; raise the returned Exit."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(EXIT_REFUSED)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class RamsteinGroup(TyperGroup):
    """The root command group: every subcommand runs inside its `invoke`, so errors end here.

    A rule the domain refuses, or input the CLI cannot parse, is the user's to fix: print its
    sentence and exit 1, without a traceback. Anything else is a bug and keeps its traceback.
    """

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except USER_ERRORS as error:
            raise fail(str(error)) from None
        except sqlalchemy.exc.ArgumentError as error:
            raise fail(f"The database URL is not valid: {_first_line(error)}.") from None
        except sqlalchemy.exc.OperationalError as error:
            raise fail(f"The database cannot be used: {_first_line(error)}.") from None
