"""Batches of files parsed in worker processes, in order, whatever one file does to its worker.

Parsing is CPU-bound Python, so batches go to worker processes: plain spawned processes that
import only the parsing code (a Prefect task runner's workers would each start their own
temporary API server). Every run parses in workers, even a run of one file: the per-file time
limit and the isolation below need a process to end.

At most two batches per worker are in flight: a parsed batch waits in this process until it is
stored, so submitting them all at once would hold the whole archive when storing is slower.

When a worker dies (its watchdog ended a file that hung in C code; a crash in a C library; the
kernel's out-of-memory killer), every batch in flight is lost with the pool. The files the
workers were reading, from their journal, are then each parsed alone in a fresh process: a file
that ends that process too is quarantined with what happened, and the lost batches are parsed
again without it. One bad file costs its own row, never the run.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from flows.parsing.batch import (
    TIMED_OUT_EXIT,
    hard_time_limit,
    parse_files,
    read_journal_entry,
    start_worker,
    time_limit_reason,
    unread_quarantine_row,
)
from flows.parsing.raw_files import RawFile
from transforms.assemble import ParsedFrames, to_frames
from transforms.limits import ReadLimits

# A worker is replaced after this many batches: what parsing leaves behind (caches, fragmented
# heaps) grows slowly, by about 60 MB over 100,000 reports; a new worker costs about a second.
WORKER_BATCHES = 100
_SPAWN = multiprocessing.get_context("spawn")
_STARTUP_SECONDS = 30.0  # a fresh process imports the parser before it starts the file


def start_pool(workers: int, limits: ReadLimits, warm: int | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` with ``warm`` of them (all by default) started now, so that they
    import the parser while the run sets up (the API server, GX, the store): a run of one file then
    waits for neither in turn. The others start when batches are submitted."""
    pool = _pool(workers, limits)
    for _ in range(workers if warm is None else min(warm, workers)):
        pool.submit(os.getpid)
    return pool


_early: list[tuple[ProcessPoolExecutor, int, ReadLimits]] = []  # a pool the CLI started before the flow


def start_early(workers: int, limits: ReadLimits) -> None:
    """Start the pool before the flow, with one worker warm: it imports while the Prefect API server
    boots, and a one-file run needs no other."""
    _early.append((start_pool(workers, limits, warm=1), workers, limits))


def pool_for(workers: int, limits: ReadLimits) -> ProcessPoolExecutor:
    """The pool started early when it fits (as many workers or more, the same limits), else a new
    one; a pool that does not fit is shut down."""
    while _early:
        pool, size, early_limits = _early.pop()
        if size >= workers and early_limits == limits:
            return pool
        pool.shutdown(wait=False, cancel_futures=True)
    return start_pool(workers, limits)


def shut_down_early() -> None:
    """A pool started early that no run took (nothing to parse, or the run failed first): its
    worker is only importing, so it is ended, not waited for (the exit would wait a second)."""
    while _early:
        pool = _early.pop()[0]
        for worker in list((getattr(pool, "_processes", None) or {}).values()):  # the executor's own record
            worker.terminate()
        pool.shutdown(wait=True, cancel_futures=True)  # quick once its workers are gone


