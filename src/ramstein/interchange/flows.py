"""Pledges and deliveries as flows, in the shape of OCHA FTS's public flow API: `flows_json`.

FTS (api.hpc.tools/v1/public/fts/flow) answers `{"data": {"flows": [...]}, "meta": ...}`;
each flow has an `id`, a `status` (`pledge`, `commitment` or `paid`), a `date`, amounts, a
`description` and two lists of the objects the money goes from and to,
`sourceObjects` and `destinationObjects`, each `{"type", "id", "name"}` with types such as
`Organization`, `Location`, `GlobalCluster` and `UsageYear`. Ramstein keeps that shape and
its object types, with its own names for the rest:

- `meta`: `audience`, `generated_at`, `log_size` and `group` of the export;
- a flow's amounts: `amount_eur` (FTS gives `amountUSD`), and the pledge's own `amount`,
  `currency` and `eur_rate` (FTS's original amount, currency and exchange rate);
- `pledge_id`, `quantity` (the items the flow covers) and `releasability` (the pledge's
  label) in addition.

Which flows a pledge gives:

- announced: one `pledge` flow (`id` `pledge-{id}`) for the whole pledge, dated at
  announcement;
- committed, contracted or delivering: one `commitment` flow (`pledge-{id}`) for the part
  not yet delivered, dated at announcement (Records do not hold the day of commitment),
  and a `paid` flow per delivery;
- delivered: a `paid` flow per delivery (`delivery-{id}`), dated at dispatch;
- cancelled: no pledge or commitment flow; what it delivered before it was cancelled was
  given, and stays as `paid` flows.

A paid flow's amounts are the pledge's value pro rata to the quantity dispatched, to the cent,
half to even; the last delivery of a fully delivered pledge takes the rounding remainder
(`interchange.shares`, the same figures as the IATI disbursements). A commitment is the value
less what was paid, so a pledge's flows add up to its value exactly, in EUR and in its own
currency. A pledge without a value gives flows with `null` amounts.

Contributions to a pooled fund are flows from the contributor to the fund (both
`Organization`s; the fund's packages are then its own pledges' flows): `contribution-{id}`,
status `pledge` while pledged and `paid` once paid (dated when paid), none once cancelled, with
`contribution_id` in place of `pledge_id` and no quantity.

Sources: the donor (`Organization`, and for a state its `Location`) and the flow's years
(`UsageYear`). Destinations: the recipient (`Organization` and `Location`), the capability
area (`GlobalCluster`) and the same years. A pledge or commitment's years are those the
pledge covers; a paid flow's is the year of dispatch. Ids are Ramstein codes.

Amounts and rates are JSON strings of the exact decimal, never floats, as in Ramstein's other
JSON exports: amounts to the cent (`"1140070.09"`), rates as recorded (`"0.92345678"`);
`json.dumps` takes the result as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ramstein.domain.deliveries import Delivery
from ramstein.domain.funds import ContributionStatus, FundContribution
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import CENT, Money, Pledge, PledgeStatus
from ramstein.interchange.records import Records
from ramstein.interchange.shares import by_pledge, delivered_values

PLEDGE, COMMITMENT, PAID = "pledge", "commitment", "paid"
PLACES = frozenset({ParticipantKind.STATE, ParticipantKind.RECIPIENT})
"""The participants that are also a `Location` (not an organisation or a pooled fund)."""
CONTRIBUTION_FLOW = {ContributionStatus.PLEDGED: PLEDGE, ContributionStatus.PAID: PAID}

Json = dict[str, Any]


def _decimal(value: Decimal | None) -> str | None:
    return format(value, "f") if value is not None else None


def _amount(value: Decimal | None) -> str | None:
    """Money to the cent (amounts have at most two places, so nothing is rounded)."""
    return format(value.quantize(CENT), "f") if value is not None else None


def _object(kind: str, id: str, name: str) -> Json:
    return {"type": kind, "id": id, "name": name}


def _party(records: Records, code: str) -> list[Json]:
    participant = records.participants.get(code)
    name = participant.name if participant is not None else code
    found = [_object("Organization", code, name)]
    if participant is not None and participant.kind in PLACES:
        found.append(_object("Location", code, name))
    return found


def _years(years: Sequence[int]) -> list[Json]:
    return [_object("UsageYear", str(y), str(y)) for y in years]


def _sources(records: Records, pledge: Pledge, years: Sequence[int]) -> list[Json]:
    return [*_party(records, pledge.donor), *_years(years)]


def _destinations(records: Records, pledge: Pledge, years: Sequence[int]) -> list[Json]:
    found: list[Json] = []
    recipient = records.recipient
    if recipient is not None:
        found += _party(records, recipient.code)
    area = records.area_of(pledge.item_type)
    if area is not None:
        found.append(_object("GlobalCluster", area.code, area.name))
    return found + _years(years)


def _what(records: Records, pledge: Pledge, quantity: int) -> str:
    item = records.items.get(pledge.item_type)
    name, unit = (item.name, item.unit) if item is not None else (pledge.item_type, "unit")
    donor = records.participants.get(pledge.donor)
    by = donor.name if donor is not None else pledge.donor
    return f"{by}: {quantity} x {name} (unit: {unit})"


def _flow(
    records: Records,
    pledge: Pledge,
    *,
    id: str,
    status: str,
    on: str,
    quantity: int,
    amounts: tuple[Decimal, Decimal] | None,
    description: str,
    years: Sequence[int],
) -> Json:
    value = pledge.value
    return {
        "id": id,
        "pledge_id": pledge.id,
        "status": status,
        "date": on,
        "amount_eur": _amount(amounts[0]) if amounts is not None else None,
        "amount": _amount(amounts[1]) if amounts is not None else None,
        "currency": value.currency if value is not None else None,
        "eur_rate": _decimal(value.eur_rate) if value is not None else None,
        "quantity": quantity,
        "description": description,
        "releasability": pledge.label.level.value,
        "sourceObjects": _sources(records, pledge, years),
        "destinationObjects": _destinations(records, pledge, years),
    }


def _whole(value: Money | None) -> tuple[Decimal, Decimal] | None:
    return (value.eur, value.amount) if value is not None else None


def _pledge_flows(records: Records, pledge: Pledge, deliveries: Sequence[Delivery]) -> list[Json]:
    flows: list[Json] = []
    shares = delivered_values(pledge, deliveries)
    delivered = sum(d.quantity for d in deliveries)
    if pledge.status is PledgeStatus.ANNOUNCED:
        flows.append(
            _flow(
                records,
                pledge,
                id=f"pledge-{pledge.id}",
                status=PLEDGE,
                on=pledge.announced_on.isoformat(),
                quantity=pledge.quantity,
                amounts=_whole(pledge.value),
                description=f"Pledge {pledge.id}, {_what(records, pledge, pledge.quantity)}.",
                years=pledge.years,
            )
        )
    elif pledge.status is not PledgeStatus.CANCELLED and delivered < pledge.quantity:
        open_part = pledge.quantity - delivered
        whole = _whole(pledge.value)
        rest = None
        if whole is not None:
            paid_eur = sum((e for e, _ in shares.values()), Decimal(0))
            paid_amount = sum((a for _, a in shares.values()), Decimal(0))
            rest = (whole[0] - paid_eur, whole[1] - paid_amount)
        flows.append(
            _flow(
                records,
                pledge,
                id=f"pledge-{pledge.id}",
                status=COMMITMENT,
                on=pledge.announced_on.isoformat(),
                quantity=open_part,
                amounts=rest,
                description=f"Pledge {pledge.id}, committed and not yet delivered: "
                f"{_what(records, pledge, open_part)}.",
                years=pledge.years,
            )
        )
    for d in deliveries:
        flows.append(
            _flow(
                records,
                pledge,
                id=f"delivery-{d.id}",
                status=PAID,
                on=d.dispatched_on.isoformat(),
                quantity=d.quantity,
                amounts=shares.get(d.id),
                description=f"Delivery {d.id} against pledge {pledge.id}, "
                f"{_what(records, pledge, d.quantity)}, dispatched.",
                years=(d.dispatched_on.year,),
            )
        )
    return flows


def _contribution_flow(records: Records, c: FundContribution) -> Json:
    fund = records.participants.get(c.fund)
    by = records.participants.get(c.contributor)
    return {
        "id": f"contribution-{c.id}",
        "contribution_id": c.id,
        "status": CONTRIBUTION_FLOW[c.status],
        "date": (c.status_on if c.status is ContributionStatus.PAID else c.on).isoformat(),
        "amount_eur": _amount(c.value.eur),
        "amount": _amount(c.value.amount),
        "currency": c.value.currency,
        "eur_rate": _decimal(c.value.eur_rate),
        "description": f"Contribution {c.id} of {by.name if by else c.contributor} to the "
        f"pooled fund {fund.name if fund else c.fund}.",
        "releasability": c.label.level.value,
        "sourceObjects": [*_party(records, c.contributor), *_years((c.on.year,))],
        "destinationObjects": [*_party(records, c.fund), *_years((c.on.year,))],
    }


def flows_json(records: Records) -> dict[str, Any]:
    """The pledges, deliveries and contributions to pooled funds of `records` as FTS-shaped
    flows (a JSON-ready dict)."""
    deliveries = by_pledge(records.deliveries)
    flows: list[Json] = []
    for pledge in sorted(records.pledges, key=lambda p: p.id):
        flows += _pledge_flows(records, pledge, deliveries.get(pledge.id, ()))
    for c in sorted(records.contributions, key=lambda c: c.id):
        if c.status in CONTRIBUTION_FLOW:
            flows.append(_contribution_flow(records, c))
    return {
        "meta": {
            "audience": records.audience,
            "generated_at": records.generated_at.isoformat(),
            "log_size": records.log_size,
            "group": records.group_name,
        },
        "data": {"flows": flows},
    }
