"""The DuckDB file: views over the curated Parquet, plus analyst views. No second copy of the data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from flows import faults
from flows.store import DatasetVersion, Store
from transforms.layouts import template_layout
from transforms.schemas import CURATED_TABLES, TableSchema

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


def _table_view_sql(schema: TableSchema, files: list[str]) -> str:
    """Columns in schema order and types, whatever order Parquet/hive partitioning gives them,
    over exactly the files of one version."""
    columns = ", ".join(f'CAST("{c.name}" AS {_DUCKDB_TYPES[c.type]}) AS "{c.name}"' for c in schema.columns)
    if not files:  # an empty table has no files to read: an empty, typed view
        nulls = ", ".join(f'CAST(NULL AS {_DUCKDB_TYPES[c.type]}) AS "{c.name}"' for c in schema.columns)
        return f"CREATE VIEW {schema.name} AS SELECT {nulls} WHERE false"
    hive = bool(schema.partition_by)
    listed = ", ".join(_quote(f) for f in files)
    source = f"read_parquet([{listed}], hive_partitioning = {hive})"
    return f"CREATE VIEW {schema.name} AS SELECT {columns} FROM {source}"


def view_statements(store: Store, version: DatasetVersion) -> list[str]:
    """Every view of one dataset version, the analyst views included."""
    statements = [_table_view_sql(s, store.files(version, s.name)) for s in CURATED_TABLES.values()]
    statements.append(
        f"CREATE VIEW dataset_version AS SELECT {version.version} AS version, "
        f"CAST({_quote(version.created)} AS TIMESTAMPTZ) AS created, {_quote(version.operation)} AS operation"
    )
    return [*statements, *ANALYST_VIEWS.values(), _t3_grid_sql()]


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


ANALYST_VIEWS = {
    "indicators_en": """CREATE VIEW indicators_en AS
SELECT i.report_id, i.report_year, i.agency, i.template, i.table_id, i.indicator_code,
       c.label_en, i.row_path, i.column_code, k.label_en AS column_label_en, i.column_label, i.unit,
       i.value, i.value_status, i.value_raw, i.catalog_status, i.source_file, i.source_line
FROM indicators i
LEFT JOIN catalog c ON c.code = i.indicator_code
LEFT JOIN catalog_columns k
  ON k.table_id = i.table_id AND k.column_code = i.column_code
 AND list_contains(string_split(k.templates, '|'), i.template)""",
    "failed_rules": """CREATE VIEW failed_rules AS
SELECT r.agency, r.report_year, r.source_file, x.rule_id, x.table_id, x.row_code, x.column_code,
       x.severity, x.description, x.expected, x.actual, x.detail, x.report_id
FROM rule_results x JOIN reports r USING (report_id)
WHERE x.outcome = 'fail'""",
    # Spec R6: this year's 上年结转 (T3.2) should equal last year's 结转下年度继续办理 (T3.4), per column,
    # for the same agency. Expect breaks after institutional reforms; agency names must match exactly.
    "carry_over_chain": """CREATE VIEW carry_over_chain AS
WITH carried AS (
  SELECT r.agency, r.report_year, i.report_id, i.indicator_code, i.column_code, i.value
  FROM indicators i JOIN reports r USING (report_id)
  WHERE i.indicator_code IN ('T3.2', 'T3.4')
)
SELECT this.agency, this.report_year, prev.report_year AS previous_year, this.column_code,
  this.value AS carried_over_this_year, prev.value AS carried_forward_last_year,
  CASE WHEN this.value IS NULL OR prev.value IS NULL THEN 'not_applicable'
       WHEN this.value = prev.value THEN 'pass' ELSE 'fail' END AS outcome,
  this.report_id, prev.report_id AS previous_report_id
FROM carried this
JOIN carried prev
  ON prev.agency = this.agency AND prev.report_year = this.report_year - 1 AND prev.column_code = this.column_code
WHERE this.indicator_code = 'T3.2' AND prev.indicator_code = 'T3.4'""",
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


def build_duckdb(store: Store, version: DatasetVersion, database: Path) -> Path:
    """Build the database file for ``version`` beside ``database`` and return it: the caller moves
    it into place (an atomic rename) once the version is recorded. A view that cannot bind fails
    here, before anything is published.

    Paths inside views are absolute: DuckDB resolves relative paths against the reader's
    working directory, and analysts open the file from anywhere. ``xxgk run`` rewrites them.
    """
    temporary = database.with_name(database.name + ".tmp")
    temporary.unlink(missing_ok=True)
    with duckdb.connect(str(temporary)) as connection:
        for number, statement in enumerate(view_statements(store, version)):
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
    """Rows of every table in ``version``, and its failed rules, counted over its files."""
    with open_version(store, version, analyst_views=False) as connection:
        rows = {name: connection.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in CURATED_TABLES}
        failed, reports = connection.execute(
            "SELECT count(*), count(DISTINCT report_id) FROM rule_results WHERE outcome = 'fail'"
        ).fetchall()[0]
        unread = connection.execute("SELECT count(*) FROM quarantine WHERE stage <> 'duplicate'").fetchall()[0][0]
    return {
        "rows": rows,
        "rules": {"rules_failed": failed, "reports_with_failed_rules": reports, "files_unread": unread},
    }


def open_version(store: Store, version: DatasetVersion, analyst_views: bool = True):
    """An in-memory connection with the views of ``version`` (time travel; writes nothing)."""
    connection = duckdb.connect()
    statements = view_statements(store, version)
    for statement in statements if analyst_views else statements[: len(CURATED_TABLES)]:
        connection.execute(statement)
    return connection
