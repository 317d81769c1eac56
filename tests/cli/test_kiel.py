"""`ramstein import kiel DIR`, `ramstein export kiel DIR` and the analytics that must give the
Tracker's own figures after the import."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import sqlalchemy as sa

from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests.cli.support import Cli
from tests.interchange.kiel_data import (
    BN,
    FILES,
    RELEASE_29,
    SIX,
    assert_same_cells,
    copy_release,
    replace_cell,
    tracker_donors,
    tracker_months,
)


def test_import_analytics_export_and_import_again(cli: Cli, tmp_path: Path) -> None:
    out = cli.ok(f"import kiel {RELEASE_29}")
    assert "Kiel Tracker release 29" in out and "1450 created" in out
    size = cli.json("status")["log_size"]

    months = cli.json("analytics monthly")
    expected = tracker_months()
    assert [m["month"] for m in months] == sorted(expected)
    for m in months:
        want = expected[m["month"]]
        assert Decimal(m["total_eur_bn"]) == want["total"], m["month"]
        assert Decimal(m["total_eur"]) == want["total"] * BN, m["month"]
        assert {a["area"]: Decimal(a["eur_bn"]) for a in m["areas"]} == {
            k: want[k] for k in ("financial", "humanitarian", "military")
        }
    assert [m["month"] for m in cli.json("analytics monthly --from 2023-11 --until 2024-01")] == [
        "2023-11",
        "2023-12",
        "2024-01",
    ]
    table = cli.ok("analytics monthly --from 2022-03 --until 2022-03")
    assert "2022-03" in table and "military" in table
    assert f"{expected['2022-03']['total']:.6f}" in table

    donors = {d["donor"]: d for d in cli.json("analytics donors")}
    for code, (total, pct, gdp) in tracker_donors().items():
        assert Decimal(donors[code]["pledged_eur_bn"]) == total, code
        shown = donors[code]["pledged_pct_gdp"]
        if gdp:
            assert Decimal(shown) == pct.quantize(SIX, rounding=ROUND_HALF_EVEN), code
        else:
            assert shown is None, code

    again = cli.ok(f"import kiel {RELEASE_29}")
    assert "0 log entries" in again and "source unchanged" in again
    assert cli.json("status")["log_size"] == size

    written = cli.ok(f"export kiel {tmp_path / 'out'}")
    assert "Wrote Kiel Tracker release 29" in written
    for name in FILES:
        assert (tmp_path / "out" / name).read_bytes() == (RELEASE_29 / name).read_bytes()
    assert_same_cells(tmp_path / "out")
    assert "0 log entries" in cli.ok(f"import kiel {tmp_path / 'out'}")
    assert cli.json("status")["log_size"] == size
    assert "identical" in cli.ok("rebuild")


def test_a_changed_amount_is_a_logged_revision_and_a_dry_run_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    cli.ok(f"import kiel {RELEASE_29}")
    size = cli.json("status")["log_size"]

    def edit(name: str, lines: list[str]) -> list[str]:
        if name == "data_explorer.csv":  # Australia 2022-03: humanitarian 0.0653 -> 0.0753
            lines[2] = replace_cell(replace_cell(lines[2], 6, "0.0753"), 4, "0.152911")
        return lines

    folder = copy_release(tmp_path / "changed", edit=edit)
    dry = cli.ok(f"import kiel {folder} --dry-run")
    assert "update kiel-ust:AUS:2022-03:humanitarian: EUR 75300000.00" in dry
    assert "Nothing was written (dry run)" in dry
    assert cli.json("status")["log_size"] == size
    done = cli.ok(f"import kiel {folder}")
    # The amounts are the pledges' to hold: the release's own figures are unchanged.
    assert "source unchanged" in done and "1 log entries" in done
    store = Store(cli.url)
    try:
        with store.read() as conn:
            logged = conn.execute(
                sa.select(t.log_entries.c.event_type).where(t.log_entries.c.seq > size)
            ).scalars()
            assert list(logged) == ["PledgeRevised"]
    finally:
        store.dispose()


def test_bad_input_names_file_line_column_value_and_reason_and_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    def edit(name: str, lines: list[str]) -> list[str]:
        if name == "data_explorer.csv":
            lines[4] = replace_cell(lines[4], 1, '""')  # a donor row without a code
        return lines

    folder = copy_release(tmp_path / "bad", edit=edit)
    result = cli.run(f"import kiel {folder}")
    assert result.exit_code == 1 and result.stdout == ""
    assert "Problems in" in result.stderr
    for part in ("data_explorer.csv", "5", "iso", "ISO 3166 alpha-3"):
        assert part in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "data_explorer.csv line 5, column iso" in last
    assert "nothing was imported" in last
    assert cli.json("status")["log_size"] == 0

    missing = cli.run(f"import kiel {tmp_path / 'nowhere'}")
    assert missing.exit_code == 1 and "is not a folder" in missing.stderr


def test_only_the_chair_imports_and_an_empty_record_has_nothing_to_export(
    cli: Cli, tmp_path: Path
) -> None:
    cli.ok("participants add DEU --name Germany --kind state --joined-on 2022-04-26")
    refused = cli.fails(f"import kiel {RELEASE_29}", as_="DEU")
    assert refused == ("Only the chair may import a Kiel Tracker release; DEU is not the chair.")
    assert "There is no Kiel Tracker release" in cli.fails(f"export kiel {tmp_path / 'out'}")
    assert "is not a month" in cli.fails("analytics monthly --from 2022-3")
