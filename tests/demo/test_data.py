"""The demo's reference data: read from the package, consistent with the Kiel Tracker."""

from __future__ import annotations

from decimal import Decimal

from ramstein.demo import kiel, reference
from ramstein.domain.participants import ParticipantKind, ParticipantStatus


def test_tracker_figures_are_read_from_the_package() -> None:
    donors = kiel.donors()
    assert donors["USA"].name == "United States"
    assert donors["EU"].gdp_eur_bn is None  # the Tracker gives the EU institutions no GDP
    assert kiel.military_total("USA") > kiel.military_total("DEU") > kiel.military_total("ITA")
    assert any(w.donor == "POL" and w.category == "Tanks" for w in kiel.heavy_weapons())


def test_gdp_comes_from_the_tracker_rounded_to_six_places() -> None:
    by_code = {p.code: p for p in reference.participants()}
    for code, donor in kiel.donors().items():
        if code in by_code and donor.gdp_eur_bn is not None:
            gdp = by_code[code].gdp_eur_bn
            assert gdp is not None and gdp == round(donor.gdp_eur_bn, 6)
    assert by_code["DEU"].gdp_eur_bn == Decimal("3601.750000")
    for p in reference.participants():
        if p.gdp_eur_bn is not None:
            assert -p.gdp_eur_bn.as_tuple().exponent <= 6  # type: ignore[operator]


def test_every_tracker_donor_with_military_aid_takes_part() -> None:
    by_code = {p.code: p for p in reference.participants()}
    for code in kiel.donors():
        if kiel.military_total(code) > 0:
            assert by_code[code].status is ParticipantStatus.MEMBER
            assert by_code[code].pledges != "none"
    for code in ("CHN", "IND", "TWN"):
        assert code not in by_code
    assert by_code["CHE"].status is ParticipantStatus.OBSERVER
    assert by_code["UKR"].kind is ParticipantKind.RECIPIENT


def test_synthetic_gdp_figures_say_so() -> None:
    for p in reference.participants():
        if p.code not in kiel.donors() and p.gdp_eur_bn is not None:
            assert p.gdp_source == "approximate"
            assert "synthetic" in p.note


def test_every_tracker_heavy_weapon_has_a_catalogue_item_of_its_category() -> None:
    items = {it.code: it for it in reference.items()}
    for weapon in kiel.heavy_weapons():
        item = items[reference.item_for_weapon(weapon.name)]
        assert item.kiel_category == weapon.category, weapon


def test_substitutions_join_catalogue_items() -> None:
    codes = {it.code for it in reference.items()}
    areas = {a.code for a in reference.areas()}
    assert {it.area for it in reference.items()} == areas
    for s in reference.substitutions():
        assert s.offer_type in codes and s.need_type in codes and s.ratio > 0
