"""Numbers read by OCR are published only where the report itself confirms them.

A scanned table's cells come from a recogniser, which misreads digits (8 for 3, 1 for 7) with
high confidence as often as with low. What a recogniser cannot give, the table gives: its
identities (``arithmetic_rules.csv``: parts add up to totals, 表三's columns to 总计), and the
narrative's statements of the same numbers. So each OCR'd number is:

- ``ocr``, with its value, when an exact identity (``eq``) that holds covers it, when the text
  states the same number for its concept, or when nothing checks it and its recognition
  confidence is at least ``min_confidence``;
- ``inferred``, with a corrected value, when an identity fails and exactly one change of one digit
  in one cell makes every identity on that cell hold: the rule that decided it is in
  ``value_note``, as the run-together splitter does;
- ``ocr_unverified``, with no value and the digits as read in ``value_raw``, when an identity on
  it fails and no single correction settles it, or when nothing checks it and its confidence is
  low; and, with what was read, a value cell read as no number at all (a seal's character).
  (A minus sign is the glyph a scan loses most, and the recogniser is as sure of "9" as of "-9":
  the reader gives confidence 0 to a number whose sign is not the one its ink shows.)

A blank cell (nothing read) counts as 0 in the identities, as the rules count it, and stays blank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from transforms.cell_records import CellRecord
from transforms.concepts import concept_cells
from transforms.document_rows import Row
from transforms.identities import IDENTITY_SCOPES, ArithmeticRule, holds, load_rules
from transforms.layouts import template_layout
from transforms.narrative_facts import NarrativeFact
from transforms.vocabulary import BLANK, INFERRED, NUMBER_STATUSES, OCR, OCR_UNVERIFIED, PLACEHOLDER, UNPARSED

_TOTAL = "total"  # a blank 总计 is missing, not 0 (as the rules read it)
Key = tuple[str, str, str]  # table_id, indicator_code, column_code


@dataclass(frozen=True)
class _Instance:
    """One identity applied to one column (per-column rules) or one row (per-row rules)."""

    rule: ArithmeticRule
    lhs: tuple[Key, ...]
    rhs: tuple[Key, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return self.lhs + self.rhs

    def verdict(self, numbers: dict[Key, float | None]) -> bool | None:
        """Whether it holds over ``numbers``; None when a cell has no number to check with."""
        left = [numbers.get(key) for key in self.lhs]
        right = [numbers.get(key) for key in self.rhs]
        if any(v is None for v in left + right):
            return None
        actual = sum(left)  # type: ignore[arg-type]
        expected = sum(right) if self.rule.aggregate == "sum" else max(right)  # type: ignore[type-var,arg-type]
        return bool(holds(self.rule.relation, actual, expected))

    @property
    def confirms(self) -> bool:
        """Only an equality that holds pins its digits down; an inequality that fails still
        tells that one of them is wrong."""
        return self.rule.relation == "eq"


def _rules(template: str) -> list[ArithmeticRule]:
    """The identities of a template's tables (errors: what must hold; a warning's failure is no sign
    of a misread digit), and the exact warnings, which confirm when they hold."""
    return [
        rule
        for rule in load_rules()
        if template in rule.templates
        and rule.scope in IDENTITY_SCOPES
        and (rule.severity == "error" or rule.relation == "eq")
    ]


def _instances(template: str, records: list[CellRecord]) -> list[_Instance]:
    rows, columns = defaultdict(set), defaultdict(set)
    for r in records:
        rows[r.table_id].add(r.indicator_code)
        columns[r.table_id].add(r.column_code)
    instances = []
    for rule in _rules(template):
        tables = [t for t in rows if rule.table_id in (t, "*")]
        for table in tables:
            if rule.scope == "per_column":  # rows named, in each column
                if not set(rule.lhs + rule.rhs) <= rows[table]:
                    continue
                for column in sorted(columns[table]):
                    instances.append(_Instance(rule, tuple((table, c, column) for c in rule.lhs),
                                               tuple((table, c, column) for c in rule.rhs)))  # fmt: skip
            else:  # columns named, in each row
                if not set(rule.lhs + rule.rhs) <= columns[table]:
                    continue
                for row in sorted(rows[table]):
                    instances.append(_Instance(rule, tuple((table, row, c) for c in rule.lhs),
                                               tuple((table, row, c) for c in rule.rhs)))  # fmt: skip
    return instances


def _number(record: CellRecord) -> float | None:
    if record.value_status in NUMBER_STATUSES:
        return record.value
    if record.value_status in (BLANK, PLACEHOLDER) and record.column_code != _TOTAL:
        return 0.0
    return None


def _one_digit_changes(raw: str, value: float) -> Iterable[float]:
    """Every number that differs from the digits read in exactly one digit (same length)."""
    digits = raw.strip()
    if not digits.isdigit() or float(digits) != value:
        return
    for index, digit in enumerate(digits):
        for other in "0123456789":
            if other != digit and not (index == 0 and other == "0" and len(digits) > 1):
                yield float(digits[:index] + other + digits[index + 1 :])


def verify_ocr_cells(
    records: list[CellRecord],
    template: str,
    confidence: dict[int, float],
    min_confidence: float,
    stated: dict[Key, set[float]] | None = None,
) -> list[CellRecord]:
    """The records of an OCR'd table, each number confirmed, corrected or left unverified.

    ``confidence``: the recognition confidence of each record, by its position in ``records``
    (missing: 0; for a blank, missing is 1: no mark was seen). ``stated``: numbers the report's
    text states for a cell."""
    stated = stated or {}
    by_key = {(r.table_id, r.indicator_code, r.column_code): index for index, r in enumerate(records)}
    # A blank or a dash counts as 0 only where nothing was there to misread: a mark the recogniser
    # read as nothing (or as a dash, unsure) may be any number.
    unread = {
        key
        for key, index in by_key.items()
        if records[index].value_status in (BLANK, PLACEHOLDER) and confidence.get(index, 1.0) < min_confidence
    }
    numbers = {key: None if key in unread else _number(records[index]) for key, index in by_key.items()}
    sure = {key for key, index in by_key.items() if key not in unread and confidence.get(index, 0.0) >= min_confidence}
    instances = [i for i in _instances(template, records) if all(k in by_key for k in i.keys)]
    on_cell: dict[Key, list[_Instance]] = defaultdict(list)
    for instance in instances:
        for key in instance.keys:
            on_cell[key].append(instance)
    verdicts = {id(i): i.verdict(numbers) for i in instances}
    corrections = _corrections(instances, verdicts, on_cell, numbers, records, by_key, sure)
    for key, (value, _) in corrections.items():
        numbers[key] = value
    verdicts = {id(i): i.verdict(numbers) for i in instances}

    out = list(records)
    for key, index in by_key.items():
        record = records[index]
        if key in unread:
            read = f"OCR confidence {confidence.get(index, 0.0):.2f}"
            why = f"a mark here was read as {'nothing' if record.value_status == BLANK else 'a dash'}, unsure"
            out[index] = replace(record, value_status=OCR_UNVERIFIED, value_note=f"{why} ({read})")
            continue
        if record.value_status == UNPARSED:  # a seal's character, a smudge: read, but no number
            read = f"OCR confidence {confidence.get(index, 0.0):.2f}"
            out[index] = replace(
                record, value_status=OCR_UNVERIFIED, value_note=f"OCR read {record.value_raw!r}: not a number ({read})"
            )
            continue
        if record.value_status not in NUMBER_STATUSES:
            continue
        checks = [verdicts[id(i)] for i in on_cell.get(key, []) if i.rule.severity == "error"]
        held = [i.rule.rule_id for i in on_cell.get(key, []) if i.confirms and verdicts[id(i)]]
        score = confidence.get(index, 0.0)
        read = f"OCR confidence {score:.2f}"
        if key in corrections and all(checks):
            value, rule_ids = corrections[key]
            out[index] = replace(
                record, value=value, value_status=INFERRED,
                value_note=f"OCR read {record.value_raw}; corrected by {', '.join(rule_ids)}: the only one-digit "
                f"change that makes them hold ({read})",
            )  # fmt: skip
        elif any(c is False for c in checks):
            failed = sorted(
                {i.rule.rule_id for i in on_cell[key] if i.rule.severity == "error" and verdicts[id(i)] is False}
            )
            out[index] = _unverified(record, f"{', '.join(failed)} fails on it and no one-digit change settles it")
        elif held:
            out[index] = replace(
                record, value_status=OCR, value_note=f"confirmed by {', '.join(sorted(set(held)))} ({read})"
            )
        elif record.value in stated.get(key, ()):
            out[index] = replace(record, value_status=OCR, value_note=f"confirmed by the report's text ({read})")
        elif score >= min_confidence:
            out[index] = replace(record, value_status=OCR, value_note=f"no identity covers it; {read}")
        else:
            out[index] = _unverified(record, f"no identity covers it and {read} is below {min_confidence:.2f}")
    return out


def _unverified(record: CellRecord, why: str) -> CellRecord:
    return replace(record, value=None, value_status=OCR_UNVERIFIED, value_note=f"OCR read {record.value_raw}: {why}")


def _corrections(instances, verdicts, on_cell, numbers, records, by_key, sure) -> dict[Key, tuple[float, list[str]]]:
    """Cells of failed identities whose one-digit change is the only one that makes every identity
    on the cell hold (and the failed one with it): key → (value, the rules that decided it)."""
    failed = [i for i in instances if i.rule.severity == "error" and verdicts[id(i)] is False]
    found: dict[Key, tuple[float, list[str]]] = {}
    for instance in failed:
        solutions = []
        for key in instance.keys:
            record = records[by_key[key]]
            if record.value_status not in NUMBER_STATUSES or record.value is None:
                continue
            if any(other not in sure for other in instance.keys if other != key):
                continue  # another cell, read unsure, may be the wrong one: nothing is pinned down
            for candidate in _one_digit_changes(record.value_raw, record.value):
                trial = {**numbers, key: candidate}
                if all(i.verdict(trial) for i in on_cell[key] if i.rule.severity == "error"):
                    solutions.append((key, candidate, sorted({i.rule.rule_id for i in on_cell[key]})))
        if len(solutions) == 1:
            key, candidate, rule_ids = solutions[0]
            if key in found and found[key][0] != candidate:
                found.pop(key)  # two failed identities want two values: neither is sure
                continue
            found[key] = (candidate, rule_ids)
    return found


def ocr_confidences(rows: list[Row], records: list[CellRecord]) -> dict[int, float]:
    """Each record's recognition confidence (by position in ``records``), from the OCR'd row it
    was read from: the cell with its text, else the row's least sure cell."""
    by_row = {(row.page, row.line): row for row in rows if row.confidences}
    found = {}
    for index, record in enumerate(records):
        row = by_row.get((record.source_page, record.source_line))
        if row is None:
            continue
        same = [
            c for text, c in zip(row.cells, row.confidences, strict=False) if text.strip() == record.value_raw.strip()
        ]
        found[index] = min(same) if same else min(row.confidences)
    return found


def stated_cells(template: str, facts: list[NarrativeFact]) -> dict[Key, set[float]]:
    """The numbers the text states for a single cell of ``template`` (a concept read from one cell)."""
    layout = template_layout(template)
    stated: dict[Key, set[float]] = defaultdict(set)
    for fact in facts:
        for reading in concept_cells(template, text_checked=True).get(fact.fact_code, []):
            if len(reading.cells) == 1:
                row, column = reading.cells[0]
                stated[(layout.table_of(row), row, column)].add(fact.value)
    return stated
