"""The volume gate: what a run may publish, judged by how much it read against the published version."""

from pathlib import Path

from flows.run.volume_gate import DatasetCounts, volume_gate

RAW = Path("raw")


def _gate(files_seen, reports, quarantined, current=None, rise=20.0, accept=False):
    return volume_gate(RAW, files_seen, DatasetCounts(reports, quarantined), current, rise, accept)


def test_an_empty_raw_folder_publishes_nothing_and_fails():
    decision = _gate(0, 0, 0, current=DatasetCounts(10, 0))
    assert (decision.publish, decision.failed) == (False, True)
    assert "holds no report files" in decision.reasons[0]


def test_a_run_that_parses_nothing_never_replaces_reports():
    decision = _gate(3, 0, 3, current=DatasetCounts(10, 1))
    assert (decision.publish, decision.failed) == (False, True)
    assert "10 reports are kept" in decision.reasons[0]


def test_with_no_reports_published_yet_the_quarantine_list_is_published_as_a_failure():
    for current in (None, DatasetCounts(0, 5)):
        decision = _gate(3, 0, 3, current=current)
        assert (decision.publish, decision.failed) == (True, True)
        assert "quarantine list of 3 files is published" in decision.reasons[0]


def test_a_quarantined_share_rising_more_than_the_limit_is_held_back_unless_accepted():
    current = DatasetCounts(90, 10)  # 10 % quarantined
    assert _gate(100, 70, 30, current).publish  # +20 points: at the limit
    held = _gate(100, 69, 31, current)  # +21 points
    assert (held.publish, held.failed) == (False, True)
    assert "from 10 % to 31 %" in held.reasons[0] and "--accept-quarantine" in held.reasons[0]
    assert _gate(100, 69, 31, current, accept=True).publish
    assert _gate(100, 69, 31, current, rise=25).publish
    assert _gate(100, 69, 31, None).publish  # nothing published yet: nothing to compare with


def test_an_ordinary_run_publishes_without_notices():
    decision = _gate(100, 95, 5, DatasetCounts(90, 10))
    assert (decision.publish, decision.failed, decision.reasons) == (True, False, [])
