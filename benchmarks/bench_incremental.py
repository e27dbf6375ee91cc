"""Incremental runs and a growing archive: wall time and the peak memory of the whole process tree.

    python benchmarks/bench_incremental.py --reports 10000            # full, rerun, +100, one report
    python benchmarks/bench_incremental.py --reports 100000 --only-full
    python benchmarks/bench_incremental.py --raw path/to/reports    # full run on a folder you have

For each ``xxgk run`` it prints the wall time and the peak resident memory summed over the run and
every process it started (parse workers, the temporary Prefect API server), sampled from /proc
every 0.2 s; for the full run, each process's share at the peak and the time of
``SELECT * FROM report_wide LIMIT 100``.
Each run's largest stages follow its line (``xxgk run --timings``). Targets (issue #23): a one-report
run ≤ 6 s; a rerun with nothing new ≤ a one-report run; 100 new files on top of 10,000 ≤ a
one-report run + 3 s; peak memory of the tree ≤ 1.5 GB at 100,000 reports. Figures only: no
assertion here, since shared machines are noisy.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_run import generate, run_notices, stage_seconds

PAGE_KB = 4


def _tree_rss_kb(root: int) -> dict[str, int]:
    """Resident memory (kB) of ``root`` and each of its descendants, by process (pid and role)."""
    parents, rss, names = {}, {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        parents[pid], rss[pid], names[pid] = int(fields[1]), int(fields[21]) * PAGE_KB, _role(command)
    tree, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - tree
        tree |= frontier
    return {f"{names[pid]} {pid}": rss[pid] for pid in tree if pid in rss}


ROLES = {"spawn_main": "parse worker", "uvicorn": "Prefect API server", "resource_tracker": "resource tracker"}


def _role(command: str) -> str:
    for marker, role in ROLES.items():
        if marker in command:
            return role
    return "xxgk run" if "xxgk" in command else command[:40]


def timed_run(raw: Path, curated: Path, *extra: str) -> tuple[float, float, str, dict[str, int]]:
    """Wall seconds, peak tree memory (MB), stdout of one ``xxgk run``, and each process's memory
    (MB) at the peak."""
    xxgk = Path(sys.executable).with_name("xxgk")
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(xxgk), "run", "--raw", str(raw), "--curated", str(curated), "--quiet", "--timings", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak, at_peak = 0, {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, at_peak
        while not done.is_set():
            processes = _tree_rss_kb(process.pid)
            if sum(processes.values()) > peak:
                peak, at_peak = sum(processes.values()), processes
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        print(err, file=sys.stderr)
        sys.exit(process.returncode)
    global last_stages
    last_stages = stages_line(elapsed, err) + "".join(f"\n    run notice: {n}" for n in run_notices(err))
    return elapsed, peak / 1024, out, {name: kb // 1024 for name, kb in at_peak.items()}


last_stages = ""  # the stages of the last timed run, printed under its line


def stages_line(elapsed: float, stderr: str, shown: int = 8) -> str:
    """The run's largest stages (``xxgk run --timings``), on one line."""
    stages = stage_seconds(stderr)
    stages["interpreter, CLI imports, exit"] = elapsed - sum(stages.values())
    largest = sorted(stages.items(), key=lambda item: -item[1])[:shown]
    return "    stages: " + ", ".join(f"{name} {seconds:.2f}" for name, seconds in largest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--only-full", action="store_true", help="just the full run (for 100,000 reports)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--raw", type=Path, help="an existing folder of reports (read only): the full run on it")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-incremental-"))
    raw, curated, extra, single = work / "raw", work / "curated", work / "extra", work / "single"
    for folder in (raw, extra, single):
        folder.mkdir()
    if args.raw:
        raw, args.only_full = args.raw, True
        args.reports = sum(1 for path in raw.rglob("*") if path.is_file())
    else:
        started = time.perf_counter()
        generate(raw, args.reports, args.seed, 0.4, 0.1)
        generate(extra, 100, args.seed + 1, 0.4, 0.1)
        print(f"generated {args.reports} + 100 reports in {time.perf_counter() - started:.0f} s")

    def report(label: str, elapsed: float, peak: float) -> None:
        print(f"{label:44s} {elapsed:7.1f} s   peak memory of the process tree {peak:6.0f} MB", flush=True)
        print(last_stages, flush=True)

    elapsed, peak, _, processes = timed_run(raw, curated)
    report(f"full run, {args.reports} reports", elapsed, peak)
    print("  at the peak: " + ", ".join(f"{name} {mb} MB" for name, mb in sorted(processes.items())))
    print(f"  SELECT * FROM report_wide LIMIT 100: {_query_ms(curated, 'SELECT * FROM report_wide LIMIT 100')}")
    if not args.only_full:
        shutil.copy(next(raw.iterdir()), single / "one.txt")
        one, peak, _, _ = timed_run(single, work / "single_curated")
        report("one-report run (fresh dataset)", one, peak)
        elapsed, peak, _, _ = timed_run(raw, curated)
        report(f"rerun, nothing new (target <= {one:.1f} s)", elapsed, peak)
        for path in extra.iterdir():
            shutil.copy(path, raw / f"extra_{path.name}")
        elapsed, peak, _, _ = timed_run(raw, curated)
        report(f"100 new files on top (target <= {one + 3:.1f} s)", elapsed, peak)
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


def _query_ms(curated: Path, sql: str, repeats: int = 5) -> str:
    """Wall milliseconds of each of a few runs of ``sql`` on a fresh read-only connection."""
    import duckdb

    times = []
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        for _ in range(repeats):
            started = time.perf_counter()
            connection.execute(sql).fetchall()
            times.append(f"{(time.perf_counter() - started) * 1000:.0f}")
    return " / ".join(times) + " ms (target <= 200 ms)"


if __name__ == "__main__":
    main()
