"""The DuckDB file: views over the curated Parquet, plus analyst views. No second copy of the data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from expectations.cross_year import cross_year_sql
from flows import faults
from flows.dataset.indicator_views import indicator_view_statements
from flows.dataset.store import DatasetVersion, Store
from transforms.layouts import template_layout
from transforms.schemas import CURATED_TABLES, TableSchema
from transforms.vocabulary import LISTED, NOT_A_REPORT, NOT_FAILURES, sql_list

_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.date32(): "DATE",
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _table_view_sql(connection, store: Store, schema: TableSchema, files: list[str], httpfs: bool = False) -> str:
    """Columns in schema order and types, whatever order Parquet/hive partitioning gives them,
    over exactly the files of one version. A column an older version's files do not have (it
    was added since) reads as null, so time travel still works across an upgrade."""
    if not files:  # an empty table has no files to read: an empty, typed view
        nulls = ", ".join(f'CAST(NULL AS {_DUCKDB_TYPES[c.type]}) AS "{c.name}"' for c in schema.columns)
        return f"CREATE VIEW {schema.name} AS SELECT {nulls} WHERE false"
    source = store.parquet_source(connection, schema.name, files)
    present = {row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    if httpfs:  # for a DuckDB that reads s3:// itself: the same files by their URLs
        listed = ", ".join(_quote(f) for f in files)
        source = f"read_parquet([{listed}], hive_partitioning = {bool(schema.partition_by)})"
    read = {c.name: f'"{c.name}"' if c.name in present else "NULL" for c in schema.columns}
    columns = ", ".join(f'CAST({read[c.name]} AS {_DUCKDB_TYPES[c.type]}) AS "{c.name}"' for c in schema.columns)
    return f"CREATE VIEW {schema.name} AS SELECT {columns} FROM {source}"


def view_statements(connection, store: Store, version: DatasetVersion, httpfs: bool = False) -> list[str]:
    """Every view of one dataset version, the analyst views included. On object storage the
    tables' files are registered on ``connection``, so the views work on that connection only;
    ``httpfs``: the views read the files by URL instead, for a DuckDB with the httpfs extension."""
    statements = [
        _table_view_sql(connection, store, s, store.files(version, s.name), httpfs) for s in CURATED_TABLES.values()
    ]
    statements.append(
        f"CREATE VIEW dataset_version AS SELECT {version.version} AS version, "
        f"CAST({_quote(version.created)} AS TIMESTAMPTZ) AS created, {_quote(version.operation)} AS operation"
    )
    return [*statements, *ANALYST_VIEWS.values(), _t3_grid_sql(), year_over_year_sql(), *indicator_view_statements()]


def _t3_grid_sql() -> str:
    """表三 as printed: one row per report and result row, one column per applicant type."""
    columns = [c.code for c in template_layout("fmt_2021").tables["t3"].columns]
    pivots = ",\n  ".join(f'MAX(i.value) FILTER (WHERE i.column_code = {_quote(c)}) AS "{c}"' for c in columns)
    return f"""CREATE VIEW t3_grid AS
SELECT i.report_id, i.report_year, i.agency, i.template, i.indicator_code, c.label_en, i.row_path,
  {pivots},
  string_agg(DISTINCT i.value_status, ', ' ORDER BY i.value_status) AS value_statuses,
  MIN(i.row_order) AS row_order
FROM indicators i LEFT JOIN catalog c ON c.code = i.indicator_code
WHERE i.table_id = 't3'
GROUP BY ALL"""


# The report_summary concepts followed year over year (concepts.csv says which cells of each
# template family measure them, so a 2018 统计表 and a 2019 表三 line up where the meaning matches).
YEAR_OVER_YEAR_MEASURES = ("received", "answered", "carried_over", "carried_forward", "reviews", "lawsuits")


def year_over_year_sql() -> str:
    """Per agency and year: each measure, last year's, and the change. Two reports of one agency
    and year (a re-issue) give a value only where they agree: never a pick between numbers."""
    agreed = ",\n  ".join(
        f"CASE WHEN count(DISTINCT s.{m}) <= 1 THEN max(s.{m}) END AS {m}" for m in YEAR_OVER_YEAR_MEASURES
    )
    compared = ",\n  ".join(
        f"y.{m}, p.{m} AS {m}_previous, y.{m} - p.{m} AS {m}_change, "
        f"CASE WHEN p.{m} <> 0 THEN (y.{m} - p.{m}) / p.{m} END AS {m}_change_relative"
        for m in YEAR_OVER_YEAR_MEASURES
    )
    return f"""CREATE VIEW agency_year_over_year AS
