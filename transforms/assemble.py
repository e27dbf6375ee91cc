"""Combine parsed reports into the curated tables; the same content twice is one report."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from transforms.catalog import load_catalog, load_column_catalog
from transforms.parse_report import ParsedReport
from transforms.schemas import CATALOG, CATALOG_COLUMNS, INDICATORS, NARRATIVE_FACTS, QUARANTINE, REPORTS, RULE_RESULTS


@dataclass(frozen=True)
class ParsedFrames:
    """One batch's results as DataFrames: cheap to hand between tasks (no per-row objects)."""

    reports: pd.DataFrame
    indicators: pd.DataFrame
    quarantine: pd.DataFrame
    rule_results: pd.DataFrame | None = None  # per-report arithmetic, when the batch evaluated it
    narrative_facts: pd.DataFrame | None = None


def to_frames(parsed: list[ParsedReport], quarantined: list[dict]) -> ParsedFrames:
    return ParsedFrames(
        reports=pd.DataFrame([p.report for p in parsed], columns=REPORTS.column_names),
        indicators=pd.DataFrame([row for p in parsed for row in p.indicators], columns=INDICATORS.column_names),
        quarantine=pd.DataFrame(quarantined, columns=QUARANTINE.column_names),
        narrative_facts=pd.DataFrame([f for p in parsed for f in p.facts], columns=NARRATIVE_FACTS.column_names),
    )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def assemble_tables(batches: list[ParsedFrames]) -> dict[str, pd.DataFrame]:
    """DataFrames for indicators, reports, quarantine and catalog, sorted on their keys.

    When two files hold the same report (same ``report_id``), the first by file name is kept
    and the others go to quarantine as duplicates, so every input file is accounted for.
    """
    reports = _concat([b.reports for b in batches], REPORTS.column_names).sort_values("source_file", kind="stable")
    indicators = _concat([b.indicators for b in batches], INDICATORS.column_names)
    quarantine = _concat([b.quarantine for b in batches], QUARANTINE.column_names)
    rule_results = _concat([b.rule_results for b in batches if b.rule_results is not None], RULE_RESULTS.column_names)
    facts = _concat([b.narrative_facts for b in batches if b.narrative_facts is not None], NARRATIVE_FACTS.column_names)

    duplicated = reports["report_id"].duplicated(keep="first")
    kept_file = reports.loc[~duplicated].set_index("report_id")["source_file"]
    copies = reports.loc[duplicated]
    duplicates = pd.DataFrame(
        {
            "source_file": copies["source_file"],
            "stage": "duplicate",
            "reason": "same report as " + copies["report_id"].map(kept_file) + " (identical text after normalisation)",
            "duplicate_of": copies["report_id"],
            "source_sha256": copies["source_sha256"],
            "size_bytes": copies["size_bytes"],
        },
        columns=QUARANTINE.column_names,
    )
    reports = reports.loc[~duplicated]
    if not copies.empty:
        indicators = indicators[~indicators["source_file"].isin(set(copies["source_file"]))]
        # A duplicate copy's rules were evaluated on the same cells: keep one set per report.
        rule_results = rule_results.drop_duplicates(subset=list(RULE_RESULTS.primary_key))
        facts = facts.drop_duplicates(subset=list(NARRATIVE_FACTS.primary_key))
    return {
        "narrative_facts": facts.sort_values(list(NARRATIVE_FACTS.primary_key), kind="stable").reset_index(drop=True),
        "rule_results": rule_results.sort_values(list(RULE_RESULTS.primary_key), kind="stable").reset_index(drop=True),
        "indicators": indicators.sort_values(list(INDICATORS.primary_key), kind="stable").reset_index(drop=True),
        "reports": reports.sort_values("report_id", kind="stable").reset_index(drop=True),
        "quarantine": _concat([quarantine, duplicates], QUARANTINE.column_names)
        .sort_values("source_file", kind="stable")
        .reset_index(drop=True),
        "catalog": load_catalog()[CATALOG.column_names].sort_values("code", kind="stable").reset_index(drop=True),
        "catalog_columns": load_column_catalog()[CATALOG_COLUMNS.column_names]
        .sort_values(list(CATALOG_COLUMNS.primary_key), kind="stable")
        .reset_index(drop=True),
    }
