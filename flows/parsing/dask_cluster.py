"""Batches of files parsed on a Dask cluster, in order: :func:`flows.parsing.pool.parsed_batches`'s
contract, for ``xxgk run --dask ADDRESS`` (setting ``XXGK_DASK_ADDRESS``).

A worker parses its batch and writes the frames itself, as Parquet files under the dataset's own
storage (``<dataset>/_staging/<run>/<batch>/<frame>.parquet``, through pyarrow's file systems so
that the same code writes to a local folder or an ``s3://`` prefix); only the files' URIs come back
through the scheduler. The flow's process reads them back and validates and writes as with the
local pool, then deletes the batch's folder. At most two batches per worker are in flight: a
parsed batch waits until it is stored, as in the local pool.

Every worker must run the same xxgk (a task returns its parser version, and a run whose workers
parse with another version fails) and reach the raw files and the dataset location by the same
paths as the flow.

A file that hangs or kills its worker: the local pool's per-file alarm works only in a process's
main thread, and Dask runs tasks in threads, so on Dask the per-file time limit is the watchdog
thread's (:func:`flows.parsing.batch.hard_time_limit`, 1.5 × ``max_seconds_per_file`` + 1 s),
which ends the worker process; its nanny starts a new one and the scheduler gives the batch to
another worker, until the batch has killed ``distributed.scheduler.allowed-failures`` workers
(``KilledWorker``). The watchdog watches one file per process, so run workers with one thread
each (``dask worker --nthreads 1``): parsing is CPU-bound Python and gains nothing from threads.
A batch whose task failed is parsed again one file per task; a file that fails alone is
quarantined (stage ``error``) with a reason naming what happened, unless no task of the run has
worked at all (then the cluster, not the file, is the problem and the run fails).
"""

from __future__ import annotations

import collections
import functools
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, fields

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs

from flows.parsing.batch import hard_time_limit, parse_files, start_watchdog, unread_quarantine_row
from flows.parsing.memory import exclude_from_collection
from flows.parsing.raw_files import RawFile, parser_version
from transforms.assemble import ParsedFrames, to_frames
from transforms.limits import ReadLimits
from transforms.rows import QuarantineRow

STAGING_DIR = "_staging"
BATCHES_PER_WORKER = 2  # in flight: one parsing, one queued, as in the local pool
TASK_RETRIES = 2  # an exception in a task (a staging write that failed); a dead worker is the scheduler's
_WORKERS_TIMEOUT = 60.0  # seconds to wait for a first worker to join the scheduler


class ParserVersionMismatchError(RuntimeError):
    """A Dask worker parses with other code than the flow: its rows would not be this version's."""


@dataclass(frozen=True)
class StagedBatch:
    """What a worker's task returns: small, whatever the batch's size."""

    folder: str  # the batch's staging folder
    uris: list[str]  # one Parquet file per frame in it
    parser_version: str
    worker: str


# ---- staging ---------------------------------------------------------------------------------


def _join(uri: str, *parts: str) -> str:
    return "/".join([uri.rstrip("/"), *parts])


def remove_staging(dataset_uri: str) -> None:
    """Delete ``<dataset>/_staging``: what this run staged, or what a killed run left (a run holds
    the dataset's lock, so no other run is staging there)."""
    filesystem, path = fs.FileSystem.from_uri(_join(dataset_uri, STAGING_DIR))
    if filesystem.get_file_info(path).type != fs.FileType.NotFound:
        filesystem.delete_dir(path)


def stage_frames(frames: ParsedFrames, folder_uri: str) -> list[str]:
    """Each frame of ``frames`` as ``<folder>/<name>.parquet`` (empty frames too: their columns
    are part of the batch); a frame that is None has no file."""
    filesystem, folder = fs.FileSystem.from_uri(folder_uri)
    filesystem.create_dir(folder)
    uris = []
    for field in fields(ParsedFrames):
        frame = getattr(frames, field.name)
        if frame is None:
            continue
        with filesystem.open_output_stream(f"{folder}/{field.name}.parquet") as stream:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), stream)
        uris.append(_join(folder_uri, f"{field.name}.parquet"))
    return uris


def read_staged(uris: list[str]) -> ParsedFrames:
    """The frames :func:`stage_frames` wrote, as they were (dtypes kept by pandas' metadata)."""
    frames: dict[str, pd.DataFrame] = {}
    for uri in uris:
        filesystem, path = fs.FileSystem.from_uri(uri)
        with filesystem.open_input_file(path) as handle:
            frames[path.rsplit("/", 1)[1].removesuffix(".parquet")] = pq.read_table(handle).to_pandas()
    return ParsedFrames(**frames)


def _delete_folder(folder_uri: str) -> None:
    filesystem, folder = fs.FileSystem.from_uri(folder_uri)
    filesystem.delete_dir(folder)


# ---- on the worker ---------------------------------------------------------------------------


class _WatchedLimit:
    """The limit the worker's one watchdog thread reads on every tick: a run can change it."""

    max_seconds_per_file = ReadLimits().max_seconds_per_file


_watched = _WatchedLimit()
_watchdog_lock = threading.Lock()
_watchdog_started = False


