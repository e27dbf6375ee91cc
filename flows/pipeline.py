"""The xxgk Prefect flow: raw report files → validated Parquet + DuckDB views, with a run summary.

Tasks are thin wrappers: the work happens in ``transforms`` and ``expectations``.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import repeat
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from expectations.arithmetic import FAIL
from expectations.gx_validation import SuiteOutcome, validate_tables
from expectations.suites import indicators_expectations, reports_expectations
from flows import progress
from flows.batch_parsing import parse_files
from flows.dataset_lock import dataset_lock
from flows.duckdb_views import build_duckdb
from flows.process_guard import die_with_parent
from flows.settings import Settings
from flows.store import DatasetVersion, Store
from flows.volume_gate import DatasetCounts, published_counts, volume_gate
from transforms.assemble import ParsedFrames, assemble_tables
from transforms.catalog import load_catalog


class PublishBlockedError(RuntimeError):
    """Validation or the volume gate held the run back: nothing was published and the previous
    dataset is unchanged."""

    def __init__(self, summary: RunSummary) -> None:
        why = summary.validation_failures or summary.notices
        super().__init__(f"nothing published: {'; '.join(why)[:2000]}")
        self.summary = summary


@dataclass
class RunSummary:
    files_seen: int
    reports_published: int
    cells_written: int
    files_quarantined: int
    rules_failed: int
    reports_with_failed_rules: int
    published: bool
    validation_failures: list[str]
    curated_dir: str
    notices: list[str] = field(default_factory=list)  # what the volume gate says
    failed: bool = False  # the run failed (exit 1) even where it published something
    quarantine_examples: list[str] = field(default_factory=list)  # "file: reason", the first few
    version: int | None = None  # the dataset version the run committed

    def counts(self) -> dict:
        """What a version's record keeps of the run that made it."""
        keys = ("files_seen", "reports_published", "cells_written", "files_quarantined", "rules_failed")
        return {key: getattr(self, key) for key in (*keys, "reports_with_failed_rules")}

    def as_markdown(self) -> str:
        lists = ("validation_failures", "notices", "quarantine_examples")
        rows = "\n".join(f"| {k.replace('_', ' ')} | {v} |" for k, v in asdict(self).items() if k not in lists)
        sections = "".join(
            f"\n## {name.replace('_', ' ').capitalize()}\n" + "".join(f"\n- {item}" for item in items) + "\n"
            for name, items in ((name, getattr(self, name)) for name in lists)
            if items
        )
        return f"# xxgk run\n\n| measure | value |\n|---|---|\n{rows}\n{sections}"


