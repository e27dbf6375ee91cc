"""The audit site: one dataset version as static HTML, for the people who check reports.

``<dataset>/audit/index.html`` gives the version's counts; the quarantined files with their stage
and reason; the failed rules by rule, by province and by agency; a chart of reports per year with
the share that fails a rule of severity ``error``; and links to one page per audited report (a
report with a failed rule or a flagged cell: a value_status other than ok and not_applicable).
A report page shows the report's tables as printed, the cells of failed rules red (orange where
only warnings name them) and flagged cells yellow, each cell's status, note, printed text and
source line or page in its title; then each failed rule with its arithmetic and the cells it names.

Static and offline: CSS inline, the chart hand-written inline SVG, relative links only, and a
Content-Security-Policy that allows no script and no load from anywhere. Every value that comes
from a file (file names, agency names, reasons, labels) is escaped, its control characters written
out as the CLI writes them.

Built for an archive of a million reports: every list on the index is capped (its total given),
the full list of audited reports is paged, and report pages are rendered a chunk of reports per
query. Incremental: ``manifest.json`` keeps each page's fingerprint (the report's file, its
SHA-256, the parser version that read it, and this module's code), so a rerun writes only new or
changed pages and deletes those of reports no longer audited. Every file is written beside its
place and renamed into it, so a reader never sees half a page.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from flows.present.export import _replace
from flows.present.report_view import (
    LEGEND,
    MARKERS,
    cell_view,
    is_missing,
    row_where,
    rule_cells,
    tables_as_printed,
    text_cells,
)
from flows.present.report_view import statements as sentences_of
from flows.present.report_view import where as cell_where
from flows.present.safe_text import visible as _visible
from transforms.identities import load_rules
from transforms.vocabulary import NOT_FAILURES, NOT_FLAGGED, TABLE_CAPTIONS, TEXT_TABLE, sql_list

INDEX = "index.html"
MANIFEST = "manifest.json"
REPORTS_DIR = "reports"
LIST_DIR = "list"
LIST_LIMIT = 20  # rows of each list on the index
CHUNK_REPORTS = 500  # report pages rendered per query
LIST_PAGE_ROWS = 1000  # audited reports per page of the full list
CHART_YEARS = 40  # bars in the chart: the years with most reports
STAGED_DIR = ".staged"  # pages a run rendered where it parsed the rows, until the site is written

# A change to the code that renders a page rewrites every page (it is part of each fingerprint).
_RENDERING_MODULES = ("audit_site.py", "agency_pages.py", "report_view.py", "safe_text.py", "export.py")  # here
SITE_CODE = hashlib.sha256(
    b"".join((Path(__file__).with_name(name)).read_bytes() for name in _RENDERING_MODULES)
).hexdigest()[:16]

_NOT_FLAGGED_SQL = ", ".join(f"'{status}'" for status in sorted(NOT_FLAGGED))
_HEX_ID = re.compile(r"[0-9a-f]{8,64}")

CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em auto;max-width:1250px;
 padding:0 1em;color:#1f1f1f}
h1{font-size:1.45em;margin:.2em 0}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #bbb}
h3{font-size:1em;margin:.2em 0}
table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #c8c8c8;padding:2px 7px;vertical-align:top}
thead th{background:#d9e1f2;text-align:left}tbody th{font-weight:normal;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.line,td.count{color:#555;text-align:right;white-space:nowrap}
.flagged{background:#fff2cc}
.rule-fail{background:#ffc7ce;outline:2px solid #c00000;outline-offset:-2px}
.rule-warn{background:#ffe2c2;outline:2px dashed #b35900;outline-offset:-2px}
.mark{color:#7a5c00;font-size:.75em;vertical-align:super;margin-left:1px}
.more,.note{color:#555;font-style:italic}
code{background:#f3f3f3;padding:0 3px;word-break:break-all}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:1px 14px}dl.meta dt{color:#555}dl.meta dd{margin:0}
.rule{border-left:4px solid #c00000;padding:.1em .9em;margin:.9em 0;background:#fafafa}
.rule.warning{border-left-color:#b35900}
.arithmetic{font-size:1.1em}
nav{margin:.4em 0 1em}nav a{margin-right:1.2em}
svg text{font-family:inherit}
.rank{color:#555;font-size:.8em}td.na{color:#999;text-align:center}
svg.indicator-chart{border:1px solid #ddd;margin:4px 6px 4px 0;background:#fff}
"""
# Nothing runs and nothing loads: a value that escaped escaping still could not reach the network.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def write_audit_site(
    connection,
    out_dir: Path,
    data_docs_dir: Path | None = None,
    *,
    list_limit: int = LIST_LIMIT,
    chunk_reports: int = CHUNK_REPORTS,
    list_page_rows: int = LIST_PAGE_ROWS,
    workers: int = 1,
) -> Path:
    """Write the site of the version ``connection`` has the views of (``flows.dataset.views``) into
    ``out_dir``; link the GX Data Docs in ``data_docs_dir`` when they are there. The connection
    gets a temporary table while this runs. Report pages beyond the first chunk are rendered in
    ``workers`` processes when there are more than one. Returns the index's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE audit_reports AS {AUDITED_SQL}", [SITE_CODE])
    try:
        version = connection.execute("SELECT max(version) FROM dataset_version").fetchall()[0][0]
        old = _read_manifest(out_dir)
        if old is None:  # no record of what is there: start clean, no page of another version stays
            shutil.rmtree(out_dir / REPORTS_DIR, ignore_errors=True)
            old = {}
        pages = _write_report_pages(connection, out_dir, old, chunk_reports, workers)
        list_pages = _write_list_pages(connection, out_dir, list_page_rows)
        from flows.present.agency_pages import write_agency_pages  # it builds on this module's page frame

        agencies = write_agency_pages(connection, out_dir)
        index = out_dir / INDEX
        _write(index, _index_html(connection, out_dir, data_docs_dir, list_limit, list_pages, agencies))
        manifest = {"site": SITE_CODE, "version": version, "pages": pages}
        _write(out_dir / MANIFEST, json.dumps(manifest, separators=(",", ":")))
        for report_id in old:  # what is left of the old manifest: reports no longer audited
            (out_dir / page_path(report_id)).unlink(missing_ok=True)
    finally:
        connection.execute("DROP TABLE IF EXISTS temp.audit_reports")
        clear_staged_pages(out_dir)
    return index


# ---- pages rendered before the commit ------------------------------------------------------------
# A run renders a report's page in the worker that parsed it, from the rows it just made, while
# the other workers parse: the site then only moves the pages of the reports it shows into place
# (and renders from the dataset any page that was not staged: a report of an earlier run, a file
# parsed alone after a crash, a Dask run). A staged page is named by what makes the page: the
# report, its source file and that file's bytes.


def staged_name(report_id: str, source_file: str, source_sha256: str) -> str:
    key = "|".join((SITE_CODE, report_id, source_file, source_sha256))
    return hashlib.sha256(key.encode()).hexdigest()[:32] + ".html"


def stage_pages(site_dir: Path, tables: dict[str, pd.DataFrame]) -> int:
    """Render the pages the site will show of the reports in ``tables`` (a parsed batch:
    reports, indicators, rule_results, narrative_facts) into the site's staging folder; returns
    how many. Which reports, as :data:`AUDITED_SQL` chooses them: a failed rule or a flagged cell."""
    reports, cells, results = tables["reports"], tables["indicators"], tables["rule_results"]
    failed = results[results["outcome"] == "fail"]
    flagged = cells.loc[~cells["value_status"].isin(NOT_FLAGGED), "report_id"]
    audited = reports[reports["report_id"].isin(set(failed["report_id"]) | set(flagged))]
    audited = audited[~audited["report_id"].duplicated(keep=False)]  # two files, one text: the site renders it
    if audited.empty:
        return 0
    ids = set(audited["report_id"])
    with_text = set(failed.loc[failed["table_id"] == TEXT_TABLE, "report_id"])
    facts = tables["narrative_facts"]
    chunk = {
        "reports": audited,
        "cells": cells[cells["report_id"].isin(ids)],
        "failed": failed[failed["report_id"].isin(ids)],
        "facts": facts[facts["report_id"].isin(with_text)],
    }
    folder = site_dir / STAGED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    render_pages(site_dir, chunk, lambda r: folder / staged_name(r.report_id, r.source_file, r.source_sha256))
    return len(audited)


def clear_staged_pages(site_dir: Path) -> None:
    """What a run staged and the site did not take (reports not published, a run held back)."""
    shutil.rmtree(site_dir / STAGED_DIR, ignore_errors=True)


def site_is_current(out_dir: Path, version: int) -> bool:
    """Whether ``out_dir`` holds the site of ``version``, written by this code."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    current = manifest.get("site") == SITE_CODE and manifest.get("version") == version
    return current and (out_dir / INDEX).is_file()


