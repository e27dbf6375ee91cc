"""One writer at a time per dataset: an exclusive lock on the dataset folder itself.

The lock is the operating system's (``flock``), held by the writing process itself, so a run that
is killed — even with ``kill -9`` — releases it at once: the next run takes it over, and says whose
it was. It is taken on the dataset folder, which no one deletes by accident while a run writes
into it (a lock on a file alone let a second writer in once the file was deleted); the file
``<dataset>/.xxgk.lock`` names the holder (pid, host, start time) for a run that finds the folder
locked. Readers take no lock and are never blocked. ``flock`` is reliable on local disks; on
network file systems it may not be. Whatever happens to the lock, a version is committed only
on top of the version its run started from (``flows.dataset.store``).

On object storage (``s3://``) there is no flock: the lock is a lease, the object
``<dataset>/.xxgk.lock`` created only if absent and renewed by the holder every few seconds while
it runs (each renewal conditional on the ETag it last wrote). A lease not renewed for
``LEASE_SECONDS`` (its holder was killed) is taken over, again conditionally, so of two runs that
find it expired one takes it. Even a lease that lapsed under a live run cannot commit twice: a
version's record is created only if absent (``flows.dataset.store``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flows.dataset.storage import Location, PreconditionFailed, S3Path, location

LOCK_FILE = ".xxgk.lock"
LEASE_SECONDS = 60.0  # an object-storage lock not renewed for this long was left by a killed run
RENEW_SECONDS = 5.0
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

    def __init__(self, curated_dir: Location, holder: LockHolder | None) -> None:
        who = str(holder) if holder else "another run"
        super().__init__(f"the dataset {curated_dir} is being written by {who}; try again later or pass --wait")
        self.holder = holder


def _read_holder(handle) -> LockHolder | None:
    handle.seek(0)
    return _holder(handle.read())


@contextlib.contextmanager
def dataset_lock(
    curated_dir: Location, wait: bool = False, on_wait: Callable[[LockHolder | None], None] | None = None
) -> Iterator[LockHolder | None]:
    """Hold the dataset's write lock for the ``with`` block; yields the holder of a lock that a
    killed run left behind (taken over), else None. Raises DatasetLockedError when another run
    holds it and ``wait`` is false. Re-entrant within one process."""
    curated_dir = location(curated_dir)
    if curated_dir.is_remote:  # a lease object; a folder has an operating-system lock
        with _reentrant(str(curated_dir / LOCK_FILE), lambda: _lease(curated_dir, wait, on_wait)) as left_behind:
            yield left_behind
        return
    with _reentrant(str((curated_dir / LOCK_FILE).resolve()), lambda: _flock(curated_dir, wait, on_wait)) as left:
        yield left


@contextlib.contextmanager
def _reentrant(key: str, take) -> Iterator[LockHolder | None]:
    if key in _held:
        _held[key] += 1
        try:
            yield None
        finally:
            _held[key] -= 1
        return
    with take() as left_behind:
        _held[key] = 1
        try:
            yield left_behind
        finally:
            del _held[key]


def _note() -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


@contextlib.contextmanager
def _flock(curated_dir: Path, wait: bool, on_wait) -> Iterator[LockHolder | None]:
    curated_dir.mkdir(parents=True, exist_ok=True)
    folder = os.open(curated_dir, os.O_RDONLY | os.O_DIRECTORY)
    path = (curated_dir / LOCK_FILE).resolve()
    handle = path.open("a+", encoding="utf-8")  # append mode: never truncate the holder's note
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            if not wait:
                raise DatasetLockedError(curated_dir, holder) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(folder, fcntl.LOCK_EX)
            handle.close()  # the note file may have been replaced meanwhile: the one there now
            handle = path.open("a+", encoding="utf-8")
        left_behind = _read_holder(handle)  # a run that ended normally cleared its note
        handle.truncate(0)
        handle.write(json.dumps(_note()))
        handle.flush()
        try:
            yield left_behind
        finally:
            handle.truncate(0)
            handle.flush()
    finally:
        handle.close()
        os.close(folder)  # closing the folder releases the lock


def _holder(data: bytes | str) -> LockHolder | None:
    """Who a lock file or lease names; None when it is empty or unreadable."""
    try:
        found = json.loads(data or b"null")
        return LockHolder(int(found["pid"]), str(found["host"]), str(found["started"])) if found else None
    except (ValueError, KeyError, TypeError):
        return None


def _lease_bytes() -> bytes:
    return json.dumps({**_note(), "renewed": time.time()}).encode()


def _expired(data: bytes) -> bool:
    try:
        return time.time() - float(json.loads(data)["renewed"]) > LEASE_SECONDS
    except (ValueError, KeyError, TypeError):
        return True  # unreadable: not a lease a live run keeps


@contextlib.contextmanager
def _lease(curated_dir: S3Path, wait: bool, on_wait) -> Iterator[LockHolder | None]:
    lock = curated_dir / LOCK_FILE
    left_behind, told = None, False
    while True:
        try:
            etag = lock.create(_lease_bytes())
            break
        except PreconditionFailed:
            pass
        try:
            data, found = lock.read_tagged()
        except FileNotFoundError:
            continue  # released meanwhile: try again
        if _expired(data):
            try:
                etag = lock.replace_if(_lease_bytes(), found)  # of two runs taking it over, one wins
                left_behind = _holder(data)
                break
            except PreconditionFailed:
                continue
        if not wait:
            raise DatasetLockedError(curated_dir, _holder(data))
        if on_wait is not None and not told:
            on_wait(_holder(data))
            told = True
        time.sleep(1.0)
    renewal = _Renewal(lock, etag)
    renewal.start()
    try:
        yield left_behind
    finally:
        renewal.stop()


class _Renewal(threading.Thread):
    """Renews the lease while the run holds it; releases it at the end."""

    def __init__(self, lock: S3Path, etag: str) -> None:
        super().__init__(daemon=True, name="xxgk-lock-renewal")
        self.lock, self.etag = lock, etag
        self.stopped = threading.Event()
        self.guard = threading.Lock()

    def run(self) -> None:
        while not self.stopped.wait(RENEW_SECONDS):
            with self.guard:
                try:
                    self.etag = self.lock.replace_if(_lease_bytes(), self.etag)
                except Exception:  # lost (taken over after a stall) or unreachable: the record still guards
                    return

    def stop(self) -> None:
        self.stopped.set()
        # Already taken over by another run (after a stall): not ours to delete.
        with self.guard, contextlib.suppress(Exception):
            self.lock.unlink_if(self.etag)
        self.join(timeout=RENEW_SECONDS)
