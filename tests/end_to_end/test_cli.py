"""The installed ``xxgk`` command, run as a user would (subprocesses, own temporary Prefect server)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_REPORT

XXGK = str(Path(sys.executable).with_name("xxgk"))


def _xxgk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([XXGK, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=os.environ.copy())


@pytest.fixture(scope="module")
def cli_dataset(tmp_path_factory) -> tuple[Path, Path]:
    raw = tmp_path_factory.mktemp("cli_raw")
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    (raw / "empty.txt").write_bytes(b"")
    curated = tmp_path_factory.mktemp("cli_curated")
    result = _xxgk("run", "--raw", str(raw), "--curated", str(curated), cwd=tmp_path_factory.mktemp("elsewhere"))
    assert result.returncode == 0, result.stderr
    return raw, curated, result


def _versions(curated: Path) -> list[str]:
    """The dataset's version records: a run that publishes nothing adds none."""
    return sorted(p.read_text() for p in (curated / "_versions").glob("*.json"))


def test_run_prints_the_summary(cli_dataset):
    _, curated, result = cli_dataset
    for expected in ("files seen", "reports published", "cells written", "files quarantined", "rules failed"):
        assert expected in result.stdout
    assert "│ 65 " in result.stdout  # cells written
    assert (curated / "xxgk.duckdb").exists()
    site = curated / "audit" / "index.html"
    assert site.is_file() and f"audit site: {site}" in result.stdout.replace("\n", "")


def test_query_from_another_directory(cli_dataset, tmp_path):
    _, curated, _ = cli_dataset
    result = _xxgk(
        "query",
        "SELECT indicator_code, value FROM indicators WHERE indicator_code LIKE 'A3.1%' ORDER BY 1",
        "--curated",
        str(curated),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[:2] == [{"indicator_code": "A3.1", "value": 229.0}, {"indicator_code": "A3.1.1", "value": 178.0}]


def test_query_errors_exit_nonzero(cli_dataset, tmp_path):
    _, curated, _ = cli_dataset
    result = _xxgk("query", "SELECT nope FROM indicators", "--curated", str(curated), cwd=tmp_path)
    assert result.returncode == 1
    assert "nope" in result.stderr


def test_status(cli_dataset, tmp_path):
    _, curated, _ = cli_dataset
    result = _xxgk("status", "--curated", str(curated), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "stat_2014" in result.stdout
    assert "quarantined empty.txt: empty file" in result.stdout


def test_status_without_dataset(tmp_path):
    result = _xxgk("status", "--curated", str(tmp_path / "nothing"), cwd=tmp_path)
    assert result.returncode == 2
    assert "xxgk run" in result.stderr


# The xxgk command with a pipeline mistake: the GX sets do not know the cell status "ok". (No input
# can break a pipeline invariant: a report's own bad values are flagged, not blocked.)
BROKEN_XXGK = (
    "import sys; from expectations import suites; "
    "suites.VALUE_STATUSES = tuple(s for s in suites.VALUE_STATUSES if s != 'ok'); "
    "from flows.cli import app; sys.argv[0] = 'xxgk'; app()"
)


def test_blocked_run_exits_nonzero_and_keeps_the_dataset(cli_dataset, tmp_path):
    _, curated, _ = cli_dataset
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "sample.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    before = _versions(curated)
    result = subprocess.run(
        [sys.executable, "-c", BROKEN_XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert result.returncode == 1
    assert "validation failure" in result.stderr and "Nothing was published" in result.stderr
    assert _versions(curated) == before


def test_missing_raw_folder(tmp_path):
    result = _xxgk("run", "--raw", str(tmp_path / "absent"), "--curated", str(tmp_path / "c"), cwd=tmp_path)
    assert result.returncode == 2
    assert "raw folder not found" in result.stderr


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_an_empty_folder_and_a_folder_of_bad_files_without_a_dataset(tmp_path):
    """Nothing to read publishes nothing; nothing readable publishes the quarantine list, so the
    user sees why. Both exit 1, neither with a traceback."""
    empty, bad, curated = tmp_path / "empty", tmp_path / "bad", tmp_path / "curated"
    empty.mkdir()
    bad.mkdir()
    (bad / "notes.txt").write_text("只有正文，没有表格。", encoding="utf-8")
    (bad / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    result = _xxgk("run", "--raw", str(empty), "--curated", str(curated), "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    assert "holds no report files" in result.stderr
    assert not (curated / "reports").exists()
    _no_traceback(result)
    result = _xxgk("run", "--raw", str(bad), "--curated", str(curated), "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    assert "no file parsed: the quarantine list of 2 files is published" in result.stderr
    _no_traceback(result)
    status = _xxgk("status", "--curated", str(curated), cwd=tmp_path)
    assert "quarantined image.png: binary file (PNG image)" in status.stdout
    assert "quarantined notes.txt: no statistics table found" in status.stdout


def test_the_volume_gate_keeps_a_good_dataset(cli_dataset, tmp_path):
    """Over a dataset with reports (1 report, 1 quarantined file): a folder in which nothing parses
    is held back; one whose quarantined share rises by more than 20 points too, unless accepted."""
    import shutil

    _, published, _ = cli_dataset
    curated = tmp_path / "curated"
    shutil.copytree(published, curated)
    before = _versions(curated)
    bad = tmp_path / "bad"
    bad.mkdir()
    for index in range(5):
        (bad / f"notes_{index}.txt").write_text(f"第{index}份：只有正文，没有表格。", encoding="utf-8")
    result = _xxgk("run", "--raw", str(bad), "--curated", str(curated), "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    assert "no file parsed (5 quarantined): the published dataset's 1 reports are kept" in result.stderr
    assert "quarantined notes_0.txt" in result.stderr and "Nothing was published" in result.stderr
    _no_traceback(result)
    (bad / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())  # 5 of 6 quarantined: 50 % → 83 %
    result = _xxgk("run", "--raw", str(bad), "--curated", str(curated), "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    assert "rose from 50 % to 83 %" in result.stderr and "--accept-quarantine" in result.stderr
    assert _versions(curated) == before
    _no_traceback(result)
    result = _xxgk("run", "--raw", str(bad), "--curated", str(curated), "--quiet", "--accept-quarantine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "│ files quarantined │ 5" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["--help"], ["status"], ["query", "SELECT count(*) FROM indicators"], ["query", "SELECT 1", "--format", "json"]],
)
def test_reading_commands_import_no_heavy_library(cli_dataset, args):
    """--help, status and query start fast (benchmarks/bench_cli_startup.py times them): they
    import neither pandas nor GX nor Prefect."""
    _, curated, _ = cli_dataset
    extra = [] if args == ["--help"] else ["--curated", str(curated)]
    program = (
        "import sys\n"
        "from flows.cli import app\n"
        f"sys.argv = ['xxgk', *{args + extra!r}]\n"
        "try:\n    app()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "heavy = sorted({'pandas', 'great_expectations', 'prefect', 'pyarrow'} & set(sys.modules))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr, result.stderr[-500:]
