"""表二/表三/表四 from crawler text whose cells run together, using :mod:`transforms.run_together`."""

from __future__ import annotations

import re

from transforms.catalog import label_matcher, table_columns
from transforms.cell_values import AMBIGUOUS, INFERRED, MISSING
from transforms.document_rows import Row
from transforms.indicator_rows import MATCHED
from transforms.narrative_facts import NarrativeFact
from transforms.post2019_tables import (
    T2_LAYOUT,
    T3_ROWS_SINGLE_SIX,
    T3_ROWS_SPLIT_SIX,
    T4_ROWS,
    TableResult,
    cell_record,
    flagged_records,
)
from transforms.run_together import (
    Resolution,
    all_of,
    any_of,
    compact_text,
    grouped_total_splits,
    label_pattern,
    leading_run,
    resolve_rows,
    row_total_holds,
    total_splits,
)
from transforms.templates import FMT_2019

T3_RESULT_ROWS = [c for c in [*T3_ROWS_SPLIT_SIX, "T3.3.6"] if c.startswith("T3.3.") and c != "T3.3.7"]
NARRATIVE_CELLS = {"received": "T3.1", "carried_over": "T3.2", "answered": "T3.3.7", "carried_forward": "T3.4"}


def row_total_groups(parts: tuple[str, ...]) -> bool:
    """表四: each group of five ends with its total (R5)."""
    return all(row_total_holds(parts[i : i + 5]) for i in range(0, len(parts), 5))


def _locate(compact: str, codes: list[str], template: str, start: int) -> dict[str, tuple[int, int]]:
    """Where each row label sits, searched in order (a label not found is skipped)."""
    entries = label_matcher(template).entries
    found: dict[str, tuple[int, int]] = {}
    position = start
    for code in codes:
        match = label_pattern(entries[code].label_zh).search(compact, position)
        if match:
            found[code] = (match.start(), match.end())
            position = match.end()
    return found


def _runs(compact: str, located: dict[str, tuple[int, int]], limit: int) -> dict[str, str]:
    """Each row's digits: after its label, before the next label (whose numbering may be a digit)."""
    spans = sorted(located.items(), key=lambda item: item[1][0])
    bounds = [start for _, (start, _) in spans[1:]] + [limit]
    return {code: leading_run(compact[end:bound]) for (code, (_, end)), bound in zip(spans, bounds, strict=True)}


T2_STATED = {("T2.1.2", "issued"): "normative_issued", ("T2.1.2", "in_force"): "normative_in_force"}


def _stated_cells_check(code: str, column_codes: tuple[str, ...], stated: dict[str, float]):
    """For 表二 rows: the cells the text states (制发…规范性文件88件) must match; None if it states none."""
    known = {i: stated[T2_STATED[(code, c)]] for i, c in enumerate(column_codes) if T2_STATED.get((code, c)) in stated}
    if not known:
        return None
    return lambda parts: all(abs(float(parts[i]) - value) < 1e-6 for i, value in known.items())


def _column_checks(facts: list[NarrativeFact]) -> list[tuple[str, object]]:
    def values(table, code):
        return table.get(code)

    def r1(table):
        rows = [values(table, c) for c in ("T3.1", "T3.2", "T3.3.7", "T3.4")]
        if any(r is None for r in rows):
            return None
        return all_of([abs(rows[0][i] + rows[1][i] - rows[2][i] - rows[3][i]) < 1e-6 for i in range(7)])

    def r4(table):
        total = values(table, "T3.3.7")
        parts = [values(table, c) for c in T3_RESULT_ROWS if c in table]
        if total is None or any(p is None for p in parts) or not parts:
            return None
        return all_of([abs(total[i] - sum(p[i] for p in parts)) < 1e-6 for i in range(7)])

    stated = {}
    for fact in facts:
        stated.setdefault(fact.fact_code, fact.value)

    def narrative(table):
        checks = []
        for fact, code in NARRATIVE_CELLS.items():
            if fact not in stated or values(table, code) is None:
                continue
            total = values(table, code)[6]
            # "收到75件" may count last year's carried-over requests too (T3.1 + T3.2).
            carried = values(table, "T3.2") if fact == "received" else None
            options = [total] + ([total + carried[6]] if carried is not None else [])
            checks.append(any_of([abs(option - stated[fact]) < 1e-6 for option in options]))
        return all_of(checks) if checks else None

    return [("R1", r1), ("R4", r4), ("text", narrative)]


