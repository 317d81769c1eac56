"""The read-out's charts, as SVG: coverage by capability area, pledged and delivered value by
month, and the forecast of deliveries by quarter.

Each chart is drawn on a matplotlib figure of its own (no pyplot state) and saved by the SVG
backend with fixed settings: glyphs as paths in the DejaVu Sans that matplotlib ships, ids from
a fixed salt and prefixed by the chart's name, no date and no creator. The same read-out
therefore gives the same SVG, byte for byte, and the charts can sit in one HTML page.

Charts are drawn one at a time (matplotlib's settings are global to the process), so threads
serving read-outs side by side get the same SVG too.

A figure withheld under the small-cell rule (None) is not drawn; the chart's caption, also
embedded as the SVG's `<title>`, says how many were left out.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from textwrap import wrap
from typing import TYPE_CHECKING, Any

from ramstein.reports.readout import AreaLine, Readout

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.typing import RcKeyType

PLEDGED_COLOUR = "#2f6aa3"
DELIVERED_COLOUR = "#d9822b"
MUTED_COLOUR = "#6b6b6b"
WIDTH_IN = 6.6
"""Wide enough to read, narrow enough for an A4 page's text block."""

MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SCALES = (
    (Decimal(10) ** 9, "EUR billion"),
    (Decimal(10) ** 6, "EUR million"),
    (Decimal(10) ** 3, "EUR thousand"),
)

_STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "ramstein",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "text.parse_math": False,  # a `$` in an area's name is text, not mathematics
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#8a8a8a",
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.frameon": False,
}
_DRAWING = threading.Lock()
"""rc_context changes matplotlib's global settings: one chart is drawn at a time."""


@contextmanager
def _drawing() -> Iterator[None]:
    """Draw one chart in the fixed style. matplotlib is imported with the first chart (a
    second of every start otherwise, for a server or a command that may draw none)."""
    import matplotlib

    with _DRAWING, matplotlib.rc_context(_STYLE):
        yield


_DEFAULT_STYLE = re.compile(r'\s*<style type="text/css">\*\{([^}<]*)\}</style>')
_EMPTY_DEFS = re.compile(r"\s*<defs>\s*</defs>")
_STYLE_ATTRIBUTE = re.compile(r'(?<![\w:-])style="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')
_ID_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def share_text(share: Decimal) -> str:
    """A share (0 to 1) as the read-out writes it: a percentage to one decimal, `63.4 %`."""
    percent = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) + 0
    return f"{percent:f} %"


def coverage_caption(readout: Readout) -> str:
    """The coverage chart's caption: what it shows and how many withheld figures it leaves out."""
    withheld = sum(figure is None for line in readout.coverage for figure in _area_figures(line))
    return _caption(
        "Share of each capability area's need that is pledged and that is delivered", withheld
    )


def monthly_caption(readout: Readout) -> str:
    """The monthly chart's caption: what it shows and how many withheld figures it leaves out."""
    withheld = sum(
        figure is None
        for line in readout.monthly
        for figure in (line.pledged_eur, line.delivered_eur)
    )
    return _caption("Value pledged and delivered, cumulative at each month's end", withheld)


def forecast_caption(readout: Readout) -> str:
    """The forecast chart's caption: what it shows and how many withheld quarters it leaves
    out."""
    withheld = sum(q.expected_eur is None for q in readout.forecast)
    return _caption(
        "Value expected to arrive each quarter, with the likely range of the runs, against the "
        "tranches as planned",
        withheld,
    )


