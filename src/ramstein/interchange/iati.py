"""Pledges as IATI 2.03 activities: `iati_activities(records, ...)` gives the XML file's bytes.

One `<iati-activity>` per pledge the viewer may see, in pledge-id order, identified
`{reporting_org_ref}-PLEDGE-{id}`. The file validates against the IATI 2.03
`iati-activities-schema.xsd`; every code is from the 2.03 codelists:

- reporting-org: the coalition (the caller's ref and name; OrganisationType `90` Other by
  default) as a secondary reporter (`secondary-reporter="1"`): it republishes its donors'
  pledges.
- participating-org: the donor as Funding (OrganisationRole `1`), ref = its Ramstein code,
  type Government (`10`) for a state and Multilateral (`40`) for an organisation or a pooled
  fund. A pooled fund's package names the fund as Extending (`3`: it manages the money on
  the funders' behalf) and each contributor the audience may see as Funding; the
  recipient as Implementing (`4`): the role list has no beneficiary, and the recipient
  carries out the work the aid is for. Ramstein codes are not IATI organisation identifiers.
- other-identifier: the pledge's external reference, type `A9` (Other Activity Identifier).
- activity-status (ActivityStatus): announced `1` Pipeline/identification; committed,
  contracted and delivering `2` Implementation; delivered `3` (Completion in 2.03, later
  renamed Finalisation: physical activity complete); cancelled `5` Cancelled.
- activity-date (ActivityDateType): planned start `1` = announced on; actual start `2` = the
  first dispatch; planned end `3` = the last tranche's expected date; actual end `4` = the
  last dispatch of a delivered pledge.
- sector: the capability area in the reporting organisation's vocabulary (SectorVocabulary
  `99`), its code and name; OECD DAC purpose codes do not classify military aid.
- default-finance-type `110` Standard grant: in-kind aid, no debt (FinanceType category 100
  GRANTS: "transfers in cash or in kind"). No flow type, aid type or tied status is claimed:
  whether an item counts as ODA is not Ramstein's to say.
- budget: one per year the pledge covers, 1 January to 31 December, its value split equally
  (the last year takes the remainder, `interchange.shares`); BudgetStatus `1` Indicative for
  an announced pledge, `2` Committed once committed (and for a cancelled one, whose budgets
  record what was promised).
- transaction (TransactionType): an Outgoing Pledge `12` (new in 2.03) dated at announcement,
  for every pledge; an Outgoing Commitment `2` for a pledge committed, contracted, delivering
  or delivered; and a Disbursement `3` per delivery, dated at dispatch, valued at the pledge's
  EUR value pro rata to the quantity (`interchange.shares`: the shares of a fully delivered
  pledge add up to its value exactly). Aid in kind is marked per disbursement by
  DisbursementChannel: `4` "Aid in kind: donors manage funds themselves" for stocks and
  procurement, `3` "Aid in kind: donors utilise third party agencies" for a funded purchase.
  The donor is the provider-org and the recipient the receiver-org of each.

Values: the pledge and commitment transactions and the budgets keep the pledge's own amount
and currency (`<value currency="USD" value-date="announced on">`); each such value also
records the EUR rate and the EUR value in the Ramstein namespace (`ramstein:eur-rate`,
`ramstein:value-eur`), which IATI allows on any element. Disbursements are in EUR, the
activity's default currency.

The root also records, in the Ramstein namespace, who the file was written for and at which
log position (`ramstein:audience`, `ramstein:group`, `ramstein:log-size`), and each activity
its pledge's releasability (`ramstein:releasability`): the file holds only what that
audience may see.

Choices where IATI asks for what Ramstein does not hold:

- A pledge without a value keeps its activity, dates and sector but has no budgets and no
  transactions (IATI requires a value on both; a value of 0 would be summed as a real zero);
  a description of type `4` (Other) says so.
- Records do not hold the day a pledge was committed; the commitment is dated at
  announcement, the one date a pledge keeps.
- A cancelled pledge keeps its pledge transaction and the disbursements of what was
  delivered, but no commitment.
- No recipient-country: IATI wants an ISO 3166-1 alpha-2 code and Ramstein holds alpha-3
  codes (the standard library has no table between them); the recipient is named as a
  participating-org and the receiver-org of every transaction instead.
- `last-updated-datetime` is the export's `generated_at`: Records carry no per-pledge time.
- An IATI file holds at least one activity: with no pledge to show, `NothingToReport` is
  raised rather than writing an invalid file.

The same records give the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from ramstein.domain.deliveries import Delivery
from ramstein.domain.errors import DomainError
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.pledges import CENT, Money, Pledge, PledgeSource, PledgeStatus
from ramstein.domain.releasability import WITHHELD
from ramstein.interchange.records import Records
from ramstein.interchange.shares import by_pledge, by_year, delivered_values

VERSION = "2.03"
NAMESPACE = "urn:x-ramstein:iati-extension:1"
"""The namespace of Ramstein's own attributes (IATI allows any attribute in another one)."""
ET.register_namespace("ramstein", NAMESPACE)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ACTIVITY_STATUS: dict[PledgeStatus, str] = {
    PledgeStatus.ANNOUNCED: "1",
    PledgeStatus.COMMITTED: "2",
    PledgeStatus.CONTRACTED: "2",
    PledgeStatus.DELIVERING: "2",
    PledgeStatus.DELIVERED: "3",
    PledgeStatus.CANCELLED: "5",
}
"""Pledge status to the ActivityStatus codelist."""

