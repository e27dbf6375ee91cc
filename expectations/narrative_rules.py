"""Text ↔ table rules: does what the report says in words match its own tables? (spec R7)

Warnings, not errors: the text's wording varies (a 区政府办 may report only its own requests).
P1t re-checks P1 (收到申请数 = sum of channels) adding the channels that only the text names,
which is how a reader explains a P1 gap such as 桃源县 2018's 229 vs 208.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple

import pandas as pd

from expectations.arithmetic import FAIL, NOT_APPLICABLE, PASS, _fmt
from transforms.catalog import label_matcher
from transforms.concepts import concept_cells
from transforms.identities import load_rules
from transforms.schemas import RULE_RESULTS
from transforms.vocabulary import NUMBER_STATUSES

EXPLAINED_RULE = "P1"  # P1t: this identity again, adding the parts only the text names


def _result(report_id, rule_id, row, description, expected, actual, outcome, detail) -> dict:
    return {
        "report_id": report_id,
        "rule_id": rule_id,
        "table_id": "text",
        "row_code": row,
        "column_code": "",
        "severity": "warning",
        "description": description,
        "expected": expected,
        "actual": actual,
        "outcome": outcome,
        "detail": detail,
    }


def _in_table_unit(value: float, unit: str, table_unit: str) -> float:
    if unit == "元" and table_unit == "万元":
        return value / 10000
    return value


def evaluate_narrative_rules(indicators: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """R7 per stated fact (first statement of each), and P1t for pre-2019 reports."""
    if facts.empty or indicators.empty:
        return RULE_RESULTS.empty_frame()
    stating = indicators[indicators["report_id"].isin(facts["report_id"].unique())]  # only reports with facts
    columns = ["report_id", "indicator_code", "column_code", "value", "value_status"]
    cells = {(r, c, col): (v, s) for r, c, col, v, s in zip(*(stating[k].tolist() for k in columns), strict=True)}
    templates = dict(zip(stating["report_id"].tolist(), stating["template"].tolist(), strict=True))
    # Plain records grouped in Python: pandas' per-report groupby cost a millisecond a report.
    Fact = namedtuple("Fact", list(facts.columns))
    by_report: dict[str, list] = defaultdict(list)
    for fact in map(Fact._make, zip(*(facts[c].tolist() for c in facts.columns), strict=True)):
        by_report[fact.report_id].append(fact)
    explained = {rule.rule_id: rule for rule in load_rules()}[EXPLAINED_RULE]
    results = []
    for report_id in sorted(by_report):
        template = templates.get(report_id)
        if template is None:
            continue
        readings = concept_cells(template, text_checked=True)
        statements: dict[str, list] = {}  # fact code → its statements in text order, codes by first statement
        for fact in sorted(by_report[report_id], key=lambda f: f.fact_order):
            statements.setdefault(fact.fact_code, []).append(fact)
        for code, stated in statements.items():
            results += _r7(report_id, template, readings.get(code, []), code, stated, cells)
        if template in explained.templates:
            first = [stated[0] for stated in statements.values()]
            results.append(_explained_by_text(report_id, explained, readings, cells, first))
    frame = pd.DataFrame(results, columns=RULE_RESULTS.column_names)
    return frame.sort_values(list(RULE_RESULTS.primary_key), kind="stable").reset_index(drop=True)


def _r7(report_id: str, template: str, readings: list, code: str, statements: list, cells: dict) -> list[dict]:
    """The text may state a fact several times (a sub-total, another scope): it agrees with the
    table when one of its statements does, in any of the concept's readings."""
    if not readings:
        return []
    targets = list(readings[0].cells)
    description = f"text ↔ table: {code} stated in the text equals {'+'.join(r for r, _ in targets)}"
    unit = _table_unit(template, targets)
    stated = [(_in_table_unit(f.value, f.unit, unit or f.unit), f.sentence) for f in statements]
    found = [cells.get((report_id, row, column)) for row, column in targets]
    if any(c is None or c[1] not in NUMBER_STATUSES for c in found):
        detail = f"text says {_fmt(statements[0].value)}{statements[0].unit}; the table has no number for it"
        return [_result(report_id, "R7", code, description, stated[0][0], None, NOT_APPLICABLE, detail)]
    values = [("table", sum(c[0] for c in found))]
    for alternative in readings[1:]:
        other = [cells.get((report_id, row, column)) for row, column in alternative.cells]
        if all(c is not None and c[1] in NUMBER_STATUSES for c in other):
            values.append(("table " + "+".join(row for row, _ in alternative.cells), sum(c[0] for c in other)))
    for value, sentence in stated:
        for name, table in values:
            if abs(table - value) < 1e-6:
                detail = f"text {_fmt(value)} = {name} {_fmt(table)} («{sentence[:80]}»)"
                return [_result(report_id, "R7", code, description, value, table, PASS, detail)]
    shown = ", ".join(_fmt(v) for v, _ in stated)
    detail = f"text {shown} ≠ table {_fmt(values[0][1])} («{stated[0][1][:80]}»)"
    return [_result(report_id, "R7", code, description, stated[0][0], values[0][1], FAIL, detail)]


def _table_unit(template: str, targets: list[tuple[str, str]]) -> str:
    """The unit the table prints the concept's cell in, when it is money (元 vs 万元)."""
    entry = label_matcher(template).entries.get(targets[0][0])
    return entry.unit if entry is not None and entry.value_kind == "amount" else ""


def _explained_by_text(report_id: str, rule, readings: dict, cells: dict, facts: list) -> dict:
    """The identity again (收到申请数 = its channels), adding the parts that only the text names."""
    description = f"{rule.description}, adding parts only the text names ({rule.rule_id} explained by the text)"
    rule_id = f"{rule.rule_id}t"
    (total_code,) = rule.lhs
    total = cells.get((report_id, total_code, ""))
    part_of = {r[0].cells[0][0]: concept for concept, r in readings.items() if len(r[0].cells) == 1}
    parts = {part_of[code]: code for code in rule.rhs if code in part_of}  # concept → its cell
    values = {f.fact_code: f.value for f in facts if f.fact_code in parts}
    printed = {concept: cells.get((report_id, code, "")) for concept, code in parts.items()}
    only_text = {concept: value for concept, value in values.items() if printed[concept] is None}
    if total is None or total[1] not in NUMBER_STATUSES or not only_text:
        return _result(
            report_id, rule_id, "", description, None, None, NOT_APPLICABLE, "no part named only in the text"
        )
    table_parts = [c[0] for c in printed.values() if c is not None and c[1] in NUMBER_STATUSES]
    expected = sum(table_parts) + sum(only_text.values())
    holds = abs(expected - total[0]) < 1e-6
    text_terms = " + ".join(f"{_fmt(v)} ({code}, text)" for code, v in only_text.items())
    detail = (
        f"{_fmt(total[0])} {'=' if holds else '≠'} {' + '.join(_fmt(v) for v in table_parts)} + {text_terms}"
        f" = {_fmt(expected)}"
    )
    return _result(report_id, rule_id, "", description, expected, total[0], PASS if holds else FAIL, detail)
