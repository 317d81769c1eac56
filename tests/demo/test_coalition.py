"""Who takes part in the demo coalition, its capability coalitions and its catalogue."""

from __future__ import annotations

from decimal import Decimal

from ramstein.demo import kiel
from ramstein.demo.build import DemoSummary
from ramstein.domain.capabilities import CoalitionRole
from ramstein.domain.participants import ParticipantKind, ParticipantStatus
from ramstein.domain.releasability import Principal
from ramstein.services import capabilities, catalogue, participants
from ramstein.store.engine import Store

LEADS = {
    "air-force": {"USA", "DNK", "NLD"},
    "iamd": {"FRA", "DEU"},
    "artillery": {"FRA", "USA"},
    "armour": {"POL", "DEU", "ITA"},
    "maritime": {"GBR", "NOR"},
    "it": {"EST", "LUX"},
    "demining": {"LTU", "ISL"},
    "drones": {"LVA", "GBR"},
}


def test_fifty_plus_members_the_recipient_the_alliance_and_the_eu(
    demo_store: Store, demo_summary: DemoSummary, chair_viewer: Principal
) -> None:
    with demo_store.read() as conn:
        everyone = {
            p.code: p for p in participants.list_participants(conn=conn, viewer=chair_viewer)
        }
    members = [
        p
        for p in everyone.values()
        if p.status is ParticipantStatus.MEMBER and p.kind is not ParticipantKind.RECIPIENT
    ]
    assert len(members) >= 50
    assert demo_summary.members == len(members)
    assert everyone["UKR"].kind is ParticipantKind.RECIPIENT
    for code in ("NATO", "EU"):
        assert everyone[code].kind is ParticipantKind.ORGANISATION
        assert everyone[code].status is ParticipantStatus.MEMBER
    assert everyone["USA"].gdp_eur_bn == round(kiel.donors()["USA"].gdp_eur_bn or Decimal(0), 6)
    assert "CHN" not in everyone
    assert everyone["CHE"].status is ParticipantStatus.OBSERVER


def test_the_eight_capability_coalitions_have_their_reported_leads(
    demo_store: Store, chair_viewer: Principal
) -> None:
    with demo_store.read() as conn:
        found = capabilities.list_coalitions(conn=conn, viewer=chair_viewer)
    assert {c.code: set(c.leads) for c in found} == LEADS
    for c in found:
        assert sum(1 for r in c.members.values() if r is CoalitionRole.MEMBER) >= 3


def test_catalogue_covers_heavy_weapons_and_support_items(
    demo_store: Store, chair_viewer: Principal
) -> None:
    with demo_store.read() as conn:
        items = catalogue.list_items(conn=conn, viewer=chair_viewer)
        subs = catalogue.list_substitutions(conn=conn, viewer=chair_viewer)
    areas = {it.area for it in items}
    for area in ("air-defence", "artillery", "armour", "ammunition", "drones", "demining"):
        assert area in areas
    for area in ("medical", "energy", "winter"):
        assert area in areas
    pairs = {(s.offer_type, s.need_type): s.ratio for s in subs}
    assert pairs[("spg-155", "towed-howitzer-155")] == Decimal("1.5")
    assert pairs[("shell-155-l15", "shell-155-m795")] == 1