def page_path(report_id: str) -> str:
    """A report page's path in the site, from its report_id (a hex hash; anything else is hashed),
    in folders of the id's first two characters so no folder holds a million files."""
    name = report_id if _HEX_ID.fullmatch(report_id) else hashlib.sha256(report_id.encode()).hexdigest()[:16]
    return f"{REPORTS_DIR}/{name[:2]}/{name}.html"


# ---- queries ------------------------------------------------------------------------------------

# One row per audited report, with what the index and the list need and the page's fingerprint.
AUDITED_SQL = f"""
WITH failed AS (
  SELECT report_id, count(*) FILTER (WHERE severity = 'error') AS errors,
         count(*) FILTER (WHERE severity <> 'error') AS warnings
  FROM rule_results WHERE outcome = 'fail' GROUP BY report_id
), flagged AS (
  SELECT report_id, count(*) AS flagged FROM indicators
  WHERE value_status NOT IN ({_NOT_FLAGGED_SQL}) GROUP BY report_id
)
SELECT r.report_id, r.report_year, r.agency, r.template, r.source_file, r.source_sha256,
  coalesce(f.errors, 0) AS errors, coalesce(f.warnings, 0) AS warnings, coalesce(g.flagged, 0) AS flagged,
  substr(md5(concat_ws('|', ?, r.source_file, r.source_sha256, coalesce(i.parser_version, ''))), 1, 16)
    AS fingerprint
FROM reports r
LEFT JOIN failed f USING (report_id)
LEFT JOIN flagged g USING (report_id)
LEFT JOIN inputs i USING (source_file)
WHERE f.report_id IS NOT NULL OR g.report_id IS NOT NULL
"""

