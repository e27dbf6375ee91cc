"""``xxgk check FILE...``: read report files as the pipeline does and say what it makes of them.

The same parser, limits and rules as a run (:func:`flows.parsing.batch.parse_files`, which is
also what the run's parse workers call), without Prefect or Great Expectations: a quick look at
one report before it goes into the raw folder, or at why it was quarantined. When a dataset is
there, the cross-year rules compare each report with the same agency's report of the year before
in it (warnings: they do not change the exit code).

For each file: its template, agency and year; its tables as printed (rows in printed order,
columns with their headers, each cell's status marked); every failed rule with its arithmetic
and the lines (pages) of the cells it names; every text ↔ table disagreement with the lines of
the sentence and of the cells; or, when the file cannot be read, the quarantine reason.

:func:`check_files` returns plain data (what ``--format json`` prints); :func:`render` prints it
with rich, every value from a file as literal text.

Exit code (:func:`exit_code`): 2 when a file could not be read; else 1 when a rule of severity
``error`` failed; else 0. Failed ``warning`` rules (P8, P10) and text ↔ table disagreements
(R7, P1t: warnings too) are shown but do not change the exit code: the pipeline flags them the
same way and they often have an explanation the tables do not carry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from expectations.cross_year import cross_year_sql
from flows.parsing.batch import parse_files
from flows.parsing.raw_files import RawFile
from flows.present.report_view import (
    LEGEND,
    MARKERS,
    cell_text,
    cell_view,
    number,
    report_tables,
    row_where,
    rule_cells,
    statements,
    text_cells,
    where,
)
from transforms.identities import load_rules
from transforms.limits import DEFAULT_LIMITS, ReadLimits
from transforms.vocabulary import LISTED as LISTED_STAGES
from transforms.vocabulary import TEXT_TABLE

EXIT_OK, EXIT_RULE_FAILED, EXIT_UNREADABLE = 0, 1, 2


def _rule(result) -> dict:
    return {
        "rule_id": result.rule_id,
        "severity": result.severity,
        "table_id": result.table_id,
        "row_code": result.row_code,
        "column_code": result.column_code,
        "description": result.description,
        "expected": number(result.expected),
        "actual": number(result.actual),
        "detail": result.detail,
    }


def check_file(path: Path, limits: ReadLimits = DEFAULT_LIMITS, dataset=None) -> list[dict]:
    """What the pipeline makes of one file, as plain data (the JSON form): one entry for a report
    file, one per page for a crawl container (an export, a web archive). ``dataset``: a connection
    to a dataset's views, whose reports of the year before the cross-year rules compare with."""
    shown = str(path)
    try:
        stat = path.stat()
        raw = RawFile(path, path.name, stat.st_size, stat.st_mtime_ns)
    except OSError as exc:
        return [{"file": shown, "quarantine": {"stage": "read", "reason": f"cannot read file: {exc.strerror or exc}"}}]
    frames = parse_files([raw], limits)

    def named(source_file: str) -> str:  # a page of a container: the path, then its locator
        return shown if source_file == path.name else shown + source_file[len(path.name) :]

    checked = []
    for q in frames.quarantine.itertuples(index=False):
        entry = {"file": named(q.source_file), "quarantine": {"stage": q.stage, "reason": q.reason}}
        if q.stage in LISTED_STAGES:  # a page that is no report, or joined to one: listed, not unreadable
            entry = {"file": entry["file"], "quarantine": None, "listed": entry["quarantine"]}
        checked.append(entry)
    across = _cross_year(dataset, frames) if dataset is not None and len(frames.reports) else None
    for report in frames.reports.itertuples(index=False):
        of = frames.indicators["report_id"] == report.report_id
        results = frames.rule_results[frames.rule_results["report_id"] == report.report_id]
        facts = frames.narrative_facts[frames.narrative_facts["report_id"] == report.report_id]
        entry = _checked_report(named(report.source_file), report, frames.indicators[of], results, facts)
        if across is not None:
            _add_cross_year(entry, across[across["report_id"] == report.report_id], int(report.report_year))
        checked.append(entry)
    order = {name: i for i, name in enumerate(frames.pages["source_file"])} if frames.pages is not None else {}
    return sorted(checked, key=lambda entry: order.get(_locator(entry["file"], shown, path.name), 0))


