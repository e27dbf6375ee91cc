"""Older local tables (2008–2013 local forms, Fujian 2014–2018): 指标名称 / 计量单位 / 本年度 / 历年累计.

Each row is a label, a unit and two numbers: this year's and the cumulative (历年累计, its own
column, not a second year). Crawled copies often run the two numbers together
(``主动公开文件数条346085376`` = 3460 | 85376); they are split only where the table leaves one
reading: cumulative ≥ this year, a total equals its channels/answers (spec P12), and the text's
own statement of the year's count. Otherwise the cells are ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.catalog import label_matcher, table_columns
from transforms.cell_values import AMBIGUOUS, INFERRED
from transforms.document_rows import Row
from transforms.indicator_rows import MATCHED, UNMAPPED
from transforms.labels import clean_label, normalize_label
from transforms.narrative_facts import NarrativeFact
from transforms.post2019_tables import TableResult, cell_record, flagged_records
from transforms.run_together import Resolution, all_of, any_of, compact_text, resolve_rows
from transforms.templates import LOCAL_TABLE

_HEADER = re.compile(r"指标名称计量单位(?P<year>(?:19|20)\d{2})年度?(?:历年累计)?")
_ROW = re.compile(
    r"(?P<label>(?:其中[:：])?(?:\d{1,2}[、.．])?[^\d\s][^\d]*?)(?P<unit>万元|条|件|元|项|次|人|个)(?P<run>\d[\d ]*)"
)
_SUMS = {"L2": ["L2.1", "L2.2", "L2.3", "L2.4", "L2.5", "L2.6", "L2.7"], "L3": ["L3.1", "L3.2", "L3.3", "L3.4"]}
_YEAR_SENTENCE = re.compile(r"全区|全县|全市|全年|共")


@dataclass(frozen=True)
class LocalRow:
    label: str
    unit: str
    run: str
    line: int


class LocalTableNotFoundError(ValueError):
    pass


def find_local_rows(text: str) -> tuple[int | None, list[LocalRow]]:
    """The header's year and the rows after it; a trailing digit followed by 、/. is the next label's number."""
    compact, lines = compact_text(text)
    header = _HEADER.search(compact)
    if header is None:
        raise LocalTableNotFoundError("no 指标名称 / 计量单位 / 本年度 / 历年累计 header")
    rows: list[LocalRow] = []
    position = header.end()
    carry = ""
    while True:
        match = _ROW.match(compact, position)
        if match is None:
            break
        run = match["run"].strip()
        label = carry + match["label"]
        carry = ""
        after = compact[match.end() : match.end() + 1]
        if run and after in ("、", ".", "．") and run[-1].isdigit():
            carry, run = run[-1], run[:-1].rstrip()  # "…3460853762、政府公报" ends with the next row's "2、"
        if not run:
            break
        rows.append(LocalRow(label, match["unit"], run, lines[match.start()]))
        position = match.end()
    return int(header["year"]), rows


def _label_key(label: str) -> str:
    return normalize_label(re.sub(r"^(?:其中[:：])?", "", label))


def local_table_records(text: str, facts: list[NarrativeFact], year: int | None = None) -> TableResult:
    """Long records for the two columns of every row (ambiguous where the split is not certain)."""
    table_year, rows = find_local_rows(text)
    matcher = label_matcher(LOCAL_TABLE)
    by_key = {}
    for code, entry in matcher.entries.items():
        by_key.setdefault(normalize_label(entry.label_zh), code)
        for alias in matcher.aliases_of([code]):
            by_key.setdefault(normalize_label(alias), code)
    columns = list(table_columns(LOCAL_TABLE, "local").values())
    coded: dict[str, LocalRow] = {}
    unknown: list[LocalRow] = []
    for row in rows:
        code = by_key.get(_label_key(row.label))
        if code and code not in coded:
            coded[code] = row
        else:
            unknown.append(row)

    stated = [
        f.value
        for f in facts
        if f.fact_code == "proactive" and (str(table_year) in f.sentence or _YEAR_SENTENCE.search(f.sentence))
    ]

    def row_check(parts: tuple[str, ...]) -> bool:
        return float(parts[0]) <= float(parts[1])  # the cumulative includes this year

    # Table checks see each row's cells as numbers, or as arrays over many candidate tables.
    def sums(table: dict[str, tuple]):
        verdicts = []
        for total, children in _SUMS.items():
            present = [c for c in children if c in coded]
            if total in table and present and all(c in table for c in present):
                for column in (0, 1):
                    child_sum = sum(table[c][column] for c in present)
                    verdicts.append(abs(table[total][column] - child_sum) < 1e-6)
        return all_of(verdicts) if verdicts else None

    def of_which(table: dict[str, tuple]):
        # 其中 rows are parts of their total: together they cannot exceed it, in either column.
        verdicts = []
        for code in table:
            children = [c for c in table if c.startswith(code + ".")]
            if children:
                for column in (0, 1):
                    verdicts.append(sum(table[c][column] for c in children) <= table[code][column] + 1e-6)
        return all_of(verdicts) if verdicts else None

    def text(table: dict[str, tuple]):
        if "L1" not in table or not stated:
            return None
        return any_of([abs(table["L1"][0] - value) < 1e-6 for value in stated])

    resolved = resolve_rows(
        {code: row.run for code, row in coded.items()},
        2,
        row_check,
        "cumulative ≥ this year",
        [("P12", sums), ("其中 ≤ total", of_which), ("text", text)],
    )
    result = TableResult()
    for code, row in coded.items():
        entry = matcher.entries[code]
        result.records += _records(entry, columns, resolved[code], row)
    for row in unknown:
        result.records += _unknown_records(row, columns)
        result.notes.append(f"local table: row not in the catalog kept as unmapped: {clean_label(row.label)}")
    return result


def _records(entry, columns, resolution: Resolution, row: LocalRow) -> list[dict]:
    source = Row((row.run,), row.line)
    if resolution.parts is None:
        how = "no split" if resolution.candidates == 0 else f"{resolution.candidates} splits"
        note = f"run-together digits '{row.run}': {how} satisfy {', '.join(resolution.constraints)}"
        return flagged_records(entry, columns, source, [row.label], AMBIGUOUS, note)
    records = []
    for column, part in zip(columns, resolution.parts, strict=True):
        record = cell_record(entry, column, part, source, [row.label], MATCHED)
        record["unit"] = row.unit
        if " " not in row.run:
            record["value_status"] = INFERRED
            record["value_note"] = f"split from '{row.run}' by {', '.join(resolution.constraints)}"
        records.append(record)
    return records


def _unknown_records(row: LocalRow, columns) -> list[dict]:
    label = clean_label(re.sub(r"^(?:其中[:：])?", "", row.label))
    chunks = row.run.split()
    values = chunks if len(chunks) == 2 else ["", ""]
    records = []
    for column, raw in zip(columns, values, strict=True):
        records.append(
            {
                "table_id": "local",
                "indicator_code": f"unmapped:local:{normalize_label(label)}",
                "catalog_status": UNMAPPED,
                "row_label": label,
                "row_path": label,
                "column_code": column.code,
                "column_label": column.label_zh,
                "unit": row.unit,
                "value": float(raw) if raw else None,
                "value_raw": raw if raw else row.run,
                "value_status": "ok" if raw else AMBIGUOUS,
                "value_note": "" if raw else "run-together digits of a row the catalog does not know",
                "source_line": row.line,
                "source_page": None,
            }
        )
    return records
