"""One writer at a time per dataset: an exclusive lock on ``<dataset>/.xxgk.lock``.

The lock is the operating system's (``flock``), held by the writing process itself, so a run that
is killed — even with ``kill -9`` — releases it at once: the next run takes it over, and says whose
it was. The file names the holder (pid, host, start time) for a run that finds it taken. Readers
take no lock and are never blocked. ``flock`` is reliable on local disks; on network file systems
it may not be.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

LOCK_FILE = ".xxgk.lock"
_held: dict[Path, int] = {}  # lock file → depth, for the process that holds it


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    started: str

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started}"


class DatasetLockedError(RuntimeError):
    """Another run holds the dataset's lock."""

    def __init__(self, curated_dir: Path, holder: LockHolder | None) -> None:
        who = str(holder) if holder else "another run"
        super().__init__(f"the dataset {curated_dir} is being written by {who}; try again later or pass --wait")
        self.holder = holder


def _read_holder(handle) -> LockHolder | None:
    handle.seek(0)
    try:
        found = json.loads(handle.read() or "null")
        return LockHolder(int(found["pid"]), str(found["host"]), str(found["started"])) if found else None
    except (ValueError, KeyError, TypeError):
        return None


@contextlib.contextmanager
def dataset_lock(
    curated_dir: Path, wait: bool = False, on_wait: Callable[[LockHolder | None], None] | None = None
) -> Iterator[LockHolder | None]:
    """Hold the dataset's write lock for the ``with`` block; yields the holder of a lock that a
    killed run left behind (taken over), else None. Raises DatasetLockedError when another run
    holds it and ``wait`` is false. Re-entrant within one process."""
    curated_dir.mkdir(parents=True, exist_ok=True)
    path = (curated_dir / LOCK_FILE).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield None
        finally:
            _held[path] -= 1
        return
    handle = path.open("a+", encoding="utf-8")  # append mode: never truncate the holder's note
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            if not wait:
                raise DatasetLockedError(curated_dir, holder) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        left_behind = _read_holder(handle)  # a run that ended normally cleared its note
        note = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        handle.truncate(0)
        handle.write(json.dumps(note))
        handle.flush()
        _held[path] = 1
        try:
            yield left_behind
        finally:
            del _held[path]
            handle.truncate(0)
            handle.flush()
    finally:
        handle.close()  # closing the file releases the lock
