"""The one way anything reads a dataset for a person: a sandboxed DuckDB connection.

:func:`sandboxed` locks a connection down after its views exist: files may be read only inside
the dataset's table folders, nothing may be written, no extension installed or loaded, and the
configuration is locked. :func:`read_statement` lets through exactly one statement that reads.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flows.dataset.storage import location


class QueryRefused(Exception):
    """SQL that `xxgk query` does not run: not exactly one read statement."""


@dataclass(frozen=True)
class QueryLimits:
    """What one query may cost (settings XXGK_QUERY_*): DuckDB's own limits, set before the
    configuration is locked, and a wall time enforced by interrupting the connection."""

    memory_limit: str = "2GB"
    threads: int = 2
    max_temp_size: str = "4GB"
    timeout_seconds: float = 300.0

    def over_limit(self, error: Exception) -> str | None:
        """What a DuckDB error says in words when it is one of these limits, naming its setting."""
        text = str(error)
        if "max_temp_directory_size" in text or ("temporary directory" in text.lower() and "size" in text.lower()):
            return (
                f"the query spilled more than {self.max_temp_size} to disk "
                "(max_temp_directory_size, setting XXGK_QUERY_MAX_TEMP_SIZE)"
            )
        if "Out of Memory" in text or "memory limit" in text.lower():
            return f"the query needed more than {self.memory_limit} of memory (setting XXGK_QUERY_MEMORY_LIMIT)"
        return None


@contextmanager
def time_limit(connection, limits: QueryLimits) -> Iterator[threading.Event]:
    """Interrupt ``connection``'s running query once ``limits.timeout_seconds`` have passed; the
    event yielded is set when it was."""
    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        connection.interrupt()

    timer = threading.Timer(limits.timeout_seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()


def timed_out_message(limits: QueryLimits) -> str:
    return (
        f"the query ran longer than {limits.timeout_seconds:g} s and was stopped (setting XXGK_QUERY_TIMEOUT_SECONDS)"
    )


@contextmanager
def sandboxed(connection, curated_dir, limits: QueryLimits | None = None) -> Iterator:
    """``connection`` sandboxed (:func:`sandbox`), closed afterwards. Spilled intermediate results go
    to a private temporary folder, removed afterwards: never into the dataset folder or the working
    directory."""
    # named by the process, as a run's temporary folders are, so a later run reclaims it if killed
    with tempfile.TemporaryDirectory(prefix=f"xxgk-query-{os.getpid()}-") as spill:
        try:
            sandbox(connection, curated_dir, Path(spill), limits or QueryLimits())
            yield connection
        finally:
            connection.close()


def sandbox(connection, curated_dir, spill: Path, limits: QueryLimits | None = None) -> None:
    """After the views exist: files may be read only inside the dataset's table folders (the views
    read them), no file may be written, no extension installed or loaded; then the configuration is
    locked, so no statement can undo this (``SET enable_external_access = true`` fails).
    COPY TO a table folder would still pass these settings: ``read_statement`` refuses it."""

    def quote(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    # The table folders are the Delta tables (a _delta_log each); found here rather than from the
    # schemas, whose import (pandas, pyarrow) would double the time to first output.
    # On object storage the views read through pyarrow, registered on the connection: no file at all.
    curated_dir = location(curated_dir)
    local = not curated_dir.is_remote and curated_dir.is_dir()
    tables = [path for path in curated_dir.iterdir() if (path / "_delta_log").is_dir()] if local else []
    folders = sorted({str(folder) + os.sep for table in tables for folder in (table.resolve(), table)})
    limits = limits or QueryLimits()
    for statement in (
        f"SET memory_limit = {quote(limits.memory_limit)}",
        f"SET threads = {int(limits.threads)}",
        f"SET max_temp_directory_size = {quote(limits.max_temp_size)}",
        f"SET temp_directory = {quote(str(spill))}",
        f"SET allowed_directories = [{', '.join(quote(f) for f in folders)}]",
        "SET allowed_paths = []",
        "SET enable_external_access = false",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET allow_community_extensions = false",
        "SET allow_unsigned_extensions = false",
        "SET lock_configuration = true",
    ):
        connection.execute(statement)


def read_statement(connection, sql: str) -> str:
    """The one statement of ``sql`` if it only reads (a SELECT: also WITH, FROM …, VALUES, DESCRIBE,
    SHOW, SUMMARIZE, PIVOT … IN (…), which DuckDB parses as SELECT), else QueryRefused. EXPLAIN is
    refused too: EXPLAIN ANALYZE runs the statement it explains."""
    import duckdb

    statements = connection.extract_statements(sql)  # a syntax error is a duckdb.Error
    if len(statements) != 1:
        raise QueryRefused(f"xxgk query runs exactly one statement; this SQL has {len(statements)}")
    (statement,) = statements
    try:
        kind = statement.type
    except ValueError:  # a statement type the Python client has no name for (UPDATE EXTENSIONS)
        kind = None
    if kind != duckdb.StatementType.SELECT:
        named = (
            "PIVOT without IN (…)" if kind == duckdb.StatementType.MULTI else getattr(kind, "name", "this statement")
        )
        raise QueryRefused(f"xxgk query runs only reads (SELECT, WITH, FROM, DESCRIBE, SHOW …), not {named}")
    return statement.query


def views_read_here(connection, dataset: Path) -> bool:
    """Whether a DuckDB file's views read the Parquet files of ``dataset`` (their paths are
    absolute): not when the dataset was copied, moved or mounted elsewhere since they were built."""
    found = connection.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'reports'").fetchall()
    quoted = (str(dataset.resolve()).rstrip("/") + "/").replace("'", "''")
    return bool(found) and quoted in found[0][0]