COMMITTED = frozenset(
    {
        PledgeStatus.COMMITTED,
        PledgeStatus.CONTRACTED,
        PledgeStatus.DELIVERING,
        PledgeStatus.DELIVERED,
    }
)
"""The statuses whose pledge is a firm commitment (an Outgoing Commitment transaction)."""

OUTGOING_PLEDGE = "12"
OUTGOING_COMMITMENT = "2"
DISBURSEMENT = "3"

DISBURSEMENT_CHANNEL: dict[PledgeSource, str] = {
    PledgeSource.STOCKS: "4",
    PledgeSource.PROCUREMENT: "4",
    PledgeSource.FUNDING: "3",
    PledgeSource.TRAINING: "4",
    PledgeSource.LOGISTICS: "4",
}
"""Where the aid comes from to the DisbursementChannel codelist (both codes are in kind)."""

ORGANISATION_TYPE: dict[ParticipantKind, str] = {
    ParticipantKind.STATE: "10",
    ParticipantKind.ORGANISATION: "40",
    ParticipantKind.FUND: "40",
}
FUNDING, EXTENDING, IMPLEMENTING = "1", "3", "4"
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
INDICATIVE, BUDGET_COMMITTED = "1", "2"
STANDARD_GRANT = "110"
REPORTING_ORGANISATION_VOCABULARY = "99"
OTHER_ACTIVITY_IDENTIFIER = "A9"
GENERAL, OTHER = "1", "4"


class NothingToReport(DomainError):
    """An IATI file needs at least one activity, and the viewer may see no pledge."""

    code = "nothing-to-report"


