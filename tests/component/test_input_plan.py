"""What a run must read: the raw folder compared with the inputs manifest of the current version."""

import os

import pandas as pd

from flows.parsing.raw_files import file_sha256, parser_version, scan_raw_folder
from flows.run.plan import plan_inputs
from transforms.schemas import INPUTS


def _manifest(files) -> pd.DataFrame:
    rows = [
        {
            "source_file": f.name,
            "container": "",
            "size_bytes": f.size,
            "mtime_ns": f.mtime_ns,
            "source_sha256": file_sha256(f.path),
            "parser_version": parser_version(),
        }
        for f in files
    ]
    return pd.DataFrame(rows, columns=INPUTS.column_names)


def test_new_changed_touched_removed_and_unchanged(tmp_path):
    for name, text in {"same.txt": "a", "touched.txt": "b", "changed.txt": "c", "gone.txt": "d"}.items():
        (tmp_path / name).write_text(text)
    (tmp_path / ".hidden").write_text("x")
    manifest = _manifest(scan_raw_folder(tmp_path))
    assert manifest["source_file"].tolist() == ["changed.txt", "gone.txt", "same.txt", "touched.txt"]

    later = 2_000_000_000_123_456_789  # beyond float precision: the manifest keeps it exact
    os.utime(tmp_path / "touched.txt", ns=(later, later))
    (tmp_path / "changed.txt").write_text("C")  # same size, other bytes
    os.utime(tmp_path / "changed.txt", ns=(later, later))
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "new.txt").write_text("e")

    plan = plan_inputs(scan_raw_folder(tmp_path), manifest, full=False)
    assert not plan.full and not plan.nothing_to_do
    assert [f.name for f in plan.read] == ["changed.txt", "sub/new.txt"]
    assert plan.retire == ["changed.txt", "gone.txt"]
    assert (plan.added, plan.changed, plan.removed, plan.touched, plan.unchanged) == (1, 1, 1, 1, 2)
    kept = plan.manifest.set_index("source_file")
    assert sorted(kept.index) == ["same.txt", "touched.txt"]
    assert kept.loc["touched.txt", "mtime_ns"] == later
    assert kept["mtime_ns"].dtype == "int64"


def test_nothing_to_do_and_full(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    files = scan_raw_folder(tmp_path)
    manifest = _manifest(files)
    assert plan_inputs(files, manifest, full=False).nothing_to_do
    assert [f.name for f in plan_inputs(files, manifest, full=True).read] == ["a.txt"]
    stale = manifest.assign(parser_version="older")  # the parser changed: everything is read again
    assert plan_inputs(files, stale, full=False).full
    assert plan_inputs(files, None, full=False).full
