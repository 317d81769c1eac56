"""Rendering a read-out: what a reader finds in each format, and the same bytes every time."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest

from ramstein.reports import charts
from ramstein.reports.analytics import Reliability, YearCommitments
from ramstein.reports.forecast import AreaDependence
from ramstein.reports.funds import Attribution, FundReport
from ramstein.reports.readout import (
    Announcement,
    AreaLine,
    Attendee,
    Audience,
    AudienceKind,
    BaselineLine,
    DecisionLine,
    DependenceLine,
    FirmLine,
    ForecastNote,
    Format,
    MonthLine,
    QuarterLine,
    Readout,
    ReliabilityLine,
    ShareLine,
    Totals,
    YearLine,
)
from ramstein.reports.render import eur_text, render, render_html, render_markdown, render_pdf
from tests.conftest import require

D = Decimal
ROOT = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PROVENANCE = (
    "Generated from the coalition's log at entry 4821 "
    "(root 9f86d081884c7d65…, 2026-12-02T16:40:05Z)"
)
DECISION = "Set up a winter <script>alert(1)</script> air-defence | ammunition cell"


def _announcement(
    pledge: int, donor: str, item: str, quantity: int, unit: str, value: Decimal | None
) -> Announcement:
    names = {"DEU": "Germany", "POL": "Poland", "iris-t": "IRIS-T SLM fire unit"}
    return Announcement(
        pledge=pledge,
        donor=donor,
        donor_name=names[donor],
        item=item,
        item_name=names.get(item, item.replace("-", " ").capitalize()),
        area="air" if item == "iris-t" else "arty",
        quantity=quantity,
        unit=unit,
        value_eur=value,
        status="committed" if value else "announced",
        releasability="public",
    )


def _line(meeting: int, number: int, text: str, due_on: date | None = None) -> DecisionLine:
    owners = {1: ("DEU", "Germany"), 2: ("POL", "Poland"), 4: ("GBR", "United Kingdom")}
    return DecisionLine(
        meeting=meeting,
        number=number,
        kind="decision" if due_on is None else "action",
        text=text,
        owner=owners[number][0],
        owner_name=owners[number][1],
        due_on=due_on,
        status="recorded" if due_on is None else "open",
        releasability="coalition",
    )


def _readout() -> Readout:
    """Two attendees, three announcements (one of no known value), a decision and an action,
    an overdue action carried from meeting 29, three areas (one withheld), four months (one
    withheld); two areas' firm funding (one withheld), two quarters' forecast (one withheld),
    the baseline's year with two donor states (one's count withheld), one pooled fund."""
    return Readout(
        group="Ukraine Defense Contact Group",
        number=31,
        held_on=date(2026, 12, 2),
        format="in_person",
        venue="Ramstein Air Base",
        status="held",
        chair="DEU",
        chair_name="Germany",
        co_chairs=(("GBR", "United Kingdom"),),
        audience=Audience(AudienceKind.COALITION),
        log_size=4821,
        log_root=ROOT,
        as_of="2026-12-02T16:40:05Z",
        attendance=(
            Attendee("DEU", "Germany", "minister"),
            Attendee("POL", "Poland", "deputy_minister"),
        ),
        announcements=(
            _announcement(101, "DEU", "iris-t", 2, "unit", D("280000000")),
            _announcement(102, "POL", "shell-155", 20000, "round", D("84000000.50")),
            _announcement(103, "DEU", "demining-kit", 50, "kit", None),
        ),
        totals=Totals(announcements=3, donors=2, value_eur=None),
        decisions=(
            _line(31, 1, DECISION),
            _line(31, 2, "Report on spare parts\nby calibre", date(2027, 1, 15)),
        ),
        open_actions=(_line(29, 4, "Survey repair capacity", date(2026, 11, 1)),),
        coverage=(
            AreaLine(
                area="air",
                name="Air defence",
                needed_eur=D("900000000"),
                pledged_eur=D("560000000"),
                delivered_eur=D("140000000"),
                coverage=D("0.622222"),
                delivered_share=D("0.155556"),
            ),
            AreaLine(
                area="arty",
                name="Artillery",
                needed_eur=D("400000000"),
                pledged_eur=D("84000000"),
                delivered_eur=D("0"),
                coverage=D("0.21"),
                delivered_share=D("0"),
            ),
            AreaLine("eng", "Engineering and demining", None, None, None, None, None),
        ),
        monthly=(
            MonthLine(date(2026, 9, 30), D("120000000"), D("10000000")),
            MonthLine(date(2026, 10, 31), D("300000000"), D("60000000")),
            MonthLine(date(2026, 11, 30), None, None),
            MonthLine(date(2026, 12, 31), D("644000000"), D("140000000")),
        ),
        firm_funding=(
            FirmLine(
                "air", "Air defence", D("900000000"), D("300000000"), D("50000000"), D("0.333333")
            ),
            FirmLine("eng", "Engineering and demining", None, None, None, None),
        ),  # fmt: skip
        forecast=(
            QuarterLine(
                "2027-Q1",
                date(2027, 3, 31),
                D("200000000"),
                D("150000000"),
                D("120000000"),
                D("190000000"),
                D("0.25"),
            ),
            QuarterLine("2027-Q2", date(2027, 6, 30), None, None, None, None, None),
        ),  # fmt: skip
        forecast_note=ForecastNote(runs=200, seed=31, unscheduled_eur=D("12000000")),
        dependence=(
            DependenceLine(
                "air-defence",
                "Air defence",
                "Germany",
                AreaDependence("air-defence", D("90000000"), 3, "DEU", D("0.61"), D("0"), None),
            ),
            DependenceLine("engineering", "Engineering and demining", "", None),
        ),  # fmt: skip
        commitments=(
            YearLine(2026, YearCommitments(2026, D(5e8), D(0), D(1e8), D("2.5e8"), 12, 40)),
            YearLine(2027, None),
        ),
        reliability_donors=(
            ReliabilityLine("DEU", "Germany", Reliability("DEU", 12, 9, D("0.75"), D("6.5"), 21)),
            ReliabilityLine("GBR", "United Kingdom", None),
        ),
        reliability_areas=(
            ReliabilityLine(
                "air-defence", "Air defence", Reliability("air-defence", 4, 4, D("1"), D("0"), 0)
            ),
        ),
        baseline=BaselineLine(
            code="annual",
            name="Annual baseline",
            annual_eur=D("40000000000"),
            first_year=2026,
            last_year=2028,
            rules="stocks, funding; every area; pooled contributions count in the year pledged",
            year=2026,
            counted_eur=D("30000000000"),
            attainment=D("0.75"),
            gap_eur=D("12000000000"),
            donors=(
                ShareLine(
                    "DEU",
                    "Germany",
                    D("0.25"),
                    D("10000000000"),
                    D("8000000000"),
                    D("1000000000"),
                    D("0.8"),
                    D("2000000000"),
                ),
                ShareLine("POL", "Poland", D("0.05"), D("2000000000"), None, None, None, None),
            ),
            withheld_funds=(),
        ),  # fmt: skip
        funds=(
            FundReport(
                fund="PUF",
                name="Procurement fund",
                contributions=3,
                contributed_eur=D("90000000"),
                paid_eur=D("60000000"),
                packages=1,
                packaged_eur=D("80000000"),
                delivered_eur=D("40000000"),
                attributions=(
                    Attribution(
                        "DEU",
                        "Germany",
                        D("60000000"),
                        D("60000000"),
                        D("0.666667"),
                        D("26666666.67"),
                    ),
                    Attribution(
                        "GBR",
                        "United Kingdom",
                        D("30000000"),
                        D("0"),
                        D("0.333333"),
                        D("13333333.33"),
                    ),
                ),
                attributed=True,
                unattributed_eur=D("0"),
            ),
        ),  # fmt: skip
    )


READOUT = _readout()
EMPTY = replace(
    READOUT,
    attendance=(),
    announcements=(),
    totals=Totals(0, 0, D(0)),
    decisions=(),
    open_actions=(),
    coverage=(),
    monthly=(),
    firm_funding=(),
    forecast=(),
    forecast_note=None,
    dependence=(),
    commitments=(),
    reliability_donors=(),
    reliability_areas=(),
    baseline=None,
    funds=(),
)


def _weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        require(f"WeasyPrint cannot load its system libraries ({error})")


@pytest.fixture(scope="module")
def pdfs() -> tuple[bytes, bytes]:
    """The fixture's PDF, rendered twice."""
    _weasyprint()
    return render_pdf(READOUT), render_pdf(READOUT)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        require(f"{name} (poppler-utils) is not installed")
    assert path is not None
    return path


