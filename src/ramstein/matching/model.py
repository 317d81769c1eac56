"""The matching model: needs, offers and substitutions as arrays, compatible arcs, components.

An arc joins an offer to a need whose item type it may serve (itself at ratio 1, or through a
substitution). Its unit gain, per offer unit, is r * (w - L * max(0, available - needed_by));
only arcs with a positive gain can improve the objective, so only those are kept. Everything
is built with NumPy array operations: there is no Python loop over arcs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from ramstein.domain.needs import PRIORITY_WEIGHTS, Priority

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

PRIORITIES: tuple[Priority, ...] = tuple(Priority)
GAIN_EPSILON = 1e-9
"""A unit gain at or below this is treated as no gain (float noise from fractional inputs)."""


@dataclass(frozen=True, slots=True)
class Need:
    need_id: str
    item_type: str
    quantity: int
    priority: Priority
    needed_by: date
    weight: float | None = None
    """Overrides the priority's weight for this need when given."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A pledge tranche not yet allocated or delivered."""

    offer_id: str
    donor: str
    item_type: str
    quantity: int
    available: date


@dataclass(frozen=True, slots=True)
class Substitution:
    """One unit of `offer_type` serves `ratio` units of a need of `need_type`."""

    offer_type: str
    need_type: str
    ratio: float


@dataclass(frozen=True, slots=True)
class Problem:
    needs: Sequence[Need]
    offers: Sequence[Offer]
    substitutions: Sequence[Substitution] = ()
    weights: Mapping[Priority, float] = field(default_factory=lambda: dict(PRIORITY_WEIGHTS))
    late_penalty: float = 1.0
    """Gain lost per unit per day an offer is available after the need's date."""


@dataclass(frozen=True, slots=True)
class Arrays:
    """The problem in canonical order (needs by need_id, offers by offer_id) plus its arcs."""

    needs: tuple[Need, ...]
    offers: tuple[Offer, ...]
    need_qty: IntArray
    need_weight: FloatArray
    need_priority: IntArray
    """Index into PRIORITIES."""
    offer_qty: IntArray
    arc_offer: IntArray
    arc_need: IntArray
    arc_ratio: FloatArray
    arc_gain: FloatArray
    """Gain per offer unit sent along the arc (already multiplied by the ratio)."""
    arc_component: IntArray
    """Component number of each arc, 0..n_components-1 in order of first offer/need."""
    n_components: int


def _days(values: Sequence[date]) -> IntArray:
    return np.fromiter((d.toordinal() for d in values), dtype=np.int64, count=len(values))


def _type_codes(types: list[str], vocabulary: dict[str, int]) -> IntArray:
    return np.fromiter((vocabulary[t] for t in types), dtype=np.int64, count=len(types))


def validate(problem: Problem) -> None:
    """Refuse a problem the model cannot represent (a ValueError naming the record)."""
    for kind, ids in (
        ("need", [n.need_id for n in problem.needs]),
        ("offer", [o.offer_id for o in problem.offers]),
    ):
        if len(set(ids)) != len(ids):
            raise ValueError(f"Each {kind} id must be unique.")
    for need in problem.needs:
        if need.quantity < 0:
            raise ValueError(f"Need {need.need_id} has a negative quantity.")
    for offer in problem.offers:
        if offer.quantity < 0:
            raise ValueError(f"Offer {offer.offer_id} has a negative quantity.")
    seen: set[tuple[str, str]] = set()
    for sub in problem.substitutions:
        pair = (sub.offer_type, sub.need_type)
        if pair in seen:
            raise ValueError(f"Substitution {pair[0]} -> {pair[1]} is given twice.")
        seen.add(pair)
        if not np.isfinite(sub.ratio) or sub.ratio <= 0:
            raise ValueError(f"Substitution {pair[0]} -> {pair[1]} needs a positive ratio.")
        if sub.offer_type == sub.need_type and sub.ratio != 1:
            raise ValueError(f"Type {sub.offer_type} serves itself at ratio 1 only.")
    if not np.isfinite(problem.late_penalty) or problem.late_penalty < 0:
        raise ValueError("The lateness penalty must be zero or positive.")


