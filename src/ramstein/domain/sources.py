"""Outside sources cited as records: a published release of figures (such as a Kiel Institute
Ukraine Support Tracker release), and the figures of it that no other record holds.

A source release is public, like the publication it cites. Its figures are kept exactly as
published (decimals as the file wrote them), so that the release can be written back out cell
for cell; the support it describes is recorded as ordinary pledges and deliveries, which cite
the source by their external references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ramstein.domain.errors import InvalidValue
from ramstein.domain.events import Event, event
from ramstein.domain.participants import validate_code

SOURCE_CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
RELEASE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class SourceDonor:
    """A donor as the source names it, and its code in this record."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class SourceFigure:
    """One published figure, exactly as the source gives it.

    `file` and `line` say where it was published (and keep the order of a write-back);
    `donor` is the donor's code; `period` a month (YYYY-MM) or empty; `category` and `item`
    narrow it down where the source does (a weapons category, a named system), else empty;
    `figure` names the quantity (such as `commitments` or `monetary_value_eur`).
    """

    file: str
    line: int
    donor: str
    period: str
    category: str
    item: str
    figure: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Source:
    """A source release as recorded: what it is, how to cite it, and its own figures."""

    source: str
    release: str
    period: str
    published_on: date
    label: str
    citation: str
    donors: tuple[SourceDonor, ...]
    figures: tuple[SourceFigure, ...]

    @property
    def key(self) -> str:
        return f"{self.source}/{self.release}"


@event("SourceRecorded", aggregate="source")
@dataclass(frozen=True, slots=True)
class SourceRecorded(Event):
    """A source release is cited as a record (again, with new figures, if it was re-published).

    The figures replace those recorded before for the same release; other releases are kept.
    """

    source: str
    release: str
    period: str
    published_on: date
    label: str
    citation: str
    donors: tuple[SourceDonor, ...]
    figures: tuple[SourceFigure, ...]

    def aggregate_id(self) -> str:
        return f"{self.source}/{self.release}"


def record_source(
    *,
    source: str,
    release: str,
    period: str,
    published_on: date,
    label: str,
    citation: str,
    donors: tuple[SourceDonor, ...],
    figures: tuple[SourceFigure, ...],
) -> SourceRecorded:
    """Validate a source release; every figure must be a finite decimal of a named donor."""
    if not SOURCE_CODE.match(source):
        raise InvalidValue(
            "source",
            f"Source code {source!r} is not valid; use 2-32 lower-case letters, digits or '-' "
            "(e.g. kiel-ust).",
        )
    if not RELEASE.match(release):
        raise InvalidValue(
            "release",
            f"Release {release!r} is not valid; use up to 31 letters, digits, '.', '_' or '-'.",
        )
    if not label.strip() or not citation.strip():
        raise InvalidValue("label", "A source release needs a label and a citation.")
    codes: set[str] = set()
    for donor in donors:
        validate_code(donor.code)
        if donor.code in codes:
            raise InvalidValue("donors", f"The source names donor {donor.code} twice.")
        if not donor.name.strip():
            raise InvalidValue("donors", f"The source gives donor {donor.code} no name.")
        codes.add(donor.code)
    for figure in figures:
        if figure.donor not in codes:
            raise InvalidValue(
                "figures", f"A figure of {figure.donor} names a donor the source does not list."
            )
        if figure.period and not PERIOD.match(figure.period):
            raise InvalidValue(
                "figures", f"Period {figure.period!r} is not a month written YYYY-MM."
            )
        if not figure.figure.strip():
            raise InvalidValue("figures", "Every figure of a source has a name.")
        if not figure.value.is_finite():
            raise InvalidValue("figures", f"{figure.value} is not a finite number.")
    return SourceRecorded(
        source=source,
        release=release,
        period=period.strip(),
        published_on=published_on,
        label=label.strip(),
        citation=citation.strip(),
        donors=donors,
        figures=figures,
    )


def recorded(event: SourceRecorded) -> Source:
    """The source release the event records."""
    return Source(
        source=event.source,
        release=event.release,
        period=event.period,
        published_on=event.published_on,
        label=event.label,
        citation=event.citation,
        donors=event.donors,
        figures=event.figures,
    )