# --- content ------------------------------------------------------------------------------

KEY_FACTS = (
    "Ukraine Defense Contact Group — meeting 31 read-out",
    "2 December 2026",
    "Coalition members",
    "Germany (DEU)",
    "United Kingdom (GBR)",
    "Deputy minister",
    "Ramstein Air Base",
    "Air defence",
    "Engineering and demining",
    "withheld",
    "280,000,000",
    "84,000,001",  # 84,000,000.50 to whole euros
    "31/1",
    "29/4",
    "30 November 2026",
)


def test_dependence_and_delivery_dates_read_as_a_person_would_say_them() -> None:
    md = render_markdown(READOUT)
    assert "| Air defence (air-defence) | 90,000,000 | 3 | Germany (DEU) | 61.0 % |" in md
    engineering = "| Engineering and demining (engineering) |" + " withheld |" * 4
    assert engineering in md
    assert "| Germany (DEU) | 12 | 9 (75.0 %) | 6.5 | 21 |" in md
    assert "| United Kingdom (GBR) |" + " withheld |" * 4 in md
    assert "| 2026 | 500,000,000 | 0 | 100,000,000 | 250,000,000 | 850,000,000 |" in md
    assert "| 2027 |" + " withheld |" * 5 in md


def test_markdown_has_the_key_facts_in_order() -> None:
    md = render_markdown(READOUT)
    for fact in (*KEY_FACTS, PROVENANCE):
        assert fact in md, fact
    assert "Set up a winter \\<script\\>alert\\(1\\)" not in md  # only markup characters
    assert "Set up a winter \\<script\\>alert(1)\\</script\\> air-defence \\| ammunition" in md
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Attendance",
        "## Announcements",
        "## Decisions and action items",
        "## Open action items from earlier meetings",
        "## Coverage by capability area",
        "## Pledged and delivered by month",
        "## Firmly funded for the next 12 months",
        "## Forecast of deliveries",
        "## Dependence on single donors",
        "## Multi-year commitments",
        "## Promised and actual delivery dates, by donor",
        "## Promised and actual delivery dates, by area",
        "## Fair-share baseline, 2026",
        "## Pooled funds",
    ]
    assert "In total: 3 announcements by 2 donors; total value withheld." in md
    assert md.rstrip().endswith(
        "withheld: the figure includes non-public records from fewer than 3 donors "
        "(small-cell rule)."
    )
    assert "<svg" not in md


