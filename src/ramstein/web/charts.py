"""Plotly figures for the pages, as JSON: the page's script draws them with the Plotly
JavaScript served from the installed package; every chart also has its data as a table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go
import plotly.io as pio

from ramstein.reports.analytics import AreaCoverage, DonorTotals, FairShare
from ramstein.reports.forecast import QuarterFigures

LAYOUT = dict(
    margin=dict(l=10, r=10, t=10, b=10),
    height=320,
    font=dict(family="DejaVu Sans, Arial, sans-serif", size=13),
    paper_bgcolor="white",
    plot_bgcolor="white",
    legend=dict(orientation="h", y=-0.2),
)


def coverage_by_area(areas: Sequence[AreaCoverage], names: dict[str, str]) -> str:
    """Horizontal bars: the share of each area's need pledged and delivered."""
    shown = [a for a in areas if a.needed_eur]
    labels = [names.get(a.area, a.area) for a in shown]
    fig = go.Figure(
        [
            go.Bar(
                name="Pledged",
                y=labels,
                x=[float(a.pledged_coverage or 0) for a in shown],
                orientation="h",
                marker_color="#1f5f99",
            ),
            go.Bar(
                name="Delivered",
                y=labels,
                x=[float(a.delivered_coverage or 0) for a in shown],
                orientation="h",
                marker_color="#6aa84f",
            ),
        ]
    )
    fig.update_layout(**LAYOUT, barmode="group", xaxis=dict(tickformat=".0%", range=[0, 1]))
    return str(pio.to_json(fig, validate=False))


def pledged_and_delivered(points: Sequence[tuple[date, Decimal, Decimal]]) -> str:
    """Lines: pledged and delivered value, cumulative to each month's end."""
    days = [p[0].isoformat() for p in points]
    fig = go.Figure(
        [
            go.Scatter(
                name="Pledged", x=days, y=[float(p[1]) for p in points], mode="lines+markers"
            ),
            go.Scatter(
                name="Delivered", x=days, y=[float(p[2]) for p in points], mode="lines+markers"
            ),
        ]
    )
    fig.update_layout(**LAYOUT, yaxis=dict(title="EUR", tickformat=",.0f"))
    return str(pio.to_json(fig, validate=False))


def donor_totals(donors: Sequence[DonorTotals]) -> str:
    """Bars: each donor's pledged and delivered value."""
    names = [d.name for d in donors]
    fig = go.Figure(
        [
            go.Bar(
                name="Pledged", x=names, y=[float(d.pledged_eur) for d in donors],
                marker_color="#1f5f99",
            ),
            go.Bar(
                name="Delivered", x=names, y=[float(d.delivered_eur) for d in donors],
                marker_color="#6aa84f",
            ),
        ]
    )  # fmt: skip
    fig.update_layout(**LAYOUT, barmode="group", yaxis=dict(title="EUR", tickformat=",.0f"))
    return str(pio.to_json(fig, validate=False))


def fair_shares(shares: Sequence[FairShare], names: dict[str, str]) -> str:
    """Bars: each donor state's target beside what counts towards it, pooled funds stacked."""
    labels = [names.get(f.donor, f.donor) for f in shares]
    fig = go.Figure(
        [
            go.Bar(
                name="Target", x=labels, y=[float(f.target_eur) for f in shares],
                marker_color="#b7b7b7", offsetgroup="target",
            ),
            go.Bar(
                name="Counted: pledges", x=labels,
                y=[float(f.counted_eur - f.pooled_eur) for f in shares],
                marker_color="#1f5f99", offsetgroup="counted",
            ),
            go.Bar(
                name="Counted: through pooled funds", x=labels,
                y=[float(f.pooled_eur) for f in shares],
                base=[float(f.counted_eur - f.pooled_eur) for f in shares],
                marker_color="#e69138", offsetgroup="counted",
            ),
        ]
    )  # fmt: skip
    fig.update_layout(**LAYOUT, barmode="group", yaxis=dict(title="EUR", tickformat=",.0f"))
    return str(pio.to_json(fig, validate=False))


def forecast(quarters: Sequence[QuarterFigures], stressed: Sequence[QuarterFigures] = ()) -> str:
    """Bars of the value expected to arrive each quarter, with the P10-P90 band as error bars,
    the plan as a line, and a scenario's expectation beside them when there is one."""
    names = [q.quarter for q in quarters]
    expected = [float(q.expected_eur) for q in quarters]
    bars = [
        go.Bar(
            name="Expected (P10 to P90)",
            x=names,
            y=expected,
            marker_color="#1f5f99",
            error_y=dict(
                type="data",
                symmetric=False,
                array=[float(q.high_eur) - e for q, e in zip(quarters, expected, strict=True)],
                arrayminus=[e - float(q.low_eur) for q, e in zip(quarters, expected, strict=True)],
            ),
        ),
        go.Scatter(
            name="Planned", x=names, y=[float(q.planned_eur) for q in quarters],
            mode="lines+markers", line=dict(color="#6b6b6b", dash="dot"),
        ),
    ]  # fmt: skip
    if stressed:
        bars.insert(
            1,
            go.Bar(
                name="Under the scenario", x=names, y=[float(q.expected_eur) for q in stressed],
                marker_color="#d9822b",
            ),
        )  # fmt: skip
    fig = go.Figure(bars)
    fig.update_layout(**LAYOUT, barmode="group", yaxis=dict(title="EUR", tickformat=",.0f"))
    return str(pio.to_json(fig, validate=False))
