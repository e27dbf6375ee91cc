"""Combine parsed reports into the curated tables; the same content twice is one report."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from transforms.catalog import load_catalog, load_column_catalog
from transforms.cell_records import CELL_FIELDS, REPORT_FIELDS, cell_values
from transforms.cell_values import NUMBER_STATUSES, OK
from transforms.parse_report import ParsedReport
from transforms.rows import SAME_REPORT_KEY, FactRow, QuarantineRow, ReportRow, quarantine_row
from transforms.schemas import (
    CATALOG,
    CATALOG_COLUMNS,
    CURATED_TABLES,
    INDICATORS,
    NARRATIVE_FACTS,
    QUARANTINE,
    REPORTS,
    RULE_RESULTS,
)
from transforms.vocabulary import DUPLICATE_STAGE


@dataclass(frozen=True)
class ParsedFrames:
    """One batch's results as DataFrames: cheap to hand between tasks (no per-row objects)."""

    reports: pd.DataFrame
    indicators: pd.DataFrame
    quarantine: pd.DataFrame
    rule_results: pd.DataFrame | None = None  # per-report arithmetic, when the batch evaluated it
    narrative_facts: pd.DataFrame | None = None
    pages: pd.DataFrame | None = None  # crawl containers read and their pages: for the inputs manifest


def _indicators(parsed: list[ParsedReport]) -> pd.DataFrame:
    """Cell records as rows, built from tuples (a dict per cell cost more than the parsing of it),
    handed to pandas as columns (from rows, pandas took twice as long)."""
    rows = []
    for report in parsed:
        own = tuple(report.report_fields.values())
        rows += [(*cell_values(record), *own) for record in report.records]
    return _from_rows(rows, [*CELL_FIELDS, *REPORT_FIELDS])[INDICATORS.column_names]


def _from_rows(rows: list[tuple], names: list[str]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=names)
    return pd.DataFrame(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))


PAGE_COLUMNS = ["source_file", "container", "size_bytes", "source_sha256"]


def _frame(rows: list, row_type, schema) -> pd.DataFrame:
    """Typed rows as a DataFrame with the schema's columns, from tuples (no dict per row)."""
    return _from_rows([row.values() for row in rows], row_type.field_names())[schema.column_names]


def to_frames(
    parsed: list[ParsedReport], quarantined: list[QuarantineRow], pages: list[dict] | None = None
) -> ParsedFrames:
    return ParsedFrames(
        reports=_frame([p.report for p in parsed], ReportRow, REPORTS),
        indicators=_indicators(parsed),
        quarantine=_frame(quarantined, QuarantineRow, QUARANTINE),
        narrative_facts=_frame([f for p in parsed for f in p.facts], FactRow, NARRATIVE_FACTS),
        pages=pd.DataFrame(pages or [], columns=PAGE_COLUMNS).astype({"size_bytes": "int64"}),
    )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# Two files of one agency and year whose tables agree on every number both read, and these numbers
# are at least this share of either table's, are one report in two forms (a page and its attachment).
SAME_TABLE_SHARE = 0.8