def test_html_has_the_key_facts_and_escapes_text() -> None:
    html = render_html(READOUT)
    text = unescape(html)
    for fact in (*KEY_FACTS, PROVENANCE):
        assert fact in text, fact
    assert "<script>" not in html
    assert "Set up a winter &lt;script&gt;alert(1)&lt;/script&gt; air-defence | ammunition" in html
    assert "small-cell rule" in html
    assert html.count("<svg") == 3
    assert "Share of each capability area" in html and "Value expected to arrive" in html


def test_html_is_self_contained_with_print_rules() -> None:
    html = render_html(READOUT)
    assert not re.search(r"<link|<script|@import|\bsrc=|href=\"(?!#)", html)
    assert "@page" in html and "counter(page)" in html and "size: A4" in html
    assert '<meta name="dcterms.created" content="2026-12-02T16:40:05Z">' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "two charts on one page share an id"


def test_the_value_of_an_announcement_unknown_is_a_dash_not_withheld() -> None:
    md = render_markdown(READOUT)
    (row,) = [line for line in md.splitlines() if line.startswith("| 103 ")]
    assert "| — |" in row and "withheld" not in row


def _row(md: str, section: str, start: str) -> str:
    """The one row of `section`'s table that starts with `start`."""
    text = md.split(f"\n## {section}", 1)[1].split("\n## ", 1)[0]
    (row,) = [line for line in text.splitlines() if line.startswith(start)]
    return row


def test_the_long_term_sections_give_their_figures_and_withhold_what_they_must() -> None:
    md = render_markdown(READOUT)
    assert _row(md, "Firmly funded", "| Air defence (air) ") == (
        "| Air defence (air) | 900,000,000 | 300,000,000 | 50,000,000 | 33.3 % |"
    )
    assert _row(md, "Firmly funded", "| Engineering and demining (eng) ").endswith(
        "| withheld | withheld | withheld | withheld |"
    )
    assert "The need due by 2 December 2027" in md
    assert _row(md, "Forecast", "| 2027-Q1 ") == (
        "| 2027-Q1 (to 31 March 2027) | 200,000,000 | 150,000,000 | 120,000,000 – 190,000,000 "
        "| 25.0 % |"
    )
    assert _row(md, "Forecast", "| 2027-Q2 ").count("withheld") == 4
    assert "over 200 seeded runs (seed 31)" in md
    assert "Pledged but in no tranche yet, so not forecast: EUR 12,000,000." in md
    assert "Annual baseline (annual): EUR 40,000,000,000 a year, 2026–2028, shared by GDP" in md
    assert "In 2026: counted EUR 30,000,000,000 of EUR 40,000,000,000 (75.0 %)" in md
    assert _row(md, "Fair-share", "| Germany (DEU) ") == (
        "| Germany (DEU) | 25.0 % | 10,000,000,000 | 8,000,000,000 | 1,000,000,000 | 80.0 % "
        "| 2,000,000,000 |"
    )
    assert _row(md, "Fair-share", "| Poland (POL) ") == (
        "| Poland (POL) | 5.0 % | 2,000,000,000 | withheld | withheld | withheld | withheld |"
    )
    assert _row(md, "Pooled funds", "| Procurement fund (PUF) | Germany (DEU) ") == (
        "| Procurement fund (PUF) | Germany (DEU) | 60,000,000 | 66.7 % | 26,666,667 |"
    )
    assert (
        "Procurement fund (PUF): 3 contributions of EUR 90,000,000 (EUR 60,000,000 paid); "
        "1 package worth EUR 80,000,000, of which EUR 40,000,000 delivered." in md
    )


