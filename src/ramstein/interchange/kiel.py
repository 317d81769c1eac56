"""The Kiel Institute Ukraine Support Tracker's public release layout: read it, check every
cell, and write it back exactly.

A release is a folder of three CSV files (UTF-8, strings quoted, numbers not):

- `data_explorer.csv`: one row per donor and month, the allocations in EUR billions by aid
  type (`financial`, `humanitarian`, `military`) and their `total`, the `commitments` and
  what is `to_be_allocated`, the donor's `gdp` (EUR bn) and the month's `pct_gdp`;
- `weapons.csv`: heavy weapons delivered, one row per donor and category, with the number,
  the monetary value (EUR) and the named systems (`"name (count); name (count)"`);
- `release_info.csv`: the release number, the period it covers, its date and its label.

`read_release` gives a `KielRelease` or raises `ReleaseRefused` listing every problem (file,
line, column, value, reason); `write_release` writes one in the Tracker's own column order and
quoting. Numbers stay `Decimal`s exactly as published. Pure: no database here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ramstein.domain.sources import RELEASE

SOURCE = "kiel-ust"
"""The source code of the Tracker's records, and the prefix of their external references."""
PUBLISHER = "Kiel Institute for the World Economy"

DATA_EXPLORER = "data_explorer.csv"
WEAPONS = "weapons.csv"
RELEASE_INFO = "release_info.csv"
FILES = (DATA_EXPLORER, WEAPONS, RELEASE_INFO)

DATA_EXPLORER_COLUMNS = (
    "country",
    "iso",
    "year",
    "month",
    "total",
    "financial",
    "humanitarian",
    "military",
    "commitments",
    "to_be_allocated",
    "gdp",
    "pct_gdp",
)
WEAPONS_COLUMNS = ("donor", "category", "number_of_weapons", "monetary_value_eur", "weapons_list")
RELEASE_COLUMNS = ("release", "period", "date", "label")

AID_TYPES = ("financial", "humanitarian", "military")
"""The Tracker's aid types, in its column order; allocations of each add up to `total`."""

EU_CODE = "EU"
"""The Tracker's code for the EU institutions (Commission and Council): an organisation."""

_ISO = re.compile(r"^[A-Z]{3}$")
_WEAPON = re.compile(r"^(.*\S)\s*\((\d+)\)$")
_BILLION_PLACES = 11
"""EUR billions with more places than this are not whole cents."""


# --- problems -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KielProblem:
    """Where a release cannot be read, and why."""

    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = self.file + (f" line {self.line}" if self.line else "")
        where += f", column {self.column}" if self.column else ""
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.reason}"


class ReleaseRefused(Exception):
    """A release this importer refuses: every problem is listed, nothing is written."""

    def __init__(self, where: str, problems: Sequence[KielProblem]) -> None:
        ordered = sorted(problems, key=lambda p: (FILES.index(p.file), p.line, p.column))
        listed = "; ".join(str(p).rstrip(".") for p in ordered[:10])
        more = f" (and {len(ordered) - 10} more)" if len(ordered) > 10 else ""
        super().__init__(
            f"{where}: {len(ordered)} problem(s), nothing was imported: {listed}{more}."
        )
        self.where = where
        self.problems = tuple(ordered)


# --- the release --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    release: str
    period: str
    published_on: date
    label: str

    @property
    def citation(self) -> str:
        return f"{PUBLISHER}, {self.label}"


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One row of `data_explorer.csv`: a donor's month (amounts in EUR billions)."""

    line: int
    country: str
    iso: str
    year: int
    month: int
    financial: Decimal
    humanitarian: Decimal
    military: Decimal
    commitments: Decimal
    to_be_allocated: Decimal
    gdp: Decimal
    pct_gdp: Decimal

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def total(self) -> Decimal:
        return self.financial + self.humanitarian + self.military

    def amount(self, aid: str) -> Decimal:
        value: Decimal = getattr(self, aid)
        return value


@dataclass(frozen=True, slots=True)
class WeaponSystem:
    """A named system of a weapons row, and how many were delivered."""

    name: str
    count: int


@dataclass(frozen=True, slots=True)
class WeaponsRow:
    """One row of `weapons.csv`: a donor's heavy weapons of one category."""

    line: int
    donor: str
    """The donor's name, as `data_explorer.csv` has it."""
    iso: str
    category: str
    number_of_weapons: Decimal
    monetary_value_eur: Decimal
    systems: tuple[WeaponSystem, ...]


@dataclass(frozen=True, slots=True)
class Donor:
    """A donor as a release lists it: code, name, GDP (EUR bn, as published), first month."""

    iso: str
    name: str
    gdp: Decimal
    first: tuple[int, int]

    @property
    def is_organisation(self) -> bool:
        return self.iso == EU_CODE


