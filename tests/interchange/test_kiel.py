"""Reading and writing the Kiel Tracker's release layout: every cell checked, every problem
named by file, line, column, value and reason, and a release written back exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.interchange import kiel
from ramstein.interchange.kiel import (
    KielProblem,
    KielRelease,
    MonthRow,
    ReleaseInfo,
    ReleaseRefused,
    WeaponsRow,
    WeaponSystem,
)
from tests.interchange.kiel_data import (
    FILES,
    RELEASE_29,
    assert_same_cells,
    copy_release,
    replace_cell,
    rows,
)


def test_release_29_reads_whole_and_writes_back_byte_for_byte(tmp_path: Path) -> None:
    release = kiel.read_release(RELEASE_29)
    assert release.info == ReleaseInfo(
        "29",
        "04/2026",
        date(2026, 8, 4),
        "Ukraine Support Tracker, Release 29 (04/2026)",
    )
    assert len(release.months) == len(rows(RELEASE_29 / "data_explorer.csv")) == 1079
    assert len(release.weapons) == 61
    donors = release.donors()
    assert len(donors) == 42 and donors["EU"].is_organisation
    assert donors["AUS"].gdp == Decimal("1312.77115526256")  # as published, every digit
    assert donors["AUS"].first == (2022, 2)
    denmark = next(w for w in release.weapons if (w.iso, w.category) == ("DNK", "Tanks"))
    assert denmark.systems == (
        WeaponSystem("Leopard-1A5", 62),
        WeaponSystem("Modified T-72 tank (T-72A/T-72M1/M1R)", 25),
        WeaponSystem("Leopard-2A4", 7),
    )
    kiel.write_release(release, tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (RELEASE_29 / name).read_bytes(), name
    assert_same_cells(tmp_path)


def _refused(folder: Path) -> tuple[KielProblem, ...]:
    with pytest.raises(ReleaseRefused) as caught:
        kiel.read_release(folder)
    assert "nothing was imported" in str(caught.value)
    return caught.value.problems


def _edited(tmp_path: Path, file: str, line: int, change: object) -> Path:
    """Release 29 with line `line` (1-based) of `file` changed by `change(text)`."""

    def edit(name: str, lines: list[str]) -> list[str]:
        if name == file:
            lines[line - 1] = change(lines[line - 1])  # type: ignore[operator]
        return lines

    return copy_release(tmp_path / "bad", edit=edit)


CASES = [
    (
        "a non-number",
        "data_explorer.csv",
        3,
        lambda t: replace_cell(t, 7, '"0,0776"'),
        ("data_explorer.csv", 3, "military", "0,0776", "not a number"),
    ),
    (
        "a donor row without a code",
        "data_explorer.csv",
        5,
        lambda t: replace_cell(t, 1, '""'),
        ("data_explorer.csv", 5, "iso", "", "required: the donor's ISO 3166 alpha-3 code"),
    ),
    (
        "a code that is not ISO alpha-3",
        "data_explorer.csv",
        5,
        lambda t: replace_cell(t, 1, '"Aus"'),
        ("data_explorer.csv", 5, "iso", "Aus", "not an ISO 3166 alpha-3 code"),
    ),
    (
        "a wrong header",
        "data_explorer.csv",
        1,
        lambda t: t.replace('"military"', '"militray"'),
        ("data_explorer.csv", 1, "military", "", "the header lacks column 'military'"),
    ),
    (
        "a total that is not the sum of its parts",
        "data_explorer.csv",
        3,
        lambda t: replace_cell(t, 4, "0.2"),
        ("data_explorer.csv", 3, "total", "0.2", "not financial + humanitarian + military"),
    ),
    (
        "a negative allocation",
        "data_explorer.csv",
        3,
        lambda t: replace_cell(replace_cell(t, 6, "-0.0653"), 4, "0.012311"),
        ("data_explorer.csv", 3, "humanitarian", "-0.0653", "cannot be negative"),
    ),
    (
        "a month out of range",
        "data_explorer.csv",
        3,
        lambda t: replace_cell(t, 3, "13"),
        ("data_explorer.csv", 3, "month", "13", "not a whole number from 1 to 12"),
    ),
    (
        "a weapons donor the data explorer does not list",
        "weapons.csv",
        2,
        lambda t: t.replace('"Australia"', '"Austrlia"'),
        ("weapons.csv", 2, "donor", "Austrlia", "no donor of this name in data_explorer.csv"),
    ),
    (
        "a weapons list that is not 'name (count)'",
        "weapons.csv",
        3,
        lambda t: t.replace("M1A1 Abrams (49)", "M1A1 Abrams 49"),
        ("weapons.csv", 3, "weapons_list", "M1A1 Abrams 49", "is not 'name (count)'"),
    ),
    (
        "a release date that is no date",
        "release_info.csv",
        2,
        lambda t: t.replace("2026-08-04", "4 August 2026"),
        ("release_info.csv", 2, "date", "4 August 2026", "not a date written YYYY-MM-DD"),
    ),
]


@pytest.mark.parametrize(
    ("file", "line", "change", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_bad_input_is_named_by_file_line_column_value_and_reason(
    tmp_path: Path, file: str, line: int, change: object, expected: tuple[object, ...]
) -> None:
    problem, *others = _refused(_edited(tmp_path, file, line, change))
    assert (problem.file, problem.line, problem.column, problem.value) == expected[:4]
    if line == 1:  # a misspelt column is missing, and an unknown one is there
        assert [(p.column, p.value) for p in others] == [("militray", "militray")]
    else:
        assert others == []
    assert str(expected[4]) in problem.reason
    assert str(problem).startswith(f"{file} line {line}, column {expected[2]}")


def test_a_missing_file_and_every_bad_row_are_listed_at_once(tmp_path: Path) -> None:
    def edit(name: str, lines: list[str]) -> list[str]:
        if name == "data_explorer.csv":
            lines[2] = replace_cell(lines[2], 10, "lots")
            lines[9] = replace_cell(lines[9], 11, "")
        return lines

    folder = copy_release(tmp_path / "bad", edit=edit)
    (folder / "release_info.csv").unlink()
    problems = _refused(folder)
    assert [(p.file, p.line, p.column) for p in problems] == [
        ("data_explorer.csv", 3, "gdp"),
        ("data_explorer.csv", 10, "pct_gdp"),
        ("release_info.csv", 0, ""),
    ]
    assert problems[2].reason == "the file is missing from the release"


def test_a_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    (problem,) = _refused(tmp_path / "nowhere")
    assert "is not a folder" in problem.reason


def test_duplicated_rows_and_disagreeing_names_are_refused(tmp_path: Path) -> None:
    def edit(name: str, lines: list[str]) -> list[str]:
        if name == "data_explorer.csv":
            lines.insert(3, lines[2])  # Australia 2022-03 twice
            lines[5] = lines[5].replace('"Australia"', '"Commonwealth of Australia"')
        return lines

    problems = _refused(copy_release(tmp_path / "bad", edit=edit))
    assert [(p.line, p.column, p.reason) for p in problems] == [
        (4, "month", "AUS 2022-03 is also line 3"),
        (6, "country", "line 2 names AUS 'Australia'"),
    ]


amounts = st.decimals(min_value=0, max_value=500, places=6).map(lambda d: d.normalize())
figures = st.decimals(min_value=-50, max_value=50, places=12, allow_nan=False)


@st.composite
def releases(draw: st.DrawFn) -> KielRelease:
    codes = draw(st.lists(st.from_regex(r"[A-Z]{3}", fullmatch=True), min_size=1, unique=True))
    months = []
    gdp = {c: draw(st.decimals(min_value=1, max_value=30000, places=9)) for c in codes}
    for code in codes:
        for year, month in draw(
            st.lists(
                st.tuples(st.integers(2022, 2026), st.integers(1, 12)),
                min_size=1,
                max_size=4,
                unique=True,
            )
        ):
            months.append(
                MonthRow(
                    line=len(months) + 2,
                    country=f"Donor {code}",
                    iso=code,
                    year=year,
                    month=month,
                    financial=draw(amounts),
                    humanitarian=draw(amounts),
                    military=draw(amounts),
                    commitments=draw(figures),
                    to_be_allocated=draw(figures),
                    gdp=gdp[code],
                    pct_gdp=draw(figures),
                )
            )
    systems = st.lists(
        st.builds(
            WeaponSystem,
            st.from_regex(r"[A-Za-z][A-Za-z0-9 ()/-]{0,20}[A-Za-z0-9]", fullmatch=True),
            st.integers(1, 500),
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda s: s.name,
    )
    weapons = [
        WeaponsRow(
            line=n + 2,
            donor=f"Donor {code}",
            iso=code,
            category=category,
            number_of_weapons=Decimal(draw(st.integers(0, 1000))),
            monetary_value_eur=Decimal(draw(st.integers(0, 10**10))),
            systems=tuple(draw(systems)),
        )
        for n, (code, category) in enumerate(
            draw(
                st.lists(
                    st.tuples(st.sampled_from(codes), st.sampled_from(["Tanks", "IFV", "MLRS"])),
                    unique=True,
                    max_size=4,
                )
            )
        )
    ]
    info = ReleaseInfo("31", "06/2026", date(2026, 10, 1), "Release 31")
    return KielRelease(info, tuple(months), tuple(weapons))


@settings(max_examples=40, deadline=None)
@given(release=releases())
def test_any_release_written_reads_back_the_same(release: KielRelease) -> None:
    texts = kiel.render_release(release)
    again = kiel.parse_release(texts, "generated")
    assert again.info == release.info
    assert again.weapons == release.weapons
    assert [(m.iso, m.period, m.total, m.commitments, m.pct_gdp) for m in again.months] == [
        (m.iso, m.period, m.total, m.commitments, m.pct_gdp) for m in release.months
    ]
    assert again.months == release.months
    assert kiel.render_release(again) == texts
