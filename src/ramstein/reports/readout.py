"""A meeting's read-out as a document: what was said and decided, for one audience.

A read-out is generated, never written by hand: `ramstein.services.readouts` builds a
`Readout` from the log for an audience (the public, the coalition, or one participant), and
`ramstein.reports.render` turns it into Markdown, HTML or PDF. Everything in it comes from the
log at one position (`log_size`), so generating it again at the same position gives the same
document, byte for byte.

A figure that the small-cell rule withholds from its audience is None here and "withheld" in
the document; a chart leaves it out and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ramstein.domain.errors import InvalidValue
from ramstein.reports.analytics import Reliability, YearCommitments
from ramstein.reports.forecast import AreaDependence
from ramstein.reports.funds import FundReport

Figure = Decimal | None
"""An amount, or None where the small-cell rule withholds it from the audience."""


class AudienceKind(StrEnum):
    PUBLIC = "public"
    COALITION = "coalition"
    PARTICIPANT = "participant"


@dataclass(frozen=True, slots=True)
class Audience:
    """Whom a read-out is for: `public`, `coalition`, or one participant (`participant:DEU`,
    or just `DEU`)."""

    kind: AudienceKind
    participant: str | None = None
    name: str = ""

    @classmethod
    def parse(cls, text: str) -> Audience:
        """The audience `text` names; the participant's existence is checked by the caller."""
        value = text.strip()
        kind, _, code = value.partition(":")
        if value.lower() in (AudienceKind.PUBLIC, AudienceKind.COALITION):
            return cls(AudienceKind(value.lower()))
        if kind.lower() == AudienceKind.PARTICIPANT and code.strip():
            return cls(AudienceKind.PARTICIPANT, code.strip().upper())
        if value and ":" not in value and value.replace("-", "").isalnum():
            return cls(AudienceKind.PARTICIPANT, value.upper())
        raise InvalidValue(
            "audience",
            f"{text!r} is not an audience: say public, coalition, or a participant's code "
            "(participant:DEU).",
        )

    @property
    def key(self) -> str:
        """The audience as it is written on the command line and in file names."""
        return self.participant if self.participant else self.kind.value

    @property
    def title(self) -> str:
        if self.kind is AudienceKind.PUBLIC:
            return "Public"
        if self.kind is AudienceKind.COALITION:
            return "Coalition members"
        return f"{self.name or self.participant} ({self.participant})"


@dataclass(frozen=True, slots=True)
class Attendee:
    code: str
    name: str
    level: str
    """How it was represented, e.g. `minister`, `deputy_minister`, `ambassador`."""


@dataclass(frozen=True, slots=True)
class Announcement:
    """A pledge announced at the meeting."""

    pledge: int
    donor: str
    donor_name: str
    item: str
    item_name: str
    area: str
    quantity: int
    unit: str
    value_eur: Decimal | None
    """Its value in EUR (stated, or the catalogue's unit value times the quantity)."""
    status: str
    releasability: str


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """A decision or an action item (an action carries a due date and is closed later)."""

    meeting: int
    number: int
    kind: str
    """`decision` or `action`."""
    text: str
    owner: str
    owner_name: str
    due_on: date | None
    status: str
    """`recorded` for a decision; `open`, `done` or `dropped` for an action."""
    releasability: str


@dataclass(frozen=True, slots=True)
class AreaLine:
    """Coverage of one capability area, in EUR at catalogue values."""

    area: str
    name: str
    needed_eur: Figure
    pledged_eur: Figure
    delivered_eur: Figure
    coverage: Figure
    """Share of the need pledged (0 to 1, capped per item)."""
    delivered_share: Figure
    """Share of the need delivered (0 to 1)."""


@dataclass(frozen=True, slots=True)
class MonthLine:
    """Pledged and delivered value, cumulative to a month's end."""

    month_end: date
    pledged_eur: Figure
    delivered_eur: Figure


@dataclass(frozen=True, slots=True)
class Totals:
    announcements: int
    donors: int
    value_eur: Figure


@dataclass(frozen=True, slots=True)
class FirmLine:
    """One capability area's need due in the twelve months after the meeting, and what
    committed, contracted or delivering pledges are expected to deliver of it by then."""

    area: str
    name: str
    needed_eur: Figure
    firm_eur: Figure
    announced_eur: Figure
    """Expected by then from pledges only announced (up to what is left of the need)."""
    firm_share: Figure
    """firm / needed (None also where there is no need)."""


@dataclass(frozen=True, slots=True)
class QuarterLine:
    """One quarter after the meeting: value planned and expected to arrive, the band of the
    seeded runs, and the share of the need delivered by its end as expected."""

    quarter: str
    ends_on: date
    planned_eur: Figure
    expected_eur: Figure
    low_eur: Figure
    high_eur: Figure
    coverage_expected: Figure