COUNTS_SQL = f"""
SELECT (SELECT count(*) FROM reports) AS reports,
  (SELECT count(*) FROM indicators) AS cells,
  (SELECT count(*) FROM quarantine WHERE stage NOT IN ({sql_list(NOT_FAILURES)})) AS files_unread,
  (SELECT count(*) FROM quarantine WHERE stage = 'duplicate') AS duplicates,
  (SELECT count(*) FROM quarantine WHERE stage = 'not_a_report') AS not_reports,
  (SELECT count(*) FROM quarantine WHERE stage = 'joined') AS joined,
  (SELECT count(*) FROM failed_rules) AS rules_failed,
  (SELECT count(*) FROM audit_reports WHERE errors + warnings > 0) AS reports_with_failed_rules,
  (SELECT count(*) FROM audit_reports WHERE errors > 0) AS reports_with_errors,
  (SELECT count(*) FROM audit_reports WHERE flagged > 0) AS reports_with_flagged_cells,
  (SELECT count(*) FROM audit_reports) AS audited,
  (SELECT max(version) FROM dataset_version) AS version,
  (SELECT max(created) FROM dataset_version) AS created
"""

# Capped lists: count(*) OVER () is taken before LIMIT, so each row carries the list's total.
QUARANTINE_SQL = f"""
SELECT source_file, stage, reason, duplicate_of, count(*) OVER () AS total
FROM quarantine ORDER BY stage IN ({sql_list(NOT_FAILURES)}), stage, source_file LIMIT ?
"""
QUARANTINE_STAGES_SQL = "SELECT stage, count(*) FROM quarantine GROUP BY stage ORDER BY 2 DESC, 1"
BY_RULE_SQL = """
SELECT rule_id, min(severity) AS severity, min(description) AS description,
  count(DISTINCT report_id) AS reports, count(*) AS failures, count(*) OVER () AS total
FROM failed_rules
GROUP BY rule_id ORDER BY reports DESC, failures DESC, rule_id LIMIT ?
"""
BY_PROVINCE_SQL = """
SELECT coalesce(nullif(a.province, ''), '(not placed)') AS province, count(*) AS reports,
  count(*) FILTER (WHERE x.errors + x.warnings > 0) AS failing, coalesce(sum(x.errors + x.warnings), 0) AS failures,
  count(*) OVER () AS total
FROM reports r LEFT JOIN agencies a USING (agency_id) LEFT JOIN audit_reports x USING (report_id)
GROUP BY 1 ORDER BY failing DESC, reports DESC, province LIMIT ?
"""
BY_AGENCY_SQL = """
SELECT coalesce(any_value(a.name), any_value(r.agency)) AS agency,
  coalesce(nullif(any_value(a.province), ''), '(not placed)') AS province, count(*) AS reports,
  count(*) FILTER (WHERE x.errors + x.warnings > 0) AS failing, coalesce(sum(x.errors + x.warnings), 0) AS failures,
  count(*) OVER () AS total
FROM reports r LEFT JOIN agencies a USING (agency_id) LEFT JOIN audit_reports x USING (report_id)
GROUP BY coalesce(nullif(r.agency_id, ''), 'name:' || r.agency)
HAVING failing > 0
ORDER BY failing DESC, failures DESC, agency LIMIT ?
"""
BY_YEAR_SQL = """
SELECT r.report_year, count(*) AS reports, count(*) FILTER (WHERE x.errors > 0) AS with_errors
FROM reports r LEFT JOIN audit_reports x USING (report_id)
GROUP BY 1 ORDER BY reports DESC, 1 LIMIT ?
"""
LISTED_COLUMNS = "report_id, agency, report_year, template, errors, warnings, flagged, source_file"
TOP_REPORTS_SQL = f"""
SELECT {LISTED_COLUMNS} FROM audit_reports
ORDER BY errors DESC, warnings DESC, flagged DESC, agency, report_year, report_id LIMIT ?
"""


def _in_ids(sql: str) -> str:
    return f"{sql} report_id IN (SELECT unnest(CAST(? AS VARCHAR[])))"


# ---- report pages ---------------------------------------------------------------------------------


def _write_report_pages(
    connection, out_dir: Path, old: dict[str, str], chunk_reports: int, workers: int = 1
) -> dict[str, str]:
    """Write the pages whose fingerprint changed (or whose file is gone), a chunk at a time, in
    (year, report_id) order so each chunk reads few year partitions. Pops every audited report
    from ``old``, which is left with the pages to delete; returns the new page → fingerprint."""
    pages: dict[str, str] = {}
    pending: list[str] = []
    with _Renderer(out_dir, workers) as renderer:
        after = (-(2**15), "")  # keyset paging over the temporary table: the same connection reads
        while True:
            rows = connection.execute(
                "SELECT report_year, report_id, fingerprint, source_file, source_sha256 FROM audit_reports"
                " WHERE (report_year, report_id) > (?, ?) ORDER BY report_year, report_id LIMIT ?",
                [*after, 10 * chunk_reports],
            ).fetchall()
            if not rows:
                break
            after = rows[-1][:2]
            for _, report_id, fingerprint, source_file, sha256 in rows:
                pages[report_id] = fingerprint
                path = out_dir / page_path(report_id)
                if old.pop(report_id, None) == fingerprint and path.is_file():
                    continue
                staged = out_dir / STAGED_DIR / staged_name(report_id, source_file, sha256)
                if staged.is_file():  # rendered by the worker that parsed it
                    path.parent.mkdir(parents=True, exist_ok=True)
                    staged.replace(path)
                else:
                    pending.append(report_id)
                if len(pending) == chunk_reports:
                    renderer.render(_chunk_frames(connection, pending))
                    pending = []
        if pending:
            renderer.render(_chunk_frames(connection, pending))
    return pages