def forecast_chart(readout: Readout) -> str | None:
    """Bars per quarter of the value planned and expected to arrive, the expected bar with
    its likely range, as SVG text; None when no quarter has a figure to draw."""
    quarters = readout.forecast
    known = [
        v for q in quarters for v in (q.planned_eur, q.high_eur, q.expected_eur) if v is not None
    ]
    if not known or not max(known):
        return None
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    scale, unit = _scale(max(known))
    bar = 0.38
    with _drawing():
        figure = _figure(height=3.1)
        axes = figure.add_subplot()
        for x, q in enumerate(quarters):
            if q.planned_eur is None or q.expected_eur is None:
                axes.text(
                    x, 0.03, "withheld", transform=axes.get_xaxis_transform(), ha="center",
                    color=MUTED_COLOUR, style="italic",
                )  # fmt: skip
                continue
            axes.bar(x - bar / 2, float(q.planned_eur / scale), width=bar, color=MUTED_COLOUR)
            expected = float(q.expected_eur / scale)
            low = float((q.low_eur or q.expected_eur) / scale)
            high = float((q.high_eur or q.expected_eur) / scale)
            axes.bar(
                x + bar / 2,
                expected,
                width=bar,
                color=DELIVERED_COLOUR,
                yerr=[[max(expected - low, 0.0)], [max(high - expected, 0.0)]],
                ecolor="#333333",
                capsize=3,
            )
        axes.set_xticks(range(len(quarters)), labels=[q.quarter for q in quarters])
        axes.set_xlim(-0.5, len(quarters) - 0.5)
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.6g}"))
        axes.set_ylabel(unit)
        axes.grid(axis="y")
        axes.legend(
            handles=[
                Patch(color=MUTED_COLOUR, label="Planned"),
                Patch(color=DELIVERED_COLOUR, label="Expected (likely range)"),
            ],
            loc="lower left",
            bbox_to_anchor=(0, 1),
            ncols=2,
            borderaxespad=0.2,
        )
        return _svg(figure, "forecast", forecast_caption(readout))


def coverage_chart(readout: Readout) -> str | None:
    """Horizontal bars per capability area of the need pledged and delivered (0–100 %), as SVG
    text, a withheld bar marked "withheld"; None when no area has a figure to draw."""
    areas = readout.coverage
    if all(f is None for line in areas for f in _area_figures(line)):
        return None
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    bar = 0.38
    with _drawing():
        figure = _figure(height=0.95 + 0.5 * len(areas))
        axes = figure.add_subplot()
        top = 100.0
        for row, line in enumerate(areas):
            for offset, share, colour in (
                (-bar / 2, line.coverage, PLEDGED_COLOUR),
                (bar / 2, line.delivered_share, DELIVERED_COLOUR),
            ):
                y = row + offset
                if share is None:
                    axes.text(1, y, "withheld", va="center", color=MUTED_COLOUR, style="italic")
                    continue
                value = float(share * 100)
                top = max(top, value)
                axes.barh(y, value, height=bar, color=colour)
                axes.text(value + 1, y, share_text(share), va="center", color="#333333")
        axes.set_yticks(range(len(areas)), labels=[_area_label(line) for line in areas])
        axes.set_ylim(len(areas) - 0.5, -0.5)  # the first area on top
        axes.set_xlim(0, top * 1.12)
        axes.xaxis.set_major_locator(MultipleLocator(20))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f} %" if x <= top else ""))
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x")
        axes.set_xlabel("Share of the need (at catalogue values)")
        axes.legend(
            handles=[
                Patch(color=PLEDGED_COLOUR, label="Pledged (coverage)"),
                Patch(color=DELIVERED_COLOUR, label="Delivered"),
            ],
            loc="lower left",
            bbox_to_anchor=(0, 1),
            ncols=2,
            borderaxespad=0.2,
        )
        return _svg(figure, "coverage", coverage_caption(readout))