def test_a_fund_whose_attribution_is_withheld_says_so() -> None:
    fund = replace(
        READOUT.funds[0],
        attributions=tuple(replace(a, share=None, delivered_eur=None) for a in
                           READOUT.funds[0].attributions),
        attributed=False,
    )  # fmt: skip
    readout = replace(EMPTY, funds=(fund,))
    md = render_markdown(readout)
    assert readout.withholds and "whose share it is is withheld." in md
    assert _row(md, "Pooled funds", "| Procurement fund (PUF) | Germany (DEU) ").endswith(
        "| withheld | withheld |"
    )
    assert "small-cell rule" in md


def test_carried_overdue_action_is_flagged() -> None:
    md = render_markdown(READOUT)
    (row,) = [line for line in md.splitlines() if line.startswith("| 29/4 ")]
    assert "| 29 |" in row and "Open, overdue" in row and "1 November 2026" in row
    (current,) = [line for line in md.splitlines() if line.startswith("| 31/2 ")]
    assert "overdue" not in current
    html = render_html(READOUT)
    assert '<td class="overdue">Open, overdue</td>' in html


def test_empty_sections_say_so() -> None:
    md = render_markdown(EMPTY)
    for sentence in (
        "No attendance recorded.",
        "No announcements.",
        "No decisions or action items.",
        "No open action items from earlier meetings.",
        "No coverage figures.",
        "No monthly figures.",
        "No need falls due and no tranche is expected in the next 12 months.",
        "No forecast.",
        "Nothing is expected to arrive over the forecast's quarters.",
        "No pledge covers the years ahead.",
        "No tranche was due by 2 December 2026.",
        "No agreed baseline covers 2026.",
        "No pooled fund.",
    ):
        assert sentence in md, sentence
    assert "|" not in md
    assert "small-cell rule" not in md
    html = render_html(EMPTY)
    assert "<table" not in html and "<svg" not in html and "No monthly figures." in html


def test_audience_titles() -> None:
    public = replace(READOUT, audience=Audience(AudienceKind.PUBLIC))
    germany = replace(READOUT, audience=Audience(AudienceKind.PARTICIPANT, "DEU", "Germany"))
    assert "- Audience: Public\n" in render_markdown(public)
    assert "- Audience: Germany (DEU)\n" in render_markdown(germany)


