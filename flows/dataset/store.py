"""The curated dataset as a versioned store: one Delta table per curated table, one version log.

Delta Lake (delta-rs) gives each table atomic commits, time travel and vacuum; a dataset version
pins one Delta version of every table, so readers see a whole version or the one before it,
never a mix of the two. A version is committed by writing its record,
``_versions/<number>.json``, created only if absent: until then the new Delta versions a run
wrote are invisible, and a run killed before its record leaves the dataset as it was (the next
run restores the tables to their pinned versions before it writes). The DuckDB file's views read
the Parquet files of the version they were built for, so a connection held open across a commit
keeps reading its version until vacuum removes files older than the retention.

The dataset may be a local folder or an ``s3://`` prefix (:mod:`flows.dataset.storage`): on object storage
the record is created with ``If-None-Match: *`` and the Delta commits are conditional puts, so two
writers never both commit one version.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from flows.dataset.damage import DatasetDamagedError
from flows.dataset.storage import (
    Location,
    PreconditionFailed,
    arrow_filesystem,
    delta_storage_options,
    location,
)
from transforms.schemas import CURATED_TABLES

VERSIONS_DIR = "_versions"
_DIGITS = 20  # version record names sort as numbers


@dataclass(frozen=True)
class DatasetVersion:
    version: int
    created: str  # UTC, ISO 8601
    operation: str  # run, rollback
    tables: dict[str, int]  # curated table → its pinned Delta version
    rows: dict[str, int]  # curated table → rows in that version
    summary: dict = field(default_factory=dict)  # what the run that made it saw and did

    @property
    def created_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created)


class VersionNotFoundError(LookupError):
    """The dataset has no such version (never made, or vacuumed)."""


class VersionConflictError(FileExistsError):
    """Another writer recorded this version number first: this one is not committed."""

    def __init__(self, root: Location, version: int) -> None:
        super().__init__(f"version {version} of {root} was committed by another writer first; nothing was committed")
        self.version = version


def damaged_table_error(
    root: Location, name: str, uri: str, version: int | None, exc: Exception
) -> DatasetDamagedError:
    at = "its latest version" if version is None else f"Delta version {version}"
    first_line = str(exc).strip().split("\n", 1)[0][:300]
    return DatasetDamagedError(root, f"table {name} cannot be read at {at} ({uri}/_delta_log): {first_line}")


class Store:
    """A dataset folder: its Delta tables, its version log, and the DuckDB file built over them."""

    def __init__(self, root: Location | str) -> None:
        self.root = location(root)
        self.log = self.root / VERSIONS_DIR
        self.options = delta_storage_options(self.root)  # None for a local folder

    @property
    def remote(self) -> bool:
        return self.root.is_remote

    def table_uri(self, name: str) -> str:
        return str((self.root / name).resolve())

    def _table(self, name: str, version: int | None = None):
        from deltalake import DeltaTable
        from deltalake.exceptions import DeltaError, TableNotFoundError

        uri = self.table_uri(name)
        try:
            return DeltaTable(uri, version=version, storage_options=self.options)
        except TableNotFoundError:
            raise
        except (DeltaError, OSError, ValueError) as exc:  # a truncated or missing log entry
            raise damaged_table_error(self.root, name, uri, version, exc) from exc

    # ---- the version log -------------------------------------------------------------------

    def history(self) -> list[DatasetVersion]:
        """Every version on record that can be read, oldest first; a damaged record is left out
        (:meth:`damaged_records` names it), as an earlier version is not needed to read a later one."""
        return [version for version, _ in self._loaded() if version is not None]

    def damaged_records(self) -> list[tuple[str, str]]:
        """(record file, what is wrong with it) of every version record that cannot be read."""
        return [
            (str(path), problem) for (_, problem), path in zip(self._loaded(), self._records(), strict=True) if problem
        ]

    def _loaded(self) -> list[tuple[DatasetVersion | None, str]]:
        loaded = []
        for path in self._records():
            try:
                loaded.append((_load(path), ""))
            except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
                loaded.append((None, f"{type(exc).__name__}: {str(exc)[:200]}"))
        return loaded

    def _records(self) -> list[Location]:
        try:
            found = [path for path, _ in self.log.walk_files()]
        except FileNotFoundError:  # no version recorded yet
            found = []
        return sorted(p for p in found if p.name.endswith(".json") and p.name.removesuffix(".json").isdigit())

    def current(self) -> DatasetVersion | None:
        """The latest version; DatasetDamagedError when its record cannot be read (the latest
        good version is named: ``xxgk doctor --repair`` makes it current again)."""
        loaded = self._loaded()
        if not loaded:
            return None
        version, problem = loaded[-1]
        if version is None:
            good = [v for v, _ in loaded if v is not None]
            offer = f"the latest good version is {good[-1].version}" if good else "no version record can be read"
            raise DatasetDamagedError(
                self.root, f"the current version's record {self._records()[-1]} ({problem}); {offer}"
            )
        return version

    def get(self, version: int) -> DatasetVersion:
        try:
            return _load(self.log / f"{version:0{_DIGITS}d}.json")
        except FileNotFoundError:
            known = ", ".join(str(v.version) for v in self.history()) or "none"
            raise VersionNotFoundError(f"the dataset has no version {version} (versions on record: {known})") from None

    def _last_number(self) -> int:
        try:
            names = [path.name for path, _ in self.log.walk_files()]
        except FileNotFoundError:
            return 0
        numbers = [int(name.split(".", 1)[0]) for name in names if name.split(".", 1)[0].isdigit()]
        return max(numbers, default=0)

    def record_paths(self) -> list[Location]:
        """The version record files, oldest first, readable or not."""
        return self._records()

    def _next(self, operation: str, tables: dict[str, int], rows: dict[str, int], summary: dict) -> DatasetVersion:
        return DatasetVersion(
            version=self._last_number() + 1,  # after every record, damaged or moved aside: a number is used once
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            operation=operation,
            tables=tables,
            rows=rows,
            summary=summary,
        )

    def record(self, version: DatasetVersion) -> DatasetVersion:
        """Write ``version``'s record, atomically and only if that version number is not taken
        (else VersionConflictError)."""
        final = self.log / f"{version.version:0{_DIGITS}d}.json"
        try:  # put-if-absent: a version number is recorded once
            final.create(json.dumps(asdict(version), ensure_ascii=False, indent=1).encode())
        except PreconditionFailed:
            raise VersionConflictError(self.root, version.version) from None
        return version

    # ---- tables ----------------------------------------------------------------------------

    def remove_unpinned_files(self) -> list[str]:
        """Delete the Parquet files no recorded version uses: what a run that did not commit wrote
        (a failed run must not leave the disk fuller, least of all a full one), and what a commit
        merged away. Call after :meth:`prepare`, holding the lock. Returns the files deleted."""
        if self.remote:
            return []  # left to vacuum: listing a bucket costs more than the files
        pinned: dict[str, set[str]] = {name: set() for name in CURATED_TABLES}
        for version in self.history():
            for name, delta_version in version.tables.items():
                if name in pinned:
                    pinned[name] |= {os.path.normpath(f) for f in self._pinned_files(name, delta_version)}
        removed = []
        for name, keep in pinned.items():
            if not self.exists(name):
                continue
            keep |= {os.path.normpath(f) for f in self._table(name).file_uris()}  # the latest: after prepare, a pin
            for path in Path(self.table_uri(name)).rglob("*.parquet"):
                if "_delta_log" not in path.parts and os.path.normpath(path) not in keep:
                    path.unlink(missing_ok=True)
                    removed.append(str(path))
        return removed

    def prepare(self) -> list[str]:
        """Undo what a run that did not commit wrote: each table back to its pinned Delta version.
        Returns the tables restored."""
        current = self.current()
        restored = []
        for name in CURATED_TABLES:
            if not self.exists(name):
                continue
            table = self._table(name)
            pinned = current.tables.get(name) if current else None
            if pinned is None:
                # Written by a run that never committed, and no version pins it: nothing to keep.
                table.delete()
                restored.append(name)
            elif table.version() != pinned and set(table.file_uris()) != set(self._pinned_files(name, pinned)):
                table.restore(pinned)  # a new Delta version holding the pinned version's files
                restored.append(name)
        return restored

    def write(self, tables: dict[str, pd.DataFrame]) -> dict[str, int]:
        """Replace each table's rows (schemas enforced); returns the new Delta versions. Nothing a
        reader sees changes until :meth:`commit`."""
        from deltalake import WriterProperties, write_deltalake

        written = {}
        properties = WriterProperties(compression="ZSTD")
        for name, frame in tables.items():
            schema = CURATED_TABLES[name]
            arrow = schema.to_arrow(frame)
            write_deltalake(
                self.table_uri(name),
                arrow,
                mode="overwrite",
                partition_by=[schema.partition_by] if schema.partition_by else None,
                schema_mode="overwrite",
                writer_properties=properties,
                storage_options=self.options,
            )
            written[name] = self._table(name).version()
        return written

    # ---- a run's changes, written as they come (nothing visible until recorded) ------------

    def exists(self, name: str) -> bool:
        from deltalake import DeltaTable

        return DeltaTable.is_deltatable(self.table_uri(name), storage_options=self.options)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        from deltalake import WriterProperties, write_deltalake

        schema = CURATED_TABLES[name]
        write_deltalake(
            self.table_uri(name),
            schema.to_arrow(frame),
            mode="append",
            partition_by=[schema.partition_by] if schema.partition_by else None,
            writer_properties=WriterProperties(compression="ZSTD"),
            storage_options=self.options,
        )

    def compact(self, name: str, max_files_per_partition: int) -> bool:
        """Merge the table's files when a partition holds more than ``max_files_per_partition``
        (each flush of each run appends one): a new Delta version with the same rows in the same
        order; earlier versions keep their files until vacuum. Returns whether it compacted."""
        from deltalake import WriterProperties

        if not self.exists(name):
            return False
        table = self._table(name)
        per_partition: dict[str, int] = {}
        for uri in table.file_uris():
            folder = uri.rsplit("/", 1)[0]
            per_partition[folder] = per_partition.get(folder, 0) + 1
        if max(per_partition.values(), default=0) <= max_files_per_partition:
            return False
        table.optimize.compact(writer_properties=WriterProperties(compression="ZSTD"))
        return True

    def delete(self, name: str, column: str, values: list[str]) -> None:
        """Delete the rows whose ``column`` is one of ``values`` (from the table's latest state)."""
        if not values or not self.exists(name):
            return
        table = self._table(name)
        for start in range(0, len(values), 1000):
            listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values[start : start + 1000])
            table.delete(f"{column} IN ({listed})")

    def truncate(self, name: str) -> None:
        """Empty the table, with the declared schema: a full run after an upgrade may add columns."""
        if self.exists(name):
            self.write({name: CURATED_TABLES[name].empty_frame()})

    def latest(self, name: str, columns: list[str] | None = None, where: tuple | None = None) -> pd.DataFrame:
        """Rows of a table as this run has left it so far; ``where`` = (column, values) keeps the
        rows whose column is one of the values. Read with DuckDB, which streams the files."""
        import duckdb

        schema = CURATED_TABLES[name]
        wanted = columns or schema.column_names
        if not self.exists(name) or (where is not None and not len(where[1])):
            return schema.empty_frame()[wanted]
        files = self._table(name).file_uris()
        if not files:
            return schema.empty_frame()[wanted]
        selected = ", ".join(f'"{c}"' for c in wanted)
        with duckdb.connect() as connection:
            sql = f"SELECT {selected} FROM {self.parquet_source(connection, name, files)}"
            if where is not None:
                connection.register("wanted", pd.DataFrame({"value": list(where[1])}))
                sql += f' WHERE "{where[0]}" IN (SELECT value FROM wanted)'
            frame = connection.execute(sql).df()
        types = {c.name: c.type for c in schema.columns}
        return (
            pa.Table.from_pandas(frame, preserve_index=False)
            .cast(pa.schema([pa.field(c, types[c]) for c in wanted]))
            .to_pandas()
        )

    def latest_files(self, name: str) -> list[str]:
        return sorted(self._table(name).file_uris()) if self.exists(name) else []

    def latest_versions(self, names: list[str]) -> dict[str, int]:
        return {name: self._table(name).version() for name in names if self.exists(name)}

    def parquet_source(self, connection, name: str, files: list[str]) -> str:
        """A FROM item that reads ``files`` of table ``name`` on ``connection``: ``read_parquet``
        for a local folder; for object storage a pyarrow dataset registered on the connection
        (DuckDB would need its httpfs extension to read s3:// itself)."""
        hive = bool(CURATED_TABLES[name].partition_by)
        if not self.remote:
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            return f"read_parquet([{listed}], hive_partitioning = {hive})"
        import pyarrow.dataset as pads

        filesystem, _ = arrow_filesystem(self.root)
        paths = [f.removeprefix("s3://") for f in files]
        dataset = pads.dataset(paths, filesystem=filesystem, format="parquet", partitioning="hive" if hive else None)
        registered = f"{name}_files"
        connection.register(registered, dataset)
        return registered

    def pending(
        self, written: dict[str, int], rows: dict[str, int], summary: dict, started_from: int | None = None
    ) -> DatasetVersion:
        """The version the written tables will make, not yet recorded (tables not written keep their
        pins): build what readers need over it, then :meth:`record` it. ``started_from``: the
        version the run began with (0: none); another writer's version since is a conflict, as
        a version recorded first is in :meth:`record`."""
        current = self.current()
        if started_from is not None and (current.version if current else 0) != started_from:
            raise VersionConflictError(self.root, started_from + 1)
        tables = {**(current.tables if current else {}), **written}
        counts = {**(current.rows if current else {}), **rows}
        return self._next("run", tables, counts, summary)

    def rollback(self, version: int) -> DatasetVersion:
        """A new version with an earlier version's tables (not yet recorded): nothing is rewritten."""
        target = self.get(version)
        return self._next("rollback", target.tables, target.rows, {**target.summary, "rolled_back_to": version})

    def files(self, version: DatasetVersion, name: str) -> list[str]:
        """The Parquet files of one table in one version."""
        pinned = version.tables.get(name)
        return [] if pinned is None else self._pinned_files(name, pinned)

    def files_at(self, name: str, delta_version: int) -> list[str]:
        """The Parquet files of one table at one Delta version (DatasetDamagedError if its log
        cannot be read that far)."""
        return self._pinned_files(name, delta_version)

    def _pinned_files(self, name: str, pinned: int) -> list[str]:
        return sorted(self._table(name, pinned).file_uris())

    def read(self, version: DatasetVersion, name: str, columns: list[str] | None = None) -> pa.Table:
        schema = CURATED_TABLES[name]
        pinned = version.tables.get(name)
        if pinned is None:
            return schema.arrow_schema().empty_table()
        return self._table(name, pinned).to_pyarrow_table(columns=columns)

    def vacuum(self, retention: dt.timedelta) -> list[int]:
        """Forget versions older than ``retention`` (never the current one) and delete the files
        only they used. Returns the versions forgotten."""
        records = self.history()
        if not records:
            return []
        cutoff = dt.datetime.now(dt.UTC) - retention
        forgotten = [v for v in records[:-1] if v.created_at < cutoff]
        for version in forgotten:
            (self.log / f"{version.version:0{_DIGITS}d}.json").unlink()
        hours = max(0, int(retention.total_seconds() // 3600))
        for name in CURATED_TABLES:
            if self.exists(name):
                self._table(name).vacuum(retention_hours=hours, enforce_retention_duration=False, dry_run=False)
        return [v.version for v in forgotten]


def _load(path: Location) -> DatasetVersion:
    return DatasetVersion(**json.loads(path.read_text(encoding="utf-8")))
