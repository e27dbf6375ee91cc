"""Dask benchmark: N synthetic reports (bench_run's mix) through ``xxgk run`` twice, once with the
local worker pool and once on a LocalCluster of as many worker processes, into two datasets.

    python benchmarks/bench_dask.py --reports 10000

Prints each run's wall time, files/s and overhead: the run's time beyond parsing the same files
in as many local processes with nothing stored (Prefect, GX, writing, DuckDB; on Dask also the
scheduler, the staged Parquet files and reading them back). The cluster's start is not timed.
Figures only: no assertion here, since shared machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_run import generate
from flows.parsing.pool import parsed_batches
from flows.parsing.raw_files import scan_raw_folder
from flows.settings import Settings


def parse_only(raw: Path, workers: int) -> float:
    """Seconds to parse every file in ``workers`` local processes, storing nothing."""
    files = scan_raw_folder(raw)
    size = Settings().batch_size
    batches = [files[i : i + size] for i in range(0, len(files), size)]
    started = time.perf_counter()
    for _ in parsed_batches(batches, workers, Settings().read_limits):
        pass
    return time.perf_counter() - started


def xxgk_run(raw: Path, curated: Path, workers: int, *extra: str) -> float:
    xxgk = Path(sys.executable).with_name("xxgk")
    command = [str(xxgk), "run", "--raw", str(raw), "--curated", str(curated), "--quiet", *extra]
    started = time.perf_counter()
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "XXGK_PARSE_WORKERS": str(workers)}
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout, result.stderr, file=sys.stderr)
        sys.exit(result.returncode)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="local parse processes, and Dask worker processes")
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()

    from distributed import LocalCluster

    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-dask-"))
    try:
        raw = work / "raw"
        raw.mkdir()
        size, _ = generate(raw, args.reports, args.seed, pre2019_share=0.4, wild_share=0.1)
        print(f"generated {args.reports} reports ({size / 1e6:.1f} MB); {args.workers} workers each side")
        parsing = parse_only(raw, args.workers)
        print(f"parsing alone (local processes, nothing stored): {parsing:.1f} s")

        def report(label: str, elapsed: float) -> None:
            print(
                f"{label}: {elapsed:.1f} s, {args.reports / elapsed:.0f} files/s, "
                f"overhead {100 * (elapsed - parsing) / parsing:.0f} % over parsing alone"
            )

        local = xxgk_run(raw, work / "curated_local", args.workers)
        report("local pool ", local)
        with LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            on_dask = xxgk_run(raw, work / "curated_dask", args.workers, "--dask", cluster.scheduler_address)
        report("Dask       ", on_dask)
        print(f"Dask vs local pool: {100 * (on_dask - local) / local:+.0f} %")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
