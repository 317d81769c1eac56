"""Pooled funds through the services, on both databases: contributions recorded by their
parties, read back by those who may see them, and the fund's report for each viewer.

`fund_script` sets up PF: DEU gives USD 1,000,000.01 at 0.92345678 (EUR 923,456.79, paid),
GBR EUR 250,000 restricted to POL, POL's EUR 10 is cancelled; PF's package of 10 drones
(EUR 5,000) has dispatched 3, worth EUR 1,500.00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ramstein.domain.errors import IllegalTransition, InvalidValue, NotFound, NotPermitted
from ramstein.domain.funds import ContributionStatus
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import Money
from ramstein.domain.releasability import WITHHELD, Label, Principal, Releasability, Role
from ramstein.services import funds, participants
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import CLOCK, FUND, Principals, refuse

D = Decimal
DEU_EUR = D("923456.79")  # 1,000,000.01 x 0.92345678 = 923,456.7892...


@pytest.fixture
def fund(store: Store, coalition: Principals) -> Principals:
    with store.write(clock=CLOCK) as uow:
        f.fund_script(uow, coalition.chair)
    return coalition


def _seen(store: Store, viewer: Principal) -> list[tuple[str, str]]:
    with store.read() as conn:
        found = funds.list_contributions(conn=conn, viewer=viewer, fund=FUND)
    return [(c.contributor, c.status.value) for c in found]


def test_every_viewer_reads_the_contributions_it_may_see(store: Store, fund: Principals) -> None:
    everything = [("POL", "cancelled"), ("GBR", "pledged"), ("DEU", "paid")]
    assert _seen(store, fund.chair) == everything
    assert _seen(store, fund.donor("POL")) == everything  # named on GBR's
    assert _seen(store, fund.donor("GBR")) == everything  # its own
    assert _seen(store, f.principal(FUND, Role.DONOR)) == everything  # the fund is named
    assert _seen(store, fund.donor("NLD")) == [("POL", "cancelled"), ("DEU", "paid")]
    assert _seen(store, fund.public) == [("DEU", "paid")]
    with store.read() as conn:
        gbr = funds.list_contributions(conn=conn, viewer=fund.chair, contributor="GBR")[0]
        assert gbr.label == Label(Releasability.RESTRICTED, frozenset({"POL", FUND}))
        assert (gbr.note, gbr.value.eur) == ("first half", D(250000))
        with pytest.raises(NotFound):
            funds.get_contribution(conn=conn, viewer=fund.donor("NLD"), contribution_id=gbr.id)


def test_the_fund_report_attributes_the_delivered_drones_for_each_viewer(
    store: Store, fund: Principals
) -> None:
    with store.read() as conn:
        full = funds.get_fund_report(conn=conn, viewer=fund.chair, fund=FUND)
        public = funds.get_fund_report(conn=conn, viewer=fund.public, fund=FUND)
    whole = DEU_EUR + 250000
    assert (full.delivered_eur, full.contributed_eur, full.paid_eur) == (
        D("1500.00"),
        whole,
        DEU_EUR,
    )
    assert [(a.contributor, a.delivered_eur) for a in full.attributions] == [
        ("DEU", (1500 * DEU_EUR / whole).quantize(D("0.01"))),
        ("GBR", D("1500.00") - (1500 * DEU_EUR / whole).quantize(D("0.01"))),
    ]
    # The public may not see GBR's: one hidden donor, so no shares at all.
    assert not public.attributed
    assert [(a.contributor, a.share, a.delivered_eur) for a in public.attributions] == [
        ("DEU", None, None)
    ]
    assert WITHHELD not in {a.contributor for a in public.attributions}
    assert public.delivered_eur == D("1500.00")  # the package is public


def test_the_parties_and_the_chair_record_and_settle_contributions(
    store: Store, fund: Principals
) -> None:
    nld = fund.donor("NLD")
    with store.write(clock=CLOCK) as uow:
        made = funds.record_contribution(
            uow=uow, actor=nld, fund=FUND, contributor="NLD",
            value=Money.eur_amount(D("1234.56")), on=date(2025, 7, 1),
            label=Label(Releasability.COALITION),
        )  # fmt: skip
        assert (made.status, made.version) == (ContributionStatus.PLEDGED, 1)
        paid = funds.change_contribution_status(
            uow=uow, actor=f.principal(FUND, Role.DONOR), contribution_id=made.id,
            status=ContributionStatus.PAID, on=date(2025, 8, 1), expected_version=1,
        )  # fmt: skip
    assert (paid.status, paid.status_on, paid.version) == (
        ContributionStatus.PAID,
        date(2025, 8, 1),
        2,
    )
    with store.read() as conn:
        report = funds.get_fund_report(conn=conn, viewer=nld, fund=FUND)
    assert "NLD" in {a.contributor for a in report.attributions}


def test_refusals_leave_the_log_untouched(store: Store, fund: Principals) -> None:
    deu, pol = fund.donor("DEU"), fund.donor("POL")
    eur = Money.eur_amount(D(100))

    def record(actor: Principal, fund_code: str = FUND, contributor: str = "DEU", **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("value", eur)
        kw.setdefault("label", Label(Releasability.COALITION))
        return lambda uow: funds.record_contribution(
            uow=uow, actor=actor, fund=fund_code, contributor=contributor, **kw
        )

    assert "Only DEU, PF or the chair" in str(refuse(store, NotPermitted, record(pol)))
    assert "not a pooled fund" in str(refuse(store, InvalidValue, record(deu, fund_code="NATO")))
    refuse(store, NotFound, record(deu, fund_code="XXX"))
    refuse(store, InvalidValue, record(deu, value=Money.eur_amount(D(0))))
    refuse(store, InvalidValue, record(deu, on=date(2025, 5, 31)))  # before the fund
    refuse(store, NotPermitted, record(fund.chair, contributor="UKR"))
    refuse(store, NotPermitted, record(fund.chair, contributor=FUND))
    with store.read() as conn:
        deu_paid = funds.list_contributions(conn=conn, viewer=deu, contributor="DEU")[0]
        pol_gone = funds.list_contributions(conn=conn, viewer=pol, contributor="POL")[0]
    refuse(
        store,
        IllegalTransition,
        lambda uow: funds.change_contribution_status(
            uow=uow, actor=pol, contribution_id=pol_gone.id, status=ContributionStatus.PAID
        ),
    )
    refuse(
        store,
        InvalidValue,
        lambda uow: funds.change_contribution_status(
            uow=uow, actor=deu, contribution_id=deu_paid.id, status=ContributionStatus.CANCELLED
        ),
    )  # a refund needs a reason
    refuse(
        store,
        NotPermitted,
        lambda uow: funds.change_contribution_status(
            uow=uow, actor=pol, contribution_id=deu_paid.id, status=ContributionStatus.CANCELLED,
            reason="not mine to cancel",
        ),
    )  # fmt: skip


def test_every_fund_is_reported_and_an_unknown_one_is_missing(
    store: Store, fund: Principals
) -> None:
    with store.write(clock=CLOCK) as uow:
        participants.register_participant(
            uow=uow, actor=fund.chair, code="EMPTY", name="Empty fund",
            kind=ParticipantKind.FUND, joined_on=date(2025, 1, 1), gdp_eur_bn=None,
        )  # fmt: skip
    with store.read() as conn:
        reports = funds.fund_reports(conn=conn, viewer=fund.observer)
        assert [r.fund for r in reports] == ["EMPTY", FUND]
        assert (reports[0].contributions, reports[0].delivered_eur) == (0, 0)
        with pytest.raises(NotFound, match="pooled fund"):
            funds.get_fund_report(conn=conn, viewer=fund.observer, fund="DEU")
        with pytest.raises(NotFound, match="participant"):
            funds.get_fund_report(conn=conn, viewer=fund.observer, fund="NOPE")
