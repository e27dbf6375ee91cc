"""The DuckDB file: views over the curated Parquet, plus analyst views. No second copy of the data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from flows.storage import parquet_glob
from transforms.catalog import load_catalog
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


def _table_view_sql(schema: TableSchema, curated_dir: Path, row_count: int) -> str:
    """Columns in schema order and types, whatever order Parquet/hive partitioning gives them."""
    columns = ", ".join(f'CAST("{c.name}" AS {_DUCKDB_TYPES[c.type]}) AS "{c.name}"' for c in schema.columns)
    if row_count == 0 and schema.partition_by:  # no partition folders to read: an empty, typed view
        nulls = ", ".join(f'CAST(NULL AS {_DUCKDB_TYPES[c.type]}) AS "{c.name}"' for c in schema.columns)
        return f"CREATE VIEW {schema.name} AS SELECT {nulls} WHERE false"
    hive = bool(schema.partition_by)
    source = f"read_parquet({_quote(parquet_glob(curated_dir, schema.name))}, hive_partitioning = {hive})"
    return f"CREATE VIEW {schema.name} AS SELECT {columns} FROM {source}"


def _report_wide_sql() -> str:
    """One row per report, one column per valued catalog indicator (A3.1 → column A3_1)."""
    catalog = load_catalog()
    valued = catalog[catalog["value_kind"] != "section"]
    pivots = ",\n  ".join(
        f"MAX(i.value) FILTER (WHERE i.indicator_code = {_quote(code)} AND i.column_label = '')"
        f' AS "{code.replace(".", "_")}"'
        for code in valued["code"]
    )
    return f"""CREATE VIEW report_wide AS
SELECT r.report_id, r.report_year, r.agency, r.template, r.source_file,
  {pivots}
FROM reports r LEFT JOIN indicators i USING (report_id)
GROUP BY ALL"""


ANALYST_VIEWS = {
    "indicators_en": """CREATE VIEW indicators_en AS
SELECT i.report_id, i.report_year, i.agency, i.template, i.table_id, i.indicator_code,
       c.label_en, i.row_path, i.column_label, i.unit, i.value, i.value_status, i.value_raw,
       i.catalog_status, i.source_file, i.source_line
FROM indicators i LEFT JOIN catalog c ON c.code = i.indicator_code""",
    "failed_rules": """CREATE VIEW failed_rules AS
SELECT r.agency, r.report_year, r.source_file, x.rule_id, x.column_label, x.severity,
       x.description, x.expected, x.actual, x.detail, x.report_id
FROM rule_results x JOIN reports r USING (report_id)
WHERE x.outcome = 'fail'""",
}


def build_duckdb(curated_dir: Path, row_counts: dict[str, int], database: Path) -> list[str]:
    """(Re)create the database file with every view; swapped in atomically. Returns view names.

    Paths inside views are absolute: DuckDB resolves relative paths against the reader's
    working directory, and analysts open the file from anywhere. ``xxgk run`` rewrites them.
    """
    temporary = database.with_name(database.name + ".tmp")
    temporary.unlink(missing_ok=True)
    statements = [_table_view_sql(s, curated_dir, row_counts.get(s.name, 0)) for s in CURATED_TABLES.values()]
    statements += [*ANALYST_VIEWS.values(), _report_wide_sql()]
    with duckdb.connect(str(temporary)) as connection:
        for statement in statements:
            connection.execute(statement)
        views = [
            row[0]
            for row in connection.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
            ).fetchall()
        ]
        connection.execute("CHECKPOINT")
    temporary.replace(database)
    return views
