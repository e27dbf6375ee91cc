"""Evaluate the spec's arithmetic rules per report: they flag reports, they never block publishing.

Semantics (spec §C.3): a blank or missing total makes a rule not applicable; blank parts count
as 0 and the detail says so; an unreadable part makes the rule not applicable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from transforms.cell_values import BLANK, OK, OK_WITH_NOTE
from transforms.schemas import RULE_RESULTS

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "not_applicable"
_TOLERANCE = 1e-6
_RELATION_SYMBOLS = {"eq": ("=", "≠"), "le": ("≤", ">"), "ge": ("≥", "<")}
DECIMAL_UNITS = frozenset({"万元", "元"})


@dataclass(frozen=True)
class ArithmeticRule:
    rule_id: str
    template: str
    severity: str
    total: str
    relation: str
    aggregate: str
    parts: tuple[str, ...]
    description: str


@cache
def load_rules() -> tuple[ArithmeticRule, ...]:
    with resources.files("expectations").joinpath("arithmetic_rules.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    return tuple(
        ArithmeticRule(
            r.rule_id,
            r.template,
            r.severity,
            r.total,
            r.relation,
            r.aggregate,
            tuple(filter(None, r.parts.split("|"))),
            r.description,
        )
        for r in table.itertuples(index=False)
    )


def _fmt(number: float) -> str:
    return f"{number:.6f}".rstrip("0").rstrip(".") if number % 1 else str(int(number))


def _result(report_id, rule, column, outcome, expected, actual, detail) -> dict:
    return {
        "report_id": report_id,
        "rule_id": rule.rule_id,
        "column_label": column,
        "severity": rule.severity,
        "description": rule.description,
        "expected": expected,
        "actual": actual,
        "outcome": outcome,
        "detail": detail,
    }


def _evaluate_identity(rule: ArithmeticRule, report_id: str, column: str, cells: dict) -> dict:
    total = cells.get(rule.total)
    if total is None or total[1] not in (OK, OK_WITH_NOTE):
        why = "not printed" if total is None else f"{total[1]}"
        return _result(report_id, rule, column, NOT_APPLICABLE, None, None, f"total {rule.total} {why}")
    printed = [(code, cells[code]) for code in rule.parts if code in cells]
    if not printed:
        return _result(report_id, rule, column, NOT_APPLICABLE, None, total[0], "no part printed")
    unreadable = [code for code, (_, status) in printed if status not in (OK, OK_WITH_NOTE, BLANK)]
    if unreadable:
        return _result(
            report_id, rule, column, NOT_APPLICABLE, None, total[0], f"parts without a number: {', '.join(unreadable)}"
        )
    values = [value if value is not None else 0.0 for _, (value, _) in printed]
    expected = sum(values) if rule.aggregate == "sum" else max(values)
    actual = total[0]
    holds = {
        "eq": abs(actual - expected) <= _TOLERANCE,
        "le": actual <= expected + _TOLERANCE,
        "ge": actual >= expected - _TOLERANCE,
    }[rule.relation]
    ok_symbol, fail_symbol = _RELATION_SYMBOLS[rule.relation]
    joined = (" + " if rule.aggregate == "sum" else ", ").join(_fmt(v) for v in values)
    rhs = f"{joined} = {_fmt(expected)}" if rule.aggregate == "sum" else f"max({joined}) = {_fmt(expected)}"
    if len(values) == 1:
        rhs = _fmt(expected)
    detail = f"{_fmt(actual)} {ok_symbol if holds else fail_symbol} {rhs}"
    blanks = [code for code, (_, status) in printed if status == BLANK]
    if blanks:
        detail += f" (blank counted as 0: {', '.join(blanks)})"
    return _result(report_id, rule, column, PASS if holds else FAIL, expected, actual, detail)


def _evaluate_integers(rule: ArithmeticRule, report_id: str, column: str, rows: list[tuple]) -> dict:
    bad = [
        f"{code}={_fmt(value)}"
        for code, value, unit in rows
        if value is not None and unit not in DECIMAL_UNITS and (value < 0 or value % 1)
    ]
    detail = "all counts are non-negative integers" if not bad else "not a non-negative integer: " + ", ".join(bad[:10])
    return _result(report_id, rule, column, FAIL if bad else PASS, 0.0, float(len(bad)), detail)


def evaluate_rules(indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per (report, rule, column) with pass / fail / not_applicable and the arithmetic."""
    rules = load_rules()
    if indicators.empty:
        return RULE_RESULTS.empty_frame()
    cells: dict[tuple[str, str, str], dict] = defaultdict(dict)
    raw_rows: dict[tuple[str, str, str], list] = defaultdict(list)
    columns = ["report_id", "template", "column_label", "indicator_code", "value", "value_status", "unit"]
    for report_id, template, column, code, value, status, unit in indicators[columns].itertuples(
        index=False, name=None
    ):
        key = (report_id, template, column)
        number = None if pd.isna(value) else float(value)
        cells[key][code] = (number, status)
        raw_rows[key].append((code, number, unit))
    results = []
    for (report_id, template, column), report_cells in cells.items():
        for rule in rules:
            if rule.template != template:
                continue
            if rule.relation == "integers":
                results.append(_evaluate_integers(rule, report_id, column, raw_rows[(report_id, template, column)]))
            else:
                results.append(_evaluate_identity(rule, report_id, column, report_cells))
    frame = pd.DataFrame(results, columns=RULE_RESULTS.column_names)
    return frame.sort_values(["report_id", "rule_id", "column_label"], kind="stable").reset_index(drop=True)
