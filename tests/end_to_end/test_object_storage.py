"""Raw reports and the dataset on S3-compatible object storage: moto's standalone server, started
on loopback by these tests, with credentials and endpoint in the standard AWS variables.

The same raw files give the same dataset from a local folder into a local folder as from a bucket
into a bucket; ``xxgk status``, ``query`` and ``history`` read the bucket's dataset; and two
writers never both commit one version.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import record_concurrently

from flows.dataset.storage import S3Path

BUCKET = "xxgk-test"
XXGK = str(Path(sys.executable).with_name("xxgk"))
TABLES = ("reports", "indicators", "rule_results", "narrative_facts", "quarantine", "agencies", "inputs")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """A moto S3 server on loopback; the AWS variables point at it for this module."""
    pytest.importorskip("moto")
    import boto3

    from flows.dataset import storage

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    variables = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    storage._s3.cache_clear()
    storage._arrow_s3.cache_clear()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                boto3.client("s3").create_bucket(Bucket=BUCKET)
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        storage._s3.cache_clear()
        storage._arrow_s3.cache_clear()


def _upload(raw: Path, prefix: S3Path) -> None:
    for path in sorted(raw.rglob("*")):
        if path.is_file():
            (prefix / path.relative_to(raw).as_posix()).write_bytes(path.read_bytes())


def _rows(connection, table: str) -> list[tuple]:
    """A table's rows as sorted tuples, NULL-safe, every column."""
    rows = connection.execute(f"SELECT * FROM {table}").fetchall()
    return sorted(rows, key=lambda row: tuple((value is None, str(value)) for value in row))


@pytest.fixture(scope="module")
def both_runs(prefect_harness, s3_server, mixed_raw_dir, tmp_path_factory):
    from flows.run.pipeline import xxgk_pipeline

    local = tmp_path_factory.mktemp("local_dataset")
    outputs = tmp_path_factory.mktemp("s3_outputs")
    raw = S3Path(BUCKET, "raw")
    _upload(mixed_raw_dir, raw)
    local_summary = xxgk_pipeline(raw_dir=mixed_raw_dir, curated_dir=local)
    os.environ["XXGK_LOCAL_DIR"] = str(outputs)  # the s3 dataset's Data Docs and audit site
    try:
        remote_summary = xxgk_pipeline(raw_dir=str(raw), curated_dir=f"s3://{BUCKET}/dataset")
        unchanged = xxgk_pipeline(raw_dir=str(raw), curated_dir=f"s3://{BUCKET}/dataset")
    finally:
        os.environ.pop("XXGK_LOCAL_DIR")
    return {
        "local": local,
        "local_summary": local_summary,
        "remote_summary": remote_summary,
        "unchanged": unchanged,
        "outputs": outputs,
    }


def test_a_bucket_gives_the_same_dataset_as_a_folder(both_runs):
    import duckdb

    from flows.dataset.store import Store
    from flows.dataset.views import open_version

    assert both_runs["remote_summary"].published and both_runs["remote_summary"].version == 1
    assert both_runs["remote_summary"].files_quarantined == both_runs["local_summary"].files_quarantined > 0
    store = Store(f"s3://{BUCKET}/dataset")
    assert store.remote and [v.version for v in store.history()] == [1]
    # Incremental on object storage too: the same objects again make no new version.
    assert both_runs["unchanged"].version == 1 and both_runs["unchanged"].files_read == 0
    assert "nothing new, changed or removed" in both_runs["unchanged"].notices[0]
    with (
        duckdb.connect(str(both_runs["local"] / "xxgk.duckdb"), read_only=True) as local,
        open_version(store, store.current()) as remote,
    ):
        for table in TABLES:
            local_rows, remote_rows = _rows(local, table), _rows(remote, table)
            if table == "inputs":  # an object's time is its upload, a file's its mtime
                columns = [d[0] for d in local.execute("SELECT * FROM inputs LIMIT 0").description]
                kept = [i for i, c in enumerate(columns) if c != "mtime_ns"]
                local_rows = [tuple(r[i] for i in kept) for r in local_rows]
                remote_rows = [tuple(r[i] for i in kept) for r in remote_rows]
            assert remote_rows == local_rows, table
            assert local_rows, table
        failed = "SELECT rule_id, report_id FROM failed_rules ORDER BY ALL"
        assert remote.execute(failed).fetchall() == local.execute(failed).fetchall()
    assert not (both_runs["outputs"] / "xxgk.duckdb").exists()  # an s3 dataset has no DuckDB file
    # The audit site is written locally and mirrored beside the dataset, page for page.
    local_site = sorted(
        p.relative_to(both_runs["outputs"]).as_posix() for p in both_runs["outputs"].rglob("audit/**/*.*")
    )
    remote_site = sorted(
        f"audit/{p.relative_to(S3Path(BUCKET, 'dataset/audit'))}"
        for p, _ in S3Path(BUCKET, "dataset/audit").walk_files()
    )
    assert "audit/index.html" in remote_site and remote_site == local_site
    index = S3Path(BUCKET, "dataset/audit/index.html").read_bytes()
    assert index == (both_runs["outputs"] / "audit" / "index.html").read_bytes()


def _cli(*args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "COLUMNS": "250"}  # tables wide enough that no cell is cut
    return subprocess.run([XXGK, *args], capture_output=True, text=True, timeout=300, env=environment)