class _Renderer:
    """Renders chunks of pages: the first here, the rest in worker processes when there are more
    than one (a site of one chunk never waits for processes to start). At most one chunk per
    worker waits, so memory stays a few chunks whatever the site's size."""

    def __init__(self, out_dir: Path, workers: int) -> None:
        self.out_dir, self.workers = out_dir, workers
        self.pool = None
        self.in_flight: collections.deque = collections.deque()
        self.chunks = 0

    def render(self, frames: dict[str, pd.DataFrame]) -> None:
        self.chunks += 1
        if self.workers <= 1 or self.chunks == 1:
            render_pages(self.out_dir, frames)
            return
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        while len(self.in_flight) >= 2 * self.workers:
            self.in_flight.popleft().result()  # a failed chunk fails the site, as it would inline
        self.in_flight.append(self.pool.submit(render_pages, self.out_dir, frames))

    def __enter__(self) -> _Renderer:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            while self.in_flight:
                self.in_flight.popleft().result()
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)


def _chunk_frames(connection, report_ids: list[str]) -> dict[str, pd.DataFrame]:
    """What the pages of ``report_ids`` show, read on the site's connection."""
    reports = connection.execute(_in_ids("SELECT * FROM reports WHERE"), [report_ids]).df()
    years = reports["report_year"].astype(int)
    cells = connection.execute(  # the year bounds let DuckDB skip the other years' partitions
        _in_ids("SELECT * FROM indicators WHERE report_year BETWEEN ? AND ? AND"),
        [int(years.min()), int(years.max()), report_ids],
    ).df()
    failed = connection.execute(_in_ids("SELECT * FROM rule_results WHERE outcome = 'fail' AND"), [report_ids]).df()
    with_text = failed.loc[failed["table_id"] == TEXT_TABLE, "report_id"].unique().tolist()
    facts = connection.execute(_in_ids("SELECT * FROM narrative_facts WHERE"), [with_text]).df()
    return {"reports": reports, "cells": cells, "failed": failed, "facts": facts}


def render_pages(out_dir: Path, chunk: dict[str, pd.DataFrame], path_of=None) -> None:
    """Write the pages of one chunk (:func:`_chunk_frames`); runs in a worker process too.
    ``path_of(report)``: where a report's page goes (default: its place in the site)."""
    reports, cells, failed, facts = chunk["reports"], chunk["cells"], chunk["failed"], chunk["facts"]
    # Python objects, not Arrow-backed strings: rendering walks every cell, and iterating an Arrow
    # array element by element was most of a page's time. Each frame is walked once for the
    # chunk, as named tuples grouped by report, not sliced per report.
    failed = _plain_objects(failed).sort_values(FAILED_ORDER, kind="stable")
    facts = _plain_objects(facts)
    by_report = {name: _rows_by_report(frame) for name, frame in (("cells", cells), ("failed", failed))}
    grouped_facts = dict(tuple(facts.groupby("report_id", sort=False)))
    folders: set[Path] = set()
    for report in _plain_objects(reports).itertuples(index=False):
        path = path_of(report) if path_of is not None else out_dir / page_path(report.report_id)
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        page = _report_html(
            report,
            by_report["cells"].get(report.report_id, []),
            by_report["failed"].get(report.report_id, []),
            grouped_facts.get(report.report_id, facts.iloc[0:0]),
        )
        _write(path, page)


FAILED_ORDER = ["severity", "rule_id", "table_id", "row_code", "column_code"]  # a page lists failed rules so


def _rows_by_report(frame: pd.DataFrame) -> dict[str, list]:
    rows: dict[str, list] = {}
    for row in _plain_objects(frame).itertuples(index=False):
        rows.setdefault(row.report_id, []).append(row)
    return rows


