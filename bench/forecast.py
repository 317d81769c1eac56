"""Forecast benchmark: the seeded Monte Carlo of `ramstein.reports.forecast` against the same
simulation written as plain Python loops.

Run with `.venv/bin/python bench/forecast.py [--pledges N] [--runs R]` (or `make bench`). A
synthetic coalition (default 2,000 live pledges of 40 donors, two tranches each, over 12 item
types in 6 areas, 300 needs, and a record of delays for every donor) is forecast for 8
quarters with R runs (default 500) and under a scenario (a donor stopping, a fifth of the
donors cutting by half). The baseline, measured in the same run on the same records, is the
loop a first version would write: for each run, for each tranche, draw a delay, find its
quarter and add its value; it is timed for a few runs and counted per run. The ratio is the
baseline's seconds per run over the forecast's: how many times faster the vectorised
simulation is (the loop only adds up each quarter's value; the forecast also works out the
coverage overall and per area, and the planned line, so the ratio understates the gain).
The target is 10: a 500-run forecast must cost no more than 50 runs of the loop, so that
`/api/v1/analytics/forecast` answers in well under a second at this size.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from ramstein.domain.catalogue import ItemType
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.pledges import Pledge, PledgeSource, PledgeStatus, Tranche
from ramstein.domain.releasability import PUBLIC_LABEL
from ramstein.reports import forecast as fc

AS_OF = date(2026, 12, 1)
TARGET = 10.0
BASELINE_RUNS = 20


def coalition(pledges: int, seed: int = 11) -> fc.Records:
    rng = random.Random(seed)
    items = {
        f"item-{k}": ItemType(f"item-{k}", f"Item {k}", f"area-{k % 6}", "unit", Decimal(1000 + k))
        for k in range(12)
    }
    donors = [f"D{k:02d}" for k in range(40)]
    made: list[Pledge] = []
    sent: list[Delivery] = []
    for n in range(1, pledges + 1):
        donor, item = rng.choice(donors), rng.choice(list(items))
        # a delivered pledge a year ago: the donor's record of delays
        promised = AS_OF - timedelta(days=rng.randint(200, 400))
        made.append(
            Pledge(n, donor, item, 10, None, PledgeSource.STOCKS, (2025,), None,
                   date(2025, 1, 1), PledgeStatus.DELIVERED, PUBLIC_LABEL,
                   (Tranche(n, 1, 10, promised, promised, 10),))
        )  # fmt: skip
        late = promised + timedelta(days=rng.choice((0, 0, 15, 40, 90)))
        sent.append(Delivery(n, n, 1, 10, late, "", DeliveryStatus.RECEIVED, donor, PUBLIC_LABEL))
    for n in range(pledges + 1, 2 * pledges + 1):
        donor, item = rng.choice(donors), rng.choice(list(items))
        dates = sorted(AS_OF + timedelta(days=rng.randint(-60, 700)) for _ in range(2))
        made.append(
            Pledge(n, donor, item, 200, None, PledgeSource.PROCUREMENT,
                   (2026, 2027), None, date(2026, 1, 1),
                   rng.choice((PledgeStatus.ANNOUNCED, PledgeStatus.COMMITTED)), PUBLIC_LABEL,
                   tuple(Tranche(n, k, 100, d, d) for k, d in enumerate(dates, start=1)))
        )  # fmt: skip
    needs = [
        Need(k, "UKR", rng.choice(list(items)), rng.randint(100, 5000), rng.choice(list(Priority)),
             AS_OF + timedelta(days=rng.randint(0, 600)), date(2026, 1, 1), "", NeedStatus.OPEN,
             PUBLIC_LABEL)
        for k in range(1, 301)
    ]  # fmt: skip
    return fc.Records(needs, made, sent, items)


def loops(records: fc.Records, runs: int, seed: int = 0) -> list[list[float]]:
    """The plain-Python simulation: value per quarter and run."""
    rng = random.Random(seed)
    delays = fc.observed_delays(records.pledges, records.deliveries, AS_OF)
    pooled = [d for days in delays.values() for d in days] or [0]
    coming = fc.arrivals(records.pledges, records.items, AS_OF)
    ends = [fc.quarter_end(q).toordinal() for q in fc.quarters_from(AS_OF, 8)]
    out = []
    for _ in range(runs):
        value = [0.0] * (len(ends) + 1)
        for a in coming:
            day = a.expected_on.toordinal() + rng.choice(delays.get(a.donor) or pooled)
            value[bisect.bisect_left(ends, day)] += a.units * float(a.unit_eur)
        out.append(value)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pledges", type=int, default=2000, help="live pledges (default 2,000)")
    parser.add_argument("--runs", type=int, default=500, help="Monte Carlo runs (default 500)")
    parser.add_argument("--repeat", type=int, default=3, help="timings; the best counts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    records = coalition(args.pledges)
    tranches = len(fc.arrivals(records.pledges, records.items, AS_OF))
    scenario = fc.Scenario(
        stops=(("D00", AS_OF + timedelta(days=180)),), cut_donors=Decimal("0.2"),
        cut_by=Decimal("0.5"),
    )  # fmt: skip

    def timed(work: object) -> float:
        seconds = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            work()  # type: ignore[operator]
            seconds.append(time.perf_counter() - start)
        return min(seconds)  # the best run, as timeit takes it

    baseline = timed(lambda: loops(records, BASELINE_RUNS)) / BASELINE_RUNS
    forecast = timed(lambda: fc.forecast(records, as_of=AS_OF, runs=args.runs))
    stressed = timed(lambda: fc.scenario_report(records, scenario, as_of=AS_OF, runs=args.runs))
    ratio = baseline / (forecast / args.runs)
    figures = {
        "tranches": tranches,
        "runs": args.runs,
        "baseline_s_per_run": baseline,
        "forecast_s": forecast,
        "scenario_s": stressed,
        "ratio": ratio,
        "target": TARGET,
        "meets_target": ratio >= TARGET,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{tranches:,} tranches to come, {args.runs} runs, 8 quarters")
    print(f"baseline: plain loops       {baseline * 1000:>9.2f} ms per run")
    print(f"forecast (vectorised)       {forecast / args.runs * 1000:>9.2f} ms per run  "
          f"({forecast:.2f} s in all)")  # fmt: skip
    print(f"scenario (base + stressed)  {stressed:>9.2f} s")
    print(f"ratio (baseline / forecast per run) {ratio:.1f} "
          f"(target >= {TARGET:.0f}: {'met' if ratio >= TARGET else 'NOT met'})")  # fmt: skip


if __name__ == "__main__":
    main()
