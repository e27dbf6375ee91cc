"""The raw folder and the dataset never overlap (#24): a dataset (or an audit site) inside the raw
folder is not read as reports, and a raw folder inside the dataset is refused."""

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import SAMPLE_REPORT

XXGK = str(Path(sys.executable).with_name("xxgk"))


def _xxgk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([XXGK, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def _sources(curated: Path) -> set[str]:
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        rows = connection.execute("SELECT source_file FROM reports UNION ALL SELECT source_file FROM quarantine")
        return {row[0] for row in rows.fetchall()}


def test_a_dataset_inside_the_raw_folder_is_not_read(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    curated = raw / "dataset"
    first = _xxgk("run", "--raw", str(raw), "--curated", str(curated), "--quiet", cwd=tmp_path)
    assert first.returncode in (0, 1), first.stderr
    shutil.copytree(curated / "audit", raw / "copied_site")  # an audit site copied into the folder
    (raw / "shimen.txt").write_text(SAMPLE_REPORT.read_text(encoding="utf-8").replace("桃源县", "石门县"), "utf-8")
    second = _xxgk("run", "--raw", str(raw), "--curated", str(curated), "--quiet", cwd=tmp_path)
    assert second.returncode in (0, 1), second.stderr
    assert _sources(curated) == {"taoyuan.txt", "shimen.txt"}
    assert "not read: dataset/" in second.stderr and "not read: copied_site/" in second.stderr


def test_a_raw_folder_inside_the_dataset_is_refused(tmp_path):
    curated = tmp_path / "curated"
    raw = curated / "reports"
    raw.mkdir(parents=True)
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    result = _xxgk("run", "--raw", str(raw), "--curated", str(curated), "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "inside the dataset" in result.stderr and "Traceback" not in result.stderr
