"""Evaluate the spec's arithmetic rules per report: they flag reports, they never block publishing.

Beside the identities, rules check values no real report holds (bounds in ``value_bounds.toml``):
P11, P12e and R8 a count that is negative or not whole, C1 a count too large to be one, Y1 a report
year outside the years annual reports exist for. A report's own impossible value is its flag, not
the pipeline's failure: the report is published with it.

A rule compares the sum of some cells (lhs) with the sum or maximum of others (rhs), either
within each column (rows named in the rule) or within each row (columns named in the rule).
Blank semantics (spec §C.3): a blank 总计 cell, or a blank single total, is *missing* and makes the
rule not applicable; other blank or dash cells count as 0 and the detail says so; a cell with no
number (unreadable, ambiguous) makes the rule not applicable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pandas as pd

from transforms.catalog import load_catalog, table_columns
from transforms.identities import REPORT_TABLE, ArithmeticRule, ValueBounds, holds, load_bounds, load_rules
from transforms.layouts import AMOUNT_UNITS
from transforms.schemas import RULE_RESULTS
from transforms.vocabulary import BLANK, MISSING, NUMBER_STATUSES, PLACEHOLDER, RULE_OUTCOMES

PASS, FAIL, NOT_APPLICABLE = RULE_OUTCOMES
_RELATION_SYMBOLS = {"eq": ("=", "≠"), "le": ("≤", ">"), "ge": ("≥", "<")}
TOTAL_COLUMN = "total"
_NUMBERED = frozenset(NUMBER_STATUSES)
_ZERO_LIKE = frozenset((BLANK, PLACEHOLDER))
_COUNT_KINDS = ("", "count", "signed_count")  # column kinds C1 checks ("": the row decides)


@lru_cache(maxsize=4096)  # the same small counts recur in every detail text
def _fmt(number: float) -> str:
    return f"{number:.6f}".rstrip("0").rstrip(".") if number % 1 else str(int(number))


@dataclass
class _ReportCells:
    template: str
    year: int
    cells: dict[tuple[str, str, str], tuple[float | None, str, str]]  # (table, row, column) → (value, status, unit)
    _rows_columns: tuple | None = field(default=None, repr=False)
    _large: tuple | None = field(default=None, repr=False)

    def larger_than(self, bound: float) -> list[tuple]:
        """The cells whose value is beyond ±``bound`` (almost never any), found in one pass."""
        if self._large is None or self._large[0] != bound:
            found = [
                cell for cell in self.cells.items() if cell[1][0] is not None and not -bound <= cell[1][0] <= bound
            ]
            self._large = (bound, found)
        return self._large[1]

    def rows(self, table: str) -> list[str]:
        return self._index()[0].get(table, [])

    def columns(self, table: str) -> list[str]:
        return self._index()[1].get(table, [])

    def _index(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Each table's row and column codes, sorted; computed once (every rule asks)."""
        if self._rows_columns is None:
            rows: dict[str, set[str]] = defaultdict(set)
            columns: dict[str, set[str]] = defaultdict(set)
            for table, row, column in self.cells:
                rows[table].add(row)
                columns[table].add(column)
            self._rows_columns = (
                {t: sorted(r) for t, r in rows.items()},
                {t: sorted(c) for t, c in columns.items()},
            )
        return self._rows_columns


