"""A read-out as a document: Markdown, HTML or PDF, with the same content in each.

The read-out is first laid out as a `Page` (headings, facts, tables of text cells, notes),
whose every figure is already written the one way the document writes it: EUR in whole euros
with thousands separators, shares as percentages to one decimal, dates as `2 December 2026`,
"withheld" where the small-cell rule withholds a figure and "—" where none is known. The
templates `templates/readout.md.j2` and `templates/readout.html.j2` only arrange that page, so
the formats cannot disagree. The HTML page is self-contained (inline CSS and SVG charts) and
carries A4 print rules; the PDF is that page printed by WeasyPrint.

Nothing depends on the clock, the locale or chance: the same read-out gives the same bytes in
every format. The PDF's dates come from the read-out's `as_of` and its identifier from the
log position it was generated at.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ramstein.domain.errors import DomainError
from ramstein.reports.charts import (
    coverage_caption,
    coverage_chart,
    forecast_caption,
    forecast_chart,
    monthly_caption,
    monthly_chart,
    share_text,
)
from ramstein.reports.forecast import a_year_after
from ramstein.reports.readout import (
    DecisionLine,
    DependenceLine,
    Figure,
    FirmLine,
    Format,
    Readout,
    ReliabilityLine,
    YearLine,
)

__all__ = ["render", "render_html", "render_markdown", "render_pdf"]

WITHHELD = "withheld"
UNKNOWN = "—"
FOOTNOTE = (
    "withheld: the figure includes non-public records from fewer than 3 donors (small-cell rule)"
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|$~")
"""Characters that Markdown (with GitHub's tables, strikethrough and maths) would read as
markup: escaped with a backslash in every value written."""


# --- the page -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell's text; `mark` is `withheld`, `overdue` or empty, for styling."""

    text: str
    mark: str = ""


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    numeric: bool = False
    """Right-aligned; its text does not wrap."""


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Chart:
    svg: Markup
    caption: str


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    """The section's HTML id."""
    title: str
    table: Table | None
    """None when the section has nothing to list; `empty` then says so."""
    empty: str
    notes: tuple[str, ...] = ()
    chart: Chart | None = None
    """Drawn in HTML and PDF only: in Markdown the table carries the same figures."""


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    date: str
    facts: tuple[tuple[str, str], ...]
    """(label, text) lines under the heading: format, venue, chair, audience, …"""
    audience: str
    provenance: str
    sections: tuple[Section, ...]
    footnote: str | None
    created: str | None
    """`as_of` as a W3C date-time for the HTML and PDF metadata, None if it does not parse."""


def page(readout: Readout, *, charts: bool = True) -> Page:
    """The read-out laid out as a document, every figure written as the document writes it;
    without its charts if `charts` is false."""
    sections = (
        _attendance(readout),
        _announcements(readout),
        _decisions(readout),
        _open_actions(readout),
        _coverage(readout, charts),
        _monthly(readout, charts),
        _firm_funding(readout),
        _forecast(readout, charts),
        _dependence(readout),
        _commitments(readout),
        _reliability(readout, "donor", readout.reliability_donors),
        _reliability(readout, "area", readout.reliability_areas),
        _baseline(readout),
        _funds(readout),
    )
    withholds = readout.withholds or any(
        cell.mark == WITHHELD
        for section in sections
        if section.table is not None
        for row in section.table.rows
        for cell in row
    )
    facts = [
        ("Format", _human(readout.format)),
        ("Venue", readout.venue or UNKNOWN),
        ("Chair", _named(readout.chair, readout.chair_name)),
    ]
    if readout.co_chairs:
        label = "Co-chair" if len(readout.co_chairs) == 1 else "Co-chairs"
        facts.append((label, ", ".join(_named(code, name) for code, name in readout.co_chairs)))
    facts += [
        ("Meeting status", _human(readout.status)),
        ("Audience", readout.audience.title),
    ]
    return Page(
        title=f"{readout.group} — meeting {readout.number} read-out",
        date=_date(readout.held_on),
        facts=tuple(facts),
        audience=readout.audience.title,
        provenance=(
            f"Generated from the coalition's log at entry {readout.log_size} "
            f"(root {readout.log_root[:16]}…, {readout.as_of})"
        ),
        sections=sections,
        footnote=FOOTNOTE if withholds else None,
        created=_w3c_datetime(readout.as_of),
    )


def _attendance(readout: Readout) -> Section:
    columns = (Column("Participant"), Column("Code"), Column("Level"))
    rows = tuple(
        (Cell(a.name or a.code), Cell(a.code), Cell(_human(a.level))) for a in readout.attendance
    )
    return Section(
        "attendance",
        "Attendance",
        Table(columns, rows) if rows else None,
        "No attendance recorded.",
    )


def _announcements(readout: Readout) -> Section:
    columns = (
        Column("Pledge", numeric=True),
        Column("Donor"),
        Column("Item"),
        Column("Quantity", numeric=True),
        Column("Value (EUR)", numeric=True),
        Column("Status"),
    )
    rows = tuple(
        (
            Cell(str(a.pledge)),
            Cell(_named(a.donor, a.donor_name)),
            Cell(a.item_name or a.item),
            Cell(f"{a.quantity:,} {a.unit}".strip()),
            Cell(UNKNOWN if a.value_eur is None else eur_text(a.value_eur)),
            Cell(_human(a.status)),
        )
        for a in readout.announcements
    )
    totals = readout.totals
    notes: tuple[str, ...] = ()
    if totals.announcements:
        value = WITHHELD if totals.value_eur is None else f"EUR {eur_text(totals.value_eur)}"
        notes = (
            f"In total: {_count(totals.announcements, 'announcement')} by "
            f"{_count(totals.donors, 'donor')}; total value {value}.",
        )
    empty = (
        "No announcement is shown to this audience."
        if totals.announcements
        else "No announcements."
    )
    return Section(
        "announcements", "Announcements", Table(columns, rows) if rows else None, empty, notes
    )


def _decisions(readout: Readout) -> Section:
    columns = (
        Column("No.", numeric=True),
        Column("Kind"),
        Column("Text"),
        Column("Owner"),
        Column("Due"),
        Column("Status"),
    )
    rows = tuple(_decision_row(line, readout.held_on) for line in readout.decisions)
    return Section(
        "decisions",
        "Decisions and action items",
        Table(columns, rows) if rows else None,
        "No decisions or action items.",
    )


def _open_actions(readout: Readout) -> Section:
    columns = (
        Column("No.", numeric=True),
        Column("From meeting", numeric=True),
        Column("Kind"),
        Column("Text"),
        Column("Owner"),
        Column("Due"),
        Column("Status"),
    )
    rows = tuple(
        (row[0], Cell(str(line.meeting)), *row[1:])
        for line in readout.open_actions
        for row in [_decision_row(line, readout.held_on)]
    )
    overdue = sum(_overdue(line, readout.held_on) for line in readout.open_actions)
    notes = (
        (
            f"{_count(overdue, 'action item')} {'is' if overdue == 1 else 'are'} overdue: "
            f"due before {_date(readout.held_on)}.",
        )
        if overdue
        else ()
    )
    return Section(
        "open-actions",
        "Open action items from earlier meetings",
        Table(columns, rows) if rows else None,
        "No open action items from earlier meetings.",
        notes,
    )


def _decision_row(line: DecisionLine, held_on: date) -> tuple[Cell, ...]:
    overdue = _overdue(line, held_on)
    mark = "overdue" if overdue else ""
    status = _human(line.status)
    return (
        Cell(f"{line.meeting}/{line.number}"),
        Cell(_human(line.kind)),
        Cell(line.text),
        Cell(_named(line.owner, line.owner_name) if line.owner else UNKNOWN),
        Cell(UNKNOWN if line.due_on is None else _date(line.due_on), mark),
        Cell(f"{status}, overdue" if overdue else status, mark),
    )


def _overdue(line: DecisionLine, held_on: date) -> bool:
    return (
        line.kind == "action"
        and line.status == "open"
        and line.due_on is not None
        and line.due_on < held_on
    )


def _coverage(readout: Readout, chart: bool) -> Section:
    columns = (
        Column("Area"),
        Column("Needed (EUR)", numeric=True),
        Column("Pledged (EUR)", numeric=True),
        Column("Delivered (EUR)", numeric=True),
        Column("Coverage", numeric=True),
        Column("Delivered share", numeric=True),
    )
    rows = tuple(
        (
            Cell(_named(a.area, a.name)),
            _eur_cell(a.needed_eur),
            _eur_cell(a.pledged_eur),
            _eur_cell(a.delivered_eur),
            _share_cell(a.coverage),
            _share_cell(a.delivered_share),
        )
        for a in readout.coverage
    )
    svg = coverage_chart(readout) if chart else None
    return Section(
        "coverage",
        "Coverage by capability area",
        Table(columns, rows) if rows else None,
        "No coverage figures.",
        chart=None if svg is None else Chart(Markup(svg), coverage_caption(readout)),
    )


def _monthly(readout: Readout, chart: bool) -> Section:
    columns = (
        Column("Month end"),
        Column("Pledged, cumulative (EUR)", numeric=True),
        Column("Delivered, cumulative (EUR)", numeric=True),
    )
    rows = tuple(
        (Cell(_date(m.month_end)), _eur_cell(m.pledged_eur), _eur_cell(m.delivered_eur))
        for m in readout.monthly
    )
    svg = monthly_chart(readout) if chart else None
    return Section(
        "monthly",
        "Pledged and delivered by month",
        Table(columns, rows) if rows else None,
        "No monthly figures.",
        chart=None if svg is None else Chart(Markup(svg), monthly_caption(readout)),
    )


def _firm_funding(readout: Readout) -> Section:
    columns = (
        Column("Area"),
        Column("Need due (EUR)", numeric=True),
        Column("Firm (EUR)", numeric=True),
        Column("Announced only (EUR)", numeric=True),
        Column("Firmly funded", numeric=True),
    )
    rows = tuple(
        (
            Cell(_named(f.area, f.name)),
            _eur_cell(f.needed_eur),
            _eur_cell(f.firm_eur),
            _eur_cell(f.announced_eur),
            _firm_share_cell(f),
        )
        for f in readout.firm_funding
    )
    until = _date(a_year_after(readout.held_on))
    return Section(
        "firm-funding",
        "Firmly funded for the next 12 months",
        Table(columns, rows) if rows else None,
        "No need falls due and no tranche is expected in the next 12 months.",
        (
            f"The need due by {until} at catalogue values, and what the tranches expected by "
            "then deliver of it, each item up to its need: firm from committed, contracted or "
            "delivering pledges, the rest from pledges only announced.",
        ),
    )


def _firm_share_cell(line: FirmLine) -> Cell:
    if line.needed_eur is None or line.firm_eur is None:
        return Cell(WITHHELD, WITHHELD)
    return Cell(UNKNOWN if line.firm_share is None else share_text(line.firm_share))


def _forecast(readout: Readout, chart: bool) -> Section:
    note = readout.forecast_note
    columns = (
        Column("Quarter"),
        Column("Planned (EUR)", numeric=True),
        Column("Expected (EUR)", numeric=True),
        Column("Likely range (EUR)", numeric=True),
        Column("Need delivered, expected", numeric=True),
    )
    rows = tuple(
        (
            Cell(f"{q.quarter} (to {_date(q.ends_on)})"),
            _eur_cell(q.planned_eur),
            _eur_cell(q.expected_eur),
            Cell(WITHHELD, WITHHELD)
            if q.low_eur is None or q.high_eur is None
            else Cell(f"{eur_text(q.low_eur)} – {eur_text(q.high_eur)}"),
            _coverage_cell(
                q.coverage_expected,
                q.expected_eur is None or (note is not None and note.coverage_withheld),
            ),
        )
        for q in readout.forecast
    )
    notes: list[str] = []
    if note is not None:
        notes.append(
            "Value arriving in each quarter: as the tranches plan it, and as expected from "
            f"each donor's record of delays over {note.runs} seeded runs (seed {note.seed}); "
            "the likely range holds the middle 80 % of the runs."
        )
        if note.unscheduled_eur is None or note.unscheduled_eur:
            value = (
                WITHHELD
                if note.unscheduled_eur is None
                else f"EUR {eur_text(note.unscheduled_eur)}"
            )
            notes.append(f"Pledged but in no tranche yet, so not forecast: {value}.")
    svg = forecast_chart(readout) if chart else None
    return Section(
        "forecast",
        "Forecast of deliveries",
        Table(columns, rows) if rows else None,
        "No forecast.",
        tuple(notes),
        chart=None if svg is None else Chart(Markup(svg), forecast_caption(readout)),
    )


def _dependence(readout: Readout) -> Section:
    columns = (
        Column("Area"),
        Column("Expected over the forecast (EUR)", numeric=True),
        Column("Donors", numeric=True),
        Column("Largest donor"),
        Column("Its share", numeric=True),
    )

    def row(line: DependenceLine) -> tuple[Cell, ...]:
        d = line.figures
        if d is None:
            return _withheld_row(_named(line.area, line.name), len(columns))
        return (
            Cell(_named(line.area, line.name)),
            Cell(eur_text(d.expected_eur)),
            Cell(str(d.donors)),
            Cell(_named(d.top_donor, line.top_donor_name) if d.top_donor else UNKNOWN),
            Cell(UNKNOWN if d.top_donor_share is None else share_text(d.top_donor_share)),
        )

    rows = tuple(row(line) for line in readout.dependence)
    return Section(
        "dependence",
        "Dependence on single donors",
        Table(columns, rows) if rows else None,
        "Nothing is expected to arrive over the forecast's quarters.",
        (
            "Of the value each area is expected to receive over the forecast's quarters, the "
            "share its largest donor brings: what the area would lose if that donor stopped.",
        ),
    )


def _commitments(readout: Readout) -> Section:
    columns = (
        Column("Year"),
        Column("Committed (EUR)", numeric=True),
        Column("Indicative (EUR)", numeric=True),
        Column("Delivered (EUR)", numeric=True),
        Column("Not planned by year (EUR)", numeric=True),
        Column("Total (EUR)", numeric=True),
    )

    def row(line: YearLine) -> tuple[Cell, ...]:
        y = line.figures
        if y is None:
            return _withheld_row(str(line.year), len(columns))
        amounts = (y.committed_eur, y.indicative_eur, y.delivered_eur, y.unplanned_eur)
        return (
            Cell(str(line.year)),
            *(Cell(eur_text(v)) for v in amounts),
            Cell(eur_text(y.total_eur)),
        )

    rows = tuple(row(line) for line in readout.commitments)
    return Section(
        "commitments",
        "Multi-year commitments",
        Table(columns, rows) if rows else None,
        "No pledge covers the years ahead.",
        (
            "What the pledges put in each year from the meeting's: the amount each donor plans "
            "for a year, by how firm it is, and the value of pledges that plan no amount for a "
            "year shared equally by their years.",
        ),
    )


def _withheld_row(first: str, width: int) -> tuple[Cell, ...]:
    """A line whose figures the audience may not have: its name, then "withheld"."""
    return (Cell(first), *[Cell(WITHHELD, WITHHELD)] * (width - 1))


def _reliability(readout: Readout, by: str, lines: tuple[ReliabilityLine, ...]) -> Section:
    columns = (
        Column(by.capitalize()),
        Column("Tranches due", numeric=True),
        Column("On time", numeric=True),
        Column("Mean days late", numeric=True),
        Column("90th percentile days late", numeric=True),
    )

    def row(line: ReliabilityLine) -> tuple[Cell, ...]:
        r = line.figures
        if r is None:
            return _withheld_row(_named(line.key, line.name), len(columns))
        on_time = UNKNOWN if r.on_time_share is None else share_text(r.on_time_share)
        return (
            Cell(_named(line.key, line.name)),
            Cell(str(r.due)),
            Cell(f"{r.on_time} ({on_time})"),
            Cell(UNKNOWN if r.mean_slip_days is None else f"{r.mean_slip_days:.1f}"),
            Cell(UNKNOWN if r.p90_slip_days is None else str(r.p90_slip_days)),
        )

    rows = tuple(row(line) for line in lines)
    return Section(
        f"reliability-{by}",
        f"Promised and actual delivery dates, by {by}",
        Table(columns, rows) if rows else None,
        f"No tranche was due by {_date(readout.held_on)}.",
        (
            f"Every tranche promised by {_date(readout.held_on)}: on time when the dispatch "
            "that completes it is no later than the date first promised; an undelivered "
            "tranche counts the days since that date.",
        )
        if by == "donor"
        else (),
    )


def _coverage_cell(value: Figure, withheld: bool) -> Cell:
    if value is None:
        return Cell(WITHHELD, WITHHELD) if withheld else Cell(UNKNOWN)
    return Cell(share_text(value))


def _baseline(readout: Readout) -> Section:
    b = readout.baseline
    columns = (
        Column("Donor"),
        Column("GDP share", numeric=True),
        Column("Target (EUR)", numeric=True),
        Column("Counted (EUR)", numeric=True),
        Column("Through pooled funds (EUR)", numeric=True),
        Column("Attainment", numeric=True),
        Column("Gap (EUR)", numeric=True),
    )
    if b is None:
        return Section(
            "baseline",
            "Fair-share baseline",
            None,
            f"No agreed baseline covers {readout.held_on.year}.",
        )
    rows = tuple(
        (
            Cell(_named(d.donor, d.name)),
            Cell(share_text(d.gdp_share)),
            Cell(eur_text(d.target_eur)),
            _eur_cell(d.counted_eur),
            _eur_cell(d.pooled_eur),
            _share_cell(d.attainment),
            _eur_cell(d.gap_eur),
        )
        for d in b.donors
    )
    counted = WITHHELD if b.counted_eur is None else f"EUR {eur_text(b.counted_eur)}"
    attained = WITHHELD if b.attainment is None else share_text(b.attainment)
    gap = WITHHELD if b.gap_eur is None else f"EUR {eur_text(b.gap_eur)}"
    notes = [
        f"{b.name} ({b.code}): EUR {eur_text(b.annual_eur)} a year, {b.first_year}–"
        f"{b.last_year}, shared by GDP among the donor states with a GDP on record. What "
        f"counts: {b.rules}.",
        f"In {b.year}: counted {counted} of EUR {eur_text(b.annual_eur)} ({attained}); the "
        f"states short of their share miss {gap}.",
    ]
    if b.withheld_funds:
        notes.append(
            "Left out of the count, their attribution not releasable to this audience: "
            + ", ".join(b.withheld_funds)
            + "."
        )
    return Section(
        "baseline",
        f"Fair-share baseline, {b.year}",
        Table(columns, rows) if rows else None,
        "No donor state has a GDP on record.",
        tuple(notes),
    )


def _funds(readout: Readout) -> Section:
    columns = (
        Column("Fund"),
        Column("Contributor"),
        Column("Contributed (EUR)", numeric=True),
        Column("Share", numeric=True),
        Column("Delivered, attributed (EUR)", numeric=True),
    )
    rows = tuple(
        (
            Cell(_named(f.fund, f.name)),
            Cell(_named(a.contributor, a.name)),
            Cell(eur_text(a.contributed_eur)),
            _share_cell(a.share),
            _eur_cell(a.delivered_eur),
        )
        for f in readout.funds
        for a in f.attributions
    )
    notes = tuple(
        f"{_named(f.fund, f.name)}: {_count(f.contributions, 'contribution')} of EUR "
        f"{eur_text(f.contributed_eur)} (EUR {eur_text(f.paid_eur)} paid); "
        f"{_count(f.packages, 'package')} worth EUR {eur_text(f.packaged_eur)}, of which EUR "
        f"{eur_text(f.delivered_eur)} delivered"
        + ("." if f.attributed else "; whose share it is is withheld.")
        for f in readout.funds
    )
    return Section(
        "funds",
        "Pooled funds",
        Table(columns, rows) if rows else None,
        "No pooled fund." if not readout.funds else "No contribution is shown to this audience.",
        notes,
    )


# --- writing figures ----------------------------------------------------------------------


def eur_text(value: Decimal) -> str:
    """An amount in EUR as the document writes it: whole euros, thousands separated."""
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP) + 0
    return f"{whole:,f}"


