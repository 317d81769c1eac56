"""Releasability in the scenario: about a third of needs and pledges are restricted.

Some donors publish next to nothing about what they give (France, Italy, Finland, Spain and
a few more kept their lists confidential); their pledges are restricted far more often.
Restricted records name who else may see them: mostly the recipient, and the leads of the
capability coalition concerned.
"""

from __future__ import annotations

import random
from functools import cache

from ramstein.demo import reference
from ramstein.domain.releasability import Label, Releasability

RECIPIENT = "UKR"
DISCREET_DONORS = frozenset({"FRA", "ITA", "FIN", "ESP", "BGR", "GRC", "PRT", "HRV", "TUR"})


@cache
def _leads_by_area() -> dict[str, tuple[str, ...]]:
    return {c.area: c.leads for c in reference.coalitions()}


def _level(rng: random.Random, restricted: float, public: float) -> Releasability:
    draw = rng.random()
    if draw < restricted:
        return Releasability.RESTRICTED
    if draw < restricted + public:
        return Releasability.PUBLIC
    return Releasability.COALITION


def need_label(rng: random.Random, area: str) -> Label:
    level = _level(rng, restricted=0.33, public=0.22)
    if level is not Releasability.RESTRICTED:
        return Label(level)
    leads = _leads_by_area().get(area, ())
    named = set(rng.sample(leads, k=rng.randint(0, len(leads)))) if leads else set()
    if rng.random() < 0.4:
        named.add(rng.choice(("USA", "DEU", "GBR")))
    return Label(level, frozenset(named))


def pledge_label(rng: random.Random, donor: str, area: str, heavy: bool) -> Label:
    if donor in DISCREET_DONORS:
        level = _level(rng, restricted=0.62, public=0.06)
    elif heavy:
        level = _level(rng, restricted=0.18, public=0.5)
    else:
        level = _level(rng, restricted=0.28, public=0.22)
    if level is not Releasability.RESTRICTED:
        return Label(level)
    named: set[str] = set()
    if rng.random() < 0.9:
        named.add(RECIPIENT)
    leads = [c for c in _leads_by_area().get(area, ()) if c != donor]
    if leads and rng.random() < 0.5:
        named.add(rng.choice(leads))
    return Label(level, frozenset(named))
