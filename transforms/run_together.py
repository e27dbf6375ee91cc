"""Recover table cells from crawler text whose numbers run together (``640020470`` = 64|0|0|2|0|4|70).

A digit run is split only by what the table itself guarantees: the number of cells the template
has, no leading zeros, each 表三 row's 总计 = the sum of its columns (R3), 表四's group totals (R5),
表三's column identities (R1, R4) and the numbers the report's text states. When exactly one split
satisfies every constraint it is taken and marked ``inferred`` with the constraints that decided
it; otherwise the cells are ``ambiguous`` and get no value. Never a guessed number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_SPLITS = 50_000  # beyond this a run is too long to split with confidence
MAX_COMBINATIONS = 200_000
# Bounds on the search, far above any real row's (a 表三 row's run has 7-30 digits and its search
# under 2,000 steps): beyond them a run counts as having too many splits.
MAX_CELL_DIGITS = 12  # digits per cell, on average over the row's run
MAX_SEARCH_STEPS = 50_000  # partial splits tried for one run (a real one takes < 2,000)
_CHUNK = 20_000  # combinations judged at once: bounds the arrays to a few MB
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")


_SPACE_OR_TEXT = re.compile(r"\s+|\S+")


def compact_text(text: str) -> tuple[str, list[int]]:
    """Whitespace removed except one space between two digits (a real cell boundary), and the
    source line of every kept character. (Run by run: looking ahead from each space copied the rest
    of the text, quadratic on a long crawler line of spaced digits.)"""
    kept: list[str] = []
    lines: list[int] = []
    line = 1
    for match in _SPACE_OR_TEXT.finditer(text):
        run = match.group()
        if not run[0].isspace():
            kept.append(run)
            lines += [line] * len(run)
            continue
        end = match.end()
        if kept and kept[-1][-1].isdigit() and end < len(text) and text[end].isdigit():
            kept.append(" ")
            lines.append(line + (run[0] == "\n"))  # the line of the run's first character
        line += run.count("\n")
    return "".join(kept), lines


def label_pattern(label: str) -> re.Pattern[str]:
    """The label with or without its numbering (1. / 1、 / （一） / 一、), spacing ignored."""
    match = _NUMBERING.match(label)
    number, body = (match.group(), label[match.end() :]) if match else ("", label)
    body_pattern = (
        re.escape(re.sub(r"\s+", "", body)).replace("（", "[（(]").replace("）", "[)）]").replace("，", "[，,]")
    )
    if not number:
        return re.compile(body_pattern)
    inner = re.sub(r"[、.．（）()]", "", number)
    number_pattern = rf"(?:[（(]{inner}[)）]|{inner}[、.．])" if not inner.isdigit() else rf"{inner}[、.．]"
    return re.compile(rf"(?:{number_pattern})?{body_pattern}")


def leading_run(text: str) -> str:
    """The digits (with boundary spaces and decimal points) at the start of ``text``."""
    match = re.match(r"[\d. ]*", text)
    run = match.group().strip() if match else ""
    return run.rstrip(".")


class _OutOfSteps(Exception):
    """The search for splits took more steps than any real row's run needs."""


class _Steps:
    """The steps one run's search may take (shared by the searches a run is split with)."""

    def __init__(self, budget: int = MAX_SEARCH_STEPS) -> None:
        self.left = budget

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _OutOfSteps


def _too_long(run: str, cells: int) -> bool:
    """More digits than ``cells`` table cells hold: no row of a report (and int() of a few thousand
    digits is refused)."""
    return len(run) - run.count(" ") > max(cells, 1) * MAX_CELL_DIGITS


def splits(
    run: str,
    cells: int,
    limit: int = MAX_SPLITS,
    group: int = 0,
    group_check: Callable[[tuple[str, ...]], bool] | None = None,
) -> list[tuple[str, ...]] | None:
    """Every way to cut ``run`` into ``cells`` numbers with no leading zeros (None: too many to list).

    A space is a certain boundary; a decimal point stays inside one number. With ``group`` and
    ``group_check``, each completed group of cells must pass the check (pruned as soon as it fails).
    """
    if _too_long(run, cells):
        return None
    try:  # each of up to ``limit`` splits is reached through ``cells`` steps
        return _splits(run, cells, limit, group, group_check, _Steps(MAX_SEARCH_STEPS + limit * cells))
    except _OutOfSteps:
        return None