def parsed_batches(
    batches: list[list[RawFile]],
    workers: int,
    limits: ReadLimits,
    started: ProcessPoolExecutor | None = None,
    parse: Callable[..., ParsedFrames] = parse_files,
) -> Iterator[tuple[int, ParsedFrames]]:
    """(files accounted for, their frames), batch by batch in order; quarantine rows for files
    that ended a worker come as batches of their own. ``started``: a pool from :func:`start_pool`;
    ``parse``: what a worker does with a batch, :func:`parse_files` or a function that calls it."""
    if not batches:
        if started is not None:
            started.shutdown()
        return
    with run_temporary_folder("parsing") as journal_dir:
        journal = Path(journal_dir)
        waiting = collections.deque(batches)
        breaks_without_suspect = 0
        while waiting:
            pool, started = started or _pool(min(workers, len(waiting)), limits), None
            in_flight: collections.deque = collections.deque()
            try:
                with pool:
                    while waiting or in_flight:
                        while waiting and len(in_flight) < 2 * workers:
                            future = pool.submit(parse, waiting[0], limits, journal)  # raises if broken
                            in_flight.append((waiting.popleft(), future))
                        batch, future = in_flight[0]
                        frames = future.result()
                        in_flight.popleft()
                        yield len(batch), frames
            except BrokenProcessPool:
                lost = [batch for batch, _ in in_flight]
                suspects = _suspects(journal, lost)
                if not suspects:
                    breaks_without_suspect += 1
                    if breaks_without_suspect > 2:
                        raise
                culprits: list[dict] = []
                for file in suspects:
                    row = _parse_alone(file, limits)
                    if row is not None:
                        culprits.append(row)
                if culprits:
                    yield len(culprits), to_frames([], culprits)
                gone = {row["source_file"] for row in culprits}
                again = [[file for file in batch if file.name not in gone] for batch in lost]
                waiting.extendleft(reversed([batch for batch in again if batch]))


def run_temporary_folder(purpose: str) -> tempfile.TemporaryDirectory:
    """A temporary folder named by its process (``xxgk-<purpose>-<pid>-…``): removed when the run
    ends, and by a later run (:func:`reclaim_temporary_folders`) when the run was killed."""
    return tempfile.TemporaryDirectory(prefix=f"xxgk-{purpose}-{os.getpid()}-")


_RUN_FOLDER = re.compile(r"xxgk-[a-z]+-(\d+)-")


def reclaim_temporary_folders() -> list[str]:
    """Remove the temporary folders of runs that no longer run (killed: nothing removed them)."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob("xxgk-*-*-*"):
        match = _RUN_FOLDER.match(folder.name)
        if match is None or not folder.is_dir() or Path(f"/proc/{match[1]}").exists():
            continue  # not a run's, or its process (or one with its number) is alive
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(str(folder))
    return removed


def _pool(workers: int, limits: ReadLimits) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=_SPAWN,
        initializer=start_worker,
        initargs=(os.getpid(), limits),
        max_tasks_per_child=WORKER_BATCHES,
    )


def _suspects(journal: Path, lost: list[list[RawFile]]) -> list[RawFile]:
    """The files of the lost batches that a worker was reading when the pool broke."""
    names: set[str] = set()
    for entry in journal.iterdir():
        try:
            name = read_journal_entry(entry).get("file")
        except (OSError, ValueError):
            name = None
        entry.unlink(missing_ok=True)
        if name is not None:
            names.add(name)
    return [file for batch in lost for file in batch if file.name in names]


def _parse_alone(file: RawFile, limits: ReadLimits) -> dict | None:
    """Parse one file in a process of its own: None if it parses (it was lost with another
    file's worker), else its quarantine row saying how it ended the process."""
    with run_temporary_folder("alone") as journal_dir:
        receiver, sender = _SPAWN.Pipe(duplex=False)
        process = _SPAWN.Process(target=_parse_and_send, args=(os.getpid(), file, limits, Path(journal_dir), sender))
        process.start()
        sender.close()
        deadline = _STARTUP_SECONDS + hard_time_limit(limits)
        finished = receiver.poll(deadline)
        try:
            if finished:
                receiver.recv()
                process.join()
                return None
        except EOFError:  # the process ended without sending
            pass
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            receiver.close()
    code = process.exitcode
    if not finished or code == TIMED_OUT_EXIT:
        return unread_quarantine_row(file, "limit", time_limit_reason(limits) + "; the parser was stopped")
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    reason = f"the parser process died reading this file ({how}): a crash or out of memory (please report)"
    return unread_quarantine_row(file, "error", reason)


def _parse_and_send(parent: int, file: RawFile, limits: ReadLimits, journal: Path, sender) -> None:
    start_worker(parent, limits)
    sender.send(parse_files([file], limits, journal))
    sender.close()