def _plain_objects(frame: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype) and frame[c].dtype != object]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def _report_html(report, cells: list, failed: list, facts: pd.DataFrame) -> str:
    """One report's page: its header, its failed rules with their arithmetic, its tables as printed.
    ``cells`` and ``failed``: the report's rows of ``indicators`` and its failed ``rule_results``
    (in :data:`FAILED_ORDER`), as named tuples."""
    template = report.template or ""
    order = {table_id: rank for rank, table_id in enumerate(TABLE_CAPTIONS)}
    cells = sorted(cells, key=lambda c: (order.get(c.table_id, len(order)), c.row_order))  # stable
    found = {(c.table_id, c.indicator_code, c.column_code): cell_view(c) for c in cells}
    by_code = {(c["row_code"], c["column_code"]): c for c in found.values()}
    anchors = {key: f"c{number}" for number, key in enumerate(found)}
    rules = {rule.rule_id: rule for rule in load_rules()}
    marks: dict[tuple, list[tuple[str, str]]] = {}  # cell → (severity, what the rule says)
    sections = []
    for number, result in enumerate(failed, start=1):
        if result.table_id == TEXT_TABLE:
            named = text_cells(result, template, lambda r, c: by_code.get((r, c)), rules)
            statements = sentences_of(result, facts)
        else:
            named = rule_cells(result, rules, lambda t, r, c: found.get((t, r, c)))
            statements = []
        for cell in named:
            key = (cell["table_id"], cell["row_code"], cell["column_code"])
            marks.setdefault(key, []).append((result.severity, f"{result.rule_id} failed: {result.detail}"))
        sections.append(_rule_html(number, result, named, statements, anchors))
    depth = {c.indicator_code: c.row_path.count("/") if isinstance(c.row_path, str) else 0 for c in cells}
    printed = tables_as_printed(cells, template, found)
    tables = [_table_html(table, report, depth, marks, anchors) for table in printed]
    flagged = [c for c in found.values() if c["status"] not in NOT_FLAGGED]
    errors = sum(result.severity == "error" for result in failed)
    title = f"{_visible(report.agency)} {_year(report.report_year)}"
    body = [
        f'<nav><a href="../../{INDEX}">← audit index</a></nav>',
        f"<h1>{_e(title)}</h1>",
        _meta_html(report),
        f'<p id="summary">{errors} failed rule(s) of severity error, {len(failed) - errors} warning(s), '
        f"{len(flagged)} flagged cell(s).</p>",
        _LEGEND_HTML,
        '<h2 id="failed-rules">Failed rules</h2>',
        *(sections or ['<p class="note">No rule failed.</p>']),
        *tables,
    ]
    if flagged:
        body += ['<h2 id="flagged-cells">Flagged cells</h2>', _flagged_html(flagged, anchors)]
    return _page(title, "\n".join(body))


def _meta_html(report) -> str:
    fields = [
        ("agency", report.agency),
        ("agency as written", report.agency_as_written),
        ("year", _year(report.report_year)),
        ("template", report.template),
        ("title", report.title),
        ("table title", report.table_title),
        ("source file", report.source_file),
        ("SHA-256", report.source_sha256),
        ("encoding", report.encoding),
        ("report_id", report.report_id),
        ("layout notes", report.layout_notes),
    ]
    rows = "".join(f"<dt>{name}</dt><dd>{_e(value)}</dd>" for name, value in fields if not _is_blank(value))
    return f'<dl class="meta" id="report-meta">{rows}</dl>'


def _rule_html(number: int, result, named: list[dict], statements: list[dict], anchors: dict) -> str:
    where = " / ".join(_visible(p) for p in (result.table_id, result.row_code, result.column_code) if p)
    severity = "warning" if result.severity != "error" else "error"
    rows = "".join(
        f"<tr><td>{_e(c['side'])}</td><td>{_cell_link(c, anchors)}</td><td>{_e(c['row_label'])}</td>"
        f'<td>{_e(c["column_label"])}</td><td class="num">{_e(c["raw"])}</td>'
        f'<td class="line">{_e(cell_where(c))}</td></tr>'
        for c in named
    )
    cells = (
        '<table class="named-cells"><thead><tr><th>side</th><th>row</th><th>label</th><th>column</th>'
        f"<th>printed</th><th>line</th></tr></thead><tbody>{rows}</tbody></table>"
        if named
        else ""
    )
    text = "".join(f"<li>line {_e(s['line'])}: {_e(s['sentence'])}</li>" for s in statements)
    statements_html = f'<p>The text says:</p><ul class="statements">{text}</ul>' if text else ""
    return (
        f'<section class="rule {severity}" id="rule-{number}" data-rule="{_e(result.rule_id)}">'
        f'<h3><span class="rule-id">{_e(result.rule_id)}</span> failed ({severity}, {_e(where)})</h3>'
        f'<p class="description">{_e(result.description)}</p>'
        f'<p class="arithmetic"><code>{_e(result.detail)}</code></p>'
        f'<p>expected <b class="expected">{_number(result.expected)}</b>, '
        f'printed <b class="actual">{_number(result.actual)}</b></p>'
        f"{cells}{statements_html}</section>"
    )


