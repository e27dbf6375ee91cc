"""`xxgk query` reads the dataset and nothing else, and what the CLI prints of crawled data is safe in a
terminal (issue #11: crawled files are untrusted). The installed command, run as a user would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_REPORT

XXGK = str(Path(sys.executable).with_name("xxgk"))

# Names a crawler may well produce. "x[/]y.txt" is the file "]y.txt" in the folder "x[": as rich markup,
# "[/]" closes a tag that was never opened (MarkupError).
HOSTILE_NAMES = {
    "[bold red]x.txt": "[bold red]x.txt",
    "a[b]c.txt": "a[b]c.txt",
    "x[/]y.txt": "x[/]y.txt",
    "[link=x]:smile:z.txt": "[link=x]:smile:z.txt",
    "esc\x1b[31mred\x07.txt": "esc\\x1b[31mred\\x07.txt",
    "line\nbreak\rback\x9b.txt": "line\\nbreak\\rback\\x9b.txt",
    "bidi\u202eexe.txt": "bidi\\u202eexe.txt",
}

# The views the README documents; every view of a version is listed from the code (_all_views).
DOCUMENTED_VIEWS = {
    "indicators",
    "reports",
    "rule_results",
    "quarantine",
    "catalog",
    "catalog_columns",
    "inputs",
    "report_wide",
    "report_summary",
    "dataset_version",
    "indicators_en",
    "indicators_2014",
    "t3_grid",
    "carry_over_chain",
    "failed_rules",
}


def _all_views() -> set[str]:
    from flows.dataset.indicator_views import INDICATOR_VIEWS
    from flows.dataset.views import ANALYST_VIEWS
    from transforms.schemas import CURATED_TABLES

    return {*CURATED_TABLES, "dataset_version", *ANALYST_VIEWS, "t3_grid", "agency_year_over_year", *INDICATOR_VIEWS}


def _xxgk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Output decoded as is (text mode would turn a \\r into a line end)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")}
    env["COLUMNS"] = "250"  # wide enough that no name is wrapped
    result = subprocess.run([XXGK, *args], cwd=cwd, capture_output=True, timeout=300, env=env)
    result.stdout, result.stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    return result


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """The sample report and a file under each hostile name (text without a statistics table:
    quarantined), run once; version 2 is version 1 again (a rollback), so --as-of 1 reads an earlier
    version."""
    raw = tmp_path_factory.mktemp("sandbox_raw")
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    for name in HOSTILE_NAMES:
        path = raw / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("hello", encoding="utf-8")
    curated = tmp_path_factory.mktemp("sandbox_curated")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = _xxgk("run", "--raw", str(raw), "--curated", str(curated), "--quiet", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    result = _xxgk("rollback", "1", "--curated", str(curated), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    return curated


def _query(dataset: Path, sql: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return _xxgk("query", sql, "--curated", str(dataset), *args, cwd=cwd)


def _refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for word in words:
        assert word in result.stderr


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- what query can and cannot do -----------------------------------------------------------------


def test_copy_to_a_file_is_refused_inside_and_outside_the_dataset(dataset, tmp_path):
    before = _snapshot(dataset)
    published = next((dataset / "reports").glob("*.parquet"))
    outside = tmp_path / "out.csv"
    for target, as_of in [
        (published, ()),
        (dataset / "reports" / "part-0.parquet", ()),
        (outside, ()),
        (published, ("--as-of", "1")),  # an in-memory database, not read-only
    ]:
        result = _query(dataset, f"COPY (SELECT 1) TO '{target}'", *as_of, cwd=tmp_path)
        _refused(result, "refused", "COPY")
    assert _snapshot(dataset) == before
    assert list(tmp_path.iterdir()) == []


OUTSIDE = [
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/root/**')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('{dataset}/_versions/00000000000000000001.json')",  # in the folder, not a table
    "SELECT * FROM read_text('{dataset}/reports/../../../../../../etc/passwd')",
]


@pytest.mark.parametrize(
    ("sql", "as_of"),
    [(sql, ()) for sql in OUTSIDE] + [(OUTSIDE[0], ("--as-of", "1")), (OUTSIDE[-1], ("--as-of", "1"))],
)
def test_files_outside_the_dataset_tables_cannot_be_read(dataset, tmp_path, sql, as_of):
    result = _query(dataset, sql.format(dataset=dataset), *as_of, cwd=tmp_path)
    _refused(result, "Permission Error")
    assert "root:" not in result.stdout


def test_the_tables_own_files_stay_readable(dataset, tmp_path):
    sql = f"SELECT count(*) AS n FROM '{dataset / 'reports'}/*.parquet'"
    result = _query(dataset, sql, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": 1}]


@pytest.mark.parametrize(
    "sql",
    [
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET lock_configuration = false",
        "ATTACH '{tmp}/attached.duckdb' AS other",
        "SELECT 1; SELECT 2",
        "SELECT 1; COPY (SELECT 1) TO '{tmp}/copied.csv'",
    ],
)
def test_statements_that_are_not_one_read_are_refused(dataset, tmp_path, sql):
    """(The full list of statement kinds is in tests/unit/test_query_statements.py.)"""
    _refused(_query(dataset, sql.format(tmp=tmp_path), cwd=tmp_path), "refused")
    assert list(tmp_path.iterdir()) == []


def test_the_same_refusals_for_an_earlier_version(dataset, tmp_path):
    """--as-of reads an in-memory database, which is not read-only."""
    for sql in ("SET enable_external_access = true", "ATTACH ':memory:' AS other", "CREATE TABLE t AS SELECT 1"):
        _refused(_query(dataset, sql, "--as-of", "1", cwd=tmp_path), "refused")


def test_the_sandbox_is_locked_in_duckdb_itself(dataset):
    """Below the statement check: the connection the CLI reads through cannot be reconfigured."""
    import duckdb

    from flows import cli

    for as_of in (None, 1):
        with cli.dataset_connection(dataset, as_of) as connection:
            for statement in (
                "SET enable_external_access = true",
                "RESET enable_external_access",
                "SET lock_configuration = false",
                "SET allowed_directories = ['/']",
                "SET autoload_known_extensions = true",
            ):
                with pytest.raises(duckdb.Error, match="locked"):
                    connection.execute(statement)
            with pytest.raises(duckdb.Error, match="Permission"):
                connection.execute("SELECT * FROM read_text('/etc/passwd')")
            with pytest.raises(duckdb.Error):
                connection.execute("LOAD httpfs")
            assert connection.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
            # Spilled intermediate results go to a private folder: not the dataset, not the working directory.
            spill = Path(connection.execute("SELECT current_setting('temp_directory')").fetchone()[0])
            assert spill.is_absolute() and dataset not in spill.parents and spill.name.startswith("xxgk-query-")


@pytest.mark.parametrize("as_of", [(), ("--as-of", "1")], ids=["current", "as_of"])
def test_every_view_is_selectable(dataset, tmp_path, as_of):
    views = _all_views()
    assert views >= DOCUMENTED_VIEWS
    counts = ", ".join(f"(SELECT count(*) FROM (SELECT * FROM {view})) AS {view}" for view in sorted(views))
    listed = "(SELECT list(view_name ORDER BY view_name) FROM duckdb_views() WHERE NOT internal) AS views"
    result = _query(dataset, f"SELECT {listed}, {counts}", *as_of, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert set(row.pop("views")) == views
    assert (row["reports"], row["report_wide"], row["report_summary"], row["indicators"]) == (1, 1, 1, 65)
    assert row["quarantine"] == len(HOSTILE_NAMES) and row["failed_rules"] == 1  # the sample's P1
    assert row["dataset_version"] == 1 and row["catalog"] > 0 and row["indicators_en"] == 65
    assert row["indicators_2014"] > 0 and row["inputs"] == 1 + len(HOSTILE_NAMES)


@pytest.mark.parametrize("sql", ["SELECT 1 AS one;", "DESCRIBE reports"])
def test_reads_run(dataset, tmp_path, sql):
    """(Every form of read is in tests/unit/test_query_statements.py.)"""
    result = _query(dataset, sql, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_status_and_history_still_work(dataset, tmp_path):
    status = _xxgk("status", "--curated", str(dataset), cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "stat_2014" in status.stdout and "│ version" in status.stdout
    history = _xxgk("history", "--curated", str(dataset), cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    assert "rollback to 1" in history.stdout


def test_a_query_writes_nothing_into_the_dataset_or_the_working_directory(dataset, tmp_path):
    before = _snapshot(dataset)
    result = _query(dataset, "SELECT count(*) FROM (SELECT * FROM indicators ORDER BY random())", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _snapshot(dataset) == before and list(tmp_path.iterdir()) == []


# ---- what reaches the terminal ----------------------------------------------------------------------


def _shown_literally(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output and "\r" not in output and "\x9b" not in output
    assert "\u202e" not in output
    for shown in HOSTILE_NAMES.values():
        assert shown in output


def test_status_shows_hostile_file_names_literally(dataset, tmp_path):
    result = _xxgk("status", "--curated", str(dataset), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    _shown_literally(result.stdout)
    assert "quarantined [bold red]x.txt: no statistics table found" in result.stdout
    assert "quarantined x[/]y.txt: no statistics table found" in result.stdout


def test_query_table_shows_hostile_file_names_literally(dataset, tmp_path):
    result = _query(dataset, 'SELECT source_file, reason AS "[red]why" FROM quarantine', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    _shown_literally(result.stdout)
    assert "[red]why" in result.stdout


def test_csv_and_json_keep_the_exact_names(dataset, tmp_path):
    sql = "SELECT source_file FROM quarantine ORDER BY source_file"
    result = _query(dataset, sql, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {row["source_file"] for row in json.loads(result.stdout)} == set(HOSTILE_NAMES)
    result = _query(dataset, sql, "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import csv
    import io

    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows[0] == ["source_file"] and {r[0] for r in rows[1:]} == set(HOSTILE_NAMES)


def test_an_error_quoting_markup_does_not_crash(dataset, tmp_path):
    result = _query(dataset, 'SELECT "[/]x\x1b[31m" FROM reports', cwd=tmp_path)
    _refused(result, "[/]x\\x1b[31m")
    assert "\x1b" not in result.stderr


def _bounded(dataset: Path, sql: str, cwd: Path, **limits: str) -> tuple[subprocess.CompletedProcess, float]:
    """A query under XXGK_QUERY_* limits; its result and wall time."""
    import time

    env = {f"XXGK_QUERY_{name.upper()}": value for name, value in limits.items()}
    started = time.monotonic()
    old = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        result = _query(dataset, sql, "--format", "csv", cwd=cwd)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return result, time.monotonic() - started


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM range(1000000000000)",
        "SELECT count(*) FROM range(100000) a, range(100000) b, range(100000) c",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    ],
    ids=["range", "triple-cross-join", "endless-recursion"],
)
def test_a_query_past_its_wall_time_is_stopped(dataset, tmp_path, sql):
    result, seconds = _bounded(dataset, sql, tmp_path, timeout_seconds="3", memory_limit="500MB")
    _refused(result)
    assert "XXGK_QUERY_TIMEOUT_SECONDS" in result.stderr or "XXGK_QUERY_MEMORY_LIMIT" in result.stderr
    assert seconds < 3 + 10  # the limit, and the CLI's own start


def test_a_query_past_its_memory_is_stopped_naming_the_setting(dataset, tmp_path):
    result, _ = _bounded(dataset, "SELECT list(range) FROM range(200000000)", tmp_path, memory_limit="100MB")
    _refused(result, "more than 100MB of memory", "XXGK_QUERY_MEMORY_LIMIT")


def test_a_query_past_its_spill_limit_is_stopped_naming_the_setting(dataset, tmp_path):
    sql = "SELECT count(*) FROM (SELECT range, random() AS r FROM range(50000000) ORDER BY r)"
    result, _ = _bounded(dataset, sql, tmp_path, memory_limit="200MB", max_temp_size="50MB")
    _refused(result, "spilled more than 50MB", "XXGK_QUERY_MAX_TEMP_SIZE")