def _splits(
    run: str,
    cells: int,
    limit: int,
    group: int,
    group_check: Callable[[tuple[str, ...]], bool] | None,
    steps: _Steps,
) -> list[tuple[str, ...]] | None:
    chunks = run.split()
    results: list[tuple[str, ...]] = []

    def valid(part: str) -> bool:
        if part.count(".") > 1 or part.startswith(".") or part.endswith("."):
            return False
        whole = part.split(".")[0]
        return whole == "0" or not whole.startswith("0")

    def keeps(parts: list[str]) -> bool:
        if not parts or not group or not group_check or len(parts) % group:
            return True
        return group_check(tuple(parts[-group:]))

    def cut(chunk_index: int, start: int, left: int, parts: list[str]) -> bool:
        steps.take()
        if not keeps(parts):
            return True
        if chunk_index == len(chunks):
            if left == 0:
                results.append(tuple(parts))
            return len(results) <= limit
        chunk = chunks[chunk_index]
        remaining_chunks = len(chunks) - chunk_index - 1
        for end in range(start + 1, len(chunk) + 1):
            part = chunk[start:end]
            if not valid(part):
                if part.startswith("0") and "." not in part:
                    break  # a longer part with a leading zero stays invalid ("0." may become "0.3")
                continue
            if end == len(chunk):
                if left - 1 >= remaining_chunks and not cut(chunk_index + 1, 0, left - 1, [*parts, part]):
                    return False
            elif left - 1 >= 1 + remaining_chunks and not cut(chunk_index, end, left - 1, [*parts, part]):
                return False
        return True

    if not chunks or cells < len(chunks):
        return []
    return results if cut(0, 0, cells, []) else None


def total_splits(run: str, cells: int, limit: int = MAX_SPLITS) -> list[tuple[str, ...]] | None:
    """Splits whose last cell is the sum of the others (a 表三 row, a 表四 group), found directly:
    choose the total from the end, then cut the rest into parts that add up to it."""
    if " " in run or "." in run:
        found = splits(run, cells, limit)
        return None if found is None else [parts for parts in found if row_total_holds(parts)]
    if _too_long(run, cells):
        return None
    try:
        return _total_splits(run, cells, limit, _Steps())
    except _OutOfSteps:
        return None


def _total_splits(run: str, cells: int, limit: int, steps: _Steps) -> list[tuple[str, ...]] | None:
    results: list[tuple[str, ...]] = []

    def valid(part: str) -> bool:
        return part == "0" or not part.startswith("0")

    def cut(prefix: str, left: int, budget: int, parts: list[str], total: str) -> None:
        steps.take()
        if left == 1:
            if valid(prefix) and int(prefix) == budget:
                results.append((*parts, prefix, total))
            return
        if len(prefix) > left * len(str(budget)):
            return  # some part would have more digits than the budget: more than it
        for end in range(1, len(prefix) - left + 2):
            part = prefix[:end]
            if not valid(part):
                break
            value = int(part)
            if value > budget:
                break
            cut(prefix[end:], left - 1, budget - value, [*parts, part], total)

    for length in range(1, len(run) - cells + 2):
        total = run[-length:]
        if valid(total):
            cut(run[:-length], cells - 1, int(total), [], total)
        if len(results) > limit:
            return None
    return results


def grouped_total_splits(run: str, groups: int, size: int) -> list[tuple[str, ...]] | None:
    """Consecutive groups of ``size`` cells, each ending with its own total (表四's three groups)."""
    if " " in run or "." in run:
        found = splits(run, groups * size, group=size, group_check=row_total_holds)
        return found
    if _too_long(run, groups * size):
        return None
    results: list[tuple[str, ...]] = []
    steps = _Steps()

    def walk(rest: str, left: int, parts: tuple[str, ...]) -> None:
        steps.take()
        if left == 0:
            if not rest:
                results.append(parts)
            return
        for length in range(size, len(rest) - (left - 1) * size + 1):
            for group in _total_splits(rest[:length], size, MAX_SPLITS, steps) or []:
                walk(rest[length:], left - 1, parts + group)

    try:
        walk(run, groups, ())
    except _OutOfSteps:
        return None
    return results


def _number(part: str) -> float:
    return float(part)


def row_total_holds(parts: tuple[str, ...]) -> bool:
    """R3 / R5: the last cell is the sum of the others."""
    return abs(sum(_number(p) for p in parts[:-1]) - _number(parts[-1])) < 1e-6