@dataclass(frozen=True, slots=True)
class ForecastNote:
    """How the forecast was made, so that it can be made again."""

    runs: int
    seed: int
    unscheduled_eur: Figure
    """Pledged but in no tranche yet: no date to forecast."""
    coverage_withheld: bool = False
    """The coverage of the need is withheld (a need the audience may not see counts in it)."""


@dataclass(frozen=True, slots=True)
class ShareLine:
    """One donor state's fair share of the baseline's year and what counts towards it."""

    donor: str
    name: str
    gdp_share: Decimal
    target_eur: Decimal
    counted_eur: Figure
    pooled_eur: Figure
    attainment: Figure
    gap_eur: Figure


@dataclass(frozen=True, slots=True)
class BaselineLine:
    """The agreed baseline that covers the meeting's year, for that year."""

    code: str
    name: str
    annual_eur: Decimal
    first_year: int
    last_year: int
    rules: str
    """The counting rules in words."""
    year: int
    counted_eur: Figure
    attainment: Figure
    gap_eur: Figure
    donors: tuple[ShareLine, ...]
    withheld_funds: tuple[str, ...]
    """Pooled funds whose attribution the audience may not see, left out of the count."""


@dataclass(frozen=True, slots=True)
class YearLine:
    """One year of the multi-year commitments, from the meeting's year on; `figures` is None
    where the audience may not have them."""

    year: int
    figures: YearCommitments | None


@dataclass(frozen=True, slots=True)
class ReliabilityLine:
    """How a donor, or a capability area, kept the dates promised for its tranches due by the
    meeting; `figures` is None where the audience may not have them."""

    key: str
    name: str
    figures: Reliability | None


@dataclass(frozen=True, slots=True)
class DependenceLine:
    """How much of an area's forecast rests on its largest donor; `figures` is None where the
    audience may not have them."""

    area: str
    name: str
    top_donor_name: str
    figures: AreaDependence | None


@dataclass(frozen=True, slots=True)
class Readout:
    group: str
    """The coordination group's name, as the document's heading says it."""
    number: int
    held_on: date
    format: str
    """`in_person`, `virtual` or `hybrid`."""
    venue: str
    status: str
    chair: str
    chair_name: str
    co_chairs: tuple[tuple[str, str], ...]
    """(code, name) of each co-chair."""
    audience: Audience
    log_size: int
    log_root: str
    """The Merkle root (hex) of the log at `log_size`: the read-out's provenance."""
    as_of: str
    """The time of the log's last entry at `log_size` (RFC 3339, UTC)."""
    attendance: tuple[Attendee, ...]
    announcements: tuple[Announcement, ...]
    totals: Totals
    decisions: tuple[DecisionLine, ...]
    """This meeting's decisions and actions the audience may see."""
    open_actions: tuple[DecisionLine, ...]
    """Actions of earlier meetings still open, carried to this one."""
    coverage: tuple[AreaLine, ...]
    monthly: tuple[MonthLine, ...]
    firm_funding: tuple[FirmLine, ...] = ()
    forecast: tuple[QuarterLine, ...] = ()
    forecast_note: ForecastNote | None = None
    dependence: tuple[DependenceLine, ...] = ()
    commitments: tuple[YearLine, ...] = ()
    reliability_donors: tuple[ReliabilityLine, ...] = ()
    reliability_areas: tuple[ReliabilityLine, ...] = ()
    baseline: BaselineLine | None = None
    funds: tuple[FundReport, ...] = ()
    """Each pooled fund as the audience may know it (its attribution possibly withheld)."""

    @property
    def withholds(self) -> bool:
        """Does any figure of the document fall under the small-cell rule?"""
        figures: list[Figure] = [self.totals.value_eur]
        for a in self.coverage:
            figures += [a.needed_eur, a.pledged_eur, a.delivered_eur, a.coverage, a.delivered_share]
        for m in self.monthly:
            figures += [m.pledged_eur, m.delivered_eur]
        for f in self.firm_funding:
            figures += [f.needed_eur, f.firm_eur, f.announced_eur]
        for q in self.forecast:
            figures += [q.planned_eur, q.expected_eur, q.low_eur, q.high_eur]
        if self.forecast_note is not None:
            figures.append(self.forecast_note.unscheduled_eur)
            if self.forecast_note.coverage_withheld:
                return True
        if self.baseline is not None:
            figures += [self.baseline.counted_eur, self.baseline.gap_eur]
            figures += [d.counted_eur for d in self.baseline.donors]
        lines: list[DependenceLine | ReliabilityLine | YearLine] = [*self.dependence]
        lines += self.commitments
        lines += [*self.reliability_donors, *self.reliability_areas]
        return (
            any(f is None for f in figures)
            or any(line.figures is None for line in lines)
            or not all(f.attributed for f in self.funds)
        )


class Format(StrEnum):
    MARKDOWN = "md"
    HTML = "html"
    PDF = "pdf"

    @property
    def media_type(self) -> str:
        return {
            Format.MARKDOWN: "text/markdown; charset=utf-8",
            Format.HTML: "text/html; charset=utf-8",
            Format.PDF: "application/pdf",
        }[self]
