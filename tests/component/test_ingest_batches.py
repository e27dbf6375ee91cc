"""Rows reach the store as batches are parsed: the run buffers at most ``flush_rows`` rows (plus the
batch that crossed it), validates each flush, and never holds the whole archive."""

from conftest import SAMPLE_REPORT

from flows.dataset.store import Store
from flows.parsing.batch import parse_files
from flows.parsing.raw_files import scan_raw_folder
from flows.run.ingest import Ingest

COUNTIES = ["桃源县", "石门县", "澧县", "汉寿县", "临澧县", "安乡县", "津市市", "鼎城区"]


def _raw_folder(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    sample = SAMPLE_REPORT.read_text(encoding="utf-8")
    for number, county in enumerate(COUNTIES):
        (raw / f"{number}.txt").write_text(sample.replace("桃源县", county), encoding="utf-8")
    (raw / "copy.txt").write_text(sample.replace("桃源县", COUNTIES[0]), encoding="utf-8")  # same text as 0.txt
    return raw


def test_batches_are_validated_and_stored_as_they_come(tmp_path):
    raw = _raw_folder(tmp_path)
    store = Store(tmp_path / "curated")
    seen: list[int] = []

    def validate(tables, last):
        seen.append(len(tables["indicators"]))
        return []

    files = scan_raw_folder(raw)
    per_report = len(parse_files(files[:1]).indicators)
    run = Ingest(store, full=True, validate=validate, flush_rows=2 * per_report)
    stored_after_batch = []
    for batch in (files[i : i + 2] for i in range(0, len(files), 2)):
        run.add(parse_files(batch))
        stored_after_batch.append(len(store.latest("indicators", ["report_id"])))
    run.resolve_other_forms()

    # written while reading: the first batch is in the store before the second is parsed
    assert stored_after_batch[0] == 2 * per_report
    assert stored_after_batch == sorted(stored_after_batch)
    assert all(rows <= 2 * per_report for rows in seen)  # no flush holds more than it should
    assert sum(seen) == len(COUNTIES) * per_report  # every report validated once; the copy is not a report
    reports = store.latest("reports", ["source_file"])
    quarantine = store.latest("quarantine", ["source_file", "stage", "duplicate_of"])
    assert sorted(reports["source_file"]) == sorted(f"{n}.txt" for n in range(len(COUNTIES)))
    assert quarantine["source_file"].tolist() == ["copy.txt"]
    assert quarantine["stage"].tolist() == ["duplicate"]
    assert len(store.latest("report_wide", ["report_id"])) == len(COUNTIES)