@dataclass(frozen=True, slots=True)
class KielRelease:
    info: ReleaseInfo
    months: tuple[MonthRow, ...]
    weapons: tuple[WeaponsRow, ...]

    def donors(self) -> dict[str, Donor]:
        """Every donor, in the order of `data_explorer.csv`."""
        out: dict[str, Donor] = {}
        for row in self.months:
            known = out.get(row.iso)
            first = (row.year, row.month)
            if known is None:
                out[row.iso] = Donor(row.iso, row.country, row.gdp, first)
            elif first < known.first:
                out[row.iso] = Donor(row.iso, known.name, known.gdp, first)
        return out


# --- reading ------------------------------------------------------------------------------


@dataclass
class _Reader:
    file: str
    problems: list[KielProblem] = field(default_factory=list)

    def fail(self, line: int, column: str, value: str, reason: str) -> None:
        self.problems.append(KielProblem(self.file, line, column, value, reason))

    def rows(
        self, text: str | None, columns: Sequence[str]
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """Each data row of the file as {column: text}, with its line; the header checked."""
        if text is None:
            self.fail(0, "", "", "the file is missing from the release")
            return
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                self.fail(1, "", "", "the file is empty; it needs the header row")
                return
            found = [h.strip() for h in header]
            missing = [c for c in columns if c not in found]
            unknown = [h for h in found if h not in columns]
            doubled = sorted({h for h in found if found.count(h) > 1})
            for c in missing:
                self.fail(1, c, "", f"the header lacks column {c!r}")
            for h in unknown:
                self.fail(
                    1, h, h, f"not a column of the Tracker's {self.file} ({', '.join(columns)})"
                )
            for h in doubled:
                self.fail(1, h, h, "the header names this column twice")
            if missing or unknown or doubled:
                return
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(found):
                    self.fail(
                        line,
                        "",
                        "",
                        f"the row has {len(cells)} cells; the header has {len(found)}",
                    )
                    continue
                yield line, {h: c.strip() for h, c in zip(found, cells, strict=True)}
        except csv.Error as error:
            self.fail(reader.line_num, "", "", f"not valid CSV ({error})")

    def number(self, line: int, row: Mapping[str, str], column: str) -> Decimal | None:
        text = row[column]
        if not text:
            self.fail(line, column, "", "required: a number")
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.fail(line, column, text, "not a number (write it like 0.142911)")
            return None
        return value

    def amount(self, line: int, row: Mapping[str, str], column: str) -> Decimal | None:
        """A non-negative amount in EUR billions that is whole cents."""
        value = self.number(line, row, column)
        if value is None:
            return None
        exponent = value.as_tuple().exponent
        if value < 0:
            self.fail(line, column, row[column], "an allocation cannot be negative")
            return None
        if isinstance(exponent, int) and -exponent > _BILLION_PLACES:
            self.fail(
                line,
                column,
                row[column],
                f"more than {_BILLION_PLACES} decimal places of EUR bn: not whole cents",
            )
            return None
        return value

    def whole(self, line: int, row: Mapping[str, str], column: str, low: int, high: int) -> int:
        text = row[column]
        if not text.isdigit() or not low <= int(text) <= high:
            self.fail(line, column, text, f"not a whole number from {low} to {high}")
            return low
        return int(text)

    def text(self, line: int, row: Mapping[str, str], column: str, what: str) -> str:
        if not row[column]:
            self.fail(line, column, "", f"required: {what}")
        return row[column]


def _months(text: str | None, problems: list[KielProblem]) -> list[MonthRow]:
    r = _Reader(DATA_EXPLORER)
    out: list[MonthRow] = []
    seen: dict[tuple[str, int, int], int] = {}
    names: dict[str, tuple[str, int]] = {}
    codes: dict[str, tuple[str, int]] = {}
    gdps: dict[str, tuple[Decimal, int]] = {}
    for line, row in r.rows(text, DATA_EXPLORER_COLUMNS):
        before = len(r.problems)
        country = r.text(line, row, "country", "the donor's name")
        iso = row["iso"]
        if not iso:
            r.fail(line, "iso", "", "required: the donor's ISO 3166 alpha-3 code (EU for the EU)")
        elif not (_ISO.match(iso) or iso == EU_CODE):
            r.fail(line, "iso", iso, "not an ISO 3166 alpha-3 code (three capitals) nor EU")
        year = r.whole(line, row, "year", 1900, 2999)
        month = r.whole(line, row, "month", 1, 12)
        amounts = {aid: r.amount(line, row, aid) for aid in AID_TYPES}
        figures = {
            c: r.number(line, row, c)
            for c in ("total", "commitments", "to_be_allocated", "gdp", "pct_gdp")
        }
        gdp = figures["gdp"]
        if gdp is not None and gdp < 0:
            r.fail(line, "gdp", row["gdp"], "GDP cannot be negative")
        if len(r.problems) > before:
            continue
        got = {k: v for k, v in (amounts | figures).items() if v is not None}
        fin, hum, mil = got["financial"], got["humanitarian"], got["military"]
        gdp = got["gdp"]
        if got["total"] != fin + hum + mil:
            r.fail(
                line,
                "total",
                row["total"],
                f"not financial + humanitarian + military ({fin + hum + mil})",
            )
            continue
        key = (iso, year, month)
        if key in seen:
            r.fail(
                line, "month", row["month"], f"{iso} {year}-{month:02d} is also line {seen[key]}"
            )
            continue
        seen[key] = line
        if iso in names and names[iso][0] != country:
            named, at = names[iso]
            r.fail(line, "country", country, f"line {at} names {iso} {named!r}")
            continue
        if country in codes and codes[country][0] != iso:
            code, at = codes[country]
            r.fail(line, "iso", iso, f"line {at} gives {country} the code {code}")
            continue
        if iso in gdps and gdps[iso][0] != gdp:
            other, at = gdps[iso]
            r.fail(line, "gdp", row["gdp"], f"line {at} gives {iso} the GDP {other}")
            continue
        names.setdefault(iso, (country, line))
        codes.setdefault(country, (iso, line))
        gdps.setdefault(iso, (gdp, line))
        out.append(
            MonthRow(
                line=line,
                country=country,
                iso=iso,
                year=year,
                month=month,
                financial=fin,
                humanitarian=hum,
                military=mil,
                commitments=got["commitments"],
                to_be_allocated=got["to_be_allocated"],
                gdp=gdp,
                pct_gdp=got["pct_gdp"],
            )
        )
    problems.extend(r.problems)
    return out


def weapon_systems(text: str) -> tuple[WeaponSystem, ...] | str:
    """The systems of a `weapons_list` cell, or the reason it cannot be read."""
    systems: list[WeaponSystem] = []
    for part in text.split(";"):
        found = _WEAPON.match(part.strip())
        if found is None:
            return f"{part.strip()!r} is not 'name (count)'"
        count = int(found.group(2))
        if count <= 0:
            return f"{part.strip()!r} counts no weapon"
        if any(s.name == found.group(1) for s in systems):
            return f"{found.group(1)!r} is listed twice"
        systems.append(WeaponSystem(found.group(1), count))
    return tuple(systems)


def _weapons(
    text: str | None, codes: Mapping[str, str] | None, problems: list[KielProblem]
) -> list[WeaponsRow]:
    r = _Reader(WEAPONS)
    out: list[WeaponsRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in r.rows(text, WEAPONS_COLUMNS):
        before = len(r.problems)
        donor = r.text(line, row, "donor", "the donor's name, as in data_explorer.csv")
        category = r.text(line, row, "category", "the weapons category")
        if category and not re.search(r"[A-Za-z]", category):
            r.fail(line, "category", category, "a category is named with letters")
        iso = ""
        if donor and codes is not None:
            if donor in codes:
                iso = codes[donor]
            else:
                r.fail(line, "donor", donor, f"no donor of this name in {DATA_EXPLORER}")
        number = r.number(line, row, "number_of_weapons")
        value = r.number(line, row, "monetary_value_eur")
        for column, given in (("number_of_weapons", number), ("monetary_value_eur", value)):
            if given is not None and given < 0:
                r.fail(line, column, row[column], "cannot be negative")
        listed = row["weapons_list"]
        systems: tuple[WeaponSystem, ...] = ()
        if not listed:
            r.fail(line, "weapons_list", "", "required: the systems, as 'name (count); ...'")
        else:
            parsed = weapon_systems(listed)
            if isinstance(parsed, str):
                r.fail(line, "weapons_list", listed, parsed)
            else:
                systems = parsed
        if (donor, category) in seen:
            r.fail(
                line,
                "category",
                category,
                f"{donor}'s {category} is also line {seen[donor, category]}",
            )
        seen.setdefault((donor, category), line)
        if len(r.problems) > before or codes is None:
            continue
        assert number is not None and value is not None
        out.append(WeaponsRow(line, donor, iso, category, number, value, systems))
    problems.extend(r.problems)
    return out


def _info(text: str | None, problems: list[KielProblem]) -> ReleaseInfo | None:
    r = _Reader(RELEASE_INFO)
    found: list[ReleaseInfo] = []
    lines: list[int] = []
    for line, row in r.rows(text, RELEASE_COLUMNS):
        lines.append(line)
        release = r.text(line, row, "release", "the release number")
        if release and not RELEASE.match(release):
            r.fail(line, "release", release, "not a release number such as 29")
        period = r.text(line, row, "period", "the period, such as 04/2026")
        label = r.text(line, row, "label", "the release's label")
        try:
            published = date.fromisoformat(row["date"])
        except ValueError:
            r.fail(line, "date", row["date"], "not a date written YYYY-MM-DD")
            continue
        found.append(ReleaseInfo(release, period, published, label))
    if text is not None and not r.problems and len(lines) != 1:
        r.fail(lines[1] if lines else 2, "", "", f"one release per file; it has {len(lines)} rows")
    problems.extend(r.problems)
    return found[0] if found and not r.problems else None


def parse_release(texts: Mapping[str, str | None], where: str) -> KielRelease:
    """A release from the text of its files (None for a file that is missing)."""
    problems: list[KielProblem] = []
    months = _months(texts.get(DATA_EXPLORER), problems)
    readable = not any(p.file == DATA_EXPLORER and p.line <= 1 for p in problems)
    codes = {m.country: m.iso for m in months} if readable else None
    weapons = _weapons(texts.get(WEAPONS), codes, problems)
    info = _info(texts.get(RELEASE_INFO), problems)
    if problems or info is None:
        raise ReleaseRefused(where, problems)
    return KielRelease(info, tuple(months), tuple(weapons))


def read_texts(directory: Path, problems: list[KielProblem] | None = None) -> dict[str, str | None]:
    """The text of each file of the release in `directory` (None where it is missing)."""
    texts: dict[str, str | None] = {}
    for name in FILES:
        path = directory / name
        try:
            texts[name] = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            texts[name] = None
        except UnicodeDecodeError as error:
            texts[name] = None
            if problems is not None:
                problems.append(
                    KielProblem(name, 0, "", "", f"not UTF-8 text (byte {error.start})")
                )
        except OSError as error:
            texts[name] = None
            if problems is not None:
                problems.append(KielProblem(name, 0, "", "", error.strerror or str(error)))
    return texts


def read_release(directory: Path) -> KielRelease:
    """The release in `directory`, or `ReleaseRefused` naming every problem."""
    where = str(directory)
    if not directory.is_dir():
        raise ReleaseRefused(
            where, [KielProblem(DATA_EXPLORER, 0, "", "", f"{directory} is not a folder")]
        )
    unreadable: list[KielProblem] = []
    texts = read_texts(directory, unreadable)
    if unreadable:
        raise ReleaseRefused(where, unreadable)
    return parse_release(texts, where)


# --- writing ------------------------------------------------------------------------------

Cell = str | int | Decimal


def number_text(value: Decimal | int) -> str:
    """A number as the Tracker writes it: plain digits, no exponent, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    if value == 0:
        return "0"
    text = str(value)
    if "E" in text or "e" in text:
        text = format(value.normalize(), "f")
    return text


def _cell(value: Cell) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return number_text(value)


def _csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    lines = [",".join(_cell(h) for h in header)]
    lines += [",".join(_cell(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


def plain_amount(value: Decimal) -> Decimal:
    """An amount without trailing zeros (0.002645000 is written 0.002645)."""
    return value.normalize() if value else Decimal(0)


def render_release(release: KielRelease) -> dict[str, str]:
    """The text of each file of `release`, in the Tracker's column order and quoting."""
    months = [
        (
            m.country,
            m.iso,
            m.year,
            m.month,
            plain_amount(m.total),
            plain_amount(m.financial),
            plain_amount(m.humanitarian),
            plain_amount(m.military),
            m.commitments,
            m.to_be_allocated,
            m.gdp,
            m.pct_gdp,
        )
        for m in release.months
    ]
    weapons = [
        (
            w.donor,
            w.category,
            w.number_of_weapons,
            w.monetary_value_eur,
            "; ".join(f"{s.name} ({s.count})" for s in w.systems),
        )
        for w in release.weapons
    ]
    info = release.info
    return {
        DATA_EXPLORER: _csv(DATA_EXPLORER_COLUMNS, months),
        WEAPONS: _csv(WEAPONS_COLUMNS, weapons),
        RELEASE_INFO: _csv(
            RELEASE_COLUMNS,
            [(info.release, info.period, info.published_on.isoformat(), info.label)],
        ),
    }


def write_release(release: KielRelease, directory: Path) -> list[Path]:
    """Write the three files of `release` into `directory` (made if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_release(release).items():
        path = directory / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written
