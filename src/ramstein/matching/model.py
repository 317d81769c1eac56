"""The matching model: needs, offers and substitutions as arrays, compatible arcs, components.

An arc joins an offer to a need whose item type it may serve (itself at ratio 1, or through a
substitution). Its unit gain, per offer unit, is r * (w - L * max(0, available - needed_by));
only arcs with a positive gain can improve the objective, so only those are kept. Everything
is built with NumPy array operations: there is no Python loop over arcs.

The arc graph falls apart along substitution families: item types joined by substitutions
(between a type that is offered and one that is needed) form one **component**, and no arc
joins two components. Components are found on the type graph, which has a few thousand
nodes even when there are millions of arcs, and the arcs are generated component by
component, so each component's arcs are one contiguous slice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

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
    """The problem in canonical order (needs by need_id, offers by offer_id) plus its arcs.

    Arcs are ordered by component, then substitution (offer type, need type), then offer,
    then need, so the same inputs always give the same model, and component `c` owns the arcs
    `component_start[c]:component_start[c + 1]`.
    """

    needs: tuple[Need, ...]
    offers: tuple[Offer, ...]
    need_ids: tuple[str, ...]
    offer_ids: tuple[str, ...]
    need_qty: IntArray
    need_weight: FloatArray
    need_priority: IntArray
    """Index into PRIORITIES."""
    need_day: IntArray
    """Needed-by date as a proleptic ordinal."""
    need_type: IntArray
    offer_qty: IntArray
    offer_day: IntArray
    offer_type: IntArray
    types: tuple[str, ...]
    """Item type names, sorted; `need_type` and `offer_type` index into it."""
    arc_offer: IntArray
    arc_need: IntArray
    arc_ratio: FloatArray
    arc_gain: FloatArray
    """Gain per offer unit sent along the arc (already multiplied by the ratio)."""
    component_start: IntArray
    """Arc slice bounds of the components: n_components + 1 entries."""
    offer_component: IntArray
    """Component of each offer (-1 for an offer with no arc)."""
    need_component: IntArray

    @property
    def n_components(self) -> int:
        return len(self.component_start) - 1

    @property
    def arc_component(self) -> IntArray:
        """Component number of each arc."""
        return np.repeat(
            np.arange(self.n_components, dtype=np.int64), np.diff(self.component_start)
        )


def _ordinals(values: Sequence[date]) -> IntArray:
    return np.fromiter((d.toordinal() for d in values), dtype=np.int64, count=len(values))


def _ints(values: Sequence[int]) -> IntArray:
    return np.fromiter(values, dtype=np.int64, count=len(values))


def _codes(names: Sequence[str], vocabulary: Mapping[str, int]) -> IntArray:
    return np.fromiter(map(vocabulary.__getitem__, names), dtype=np.int64, count=len(names))


def _starts(counts: IntArray) -> IntArray:
    """Where each block of `counts` starts when the blocks are laid end to end."""
    return (np.cumsum(counts) - counts).astype(np.int64)


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


def type_components(n_types: int, tails: IntArray, heads: IntArray) -> IntArray:
    """The smallest type index of each type's connected component (edges tails -> heads).

    Min-label propagation with pointer jumping on the type graph: each round pulls the
    smaller label across every edge at once, so the rounds grow with a family's diameter.
    """
    label = np.arange(n_types, dtype=np.int64)
    if len(tails) == 0:
        return label
    while True:
        low = np.minimum(label[tails], label[heads])
        new = label.copy()
        np.minimum.at(new, tails, low)
        np.minimum.at(new, heads, low)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def build(problem: Problem) -> Arrays:
    """Canonical arrays, positive-gain arcs and components of `problem`."""
    validate(problem)
    needs = tuple(sorted(problem.needs, key=attrgetter("need_id")))
    offers = tuple(sorted(problem.offers, key=attrgetter("offer_id")))
    explicit = sorted(
        (s for s in problem.substitutions if s.offer_type != s.need_type),
        key=attrgetter("offer_type", "need_type"),
    )
    need_types = [n.item_type for n in needs]
    offer_types = [o.item_type for o in offers]
    types = tuple(
        sorted(
            set(need_types)
            | set(offer_types)
            | {s.offer_type for s in explicit}
            | {s.need_type for s in explicit}
        )
    )
    vocab = {t: i for i, t in enumerate(types)}
    n_types = len(types)

    need_type = _codes(need_types, vocab)
    offer_type = _codes(offer_types, vocab)
    need_qty = _ints([n.quantity for n in needs])
    offer_qty = _ints([o.quantity for o in offers])
    need_day = _ordinals([n.needed_by for n in needs])
    offer_day = _ordinals([o.available for o in offers])
    need_priority = _codes([n.priority for n in needs], {p: i for i, p in enumerate(PRIORITIES)})
    need_weight = np.array(
        [float(problem.weights[n.priority]) if n.weight is None else n.weight for n in needs],
        dtype=np.float64,
    )

    # Substitution table: every type serves itself at 1, plus the given pairs.
    sub_from = np.concatenate([np.arange(n_types), _codes([s.offer_type for s in explicit], vocab)])
    sub_to = np.concatenate([np.arange(n_types), _codes([s.need_type for s in explicit], vocab)])
    sub_ratio = np.concatenate([np.ones(n_types), [float(s.ratio) for s in explicit]])

    # Offers and needs with something to give or take, grouped by type (each type's block in
    # canonical order, since the records are already sorted by id).
    live_offers = np.flatnonzero(offer_qty > 0)
    live_needs = np.flatnonzero(need_qty > 0)
    offer_by_type = live_offers[np.argsort(offer_type[live_offers], kind="stable")]
    need_by_type = live_needs[np.argsort(need_type[live_needs], kind="stable")]
    offer_count = np.bincount(offer_type[live_offers], minlength=n_types)
    need_count = np.bincount(need_type[live_needs], minlength=n_types)
    offer_start, need_start = _starts(offer_count), _starts(need_count)

    # A substitution matters only between a type on offer and a type in need; those join
    # types into families (components), and their arcs are generated family by family.
    live = np.flatnonzero((offer_count[sub_from] > 0) & (need_count[sub_to] > 0))
    family = type_components(n_types, sub_from[live], sub_to[live])
    live = live[np.lexsort((sub_to[live], sub_from[live], family[sub_from[live]]))]
    sf, st, sr = sub_from[live], sub_to[live], sub_ratio[live]

    # Cartesian product of each substitution's offer block and need block, without loops.
    per_sub = offer_count[sf] * need_count[st]
    total = int(per_sub.sum())
    block = np.repeat(np.arange(len(live), dtype=np.int64), per_sub)
    local = np.arange(total, dtype=np.int64) - np.repeat(_starts(per_sub), per_sub)
    first, second = np.divmod(local, np.maximum(need_count[st], 1)[block])
    del local
    arc_offer = offer_by_type[offer_start[sf][block] + first]
    arc_need = need_by_type[need_start[st][block] + second]
    del first, second
    arc_ratio = sr[block]
    late = np.maximum(0, offer_day[arc_offer] - need_day[arc_need])
    arc_gain = arc_ratio * (need_weight[arc_need] - problem.late_penalty * late)
    del late
    keep = np.flatnonzero(arc_gain > GAIN_EPSILON)
    arc_offer, arc_need = arc_offer[keep], arc_need[keep]
    arc_ratio, arc_gain = arc_ratio[keep], arc_gain[keep]

    # Component bounds: arcs are already grouped by family; families left without an arc
    # (every gain non-positive) are dropped, and the rest numbered in order.
    arc_family = family[sf][block[keep]]
    del block, keep
    changes = np.flatnonzero(arc_family[1:] != arc_family[:-1]) + 1
    component_start = np.concatenate([[0], changes, [len(arc_offer)]]).astype(np.int64)
    if len(arc_offer) == 0:
        component_start = np.zeros(1, dtype=np.int64)
    arc_component = np.repeat(
        np.arange(len(component_start) - 1, dtype=np.int64), np.diff(component_start)
    )
    offer_component = np.full(len(offers), -1, dtype=np.int64)
    offer_component[arc_offer] = arc_component
    need_component = np.full(len(needs), -1, dtype=np.int64)
    need_component[arc_need] = arc_component
    return Arrays(
        needs=needs,
        offers=offers,
        need_ids=tuple(n.need_id for n in needs),
        offer_ids=tuple(o.offer_id for o in offers),
        need_qty=need_qty,
        need_weight=need_weight,
        need_priority=need_priority,
        need_day=need_day,
        need_type=need_type,
        offer_qty=offer_qty,
        offer_day=offer_day,
        offer_type=offer_type,
        types=types,
        arc_offer=arc_offer,
        arc_need=arc_need,
        arc_ratio=arc_ratio,
        arc_gain=arc_gain,
        component_start=component_start,
        offer_component=offer_component,
        need_component=need_component,
    )