def monthly_chart(readout: Readout) -> str | None:
    """Two lines of the value pledged and delivered, cumulative at each month's end, as SVG
    text; None when no month has a figure to draw."""
    months = readout.monthly
    known = [v for line in months for v in (line.pledged_eur, line.delivered_eur) if v is not None]
    if not known:
        return None
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    scale, unit = _scale(max(known))
    xs = list(range(len(months)))
    with _drawing():
        figure = _figure(height=3.1)
        axes = figure.add_subplot()
        for values, colour, label in (
            ([line.pledged_eur for line in months], PLEDGED_COLOUR, "Pledged"),
            ([line.delivered_eur for line in months], DELIVERED_COLOUR, "Delivered"),
        ):
            points = [math.nan if v is None else float(v / scale) for v in values]
            axes.plot(xs, points, color=colour, marker="o", markersize=3.5, label=label)
        for x, line in enumerate(months):
            gaps = [
                name
                for value, name in (
                    (line.pledged_eur, "pledged"),
                    (line.delivered_eur, "delivered"),
                )
                if value is None
            ]
            if gaps:
                notice = "withheld" if len(gaps) == 2 else f"{gaps[0]} withheld"
                axes.text(
                    x,
                    0.03,
                    notice,
                    transform=axes.get_xaxis_transform(),
                    ha="center",
                    color=MUTED_COLOUR,
                    style="italic",
                )
        step = max(1, math.ceil(len(months) / 12))
        axes.set_xticks(
            xs[::step], labels=[_month_label(line.month_end) for line in months[::step]]
        )
        axes.set_xlim(-0.5, len(months) - 0.5)
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.6g}"))
        axes.set_ylabel(unit)
        axes.grid(axis="y")
        axes.legend(
            loc="lower left",
            bbox_to_anchor=(0, 1),
            ncols=2,
            borderaxespad=0.2,
        )
        return _svg(figure, "monthly", monthly_caption(readout))


def _area_figures(line: AreaLine) -> tuple[Decimal | None, Decimal | None]:
    return line.coverage, line.delivered_share


def _caption(text: str, withheld: int) -> str:
    if not withheld:
        return f"{text}."
    figures, verb = ("figure", "is") if withheld == 1 else ("figures", "are")
    return f"{text}. {withheld} {figures} withheld under the small-cell rule {verb} not drawn."


def _area_label(line: AreaLine) -> str:
    return "\n".join(wrap(line.name or line.area, 24)[:3])


def _month_label(day: date) -> str:
    return f"{MONTHS_SHORT[day.month - 1]} {day.year}"


def _scale(largest: Decimal) -> tuple[Decimal, str]:
    for factor, unit in SCALES:
        if largest >= factor:
            return factor, unit
    return Decimal(1), "EUR"


def _figure(height: float) -> MplFigure:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure as MplFigure

    figure = MplFigure(figsize=(WIDTH_IN, height), layout="constrained")
    FigureCanvasSVG(figure)
    return figure


def _svg(figure: MplFigure, name: str, caption: str) -> str:
    """The figure as an `<svg>` element fit to sit in an HTML page: no XML prolog, no
    metadata, its ids prefixed by `name`, styles as presentation attributes (so the page's CSS
    neither sees nor is changed by them), and the caption as its title."""
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", metadata=dict.fromkeys(("Date", "Creator", "Format", "Type"))
    )
    text = buffer.getvalue()
    svg = text[text.index("<svg") :]
    defaults = ""
    if rule := _DEFAULT_STYLE.search(svg):
        defaults = _attributes(rule.group(1))
        svg = _EMPTY_DEFS.sub("", svg[: rule.start()] + svg[rule.end() :], count=1)
    svg = _STYLE_ATTRIBUTE.sub(lambda m: _attributes(m.group(1)).lstrip(), svg)
    svg = _prefix_ids(svg, f"{name}-")
    head_end = svg.index(">")
    return (
        f'{svg[:head_end]} id="{name}-chart" role="img"{defaults}>\n'
        f" <title>{_xml_text(caption)}</title>{svg[head_end + 1 :]}"
    )


def _attributes(declarations: str) -> str:
    """CSS declarations (`fill: #fff; stroke: none`) as SVG presentation attributes."""
    pairs = (d.partition(":") for d in declarations.split(";") if d.strip())
    return "".join(f' {key.strip()}="{value.strip()}"' for key, _, value in pairs)


def _prefix_ids(svg: str, prefix: str) -> str:
    known = set(_ID.findall(svg))

    def rename(match: re.Match[str]) -> str:
        lead, name = match.group(1), match.group(2)
        return f"{lead}{prefix}{name}" if name in known else match.group(0)

    return _ID_REFERENCE.sub(rename, svg)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
