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


def test_run_prints_the_summary(cli_dataset):
    _, curated, result = cli_dataset
    for expected in ("files seen", "reports published", "cells written", "files quarantined", "rules failed"):
        assert expected in result.stdout
    assert "│ 65 " in result.stdout  # cells written
    assert (curated / "xxgk.duckdb").exists()


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


def test_blocked_run_exits_nonzero_and_keeps_the_dataset(cli_dataset, tmp_path):
    _, curated, _ = cli_dataset
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "negative.txt").write_bytes(SAMPLE_REPORT.read_bytes().replace(b"\t178\n", b"\t-178\n"))
    before = (curated / "reports" / "part-0.parquet").read_bytes()
    result = _xxgk("run", "--raw", str(raw), "--curated", str(curated), "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    assert "validation failure" in result.stderr and "Nothing was published" in result.stderr
    assert (curated / "reports" / "part-0.parquet").read_bytes() == before


def test_missing_raw_folder(tmp_path):
    result = _xxgk("run", "--raw", str(tmp_path / "absent"), "--curated", str(tmp_path / "c"), cwd=tmp_path)
    assert result.returncode == 2
    assert "raw folder not found" in result.stderr
