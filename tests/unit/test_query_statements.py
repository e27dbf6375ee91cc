"""`xxgk query` runs exactly one read statement (flows/dataset/query.py `read_statement`); its DuckDB sandbox
is tested end to end in tests/end_to_end/test_query_sandbox.py."""

import duckdb
import pytest

from flows.dataset.query import QueryRefused, read_statement


@pytest.fixture(scope="module")
def connection():
    with duckdb.connect() as connection:
        connection.execute("CREATE VIEW reports AS SELECT 'stat_2014' AS template, 1 AS n")
        yield connection


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "select 1;",
        "  -- a comment\nSELECT 1 ;  ",
        "WITH r AS (SELECT * FROM reports) SELECT count(*) FROM r",
        "FROM reports",
        "FROM reports SELECT template",
        "VALUES (1), (2)",
        "(SELECT 1) UNION ALL (SELECT 2)",
        "DESCRIBE reports",
        "SHOW TABLES",
        "SUMMARIZE reports",
        "PIVOT reports ON template IN ('stat_2014') USING sum(n)",
        "UNPIVOT reports ON n INTO NAME k VALUE v",
        "SELECT * FROM query('SELECT 1')",
    ],
)
def test_reads_run(connection, sql):
    statement = read_statement(connection, sql)
    assert connection.sql(statement).fetchall()


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("COPY (SELECT 1) TO 'x.csv'", "COPY"),
        ("COPY reports FROM 'x.csv'", "COPY"),
        ("EXPORT DATABASE 'x'", "EXPORT"),
        ("ATTACH 'x.duckdb'", "ATTACH"),
        ("DETACH x", "DETACH"),
        ("INSTALL httpfs", "LOAD"),
        ("FORCE INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("UPDATE EXTENSIONS", "this statement"),
        ("SET enable_external_access = true", "SET"),
        ("RESET enable_external_access", "SET"),
        ("SET lock_configuration = false", "SET"),
        ("SET VARIABLE v = 1", "SET"),
        ("USE memory", "SET"),
        ("PRAGMA enable_profiling", "PRAGMA"),
        ("CALL pragma_version()", "CALL"),
        ("CHECKPOINT", "CALL"),
        ("EXPLAIN SELECT 1", "EXPLAIN"),
        ("EXPLAIN ANALYZE COPY (SELECT 1) TO 'x.csv'", "EXPLAIN"),
        ("CREATE TABLE t AS SELECT 1", "CREATE"),
        ("CREATE OR REPLACE VIEW reports AS SELECT 2", "CREATE"),
        ("CREATE MACRO m() AS 1", "CREATE"),
        ("INSERT INTO t VALUES (1)", "INSERT"),
        ("UPDATE t SET a = 1", "UPDATE"),
        ("DELETE FROM t", "DELETE"),
        ("DROP VIEW reports", "DROP"),
        ("ALTER VIEW reports RENAME TO r", "ALTER"),
        ("BEGIN", "TRANSACTION"),
        ("VACUUM", "VACUUM"),
        ("PREPARE p AS SELECT 1", "PREPARE"),
        ("PIVOT reports ON template USING sum(n)", "PIVOT without IN"),
    ],
)
def test_everything_else_is_refused(connection, sql, kind):
    with pytest.raises(QueryRefused, match=f"only reads .*not {kind}"):
        read_statement(connection, sql)


@pytest.mark.parametrize(
    ("sql", "count"),
    [
        ("SELECT 1; SELECT 2", 2),
        ("SELECT 1; COPY (SELECT 1) TO 'x.csv'", 2),
        ("SELECT 1;;SELECT 2;", 2),
        ("", 0),
        ("-- nothing", 0),
        (";", 0),
    ],
)
def test_exactly_one_statement(connection, sql, count):
    with pytest.raises(QueryRefused, match=f"exactly one statement; this SQL has {count}"):
        read_statement(connection, sql)


def test_a_syntax_error_is_duckdbs(connection):
    with pytest.raises(duckdb.ParserException):
        read_statement(connection, "SELEC 1")


def test_the_statement_run_is_the_one_checked(connection):
    assert read_statement(connection, "SELECT 42 AS answer;") == "SELECT 42 AS answer;"
