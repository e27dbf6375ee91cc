"""Combine parsed reports into the curated tables; the same content twice is one report."""

from __future__ import annotations

import pandas as pd

from transforms.catalog import load_catalog
from transforms.parse_report import ParsedReport
from transforms.schemas import CATALOG, INDICATORS, QUARANTINE, REPORTS


def assemble_tables(parsed: list[ParsedReport], quarantined: list[dict]) -> dict[str, pd.DataFrame]:
    """DataFrames for indicators, reports, quarantine and catalog, sorted on their keys.

    When two files hold the same report (same ``report_id``), the first by file name is kept
    and the others go to quarantine as duplicates, so every input file is accounted for.
    """
    kept: dict[str, ParsedReport] = {}
    quarantine = list(quarantined)
    for item in sorted(parsed, key=lambda p: p.report["source_file"]):
        report_id = item.report["report_id"]
        if report_id in kept:
            quarantine.append(
                {
                    "source_file": item.report["source_file"],
                    "stage": "duplicate",
                    "reason": f"same report as {kept[report_id].report['source_file']} (identical text after normalisation)",
                    "duplicate_of": report_id,
                    "source_sha256": item.report["source_sha256"],
                    "size_bytes": item.report["size_bytes"],
                }
            )
        else:
            kept[report_id] = item
    reports = pd.DataFrame([p.report for p in kept.values()], columns=REPORTS.column_names)
    indicators = pd.DataFrame(
        [row for p in kept.values() for row in p.indicators], columns=INDICATORS.column_names
    )
    return {
        "indicators": indicators.sort_values(list(INDICATORS.primary_key), kind="stable").reset_index(drop=True),
        "reports": reports.sort_values("report_id", kind="stable").reset_index(drop=True),
        "quarantine": pd.DataFrame(quarantine, columns=QUARANTINE.column_names)
        .sort_values("source_file", kind="stable")
        .reset_index(drop=True),
        "catalog": load_catalog()[CATALOG.column_names].sort_values("code", kind="stable").reset_index(drop=True),
    }