def _eur_cell(value: Figure) -> Cell:
    return Cell(WITHHELD, WITHHELD) if value is None else Cell(eur_text(value))


def _share_cell(value: Figure) -> Cell:
    return Cell(WITHHELD, WITHHELD) if value is None else Cell(share_text(value))


def _date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _human(word: str) -> str:
    text = word.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else UNKNOWN


def _named(code: str, name: str) -> str:
    return f"{name} ({code})" if name and name != code else code or UNKNOWN


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _w3c_datetime(text: str) -> str | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def markdown_text(value: object) -> str:
    """`value` as Markdown text that reads as itself: markup characters and `|` escaped, line
    breaks as `<br>` so a table row stays on one line."""
    text = "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in str(value))
    return "<br>".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


# --- rendering ----------------------------------------------------------------------------


@cache
def _environment(markdown: bool) -> Environment:
    """The templates' environment: HTML autoescaped; in Markdown every value is escaped by
    `markdown_text` on output."""
    return Environment(
        loader=PackageLoader("ramstein.reports"),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=markdown_text if markdown else None,
    )


def render_markdown(readout: Readout) -> str:
    """The read-out as GitHub-flavoured Markdown (tables, no charts)."""
    template = _environment(markdown=True).get_template("readout.md.j2")
    return template.render(page=page(readout, charts=False))


