"""Text ↔ table rules: does what the report says in words match its own tables? (spec R7)

Warnings, not errors: the text's wording varies (a 区政府办 may report only its own requests).
P1t re-checks P1 (收到申请数 = sum of channels) adding the channels that only the text names,
which is how a reader explains a P1 gap such as 桃源县 2018's 229 vs 208.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple

import pandas as pd

from expectations.arithmetic import FAIL, NOT_APPLICABLE, PASS, _fmt
from transforms.cell_values import NUMBER_STATUSES
from transforms.schemas import RULE_RESULTS

# fact code → cells whose sum it states, per template family: (row code, column code)
TABLE_CELLS = {
    "stat_2014": {
        "received": [("A3.1", "")],
        "answered": [("A3.3", "")],
        "reviews": [("A4", "")],
        "lawsuits": [("A5", "")],
        "proactive": [("A1.1", "")],
        "channel_in_person": [("A3.1.1", "")],
        "channel_fax": [("A3.1.2", "")],
        "channel_online": [("A3.1.3", "")],
        "channel_letter": [("A3.1.4", "")],
        "channel_email": [("A3.1.5", "")],
        "channel_other": [("A3.1.6", "")],
        "fees": [("A7", "")],
    },
    "post_2019": {
        "received": [("T3.1", "total")],
        "answered": [("T3.3.7", "total")],
        "carried_over": [("T3.2", "total")],
        "carried_forward": [("T3.4", "total")],
        "reviews": [("T4.1", "total")],
        "lawsuits": [("T4.2", "total"), ("T4.3", "total")],
        "normative_issued": [("T2.1.2", "issued")],
        "normative_in_force": [("T2.1.2", "in_force")],
    },
    "local_table": {
        "proactive": [("L1", "this_year")],
        "received": [("L2", "this_year")],
        "reviews": [("L4", "this_year")],
        "lawsuits": [("L5", "this_year")],
    },
}
# Another reading the text may use: "受理" counted with last year's carried-over requests.
ALTERNATIVES = {("post_2019", "received"): [("T3.1", "total"), ("T3.2", "total")]}
P1_CHANNELS = {
    "channel_in_person": "A3.1.1",
    "channel_fax": "A3.1.2",
    "channel_online": "A3.1.3",
    "channel_letter": "A3.1.4",
    "channel_email": "A3.1.5",
    "channel_other": "A3.1.6",
}
TABLE_UNITS = {("stat_2014", "fees"): "万元"}


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
    results = []
    for report_id in sorted(by_report):
        template = templates.get(report_id)
        family = template if template in ("stat_2014", "local_table") else "post_2019"
        statements: dict[str, list] = {}  # fact code → its statements in text order, codes by first statement
        for fact in sorted(by_report[report_id], key=lambda f: f.fact_order):
            statements.setdefault(fact.fact_code, []).append(fact)
        for code, stated in statements.items():
            results += _r7(report_id, family, code, stated, cells)
        if family == "stat_2014":
            results.append(_p1_with_text(report_id, cells, [stated[0] for stated in statements.values()]))
    frame = pd.DataFrame(results, columns=RULE_RESULTS.column_names)
    return frame.sort_values(list(RULE_RESULTS.primary_key), kind="stable").reset_index(drop=True)


def _r7(report_id: str, family: str, code: str, statements: list, cells: dict) -> list[dict]:
    """The text may state a fact several times (a sub-total, another scope): it agrees with the
    table when one of its statements does."""
    targets = TABLE_CELLS[family].get(code)
    if not targets:
        return []
    description = f"text ↔ table: {code} stated in the text equals {'+'.join(r for r, _ in targets)}"
    unit = TABLE_UNITS.get((family, code))
    stated = [(_in_table_unit(f.value, f.unit, unit or f.unit), f.sentence) for f in statements]
    found = [cells.get((report_id, row, column)) for row, column in targets]
    if any(c is None or c[1] not in NUMBER_STATUSES for c in found):
        detail = f"text says {_fmt(statements[0].value)}{statements[0].unit}; the table has no number for it"
        return [_result(report_id, "R7", code, description, stated[0][0], None, NOT_APPLICABLE, detail)]
    readings = [("table", sum(c[0] for c in found))]
    alternative = ALTERNATIVES.get((family, code))
    if alternative:
        other = [cells.get((report_id, row, column)) for row, column in alternative]
        if all(c is not None and c[1] in NUMBER_STATUSES for c in other):
            readings.append(("table " + "+".join(row for row, _ in alternative), sum(c[0] for c in other)))
    for value, sentence in stated:
        for name, table in readings:
            if abs(table - value) < 1e-6:
                detail = f"text {_fmt(value)} = {name} {_fmt(table)} («{sentence[:80]}»)"
                return [_result(report_id, "R7", code, description, value, table, PASS, detail)]
    values = ", ".join(_fmt(v) for v, _ in stated)
    detail = f"text {values} ≠ table {_fmt(readings[0][1])} («{stated[0][1][:80]}»)"
    return [_result(report_id, "R7", code, description, stated[0][0], readings[0][1], FAIL, detail)]


def _p1_with_text(report_id: str, cells: dict, facts: list) -> dict:
    description = "收到申请数 = channels in the table + channels only the text names (P1 explained by the text)"
    total = cells.get((report_id, "A3.1", ""))
    stated = {f.fact_code: f.value for f in facts if f.fact_code in P1_CHANNELS}
    printed = {code: cells.get((report_id, row, "")) for code, row in P1_CHANNELS.items()}
    only_text = {code: value for code, value in stated.items() if printed[code] is None}
    if total is None or total[1] not in NUMBER_STATUSES or not only_text:
        return _result(
            report_id, "P1t", "", description, None, None, NOT_APPLICABLE, "no channel named only in the text"
        )
    table_parts = [c[0] for c in printed.values() if c is not None and c[1] in NUMBER_STATUSES]
    expected = sum(table_parts) + sum(only_text.values())
    holds = abs(expected - total[0]) < 1e-6
    text_terms = " + ".join(f"{_fmt(v)} ({code}, text)" for code, v in only_text.items())
    detail = (
        f"{_fmt(total[0])} {'=' if holds else '≠'} {' + '.join(_fmt(v) for v in table_parts)} + {text_terms}"
        f" = {_fmt(expected)}"
    )
    return _result(report_id, "P1t", "", description, expected, total[0], PASS if holds else FAIL, detail)
