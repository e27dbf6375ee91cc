"""``xxgk doctor``: what is wrong with a dataset, how to fix it, and the fixes that need nothing but
the dataset itself, each as a new version (history is never rewritten).

It checks every version record, the Delta log of every table (at the version the current dataset
version pins, and at its latest state), that every Parquet file of the current version is there,
and that the DuckDB file opens and reads this folder's files. What it can repair:

- the current version's record is damaged: the latest good version becomes current again, as a
  new version (a rollback);
- Delta log entries cannot be read (a commit cut short by a full disk or a crash): they are moved
  aside (``.damaged-<time>``) from the first unreadable one on, with the records of the versions
  that needed them; if the current version was one, the latest version that reads becomes current
  again, as a new version; and what the cut-short write left is deleted;
- the DuckDB file is missing, damaged or reads another folder: it is rebuilt.

What it cannot: a Parquet file of the current version that is gone. It then names the latest
version that is whole (``xxgk rollback``) and says how to rebuild from the raw files.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.dataset.damage import DatasetDamagedError
from flows.dataset.publish import publish
from flows.dataset.query import views_read_here
from flows.dataset.store import DatasetVersion, Store
from transforms.schemas import CURATED_TABLES

REPAIRABLE = ("the current version's record", "move aside", "rebuild the DuckDB file")
REBUILD = "rebuild it from the raw files: `xxgk run --full --raw <reports>` (or into a new folder with --curated)"


@dataclass
class Finding:
    problem: str
    fix: str
    repaired: str = ""  # what --repair did

    @property
    def repairable(self) -> bool:
        return self.fix.startswith(REPAIRABLE)


@dataclass
class Examination:
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what was checked and found whole

    @property
    def healthy(self) -> bool:
        return all(f.repaired for f in self.findings)


def examine(store: Store, duckdb_path: Path, repair: bool = False) -> Examination:
    """Check the dataset; with ``repair``, fix what the dataset alone can fix."""
    found = Examination()
    _damaged_logs(store, duckdb_path, found, repair)  # first: a repair may make another version current
    damaged = store.damaged_records()
    readable = store.history()
    records = store.record_paths()
    current_damaged = bool(records) and str(records[-1]) in {path for path, _ in damaged}
    for path, problem in damaged:
        fix, repaired = "", "left out: no version needs an earlier version's record"
        if path == str(records[-1]):
            fix, repaired = "", ""
            if readable:
                fix = f"the current version's record: make version {readable[-1].version} current again"
        found.findings.append(Finding(f"version record {path} cannot be read ({problem})", fix, repaired))
    found.checked.append(f"{len(readable)} of {len(records)} version records readable")
    current = readable[-1] if readable else None
    if current is None:
        return found
    whole = _whole_version(store, current, found)
    if current_damaged and repair and whole:
        restored = publish(store, store.rollback(current.version), duckdb_path)
        for finding in found.findings:
            if "current version's record" in finding.fix:
                finding.repaired = f"version {restored.version} is version {current.version} again"
    _duckdb_file(store, duckdb_path, found, repair and whole)
    if not whole:
        good = next((v for v in reversed(readable[:-1]) if _whole_version(store, v, Examination())), None)
        offer = f"`xxgk rollback {good.version}` makes the latest whole version current, or " if good else ""
        for finding in found.findings:
            if not finding.repaired and finding.fix == "":
                finding.fix = offer + REBUILD
    return found


def _whole_version(store: Store, version: DatasetVersion, found: Examination) -> bool:
    """Whether every table of ``version`` reads at its pinned Delta version with all its files."""
    whole = True
    for name in CURATED_TABLES:
        if name not in version.tables:
            continue
        try:
            files = store.files(version, name)
        except DatasetDamagedError as exc:
            found.findings.append(Finding(str(exc).split(": ", 1)[-1], ""))
            whole = False
            continue
        missing = [f for f in files if not store.remote and not Path(f).exists()]
        if missing:
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            listed = ", ".join(missing[:3]) + more
            problem = f"table {name} of version {version.version}: Parquet files missing: {listed}"
            found.findings.append(Finding(problem, ""))
            whole = False
    if whole:
        found.checked.append(f"version {version.version}: every table reads, every Parquet file is there")
    return whole


def _damaged_logs(store: Store, duckdb_path: Path, found: Examination, repair: bool) -> None:
    """Delta log entries that cannot be read (a write cut short: a full disk, a crash). The entries
    from the first unreadable one on are moved aside (``.damaged-<time>``); so are the records of
    the versions that pinned them (they cannot be read, and their Delta version numbers will be
    used again), and when the current version was one of them, the latest version that reads
    becomes current again, as a new version."""
    if store.remote:
        return
    for name in CURATED_TABLES:
        if not store.exists(name):
            continue
        try:
            store.latest_files(name)
            continue
        except DatasetDamagedError as exc:
            problem = str(exc).split(": ", 1)[-1]
        log = Path(store.table_uri(name)) / "_delta_log"
        entries = sorted((int(p.stem), p) for p in log.glob("*.json") if p.stem.isdigit())
        readable = _last_readable(store, name, [number for number, _ in entries])
        later = [path for number, path in entries if number > readable]
        needing = [v for v in store.history() if v.tables.get(name, -1) > readable]
        finding = Finding(problem, f"move aside the log entries from {later[0].name} on" if later else "")
        if needing:
            finding.fix += f", and the records of versions {', '.join(str(v.version) for v in needing)} that need them"
        found.findings.append(finding)
        if not (repair and later):
            continue
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for entry in later:
            entry.rename(entry.with_name(f"{entry.name}.damaged-{stamp}"))
        versions = store.history()
        current = versions[-1] if versions else None
        for version in needing:
            record = store.log / f"{version.version:020d}.json"
            record.rename(record.with_name(f"{record.name}.damaged-{stamp}"))
        finding.repaired = f"moved aside {len(later)} log entries of table {name}"
        if needing:
            finding.repaired += f" and the records of versions {', '.join(str(v.version) for v in needing)}"
        if current is not None and current.version in {v.version for v in needing}:
            good = store.history()
            if good:
                restored = publish(store, store.rollback(good[-1].version), duckdb_path)
                finding.repaired += f"; version {restored.version} is version {good[-1].version} again"
        store.prepare()
        store.remove_unpinned_files()


def _last_readable(store: Store, name: str, numbers: list[int]) -> int:
    """The highest Delta version of the table that reads (-1: none)."""
    for number in sorted(numbers, reverse=True):
        try:
            store.files_at(name, number)
            return number
        except DatasetDamagedError:
            continue
    return -1


def _duckdb_file(store: Store, duckdb_path: Path, found: Examination, repair: bool) -> None:
    import duckdb

    if store.remote:
        return
    problem = ""
    try:
        with duckdb.connect(str(duckdb_path), read_only=True) as connection:
            if not views_read_here(connection, store.root):
                problem = f"the DuckDB file {duckdb_path} reads another folder's files (the dataset moved)"
    except duckdb.Error as exc:
        problem = f"the DuckDB file {duckdb_path} cannot be opened: {str(exc).splitlines()[0][:200]}"
    if not problem:
        found.checked.append(f"the DuckDB file {duckdb_path} opens and reads this folder")
        return
    finding = Finding(problem, "rebuild the DuckDB file over the current version")
    if repair:
        publish(store, store.current(), duckdb_path, record=False)
        finding.repaired = "rebuilt"
    found.findings.append(finding)
