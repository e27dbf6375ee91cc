"""The xxgk Prefect flow: raw report files → validated, versioned Delta tables + DuckDB views, with a
run summary.

A run reads only what changed since the version it builds on (new and changed files; every file
when the parser changed, or with ``full``), writes each batch as it is parsed and validated, and
commits one new version only when every batch passed and the volume gate agrees. Tasks are thin
wrappers: the work happens in ``transforms``, ``expectations`` and the modules beside this one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from expectations.batch_checks import failed_expectations
from expectations.invariants import unknown_codes
from expectations.suites import indicators_expectations, reports_expectations
from flows import faults
from flows.dataset.lock import dataset_lock
from flows.dataset.publish import publish
from flows.dataset.storage import mirror_folder
from flows.dataset.store import DatasetVersion, Store
from flows.dataset.views import open_version, version_counts
from flows.parsing.dask_cluster import dask_parsed_batches, remove_staging
from flows.parsing.memory import exclude_from_collection, limit_malloc_arenas
from flows.parsing.pool import parsed_batches, pool_for, reclaim_temporary_folders
from flows.parsing.raw_files import RawFile, scan_raw_folder
from flows.present.audit_site import clear_staged_pages, site_is_current, write_audit_site
from flows.run import progress, stage_clock
from flows.run.ingest import Ingest
from flows.run.parse_and_stage import parse_and_stage
from flows.run.plan import InputPlan, manifest_rows, page_containers, plan_inputs, read_again
from flows.run.stage_clock import stage
from flows.run.volume_gate import DatasetCounts, published_counts, volume_gate
from flows.settings import AUDIT_DIR, Settings
from transforms.assemble import ParsedFrames, catalog_tables
from transforms.catalog import load_catalog
from transforms.schemas import CURATED_TABLES, INPUTS, NOT_FAILURES, QUARANTINE, REPORTS
from transforms.vocabulary import sql_list


class PublishBlockedError(RuntimeError):
    """Validation held the run back: nothing was published and the previous dataset is unchanged."""

    def __init__(self, summary: RunSummary) -> None:
        why = summary.validation_failures or summary.notices
        super().__init__(f"nothing published: {'; '.join(why)[:2000]}")
        self.summary = summary


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _markdown_text(text: str) -> str:
    """File names and reasons as literal text in the run's markdown artifact: no link, no table
    cell break, no control character."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


@dataclass
class RunSummary:
    """What a run did; when it published, its counts describe the version it committed."""

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
    files_read: int = 0  # new and changed files parsed by this run
    pages_not_reports: int = 0  # crawled pages (or files) that are no disclosure annual report, listed apart
    pages_read: int = 0  # pages of crawl containers this run parsed
    changes: dict = field(default_factory=dict)  # files added / changed / removed / unchanged, full

    def counts(self) -> dict:
        """What a version's record keeps of the run that made it."""
        keys = (
            "files_seen",
            "files_read",
            "reports_published",
            "cells_written",
            "files_quarantined",
            "pages_not_reports",
            "pages_read",
        )
        return {**{key: getattr(self, key) for key in keys}, **self.changes}

    def as_markdown(self) -> str:
        lists = ("validation_failures", "notices", "quarantine_examples")
        rows = "\n".join(
            f"| {k.replace('_', ' ')} | {_markdown_text(str(v))} |" for k, v in asdict(self).items() if k not in lists
        )
        sections = "".join(
            f"\n## {name.replace('_', ' ').capitalize()}\n" + "".join(f"\n- {_markdown_text(i)}" for i in items) + "\n"
            for name, items in ((name, getattr(self, name)) for name in lists)
            if items
        )
        return f"# xxgk run\n\n| measure | value |\n|---|---|\n{rows}\n{sections}"


@dataclass
class IngestOutcome:
    failures: list[str]
    reports: int
    quarantined: int
    examples: list[str]
    read: int  # files parsed: new, changed, and the duplicates of a retired report
    pages_read: int = 0  # pages of crawl containers parsed (a changed container: its new and changed pages)
    seconds: float = 0.0  # the task's own time (what Prefect adds around it is not in it)