def _instant(at: datetime) -> str:
    """An xsd:dateTime in UTC (a naive time is taken to be UTC)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _amount(value: Decimal) -> str:
    """Money to the cent (amounts have at most two places, so nothing is rounded)."""
    return format(value.quantize(CENT), "f")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _narrative(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = _sub(parent, tag, **attrs)
    _sub(element, "narrative", text)
    return element


def _name(records: Records, code: str) -> str:
    participant = records.participants.get(code)
    return participant.name if participant is not None else code


def _what(records: Records, pledge: Pledge) -> tuple[str, str]:
    item = records.items.get(pledge.item_type)
    return (item.name, item.unit) if item is not None else (pledge.item_type, "unit")


def _money_text(value: Money) -> str:
    if value.currency == "EUR":
        return f"{_amount(value.amount)} EUR"
    return (
        f"{_amount(value.amount)} {value.currency} at {_plain(value.eur_rate)} EUR per "
        f"{value.currency}, {_amount(value.eur)} EUR"
    )


def _years(years: Sequence[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def _description(records: Records, pledge: Pledge, delivered: int) -> str:
    donor = _name(records, pledge.donor)
    name, unit = _what(records, pledge)
    recipient = records.recipient
    to = f" to {recipient.name}" if recipient is not None else ""
    area = records.area_of(pledge.item_type)
    sentences = [
        f"Pledge {pledge.id} by {donor} ({pledge.donor}){to}: {pledge.quantity} x {name} "
        f"(unit: {unit}{f'; area: {area.name}' if area is not None else ''}), from "
        f"{pledge.source.value}, for {_years(pledge.years)}.",
        f"Announced on {pledge.announced_on.isoformat()}; status {pledge.status.value}; "
        f"{delivered} of {pledge.quantity} dispatched.",
    ]
    if pledge.value is not None:
        sentences.append(f"Value: {_money_text(pledge.value)}.")
    if pledge.status is PledgeStatus.CANCELLED and pledge.cancel_reason:
        sentences.append(f"Cancelled: {pledge.cancel_reason}")
    return " ".join(sentences)


def _org(parent: ET.Element, tag: str, participant: Participant | None, code: str) -> None:
    element = _sub(parent, tag, ref=code)
    _sub(element, "narrative", participant.name if participant is not None else code)


def _value(parent: ET.Element, value: Money, on: date) -> None:
    attrs = {"currency": value.currency, "value-date": on.isoformat()}
    if value.currency != "EUR":
        attrs[f"{{{NAMESPACE}}}eur-rate"] = _plain(value.eur_rate)
        attrs[f"{{{NAMESPACE}}}value-eur"] = _amount(value.eur)
    _sub(parent, "value", _amount(value.amount), **attrs)


def _transaction(
    activity: ET.Element,
    records: Records,
    pledge: Pledge,
    *,
    ref: str,
    code: str,
    on: date,
    value: Money,
    description: str,
    channel: str | None = None,
) -> None:
    t = _sub(activity, "transaction", ref=ref)
    _sub(t, "transaction-type", code=code)
    _sub(t, "transaction-date", **{"iso-date": on.isoformat()})
    _value(t, value, on)
    _narrative(t, "description", description)
    _org(t, "provider-org", records.participants.get(pledge.donor), pledge.donor)
    recipient = records.recipient
    if recipient is not None:
        _org(t, "receiver-org", recipient, recipient.code)
    if channel is not None:
        _sub(t, "disbursement-channel", code=channel)


def _delivery_text(records: Records, pledge: Pledge, d: Delivery) -> str:
    name, unit = _what(records, pledge)
    text = (
        f"Delivery {d.id} (tranche {d.tranche}): {d.quantity} x {name} (unit: {unit}) "
        f"dispatched on {d.dispatched_on.isoformat()}"
    )
    if d.received_on is not None:
        text += f"; {d.received_quantity} received on {d.received_on.isoformat()}"
        if d.discrepancy:
            text += f" ({d.discrepancy})"
    else:
        text += "; receipt not yet confirmed"
    return text + "."


def _contributors(records: Records, fund: str) -> list[str]:
    """The contributors to `fund` the audience may see, largest first."""
    return [
        a.contributor
        for report in records.funds
        if report.fund == fund
        for a in report.attributions
        if a.contributor != WITHHELD
    ]


def _activity(
    root: ET.Element,
    records: Records,
    pledge: Pledge,
    deliveries: Sequence[Delivery],
    *,
    reporting_org_ref: str,
    reporting_org_name: str,
    reporting_org_type: str,
) -> None:
    activity = _sub(
        root,
        "iati-activity",
        **{
            "last-updated-datetime": _instant(records.generated_at),
            XML_LANG: "en",
            "default-currency": "EUR",
            f"{{{NAMESPACE}}}releasability": pledge.label.level.value,
        },
    )
    _sub(activity, "iati-identifier", f"{reporting_org_ref}-PLEDGE-{pledge.id}")
    reporting = _sub(
        activity,
        "reporting-org",
        ref=reporting_org_ref,
        type=reporting_org_type,
        **{"secondary-reporter": "1"},
    )
    _sub(reporting, "narrative", reporting_org_name)

    donor = records.participants.get(pledge.donor)
    name, _ = _what(records, pledge)
    _narrative(activity, "title", f"{_name(records, pledge.donor)}: {pledge.quantity} x {name}")
    delivered = sum(d.quantity for d in deliveries)
    _narrative(activity, "description", _description(records, pledge, delivered), type=GENERAL)
    if pledge.value is None:
        _narrative(
            activity,
            "description",
            "No value was recorded for this pledge; it has no budget and no financial "
            "transactions.",
            type=OTHER,
        )

    fund = donor is not None and donor.kind is ParticipantKind.FUND
    funding = _sub(
        activity, "participating-org", ref=pledge.donor, role=EXTENDING if fund else FUNDING
    )
    if donor is not None and donor.kind in ORGANISATION_TYPE:
        funding.set("type", ORGANISATION_TYPE[donor.kind])
    _sub(funding, "narrative", _name(records, pledge.donor))
    if fund:
        for code in _contributors(records, pledge.donor):
            contributor = records.participants.get(code)
            funder = _sub(activity, "participating-org", ref=code, role=FUNDING)
            if contributor is not None and contributor.kind in ORGANISATION_TYPE:
                funder.set("type", ORGANISATION_TYPE[contributor.kind])
            _sub(funder, "narrative", _name(records, code))
    recipient = records.recipient
    if recipient is not None:
        _narrative(
            activity, "participating-org", recipient.name, ref=recipient.code, role=IMPLEMENTING
        )
    if pledge.external_ref:
        _sub(activity, "other-identifier", ref=pledge.external_ref, type=OTHER_ACTIVITY_IDENTIFIER)

    _sub(activity, "activity-status", code=ACTIVITY_STATUS[pledge.status])
    _sub(
        activity,
        "activity-date",
        type=PLANNED_START,
        **{"iso-date": pledge.announced_on.isoformat()},
    )
    if deliveries:
        first = min(d.dispatched_on for d in deliveries)
        _sub(activity, "activity-date", type=ACTUAL_START, **{"iso-date": first.isoformat()})
    if pledge.tranches:
        end = max(t.expected_on for t in pledge.tranches)
        _sub(activity, "activity-date", type=PLANNED_END, **{"iso-date": end.isoformat()})
    if pledge.status is PledgeStatus.DELIVERED and deliveries:
        last = max(d.dispatched_on for d in deliveries)
        _sub(activity, "activity-date", type=ACTUAL_END, **{"iso-date": last.isoformat()})

    area = records.area_of(pledge.item_type)
    if area is not None:
        _narrative(
            activity,
            "sector",
            area.name,
            vocabulary=REPORTING_ORGANISATION_VOCABULARY,
            code=area.code,
        )
    _sub(activity, "default-finance-type", code=STANDARD_GRANT)

    value = pledge.value
    if value is None:
        return
    status = INDICATIVE if pledge.status is PledgeStatus.ANNOUNCED else BUDGET_COMMITTED
    for year, share in by_year(value, pledge.years):
        budget = _sub(activity, "budget", status=status)
        _sub(budget, "period-start", **{"iso-date": date(year, 1, 1).isoformat()})
        _sub(budget, "period-end", **{"iso-date": date(year, 12, 31).isoformat()})
        _value(budget, share, pledge.announced_on)

    what = f"{pledge.quantity} x {name}"
    _transaction(
        activity,
        records,
        pledge,
        ref=f"PLEDGE-{pledge.id}",
        code=OUTGOING_PLEDGE,
        on=pledge.announced_on,
        value=value,
        description=f"Pledged: {what}.",
    )
    if pledge.status in COMMITTED:
        _transaction(
            activity,
            records,
            pledge,
            ref=f"PLEDGE-{pledge.id}-COMMITMENT",
            code=OUTGOING_COMMITMENT,
            on=pledge.announced_on,
            value=value,
            description=f"Committed: {what} (dated at announcement; the day of commitment "
            "is not recorded).",
        )
    shares = delivered_values(pledge, deliveries)
    for d in deliveries:
        eur, _ = shares[d.id]
        _transaction(
            activity,
            records,
            pledge,
            ref=f"DELIVERY-{d.id}",
            code=DISBURSEMENT,
            on=d.dispatched_on,
            value=Money.eur_amount(eur),
            description=_delivery_text(records, pledge, d),
            channel=DISBURSEMENT_CHANNEL[pledge.source],
        )


def iati_activities(
    records: Records,
    *,
    reporting_org_ref: str,
    reporting_org_name: str,
    reporting_org_type: str = "90",
) -> bytes:
    """The pledges of `records` as an IATI 2.03 activity file (UTF-8 XML bytes).

    `reporting_org_ref` is the coalition's IATI organisation identifier (the prefix of every
    activity identifier), `reporting_org_type` its OrganisationType code (default `90`
    Other). Raises `NothingToReport` when `records` hold no pledge."""
    if not records.pledges:
        raise NothingToReport(
            f"There are no pledges {records.audience} may see; an IATI file needs at least "
            "one activity."
        )
    root = ET.Element(
        "iati-activities",
        {
            "version": VERSION,
            "generated-datetime": _instant(records.generated_at),
            f"{{{NAMESPACE}}}audience": records.audience,
            f"{{{NAMESPACE}}}group": records.group_name,
            f"{{{NAMESPACE}}}log-size": str(records.log_size),
        },
    )
    deliveries = by_pledge(records.deliveries)
    for pledge in sorted(records.pledges, key=lambda p: p.id):
        _activity(
            root,
            records,
            pledge,
            deliveries.get(pledge.id, ()),
            reporting_org_ref=reporting_org_ref,
            reporting_org_name=reporting_org_name,
            reporting_org_type=reporting_org_type,
        )
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
