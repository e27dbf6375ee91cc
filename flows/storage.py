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


def stage_tables(tables: dict[str, pd.DataFrame], curated_dir: Path) -> Path:
    """Write every table into a staging folder inside ``curated_dir``; nothing visible changes.

    Schemas are enforced while writing, so a table that does not conform never reaches the
    dataset. Returns the staging folder, for :func:`swap_in` or :func:`discard_staged`.
    """
    curated_dir.mkdir(parents=True, exist_ok=True)
    staging = curated_dir / STAGING
    for leftover in (staging, curated_dir / PREVIOUS):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir()
    try:
        for name, frame in tables.items():
            _write(frame, CURATED_TABLES[name], staging / name)
    except Exception:
        discard_staged(staging)
        raise
    return staging


def swap_in(staging: Path, names: list[str], check_staged: Callable[[Path], object] | None = None) -> None:
    """Move the staged tables into place, after ``check_staged(staging)`` (the DuckDB views are
    built over the staged files there, so a view that cannot bind stops the publish)."""
    curated_dir = staging.parent
    if check_staged is not None:
        try:
            check_staged(staging)
        except Exception:
            discard_staged(staging)
            raise
    previous = curated_dir / PREVIOUS
    previous.mkdir()
    for name in names:
        target = curated_dir / name
        if target.exists():
            target.rename(previous / name)
        (staging / name).rename(target)
    shutil.rmtree(previous)
    shutil.rmtree(staging)


def discard_staged(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def publish_tables(
    tables: dict[str, pd.DataFrame], curated_dir: Path, check_staged: Callable[[Path], object] | None = None
) -> dict[str, int]:
    """Stage every table, then swap each into place; returns row counts per table."""
    swap_in(stage_tables(tables, curated_dir), list(tables), check_staged)
    return {name: len(frame) for name, frame in tables.items()}


def parquet_glob(curated_dir: Path, name: str) -> str:
    schema = CURATED_TABLES[name]
    pattern = f"{schema.partition_by}=*/{PART_FILE}" if schema.partition_by else PART_FILE
    return str((curated_dir / name / pattern).resolve())