WITH yearly AS (
  SELECT r.agency_id, r.report_year, count(*) AS reports,
  string_agg(r.report_id, '|' ORDER BY r.report_id) AS report_ids,
  {agreed}
  FROM reports r JOIN report_summary s USING (report_id)
  WHERE r.agency_id <> ''
  GROUP BY r.agency_id, r.report_year
)
SELECT y.agency_id, a.name AS agency, a.level, a.division_code, a.province, a.city, a.county,
  y.report_year, p.report_year AS previous_year, y.reports, y.report_ids,
  {compared}
FROM yearly y
LEFT JOIN yearly p ON p.agency_id = y.agency_id AND p.report_year = y.report_year - 1
LEFT JOIN agencies a ON a.agency_id = y.agency_id
ORDER BY y.agency_id, y.report_year"""


ANALYST_VIEWS = {
    "cross_year_results": f"CREATE VIEW cross_year_results AS {cross_year_sql()}",
    "indicators_en": """CREATE VIEW indicators_en AS
SELECT i.report_id, i.report_year, i.agency, i.template, i.table_id, i.indicator_code,
       c.label_en, i.row_path, i.column_code, k.label_en AS column_label_en, i.column_label, i.unit,
       i.value, i.value_status, i.value_raw, i.catalog_status, i.source_file, i.source_line
FROM indicators i
LEFT JOIN catalog c ON c.code = i.indicator_code
LEFT JOIN catalog_columns k
  ON k.table_id = i.table_id AND k.column_code = i.column_code
 AND list_contains(string_split(k.templates, '|'), i.template)""",
    # A report's own rules, then the rules across years (expectations.cross_year) it fails against
    # the same agency's report of the year before.
    "failed_rules": """CREATE VIEW failed_rules AS
SELECT r.agency, r.report_year, r.source_file, x.rule_id, x.table_id, x.row_code, x.column_code,
       x.severity, x.description, x.expected, x.actual, x.detail, x.report_id, '' AS previous_report_id
FROM rule_results x JOIN reports r USING (report_id)
WHERE x.outcome = 'fail'
UNION ALL
SELECT r.agency, r.report_year, r.source_file, x.rule_id, x.table_id, x.row_code, x.column_code,
       x.severity, x.description, x.expected, x.actual, x.detail, x.report_id, x.previous_report_id
FROM cross_year_results x JOIN reports r USING (report_id)
WHERE x.outcome = 'fail'""",
    # Spec R6 (rule X1): this year's 上年结转 (T3.2) against last year's 结转下年度继续办理 (T3.4), per
    # column, for the same agency (agency_id: one body whatever name it prints).
    "carry_over_chain": """CREATE VIEW carry_over_chain AS
SELECT r.agency_id, r.agency, r.report_year, r.report_year - 1 AS previous_year, x.column_code,
  x.actual AS carried_over_this_year, x.expected AS carried_forward_last_year, x.outcome,
  x.report_id, x.previous_report_id
FROM cross_year_results x JOIN reports r USING (report_id)
WHERE x.rule_id = 'X1'""",
    # Names no division of their year places (or none at all), with their reports: what
    # transforms/agency_overrides.csv or division_changes.csv may settle.
    "unplaced_agencies": """CREATE VIEW unplaced_agencies AS
SELECT r.agency_id, r.agency, r.agency_as_written, r.report_year, r.agency_placement AS reason,
       r.title, r.source_file, r.report_id
FROM reports r
WHERE r.division_code = ''
ORDER BY r.agency, r.report_year, r.source_file""",
    # The 2014 统计表 series: its own rows, and the rows of older local tables that measure the same
    # thing (catalog.maps_to), this-year column only; the local code stays as source_code.
    "indicators_2014": """CREATE VIEW indicators_2014 AS
SELECT i.report_id, i.report_year, i.agency, i.template,
  coalesce(nullif(c.maps_to, ''), i.indicator_code) AS indicator_code, t.label_zh, t.label_en,
  i.indicator_code AS source_code, i.row_label AS source_label, i.column_code AS source_column, i.unit,
  i.value, i.value_status, i.value_raw, i.source_file, i.source_line