def _cross_year(connection, frames) -> pd.DataFrame:
    """The cross-year rules of the file's reports against the dataset's reports of the same agency
    and the year before (:mod:`expectations.cross_year`, the SQL the dataset's views use)."""
    connection.register("checked_reports", frames.reports[["report_id", "agency_id", "report_year", "template",
                                                           "source_file"]])  # fmt: skip
    cells = ["report_id", "table_id", "indicator_code", "column_code", "value", "value_status", "value_raw"]
    connection.register("checked_cells", frames.indicators[cells])
    earlier = """SELECT r.report_id, r.agency_id, r.report_year, r.template, r.source_file FROM reports r
      WHERE (r.agency_id, r.report_year) IN
        (SELECT agency_id, report_year - 1 FROM checked_reports WHERE agency_id <> '')
        AND r.report_id NOT IN (SELECT report_id FROM checked_reports)"""
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE pair_reports AS SELECT * FROM checked_reports UNION ALL {earlier}"
    )
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE pair_cells AS SELECT {', '.join(cells)} FROM checked_cells UNION ALL "
        f"SELECT {', '.join(cells)} FROM indicators WHERE report_id IN (SELECT report_id FROM pair_reports) "
        "AND report_id NOT IN (SELECT report_id FROM checked_reports)"
    )
    return connection.execute(
        f"SELECT * FROM ({cross_year_sql('pair_reports', 'pair_cells')}) "
        "WHERE report_id IN (SELECT report_id FROM checked_reports) "
        "ORDER BY rule_id, table_id, row_code, column_code"
    ).df()


def _add_cross_year(entry: dict, results: pd.DataFrame, year: int) -> None:
    """Failed cross-year rules join the report's failed rules (warnings: the exit code stays);
    ``cross_year`` says what was compared."""
    for result in results[results["outcome"] == "fail"].itertuples(index=False):
        entry["failed_rules"].append(
            {**_rule(result), "previous_source_file": result.previous_source_file, "cells": []}
        )
    entry["cross_year"] = {
        "previous_year": year - 1,
        "previous_files": sorted(set(results["previous_source_file"])),
        "checked": int((results["outcome"] != "not_applicable").sum()),
        "failed": int((results["outcome"] == "fail").sum()),
    }


def _locator(file: str, shown: str, name: str) -> str:
    return name + file[len(shown) :]


def _checked_report(shown: str, report, indicators: pd.DataFrame, results: pd.DataFrame, facts: pd.DataFrame) -> dict:
    template = report.template
    cells = {(r.table_id, r.indicator_code, r.column_code): cell_view(r) for r in indicators.itertuples(index=False)}
    by_code = {(c["row_code"], c["column_code"]): c for c in cells.values()}
    rules = {rule.rule_id: rule for rule in load_rules()}
    failed = results[results["outcome"] == "fail"]
    failed_rules, disagreements = [], []
    for result in failed.itertuples(index=False):
        if result.table_id == TEXT_TABLE:
            disagreements.append(
                {
                    **_rule(result),
                    "cells": text_cells(result, template, lambda r, c: by_code.get((r, c)), rules),
                    "text": statements(result, facts),
                }
            )
        else:
            failed_rules.append(
                {**_rule(result), "cells": rule_cells(result, rules, lambda t, r, c: cells.get((t, r, c)))}
            )
    return {
        "file": shown,
        "quarantine": None,
        "report_id": report.report_id,
        "template": template,
        "agency": report.agency,
        "agency_as_written": report.agency_as_written,
        "agency_id": report.agency_id,
        "division_code": report.division_code,
        "agency_placement": report.agency_placement,
        "year": int(report.report_year),
        "year_source": report.year_source,
        "agency_source": report.agency_source,
        "source_url": report.source_url,
        "other_sources": report.other_sources,
        "title": report.title,
        "layout_notes": report.layout_notes,
        "rules_checked": int(((results["outcome"] != "not_applicable") & (results["table_id"] != TEXT_TABLE)).sum()),
        "tables": report_tables(indicators, template),
        "failed_rules": failed_rules,
        "disagreements": disagreements,
    }


def check_files(paths: list[Path], limits: ReadLimits = DEFAULT_LIMITS, dataset=None) -> list[dict]:
    return [entry for path in paths for entry in check_file(path, limits, dataset)]


def exit_code(checked: list[dict]) -> int:
    """2 when a file could not be read (wins); 1 when a rule of severity error failed; else 0."""
    if any(f.get("quarantine") for f in checked):
        return EXIT_UNREADABLE
    if any(r["severity"] == "error" for f in checked for r in f.get("failed_rules", ())):
        return EXIT_RULE_FAILED
    return EXIT_OK


# ---- the terminal form --------------------------------------------------------------------------


