"""Making a version what readers see: the one commit sequence of a run, a rollback and a rerun.

Build the DuckDB file over the version (a view that cannot bind stops here, before anything is
recorded), record the version (the commit: readers of the store see it from now on), then put
the DuckDB file in place by an atomic rename. A run with nothing new records nothing and only
rebuilds the file over the current version (right even if the dataset folder moved).
"""

from __future__ import annotations

from pathlib import Path

from flows import faults
from flows.dataset.store import DatasetVersion, Store
from flows.dataset.views import build_duckdb


def publish(store: Store, version: DatasetVersion, duckdb_path: Path, record: bool = True) -> DatasetVersion:
    """``version`` made current (``record``) and shown by the DuckDB file at ``duckdb_path``."""
    database = build_duckdb(store, version, duckdb_path)
    if record:
        store.record(version)
        faults.point("committing")  # recorded, but the DuckDB file still shows the version before
    if database is not None:
        database.replace(duckdb_path)
    return version
