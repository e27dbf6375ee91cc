"""Volume benchmark: N synthetic reports through ``xxgk run`` end to end (Prefect + GX included).

    python benchmarks/bench_run.py --reports 10000

Prints reports/second and the run's peak memory (max RSS of the child process). The target
(issue #2) is 10,000 reports in ≤ 60 s on a 2-core machine. Figures only: no assertion here,
since shared machines are noisy.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic_reports import encode, make_report


def generate(raw_dir: Path, count: int, seed: int) -> int:
    rng = random.Random(seed)
    total = 0
    for index in range(count):
        report = make_report(rng, index)
        data = encode(report, rng)
        (raw_dir / f"report_{index:06d}.txt").write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    raw, curated = work / "raw", work / "curated"
    raw.mkdir()
    started = time.perf_counter()
    size = generate(raw, args.reports, args.seed)
    print(f"generated {args.reports} reports ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")

    xxgk = Path(sys.executable).with_name("xxgk")
    started = time.perf_counter()
    result = subprocess.run(
        [str(xxgk), "run", "--raw", str(raw), "--curated", str(curated), "--quiet"], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(result.stdout)
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        sys.exit(result.returncode)
    print(
        f"xxgk run: {args.reports} reports in {elapsed:.1f} s = {args.reports / elapsed:.0f} reports/s; "
        f"peak memory {peak_mb:.0f} MB"
    )
    print(
        f"target: 10,000 reports in <= 60 s -> {'met' if args.reports >= 10_000 and elapsed <= 60 else 'see figures'}"
    )
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
