"""Write the curated tables as Parquet and publish them in one step; a rerun replaces, never appends."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.schemas import CURATED_TABLES, TableSchema

STAGING = ".staging"
PREVIOUS = ".previous"
PART_FILE = "part-0.parquet"


def _write(table: pd.DataFrame, schema: TableSchema, directory: Path) -> list[Path]:
    arrow = schema.to_arrow(table)
    written = []
    if schema.partition_by is None:
        directory.mkdir(parents=True)
        path = directory / PART_FILE
        pq.write_table(arrow, path, compression="zstd")
        return [path]
    partition = arrow.column(schema.partition_by)
    directory.mkdir(parents=True)
    for key in sorted(pc.unique(partition).to_pylist()):
        part = arrow.filter(pc.equal(partition, key)).drop_columns([schema.partition_by])
        path = directory / f"{schema.partition_by}={key}" / PART_FILE
        path.parent.mkdir()
        pq.write_table(part, path, compression="zstd")
        written.append(path)
    return written


def publish_tables(
    tables: dict[str, pd.DataFrame], curated_dir: Path, check_staged: Callable[[Path], object] | None = None
) -> dict[str, int]:
    """Write every table to a staging folder, then swap each into place.

    Schemas are enforced while writing, so a table that does not conform never reaches
    ``curated_dir``; ``check_staged(staging_dir)`` runs before the swap (the DuckDB views are
    built over the staged files there, so a view that cannot bind stops the publish).
    Returns row counts per table.
    """
    curated_dir.mkdir(parents=True, exist_ok=True)
    staging = curated_dir / STAGING
    previous = curated_dir / PREVIOUS
    for leftover in (staging, previous):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir()
    for name, frame in tables.items():
        _write(frame, CURATED_TABLES[name], staging / name)
    if check_staged is not None:
        try:
            check_staged(staging)
        except Exception:
            shutil.rmtree(staging)
            raise
    previous.mkdir()
    for name in tables:
        target = curated_dir / name
        if target.exists():
            target.rename(previous / name)
        (staging / name).rename(target)
    shutil.rmtree(previous)
    shutil.rmtree(staging)
    return {name: len(frame) for name, frame in tables.items()}


def parquet_glob(curated_dir: Path, name: str) -> str:
    schema = CURATED_TABLES[name]
    pattern = f"{schema.partition_by}=*/{PART_FILE}" if schema.partition_by else PART_FILE
    return str((curated_dir / name / pattern).resolve())
