"""Where a run's time goes, stage by stage: what ``xxgk run --timings`` and the benchmarks print.

One clock per process (the flow's tasks run in the CLI's process). A stage entered twice adds up;
a stage entered inside another counts for itself only (the outer one gets the rest), so the
seconds add up to the run's wall time less what no stage covers (interpreter start, the CLI's own
imports, exit).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

_seconds: dict[str, float] = {}
_inner: list[float] = []  # per open stage, the seconds of the stages inside it


@contextmanager
def stage(name: str) -> Iterator[None]:
    started = time.perf_counter()
    _inner.append(0.0)
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _stage_time(name, elapsed - _inner.pop())
        if _inner:
            _inner[-1] += elapsed


def add(name: str, seconds: float) -> None:
    """``seconds`` more for ``name`` (and not for the stage it happened in)."""
    _seconds[name] = _seconds.get(name, 0.0) + seconds
    if _inner:
        _inner[-1] += seconds


def _stage_time(name: str, seconds: float) -> None:
    _seconds[name] = _seconds.get(name, 0.0) + seconds


def seconds() -> dict[str, float]:
    """Seconds per stage so far, in the order the stages were first entered."""
    return {name: round(value, 3) for name, value in _seconds.items()}


def reset() -> None:
    _seconds.clear()
    _inner.clear()
