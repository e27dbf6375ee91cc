"""Parse one batch of report files into DataFrames; run in worker processes, so no Prefect here.

Reading files is I/O, so this lives in ``flows``; the parsing itself is ``transforms``.

Each file is bounded (:class:`~transforms.limits.ReadLimits`): its size is checked before it is
read, the readers check the rest, and its wall time is enforced here. An alarm interrupts Python
code that runs past ``max_seconds_per_file``; code that cannot be interrupted (a hang inside a C
library) is ended by a watchdog thread, which ends the whole worker. The worker notes the file
it is reading in a journal first, so the run can tell which file that was
(:mod:`flows.parsing.pool`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import stat
import threading
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from expectations.arithmetic import evaluate_rules
from expectations.narrative_rules import evaluate_narrative_rules
from flows import faults
from flows.parsing.memory import exclude_from_collection, release_unused_memory
from flows.parsing.process_guard import die_with_parent
from flows.parsing.raw_files import RawFile, file_sha256
from transforms.assemble import ParsedFrames, to_frames
from transforms.crawled_pages import CrawledPage, PageHints, UnreadableCrawlError, split_crawl
from transforms.limits import DEFAULT_LIMITS, FileTimeLimitError, OverLimitError, ReadLimits, check_limit
from transforms.parse_report import NarrativePage, ParsedReport, QuarantineError, parse_report
from transforms.rows import QuarantineRow, quarantine_row
from transforms.split_reports import Narrative, join_split_reports
from transforms.vocabulary import JOINED, NOT_A_FILE

TIMED_OUT_EXIT = 124  # the worker's exit code when the watchdog ended it (as timeout(1) exits)


def unread_quarantine_row(file: RawFile, stage: str, reason: str) -> QuarantineRow:
    """A file quarantined without being read into memory (too large, or it ended a worker)."""
    try:
        sha256 = file_sha256(file.path)
    except OSError:
        sha256 = hashlib.sha256(b"").hexdigest()
    return quarantine_row(file.name, stage, reason, sha256=sha256, size=file.size)


def time_limit_reason(limits: ReadLimits) -> str:
    seconds = limits.max_seconds_per_file
    return f"reading took longer than {seconds:g} s (max_seconds_per_file, setting XXGK_MAX_SECONDS_PER_FILE)"


class _Journal:
    """This worker's entry in the run's crash journal (``<journal>/<pid>``): one slot at the start
    of the file, overwritten in place with ``pwrite`` (no truncate, no rename, no reopen), so a note
    costs a system call, not a file's creation. The entry is a line of JSON padded to
    :data:`SLOT` bytes; a reader takes the first line (:func:`read_journal_entry`)."""

    SLOT = 4096

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.fd: int | None = None

    def write(self, folder: Path | None, entry: dict) -> None:
        if folder is None:  # small and unsynced: it must survive the process, not the machine
            return
        if self.fd is None or self.folder != folder:
            if self.fd is not None:
                os.close(self.fd)
            self.fd = os.open(folder / str(os.getpid()), os.O_WRONLY | os.O_CREAT, 0o600)
            self.folder = folder
        line = (json.dumps(entry) + "\n").encode()
        os.pwrite(self.fd, line.ljust(self.SLOT) if len(line) < self.SLOT else line, 0)


def read_journal_entry(path: Path) -> dict:
    """A worker's journal entry: the first line of its slot (``{}`` between files)."""
    return json.loads(path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0] or "{}")