def render_html(readout: Readout) -> str:
    """The read-out as one self-contained HTML page with inline CSS and SVG charts."""
    template = _environment(markdown=False).get_template("readout.html.j2")
    return template.render(page=page(readout))


class PdfUnavailable(DomainError):
    """This host cannot print PDF: WeasyPrint's system libraries are missing."""

    code = "pdf-unavailable"


def render_pdf(readout: Readout) -> bytes:
    """The read-out's HTML page printed on A4 by WeasyPrint, as PDF bytes.

    Raises `PdfUnavailable` when WeasyPrint cannot load its system libraries.
    """
    try:
        from weasyprint import HTML  # loads Pango when first imported: only PDF needs it
    except OSError as error:
        raise PdfUnavailable(
            "PDF read-outs need Pango and HarfBuzz on this host (Debian: apt-get install "
            "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core); "
            "Markdown and HTML work without them."
        ) from error

    pdf: bytes = HTML(string=render_html(readout)).write_pdf(
        pdf_identifier=_pdf_identifier(readout)
    )
    return pdf


def _pdf_identifier(readout: Readout) -> bytes:
    """The PDF's permanent identifier: the read-out's meeting, audience and log position."""
    key = "\n".join(
        (
            readout.group,
            str(readout.number),
            readout.audience.key,
            str(readout.log_size),
            readout.log_root,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32].encode()


def render(readout: Readout, fmt: Format) -> bytes:
    """The read-out in `fmt`, as the bytes of a file (Markdown and HTML in UTF-8)."""
    match Format(fmt):
        case Format.PDF:
            return render_pdf(readout)
        case Format.HTML:
            return render_html(readout).encode()
        case Format.MARKDOWN:
            return render_markdown(readout).encode()
