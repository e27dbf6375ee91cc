"""Do two versions of the code publish the same dataset? A refactoring or a speed-up must not
change a single row.

    python benchmarks/compare_runs.py --before <commit> [--synthetic 2000] [--raw DIR]

Checks out ``--before`` into a temporary worktree, runs ``xxgk run`` with each tree's code (this
one and that one) on the same raw folder (default: ../shared/corpus/real and the bundled sample,
plus ``--synthetic`` reports of bench_run's mix), and compares every view of the two DuckDB files
row by row (rows sorted; the columns both have; ``inputs`` without modification times and parser
version, ``dataset_version`` not at all: it says when), and every report page of the audit sites
byte by byte. Prints what differs and exits 1 when anything does.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VOLATILE = {"inputs": {"mtime_ns", "parser_version"}}
NOT_COMPARED = {"dataset_version"}  # when each version was made


def _views(curated: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        return sorted(
            row[0] for row in connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        )


def _pages(curated: Path) -> dict[str, bytes]:
    folder = curated / "audit" / "reports"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.html")}


def _run(tree: Path, raw: Path, curated: Path) -> None:
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); from flows.cli import app; sys.argv[0] = 'xxgk'; app()"
    result = subprocess.run(
        [sys.executable, "-c", code, "run", "--raw", str(raw), "--curated", str(curated), "--quiet"],
        cwd=tree,
        capture_output=True,
        text=True,
    )
    if result.returncode not in (0, 1):
        sys.exit(f"{tree}: xxgk run failed ({result.returncode}):\n{result.stderr[-3000:]}")


def _rows(curated: Path, table: str, columns: list[str]) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        selected = ", ".join(f'"{c}"' for c in columns)
        return sorted(connection.execute(f"SELECT {selected} FROM {table}").fetchall(), key=repr)


def _columns(curated: Path, table: str) -> list[str]:
    import duckdb

    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        return [row[0] for row in connection.execute(f"DESCRIBE {table}").fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the commit to compare this tree with")
    parser.add_argument("--raw", type=Path, help="raw folder (default: the corpus and the sample)")
    parser.add_argument("--synthetic", type=int, default=0, help="add this many reports of bench_run's mix")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xxgk-compare-"))
    try:
        raw = args.raw
        if raw is None:
            raw = work / "raw"
            raw.mkdir()
            corpus = REPO.parent / "shared" / "corpus" / "real"
            for path in sorted(corpus.iterdir()) if corpus.is_dir() else []:
                shutil.copy(path, raw / path.name)
            shutil.copy(REPO / "data" / "raw" / "taoyuan_2018_report.txt", raw)
            if args.synthetic:
                from benchmarks.bench_run import generate

                (raw / "synthetic").mkdir()
                generate(raw / "synthetic", args.synthetic, 2018, 0.4, 0.1)
        before = work / "before"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(before), args.before], cwd=REPO, check=True)
        _run(before, raw, work / "curated_before")
        _run(REPO, raw, work / "curated_after")
        differences = 0
        views_before, views_after = _views(work / "curated_before"), _views(work / "curated_after")
        for view in sorted(set(views_before) ^ set(views_after)):
            print(f"{view}: only {'before' if view in views_before else 'after'}")
        for table in sorted(set(views_before) & set(views_after) - NOT_COMPARED):
            old, new = _columns(work / "curated_before", table), _columns(work / "curated_after", table)
            shared = [c for c in old if c in new and c not in VOLATILE.get(table, set())]
            a, b = _rows(work / "curated_before", table, shared), _rows(work / "curated_after", table, shared)
            same = a == b
            differences += not same
            added = sorted(set(new) - set(old))
            print(f"{table}: {len(a)} rows before, {len(b)} after: {'same' if same else 'DIFFERENT'}", end="")
            print(f" (columns only after: {', '.join(added)})" if added else "")
            if not same:
                for row in sorted(set(a) ^ set(b), key=repr)[:5]:
                    print(f"  {'before' if row in set(a) else 'after '}: {row}")
        pages_before, pages_after = _pages(work / "curated_before"), _pages(work / "curated_after")
        same_pages = pages_before == pages_after
        differences += not same_pages
        print(f"audit report pages: {len(pages_before)} before, {len(pages_after)} after: ", end="")
        print("same" if same_pages else "DIFFERENT")
        if not same_pages:
            names = {*pages_before, *pages_after}
            changed = sorted(name for name in names if pages_before.get(name) != pages_after.get(name))
            print("  " + ", ".join(changed[:10]))
        sys.exit(1 if differences else 0)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(work / "before")], cwd=REPO, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