def render(checked: list[dict], console, text: Callable[..., object]) -> None:
    """Print ``checked`` with rich; ``text`` makes a file-derived value literal (flows.cli._text)."""
    from rich.table import Table
    from rich.text import Text

    def line(*parts) -> Text:
        """Parts are (value, style) from the file, or plain str of our own wording."""
        out = Text()
        for part in parts:
            out.append(text(*part) if isinstance(part, tuple) else Text(part))
        return out

    for file in checked:
        console.rule(text(file["file"], "bold"))
        quarantine = file.get("quarantine")
        if quarantine:
            console.print(line("cannot be read (", (quarantine["stage"], ""), "): ", (quarantine["reason"], "red")))
            continue
        listed = file.get("listed")
        if listed:
            console.print(line("not a report of its own (", (listed["stage"], ""), "): ", (listed["reason"], "")))
            continue
        console.print(
            line(
                "template ",
                (file["template"], "bold"),
                "  agency ",
                (file["agency"], "bold"),
                "  year ",
                (file["year"], "bold"),
            )
        )
        placed = "green" if file["division_code"] else "yellow"
        console.print(line("agency placed: ", (file["agency_placement"], placed)))
        sources = f"year from {file['year_source']}, agency from {file['agency_source'] or 'nowhere'}"
        console.print(line((sources, "")))
        if file["other_sources"]:
            console.print(line("joined with: ", (file["other_sources"], "")))
        if file["layout_notes"]:
            console.print(line("layout notes: ", (file["layout_notes"], "yellow")))
        involved = {
            (c["table_id"], c["row_code"], c["column_code"])
            for r in file["failed_rules"] + file["disagreements"]
            for c in r["cells"]
        }
        for table in file["tables"]:
            grid = Table(title=text(f"table {table['table_id']}"), show_lines=False, title_justify="left")
            grid.add_column("row", overflow="fold", min_width=12)
            grid.add_column("unit")
            grid.add_column("line", justify="right", style="cyan")
            for column in table["columns"]:
                grid.add_column(text(column["label"] or column["code"]), justify="right", overflow="fold")
            for row in table["rows"]:
                shown = []
                for cell in row["cells"]:
                    style = ""
                    if cell is not None and (cell["table_id"], cell["row_code"], cell["column_code"]) in involved:
                        style = "bold red"
                    elif cell is not None and MARKERS.get(cell["status"]):
                        style = "yellow"
                    shown.append(text(cell_text(cell), style))
                grid.add_row(text(row["label"]), text(row["unit"]), row_where(row), *shown)
            console.print(grid)
        console.print(
            Text("markers: " + "  ".join(f"[{m}] {what}" for m, what in LEGEND.items()), style="dim"),
        )
        if not [r for r in file["failed_rules"] if "previous_source_file" not in r]:  # its own rules
            console.print(Text(f"table rules: all {file['rules_checked']} that apply pass", style="green"))
        across = file.get("cross_year")
        if across is not None and across["previous_files"]:
            console.print(
                line(
                    f"across years: against {across['previous_year']} (",
                    (", ".join(across["previous_files"]), ""),
                    f"): {across['checked']} checked, {across['failed']} failed",
                )
            )
        elif across is not None:
            console.print(Text(f"across years: no {across['previous_year']} report of this agency in the dataset",
                               style="dim"))  # fmt: skip
        for rule in file["failed_rules"]:
            style = "red" if rule["severity"] == "error" else "yellow"
            where = "/".join(filter(None, (rule["table_id"], rule["row_code"], rule["column_code"])))
            console.print(
                line(
                    (f"{rule['rule_id']} failed ({rule['severity']}, {where}): ", style),
                    (rule["detail"], style),
                )
            )
            console.print(line("  ", (rule["description"], "dim")))
            for cell in rule["cells"]:
                console.print(_cell_line(cell, line))
        for rule in file["disagreements"]:
            console.print(line((f"{rule['rule_id']} text ↔ table: ", "yellow"), (rule["detail"], "yellow")))
            for statement in rule["text"]:
                console.print(line("  text, ", (f"line {statement['line']}", ""), ": ", (statement["sentence"], "dim")))
            for cell in rule["cells"]:
                console.print(_cell_line(cell, line))


def _cell_line(cell: dict, line: Callable[..., object]) -> object:
    column = f" / {cell['column_label']}" if cell["column_label"] else ""
    return line(
        f"  {cell['side']:<5} ",
        (f"{cell['row_code']} {cell['row_label']}{column}", ""),
        " = ",
        (cell_text(cell), "bold"),
        "  (",
        (where(cell), "cyan"),
        ")",
    )
