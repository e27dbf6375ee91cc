"""OCR'd numbers: published only where the table's arithmetic, the text, or (unchecked) a sure
reading confirms them; one wrong digit corrected only when exactly one change settles it."""

from __future__ import annotations

from transforms.cell_records import CellRecord
from transforms.ocr_verification import verify_ocr_cells
from transforms.vocabulary import BLANK, INFERRED, OCR, OCR_UNVERIFIED, OK

T4_COLUMNS = ("upheld", "corrected", "other_result", "pending", "total")  # R5: total = the four


def _cell(table: str, row: str, column: str, raw: str) -> CellRecord:
    status = BLANK if raw == "" else OK
    value = None if raw == "" else float(raw)
    return CellRecord(table, row, "matched", row, row, column, column, "件", value, raw, status, "", 1, 1, 1)


def _t4_row(row: str, raws: tuple[str, ...]) -> list[CellRecord]:
    return [_cell("t4", row, column, raw) for column, raw in zip(T4_COLUMNS, raws, strict=True)]


def _by_column(records: list[CellRecord]) -> dict[str, CellRecord]:
    return {r.column_code: r for r in records}


def test_cells_an_identity_confirms_are_published_whatever_their_confidence():
    records = _t4_row("T4.1", ("3", "1", "0", "2", "6"))
    out = _by_column(verify_ocr_cells(records, "fmt_2021", {}, min_confidence=0.99))
    assert {c: (r.value, r.value_status) for c, r in out.items()} == {
        "upheld": (3.0, OCR), "corrected": (1.0, OCR), "other_result": (0.0, OCR), "pending": (2.0, OCR),
        "total": (6.0, OCR),
    }  # fmt: skip
    assert "confirmed by R5" in out["total"].value_note


def test_a_failed_identity_with_several_one_digit_fixes_publishes_none_of_its_cells():
    # 3 + 1 + 0 + 2 = 6, read 7: any of five cells could be the wrong one
    out = _by_column(verify_ocr_cells(_t4_row("T4.1", ("3", "1", "0", "2", "7")), "fmt_2021", {}, 0.5))
    assert all(r.value is None and r.value_status == OCR_UNVERIFIED for r in out.values())
    assert out["total"].value_raw == "7" and "R5 fails" in out["total"].value_note


def test_one_wrong_digit_is_corrected_where_two_identities_cross_on_it():
    """表三's 总计 column (R3, per row) and its rows (R1: 一 + 二 = 三（七） + 四, per column): a cell
    on both is pinned down by them together."""
    columns = ("natural_person", "business", "research", "nonprofit", "legal_services", "other", "total")
    rows = {
        "T3.1": ("5", "1", "0", "0", "0", "0", "6"),
        "T3.2": ("2", "0", "0", "0", "0", "0", "2"),
        "T3.3.7": ("6", "1", "0", "0", "0", "0", "7"),
        "T3.4": ("1", "0", "0", "0", "0", "0", "1"),
    }
    records = [
        _cell("t3", row, column, raw) for row, raws in rows.items() for column, raw in zip(columns, raws, strict=True)
    ]
    truth = {(r.indicator_code, r.column_code): r.value for r in records}
    misread = [
        r
        if (r.indicator_code, r.column_code) != ("T3.1", "natural_person")
        else _cell("t3", "T3.1", "natural_person", "8")
        for r in records
    ]
    surely = dict.fromkeys(range(len(misread)), 0.9)  # the misread 8 too: a recogniser is sure of its errors
    out = verify_ocr_cells(misread, "fmt_2019", surely, 0.5)
    fixed = next(r for r in out if (r.indicator_code, r.column_code) == ("T3.1", "natural_person"))
    assert (fixed.value, fixed.value_status) == (5.0, INFERRED)
    assert "OCR read 8" in fixed.value_note and "R1" in fixed.value_note and "R3" in fixed.value_note
    assert all(r.value == truth[(r.indicator_code, r.column_code)] for r in out)