def same_report_in_two_forms(reports: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Reports that are another report in another form: report_id → (kept report_id, why).

    Same agency, year and template, and every cell both read gives the same number, over at least
    SAME_TABLE_SHARE of the larger table's numbers (a crawler copy may leave a few cells ambiguous;
    two different tables that share their zeros do not reach it). The copy that reads more numbers
    (then more as printed, not inferred; then the first file by name) is kept. Reports of different agencies are never
    compared, so two bodies' identical all-zero tables stay two reports.
    """
    named = reports[reports["agency_id"] != ""]
    groups = named[named.duplicated(list(SAME_REPORT_KEY), keep=False)]
    if groups.empty:
        return {}
    cells = indicators[
        indicators["report_id"].isin(set(groups["report_id"])) & indicators["value_status"].isin(NUMBER_STATUSES)
    ]
    values: dict[str, dict[tuple[str, str], float]] = {}
    printed: dict[str, int] = {}
    for report_id, code, column, value, status in zip(
        *(cells[c].tolist() for c in ("report_id", "indicator_code", "column_code", "value", "value_status")),
        strict=True,
    ):
        values.setdefault(report_id, {})[(code, column)] = value
        printed[report_id] = printed.get(report_id, 0) + (status == OK)
    found: dict[str, tuple[str, str]] = {}
    for _, group in groups.sort_values("source_file", kind="stable").groupby(list(SAME_REPORT_KEY)):
        ranked = sorted(
            group[["report_id", "source_file"]].itertuples(index=False),
            key=lambda r: (-len(values.get(r.report_id, {})), -printed.get(r.report_id, 0)),
        )
        for position, candidate in enumerate(ranked):
            if candidate.report_id in found:
                continue
            mine = values.get(candidate.report_id, {})
            for other in ranked[position + 1 :]:
                theirs = values.get(other.report_id, {})
                common = mine.keys() & theirs.keys()
                larger = max(len(mine), len(theirs))
                if other.report_id in found or not larger or len(common) < SAME_TABLE_SHARE * larger:
                    continue
                if all(abs(mine[key] - theirs[key]) < 1e-9 for key in common):
                    why = (
                        f" (same agency, year and table values in another form: {len(common)} cells agree; "
                        f"that copy reads {len(mine)} numbers, this one {len(theirs)})"
                    )
                    found[other.report_id] = (candidate.report_id, why)
    return found


def assemble_tables(
    batches: list[ParsedFrames], with_catalogs: bool = True, sort: bool = True, across_forms: bool = True
) -> dict[str, pd.DataFrame]:
    """DataFrames for indicators, reports, quarantine and catalog, sorted on their keys.

    When two files hold the same report, one is kept and the others go to quarantine as its
    duplicates, so every input file is accounted for: the same text (same ``report_id``; the
    first by file name is kept), or the same agency, year and table values in another form
    (:func:`same_report_in_two_forms`; the more complete is kept).
    """
    reports = _concat([b.reports for b in batches], REPORTS.column_names).sort_values("source_file", kind="stable")
    indicators = _concat([b.indicators for b in batches], INDICATORS.column_names)
    quarantine = _concat([b.quarantine for b in batches], QUARANTINE.column_names)
    rule_results = _concat([b.rule_results for b in batches if b.rule_results is not None], RULE_RESULTS.column_names)
    facts = _concat([b.narrative_facts for b in batches if b.narrative_facts is not None], NARRATIVE_FACTS.column_names)

    duplicated = reports["report_id"].duplicated(keep="first")
    kept_file = reports.loc[~duplicated].set_index("report_id")["source_file"]
    copies = reports.loc[duplicated]
    duplicates = [duplicate_rows(copies, copies["report_id"], " (identical text after normalisation)", kept_file)]
    reports = reports.loc[~duplicated]
    if not copies.empty:
        indicators = indicators[~indicators["source_file"].isin(set(copies["source_file"]))]
        # A duplicate copy's rules were evaluated on the same cells: keep one set per report.
        rule_results = rule_results.drop_duplicates(subset=list(RULE_RESULTS.primary_key))
        facts = facts.drop_duplicates(subset=list(NARRATIVE_FACTS.primary_key))

    other_forms = same_report_in_two_forms(reports, indicators) if across_forms else {}
    if other_forms:
        duplicates.append(other_form_rows(reports, other_forms))
        reports = reports[~reports["report_id"].isin(set(other_forms))]
        indicators = indicators[~indicators["report_id"].isin(set(other_forms))]
        rule_results = rule_results[~rule_results["report_id"].isin(set(other_forms))]
        facts = facts[~facts["report_id"].isin(set(other_forms))]
    tables = {
        "narrative_facts": facts,
        "rule_results": rule_results,
        "indicators": indicators,
        "reports": reports,
        "quarantine": _concat([quarantine, *duplicates], QUARANTINE.column_names),
    }
    if sort:  # on their keys; a batch on its way to storage needs no order
        keys = {"reports": ["report_id"], "quarantine": ["source_file"]}
        tables = {
            name: frame.sort_values(keys.get(name) or list(CURATED_TABLES[name].primary_key), kind="stable")
            for name, frame in tables.items()
        }
    tables = {name: frame.reset_index(drop=True) for name, frame in tables.items()}
    return {**tables, **catalog_tables()} if with_catalogs else tables


def catalog_tables() -> dict[str, pd.DataFrame]:
    """The catalogs as published: what the codes in the other tables mean."""
    return {
        "catalog": load_catalog()[CATALOG.column_names].sort_values("code", kind="stable").reset_index(drop=True),
        "catalog_columns": load_column_catalog()[CATALOG_COLUMNS.column_names]
        .sort_values(list(CATALOG_COLUMNS.primary_key), kind="stable")
        .reset_index(drop=True),
    }


def other_form_rows(reports: pd.DataFrame, found: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Quarantine rows for the reports :func:`same_report_in_two_forms` found (``reports`` holds
    them and the reports they are copies of)."""
    copies = reports[reports["report_id"].isin(set(found))]
    kept_ids = copies["report_id"].map({copy: kept for copy, (kept, _) in found.items()})
    reasons = copies["report_id"].map({copy: why for copy, (_, why) in found.items()})
    return duplicate_rows(copies, kept_ids, reasons, reports.set_index("report_id")["source_file"])


def duplicate_rows(copies: pd.DataFrame, kept_ids: pd.Series, reasons, kept_file: pd.Series) -> pd.DataFrame:
    """Quarantine rows for copies of a kept report, naming the file that was kept."""
    if copies.empty:  # string arithmetic on empty columns has no dtype to work with
        return pd.DataFrame(columns=QUARANTINE.column_names)
    why = "same report as " + kept_ids.map(kept_file) + reasons
    rows = [
        quarantine_row(name, DUPLICATE_STAGE, reason, sha256=sha256, size=size, duplicate_of=kept)
        for name, reason, kept, sha256, size in zip(
            copies["source_file"], why, kept_ids, copies["source_sha256"], copies["size_bytes"], strict=True
        )
    ]
    return _frame(rows, QuarantineRow, QUARANTINE)
