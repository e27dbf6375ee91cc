"""Find the pre-2019 统计表 (统计指标 / 单位 / 统计数) in report text and split it into rows.

The table reaches us flattened: one cell per line, or cells separated by tabs, rows separated
by blank lines, long labels wrapped onto a second line without a leading tab. A row is read as
label cells up to a unit cell, then one value cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = frozenset({"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "项", "家", "份", "期", "场", "天", "%"})
SECTION_UNITS = frozenset({"——", "—", "--", "-", "/", "－－"})

_HEADER_WORDS = ("统计指标", "单位", "统计数")
_FOOTER = re.compile(r"单位负责人|审核人|填报人|填报日期|联系电话")


class TableNotFoundError(ValueError):
    """The text holds no 统计表 of this template."""


class TruncatedTableError(ValueError):
    """The table stops in the middle."""


@dataclass(frozen=True)
class StatTableRow:
    label: str  # wrapped lines joined, as printed
    unit: str
    value: str  # as printed; "" when the value cell is empty or missing
    label_line: int  # 1-based line numbers in the source text
    value_line: int | None


@dataclass(frozen=True)
class StatTable:
    title: str
    header_line: int
    rows: list[StatTableRow]
    ended_by_footer: bool


def _squash(text: str) -> str:
    return "".join(text.split())


def find_header_line(lines: list[str]) -> int | None:
    """Index of the line where the 统计指标 / 单位 / 统计数 header starts, or None."""
    for index, line in enumerate(lines):
        if "统计指标" not in _squash(line):
            continue
        window = _squash("".join(lines[index : index + 4]))
        if all(word in window for word in _HEADER_WORDS):
            return index
    return None


def _header_end(lines: list[str], start: int) -> int:
    """First line after the header cells (统计指标, 单位, 统计数 may sit on separate lines)."""
    seen = ""
    for index in range(start, min(start + 6, len(lines))):
        seen += _squash(lines[index])
        if "统计数" in seen:
            return index + 1
    return start + 1


def _title_above(lines: list[str], header: int) -> str:
    for index in range(header - 1, max(header - 6, -1), -1):
        if "统计表" in lines[index] or "统计报表" in lines[index]:
            return lines[index].strip()
    return ""


def _is_unit(cell: str) -> bool:
    compact = _squash(cell)
    return compact in UNITS or compact in SECTION_UNITS


def _cells_of_line(line: str) -> tuple[list[str], bool]:
    """Split a line into cells; the flag says the line continues the previous cell (no tab first)."""
    continues = not line.startswith("\t")
    parts = line.split("\t")
    if not continues:
        parts = parts[1:]
    return [part.strip() for part in parts], continues


def parse_stat_table(text: str) -> StatTable:
    """Split the 统计表 in ``text`` into rows (labels, units and values exactly as printed)."""
    lines = text.split("\n")
    header = find_header_line(lines)
    if header is None:
        raise TableNotFoundError("no statistics table: no 统计指标 / 单位 / 统计数 header")
    rows: list[StatTableRow] = []
    label_parts: list[str] = []
    label_line = 0
    unit: str | None = None
    last_cell_was_label = False
    ended_by_footer = False

    def finish(value: str, value_line: int | None) -> None:
        nonlocal label_parts, unit, last_cell_was_label
        rows.append(StatTableRow("".join(label_parts), unit or "", value, label_line, value_line))
        label_parts, unit, last_cell_was_label = [], None, False

    for index in range(_header_end(lines, header), len(lines)):
        line = lines[index]
        if _FOOTER.search(line):
            ended_by_footer = True
            break
        if not line.strip():
            if unit is not None:  # a row with no value cell at all
                finish("", None)
            continue
        cells, continues = _cells_of_line(line)
        if continues and last_cell_was_label and label_parts:
            label_parts[-1] += cells[0]  # a wrapped label
            cells = cells[1:]
        for cell in cells:
            if unit is not None:
                finish(cell, index + 1)
            elif label_parts and _is_unit(cell):
                unit = _squash(cell)
                last_cell_was_label = False
            elif cell or label_parts:
                if not label_parts:
                    label_line = index + 1
                label_parts.append(cell)
                last_cell_was_label = True
    if unit is not None:
        finish("", None)
    if label_parts:
        raise TruncatedTableError(
            f"statistics table cut off: row {''.join(label_parts)!r} (line {label_line}) has no unit or value"
        )
    return StatTable(_title_above(lines, header), header + 1, rows, ended_by_footer)