def build(problem: Problem) -> Arrays:
    """Canonical arrays, positive-gain arcs and components of `problem`."""
    validate(problem)
    needs = tuple(sorted(problem.needs, key=lambda n: n.need_id))
    offers = tuple(sorted(problem.offers, key=lambda o: o.offer_id))
    types = sorted(
        {n.item_type for n in needs}
        | {o.item_type for o in offers}
        | {s.offer_type for s in problem.substitutions}
        | {s.need_type for s in problem.substitutions}
    )
    vocab = {t: i for i, t in enumerate(types)}
    n_types = len(types)

    need_type = _type_codes([n.item_type for n in needs], vocab)
    offer_type = _type_codes([o.item_type for o in offers], vocab)
    need_qty = np.array([n.quantity for n in needs], dtype=np.int64)
    offer_qty = np.array([o.quantity for o in offers], dtype=np.int64)
    prio_index = {p: i for i, p in enumerate(PRIORITIES)}
    need_priority = np.array([prio_index[n.priority] for n in needs], dtype=np.int64)
    need_weight = np.array(
        [float(problem.weights[n.priority]) if n.weight is None else n.weight for n in needs],
        dtype=np.float64,
    )

    # Substitution table: every type serves itself at 1, plus the given pairs.
    explicit = [s for s in problem.substitutions if s.offer_type != s.need_type]
    sub_from = np.concatenate(
        [np.arange(n_types), _type_codes([s.offer_type for s in explicit], vocab)]
    )
    sub_to = np.concatenate(
        [np.arange(n_types), _type_codes([s.need_type for s in explicit], vocab)]
    )
    sub_ratio = np.concatenate([np.ones(n_types), [float(s.ratio) for s in explicit]])

    # Offers and needs grouped by type: start offset and count of each type's block.
    offer_order = np.argsort(offer_type, kind="stable")
    need_order = np.argsort(need_type, kind="stable")
    offer_count = np.bincount(offer_type, minlength=n_types)
    need_count = np.bincount(need_type, minlength=n_types)
    offer_start = np.concatenate([[0], np.cumsum(offer_count)[:-1]]).astype(np.int64)
    need_start = np.concatenate([[0], np.cumsum(need_count)[:-1]]).astype(np.int64)

    # Cartesian product of each substitution's offer block and need block, without loops.
    per_sub = offer_count[sub_from] * need_count[sub_to]
    total = int(per_sub.sum()) if n_types else 0
    arc_sub = np.repeat(np.arange(len(sub_from)), per_sub)
    first = np.concatenate([[0], np.cumsum(per_sub)[:-1]]).astype(np.int64)
    local = np.arange(total, dtype=np.int64) - first[arc_sub]
    width = need_count[sub_to[arc_sub]]
    arc_offer = offer_order[offer_start[sub_from[arc_sub]] + local // np.maximum(width, 1)]
    arc_need = need_order[need_start[sub_to[arc_sub]] + local % np.maximum(width, 1)]
    arc_ratio = sub_ratio[arc_sub]

    late = np.maximum(
        0,
        _days([o.available for o in offers])[arc_offer]
        - _days([n.needed_by for n in needs])[arc_need],
    )
    arc_gain = arc_ratio * (need_weight[arc_need] - problem.late_penalty * late)
    useful = (arc_gain > GAIN_EPSILON) & (offer_qty[arc_offer] > 0) & (need_qty[arc_need] > 0)
    # Canonical arc order (offer, then need) so the same inputs give the same model.
    keep = np.flatnonzero(useful)
    keep = keep[np.lexsort((arc_need[keep], arc_offer[keep]))]
    arc_offer, arc_need = arc_offer[keep], arc_need[keep]
    arc_ratio, arc_gain = arc_ratio[keep], arc_gain[keep]

    arc_component, n_components = components(len(offers), len(needs), arc_offer, arc_need)
    return Arrays(
        needs=needs,
        offers=offers,
        need_qty=need_qty,
        need_weight=need_weight,
        need_priority=need_priority,
        offer_qty=offer_qty,
        arc_offer=arc_offer.astype(np.int64),
        arc_need=arc_need.astype(np.int64),
        arc_ratio=arc_ratio.astype(np.float64),
        arc_gain=arc_gain.astype(np.float64),
        arc_component=arc_component,
        n_components=n_components,
    )


def components(
    n_offers: int, n_needs: int, arc_offer: IntArray, arc_need: IntArray
) -> tuple[IntArray, int]:
    """Connected components of the bipartite arc graph, labelled 0..k-1 per arc.

    Min-label propagation with pointer jumping, all in NumPy: each round pulls the smaller
    label across every arc at once, so the number of rounds grows with the graph's diameter
    in label hops (a handful for substitution families), never with the number of arcs.
    """
    if len(arc_offer) == 0:
        return np.zeros(0, dtype=np.int64), 0
    u = arc_offer.astype(np.int64)
    v = (arc_need + n_offers).astype(np.int64)
    label = np.arange(n_offers + n_needs, dtype=np.int64)
    while True:
        low = np.minimum(label[u], label[v])
        new = label.copy()
        np.minimum.at(new, u, low)
        np.minimum.at(new, v, low)
        new = new[new]  # pointer jumping: follow a label to its own label
        if np.array_equal(new, label):
            break
        label = new
    roots, arc_component = np.unique(label[u], return_inverse=True)
    return arc_component.astype(np.int64).reshape(-1), len(roots)
