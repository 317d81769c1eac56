"""How a pledge's value is shared out: over its deliveries and over the years it covers.

Every writer that values a part of a pledge takes the share from here, so that IATI, HXL and
the flow JSON give the same figures:

- a delivery's share is the pledge's value pro rata to the quantity delivered, to the cent,
  rounded half to even; once the deliveries make up the whole pledge, the last delivery (the
  highest id) takes what rounding left over, so that the shares add up to the value exactly;
- a multi-year pledge's value is split equally over its years the same way: the last year
  takes the remainder.

A share is never negative and the shares never add up to more than the value: where rounding
each share on its own would (only for values of a fraction of a cent per unit), the shares
are the differences of the rounded running totals instead, which keep both promises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from ramstein.domain.deliveries import Delivery
from ramstein.domain.pledges import CENT, Money, Pledge


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def pro_rata(total: Decimal, parts: Sequence[int], whole: int) -> tuple[Decimal, ...]:
    """Each part's share of `total` (part / whole of it), in cents, half to even.

    When `parts` add up to `whole`, the last share takes the rounding remainder and the
    shares add up to `total` exactly; when they add up to less, every share is rounded alone
    and the rest stays with the part not listed. `total` has at most two places."""
    if whole <= 0 or any(p <= 0 for p in parts):
        raise ValueError(
            f"Shares need positive parts of a positive whole (got {parts} of {whole})."
        )
    if sum(parts) > whole:
        raise ValueError(f"The parts {parts} add up to more than the whole {whole}.")
    shares = [_cents(total * p / whole) for p in parts]
    if sum(parts) < whole:
        if sum(shares, Decimal(0)) <= total:
            return tuple(shares)
    else:
        remainder = total - sum(shares[:-1], Decimal(0))
        if remainder >= 0:
            return (*shares[:-1], remainder)
    running = [_cents(total * sum(parts[: i + 1]) / whole) for i in range(len(parts))]
    if sum(parts) == whole:
        running[-1] = total
    return tuple(b - a for a, b in zip([Decimal(0), *running[:-1]], running, strict=True))


def by_year(value: Money, years: Sequence[int]) -> tuple[tuple[int, Money], ...]:
    """`value` split equally over `years` (in its own currency), the last year taking the
    remainder."""
    amounts = pro_rata(value.amount, [1] * len(years), len(years))
    return tuple(
        (year, Money(amount, value.currency, value.eur_rate))
        for year, amount in zip(years, amounts, strict=True)
    )


def by_pledge(deliveries: Iterable[Delivery]) -> dict[int, tuple[Delivery, ...]]:
    """Deliveries grouped by pledge id, each group in id order."""
    grouped: dict[int, list[Delivery]] = {}
    for d in sorted(deliveries, key=lambda d: d.id):
        grouped.setdefault(d.pledge_id, []).append(d)
    return {pledge_id: tuple(ds) for pledge_id, ds in grouped.items()}


def delivered_values(
    pledge: Pledge, deliveries: Sequence[Delivery]
) -> Mapping[int, tuple[Decimal, Decimal]]:
    """Each delivery's share of the pledge's value, by delivery id: (EUR, source currency).

    Empty when the pledge has no value. The EUR shares are of `value.eur` and the source
    shares of `value.amount`, each rounded on its own, so a share in the source currency
    times the rate may differ from the EUR share by a cent."""
    if pledge.value is None or not deliveries:
        return {}
    ordered = sorted(deliveries, key=lambda d: d.id)
    quantities = [d.quantity for d in ordered]
    eur = pro_rata(pledge.value.eur, quantities, pledge.quantity)
    source = pro_rata(pledge.value.amount, quantities, pledge.quantity)
    return {d.id: (e, s) for d, e, s in zip(ordered, eur, source, strict=True)}