@task(cache_policy=NO_CACHE)
def plan_run(settings: Settings, full: bool) -> tuple[list[RawFile], InputPlan, list[str]]:
    """The raw folder against the inputs of the current version; and the folders of output (a
    dataset, an audit site) the raw folder holds, which are not read."""
    store = Store(settings.curated_dir)
    current = store.current()
    skipped: list[str] = []
    outputs = (settings.curated_dir, settings.output_dir)
    files = scan_raw_folder(settings.raw_dir, outputs, skipped, settings.follow_links)
    manifest = store.read(current, INPUTS.name).to_pandas() if current and INPUTS.name in current.tables else None
    return files, plan_inputs(files, manifest, full), skipped


def _suites() -> dict[str, list]:
    return {
        "indicators": indicators_expectations(load_catalog()["code"].tolist()),
        "reports": reports_expectations(),
    }


@task(cache_policy=NO_CACHE)
def ingest(settings: Settings, files: list[RawFile], plan: InputPlan) -> IngestOutcome:
    """Retire what changed, then parse, validate and write batch by batch."""
    started = time.perf_counter()
    with stage("ingest"):  # what the stages inside leave: bookkeeping
        outcome = _ingest(settings, files, plan)
    return replace(outcome, seconds=time.perf_counter() - started)


