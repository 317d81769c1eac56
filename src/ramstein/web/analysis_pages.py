"""Donors, coalitions, matching and stress tests: the pages that weigh the coalition's support.

Every figure is made of the records the visitor may see (the services decide); running a plan
is for signed-in members, as in the API.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from ramstein.api.problems import status_of
from ramstein.domain.errors import DomainError, NotFound
from ramstein.domain.needs import Priority
from ramstein.domain.participants import ParticipantKind
from ramstein.matching.stress import Scenario as StressScenario
from ramstein.reports.forecast import Scenario, parse_stop
from ramstein.services import (
    agenda,
    analytics,
    baselines,
    capabilities,
    catalogue,
    funds,
    matching,
    needs,
    participants,
    pledges,
)
from ramstein.services.agenda import OPEN_NEEDS
from ramstein.services.match_changes import PlanStress
from ramstein.web import charts
from ramstein.web.base import csrf_ok, go, page, refused, store_of, visit

router = APIRouter(include_in_schema=False)


@router.get("/donors", response_class=HTMLResponse)
def donors(request: Request) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        totals = analytics.donors(conn=conn, viewer=who.viewer)
        agreed, shares = analytics.agreed_fair_share(conn=conn, viewer=who.viewer)
        kept = analytics.reliability(conn=conn, viewer=who.viewer)
    reliable = {r.key: r for r in kept.donors}
    ranked = sorted(totals, key=lambda d: (-d.pledged_eur, d.donor))
    return page(
        request,
        who,
        "donors.html.j2",
        donors=ranked,
        fair={f.donor: f for f in shares},
        baseline=agreed,
        reliable=reliable,
        year=date.today().year,
        figure=charts.donor_totals(ranked[:15]),
        uses_charts=True,
    )


@router.get("/donors/{code}", response_class=HTMLResponse)
def donor(request: Request, code: str) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        totals = {d.donor: d for d in analytics.donors(conn=conn, viewer=who.viewer)}
        if code not in totals:
            return refused(
                request, who, 404, f"No pledge or contribution of {code} is on record for you."
            )
        agreed, shares = analytics.agreed_fair_share(conn=conn, viewer=who.viewer)
        kept = analytics.reliability(conn=conn, viewer=who.viewer)
        given = pledges.list_pledges(conn=conn, viewer=who.viewer, donor=code)
        items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=who.viewer)}
        pooled = funds.shares_of(conn=conn, viewer=who.viewer, contributor=code)
    return page(
        request,
        who,
        "donor.html.j2",
        pooled=pooled,
        d=totals[code],
        fair=next((f for f in shares if f.donor == code), None),
        baseline=agreed,
        reliable=next((r for r in kept.donors if r.key == code), None),
        pledges=given,
        items=items,
        year=date.today().year,
    )


@router.get("/funds", response_class=HTMLResponse)
def funds_page(request: Request) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        found = funds.fund_reports(conn=conn, viewer=who.viewer)
    return page(request, who, "funds.html.j2", funds=found)


@router.get("/funds/{code}", response_class=HTMLResponse)
def fund_page(request: Request, code: str) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        try:
            report = funds.get_fund_report(conn=conn, viewer=who.viewer, fund=code)
        except NotFound:
            return refused(request, who, 404, f"There is no pooled fund {code}.")
        given = funds.list_contributions(conn=conn, viewer=who.viewer, fund=code)
        packages = pledges.list_pledges(conn=conn, viewer=who.viewer, donor=code)
        items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=who.viewer)}
    return page(
        request,
        who,
        "fund.html.j2",
        r=report,
        contributions=given,
        packages=packages,
        items=items,
    )


@router.get("/baselines", response_class=HTMLResponse)
def baselines_page(request: Request) -> Response:
    who = visit(request)
    year = date.today().year
    with store_of(request).read() as conn:
        agreed = baselines.list_baselines(conn=conn, viewer=who.viewer)
        now = {
            b.code: baselines.report(conn=conn, viewer=who.viewer, code=b.code, years=[year]).years[
                0
            ]
            for b in agreed
            if year in b.years
        }
    return page(request, who, "baselines.html.j2", baselines=agreed, now=now, year=year)


@router.get("/baselines/{code}", response_class=HTMLResponse)
def baseline_page(
    request: Request, code: str, year: Annotated[int | None, Query()] = None
) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        try:
            found = baselines.report(conn=conn, viewer=who.viewer, code=code)
        except NotFound:
            return refused(request, who, 404, f"There is no baseline {code}.")
        names = {
            p.code: p.name for p in participants.list_participants(conn=conn, viewer=who.viewer)
        }
    b = found.baseline
    chosen = year if year in b.years else min(max(date.today().year, b.first_year), b.last_year)
    shown = next(y for y in found.years if y.year == chosen)
    return page(
        request,
        who,
        "baseline.html.j2",
        r=found,
        b=b,
        shown=shown,
        names=names,
        figure=charts.fair_shares(shown.donors[:15], names),
        uses_charts=True,
    )


@router.get("/coalitions", response_class=HTMLResponse)
def coalitions(request: Request) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        found = capabilities.list_coalitions(conn=conn, viewer=who.viewer)
        areas = {a.area: a for a in analytics.areas(conn=conn, viewer=who.viewer)}
        names = {a.code: a.name for a in capabilities.list_areas(conn=conn, viewer=who.viewer)}
    return page(request, who, "coalitions.html.j2", coalitions=found, areas=areas, area_names=names)


@router.get("/coalitions/{code}", response_class=HTMLResponse)
def coalition(request: Request, code: str) -> Response:
    who = visit(request)
    viewer = who.viewer
    with store_of(request).read() as conn:
        try:
            found = capabilities.get_coalition(conn=conn, viewer=viewer, code=code)
        except NotFound:
            return refused(request, who, 404, f"There is no coalition {code}.")
        cover = {a.area: a for a in analytics.areas(conn=conn, viewer=viewer)}
        items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)}
        open_needs = needs.list_needs(conn=conn, viewer=viewer, status=OPEN_NEEDS)
        gaps, gaps_from = agenda.priority_gaps(conn, viewer, open_needs, items)
        given = pledges.list_pledges(conn=conn, viewer=viewer, area=found.area)
    return page(
        request,
        who,
        "coalition.html.j2",
        c=found,
        cover=cover.get(found.area),
        gaps=[g for g in gaps if g.area == found.area],
        gaps_from=gaps_from,
        pledges=given[:50],
        items=items,
    )


# --- matching and stress tests ---------------------------------------------------------------


@router.get("/matching", response_class=HTMLResponse)
def matching_page(request: Request) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        plans = matching.list_plans(conn=conn, viewer=who.viewer, limit=10)
    if plans:
        return go(f"/matching/{plans[0].id}")
    return page(request, who, "matching.html.j2", plans=[], plan=None, report=None)


@router.post("/matching/run", response_class=HTMLResponse)
def run_matching(request: Request, csrf: Annotated[str | None, Form()] = None) -> Response:
    who = visit(request)
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, "The form has expired; reload the page and try again.")
    try:
        plan = matching.run_match(store=store_of(request), viewer=who.viewer)
    except DomainError as error:
        return refused(request, who, status_of(error), str(error))
    return go(f"/matching/{plan.info.id}")


@router.get("/matching/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: int) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        try:
            plan = matching.get_plan(conn=conn, viewer=who.viewer, plan_id=plan_id)
        except NotFound:
            return refused(request, who, 404, f"There is no plan {plan_id}.")
        plans = matching.list_plans(conn=conn, viewer=who.viewer, limit=10)
    report = matching.report(plan)
    return page(
        request,
        who,
        "matching.html.j2",
        plans=plans,
        plan=plan,
        report=report,
        gaps=[n for n in report.needs if n.gap > 0.5][:30],
    )


@router.get("/matching/{plan_id}/stress", response_class=HTMLResponse)
def stress_page(
    request: Request,
    plan_id: int,
    donor: Annotated[list[str] | None, Query()] = None,
    share_: Annotated[str, Query(alias="share", max_length=20)] = "",
    every: Annotated[bool, Query()] = False,
) -> Response:
    who = visit(request)
    if not who.signed_in:
        return refused(request, who, 401, "Sign in to stress-test a plan.")
    chosen = sorted({d.strip().upper() for d in donor or [] if d.strip()})
    try:
        share = float(share_) if share_.strip() else None
    except ValueError:
        return refused(request, who, 422, f"{share_[:20]!r} is not a share between 0 and 1.")
    if share is not None and not 0 <= share <= 1:
        return refused(request, who, 422, f"A share lies between 0 and 1, not {share:g}.")
    with store_of(request).read() as conn:
        try:
            plan = matching.get_plan(conn=conn, viewer=who.viewer, plan_id=plan_id)
        except NotFound:
            return refused(request, who, 404, f"There is no plan {plan_id}.")
        results = []
        try:
            if every:
                results = matching.stress_all_donors(conn=conn, viewer=who.viewer, plan_id=plan_id)
            elif chosen or share:
                scenario = StressScenario(
                    label=_label(chosen, share), remove=frozenset(chosen), share=share or 0.0
                )
                results = [
                    matching.stress(
                        conn=conn, viewer=who.viewer, plan_id=plan_id, scenario=scenario
                    )
                ]
        except (DomainError, ValueError) as error:
            return refused(request, who, 422, str(error))
    donors = sorted({o.donor for o in plan.inputs.offers})
    return page(
        request,
        who,
        "stress.html.j2",
        plan=plan,
        donors=donors,
        chosen=chosen,
        share=share,
        every=every,
        results=results,
        priorities=list(Priority),
    )


def _label(donors: list[str], share: float | None) -> str:
    parts = []
    if donors:
        parts.append("without " + ", ".join(donors))
    if share:
        parts.append(f"every offer cut by {share:.0%}")
    return "; ".join(parts)


@router.get("/outlook", response_class=HTMLResponse)
def outlook(
    request: Request,
    stop_donor: Annotated[str, Query(max_length=64)] = "",
    stop_after: Annotated[str, Query(max_length=10)] = "",
    cut_donors: Annotated[str, Query(max_length=10)] = "",
    cut_by: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """What will arrive in the next eight quarters, how firmly the next twelve months are
    funded, and what a donor stopping or a share of donors cutting would cost."""
    who = visit(request)
    asked = None
    try:
        stops = (parse_stop(f"{stop_donor.strip().upper()}:{stop_after}"),) if stop_donor else ()
    except DomainError as error:
        return refused(request, who, 422, str(error))
    try:
        cut = [Decimal(v) if v.strip() else Decimal(0) for v in (cut_donors, cut_by)]
    except ArithmeticError:  # not a number
        cut = []
    if len(cut) != 2 or not all(c.is_finite() for c in cut):
        return refused(request, who, 422, "A share is a number between 0 and 1.")
    if stops or any(cut):
        asked = Scenario(stops=stops, cut_donors=cut[0], cut_by=cut[1])
    with store_of(request).read() as conn:
        firm = analytics.firm_funding(conn=conn, viewer=who.viewer)
        years = analytics.commitments(conn=conn, viewer=who.viewer)
        names = {a.code: a.name for a in capabilities.list_areas(conn=conn, viewer=who.viewer)}
        donors = sorted(
            p.code
            for p in participants.list_participants(conn=conn, viewer=who.viewer)
            if p.kind is not ParticipantKind.RECIPIENT
        )
        try:
            if asked is None:
                found, report = analytics.forecast(conn=conn, viewer=who.viewer), None
                allocation: PlanStress | None = None
            else:
                risk = analytics.scenario(conn=conn, viewer=who.viewer, scenario=asked)
                report, allocation = risk.report, risk.allocation
                found = report.forecast
        except DomainError as error:
            return refused(request, who, 422, str(error))
    stressed = report.stressed.quarters if report else ()
    return page(
        request,
        who,
        "outlook.html.j2",
        forecast=found,
        report=report,
        allocation=allocation,
        priorities=list(Priority),
        firm=firm,
        years=years,
        names=names,
        donors=donors,
        asked={"stop_donor": stop_donor, "stop_after": stop_after, "cut_donors": cut_donors,
               "cut_by": cut_by},
        figure=charts.forecast(found.quarters, stressed),
        uses_charts=True,
    )  # fmt: skip
