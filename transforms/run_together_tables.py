"""表二/表三/表四 from crawler text whose cells run together, using :mod:`transforms.run_together`.

The rows are located by their catalog labels in the layout's order; each row's digits run from
its label to the next. The constraints that decide a split are the template's identities
(``arithmetic_rules.csv``: a row's 总计, 表四's group totals, 表三's column identities) and what the
text states about the tables (``concepts.csv``) — the same data the rule evaluator and the
narrative rules check.
"""

from __future__ import annotations

import re
from functools import cache

from transforms.catalog import load_catalog
from transforms.cell_records import MATCHED, CellRecord, RowIdentity, cell_record
from transforms.cell_values import AMBIGUOUS, INFERRED, MISSING
from transforms.concepts import stated_checks
from transforms.document_rows import Row
from transforms.identities import column_checks, last_cell_is_total, row_check
from transforms.layouts import POST_2019, STANDARD, TableLayout, template_layout
from transforms.narrative_facts import NarrativeFact
from transforms.post2019_tables import SIX_AS_ONE_ROW, TableResult, flagged_records, table4_cells
from transforms.run_together import (
    Resolution,
    compact_text,
    grouped_total_splits,
    label_pattern,
    leading_run,
    resolve_rows,
    total_splits,
)


@cache
def _label_patterns(code: str, label: str) -> tuple[re.Pattern[str], ...]:
    """The row's label and its aliases (a 2019 report prints 规范性文件 for 行政规范性文件)."""
    catalog = load_catalog()
    aliases = catalog.loc[catalog["code"] == code, "aliases"]
    names = [label, *(a for a in (aliases.iloc[0] if len(aliases) else "").split("|") if a and a != label)]
    return tuple(label_pattern(name) for name in names)


def _locate(compact: str, table: TableLayout, codes: list[str], start: int) -> dict[str, tuple[int, int]]:
    """Where each row label sits, searched in order (a label not found is skipped); of its label
    and aliases, the one found first (then the longest)."""
    found: dict[str, tuple[int, int]] = {}
    position = start
    for code in codes:
        matches = [p.search(compact, position) for p in _label_patterns(code, table.row(code).entry.label_zh)]
        matches = [m for m in matches if m]
        if matches:
            match = min(matches, key=lambda m: (m.start(), -m.end()))
            found[code] = (match.start(), match.end())
            position = match.end()
    return found


def row_runs(compact: str, located: dict[str, tuple[int, int]], limit: int) -> dict[str, str]:
    """Each row's digits: after its label, before the next label (whose numbering may be a digit)."""
    spans = sorted(located.items(), key=lambda item: item[1][0])
    if not spans:  # none of the table's labels is in the text
        return {}
    bounds = [start for _, (start, _) in spans[1:]] + [limit]
    return {code: leading_run(compact[end:bound]) for (code, (_, end)), bound in zip(spans, bounds, strict=True)}


def _segments(compact: str, located: dict[str, tuple[int, int]], limit: int) -> dict[str, str]:
    """Everything between each row's label and the next label."""
    spans = sorted(located.items(), key=lambda item: item[1][0])
    if not spans:
        return {}
    bounds = [start for _, (start, _) in spans[1:]] + [limit]
    return {code: compact[end:bound] for (code, (_, end)), bound in zip(spans, bounds, strict=True)}


_DIGIT = re.compile(r"\d")
_SIGNED = re.compile(r"\d\s*[+\-－]\s*\d|^[+\-－]\d")
VANISHED = "blank cells vanish in this table (a row printed no digit): where the digits belong is a guess"


def _blanks_vanish(segments: dict[str, str]) -> bool:
    """A row that printed nothing: the crawl dropped the table's blank cells, so a run of digits
    may belong to fewer cells than its row has."""
    return any(not _DIGIT.search(segment) for segment in segments.values())


