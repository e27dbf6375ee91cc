"""Run-together digits: recovered exactly or flagged ambiguous, never wrong (property tests)."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.run_together import compact_text, label_pattern, leading_run, resolve_rows, row_total_holds, splits


def test_splits_respect_leading_zeros_spaces_and_decimals():
    assert splits("000", 3) == [("0", "0", "0")]
    assert splits("105", 2) == [("10", "5")]  # "1|05" has a leading zero
    assert splits("12 3", 2) == [("12", "3")]  # a space is a certain boundary
    assert splits("4.25", 1) == [("4.25",)]
    assert splits("12", 3) == []


def test_a_row_whose_total_cannot_hold_is_ambiguous_not_forced():
    resolved = resolve_rows({"row": "1234567"}, 7, row_total_holds, "R3", [])["row"]
    assert resolved.parts is None and resolved.candidates == 0


def test_compact_text_keeps_boundaries_between_numbers_only():
    compact, lines = compact_text("规章 000\n行政 许可 22 93")
    assert compact == "规章000行政许可22 93"
    assert lines[compact.index("许")] == 2


def test_label_pattern_takes_the_next_labels_number_out_of_the_run():
    text = "1.属于国家秘密00000002.其他法律行政法规禁止公开0000000"
    second = label_pattern("2.其他法律行政法规禁止公开").search(text)
    assert leading_run(text[len("1.属于国家秘密") : second.start()]) == "0000000"


def _row(rng: random.Random) -> list[int]:
    # Mostly small counts, as in real 表三 rows; long runs get many splits and are slow to enumerate.
    cells = [rng.choice([0, 0, 0, rng.randint(1, 9), rng.randint(10, 99)]) for _ in range(5)]
    cells.insert(0, rng.choice([rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 999)]))
    return [*cells, sum(cells)]


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), spaces=st.booleans())
def test_table_three_rows_are_recovered_or_flagged_never_wrong(seed, spaces):
    rng = random.Random(seed)
    truth = _row(rng)
    text = "".join(str(v) + (" " if spaces and rng.random() < 0.3 else "") for v in truth).strip()
    resolution = resolve_rows({"row": text}, 7, row_total_holds, "R3", [])["row"]
    if resolution.parts is not None:
        assert [int(p) for p in resolution.parts] == truth


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_table_four_is_recovered_or_flagged_never_wrong(seed):
    rng = random.Random(seed)
    truth = []
    for _ in range(3):
        results = [rng.choice([0, 0, rng.randint(1, 9), rng.randint(10, 60)]) for _ in range(4)]
        truth += [*results, sum(results)]
    run = "".join(map(str, truth))
    resolution = resolve_rows({"t4": run}, 15, None, "R5", [], group=5, group_check=row_total_holds)["t4"]
    if resolution.parts is not None:
        assert [int(p) for p in resolution.parts] == truth


@settings(max_examples=200, deadline=None)
@given(this_year=st.integers(0, 5000), earlier=st.integers(0, 90000))
def test_local_table_pairs_are_recovered_or_flagged_never_wrong(this_year, earlier):
    truth = (str(this_year), str(this_year + earlier))  # the cumulative includes this year
    check = lambda parts: float(parts[0]) <= float(parts[1])  # noqa: E731
    resolution = resolve_rows({"row": "".join(truth)}, 2, check, "cumulative ≥ this year", [])["row"]
    if resolution.parts is not None:
        assert resolution.parts == truth
