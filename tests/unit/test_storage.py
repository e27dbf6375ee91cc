"""Parquet publishing: schema enforced on write, deterministic bytes, swap leaves no partial state."""

import pandas as pd
import pyarrow.parquet as pq
import pytest

from flows.storage import discard_staged, publish_tables, stage_tables, swap_in
from transforms.schemas import QUARANTINE, REPORTS


def _quarantine(files: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": files,
            "stage": "decode",
            "reason": "empty file",
            "duplicate_of": None,
            "source_sha256": "0" * 64,
            "size_bytes": 0,
        },
        columns=QUARANTINE.column_names,
    )


def test_written_schema_is_the_declared_one(tmp_path):
    publish_tables({"quarantine": _quarantine(["a.txt"])}, tmp_path)
    written = pq.read_schema(tmp_path / "quarantine" / "part-0.parquet")
    assert written.remove_metadata() == QUARANTINE.arrow_schema()
    assert (
        pq.ParquetFile(tmp_path / "quarantine" / "part-0.parquet").metadata.row_group(0).column(0).compression == "ZSTD"
    )


def test_rewrite_replaces_and_is_byte_identical(tmp_path):
    publish_tables({"quarantine": _quarantine(["a.txt", "b.txt"])}, tmp_path)
    first = (tmp_path / "quarantine" / "part-0.parquet").read_bytes()
    publish_tables({"quarantine": _quarantine(["a.txt", "b.txt"])}, tmp_path)
    assert (tmp_path / "quarantine" / "part-0.parquet").read_bytes() == first
    assert pq.read_table(tmp_path / "quarantine").num_rows == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quarantine"]  # no staging leftovers


def test_nonconforming_table_is_rejected_and_previous_kept(tmp_path):
    publish_tables({"quarantine": _quarantine(["a.txt"])}, tmp_path)
    before = (tmp_path / "quarantine" / "part-0.parquet").read_bytes()
    with pytest.raises(ValueError, match="columns differ"):
        publish_tables({"quarantine": _quarantine(["b.txt"]).drop(columns="reason")}, tmp_path)
    with pytest.raises(ValueError, match="non-nullable"):
        publish_tables({"quarantine": _quarantine([None])}, tmp_path)
    assert (tmp_path / "quarantine" / "part-0.parquet").read_bytes() == before


def test_wrong_types_are_rejected(tmp_path):
    reports = pd.DataFrame([dict.fromkeys(REPORTS.column_names, "x")])
    with pytest.raises(ValueError, match="reports: does not conform"):
        publish_tables({"reports": reports}, tmp_path)


def test_staged_tables_are_invisible_until_swapped_in(tmp_path):
    publish_tables({"quarantine": _quarantine(["a.txt"])}, tmp_path)
    before = (tmp_path / "quarantine" / "part-0.parquet").read_bytes()
    staging = stage_tables({"quarantine": _quarantine(["a.txt", "b.txt"])}, tmp_path)
    assert (tmp_path / "quarantine" / "part-0.parquet").read_bytes() == before
    discard_staged(staging)  # what a run does when validation fails
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quarantine"]
    assert (tmp_path / "quarantine" / "part-0.parquet").read_bytes() == before
    swap_in(stage_tables({"quarantine": _quarantine(["a.txt", "b.txt"])}, tmp_path), ["quarantine"])
    assert pq.read_table(tmp_path / "quarantine").num_rows == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quarantine"]


def test_a_failed_check_of_the_staged_files_publishes_nothing(tmp_path):
    publish_tables({"quarantine": _quarantine(["a.txt"])}, tmp_path)
    before = (tmp_path / "quarantine" / "part-0.parquet").read_bytes()

    def views_do_not_bind(staged):
        raise RuntimeError("view does not bind")

    staging = stage_tables({"quarantine": _quarantine(["a.txt", "b.txt"])}, tmp_path)
    with pytest.raises(RuntimeError, match="does not bind"):
        swap_in(staging, ["quarantine"], check_staged=views_do_not_bind)
    assert (tmp_path / "quarantine" / "part-0.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quarantine"]