def list_report_files(raw_dir: Path) -> list[Path]:
    """Every regular file under ``raw_dir`` except hidden ones (dot-files, dot-folders), sorted."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts)
    )


@task(cache_policy=NO_CACHE)
def discover_reports(raw_dir: Path) -> list[Path]:
    files = list_report_files(raw_dir)
    progress.emit("total", len(files))
    return files


@task(cache_policy=NO_CACHE)
def parse_reports(raw_dir: Path, batches: list[list[Path]], workers: int) -> list[ParsedFrames]:
    """Parse batch by batch; parsing is CPU-bound Python, so batches go to worker processes.

    Workers are plain processes (spawned, importing only the parsing code): a Prefect task
    runner's workers would each start their own temporary API server. A single batch is
    parsed here, since starting workers costs about a second.
    """
    results = []
    if len(batches) <= 1 or workers <= 1:
        for batch in batches:
            results.append(parse_files(raw_dir, batch))
            progress.emit("advance", len(batch))
        return results
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(batches)),
        mp_context=context,
        initializer=die_with_parent,  # a killed run leaves no worker behind
        initargs=(os.getpid(),),
    )
    with pool:
        for batch, frames in zip(batches, pool.map(parse_files, repeat(raw_dir), batches), strict=True):
            results.append(frames)
            progress.emit("advance", len(batch))
    return results


@task(cache_policy=NO_CACHE)
def assemble(batches: list[ParsedFrames]) -> dict[str, pd.DataFrame]:
    return assemble_tables(batches)


@task(cache_policy=NO_CACHE)
def validate(tables: dict[str, pd.DataFrame], docs_dir: Path) -> list[SuiteOutcome]:
    last_year = dt.date.today().year
    codes = load_catalog()["code"].tolist()
    return validate_tables(
        {
            "indicators": (tables["indicators"], indicators_expectations(codes, last_year)),
            "reports": (tables["reports"], reports_expectations(last_year)),
        },
        docs_dir,
    )


@task(cache_policy=NO_CACHE)
def write_tables(tables: dict[str, pd.DataFrame], curated_dir: Path) -> dict[str, int]:
    """Write the new Delta versions of every table (runs while GX validates); readers see nothing
    of them until the version is committed."""
    return Store(curated_dir).write(tables)


@task(cache_policy=NO_CACHE)
def commit(written: dict[str, int], rows: dict[str, int], summary: dict, settings: Settings) -> DatasetVersion:
    """Build the DuckDB file over the new version (a view that cannot bind stops here), record the
    version, then move the file into place; forget versions past the retention."""
    store = Store(settings.curated_dir)
    version = store.pending(written, rows, summary)
    database = build_duckdb(store, version, settings.duckdb_path)
    store.record(version)
    database.replace(settings.duckdb_path)
    store.vacuum(dt.timedelta(days=settings.retention_days))
    return version


def _batches(files: list[Path], size: int) -> list[list[Path]]:
    return [files[i : i + size] for i in range(0, len(files), size)]


QUARANTINE_EXAMPLES = 10


def _quarantine_examples(quarantine: pd.DataFrame) -> list[str]:
    shown = quarantine.head(QUARANTINE_EXAMPLES)
    return [f"{file}: {reason}" for file, reason in zip(shown["source_file"], shown["reason"], strict=True)]


@flow(name="xxgk-pipeline")
def xxgk_pipeline(
    raw_dir: Path | None = None,
    curated_dir: Path | None = None,
    batch_size: int | None = None,
    accept_quarantine: bool = False,
) -> RunSummary:
    """Parse every report under ``raw_dir``, validate, check arithmetic, publish to ``curated_dir``."""
    overrides = {
        k: v
        for k, v in {"raw_dir": raw_dir, "curated_dir": curated_dir, "batch_size": batch_size}.items()
        if v is not None
    }
    settings = Settings(**overrides)
    with dataset_lock(settings.curated_dir):  # the CLI holds it already; a scheduled run takes it here
        return _pipeline(settings, accept_quarantine)


def _pipeline(settings: Settings, accept_quarantine: bool) -> RunSummary:
    logger = get_run_logger()
    store = Store(settings.curated_dir)
    restored = store.prepare()
    if restored:
        logger.warning("tables a run left uncommitted were restored to the current version: %s", restored)
    files = discover_reports(settings.raw_dir)
    batches = parse_reports(settings.raw_dir, _batches(files, settings.batch_size), settings.parse_workers)
    tables = assemble(batches)
    run_counts = DatasetCounts(len(tables["reports"]), len(tables["quarantine"]))
    gate = volume_gate(
        settings.raw_dir,
        len(files),
        run_counts,
        published_counts(store),
        settings.max_quarantine_rise,
        accept_quarantine,
    )
    if not gate.publish:
        summary = RunSummary(
            files_seen=len(files),
            reports_published=0,
            cells_written=0,
            files_quarantined=run_counts.quarantined,
            rules_failed=0,
            reports_with_failed_rules=0,
            published=False,
            validation_failures=[],
            curated_dir=str(settings.curated_dir),
            notices=gate.reasons,
            failed=True,
            quarantine_examples=_quarantine_examples(tables["quarantine"]),
        )
        # Held back by design, not broken: the run completes and says why (no traceback).
        logger.warning("not published: %s", "; ".join(gate.reasons))
        create_markdown_artifact(key="xxgk-run-summary", markdown=summary.as_markdown(), description="xxgk run summary")
        return summary
    # Writing the Delta tables (Rust, outside the GIL) overlaps with GX; only a valid run is committed.
    written = write_tables.submit(tables, settings.curated_dir)
    outcomes = validate(tables, settings.data_docs_dir)
    failures = [f"{o.table}: {f}" for o in outcomes for f in o.failures]
    failed = tables["rule_results"][tables["rule_results"]["outcome"] == FAIL]
    summary = RunSummary(
        files_seen=len(files),
        reports_published=len(tables["reports"]) if not failures else 0,
        cells_written=len(tables["indicators"]) if not failures else 0,
        files_quarantined=len(tables["quarantine"]),
        rules_failed=len(failed),
        reports_with_failed_rules=failed["report_id"].nunique(),
        published=not failures,
        validation_failures=failures,
        curated_dir=str(settings.curated_dir),
        notices=gate.reasons,
        failed=gate.failed,
        quarantine_examples=_quarantine_examples(tables["quarantine"]) if gate.failed else [],
    )
    written.wait()
    if failures:
        Store(settings.curated_dir).prepare()  # drop what was written: the current version stays
    else:
        rows = {name: len(frame) for name, frame in tables.items()}
        summary.version = commit(written.result(), rows, summary.counts(), settings).version
    create_markdown_artifact(key="xxgk-run-summary", markdown=summary.as_markdown(), description="xxgk run summary")
    logger.info(
        "files seen %d, reports published %d, cells written %d, files quarantined %d, rules failed %d",
        summary.files_seen,
        summary.reports_published,
        summary.cells_written,
        summary.files_quarantined,
        summary.rules_failed,
    )
    if failures:
        for failure in failures:
            logger.error("validation failure: %s", failure)
        raise PublishBlockedError(summary)
    return summary
