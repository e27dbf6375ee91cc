"""The arithmetic identities of each template's tables, as data (``arithmetic_rules.csv``).

One file serves two readers: the rule evaluator (:mod:`expectations.arithmetic`) checks every
published report against them, and the run-together splitter (:mod:`transforms.run_together`)
lets the identities marked ``error`` decide how digits that ran together are cut. Edit the file
and both follow. Each rule is checked when loaded: an unknown template, table, scope, relation,
aggregate, row or column is an error, never a silent default.

Besides the identities (``per_column``, ``per_row``), rules of three scopes check values no real
report holds, with their bounds in ``value_bounds.toml``: ``integers`` (a count is a non-negative
integer), ``count_size`` (no count over ``largest_count``) and ``report_year`` (the year the
report covers; a rule on the report as a whole, whose results carry the table id ``report``).
They flag the report; none of them is a constraint the splitter cuts digits by.

Cross-year rules (``cross_year_per_column``, ``cross_year_per_row``) compare a report with the same
agency's report of the year before (``previous:`` cells): 上年结转 against last year's 结转下年度,
历年累计 against last year's plus this year's. They are evaluated over the dataset
(:mod:`expectations.cross_year`), never within one report, and are no constraint of the splitter.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from transforms.layouts import TEMPLATES, TableLayout, template_layout
from transforms.vocabulary import REPORT_TABLE, SEVERITIES

RULES_FILE = "arithmetic_rules.csv"
RULE_COLUMNS = ["rule_id", "templates", "table_id", "severity", "scope", "lhs", "relation", "aggregate", "rhs"]
IDENTITY_SCOPES = ("per_column", "per_row")  # cells that must add up: the splitter's constraints too
VALUE_SCOPES = ("integers", "count_size")  # each value of a table on its own, against value_bounds.toml
REPORT_SCOPES = ("report_year",)  # the report as a whole
# A report against the same agency's report of the year before: its cells (codes without a prefix)
# against that report's (codes prefixed ``previous:``), within each column or each row as above.
CROSS_YEAR_SCOPES = ("cross_year_per_column", "cross_year_per_row")
PREVIOUS = "previous:"
SCOPES = (*IDENTITY_SCOPES, *VALUE_SCOPES, *REPORT_SCOPES, *CROSS_YEAR_SCOPES)
RELATIONS = ("eq", "le", "ge")
AGGREGATES = ("sum", "max")
ALL_TABLES = "*"
TOLERANCE = 1e-6
BOUNDS_FILE = "value_bounds.toml"


@dataclass(frozen=True)
class ValueBounds:
    """What no real report holds (``value_bounds.toml``): rules Y1 and C1 flag a report beyond them."""

    first_report_year: int
    years_ahead: int  # the last report year a run accepts is its own year + this
    largest_count: int

    def last_report_year(self, this_year: int) -> int:
        return this_year + self.years_ahead


@cache
def load_bounds() -> ValueBounds:
    with resources.files("transforms").joinpath(BOUNDS_FILE).open("rb") as handle:
        return parse_bounds(tomllib.load(handle))


def parse_bounds(data: dict) -> ValueBounds:
    """The bounds of a parsed ``value_bounds.toml``, checked; a ValueError names what is wrong."""
    names = [f.name for f in fields(ValueBounds)]
    if sorted(data) != sorted(names):
        raise ValueError(f"{BOUNDS_FILE}: keys {sorted(data)} != {sorted(names)}")
    wrong = [n for n in names if type(data[n]) is not int or data[n] < 0]
    if wrong:
        raise ValueError(f"{BOUNDS_FILE}: not a non-negative integer: {', '.join(f'{n} = {data[n]!r}' for n in wrong)}")
    if not 1990 <= data["first_report_year"] <= 2100 or data["largest_count"] < 1:
        raise ValueError(f"{BOUNDS_FILE}: first_report_year or largest_count out of any sensible range")
    return ValueBounds(**data)


@dataclass(frozen=True)
class ArithmeticRule:
    rule_id: str
    templates: tuple[str, ...]
    table_id: str
    severity: str  # error: an identity the table must satisfy; warning: usually holds
    scope: str  # per_column (rows named), per_row (columns named), or a value or report scope (no cells)
    lhs: tuple[str, ...]
    relation: str
    aggregate: str
    rhs: tuple[str, ...]
    description: str

    @property
    def codes(self) -> tuple[str, ...]:
        """The rows (or columns) the rule names, a ``previous:`` prefix taken off."""
        return tuple(code.removeprefix(PREVIOUS) for code in self.lhs + self.rhs)

    @property
    def cross_year(self) -> bool:
        return self.scope in CROSS_YEAR_SCOPES

    @property
    def within_columns(self) -> bool:
        """Rows named, compared within each column (else columns named, within each row)."""
        return self.scope in ("per_column", "cross_year_per_column")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(filter(None, text.split("|")))


@cache
def load_rules() -> tuple[ArithmeticRule, ...]:
    with resources.files("transforms").joinpath(RULES_FILE).open(encoding="utf-8") as handle:
        return parse_rules(pd.read_csv(handle, dtype=str, keep_default_na=False))


def parse_rules(table: pd.DataFrame) -> tuple[ArithmeticRule, ...]:
    """The rules of a rules table, each checked; a ValueError names the first wrong one."""
    if list(table.columns) != [*RULE_COLUMNS, "description"]:
        raise ValueError(f"{RULES_FILE}: columns {list(table.columns)} != {[*RULE_COLUMNS, 'description']}")
    rules = tuple(
        ArithmeticRule(
            r.rule_id,
            _codes(r.templates),
            r.table_id,
            r.severity,
            r.scope,
            _codes(r.lhs),
            r.relation,
            r.aggregate,
            _codes(r.rhs),
            r.description,
        )
        for r in table.itertuples(index=False)
    )
    for rule in rules:
        _check(rule)
    duplicated = table["rule_id"][table["rule_id"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{RULES_FILE}: rule ids used twice: {duplicated}")
    return rules


def _check(rule: ArithmeticRule) -> None:
    def fail(problem: str) -> None:
        raise ValueError(f"{RULES_FILE}: rule {rule.rule_id}: {problem}")

    if rule.severity not in SEVERITIES:
        fail(f"severity {rule.severity!r} is not one of {SEVERITIES}")
    if rule.scope not in SCOPES:
        fail(f"scope {rule.scope!r} is not one of {SCOPES}")
    if not rule.templates or set(rule.templates) - set(TEMPLATES):
        fail(f"unknown templates {sorted(set(rule.templates) - set(TEMPLATES)) or 'none'}")
    if rule.cross_year and not any(code.startswith(PREVIOUS) for code in rule.lhs + rule.rhs):
        fail(f"a {rule.scope} rule names cells of the previous report ({PREVIOUS}…)")
    if not rule.cross_year and any(PREVIOUS in code for code in rule.lhs + rule.rhs):
        fail(f"only a cross-year rule names cells of the previous report ({PREVIOUS}…)")
    if rule.scope not in (*IDENTITY_SCOPES, *CROSS_YEAR_SCOPES):
        if rule.codes or rule.relation or rule.aggregate:
            fail(f"a {rule.scope} rule names no cells, relation or aggregate")
        if rule.scope in REPORT_SCOPES:
            if rule.table_id != REPORT_TABLE:
                fail(f"a {rule.scope} rule is on the report as a whole: its table is {REPORT_TABLE!r}")
        elif rule.table_id != ALL_TABLES:
            missing = [t for t in rule.templates if rule.table_id not in template_layout(t).tables]
            if missing:
                fail(f"{missing[0]} has no table {rule.table_id!r}")
        return
    if rule.relation not in RELATIONS:
        fail(f"relation {rule.relation!r} is not one of {RELATIONS}")
    if rule.aggregate not in AGGREGATES:
        fail(f"aggregate {rule.aggregate!r} is not one of {AGGREGATES}")
    if not rule.lhs or not rule.rhs:
        fail("both sides must name cells")
    known: set[str] = set()  # a rule over several templates may name rows only one of them prints
    for template in rule.templates:
        table = template_layout(template).tables.get(rule.table_id)
        if table is None:
            fail(f"{template} has no table {rule.table_id!r}")
        if rule.within_columns:
            known |= {row.code for rows in table.variants.values() for row in rows}
        else:
            known |= {column.code for column in table.columns}
    unknown = sorted(set(rule.codes) - known)
    if unknown:
        kind = "rows" if rule.within_columns else "columns"
        fail(f"{kind} not in {rule.table_id} of {rule.templates}: {unknown}")


def rules_for(template: str, table_id: str, severity: str | None = None) -> list[ArithmeticRule]:
    return [
        rule
        for rule in load_rules()
        if template in rule.templates
        and rule.table_id in (table_id, ALL_TABLES)
        and rule.scope in IDENTITY_SCOPES
        and (severity is None or rule.severity == severity)
    ]


def holds(relation: str, actual, expected):
    """``actual (relation) expected`` within tolerance; numbers or arrays of them."""
    if relation == "eq":
        return np.abs(actual - expected) <= TOLERANCE
    if relation == "le":
        return actual <= expected + TOLERANCE
    return actual >= expected - TOLERANCE


def _aggregate(name: str, values: list):
    if name == "sum":
        return sum(values[1:], values[0])
    return np.maximum.reduce(np.broadcast_arrays(*values)) if len(values) > 1 else values[0]


# A table as the splitter sees it: row code → one value per column (numbers, or arrays over
# candidate combinations). A check returns a verdict (bool or bool array) or None when the
# table does not hold every cell it needs.
TableCheck = Callable[[dict[str, tuple]], object]
RowCheck = Callable[[tuple[str, ...]], bool]


def column_checks(
    template: str, table: TableLayout, codes: list[str], columns: tuple | None = None
) -> list[tuple[str, TableCheck]]:
    """The table's ``error`` identities within columns, as checks over a table of candidate cells.

    ``codes`` are the rows the report's layout prints: a rule part outside them is not printed
    (not zero); a printed part the table lacks makes the check unanswerable (None), never a
    guess that it is zero. ``columns`` are the columns the table prints (all, by default).
    """
    checks = []
    positions = {column.code: index for index, column in enumerate(columns or table.columns)}
    for rule in rules_for(template, table.table_id, "error"):
        if rule.scope != "per_column":
            continue
        lhs = [code for code in rule.lhs if code in codes]
        rhs = [code for code in rule.rhs if code in codes]
        if not lhs or not rhs:
            continue

        def check(cells, rule=rule, lhs=lhs, rhs=rhs):
            if any(code not in cells for code in lhs + rhs):
                return None
            verdicts = True
            for index in positions.values():
                left = _aggregate("sum", [cells[code][index] for code in lhs])
                right = _aggregate(rule.aggregate, [cells[code][index] for code in rhs])
                verdicts = np.logical_and(verdicts, holds(rule.relation, left, right))
            return verdicts

        checks.append((rule.rule_id, check))
    return checks


def row_check(template: str, table: TableLayout, columns: tuple | None = None) -> tuple[str, RowCheck | None]:
    """The table's ``error`` identities within a row, as one check of a row's printed cells."""
    columns = columns or table.columns
    positions = {column.code: index for index, column in enumerate(columns)}
    rules = [
        rule
        for rule in rules_for(template, table.table_id, "error")
        if rule.scope == "per_row" and all(code in positions for code in rule.codes)
    ]
    if not rules:
        return "", None

    def check(parts: tuple[str, ...]) -> bool:
        numbers = [float(part) for part in parts]
        for rule in rules:
            left = sum(numbers[positions[code]] for code in rule.lhs)
            right_values = [numbers[positions[code]] for code in rule.rhs]
            right = sum(right_values) if rule.aggregate == "sum" else max(right_values)
            if not holds(rule.relation, left, right):
                return False
        return True

    return ", ".join(rule.rule_id for rule in rules), check


def last_cell_is_total(template: str, table: TableLayout) -> bool:
    """Whether a per-row identity says the last column is the sum of all the others (R3, R5):
    the splitter then cuts such rows directly (choose the total, cut the rest to add up to it)."""
    last, others = table.columns[-1].code, [c.code for c in table.columns[:-1]]
    return any(
        rule.scope == "per_row"
        and rule.relation == "eq"
        and rule.aggregate == "sum"
        and rule.lhs == (last,)
        and sorted(rule.rhs) == sorted(others)
        for rule in rules_for(template, table.table_id, "error")
    )