def _table_html(table: dict, report, depth: dict, marks: dict, anchors: dict) -> str:
    caption = TABLE_CAPTIONS.get(table["table_id"], table["table_id"])
    if table["table_id"] in ("stat", "local") and not _is_blank(report.table_title):
        caption = f"{caption}: {_visible(report.table_title)}"
    headers = "".join(f"<th>{_e(c['label'] or c['code'])}</th>" for c in table["columns"])
    rows = []
    for row in table["rows"]:
        indent = f' style="padding-left:{0.4 + 1.2 * depth.get(row["row_code"], 0):.1f}em"'
        shown = "".join(_grid_cell(cell, marks, anchors) for cell in row["cells"])
        rows.append(
            f'<tr><th{indent} title="{_e(row["row_code"])}">{_e(row["label"])}</th><td>{_e(row["unit"])}</td>'
            f'<td class="line">{_e(row_where(row))}</td>{shown}</tr>'
        )
    return (
        f'<h2 id="table-{_e(table["table_id"])}">{_e(caption)}</h2>'
        f'<table class="printed" data-table="{_e(table["table_id"])}"><thead><tr><th>指标</th><th>单位</th>'
        f"<th>line</th>{headers}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


FLAG_NOTES = (("note", "note"), ("printed", "raw"))  # what a flagged cell's title adds: (name, field)


def _grid_cell(cell: dict | None, marks: dict, anchors: dict) -> str:
    """A cell as printed; its status, note, printed text, line and the rules naming it in its title."""
    if cell is None:
        return "<td></td>"
    key = (cell["table_id"], cell["row_code"], cell["column_code"])
    classes, notes = ["num"], [cell_where(cell)]
    if cell["status"] not in NOT_FLAGGED:
        classes.append("flagged")
        notes.append(f"status: {cell['status']}")
        notes += [f"{name}: {_visible(cell[field])}" for name, field in FLAG_NOTES if not _is_blank(cell[field])]
    rule_marks = marks.get(key, [])
    if rule_marks:
        classes.append("rule-fail" if any(s == "error" for s, _ in rule_marks) else "rule-warn")
        notes += [_visible(what) for _, what in rule_marks]
    marker = MARKERS.get(cell["status"], "?")
    mark = f'<span class="mark">{marker}</span>' if marker else ""
    return (
        f'<td id="{anchors[key]}" class="{" ".join(classes)}" title="{_e(chr(10).join(notes), visible=False)}" '
        f'data-status="{_e(cell["status"])}">{_e(cell["raw"])}{mark}</td>'
    )


def _flagged_html(flagged: list[dict], anchors: dict) -> str:
    rows = "".join(
        f"<tr><td>{_cell_link(c, anchors)}</td><td>{_e(c['row_label'])}</td><td>{_e(c['column_label'])}</td>"
        f"<td>{_e(c['status'])}</td><td>{_e(c['raw'])}</td><td>{_e(c['note'])}</td>"
        f'<td class="line">{_e(cell_where(c))}</td></tr>'
        for c in flagged
    )
    return (
        '<table id="flagged"><thead><tr><th>row</th><th>label</th><th>column</th><th>status</th><th>printed</th>'
        f"<th>note</th><th>line</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _cell_link(cell: dict, anchors: dict) -> str:
    anchor = anchors.get((cell["table_id"], cell["row_code"], cell["column_code"]))
    code = _e(cell["row_code"])
    return f'<a href="#{anchor}">{code}</a>' if anchor else code


_LEGEND_HTML = (
    '<p class="legend"><span class="rule-fail">&nbsp;red&nbsp;</span> a cell of a failed rule · '
    '<span class="rule-warn">&nbsp;orange&nbsp;</span> a cell only failed warnings name · '
    '<span class="flagged">&nbsp;yellow&nbsp;</span> a flagged cell (status not ok) · markers: '
    + " · ".join(f"<b>{m}</b> {html.escape(what)}" for m, what in LEGEND.items())
    + ". Point at a cell for its line, status, note and rules.</p>"
)


# ---- the full list and the index --------------------------------------------------------------------


def _write_list_pages(connection, out_dir: Path, rows_per_page: int) -> int:
    """Every audited report, by agency and year, ``rows_per_page`` a page (prev/next); returns
    the number of pages. Pages of a longer list before are removed."""
    folder = out_dir / LIST_DIR
    folder.mkdir(exist_ok=True)
    total = connection.execute("SELECT count(*) FROM audit_reports").fetchall()[0][0]
    count = -(-total // rows_per_page)
    for number in range(1, count + 1):
        rows = connection.execute(
            f"SELECT {LISTED_COLUMNS} FROM audit_reports ORDER BY agency, report_year, report_id LIMIT ? OFFSET ?",
            [rows_per_page, (number - 1) * rows_per_page],
        ).fetchall()
        body = (
            f"{paging_nav(number, count, _list_name)}<h1>Audited reports, page {number} of {count}</h1>"
            f"<p>{total:,} reports with a failed rule or a flagged cell, by agency and year.</p>"
            + _reports_table(rows, "../")
        )
        _write(folder / _list_name(number), _page(f"Audited reports {number}/{count}", body))
    for stale in folder.glob("*.html"):
        if not re.fullmatch(r"\d+", stale.stem) or not 1 <= int(stale.stem) <= count:
            stale.unlink(missing_ok=True)
    return count


def paging_nav(number: int, count: int, name_of) -> str:
    """The navigation of page ``number`` of ``count`` in a folder below the index: back to the
    index, previous, next (``name_of(n)``: page n's file name)."""
    nav = [f'<a href="../{INDEX}">← audit index</a>']
    if number > 1:
        nav.append(f'<a href="{name_of(number - 1)}" rel="prev">previous</a>')
    if number < count:
        nav.append(f'<a href="{name_of(number + 1)}" rel="next">next</a>')
    return f"<nav>{''.join(nav)}</nav>"


def _list_name(number: int) -> str:
    return f"{number:04d}.html"


def _reports_table(rows: list[tuple], root: str) -> str:
    body = "".join(
        f'<tr><td><a href="{root}{page_path(report_id)}">{_e(agency) or "(no agency)"}</a></td>'
        f'<td>{_year(year)}</td><td>{_e(template)}</td><td class="count">{errors}</td>'
        f'<td class="count">{warnings}</td><td class="count">{flagged}</td><td>{_e(source_file)}</td></tr>'
        for report_id, agency, year, template, errors, warnings, flagged, source_file in rows
    )
    return (
        '<table class="reports"><thead><tr><th>agency</th><th>year</th><th>template</th><th>errors</th>'
        f"<th>warnings</th><th>flagged cells</th><th>source file</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _index_html(
    connection, out_dir: Path, data_docs_dir: Path | None, limit: int, list_pages: int, agencies: int = 0
) -> str:
    counts = _one_row(connection, COUNTS_SQL)
    version = counts["version"]
    nav = []
    if data_docs_dir is not None and (data_docs_dir / "index.html").is_file():
        docs = Path(os.path.relpath(data_docs_dir / "index.html", out_dir)).as_posix()
        nav.append(f'<a href="{_e(quote(docs))}">GX Data Docs</a>')
    if list_pages:
        nav.append(f'<a href="{LIST_DIR}/{_list_name(1)}">every audited report ({list_pages} page(s))</a>')
    if agencies:
        nav.append(
            f'<a id="agencies-link" href="agencies/{INDEX}">agencies and regions: indicators and ranks '
            f"({agencies:,} agencies)</a>"
        )
    body = [
        f"<h1>xxgk audit: dataset version {_e(version)}</h1>",
        f"<p>Committed {_e(counts['created'])}.</p>",
        f"<nav>{''.join(nav)}</nav>" if nav else "",
        _counts_html(counts),
        '<h2 id="by-year">Reports per year</h2>',
        _year_chart(connection.execute(BY_YEAR_SQL, [CHART_YEARS]).fetchall(), counts["reports"]),
        '<h2 id="failed-by-rule">Failed rules by rule</h2>',
        _capped_table(
            connection.execute(BY_RULE_SQL, [limit]).fetchall(),
            ["rule", "severity", "description", "reports", "failures"],
            "rules",
            "failed-rules",
        ),
        '<h2 id="failed-by-province">Failed rules by province</h2>',
        _capped_table(
            _with_share(connection.execute(BY_PROVINCE_SQL, [limit]).fetchall()),
            ["province", "reports", "with failed rules", "share", "failures"],
            "provinces",
            "provinces",
        ),
        '<h2 id="failed-by-agency">Failed rules by agency</h2>',
        _capped_table(
            _with_share(connection.execute(BY_AGENCY_SQL, [limit]).fetchall(), first=2),
            ["agency", "province", "reports", "with failed rules", "share", "failures"],
            "agencies with failed rules",
            "agencies",
        ),
        '<h2 id="quarantine">Quarantined files</h2>',
        _quarantine_html(connection, limit),
        '<h2 id="reports">Audited reports</h2>',
        _top_reports_html(connection, counts["audited"], limit, list_pages),
    ]
    return _page(f"xxgk audit: version {version}", "\n".join(body))


def _counts_html(counts: dict) -> str:
    shown = [
        ("dataset version", counts["version"]),
        ("reports", counts["reports"]),
        ("cells", counts["cells"]),
        ("files quarantined (not read)", counts["files_unread"]),
        ("duplicates quarantined", counts["duplicates"]),
        ("pages that are not annual reports", counts["not_reports"]),
        ("pages joined to another page's report", counts["joined"]),
        ("rules failed", counts["rules_failed"]),
        ("reports with failed rules", counts["reports_with_failed_rules"]),
        ("reports with a failed rule of severity error", counts["reports_with_errors"]),
        ("reports with flagged cells", counts["reports_with_flagged_cells"]),
    ]
    rows = "".join(f'<tr><th>{name}</th><td class="count">{_number(value)}</td></tr>' for name, value in shown)
    return f'<table id="counts"><tbody>{rows}</tbody></table>'


def _with_share(rows: list[tuple], first: int = 1) -> list[tuple]:
    """(keys…, reports, failing, failures, total) → (keys…, reports, failing, share, failures, total)."""
    return [
        (*row[:first], row[first], row[first + 1], f"{row[first + 1] / row[first]:.1%}", *row[first + 2 :])
        for row in rows
    ]


def _capped_table(rows: list[tuple], headers: list[str], what: str, table_id: str) -> str:
    """Rows whose last column is the list's total; an "and N more" line when the list is cut."""
    if not rows:
        return f'<p class="note">No {_e(what)}.</p>'
    total = rows[0][-1]
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_value_cell(value) for value in row[:-1]) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>' + _more(
        total, len(rows), what
    )


def _value_cell(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="count">{_number(value)}</td>'
    return f"<td>{_e(value)}</td>"


def _more(total: int, shown: int, what: str) -> str:
    return f'<p class="more">and {total - shown:,} more ({total:,} {what} in all)</p>' if total > shown else ""


def _quarantine_html(connection, limit: int) -> str:
    rows = connection.execute(QUARANTINE_SQL, [limit]).fetchall()
    if not rows:
        return '<p class="note">No file was quarantined.</p>'
    stages = ", ".join(f"{_e(stage)} {n:,}" for stage, n in connection.execute(QUARANTINE_STAGES_SQL).fetchall())
    body = "".join(
        f"<tr><td>{_e(source_file)}</td><td>{_e(stage)}</td><td>{_e(reason)}</td><td>{_e(duplicate_of)}</td></tr>"
        for source_file, stage, reason, duplicate_of, _ in rows
    )
    return (
        f"<p>By stage: {stages}. Files that could not be read first, then duplicates, pages joined to "
        "another page's report, and pages that are not disclosure annual reports (not_a_report).</p>"
        '<table id="quarantined"><thead><tr><th>file</th><th>stage</th><th>reason</th><th>duplicate of</th></tr>'
        f"</thead><tbody>{body}</tbody></table>" + _more(rows[0][-1], len(rows), "files quarantined")
    )


def _top_reports_html(connection, audited: int, limit: int, list_pages: int) -> str:
    if not audited:
        return '<p class="note">No report has a failed rule or a flagged cell.</p>'
    rows = connection.execute(TOP_REPORTS_SQL, [limit]).fetchall()
    intro = "<p>Most errors first; each links to the report's tables as printed.</p>"
    more = ""
    if audited > len(rows):
        more = (
            f'<p class="more">and {audited - len(rows):,} more: <a href="{LIST_DIR}/{_list_name(1)}">'
            f"all {audited:,} by agency and year</a> ({list_pages} page(s))</p>"
        )
    return intro + _reports_table(rows, "") + more


def _year_chart(rows: list[tuple[int, int, int]], reports: int) -> str:
    """Bars: reports per year (their number above); a line: the share with a failed rule of severity
    error (its percentage under the year). Years with most reports when there are too many."""
    if not rows:
        return '<p class="note">No reports.</p>'
    rows = sorted(rows)
    slot, left, top, plot_height, right = 54, 56, 40, 200, 56
    width = max(left + slot * len(rows) + right, 560)  # room for the legend
    height = top + plot_height + 56
    peak = max(n for _, n, _ in rows)
    bottom = top + plot_height
    peak_y = bottom - 0.9 * plot_height  # the tallest bar's number stays clear of the 100% line
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="year-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="year-chart-title">',
        '<title id="year-chart-title">Reports per year, and the share with a failed rule of severity error</title>',
        f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" stroke="#444"/>',
        f'<text x="{left - 6}" y="{peak_y + 4:.1f}" text-anchor="end" font-size="11">{peak:,}</text>',
        f'<text x="{left - 6}" y="{bottom}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{width - right + 6}" y="{top + 4}" font-size="11" fill="#c00000">100%</text>',
        f'<text x="{width - right + 6}" y="{bottom}" font-size="11" fill="#c00000">0%</text>',
        f'<rect x="{left}" y="6" width="12" height="12" fill="#8eb4e3"/>'
        f'<text x="{left + 16}" y="16" font-size="12">reports</text>'
        f'<line x1="{left + 90}" y1="12" x2="{left + 110}" y2="12" stroke="#c00000" stroke-width="2"/>'
        f'<text x="{left + 114}" y="16" font-size="12">share with a failed rule of severity error</text>',
    ]
    points = []
    for number, (year, count, with_errors) in enumerate(rows):
        x = left + slot * number
        bar = (bottom - peak_y) * count / peak
        share = with_errors / count if count else 0
        middle = x + slot / 2
        points.append(f"{middle:.1f},{bottom - plot_height * share:.1f}")
        parts.append(
            f'<g class="year" data-year="{year}" data-reports="{count}" data-with-errors="{with_errors}">'
            f'<rect x="{x + 8}" y="{bottom - bar:.1f}" width="{slot - 16}" height="{bar:.1f}" fill="#8eb4e3"/>'
            f'<text x="{middle:.1f}" y="{bottom - bar - 4:.1f}" text-anchor="middle" font-size="11">{count:,}</text>'
            f'<text x="{middle:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="12">{year}</text>'
            f'<text x="{middle:.1f}" y="{bottom + 32}" text-anchor="middle" font-size="11" fill="#c00000">'
            f"{share:.0%}</text></g>"
        )
    parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#c00000" stroke-width="2"/>')
    parts += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="#c00000"/>' for p in points]
    parts.append("</svg>")
    shown = sum(n for _, n, _ in rows)
    note = f'<p class="more">{reports - shown:,} reports of other years not shown.</p>' if shown < reports else ""
    return "".join(parts) + note


# ---- text, numbers, files -------------------------------------------------------------------------


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _e(value: object, visible: bool = True) -> str:
    """A value for HTML text or an attribute: escaped, its control characters written out (or kept
    when the caller did that part by part and joined them with newlines)."""
    if type(value) is str and visible:  # labels, codes and statuses repeat on every page
        return _escaped_text(value)
    if _is_blank(value):
        return ""
    return html.escape(_visible(value) if visible else str(value), quote=True)


@functools.lru_cache(maxsize=1 << 16)
def _escaped_text(value: str) -> str:
    return html.escape(_visible(value), quote=True) if value else ""


def _is_blank(value: object) -> bool:
    return is_missing(value) or value == ""


def _number(value: object) -> str:
    if is_missing(value):
        return ""
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,.4f}".rstrip("0")


def _year(value: object) -> str:
    return "" if is_missing(value) else str(int(value))


def _one_row(connection, sql: str) -> dict:
    cursor = connection.execute(sql)
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchall()[0], strict=True))


def _read_manifest(out_dir: Path) -> dict[str, str] | None:
    """Page → fingerprint of the site written before; None when there is no readable record."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        pages = manifest["pages"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pages if isinstance(pages, dict) else None


def _write(path: Path, text: str) -> None:
    _replace(path, lambda target: target.write_text(text, encoding="utf-8"), follow_links=False)  # our own files