def _unsafe(row_layout, segment: str, run: str, line: int, vanished: bool) -> list[CellRecord] | None:
    """The row's records when its digits cannot be split safely: every cell blank when the row
    printed nothing (in a table that drops blanks), else every cell flagged; None when safe."""
    columns = row_layout.columns
    if vanished and not _DIGIT.search(segment):
        source = Row(("",), line)
        identity = RowIdentity.of(row_layout.entry)
        return [cell_record(identity, c, "", source, row_layout.entry.label_zh, MATCHED) for c in columns]
    if vanished and len(columns) > 1:
        return flagged_records(row_layout.entry, columns, Row((run,), line), [], AMBIGUOUS, f"'{run}': {VANISHED}")
    if _SIGNED.search(segment.split("。", 1)[0]):  # the run stops at the sign: its digits are not the whole row
        note = f"run-together cells with a sign inside ('{segment[:40]}'): not split"
        return flagged_records(row_layout.entry, columns, Row((run,), line), [], AMBIGUOUS, note)
    return None


def _stated(facts: list[NarrativeFact]) -> dict[str, list[float]]:
    stated: dict[str, list[float]] = {}
    for fact in facts:
        stated.setdefault(fact.fact_code, []).append(fact.value)
    return stated


def _records_for(row_layout, resolution: Resolution, run: str, line: int) -> list[CellRecord]:
    source = Row((run,), line)
    identity, columns = RowIdentity.of(row_layout.entry), row_layout.columns
    if resolution.parts is None:
        how = (
            "no split"
            if resolution.candidates == 0
            else ("too many splits" if resolution.candidates < 0 else f"{resolution.candidates} splits")
        )
        note = f"run-together digits '{run}': {how} satisfy {', '.join(resolution.constraints)}"
        return flagged_records(row_layout.entry, columns, source, [], AMBIGUOUS, note)
    split = len(resolution.parts) > 1
    note = f"split from '{run}' by {', '.join(resolution.constraints)}" if split else ""
    return [
        cell_record(
            identity,
            column,
            part,
            source,
            row_layout.entry.label_zh,
            MATCHED,
            status=INFERRED if split else None,
            note=note,
        )
        for column, part in zip(columns, resolution.parts, strict=True)
    ]


def _t3_variant(template: str, compact: str) -> str:
    """The template's own 表三 rows, unless none of the labels only they print is in the text."""
    table = template_layout(template).tables["t3"]
    if SIX_AS_ONE_ROW not in table.variants:
        return STANDARD
    split_markers = template_layout(template).weak_markers
    return STANDARD if any(marker in compact for marker in split_markers) else SIX_AS_ONE_ROW