FROM indicators i
JOIN catalog c ON c.code = i.indicator_code
JOIN catalog t ON t.code = coalesce(nullif(c.maps_to, ''), i.indicator_code)
WHERE i.template = 'stat_2014'
   OR (i.template = 'local_table' AND c.maps_to <> '' AND i.column_code = 'this_year')""",
}


def build_duckdb(store: Store, version: DatasetVersion, database: Path) -> Path | None:
    """Build the database file for ``version`` beside ``database`` and return it: the caller moves
    it into place (an atomic rename) once the version is recorded. A view that cannot bind fails
    here, before anything is published.

    Paths inside views are absolute: DuckDB resolves relative paths against the reader's
    working directory, and analysts open the file from anywhere. ``xxgk run`` rewrites them.
    A dataset on object storage gets no file (its views read through pyarrow, registered per
    connection: :func:`open_version`); its views are bound here all the same, and None returned.
    """
    if store.remote:
        open_version(store, version).close()
        return None
    temporary = database.with_name(database.name + ".tmp")
    temporary.unlink(missing_ok=True)
    with duckdb.connect(str(temporary)) as connection:
        for number, statement in enumerate(view_statements(connection, store, version)):
            connection.execute(statement)
            if number == 3:
                faults.point("rebuilding")  # the file half built
        connection.execute("CHECKPOINT")
    return temporary


def views_in(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return [
            row[0]
            for row in connection.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
            ).fetchall()
        ]


def version_counts(store: Store, version: DatasetVersion) -> dict:
    """Rows of every table in ``version``, and its failed rules (across years too), counted over its files."""
    with open_version(store, version, analyst_views=False) as connection:
        rows = {name: connection.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in CURATED_TABLES}
        connection.execute(ANALYST_VIEWS["cross_year_results"])
        failed, reports = connection.execute(
            "SELECT count(*), count(DISTINCT report_id) FROM (SELECT report_id FROM rule_results WHERE outcome = 'fail'"
            " UNION ALL SELECT report_id FROM cross_year_results WHERE outcome = 'fail')"
        ).fetchall()[0]
        unread, not_reports, listed = connection.execute(
            f"SELECT count(*) FILTER (WHERE stage NOT IN ({sql_list(NOT_FAILURES)})), "
            f"count(*) FILTER (WHERE stage = '{NOT_A_REPORT}'), "
            f"count(*) FILTER (WHERE stage IN ({sql_list(LISTED)})) FROM quarantine"
        ).fetchall()[0]
    return {
        "rows": rows,
        "rules": {
            "rules_failed": failed,
            "reports_with_failed_rules": reports,
            "files_unread": unread,
            "pages_not_reports": not_reports,
            "listed": listed,
        },
    }


def open_version(store: Store, version: DatasetVersion, analyst_views: bool = True):
    """An in-memory connection with the views of ``version`` (time travel; writes nothing)."""
    connection = duckdb.connect()
    statements = view_statements(connection, store, version)
    for statement in statements if analyst_views else statements[: len(CURATED_TABLES)]:
        connection.execute(statement)
    return connection


def httpfs_script(store: Store, version: DatasetVersion) -> str:
    """The views of ``version`` as a SQL script for a DuckDB that has the httpfs extension: it then
    reads an s3:// dataset itself, with the endpoint and credentials of the AWS variables."""
    import os
    from urllib.parse import urlparse

    lines = [f"-- xxgk dataset {store.root}, version {version.version}: its views, reading the files by URL."]
    if store.remote:
        endpoint = urlparse(os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or "")
        secret = ["TYPE s3", "PROVIDER credential_chain"]
        if endpoint.netloc:
            ssl = endpoint.scheme == "https"
            secret += [f"ENDPOINT {_quote(endpoint.netloc)}", "URL_STYLE 'path'", f"USE_SSL {ssl}"]
        if os.environ.get("AWS_REGION"):
            secret.append(f"REGION {_quote(os.environ['AWS_REGION'])}")
        lines += ["INSTALL httpfs;", "LOAD httpfs;", f"CREATE OR REPLACE SECRET xxgk ({', '.join(secret)});"]
    with duckdb.connect() as connection:
        lines += [f"{statement};" for statement in view_statements(connection, store, version, httpfs=True)]
    return "\n".join(lines) + "\n"