def _surviving_options(
    resolved: dict[str, Resolution],
    open_candidates: dict[str, list[tuple[str, ...]]],
    cells: int,
    table_checks: list[tuple[str, Callable]],
    soft_checks: list[tuple[str, Callable]],
) -> tuple[list[np.ndarray], tuple[str, ...]]:
    """For each open row, the indexes of its candidates that some combination passing every table
    check uses, and the names of the checks that decided. Combinations are checked a chunk at a
    time as arrays: each row's cells become one array per column over the chunk, so a check
    written with arithmetic, comparisons and numpy's logical functions judges every combination in the chunk
    at once (tens of thousands per report).

    A soft check (what the text states) counts only where some combination passing the table's
    own checks satisfies it: a statement no reading of the table can meet is about something else
    (a 12345 hotline's "办结15042件"), and says nothing about the split.
    """
    fixed = {code: tuple(float(part) for part in r.parts) for code, r in resolved.items()}
    numeric = {code: np.array([[float(p) for p in c] for c in found]) for code, found in open_candidates.items()}
    shape = tuple(len(found) for found in open_candidates.values())
    total = math.prod(shape)
    keep = np.ones(total, dtype=bool)
    soft = np.ones((len(soft_checks), total), dtype=bool)
    for start in range(0, total, _CHUNK):
        stop = min(total, start + _CHUNK)
        indexes = np.unravel_index(np.arange(start, stop), shape)
        table: dict[str, tuple] = dict(fixed)
        for code, index in zip(open_candidates, indexes, strict=True):
            chosen = numeric[code][index]
            table[code] = tuple(chosen[:, column] for column in range(cells))
        for _, check in table_checks:
            verdict = check(table)
            if verdict is not None:  # None: the check cannot be evaluated on this table
                keep[start:stop] &= np.asarray(verdict, dtype=bool)
        for row, (_, check) in enumerate(soft_checks):
            verdict = check(table)
            if verdict is not None:
                soft[row, start:stop] = np.asarray(verdict, dtype=bool)
    used = [name for name, _ in table_checks]
    for row, (name, _) in enumerate(soft_checks):
        if (keep & soft[row]).any() and not soft[row].all():
            keep &= soft[row]
            used.append(name)
    all_indexes = np.unravel_index(np.arange(total), shape)
    options = [np.unique(index[keep]) for index in all_indexes]
    return options, tuple(dict.fromkeys(used))


@dataclass(frozen=True)
class Resolution:
    parts: tuple[str, ...] | None  # None: ambiguous or impossible
    candidates: int
    constraints: tuple[str, ...]


def resolve_rows(
    runs: dict[str, str],
    cells: int,
    row_check: Callable[[tuple[str, ...]], bool] | None,
    row_check_name: str,
    table_checks: list[tuple[str, Callable[[dict[str, tuple[float, ...]]], bool | None]]],
    group: int = 0,
    group_check: Callable[[tuple[str, ...]], bool] | None = None,
    splitter: Callable[[str, int], list[tuple[str, ...]] | None] | None = None,
    soft_checks: list[tuple[str, Callable[[dict[str, tuple[float, ...]]], bool | None]]] = (),
) -> dict[str, Resolution]:
    """Split each row's run; where a row has several candidates, let the table-wide checks decide.

    Table checks receive each row's cells as numbers, or as arrays over a chunk of candidate
    combinations (see _surviving_options), and return None when they cannot be evaluated.
    """
    candidates: dict[str, list[tuple[str, ...]]] = {}
    too_many: set[str] = set()
    for code, run in runs.items():
        found = splitter(run, cells) if splitter else splits(run, cells, group=group, group_check=group_check)
        if found is None:
            too_many.add(code)
            candidates[code] = []
            continue
        candidates[code] = [c for c in found if row_check is None or row_check(c)]
    used = (row_check_name,) if row_check or group_check else ("cell count",)
    resolved = {code: Resolution(c[0], 1, used) for code, c in candidates.items() if len(c) == 1}
    open_rows = [code for code, c in candidates.items() if len(c) > 1]
    shape = tuple(len(candidates[code]) for code in open_rows)
    if open_rows and (table_checks or soft_checks) and math.prod(shape) <= MAX_COMBINATIONS:
        open_candidates = {code: candidates[code] for code in open_rows}
        survives, names = _surviving_options(resolved, open_candidates, cells, table_checks, list(soft_checks))
        for code, options in zip(open_rows, survives, strict=True):
            if len(options) == 1:
                resolved[code] = Resolution(candidates[code][options[0]], len(candidates[code]), (*used, *names))
    for code in runs:
        if code not in resolved:
            count = -1 if code in too_many else len(candidates[code])
            resolved[code] = Resolution(None, count, used)
    return resolved