def _records_for(entry, columns, resolution: Resolution, run: str, line: int) -> list[dict]:
    row = Row((run,), line)
    if resolution.parts is None:
        how = (
            "no split"
            if resolution.candidates == 0
            else ("too many splits" if resolution.candidates < 0 else f"{resolution.candidates} splits")
        )
        note = f"run-together digits '{run}': {how} satisfy {', '.join(resolution.constraints)}"
        return flagged_records(entry, columns, row, [], AMBIGUOUS, note)
    records = []
    for column, part in zip(columns, resolution.parts, strict=True):
        record = cell_record(entry, column, part, row, [entry.label_zh], MATCHED)
        if len(resolution.parts) > 1:
            record["value_status"] = INFERRED
            record["value_note"] = f"split from '{run}' by {', '.join(resolution.constraints)}"
        records.append(record)
    return records


def run_together_records(text: str, template: str, facts: list[NarrativeFact]) -> TableResult:
    """All cells of 表二/表三/表四 from text whose numbers run together."""
    compact, lines = compact_text(text)
    entries = label_matcher(template).entries
    stated: dict[str, float] = {}
    for fact in facts:
        stated.setdefault(fact.fact_code, fact.value)
    result = TableResult()
    t3_codes = (
        T3_ROWS_SINGLE_SIX
        if template == FMT_2019 or ("其他处理1" not in re.sub(r"\W", "", compact) and ("逾期不补正" not in compact))
        else T3_ROWS_SPLIT_SIX
    )
    t2_start = max(compact.find("第二十条第"), 0)
    t3_start = next(
        (i for i in (compact.find("本列数据的勾稽关系"), compact.find("本年新收政府信息公开申请")) if i >= 0), -1
    )
    t2_end = t3_start if t3_start > t2_start else len(compact)
    t2_located = _locate(compact[:t2_end], list(T2_LAYOUT[template]), template, t2_start)
    t3_located = _locate(compact, t3_codes, template, max(t3_start, 0))
    end_of_t3 = max((end for _, end in t3_located.values()), default=max(t3_start, 0))
    t4_start = compact.find("行政复议", end_of_t3)

    t2_columns = table_columns(template, "t2")
    for code, column_codes in T2_LAYOUT[template].items():
        columns = [t2_columns[c] for c in column_codes]
        if code not in t2_located:
            result.records += flagged_records(entries[code], columns, None, [], MISSING, "row not found in the text")
            continue
        run = _runs(compact, t2_located, t2_end)[code]
        check = _stated_cells_check(code, column_codes, stated)
        resolution = resolve_rows({code: run}, len(columns), check, "text", [])[code]
        result.records += _records_for(entries[code], columns, resolution, run, lines[t2_located[code][0]])

    t3_columns = list(table_columns(template, "t3").values())
    runs = _runs(compact, t3_located, t4_start if t4_start > 0 else len(compact))
    resolved = resolve_rows(runs, 7, row_total_holds, "R3", _column_checks(facts), splitter=total_splits)
    for code in t3_codes:
        if code not in t3_located:
            result.records += flagged_records(entries[code], t3_columns, None, [], MISSING, "row not found in the text")
        else:
            result.records += _records_for(
                entries[code], t3_columns, resolved[code], runs[code], lines[t3_located[code][0]]
            )

    t4_columns = list(table_columns(template, "t4").values())
    header = re.search(r"行政复议.{0,120}?复议后起诉.*?总计(?:结果维持.*?总计)*", compact[end_of_t3:])
    run = leading_run(compact[end_of_t3 + header.end() :]) if header else ""
    groups = (
        resolve_rows({"t4": run}, 15, row_total_groups, "R5", [], splitter=lambda r, _: grouped_total_splits(r, 3, 5))[
            "t4"
        ]
        if run
        else Resolution(None, 0, ("table not found",))
    )
    line = lines[end_of_t3 + header.end() - 1] if header else 0
    for index, code in enumerate(T4_ROWS):
        part = (
            Resolution(groups.parts[index * 5 : index * 5 + 5], groups.candidates, groups.constraints)
            if groups.parts
            else groups
        )
        if not run:
            result.records += flagged_records(
                entries[code], t4_columns, None, [], MISSING, "表四 not found in the text"
            )
        else:
            result.records += _records_for(entries[code], t4_columns, part, run, line)
    return result