def test_status_query_and_history_read_the_bucket(both_runs):
    dataset = f"s3://{BUCKET}/dataset"
    query = _cli("query", "SELECT count(*) AS n FROM reports", "--curated", dataset, "--format", "json")
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout) == [{"n": both_runs["remote_summary"].reports_published}]
    status = _cli("status", "--curated", dataset)
    assert status.returncode == 0, status.stderr
    assert dataset in status.stdout and "version" in status.stdout
    history = _cli("history", "--curated", dataset)
    assert history.returncode == 0, history.stderr
    assert "run" in history.stdout
    rollback = _cli("rollback", "1", "--curated", dataset)  # a new version, recorded in the bucket
    assert rollback.returncode == 0, rollback.stderr
    assert "version 2 is version 1 again" in rollback.stdout
    assert "rollback to 1" in _cli("history", "--curated", dataset).stdout
    refused = _cli("query", "SELECT * FROM read_parquet('/etc/passwd')", "--curated", dataset)
    assert refused.returncode == 1  # the sandbox holds on object storage too
    missing = _cli("status", "--curated", f"s3://{BUCKET}/nothing-here")
    assert missing.returncode == 2 and "no dataset" in missing.stderr


def test_views_script_for_httpfs(both_runs, s3_server):
    """`xxgk views`: the views as SQL reading the files by URL. For the bucket it sets httpfs up
    (which cannot be downloaded here, so not run); for a folder the same script runs as it is."""
    import duckdb

    remote = _cli("views", "--curated", f"s3://{BUCKET}/dataset")
    assert remote.returncode == 0, remote.stderr
    assert "LOAD httpfs;" in remote.stdout
    assert f"ENDPOINT '{s3_server.removeprefix('http://')}'" in remote.stdout and "USE_SSL False" in remote.stdout
    assert f"read_parquet(['s3://{BUCKET}/dataset/reports/" in remote.stdout
    local = _cli("views", "--curated", str(both_runs["local"]))
    assert local.returncode == 0, local.stderr
    assert "httpfs" not in local.stdout.split("\n", 1)[1]
    with duckdb.connect() as connection:
        for statement in connection.extract_statements(local.stdout):
            connection.execute(statement)
        reports = connection.execute("SELECT count(*) FROM reports").fetchall()[0][0]
        failed = connection.execute("SELECT count(*) FROM failed_rules").fetchall()[0][0]
    assert reports == both_runs["local_summary"].reports_published
    assert failed == both_runs["local_summary"].rules_failed


def test_two_writers_never_commit_one_version(both_runs):
    """Two commits race for the next version of the bucket's dataset: exactly one is recorded,
    the other fails cleanly with VersionConflictError and leaves the dataset as the winner made it."""
    from dataclasses import replace

    from flows.dataset.store import Store, VersionConflictError

    store = Store(f"s3://{BUCKET}/dataset")
    current = store.current()
    candidates = [replace(store.rollback(current.version), summary={"writer": n}) for n in range(2)]
    assert candidates[0].version == candidates[1].version == current.version + 1
    outcomes = record_concurrently(store, candidates)
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, VersionConflictError)]
    assert len(winners) == 1 and len(losers) == 1
    assert f"version {current.version + 1}" in str(losers[0]) and "another writer" in str(losers[0])
    assert store.current().summary["writer"] == winners[0].summary["writer"]


def test_a_second_run_is_refused_while_the_first_holds_the_lease(both_runs, mixed_raw_dir):
    """Runs on one bucket dataset: while one holds the lease the other exits 3 naming it; a lease
    its holder stopped renewing (killed) is taken over."""
    from flows.dataset.lock import LOCK_FILE, dataset_lock

    dataset = S3Path(BUCKET, "dataset")
    with dataset_lock(dataset):
        holder = json.loads((dataset / LOCK_FILE).read_text())
        assert holder["pid"] == os.getpid()
        refused = _cli("run", "--raw", str(mixed_raw_dir), "--curated", str(dataset), "--quiet")
        assert refused.returncode == 3, refused.stderr
        assert "being written by" in refused.stderr and f"pid {os.getpid()}" in refused.stderr
    assert not (dataset / LOCK_FILE).is_file()  # released
    stale = {"pid": 1, "host": "gone", "started": "2026-01-01T00:00:00+00:00", "renewed": time.time() - 3600}
    (dataset / LOCK_FILE).write_text(json.dumps(stale))
    with dataset_lock(dataset) as left_behind:
        assert left_behind is not None and left_behind.host == "gone"
    again = _cli("run", "--raw", str(mixed_raw_dir), "--curated", str(dataset), "--quiet")
    assert again.returncode in (0, 1), again.stderr  # runs: not refused
    assert "being written by" not in again.stderr


def test_dask_workers_read_the_bucket_and_stage_there(both_runs):
    """Raw files and dataset in the bucket, parsing on a LocalCluster of worker processes (which
    inherit the AWS variables): the workers read the objects and stage their rows under the
    bucket's dataset, and the dataset is the one the local run made."""
    import duckdb
    from distributed import LocalCluster

    from flows.dataset.store import Store
    from flows.dataset.views import open_version
    from flows.parsing.dask_cluster import STAGING_DIR
    from flows.run.pipeline import xxgk_pipeline

    dataset = f"s3://{BUCKET}/dataset-dask"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        summary = xxgk_pipeline(
            raw_dir=f"s3://{BUCKET}/raw", curated_dir=dataset, batch_size=4, dask_address=cluster.scheduler_address
        )
    assert summary.published and summary.files_quarantined == both_runs["local_summary"].files_quarantined
    assert not list(S3Path(BUCKET, f"dataset-dask/{STAGING_DIR}").walk_files())
    store = Store(dataset)
    with (
        duckdb.connect(str(both_runs["local"] / "xxgk.duckdb"), read_only=True) as local,
        open_version(store, store.current()) as remote,
    ):
        for table in ("reports", "indicators", "rule_results", "quarantine"):
            assert _rows(remote, table) == _rows(local, table), table
