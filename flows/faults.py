"""Fault injection for the kill tests: ``XXGK_KILL_AT=<point>`` makes a run kill itself with
SIGKILL (what ``kill -9`` sends) at that point, so a test can stop a run exactly while it parses,
writes, commits or rebuilds the DuckDB file. Unset, nothing happens."""

from __future__ import annotations

import json
import os
import signal
import time

POINTS = ("parsing", "writing", "committing", "rebuilding")


def point(name: str) -> None:
    assert name in POINTS, name
    if os.environ.get("XXGK_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


# A parse worker's faults, by file name (``XXGK_FILE_FAULTS='{"a.txt": "crash"}'``): ``crash``
# kills the worker (SIGSEGV, as a crash in a C library would); ``hang`` blocks it where the
# per-file alarm cannot reach (as a loop in C code would); ``slow`` loops in Python.
FILE_FAULTS = ("crash", "hang", "slow")


def file_point(name: str) -> None:
    faults = os.environ.get("XXGK_FILE_FAULTS")
    fault = json.loads(faults).get(name) if faults else None
    if fault is None:
        return
    assert fault in FILE_FAULTS, fault
    if fault == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if fault == "hang":  # the alarm's handler never runs, as while a C function runs
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True:
        time.sleep(0.05)
