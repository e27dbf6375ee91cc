"""Fault injection for the kill tests: ``XXGK_KILL_AT=<point>`` makes a run kill itself with
SIGKILL (what ``kill -9`` sends) at that point, so a test can stop a run exactly while it parses,
writes, commits or rebuilds the DuckDB file. Unset, nothing happens."""

from __future__ import annotations

import os
import signal

POINTS = ("parsing", "writing", "committing", "rebuilding")


def point(name: str) -> None:
    assert name in POINTS, name
    if os.environ.get("XXGK_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
