"""One run's changes to the store, written as they are produced: the main process never holds more
than a few batches of rows, whatever the size of the archive.

The rows of retired files (changed or removed) go first, and so do the quarantine entries that
were duplicates of a retired report: their files are read again, since their report is gone.
Each parsed batch is then checked against the reports the dataset already has — a report already
there is a duplicate — buffered and appended. At the end, reports of one agency and year that
another form of the same report already gives (a page and its crawler copy) are resolved across
the whole dataset, and the inputs manifest and the catalogs are written. Nothing is visible to
readers until the version is recorded.

Before the manifest is written, every input file must be in ``reports`` or in ``quarantine``,
exactly once (:func:`files_not_accounted_for`): a pipeline invariant, like the GX suites, so a
break is a validation failure and the run publishes nothing.
"""

from __future__ import annotations

import pandas as pd

from flows import faults
from flows.dataset.store import Store
from flows.parsing.memory import release_unused_memory
from flows.run.stage_clock import stage
from transforms.agency_table import AGENCY_INPUT_COLUMNS, agency_rows
from transforms.assemble import (
    ParsedFrames,
    assemble_tables,
    duplicate_rows,
    other_form_rows,
    same_report_in_two_forms,
)
from transforms.rows import SAME_REPORT_KEY
from transforms.schemas import (
    AGENCIES,
    CURATED_TABLES,
    INDICATORS,
    INPUTS,
    NARRATIVE_FACTS,
    QUARANTINE,
    REPORTS,
    RULE_RESULTS,
)
from transforms.wide import PER_REPORT_TABLES, per_report_tables

ROW_TABLES = (INDICATORS.name, REPORTS.name, RULE_RESULTS.name, NARRATIVE_FACTS.name, QUARANTINE.name)
PER_REPORT = (REPORTS.name, INDICATORS.name, RULE_RESULTS.name, NARRATIVE_FACTS.name, *PER_REPORT_TABLES)
REPORT_KEYS = ["report_id", "source_file", "agency_id", "report_year", "template", "cells_with_value"]
CATALOGS = ("catalog", "catalog_columns")
_NAMED = 10  # files a failure names


def _files(kind: str, files) -> list[str]:
    files = sorted(files)
    if not files:
        return []
    more = f" and {len(files) - _NAMED} more" if len(files) > _NAMED else ""
    return [
        f"inputs: every file in reports or quarantine exactly once: {kind} ({len(files)}): "
        f"{', '.join(files[:_NAMED])}{more}"
    ]


def files_not_accounted_for(inputs: pd.Series, published: pd.Series, quarantined: pd.Series) -> list[str]:
    """What breaks "every input file is in ``reports`` or in ``quarantine``, exactly once", naming
    the files; empty when nothing does. ``inputs`` are the files of the version (its manifest)."""
    known = set(inputs)
    published_once, quarantined_once = set(published), set(quarantined)
    return [
        *_files("read but neither published nor quarantined", known - published_once - quarantined_once),
        *_files("both published and quarantined", published_once & quarantined_once),
        *_files("in reports twice", set(published[published.duplicated()])),
        *_files("in quarantine twice", set(quarantined[quarantined.duplicated()])),
        *_files("in the inputs twice", set(inputs[inputs.duplicated()])),
        *_files("not an input of this version", (published_once | quarantined_once) - known),
    ]


def accountable_inputs(manifest: pd.DataFrame) -> pd.Series:
    """What must be in ``reports`` or ``quarantine``: every file, but a crawl container through
    its pages (a container with no page is quarantined itself)."""
    containers = set(manifest.loc[manifest["container"] != "", "container"])
    return manifest.loc[~manifest["source_file"].isin(containers) | (manifest["container"] != ""), "source_file"]