def _watch_files(limits: ReadLimits) -> None:
    """Start this worker process's watchdog once (it ends the process when a file hangs)."""
    global _watchdog_started
    _watched.max_seconds_per_file = limits.max_seconds_per_file
    with _watchdog_lock:
        if not _watchdog_started:
            exclude_from_collection()  # the imports stay for the worker's life: the collection skips them
            start_watchdog(_watched)  # type: ignore[arg-type]  # reads only max_seconds_per_file
            _watchdog_started = True


@functools.cache
def _worker_parser_version() -> str:
    return parser_version()


def parse_and_stage(files: list[RawFile], limits: ReadLimits, folder_uri: str) -> StagedBatch:
    """A Dask task: parse ``files`` and stage their frames under ``folder_uri``."""
    from distributed import get_worker

    _watch_files(limits)
    uris = stage_frames(parse_files(files, limits), folder_uri)
    return StagedBatch(folder_uri, uris, _worker_parser_version(), get_worker().address)


# ---- in the flow's process -------------------------------------------------------------------


def dask_parsed_batches(
    batches: list[list[RawFile]], address: str, limits: ReadLimits, dataset_uri: str
) -> Iterator[tuple[int, ParsedFrames]]:
    """(files accounted for, their frames), batch by batch in order, parsed on the Dask cluster at
    ``address``; quarantine rows for files that failed alone come as batches of their own."""
    if not batches:
        return
    from distributed import Client

    run_uri = _join(dataset_uri, STAGING_DIR, uuid.uuid4().hex)
    client = Client(address, set_as_default=False)
    try:
        client.wait_for_workers(1, timeout=_WORKERS_TIMEOUT)
        workers = len(client.scheduler_info()["workers"])
        parsing = _ClusterParsing(client, limits, run_uri, parser_version())
        waiting = collections.deque(enumerate(batches))
        in_flight: collections.deque = collections.deque()
        while waiting or in_flight:
            while waiting and len(in_flight) < BATCHES_PER_WORKER * workers:
                number, batch = waiting.popleft()
                in_flight.append((batch, str(number), parsing.submit(batch, str(number))))
            batch, name, future = in_flight.popleft()
            yield from parsing.outcome(batch, name, future)
    finally:
        client.close()
        remove_staging(dataset_uri)


class _ClusterParsing:
    """One run's tasks on the cluster: submitted, checked, read back, and parsed again alone."""

    def __init__(self, client, limits: ReadLimits, run_uri: str, flow_parser_version: str) -> None:
        self.client, self.limits, self.run_uri = client, limits, run_uri
        self.parser_version = flow_parser_version
        self.any_worked = False  # a task of this run returned: the cluster can parse

    def submit(self, files: list[RawFile], name: str):
        folder = _join(self.run_uri, name)
        key = f"xxgk-parse-{self.run_uri.rsplit('/', 1)[1]}-{name}"
        return self.client.submit(parse_and_stage, files, self.limits, folder, key=key, retries=TASK_RETRIES)

    def _frames(self, staged: StagedBatch) -> ParsedFrames:
        if staged.parser_version != self.parser_version:
            raise ParserVersionMismatchError(
                f"Dask worker {staged.worker} parses with parser version {staged.parser_version}, this run with "
                f"{self.parser_version}: install the same xxgk on every worker as where the flow runs"
            )
        self.any_worked = True
        frames = read_staged(staged.uris)
        _delete_folder(staged.folder)  # read: the batch's staging is done with
        return frames

    def outcome(self, files: list[RawFile], name: str, future) -> Iterator[tuple[int, ParsedFrames]]:
        try:
            staged = future.result()
        except Exception as exc:
            if len(files) == 1:
                yield 1, to_frames([], [self._quarantine_row(files[0], exc)])
            else:
                yield from self._each_alone(files, name)
            return
        yield len(files), self._frames(staged)

    def _each_alone(self, files: list[RawFile], batch_name: str) -> Iterator[tuple[int, ParsedFrames]]:
        """A failed batch again, one task per file: the file that failed it fails alone."""
        futures = [self.submit([file], f"{batch_name}.{index}") for index, file in enumerate(files)]
        failed: list[tuple[RawFile, Exception]] = []
        for file, future in zip(files, futures, strict=True):
            try:
                staged = future.result()
            except Exception as exc:
                failed.append((file, exc))
                continue
            yield 1, self._frames(staged)
        if failed:  # after the others: a file that parsed shows the cluster works
            yield len(failed), to_frames([], [self._quarantine_row(file, exc) for file, exc in failed])

    def _quarantine_row(self, file: RawFile, error: Exception) -> QuarantineRow:
        if not self.any_worked:
            raise RuntimeError(
                f"no batch of this run could be parsed on the Dask cluster ({type(error).__name__}: {error}); "
                "do the workers have xxgk installed, and can they reach the raw files and the dataset location?"
            ) from error
        if type(error).__name__ == "KilledWorker":  # the exception says only which task and worker
            seconds = hard_time_limit(self.limits)
            reason = (
                f"{file.name}: each Dask worker that parsed this file died: its watchdog ended it past "
                f"{seconds:g} s (max_seconds_per_file), the parser crashed or it ran out of memory (please report)"
            )
        else:
            reason = f"{file.name}: parsing failed on the Dask cluster (please report): {type(error).__name__}: {error}"
        return unread_quarantine_row(file, "error", reason[:500])