class _Reading:
    """The file this worker is reading, since when; what the watchdog and the journal see."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.started = 0.0
        self.journal: Path | None = None
        self._slot = _Journal()

    def begin(self, name: str, journal: Path | None) -> None:
        self.name, self.started, self.journal = name, time.monotonic(), journal
        self._slot.write(journal, {"file": name, "started": time.time()})

    def end(self) -> None:
        self.name = None
        self._slot.write(self.journal, {})

    def timed_out(self, name: str) -> None:
        self._slot.write(self.journal, {"file": name, "timed_out": True})


_reading = _Reading()


def hard_time_limit(limits: ReadLimits) -> float:
    """When the watchdog ends a worker whose file the alarm could not stop: half as long again."""
    return 1.5 * limits.max_seconds_per_file + 1


def _watchdog(limits: ReadLimits) -> None:
    while True:
        time.sleep(0.5)
        name, started = _reading.name, _reading.started
        if name is not None and time.monotonic() - started > hard_time_limit(limits):
            _reading.timed_out(name)
            os._exit(TIMED_OUT_EXIT)


def start_watchdog(limits: ReadLimits) -> None:
    """A thread that ends this process when a file hangs past its time; it reads
    ``limits.max_seconds_per_file`` on every tick."""
    threading.Thread(target=_watchdog, args=(limits,), daemon=True, name="xxgk-watchdog").start()


def start_worker(parent: int, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """A parse worker's set-up: it ends when the run does (even killed); what the imports made is
    left out of garbage collection; a watchdog ends it when a file hangs past its time."""
    die_with_parent(parent)
    exclude_from_collection()
    start_watchdog(limits)


def _on_alarm(signum, frame) -> None:
    raise FileTimeLimitError


@contextlib.contextmanager
def _alarm(seconds: float):
    """Interrupt the Python code in this block after ``seconds`` (main thread of a process only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_files(files: list[RawFile], limits: ReadLimits = DEFAULT_LIMITS, journal: Path | None = None) -> ParsedFrames:
    """Every file either parsed or quarantined with its reason; a crawl container (an export, a web
    archive) page by page; rules evaluated per report."""
    release_unused_memory()  # what the batch before left: a worker parses batch after batch
    parsed, quarantined, pages = [], [], []
    for file in files:
        name = file.name
        if file.not_a_file is not None:  # never opened: a FIFO would block the read
            quarantined.append(quarantine_row(name, NOT_A_FILE, file.not_a_file, b""))
            continue
        try:
            data = read_regular_file(file.path, limits)
        except NotAFileError as exc:  # became a FIFO or a device since the scan
            quarantined.append(quarantine_row(name, NOT_A_FILE, str(exc), b""))
            continue
        except OSError as exc:
            quarantined.append(quarantine_row(name, "read", f"cannot read file: {exc.strerror or exc}", b""))
            continue
        except ValueError as exc:  # over the size limit: not read at all
            quarantined.append(unread_quarantine_row(file, "limit", str(exc)))
            continue
        try:
            crawled = _split(data, name, limits)
        except QuarantineError as exc:
            quarantined.append(quarantine_row(name, exc.stage, str(exc), data))
            continue
        if crawled is None:
            outcome = _parse_one(data, name, name, limits, journal, None)
            (parsed if isinstance(outcome, ParsedReport) else quarantined).append(outcome)
            continue
        pages.append(page_row(name, "", data))
        if not crawled:
            quarantined.append(quarantine_row(name, "decode", "crawl container with no page in it", data))
            continue
        wanted = None if file.pages is None else set(file.pages)
        reports, narratives = [], []
        for page in crawled:
            if wanted is not None and page.locator not in wanted:
                continue
            pages.append(page_row(page.locator, name, page.content))
            outcome = _parse_one(page.content, page.locator, name, limits, journal, page.hints)
            if isinstance(outcome, ParsedReport):
                reports.append(outcome)
            elif isinstance(outcome, tuple):  # a report's page without tables: its narrative, maybe
                narratives.append((outcome[0], Narrative(page.locator, outcome[1])))
            else:
                quarantined.append(outcome)
        joined = join_split_reports(reports, [n for _, n in narratives])
        for row, narrative in narratives:
            report_id = joined.get(narrative.locator)
            if report_id is not None:
                reason = f"narrative page of the report whose tables are in {_table_page(reports, report_id)}"
                row.update(stage=JOINED, duplicate_of=report_id, reason=reason)
            quarantined.append(row)
        parsed += reports
    frames = to_frames(parsed, quarantined, pages)
    rules = pd.concat(
        [evaluate_rules(frames.indicators), evaluate_narrative_rules(frames.indicators, frames.narrative_facts)],
        ignore_index=True,
    )
    return replace(frames, rule_results=rules)


class NotAFileError(OSError):
    """What was a regular file when the folder was scanned is not one now."""


def read_regular_file(path, limits: ReadLimits) -> bytes:
    """The bytes of a regular file within the size limit (ValueError over it). Opened without
    blocking and checked before reading, so a FIFO or a device put in a file's place is refused,
    not waited on. Objects in a bucket are read as they are."""
    if getattr(path, "is_remote", False):
        check_limit("file too large", path.stat().st_size, limits, "max_file_bytes", "bytes")
        return path.read_bytes()
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode):
            raise NotAFileError(f"no regular file any more (mode {stat.filemode(found.st_mode)}): not read")
        check_limit("file too large", found.st_size, limits, "max_file_bytes", "bytes")
        return handle.read()


def _table_page(reports: list[ParsedReport], report_id: str) -> str:
    return next(r.report.source_file for r in reports if r.report.report_id == report_id)


def _split(data: bytes, name: str, limits: ReadLimits) -> list[CrawledPage] | None:
    """The pages of a crawl container, or None for a document of its own."""
    try:
        with _alarm(limits.max_seconds_per_file):
            return split_crawl(data, name, limits)
    except FileTimeLimitError:
        raise QuarantineError(time_limit_reason(limits), "limit") from None
    except UnreadableCrawlError as exc:
        raise QuarantineError(str(exc), "decode") from exc
    except OverLimitError as exc:
        raise QuarantineError(str(exc), "limit") from exc


def page_row(locator: str, container: str, data: bytes) -> dict:  # a row of ParsedFrames.pages
    """What the inputs manifest keeps of a crawl container (``container`` empty) or of one page."""
    return {
        "source_file": locator,
        "container": container,
        "size_bytes": len(data),
        "source_sha256": hashlib.sha256(data).hexdigest(),
    }


def _parse_one(
    data: bytes, locator: str, file: str, limits: ReadLimits, journal: Path | None, hints: PageHints | None
) -> ParsedReport | QuarantineRow | tuple[QuarantineRow, NarrativePage]:
    """The report in ``data``, or its quarantine row (with the narrative page, for a crawled
    report's page without tables). The journal names the file, the page's container for a page."""
    _reading.begin(file, journal)
    try:
        with _alarm(limits.max_seconds_per_file):
            faults.file_point(file)
            return parse_report(data, locator, limits, hints)
    except FileTimeLimitError:
        return quarantine_row(locator, "limit", time_limit_reason(limits), data)
    except QuarantineError as exc:
        row = quarantine_row(locator, exc.stage, str(exc), data)
        return (row, exc.narrative) if exc.narrative is not None and hints is not None else row
    except Exception as exc:  # a parser bug must cost one file, not the run; it is reported
        reason = f"parser error (please report): {type(exc).__name__}: {exc}"
        return quarantine_row(locator, "error", reason[:500], data)
    finally:
        _reading.end()