class Ingest:
    """``validate(tables, last)`` sees every buffered batch before it is written and returns what
    failed; the rows still go to storage (nothing is visible until a version is recorded)."""

    def __init__(self, store: Store, full: bool, validate, flush_rows: int) -> None:
        self.store = store
        self.flush_rows = flush_rows
        self.validate = validate
        self.failures: list[str] = []
        self._buffer: dict[str, list[pd.DataFrame]] = {name: [] for name in ROW_TABLES}
        self._buffered = 0
        if full:
            for name in (*ROW_TABLES, INPUTS.name, *PER_REPORT_TABLES):
                store.truncate(name)
        self._reports = [store.latest(REPORTS.name, columns=REPORT_KEYS)]  # small: one row per report
        self._known = set(self.reports["report_id"])
        self._new_ids: list[pd.Series] = []  # this run's reports (as columns: compact)

    @property
    def reports(self) -> pd.DataFrame:
        """The dataset's reports as this run leaves them (a few key columns); batches are joined
        when asked for, not one by one."""
        if len(self._reports) > 1:
            self._reports = [pd.concat(self._reports, ignore_index=True)]
        return self._reports[0]

    # ---- retiring ----------------------------------------------------------------------------

    def retire(self, files: list[str]) -> list[str]:
        """Delete the rows of ``files``; returns the files to read again (duplicates of a report
        that is retired, which must now stand on their own)."""
        if not files:
            return []
        gone = self.reports[self.reports["source_file"].isin(files)]["report_id"].tolist()
        copies = self.store.latest(QUARANTINE.name, ["source_file", "duplicate_of"], ("duplicate_of", gone))
        again = sorted(set(copies["source_file"]) - set(files))
        self._delete_reports(gone)
        self.store.delete(QUARANTINE.name, "source_file", sorted({*files, *again}))
        return again

    def _delete_reports(self, report_ids: list[str]) -> None:
        for name in PER_REPORT:
            self.store.delete(name, "report_id", report_ids)
        self._reports = [self.reports[~self.reports["report_id"].isin(report_ids)]]
        self._known -= set(report_ids)

    # ---- adding ------------------------------------------------------------------------------

    def add(self, batch: ParsedFrames) -> dict[str, pd.DataFrame]:
        """One parsed batch, its duplicates resolved against itself and the dataset; returns the
        batch's tables (for validation)."""
        tables = assemble_tables([batch], with_catalogs=False, sort=False, across_forms=False)
        # a set lookup per new report: isin() would walk the whole set for every batch
        again = tables["reports"][[rid in self._known for rid in tables["reports"]["report_id"]]]
        if not again.empty:  # the same text as a report the dataset has: that one stays
            kept = self.reports.drop_duplicates("report_id").set_index("report_id")["source_file"]
            copies = duplicate_rows(again, again["report_id"], " (identical text after normalisation)", kept)
            ids = set(again["report_id"])
            for name in (INDICATORS.name, RULE_RESULTS.name, NARRATIVE_FACTS.name, REPORTS.name):
                tables[name] = tables[name][~tables[name]["report_id"].isin(ids)]
            tables[QUARANTINE.name] = pd.concat([tables[QUARANTINE.name], copies], ignore_index=True)
        new = tables[REPORTS.name][REPORT_KEYS]
        if not new.empty:
            self._reports.append(new)
        self._new_ids.append(new["report_id"])
        self._known |= set(new["report_id"])
        for name in ROW_TABLES:
            if not tables[name].empty:
                self._buffer[name].append(tables[name])
        self._buffered += len(tables[INDICATORS.name]) + len(tables[QUARANTINE.name])
        if self._buffered >= self.flush_rows:
            self.flush()
        return tables

    def flush(self, last: bool = False) -> None:
        """Validate the buffered batches (the checks cost a little per call, so not batch by
        batch), then append them."""
        tables = {name: pd.concat(frames, ignore_index=True) for name, frames in self._buffer.items() if frames}
        if self.validate is not None and tables:
            empty = {name: CURATED_TABLES[name].empty_frame() for name in ROW_TABLES}
            with stage("validate"):
                self.failures += self.validate({**empty, **tables}, last)
        for frames in self._buffer.values():
            frames.clear()
        self._buffered = 0
        if REPORTS.name in tables:  # the per-report tables get these reports' rows
            cells = tables.get(INDICATORS.name, CURATED_TABLES[INDICATORS.name].empty_frame())
            with stage("wide tables"):
                tables.update(per_report_tables(tables[REPORTS.name], cells))
        with stage("write"):
            for name, frame in tables.items():
                self.store.append(name, frame)
                faults.point("writing")  # some tables appended, others not yet
            del tables
            release_unused_memory()

    # ---- across the dataset ------------------------------------------------------------------

    def resolve_other_forms(self, chunk_reports: int = 10_000) -> int:
        """Reports that another file already gives in another form, across the whole dataset; only
        groups with a report of this run are compared, a few thousand reports' cells at a time.
        Returns how many went to quarantine."""
        self.flush(last=True)
        with stage("other forms"):
            return self._resolve_other_forms(chunk_reports)

    def _resolve_other_forms(self, chunk_reports: int) -> int:
        reports = self.reports
        keys = list(SAME_REPORT_KEY)
        shared = reports[(reports["agency_id"] != "") & reports.duplicated(keys, keep=False)]
        new_ids = pd.concat(self._new_ids) if self._new_ids else pd.Series([], dtype=str)
        touched = shared[shared["report_id"].isin(new_ids)][keys].drop_duplicates()
        candidates = shared.merge(touched, on=keys).sort_values(keys, kind="stable")
        if candidates.empty:
            return 0
        # whole groups per chunk: a group's first report decides its chunk (candidates are sorted)
        starts_group = ~candidates.duplicated(keys).to_numpy()
        chunk = (pd.Series(range(len(candidates))) // chunk_reports).where(starts_group).ffill().astype(int)
        found, copies = {}, []
        for _, ids in candidates["report_id"].groupby(chunk.to_numpy()):
            full = self.store.latest(REPORTS.name, where=("report_id", ids.tolist()))
            cells = self.store.latest(
                INDICATORS.name,
                ["report_id", "indicator_code", "column_code", "value", "value_status"],
                ("report_id", ids.tolist()),
            )
            here = same_report_in_two_forms(full, cells)
            del cells
            if here:
                found.update(here)
                copies.append(other_form_rows(full, here))
        if not found:
            return 0
        self._delete_reports(sorted(found))
        self.store.append(QUARANTINE.name, pd.concat(copies, ignore_index=True))
        return len(found)

    def finish(self, manifest: pd.DataFrame, catalogs: dict[str, pd.DataFrame]) -> None:
        """The inputs this version is built from, the catalogs and the agencies replace the old
        ones; a file of the manifest not in reports or quarantine exactly once is a failure
        (nothing is published)."""
        self.flush()
        with stage("finish"):
            self._finish(manifest, catalogs)

    def _finish(self, manifest: pd.DataFrame, catalogs: dict[str, pd.DataFrame]) -> None:
        self.failures += files_not_accounted_for(
            accountable_inputs(manifest),
            self.store.latest(REPORTS.name, ["source_file"])["source_file"],
            self.store.latest(QUARANTINE.name, ["source_file"])["source_file"],
        )
        agencies = agency_rows(self.store.latest(REPORTS.name, AGENCY_INPUT_COLUMNS))
        self.store.write({INPUTS.name: manifest, AGENCIES.name: agencies, **catalogs})
