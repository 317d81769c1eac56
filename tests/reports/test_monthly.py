"""The monthly series: pledges by month of announcement, split by area, worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ramstein.domain.catalogue import ItemType
from ramstein.domain.pledges import Money, Pledge, PledgeSource, PledgeStatus
from ramstein.domain.releasability import PUBLIC_LABEL
from ramstein.reports import analytics as a

D = Decimal
ITEMS = {
    "shell": ItemType("shell", "155 mm shell", "artillery", "round", D(1000)),
    "grant": ItemType("grant", "Budget support", "financial", "allocation", D(0)),
    "tank": ItemType("tank", "Tank", "armour", "system", D(0)),
}


def _pledge(
    pledge_id: int,
    donor: str,
    item: str,
    on: date,
    *,
    quantity: int = 1,
    value: str | None = None,
    status: PledgeStatus = PledgeStatus.COMMITTED,
) -> Pledge:
    return Pledge(
        id=pledge_id,
        donor=donor,
        item_type=item,
        quantity=quantity,
        value=None if value is None else Money.eur_amount(D(value)),
        source=PledgeSource.FUNDING,
        years=(on.year,),
        meeting=None,
        announced_on=on,
        status=status,
        label=PUBLIC_LABEL,
    )


PLEDGES = [
    _pledge(1, "DEU", "shell", date(2025, 1, 3), quantity=500),  # 500 × 1,000 at reference
    _pledge(2, "POL", "grant", date(2025, 1, 31), value="1234567.89"),
    _pledge(3, "DEU", "grant", date(2025, 3, 1), value="2000000000.00"),
    _pledge(4, "POL", "grant", date(2025, 3, 9), value="5", status=PledgeStatus.CANCELLED),
    _pledge(5, "DEU", "tank", date(2025, 4, 1), quantity=18, value="0.00"),  # worth nothing
]


def test_each_month_adds_up_its_pledges_by_area_without_gaps() -> None:
    jan, feb, mar = a.monthly_totals(PLEDGES, ITEMS)
    assert (jan.month, jan.pledges, jan.donors) == ("2025-01", 2, 2)
    assert jan.total_eur == D("1734567.89") and jan.total_eur_bn == D("0.001735")
    assert [(x.area, x.eur, x.eur_bn) for x in jan.areas] == [
        ("artillery", D("500000.00"), D("0.000500")),
        ("financial", D("1234567.89"), D("0.001235")),
    ]
    # February had nothing: it is in the series, at zero in every area.
    assert (feb.month, feb.pledges, feb.total_eur) == ("2025-02", 0, D(0))
    assert [x.eur for x in feb.areas] == [D(0), D(0)]
    # March: the cancelled pledge is out; April's pledge is worth nothing, so no April.
    assert (mar.month, mar.pledges, mar.total_eur_bn) == ("2025-03", 1, D("2.000000"))


def test_the_series_keeps_within_its_bounds() -> None:
    only = a.monthly_totals(PLEDGES, ITEMS, first=(2025, 2), last=(2025, 12))
    assert [m.month for m in only] == ["2025-03"]
    assert [x.area for x in only[0].areas] == ["financial"]
    assert a.monthly_totals(PLEDGES, ITEMS, first=(2026, 1)) == []
    assert a.monthly_totals([], ITEMS) == []


def test_a_donors_total_is_also_given_in_eur_billions() -> None:
    (pol,) = [
        d for d in a.donor_totals(PLEDGES, ITEMS, []) if d.donor == "POL"
    ]  # only its live grant
    assert (pol.pledged_eur, pol.pledged_eur_bn) == (D("1234567.89"), D("0.001235"))
