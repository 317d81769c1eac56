"""Fair-share baselines through the services, on both databases: agreed and revised by the
chair alone, logged, and reported per year over what each viewer may see.

On top of `fund_script` (PF: DEU EUR 923,456.79 paid, GBR EUR 250,000 restricted to POL,
POL's EUR 10 cancelled; a package of 10 drones worth EUR 5,000 for 2025) the baseline
`long-term` shares EUR 40 bn a year for 2025-2026.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from ramstein.domain.baselines import ALL_SOURCES, Baseline, CountingRules, PooledRule
from ramstein.domain.errors import AlreadyExists, InvalidValue, NotFound, NotPermitted, StaleVersion
from ramstein.domain.pledges import PledgeSource
from ramstein.domain.releasability import Principal
from ramstein.reports.baselines import BaselineReport
from ramstein.services import analytics, baselines
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import CLOCK, Principals, refuse

D = Decimal
ANNUAL = D("40000000000.00")
CODE = "long-term"


def _terms(rules: CountingRules = ALL_SOURCES) -> Baseline:
    return Baseline(
        code=CODE,
        name="Long-term pledge",
        annual_eur=ANNUAL,
        first_year=2025,
        last_year=2026,
        rules=rules,
    )


@pytest.fixture
def agreed(store: Store, coalition: Principals) -> Principals:
    with store.write(clock=CLOCK) as uow:
        f.fund_script(uow, coalition.chair)
        baselines.agree_baseline(
            uow=uow,
            actor=coalition.chair,
            baseline=_terms(CountingRules.of(pooled=PooledRule.CONTRIBUTED)),
        )
    return coalition


def _report(store: Store, viewer: Principal, years: list[int] | None = None) -> BaselineReport:
    with store.read() as conn:
        return baselines.report(conn=conn, viewer=viewer, code=CODE, years=years)


def _pooled(found: BaselineReport, year: int) -> dict[str, Decimal]:
    row = next(y for y in found.years if y.year == year)
    return {d.donor: d.pooled_eur for d in row.donors if d.pooled_eur}


def test_targets_add_up_to_the_baseline_and_contributions_count_for_who_may_see_them(
    store: Store, agreed: Principals
) -> None:
    chair = _report(store, agreed.chair)
    assert [y.year for y in chair.years] == [2025, 2026]
    for year in chair.years:
        assert sum(d.target_eur for d in year.donors) == ANNUAL
        assert {d.donor for d in year.donors} == {"USA", "DEU", "GBR", "POL", "NLD"}
    # Contributed in 2025: DEU's paid one, GBR's restricted one; POL's was cancelled.
    assert _pooled(chair, 2025) == {"DEU": D("923456.79"), "GBR": D("250000.00")}
    assert _pooled(chair, 2026) == {}
    assert _pooled(_report(store, agreed.donor("POL")), 2025) == _pooled(chair, 2025)
    assert _pooled(_report(store, agreed.public), 2025) == {"DEU": D("923456.79")}
    one = _report(store, agreed.chair, [2026])
    assert [y.year for y in one.years] == [2026]


def test_a_revision_is_logged_and_attributes_the_funds_package(
    store: Store, agreed: Principals
) -> None:
    with store.write(clock=CLOCK) as uow:
        revised = baselines.revise_baseline(
            uow=uow,
            actor=agreed.chair,
            code=CODE,
            areas=["drones"],
            pooled=PooledRule.ATTRIBUTED,
            expected_version=1,
        )
    assert revised.version == 2
    assert revised.rules == CountingRules.of(areas=["drones"], pooled=PooledRule.ATTRIBUTED)
    assert revised.annual_eur == ANNUAL  # what was not given stays as agreed
    with store.read() as conn:
        kinds = conn.execute(
            sa.select(t.log_entries.c.event_type).where(t.log_entries.c.aggregate == "baseline")
        ).scalars()
        assert list(kinds) == ["BaselineAgreed", "BaselineRevised"]
    chair = _report(store, agreed.chair).years[0]
    # The package's EUR 5,000 in 2025 splits 923,456.79 : 250,000 to the cent.
    assert sum(_pooled(_report(store, agreed.chair), 2025).values()) == D("5000.00")
    assert chair.withheld_funds == ()
    # The public may not see GBR's contribution: one hidden donor, so no credit at all.
    public = _report(store, agreed.public)
    assert public.years[0].withheld_funds == (f.FUND,)
    assert _pooled(public, 2025) == {}


def test_only_the_chair_agrees_and_bad_terms_are_refused(store: Store, agreed: Principals) -> None:
    refuse(
        store,
        NotPermitted,
        lambda uow: baselines.agree_baseline(
            uow=uow,
            actor=agreed.donor("DEU"),
            baseline=_terms(CountingRules.of([PledgeSource.STOCKS])),
        ),
    )
    chair = agreed.chair
    refuse(
        store,
        AlreadyExists,
        lambda uow: baselines.agree_baseline(uow=uow, actor=chair, baseline=_terms()),
    )
    refuse(
        store,
        InvalidValue,
        lambda uow: baselines.agree_baseline(
            uow=uow,
            actor=chair,
            baseline=Baseline("other", "Other", D("1"), 2027, 2026, CountingRules()),
        ),
    )
    refuse(
        store,
        InvalidValue,
        lambda uow: baselines.revise_baseline(uow=uow, actor=chair, code=CODE, areas=["naval"]),
    )
    refuse(
        store,
        StaleVersion,
        lambda uow: baselines.revise_baseline(
            uow=uow, actor=chair, code=CODE, name="Renamed", expected_version=7
        ),
    )
    refuse(
        store,
        NotPermitted,
        lambda uow: baselines.revise_baseline(
            uow=uow, actor=agreed.donor("POL"), code=CODE, name="Renamed"
        ),
    )
    with store.read() as conn, pytest.raises(InvalidValue, match="2024 is outside it"):
        baselines.report(conn=conn, viewer=chair, code=CODE, years=[2024])
    with store.read() as conn, pytest.raises(NotFound):
        baselines.get_baseline(conn=conn, viewer=chair, code="nothing")


def test_the_what_if_uses_the_same_rules(store: Store, agreed: Principals) -> None:
    with store.read() as conn:
        what_if = analytics.fair_share(
            conn=conn,
            viewer=agreed.chair,
            year=2025,
            baseline_eur=ANNUAL,
            rules=CountingRules.of(pooled=PooledRule.CONTRIBUTED),
        )
    assert what_if == list(_report(store, agreed.chair).years[0].donors)


def test_the_donor_pages_use_the_agreed_baseline_of_the_year(
    store: Store, agreed: Principals
) -> None:
    with store.read() as conn:
        baseline, shares = analytics.agreed_fair_share(conn=conn, viewer=agreed.chair, year=2025)
        assert baseline is not None and baseline.code == CODE
        assert shares == list(_report(store, agreed.chair, [2025]).years[0].donors)
        none, default = analytics.agreed_fair_share(conn=conn, viewer=agreed.chair, year=2030)
    assert none is None
    assert sum(d.target_eur for d in default) == D(40) * 10**9