def test_a_cell_no_identity_covers_is_published_only_when_read_surely_or_stated():
    records = [
        _cell("t2", "T2.1", "issued", "12"),
        _cell("t2", "T2.1", "repealed", "3"),
        _cell("t2", "T2.1", "in_force", "40"),
    ]
    out = verify_ocr_cells(records, "fmt_2021", {0: 0.99, 1: 0.80, 2: 0.70}, 0.95,
                           stated={("t2", "T2.1", "in_force"): {40.0}})  # fmt: skip
    assert [(r.value, r.value_status) for r in out] == [(12.0, OCR), (None, OCR_UNVERIFIED), (40.0, OCR)]
    assert out[1].value_raw == "3" and "below 0.95" in out[1].value_note
    assert "text" in out[2].value_note


def test_blanks_count_as_zero_and_stay_blank():
    out = _by_column(verify_ocr_cells(_t4_row("T4.1", ("3", "", "", "2", "5")), "fmt_2021", {}, 0.99))
    assert out["corrected"].value_status == BLANK and out["corrected"].value is None
    assert (out["total"].value, out["total"].value_status) == (5.0, OCR)


def test_an_inequality_that_fails_leaves_its_cells_unverified_though_read_surely():
    """统计表 P4: 不同意公开答复数 ≥ the sum of its 其中 reasons. A reason misread as 89 (a stamp over
    a 0) breaks it: no value is published for the cells it names, however sure the reading."""
    reasons = ["0", "89", "0", "0", "0", "0"]
    records = [_cell("stat", "A3.3.4", "", "2")] + [
        _cell("stat", f"A3.3.4{letter}", "", raw) for letter, raw in zip("abcdef", reasons, strict=True)
    ]
    out = {r.indicator_code: r for r in verify_ocr_cells(records, "stat_2014", dict.fromkeys(range(7), 1.0), 0.5)}
    assert out["A3.3.4b"].value is None and out["A3.3.4b"].value_status == OCR_UNVERIFIED
    assert "P4 fails" in out["A3.3.4b"].value_note
    assert all(out[f"A3.3.4{letter}"].value is None for letter in "abcdef")


def test_a_cell_read_as_no_number_is_unverified_with_what_was_read():
    """A seal's character read in a number's cell: no value, the reading kept, and the row's other
    cells still checked without it."""
    from dataclasses import replace

    records = _t4_row("T4.1", ("3", "1", "0", "2", "6"))
    records[1] = replace(records[1], value=None, value_raw="政", value_status="unparsed", value_note="not a number")
    out = _by_column(verify_ocr_cells(records, "fmt_2021", {1: 0.3}, 0.8))
    assert (out["corrected"].value, out["corrected"].value_status) == (None, OCR_UNVERIFIED)
    assert out["corrected"].value_raw == "政" and "not a number" in out["corrected"].value_note
    assert out["total"].value is None  # R5 cannot hold without the unread cell: nothing confirms the total


def test_no_correction_where_another_cell_of_the_identity_was_read_unsure():
    """Measured at 150 dpi: a row read '' | 45 | 2 | 4 | 5 | 2 | 18 for 1 | 4 | 2 | 4 | 5 | 2 | 18,
    the first cell a mark read as nothing and 45 unsure. R3 fails, and 18 → 58 is its only
    one-digit fix; but the unsure cells may be the wrong ones, and a blank that was a mark is no 0."""
    columns = ("natural_person", "business", "research", "nonprofit", "legal_services", "other", "total")
    raws = ("", "45", "2", "4", "5", "2", "18")
    records = [_cell("t3", "T3.3.5.5", column, raw) for column, raw in zip(columns, raws, strict=True)]
    confidence = {0: 0.0, 1: 0.0, 2: 0.98, 3: 0.98, 4: 0.98, 5: 0.98, 6: 0.99}
    out = _by_column(verify_ocr_cells(records, "fmt_2021", confidence, 0.8))
    assert all(r.value in (None, float(raw or "nan")) for r, raw in zip(out.values(), raws, strict=True))
    assert (out["total"].value, out["total"].value_status) != (58.0, INFERRED)
    assert (out["natural_person"].value_status, out["business"].value_status) == (OCR_UNVERIFIED, OCR_UNVERIFIED)
    assert "read as nothing" in out["natural_person"].value_note