# --- Markdown tables ------------------------------------------------------------------------

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _tables(md: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_markdown_tables_are_well_formed() -> None:
    md = render_markdown(READOUT)
    tables = _tables(md)
    assert len(tables) == 14
    for table in tables:
        widths = {len(UNESCAPED_PIPE.findall(row)) for row in table}
        assert len(widths) == 1, table
        assert re.fullmatch(r"\|( ---:? \|)+", table[1]), table[1]
        assert all(row.endswith(" |") for row in table)
    assert "\\| ammunition cell" in md
    assert "Report on spare parts<br>by calibre" in md


# --- determinism ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [Format.MARKDOWN, Format.HTML])
def test_same_readout_same_text(fmt: Format) -> None:
    first = render(READOUT, fmt)
    again = render(_readout(), fmt)
    assert first == again
    assert first.decode() == (render_markdown if fmt is Format.MARKDOWN else render_html)(READOUT)


def test_same_readout_same_pdf(pdfs: tuple[bytes, bytes]) -> None:
    first, again = pdfs
    assert first == again
    assert first.startswith(b"%PDF-")


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_renders_pages(pdfs: tuple[bytes, bytes], tmp_path: Path) -> None:
    pdftoppm, pdftotext, pdfinfo = _tool("pdftoppm"), _tool("pdftotext"), _tool("pdfinfo")
    source = tmp_path / "readout.pdf"
    source.write_bytes(pdfs[0])
    subprocess.run([pdftoppm, "-png", "-r", "50", source, tmp_path / "page"], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    width, height = _png_size(pages[0])
    assert (width, height) == pytest.approx((413, 585), abs=3)  # A4 at 50 dpi
    text = subprocess.run(
        [pdftotext, "-layout", source, "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "meeting 31 read-out" in text
    assert "withheld" in text
    assert f"Page 1 of {len(pages)}" in text
    info = subprocess.run(
        [pdfinfo, "-isodates", source], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^CreationDate:\s+2026-12-02T16:40:05Z$", info, re.MULTILINE), info
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE), info


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


# --- charts ---------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def test_coverage_chart_is_svg_leaving_out_withheld_figures() -> None:
    svg = charts.coverage_chart(READOUT)
    assert svg is not None
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == charts.coverage_caption(READOUT)
    assert "2 figures withheld under the small-cell rule are not drawn" in title.text
    known = replace(READOUT.coverage[2], coverage=D("0.5"), delivered_share=D("0.1"))
    drawn = charts.coverage_chart(replace(READOUT, coverage=(*READOUT.coverage[:2], known)))
    assert drawn is not None
    for colour in (charts.PLEDGED_COLOUR, charts.DELIVERED_COLOUR):
        assert _filled(drawn, colour) == _filled(svg, colour) + 1
    assert "withheld" not in (ET.fromstring(drawn).findtext(f"{SVG}title") or "")
    assert charts.coverage_chart(READOUT) == svg


def _filled(svg: str, colour: str) -> int:
    return sum(e.get("fill") == colour for e in ET.fromstring(svg).iter(f"{SVG}path"))


def test_monthly_chart_is_svg_counting_withheld_months() -> None:
    svg = charts.monthly_chart(READOUT)
    assert svg is not None
    root = ET.fromstring(svg)
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == (
        "Value pledged and delivered, cumulative at each month's end. "
        "2 figures withheld under the small-cell rule are not drawn."
    )
    assert charts.monthly_caption(replace(READOUT, monthly=READOUT.monthly[:2])).endswith(
        "month's end."
    )
    assert charts.monthly_chart(READOUT) == svg


def test_forecast_chart_is_svg_with_a_range_leaving_out_withheld_quarters() -> None:
    svg = charts.forecast_chart(READOUT)
    assert svg is not None
    title = ET.fromstring(svg).find(f"{SVG}title")
    assert title is not None and title.text == charts.forecast_caption(READOUT)
    assert "1 figure withheld under the small-cell rule is not drawn" in title.text
    known = replace(READOUT.forecast[0], quarter="2027-Q2")
    drawn = charts.forecast_chart(replace(READOUT, forecast=(READOUT.forecast[0], known)))
    assert drawn is not None
    for colour in (charts.MUTED_COLOUR, charts.DELIVERED_COLOUR):
        assert _filled(drawn, colour) == _filled(svg, colour) + 1
    assert charts.forecast_chart(READOUT) == svg


def test_charts_are_none_with_nothing_to_draw() -> None:
    assert charts.coverage_chart(EMPTY) is None
    assert charts.monthly_chart(EMPTY) is None
    assert charts.forecast_chart(EMPTY) is None
    withheld_only = replace(
        READOUT,
        coverage=READOUT.coverage[2:],
        monthly=READOUT.monthly[2:3],
        forecast=READOUT.forecast[1:],
    )
    assert charts.forecast_chart(withheld_only) is None
    assert charts.coverage_chart(withheld_only) is None
    assert charts.monthly_chart(withheld_only) is None
    html = render_html(withheld_only)
    assert "<svg" not in html and "withheld" in html


def test_charts_take_any_name_as_plain_text() -> None:
    odd = AreaLine(
        "x", "Cost $x$ --> <script> & a long name that wraps", D(1), D(2), D(0), D("1.3"), None
    )
    readout = replace(READOUT, coverage=(odd,), monthly=READOUT.monthly[:1])
    for chart in (charts.coverage_chart(readout), charts.monthly_chart(readout)):
        assert chart is not None
        ET.fromstring(chart)
        assert "<script>" not in chart
    assert "Cost \\$x\\$ --\\> \\<script\\>" in render_markdown(readout)


def test_share_and_amount_text() -> None:
    assert charts.share_text(D("0.622222")) == "62.2 %"
    assert charts.share_text(D("1")) == "100.0 %"
    assert eur_text(D("1234567.5")) == "1,234,568"
    assert eur_text(D("-0.2")) == "0"