def _ingest(settings: Settings, files: list[RawFile], plan: InputPlan) -> IngestOutcome:
    limit_malloc_arenas()
    pool = None
    with stage("set up"):
        if settings.dask_address is None:
            workers = min(settings.parse_workers, -(-max(len(plan.read), 1) // settings.batch_size))
            pool = pool_for(workers, settings.read_limits)  # started early, or now: while GX loads
        store = Store(settings.curated_dir)
        suites = _suites()
        from expectations.gx_validation import Validator  # GX loads while the workers start

        validator = Validator(suites, settings.data_docs_dir)
        exclude_from_collection()

    def validate(tables: dict[str, pd.DataFrame], last: bool) -> list[str]:
        """Each batch through the vectorised checks, the last through GX itself, which writes the
        Data Docs: the same suites and verdicts, and GX's half a second a call paid once a run."""
        if last:
            outcomes = validator.validate({name: tables[name] for name in suites}, docs=True)
            failures = [f"{o.table}: {f}" for o in outcomes for f in o.failures]
        else:
            failures = [
                f"{name}: {f}" for name, suite in suites.items() for f in failed_expectations(tables[name], suite)
            ]
        return failures + unknown_codes(tables)

    run = Ingest(store, plan.full, validate, settings.flush_rows)
    with stage("retire"):
        again = set(run.retire(plan.retire))
    to_read = read_again(files, again, plan.read, page_containers(plan.manifest))
    progress.emit("total", len(to_read))
    batches = [to_read[i : i + settings.batch_size] for i in range(0, len(to_read), settings.batch_size)]
    hashes: list[pd.DataFrame] = []  # each read file's SHA-256, for the inputs manifest
    pages: list[pd.DataFrame] = []  # crawl containers read, and their pages
    examples: list[str] = []
    with closing(_parsed_batches(settings, batches, pool)) as parsed:  # closed: workers and staging go now
        for files_done, frames in _timed(parsed):
            with stage("add batches"):
                tables = run.add(frames)
            faults.point("parsing")
            for name in (REPORTS.name, QUARANTINE.name):
                hashes.append(tables[name][["source_file", "source_sha256"]])
            if frames.pages is not None and not frames.pages.empty:
                pages.append(frames.pages)
            quarantine = tables[QUARANTINE.name]
            failed = quarantine[~quarantine["stage"].isin(NOT_FAILURES)]
            examples += [f"{f}: {r}" for f, r in zip(failed["source_file"], failed["reason"], strict=True)]
            del examples[10:]
            progress.emit("advance", files_done)
    run.resolve_other_forms()
    read = pd.concat(hashes, ignore_index=True) if hashes else pd.DataFrame(columns=["source_file", "source_sha256"])
    sha256 = dict(zip(read["source_file"], read["source_sha256"], strict=True))
    new_rows = manifest_rows(to_read, sha256, pd.concat(pages, ignore_index=True) if pages else None)
    # read again (their rows are new), or a container whose pages were read: the new rows stand
    kept = plan.manifest[~plan.manifest["source_file"].isin({*again, *new_rows["source_file"]})]
    manifest = pd.concat([kept, new_rows], ignore_index=True)
    run.finish(manifest, catalog_tables())
    stages = store.latest(QUARANTINE.name, ["stage"])["stage"]
    quarantined = int((~stages.isin(NOT_FAILURES)).sum())  # the volume gate counts files it could not read
    pages_read = int(sum((frame["container"] != "").sum() for frame in pages))
    return IngestOutcome(
        sorted(set(run.failures)),
        len(run.reports),
        quarantined,
        examples[:10],
        len(to_read),
        pages_read,
    )


def _timed(batches: Iterator) -> Iterator:
    """The batches, with the time spent waiting for each (the main process idle, workers parsing)."""
    while True:
        with stage("wait for parsing"):
            batch = next(batches, None)
        if batch is None:
            return
        yield batch


def _parsed_batches(
    settings: Settings, batches: list[list[RawFile]], pool: ProcessPoolExecutor | None
) -> Iterator[tuple[int, ParsedFrames]]:
    """On the Dask cluster when the settings name one, else in the local worker processes."""
    if settings.dask_address is not None:
        return dask_parsed_batches(batches, settings.dask_address, settings.read_limits, _dataset_uri(settings))
    stage = functools.partial(parse_and_stage, site_dir=settings.audit_dir)  # pages rendered in the workers
    return parsed_batches(batches, settings.parse_workers, settings.read_limits, pool, stage)


def _dataset_uri(settings: Settings) -> str:
    return str(settings.curated_dir.resolve())


@task(cache_policy=NO_CACHE)
def commit(settings: Settings, summary: RunSummary, started_from: int) -> tuple[DatasetVersion, dict]:
    """Build the DuckDB file over the new version (a view that cannot bind stops here), record the
    version, then move the file into place; forget versions past the retention. The version is
    the one after ``started_from``, the version the run began with, or none."""
    store = Store(settings.curated_dir)
    with stage("compact"):
        for name in CURATED_TABLES:
            store.compact(name, settings.max_files_per_partition)
    written = store.latest_versions(list(CURATED_TABLES))
    pending = store.pending(written, {}, summary.counts(), started_from=started_from)
    counts = version_counts(store, pending)
    pending = replace(pending, rows=counts["rows"], summary={**pending.summary, **counts["rules"]})
    publish(store, pending, settings.duckdb_path)
    store.vacuum(dt.timedelta(days=settings.retention_days))
    return pending, counts


@task(cache_policy=NO_CACHE)
def write_audit(settings: Settings, version: DatasetVersion) -> list[str]:
    """The audit site of the version just published (``flows/audit_site.py``). The site shows what is
    published and is no reason to unpublish it: a failure is logged and becomes a notice of the run."""
    started = time.time_ns()
    try:
        with (
            tempfile.TemporaryDirectory(prefix=f"xxgk-site-{os.getpid()}-") as spill,
            open_version(Store(settings.curated_dir), version) as connection,
        ):
            connection.execute(f"SET memory_limit = {sql_list([settings.site_memory_limit])}")
            connection.execute(f"SET temp_directory = {sql_list([spill])}")
            connection.execute("SET threads = 1")  # one thread's buffers: 500MB was too little for two at 100,000
            write_audit_site(connection, settings.audit_dir, settings.data_docs_dir, workers=settings.parse_workers)
        if settings.curated_dir.is_remote:  # the site beside the dataset, as for a folder
            mirror_folder(settings.audit_dir, settings.curated_dir / AUDIT_DIR, started)
    except Exception as exc:
        get_run_logger().warning("audit site not written", exc_info=True)
        return [f"audit site not written ({settings.audit_dir}): {type(exc).__name__}: {exc}"[:2000]]
    return []


def _summary(settings: Settings, files: int, plan: InputPlan | None, **values) -> RunSummary:
    base = {
        "files_seen": files,
        "reports_published": 0,
        "cells_written": 0,
        "files_quarantined": 0,
        "rules_failed": 0,
        "reports_with_failed_rules": 0,
        "published": False,
        "validation_failures": [],
        "curated_dir": str(settings.curated_dir),
        "files_read": len(plan.read) if plan else 0,
        "changes": plan.summary() if plan else {},
    }
    return RunSummary(**{**base, **values})


@flow(name="xxgk-pipeline")
def xxgk_pipeline(
    raw_dir: Path | str | None = None,
    curated_dir: Path | str | None = None,
    batch_size: int | None = None,
    accept_quarantine: bool = False,
    full: bool = False,
    dask_address: str | None = None,
    follow_links: bool | None = None,
) -> RunSummary:
    """Parse the new and changed reports under ``raw_dir`` (on the Dask cluster at ``dask_address``
    if given), validate, check arithmetic, and commit a new version of the dataset in ``curated_dir``.
    ``follow_links``: read files that links in the raw folder point to outside it."""
    given = {
        "raw_dir": raw_dir,
        "curated_dir": curated_dir,
        "batch_size": batch_size,
        "dask_address": dask_address,
        "follow_links": follow_links,
    }
    overrides = {k: v for k, v in given.items() if v is not None}
    settings = Settings(**overrides)
    with dataset_lock(settings.curated_dir):  # the CLI holds it already; a scheduled run takes it here
        clear_staged_pages(settings.audit_dir)  # what a killed run staged
        try:
            return _pipeline(settings, accept_quarantine, full)
        except PublishBlockedError:  # held back: already undone
            raise
        except Exception:  # a run that fails (a full disk, a bug) cleans what it wrote
            with contextlib.suppress(Exception):
                _undo(Store(settings.curated_dir))
            raise
        finally:
            clear_staged_pages(settings.audit_dir)  # pages of reports this run did not publish


def _pipeline(settings: Settings, accept_quarantine: bool, full: bool) -> RunSummary:
    logger = get_run_logger()
    store = Store(settings.curated_dir)
    with stage("prepare"):
        restored = store.prepare()
        if restored:  # a run killed before its commit: its files go too
            store.remove_unpinned_files()
        remove_staging(_dataset_uri(settings))  # what a killed run's Dask workers staged
        reclaim_temporary_folders()  # and the temporary folders of killed runs
        current = published_counts(store)
        started = store.current()
        started_from = started.version if started else 0  # the commit must follow it
    if restored:
        logger.warning("tables a run left uncommitted were restored to the current version: %s", restored)
    with stage("plan"):
        files, plan, skipped = plan_run(settings, full)
    told = [
        f"not read: {name}/ in the raw folder is an xxgk dataset or audit site (output, not reports)"
        for name in skipped
    ]
    for notice in told:
        logger.warning(notice)
    if not files:  # checked before anything is written: an empty folder would retire everything
        gate = volume_gate(settings.raw_dir, 0, DatasetCounts(0, 0), current, settings.max_quarantine_rise, False)
        return _held_back(settings, _summary(settings, 0, plan, notices=[*told, *gate.reasons], failed=True))
    if plan.nothing_to_do:
        return _unchanged(settings, store, len(files), plan, told)
    called = time.perf_counter()
    outcome = ingest(settings, quote(files), quote(plan))  # quoted: Prefect does not walk 10,000 files
    stage_clock.add("prefect task calls", time.perf_counter() - called - outcome.seconds)
    run_counts = DatasetCounts(outcome.reports, outcome.quarantined)
    gate = volume_gate(
        settings.raw_dir, len(files), run_counts, current, settings.max_quarantine_rise, accept_quarantine
    )
    if outcome.failures:
        _undo(store)  # drop what was written: the current version stays
        summary = _summary(settings, len(files), plan, validation_failures=outcome.failures)
        for failure in outcome.failures:
            logger.error("validation failure: %s", failure)
        create_markdown_artifact(key="xxgk-run-summary", markdown=summary.as_markdown(), description="xxgk run summary")
        raise PublishBlockedError(summary)
    if not gate.publish:
        _undo(store)
        summary = _summary(
            settings,
            len(files),
            plan,
            files_quarantined=run_counts.quarantined,
            notices=[*told, *gate.reasons],
            failed=True,
            quarantine_examples=outcome.examples,
        )
        return _held_back(settings, summary)
    summary = _summary(
        settings,
        len(files),
        plan,
        notices=[*told, *gate.reasons],
        failed=gate.failed,
        files_read=outcome.read,
        pages_read=outcome.pages_read,
    )
    with stage("commit"):
        version, counts = commit(settings, summary, started_from)
    with stage("audit site"):
        site_notices = write_audit(settings, version)
    summary = replace(
        summary,
        notices=[*summary.notices, *site_notices],
        published=True,
        version=version.version,
        reports_published=counts["rows"].get(REPORTS.name, 0),
        cells_written=counts["rows"].get("indicators", 0),
        files_quarantined=counts["rows"].get(QUARANTINE.name, 0) - counts["rules"]["listed"],
        pages_not_reports=counts["rules"]["pages_not_reports"],
        rules_failed=counts["rules"]["rules_failed"],
        reports_with_failed_rules=counts["rules"]["reports_with_failed_rules"],
        quarantine_examples=outcome.examples if gate.failed else [],
    )
    create_markdown_artifact(key="xxgk-run-summary", markdown=summary.as_markdown(), description="xxgk run summary")
    logger.info(
        "version %d: files seen %d (read %d), reports %d, cells %d, files quarantined %d, rules failed %d",
        summary.version,
        summary.files_seen,
        summary.files_read,
        summary.reports_published,
        summary.cells_written,
        summary.files_quarantined,
        summary.rules_failed,
    )
    return summary


def _undo(store: Store) -> None:
    """What a run that does not commit wrote: the tables back to their pinned versions, its files
    deleted."""
    store.prepare()
    store.remove_unpinned_files()


def _unchanged(settings: Settings, store: Store, files: int, plan: InputPlan, told: list[str]) -> RunSummary:
    """Nothing new, changed or removed: no new version; the summary describes the current one, and
    the DuckDB file is rebuilt over it (cheap, and right even if the dataset folder moved)."""
    version = publish(store, store.current(), settings.duckdb_path, record=False)
    summary = _summary(
        settings,
        files,
        plan,
        published=True,
        version=version.version,
        reports_published=version.rows.get(REPORTS.name, 0),
        cells_written=version.rows.get("indicators", 0),
        files_quarantined=version.rows.get(QUARANTINE.name, 0) - version.summary.get("listed", 0),
        pages_not_reports=version.summary.get("pages_not_reports", 0),
        rules_failed=version.summary.get("rules_failed", 0),
        reports_with_failed_rules=version.summary.get("reports_with_failed_rules", 0),
        notices=[*told, f"nothing new, changed or removed: version {version.version} stays current"],
    )
    if not site_is_current(settings.audit_dir, version.version):  # missing, or written by other code
        summary.notices.extend(write_audit(settings, version))
    create_markdown_artifact(key="xxgk-run-summary", markdown=summary.as_markdown(), description="xxgk run summary")
    return summary


def _held_back(settings: Settings, summary: RunSummary) -> RunSummary:
    """Held back by design, not broken: the run completes and says why (no traceback)."""
    get_run_logger().warning("not published: %s", "; ".join(summary.notices))
    create_markdown_artifact(key="xxgk-run-summary", markdown=summary.as_markdown(), description="xxgk run summary")
    return summary