def run_together_records(text: str, template: str, facts: list[NarrativeFact]) -> TableResult:
    """All cells of 表二/表三/表四 from text whose numbers run together."""
    compact, lines = compact_text(text)
    layout = template_layout(template)
    t2, t3, t4 = layout.tables["t2"], layout.tables["t3"], layout.tables["t4"]
    result = TableResult()
    t3_codes = t3.codes(_t3_variant(template, compact))
    t2_start = max(compact.find("第二十条第"), 0)
    # 表三 starts at its caption's 勾稽关系 note, else at its first row's label.
    t3_start = next(
        (i for i in (compact.find(POST_2019["t3_start"][0]), compact.find(_body(t3.rows[0].entry.label_zh))) if i >= 0),
        -1,
    )
    t2_end = t3_start if t3_start > t2_start else len(compact)
    t2_located = _locate(compact[:t2_end], t2, t2.codes(), t2_start)
    t3_located = _locate(compact, t3, t3_codes, max(t3_start, 0))
    end_of_t3 = max((end for _, end in t3_located.values()), default=max(t3_start, 0))
    t4_start = compact.find(t4.rows[0].entry.label_zh, end_of_t3)

    stated = _stated(facts)
    runs = row_runs(compact, t2_located, t2_end)
    segments = _segments(compact, t2_located, t2_end)
    t3_end = t4_start if t4_start > 0 else len(compact)
    # Whether the crawl dropped blank cells is a property of the page: any row of 表二 or 表三 tells.
    vanished = _blanks_vanish(segments) or _blanks_vanish(_segments(compact, t3_located, t3_end))
    for row_layout in t2.rows:
        code = row_layout.code
        if code not in t2_located:
            result.records += flagged_records(
                row_layout.entry, row_layout.columns, None, [], MISSING, "row not found in the text"
            )
            continue
        unsafe = _unsafe(row_layout, segments[code], runs[code], lines[t2_located[code][0]], vanished)
        if unsafe is not None:
            result.records += unsafe
            continue
        # A 表二 row is cut on its own: the text's statements about its cells (制发规范性文件88件).
        texts = stated_checks(template, {code}, [c.code for c in row_layout.columns], stated)
        resolution = resolve_rows({code: runs[code]}, len(row_layout.columns), None, "", [], soft_checks=texts)[code]
        result.records += _records_for(row_layout, resolution, runs[code], lines[t2_located[code][0]])

    runs = row_runs(compact, t3_located, t3_end)
    segments = _segments(compact, t3_located, t3_end)
    name, check = row_check(template, t3)
    splitter = total_splits if last_cell_is_total(template, t3) else None
    table_checks = column_checks(template, t3, t3_codes)
    texts = stated_checks(template, set(t3_codes), [c.code for c in t3.columns], stated)
    resolved = resolve_rows(runs, t3.width, check, name, table_checks, splitter=splitter, soft_checks=texts)
    for code in t3_codes:
        row_layout = t3.row(code)
        if code not in t3_located:
            result.records += flagged_records(
                row_layout.entry, row_layout.columns, None, [], MISSING, "row not found in the text"
            )
        else:
            line = lines[t3_located[code][0]]
            unsafe = _unsafe(row_layout, segments[code], runs[code], line, vanished) if vanished else None
            result.records += unsafe or _records_for(row_layout, resolved[code], runs[code], line)

    result.records += _table4(compact, lines, template, t4, end_of_t3)
    return result


def _body(label: str) -> str:
    """A label without its numbering: 一、本年新收… → 本年新收…"""
    return label.split("、", 1)[-1] if "、" in label[:3] else label


def _table4(compact: str, lines: list[int], template: str, t4: TableLayout, end_of_t3: int) -> list[CellRecord]:
    """表四's cells follow its header as one run: each group of the run is one of its rows."""
    import re

    labels = [row.entry.label_zh for row in t4.rows]
    header = re.search(
        rf"{re.escape(labels[0])}.{{0,120}}?{re.escape(labels[-1])}.*?{re.escape(t4.columns[-1].label_zh)}"
        rf"(?:{re.escape(t4.columns[0].label_zh)}.*?{re.escape(t4.columns[-1].label_zh)})*",
        compact[end_of_t3:],
    )
    run = leading_run(compact[end_of_t3 + header.end() :]) if header else ""
    cells, width, groups = table4_cells(t4), t4.width, len(t4.rows)
    name, group_check = row_check(template, t4)
    if not run:
        resolution = Resolution(None, 0, ("table not found",))
    elif last_cell_is_total(template, t4):
        splitter = lambda r, _: grouped_total_splits(r, groups, width)  # noqa: E731
        resolution = resolve_rows({"t4": run}, cells, None, name, [], splitter=splitter)["t4"]
    else:
        resolution = resolve_rows({"t4": run}, cells, None, name, [], group=width, group_check=group_check)["t4"]
    resolution = Resolution(resolution.parts, resolution.candidates, (name,) if run else resolution.constraints)
    line = lines[end_of_t3 + header.end() - 1] if header else 0
    records: list[CellRecord] = []
    for index, row_layout in enumerate(t4.rows):
        if not run:
            records += flagged_records(
                row_layout.entry, row_layout.columns, None, [], MISSING, "表四 not found in the text"
            )
            continue
        part = (
            Resolution(
                resolution.parts[index * width : (index + 1) * width], resolution.candidates, resolution.constraints
            )
            if resolution.parts
            else resolution
        )
        records += _records_for(row_layout, part, run, line)
    return records
