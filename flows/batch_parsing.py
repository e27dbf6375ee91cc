"""Parse one batch of report files into DataFrames; run in worker processes, so no Prefect here.

Reading files is I/O, so this lives in ``flows``; the parsing itself is ``transforms``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from expectations.arithmetic import evaluate_rules
from expectations.narrative_rules import evaluate_narrative_rules
from flows.memory import exclude_from_collection, release_unused_memory
from flows.process_guard import die_with_parent
from transforms.assemble import ParsedFrames, to_frames
from transforms.parse_report import QuarantineError, parse_report


def quarantine_row(source_file: str, stage: str, reason: str, data: bytes) -> dict:
    return {
        "source_file": source_file,
        "stage": stage,
        "reason": reason,
        "duplicate_of": None,
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
    }


def start_worker(parent: int) -> None:
    """A parse worker's set-up: it ends when the run does (even killed); what the imports made is
    left out of garbage collection."""
    die_with_parent(parent)
    exclude_from_collection()


def parse_files(raw_dir: Path, files: list[Path]) -> ParsedFrames:
    """Every file either parsed or quarantined with its reason; rules evaluated per report."""
    release_unused_memory()  # what the batch before left: a worker parses batch after batch
    parsed, quarantined = [], []
    for path in files:
        relative = path.relative_to(raw_dir).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            quarantined.append(quarantine_row(relative, "read", f"cannot read file: {exc.strerror or exc}", b""))
            continue
        try:
            parsed.append(parse_report(data, relative))
        except QuarantineError as exc:
            quarantined.append(quarantine_row(relative, exc.stage, str(exc), data))
        except Exception as exc:  # a parser bug must cost one file, not the run; it is reported
            reason = f"parser error (please report): {type(exc).__name__}: {exc}"
            quarantined.append(quarantine_row(relative, "error", reason[:500], data))
    frames = to_frames(parsed, quarantined)
    rules = pd.concat(
        [evaluate_rules(frames.indicators), evaluate_narrative_rules(frames.indicators, frames.narrative_facts)],
        ignore_index=True,
    )
    return ParsedFrames(frames.reports, frames.indicators, frames.quarantine, rules, frames.narrative_facts)
