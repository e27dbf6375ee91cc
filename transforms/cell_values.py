"""Read one table cell as printed: a number, a blank, a placeholder, or something unreadable.

The value is never invented: a blank is not 0, a dash is kept as written, and a cell that
does not read as a number gets ``unparsed`` and no value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Statuses a cell can have (a closed set: transforms/vocabulary.py).
from transforms.vocabulary import (  # noqa: F401  (re-exported: the interpreters import them from here)
    AMBIGUOUS,
    BLANK,
    INFERRED,
    MISSING,
    NOT_APPLICABLE,
    NUMBER_STATUSES,
    OK,
    OK_WITH_NOTE,
    PLACEHOLDER,
    UNPARSED,
    VALUE_STATUSES,
)

_PLACEHOLDERS = {"-", "--", "—", "——", "–", "/", "／", "无", "空", "×", "x", "X"}
_NUMBER = r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?"
_PLAIN_NUMBER = re.compile(rf"^{_NUMBER}$")
# A number followed by a unit word or a bracketed note: 251000元, 22（其中修订16件）.
# Anything else after the digits (12a3, 1O3) could be a misread number, so it stays unparsed.
_NUMBER_WITH_TAIL = re.compile(rf"^(?P<number>{_NUMBER})\s*(?P<tail>[（(][^()（）]*[)）]|[\u4e00-\u9fff%]{{1,4}})$")


@dataclass(frozen=True)
class CellValue:
    value: float | None
    status: str
    note: str = ""


def _to_float(number: str) -> float:
    return float(number.replace(",", ""))


@lru_cache(maxsize=65536)  # tables repeat the same few cell texts ("0", "1", "") endlessly
def parse_cell_value(raw: str) -> CellValue:
    """Parse a cell exactly as printed (already text-normalised).

    >>> parse_cell_value("136500")
    CellValue(value=136500.0, status='ok', note='')
    >>> parse_cell_value("").status
    'blank'
    """
    text = raw.strip()
    if not text:
        return CellValue(None, BLANK)
    if text in _PLACEHOLDERS:
        return CellValue(None, PLACEHOLDER)
    compact = text.replace(" ", "")
    if _PLAIN_NUMBER.match(compact):
        return CellValue(_to_float(compact), OK)
    match = _NUMBER_WITH_TAIL.match(text)
    if match:
        tail = match.group("tail").strip()
        note = tail[1:-1].strip() if tail[:1] in "（(" and tail[-1:] in ")）" else tail
        return CellValue(_to_float(match.group("number")), OK_WITH_NOTE, note)
    return CellValue(None, UNPARSED, "not a number")