def _identity(rule: ArithmeticRule, report_id: str, cells: _ReportCells, table: str, row: str, column: str) -> dict:
    """Evaluate ``rule`` on one column (per_column: ``column`` fixed) or one row (per_row)."""
    lookup = cells.cells.get
    per_column = rule.scope == "per_column"

    def printed(codes: tuple[str, ...]) -> list[tuple[str, tuple]]:
        found = []
        for code in codes:
            cell = lookup((table, code, column) if per_column else (table, row, code))
            if cell is not None and cell[1] != MISSING:
                found.append((code, cell))
        return found

    def result(outcome: str, detail: str, expected: float | None = None, actual: float | None = None) -> dict:
        return {
            "report_id": report_id,
            "rule_id": rule.rule_id,
            "table_id": table,
            "row_code": row,
            "column_code": column,
            "severity": rule.severity,
            "description": rule.description,
            "expected": expected,
            "actual": actual,
            "outcome": outcome,
            "detail": detail,
        }

    lhs, rhs = printed(rule.lhs), printed(rule.rhs)
    if not lhs:
        return result(NOT_APPLICABLE, f"{'/'.join(rule.lhs)} not printed")
    if not rhs:
        return result(NOT_APPLICABLE, "no part printed")
    involved = lhs + rhs
    unreadable, blanks, total_blanks = [], [], []
    for code, (_, status, _) in involved:  # one pass: this runs ~30 times a report
        if status in _NUMBERED:
            continue
        if status not in _ZERO_LIKE:
            unreadable.append(code)
            continue
        blanks.append(code)
        if column == TOTAL_COLUMN or (rule.scope == "per_row" and code == TOTAL_COLUMN):
            total_blanks.append(code)
    if unreadable:
        return result(NOT_APPLICABLE, f"cells without a number: {', '.join(unreadable)}")
    if len(blanks) == len(involved):
        return result(NOT_APPLICABLE, "every cell blank")
    if total_blanks or (len(lhs) == 1 and lhs[0][1][1] in _ZERO_LIKE):
        return result(NOT_APPLICABLE, f"blank total is missing, not 0: {', '.join(total_blanks or [lhs[0][0]])}")

    left = [value if status in _NUMBERED else 0.0 for _, (value, status, _) in lhs]
    right = [value if status in _NUMBERED else 0.0 for _, (value, status, _) in rhs]
    actual = sum(left)
    expected = sum(right) if rule.aggregate == "sum" else max(right)
    ok = bool(holds(rule.relation, actual, expected))
    ok_symbol, fail_symbol = _RELATION_SYMBOLS[rule.relation]

    def side(numbers: list[float], total: float, aggregate: str) -> str:
        if len(numbers) == 1:
            return _fmt(total)
        if aggregate == "max":
            return f"max({', '.join(_fmt(n) for n in numbers)}) = {_fmt(total)}"
        return f"{' + '.join(_fmt(n) for n in numbers)} = {_fmt(total)}"

    left_text = side(left, actual, "sum") if len(left) > 1 else _fmt(actual)
    detail = f"{left_text} {ok_symbol if ok else fail_symbol} {side(right, expected, rule.aggregate)}"
    if blanks:
        detail += f" (blank counted as 0: {', '.join(blanks)})"
    return result(PASS if ok else FAIL, detail, expected, actual)


@cache
def _column_kinds(template: str, table: str) -> dict[str, str]:
    return {code: entry.value_kind for code, entry in table_columns(template, table).items()}


@cache
def _count_rows() -> frozenset[str]:
    catalog = load_catalog()
    return frozenset(catalog.loc[catalog["value_kind"] == "count", "code"])


def _offending_cells_result(rule: ArithmeticRule, report_id: str, table: str, bad: list[str], detail: str) -> dict:
    """A rule over every cell of a table (P11, R8, C1): ``expected`` 0 offending cells, ``actual``
    how many there are."""
    return {
        "report_id": report_id,
        "rule_id": rule.rule_id,
        "table_id": table,
        "row_code": "",
        "column_code": "",
        "severity": rule.severity,
        "description": rule.description,
        "expected": 0.0,
        "actual": float(len(bad)),
        "outcome": FAIL if bad else PASS,
        "detail": detail,
    }


def _integers(rule: ArithmeticRule, report_id: str, cells: _ReportCells, table: str) -> dict:
    kinds = _column_kinds(cells.template, table)
    offending = []
    for (t, row, column), (value, _status, unit) in cells.cells.items():
        if t != table or value is None or (value >= 0 and not value % 1):
            continue  # a non-negative integer is fine in every kind of column
        kind = kinds.get(column) or ("amount" if unit in AMOUNT_UNITS else "count")
        if kind == "free_amount":
            continue
        negative_ok, decimal_ok = kind == "signed_count", kind == "amount"
        if (value < 0 and not negative_ok) or (value % 1 and not decimal_ok):
            offending.append((row, column, value))
    bad = [f"{row}{'/' + column if column else ''}={_fmt(value)}" for row, column, value in sorted(offending)]
    detail = "all counts are non-negative integers" if not bad else "not a non-negative integer: " + ", ".join(bad[:10])
    return _offending_cells_result(rule, report_id, table, bad, detail)


