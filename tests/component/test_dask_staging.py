"""Staged batch frames (Parquet written by a Dask worker, read back by the flow) come back as they were."""

from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE_REPORT

from flows.parsing.batch import parse_files
from flows.parsing.dask_cluster import STAGING_DIR, read_staged, remove_staging, stage_frames
from flows.parsing.raw_files import scan_raw_folder
from transforms.assemble import ParsedFrames, to_frames


def _assert_same(read: ParsedFrames, original: ParsedFrames) -> None:
    for field in fields(ParsedFrames):
        expected = getattr(original, field.name)
        if expected is None:
            assert getattr(read, field.name) is None, field.name
        else:
            pd.testing.assert_frame_equal(getattr(read, field.name), expected, check_exact=True, obj=field.name)


@pytest.fixture(scope="module")
def parsed_batch(tmp_path_factory) -> ParsedFrames:
    """A report, a file quarantined with a reason, and an empty one (None in duplicate_of)."""
    raw = tmp_path_factory.mktemp("raw")
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    (raw / "empty.txt").write_bytes(b"")
    (raw / "noise.bin").write_bytes(bytes(range(256)) * 4)
    frames = parse_files(scan_raw_folder(raw))
    assert len(frames.reports) == 1 and len(frames.quarantine) == 2
    assert frames.quarantine["duplicate_of"].isna().all() and frames.quarantine["duplicate_of"].dtype == object
    return frames


def test_a_parsed_batch_reads_back_identical(parsed_batch, tmp_path):
    uris = stage_frames(parsed_batch, str(tmp_path / "batch"))
    assert sorted(Path(uri).name for uri in uris) == sorted(f"{f.name}.parquet" for f in fields(ParsedFrames))
    _assert_same(read_staged(uris), parsed_batch)


def test_empty_frames_and_missing_frames_read_back_identical(tmp_path):
    quarantined_only = to_frames([], [])  # every frame empty, object columns; no rule results
    assert quarantined_only.rule_results is None and quarantined_only.reports.empty
    uris = stage_frames(quarantined_only, str(tmp_path / "batch"))
    assert "rule_results.parquet" not in {Path(uri).name for uri in uris}
    _assert_same(read_staged(uris), quarantined_only)


def test_remove_staging_removes_what_a_killed_run_left(tmp_path):
    remove_staging(str(tmp_path))  # nothing staged: nothing to do
    stage_frames(to_frames([], []), str(tmp_path / STAGING_DIR / "run" / "0"))
    remove_staging(str(tmp_path))
    assert list(tmp_path.iterdir()) == []
