"""The one way anything reads a dataset for a person: a sandboxed DuckDB connection.

:func:`sandboxed` locks a connection down after its views exist: files may be read only inside
the dataset's table folders, nothing may be written, no extension installed or loaded, and the
configuration is locked. :func:`read_statement` lets through exactly one statement that reads.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.dataset.storage import location


class QueryRefused(Exception):
    """SQL that `xxgk query` does not run: not exactly one read statement."""


@contextmanager
def sandboxed(connection, curated_dir) -> Iterator:
    """``connection`` sandboxed (:func:`sandbox`), closed afterwards. Spilled intermediate results go
    to a private temporary folder, removed afterwards: never into the dataset folder or the working
    directory."""
    with tempfile.TemporaryDirectory(prefix="xxgk-query-") as spill:
        try:
            sandbox(connection, curated_dir, Path(spill))
            yield connection
        finally:
            connection.close()


def sandbox(connection, curated_dir, spill: Path) -> None:
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
    for statement in (
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
