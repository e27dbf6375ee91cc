"""The flow parsing on a real Dask cluster (a LocalCluster of worker processes) publishes the same
dataset as the local worker pool; a file that kills its Dask worker costs its own row."""

import json
import os
import subprocess
import sys
from pathlib import Path

import dask
import duckdb
import pandas as pd
import pytest
from conftest import SAMPLE_REPORT

from flows.parsing import dask_cluster as dask_parsing
from flows.parsing.dask_cluster import STAGING_DIR, ParserVersionMismatchError, dask_parsed_batches
from flows.parsing.raw_files import scan_raw_folder
from transforms.limits import DEFAULT_LIMITS

XXGK = str(Path(sys.executable).with_name("xxgk"))
VIEWS = ("reports", "indicators", "rule_results", "quarantine", "narrative_facts", "agencies")


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    # A task is given up once it killed one worker (the default, three): the crash test stays short.
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local,
        Client(local) as client,
    ):
        yield local, client


@pytest.fixture(scope="module")
def dask_dataset(prefect_harness, mixed_raw_dir, cluster, tmp_path_factory) -> Path:
    from flows.run.pipeline import xxgk_pipeline

    curated = tmp_path_factory.mktemp("curated_dask")
    (curated / STAGING_DIR / "killed-run" / "0").mkdir(parents=True)  # what a killed run left
    summary = xxgk_pipeline(
        raw_dir=mixed_raw_dir, curated_dir=curated, batch_size=3, dask_address=cluster[0].scheduler_address
    )
    assert summary.published
    return curated


def _view(curated: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        frame = connection.sql(f"SELECT * FROM {name}").df()
    return frame.sort_values(list(frame.columns), ignore_index=True, na_position="first")


@pytest.mark.parametrize("view", VIEWS)
def test_the_dask_run_publishes_what_the_local_run_does(published_dataset, dask_dataset, view):
    """``published_dataset``: the same folder, batches and flow, parsed by the local worker pool."""
    local, on_dask = _view(published_dataset, view), _view(dask_dataset, view)
    assert not local.empty
    pd.testing.assert_frame_equal(on_dask, local, check_exact=True)


def test_quarantine_is_compared_with_unreadable_files(dask_dataset):
    stages = dict(_view(dask_dataset, "quarantine")[["source_file", "stage"]].itertuples(index=False))
    assert stages["empty.txt"] == "decode" and stages["noise.bin"] == "decode"


def test_no_staging_is_left(dask_dataset):
    assert not (dask_dataset / STAGING_DIR).exists()


def test_a_file_that_kills_its_worker_is_quarantined_alone(cluster, tmp_path, monkeypatch):
    local, client = cluster
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, county in (("a.txt", "桃源县"), ("crash_me.txt", "石门县"), ("c.txt", "澧县")):
        (raw / name).write_bytes(SAMPLE_REPORT.read_bytes().replace("桃源县".encode(), county.encode()))
    fault = json.dumps({"crash_me.txt": "crash"})
    monkeypatch.setenv("XXGK_FILE_FAULTS", fault)  # for the workers the nannies start again
    client.run(exec, f"import os; os.environ['XXGK_FILE_FAULTS'] = {fault!r}")  # the live workers
    try:
        outcome = list(
            dask_parsed_batches([scan_raw_folder(raw)], local.scheduler_address, DEFAULT_LIMITS, str(tmp_path))
        )
    finally:
        client.run(exec, "import os; os.environ.pop('XXGK_FILE_FAULTS', None)")
    assert sum(count for count, _ in outcome) == 3
    parsed = sorted(name for _, frames in outcome for name in frames.reports["source_file"])
    assert parsed == ["a.txt", "c.txt"]
    quarantine = pd.concat([frames.quarantine for _, frames in outcome], ignore_index=True)
    assert quarantine["source_file"].tolist() == ["crash_me.txt"]
    assert quarantine["stage"].tolist() == ["error"]
    assert "crash_me.txt" in quarantine["reason"][0] and "Dask worker" in quarantine["reason"][0]
    assert not (tmp_path / STAGING_DIR).exists()


def test_workers_with_another_parser_version_fail_the_run(cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(dask_parsing, "parser_version", lambda: "another")
    files = scan_raw_folder(SAMPLE_REPORT.parent)
    with pytest.raises(ParserVersionMismatchError, match=r"parser version \w+, this run with another"):
        list(dask_parsed_batches([files], cluster[0].scheduler_address, DEFAULT_LIMITS, str(tmp_path)))
    assert not (tmp_path / STAGING_DIR).exists()


def test_cli_runs_on_the_cluster(prefect_harness, cluster, tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    (raw / "empty.txt").write_bytes(b"")
    command = [
        XXGK,
        "run",
        "--raw",
        str(raw),
        "--curated",
        str(curated),
        "--quiet",
        "--dask",
        cluster[0].scheduler_address,
    ]
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}  # the session's server: no second one to start
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "│ 65 " in result.stdout  # cells written
    assert not (curated / STAGING_DIR).exists()
