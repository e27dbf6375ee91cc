"""One run's changes to the store, written as they are produced: the main process never holds more
than a few batches of rows, whatever the size of the archive.

The rows of retired files (changed or removed) go first, and so do the quarantine entries that
were duplicates of a retired report: their files are read again, since their report is gone.
Each parsed batch is then checked against the reports the dataset already has — a report already
there is a duplicate — buffered and appended. At the end, reports of one agency and year that
another form of the same report already gives (a page and its crawler copy) are resolved across
the whole dataset, and the inputs manifest and the catalogs are written. Nothing is visible to
readers until the version is recorded.
"""

from __future__ import annotations

import pandas as pd

from flows import faults
from flows.store import Store
from transforms.assemble import ParsedFrames, assemble_tables, duplicate_rows, same_report_in_two_forms
from transforms.schemas import (
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
REPORT_KEYS = ["report_id", "source_file", "agency", "report_year", "template", "cells_with_value"]
CATALOGS = ("catalog", "catalog_columns")


class Ingest:
    """``validate(tables, last)`` sees every buffered batch before it is written and returns what
    failed; the rows still go to storage (nothing is visible until a version is recorded)."""

    def __init__(self, store: Store, full: bool, validate=None, flush_rows: int = 600_000) -> None:
        self.store = store
        self.flush_rows = flush_rows
        self.validate = validate
        self.failures: list[str] = []
        self._buffer: dict[str, list[pd.DataFrame]] = {name: [] for name in ROW_TABLES}
        self._buffered = 0
        if full:
            for name in (*ROW_TABLES, INPUTS.name, *PER_REPORT_TABLES):
                store.truncate(name)
        self.reports = store.latest(REPORTS.name, columns=REPORT_KEYS)  # small: one row per report
        self.new_reports: set[str] = set()
        self.retired: set[str] = set()

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
        self.reports = self.reports[~self.reports["report_id"].isin(report_ids)]
        self.retired |= set(report_ids)

    # ---- adding ------------------------------------------------------------------------------

    def add(self, batch: ParsedFrames) -> dict[str, pd.DataFrame]:
        """One parsed batch, its duplicates resolved against itself and the dataset; returns the
        batch's tables (for validation)."""
        tables = assemble_tables([batch], with_catalogs=False, sort=False, across_forms=False)
        known = set(self.reports["report_id"])
        again = tables["reports"][tables["reports"]["report_id"].isin(known)]
        if not again.empty:  # the same text as a report the dataset has: that one stays
            kept = self.reports.drop_duplicates("report_id").set_index("report_id")["source_file"]
            copies = duplicate_rows(again, again["report_id"], " (identical text after normalisation)", kept)
            ids = set(again["report_id"])
            for name in (INDICATORS.name, RULE_RESULTS.name, NARRATIVE_FACTS.name, REPORTS.name):
                tables[name] = tables[name][~tables[name]["report_id"].isin(ids)]
            tables[QUARANTINE.name] = pd.concat([tables[QUARANTINE.name], copies], ignore_index=True)
        new = tables[REPORTS.name][REPORT_KEYS]
        self.reports = pd.concat([self.reports, new], ignore_index=True) if not new.empty else self.reports
        self.new_reports |= set(new["report_id"])
        for name in ROW_TABLES:
            if not tables[name].empty:
                self._buffer[name].append(tables[name])
        self._buffered += len(tables[INDICATORS.name]) + len(tables[QUARANTINE.name])
        if self._buffered >= self.flush_rows:
            self.flush()
        return tables

    def flush(self, last: bool = False) -> None:
        """Validate the buffered batches (GX costs a second a call, so not batch by batch), then
        append them."""
        tables = {name: pd.concat(frames, ignore_index=True) for name, frames in self._buffer.items() if frames}
        if self.validate is not None and tables:
            empty = {name: CURATED_TABLES[name].empty_frame() for name in ROW_TABLES}
            self.failures += self.validate({**empty, **tables}, last)
        for frames in self._buffer.values():
            frames.clear()
        self._buffered = 0
        if REPORTS.name in tables:  # the per-report tables get these reports' rows
            cells = tables.get(INDICATORS.name, CURATED_TABLES[INDICATORS.name].empty_frame())
            tables.update(per_report_tables(tables[REPORTS.name], cells))
        for name, frame in tables.items():
            self.store.append(name, frame)
            faults.point("writing")  # some tables appended, others not yet

    # ---- across the dataset ------------------------------------------------------------------

    def resolve_other_forms(self) -> int:
        """Reports that another file already gives in another form, across the whole dataset; only
        groups with a report of this run are compared. Returns how many went to quarantine."""
        self.flush(last=True)
        reports = self.reports
        keys = ["agency", "report_year", "template"]
        touched = reports[reports["report_id"].isin(self.new_reports)][keys].drop_duplicates()
        candidates = reports.merge(touched, on=keys)
        if len(candidates) < 2:
            return 0
        ids = candidates["report_id"].tolist()
        full = self.store.latest(REPORTS.name, where=("report_id", ids))
        cells = self.store.latest(
            INDICATORS.name, ["report_id", "indicator_code", "column_code", "value", "value_status"], ("report_id", ids)
        )
        found = same_report_in_two_forms(full, cells)
        if not found:
            return 0
        copies = full[full["report_id"].isin(found)]
        kept_ids = copies["report_id"].map(lambda r: found[r][0])
        reasons = copies["report_id"].map(lambda r: found[r][1])
        kept_file = full.set_index("report_id")["source_file"]
        self._delete_reports(sorted(found))
        self.store.append(QUARANTINE.name, duplicate_rows(copies, kept_ids, reasons, kept_file))
        return len(found)

    def finish(self, manifest: pd.DataFrame, catalogs: dict[str, pd.DataFrame]) -> None:
        """The inputs this version is built from, and the catalogs, replace the old ones."""
        self.flush()
        self.store.write({INPUTS.name: manifest, **catalogs})