def _count_size(rule: ArithmeticRule, report_id: str, cells: _ReportCells, table: str, largest: int) -> dict:
    """C1: no count over ``largest`` (signed counts by their size). A count is a catalog row of kind
    count in a count column; amounts, and rows the template does not know, are not checked. Like the
    integers rule, ``expected`` is 0 and ``actual`` the number of cells over."""
    kinds, counts = _column_kinds(cells.template, table), _count_rows()
    offending = [
        (row, column, value)
        for (t, row, column), (value, _status, unit) in cells.larger_than(largest)
        if t == table and row in counts and unit not in AMOUNT_UNITS and kinds.get(column, "") in _COUNT_KINDS
    ]
    bad = [f"{row}{'/' + column if column else ''}={_fmt(value)}" for row, column, value in sorted(offending)]
    detail = f"every count is at most {largest:,}"
    if bad:
        detail = f"too large for a count (over {largest:,}): " + ", ".join(bad[:10])
    return _offending_cells_result(rule, report_id, table, bad, detail)


def _report_year(rule: ArithmeticRule, report_id: str, year: int, first: int, last: int) -> dict:
    """Y1: the report covers a year between ``first`` and ``last``; the table id is ``report``."""
    ok = first <= year <= last
    if ok:
        detail = f"report year {year} is within {first}–{last}"
    elif year < first:
        detail = f"report year {year} is before {first}, the first year annual reports cover"
    else:
        detail = f"report year {year} is after {last}, a year no report can cover yet"
    return {
        "report_id": report_id,
        "rule_id": rule.rule_id,
        "table_id": REPORT_TABLE,
        "row_code": "",
        "column_code": "",
        "severity": rule.severity,
        "description": rule.description,
        "expected": None if ok else float(first if year < first else last),
        "actual": float(year),
        "outcome": PASS if ok else FAIL,
        "detail": detail,
    }


def evaluate_rules(
    indicators: pd.DataFrame, this_year: int | None = None, bounds: ValueBounds | None = None
) -> pd.DataFrame:
    """One row per (report, rule, row or column) with pass / fail / not_applicable and the arithmetic.

    ``this_year`` (default: today's) sets the last report year Y1 accepts; ``bounds`` default to
    ``value_bounds.toml``.
    """
    if indicators.empty:
        return RULE_RESULTS.empty_frame()
    bounds = bounds or load_bounds()
    first_year = bounds.first_report_year
    last_year = bounds.last_report_year(this_year or dt.date.today().year)
    reports: dict[str, _ReportCells] = {}
    columns = [
        "report_id",
        "template",
        "report_year",
        "table_id",
        "indicator_code",
        "column_code",
        "value",
        "value_status",
        "unit",
    ]
    # Whole columns to lists first: iterating Arrow-backed string columns row by row costs ~1.5 µs a cell.
    lists = [indicators[c].astype("float64") if c == "value" else indicators[c] for c in columns]
    for report_id, template, year, table, code, column, value, status, unit in zip(
        *(values.tolist() for values in lists), strict=True
    ):
        report = reports.get(report_id)
        if report is None:
            report = reports[report_id] = _ReportCells(template, int(year), {})
        report.cells[(table, code, column)] = (None if value != value else value, status, unit)  # NaN: no value
    by_template: dict[str, list[ArithmeticRule]] = defaultdict(list)
    for rule in load_rules():
        if rule.cross_year:  # over pairs of reports: expectations.cross_year
            continue
        for template in rule.templates:
            by_template[template].append(rule)
    results = []
    for report_id, report in reports.items():
        tables = sorted(report._index()[0])
        for rule in by_template.get(report.template, []):
            if rule.scope == "report_year":
                results.append(_report_year(rule, report_id, report.year, first_year, last_year))
                continue
            for table in tables if rule.table_id == "*" else [rule.table_id]:
                if table not in tables:
                    continue
                if rule.scope == "integers":
                    results.append(_integers(rule, report_id, report, table))
                elif rule.scope == "count_size":
                    results.append(_count_size(rule, report_id, report, table, bounds.largest_count))
                elif rule.scope == "per_column":
                    results += [_identity(rule, report_id, report, table, "", c) for c in report.columns(table)]
                else:
                    results += [
                        _identity(rule, report_id, report, table, r, "")
                        for r in report.rows(table)
                        if any(report.cells.get((table, r, c), (0, MISSING))[1] != MISSING for c in rule.lhs + rule.rhs)
                    ]
    frame = pd.DataFrame(results, columns=RULE_RESULTS.column_names)
    return frame.sort_values(list(RULE_RESULTS.primary_key), kind="stable").reset_index(drop=True)
