"""表三 alignment: lost labels placed by order only when the count fits; damage flagged, not guessed."""

from transforms.document_rows import Row
from transforms.post2019_tables import table2_records, table3_records, table4_records
from transforms.templates import FMT_2021

T3_LABELS = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开",
    *[
        f"{i}.{x}"
        for i, x in enumerate(
            [
                "属于国家秘密",
                "其他法律行政法规禁止公开",
                "危及“三安全一稳定”",
                "保护第三方合法权益",
                "属于三类内部事务信息",
                "属于四类过程性信息",
                "属于行政执法案卷",
                "属于行政查询事项",
            ],
            1,
        )
    ],
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
]


def _rows(drop_labels: set[int] = frozenset(), drop_rows: set[int] = frozenset()) -> list[Row]:
    rows = [Row(("申请人情况",), 1)]
    for i, label in enumerate(T3_LABELS):
        if i in drop_rows:
            continue
        values = (*[str(i)] * 6, str(6 * i))
        rows.append(Row(values if i in drop_labels else (label, *values), 10 + i))
    return rows


def _by_code(records):
    return {(r.indicator_code, r.column_code): r for r in records}


def test_unlabelled_rows_fill_gaps_of_the_same_size():
    result, _ = table3_records(_rows(drop_labels={3, 5, 6}), FMT_2021)
    cells = _by_code(result.records)
    assert cells[("T3.3.2", "natural_person")].value == 3.0
    assert cells[("T3.3.3.2", "total")].value == 30.0
    assert cells[("T3.3.3.3", "total")].catalog_status == "matched_by_position"
    assert cells[("T3.3.3.1", "total")].catalog_status == "matched"


def test_gap_size_mismatch_is_not_guessed():
    # Row 5 lost its label and row 6 is gone entirely: one unlabelled row for two gaps.
    result, _ = table3_records(_rows(drop_labels={5}, drop_rows={6}), FMT_2021)
    cells = _by_code(result.records)
    assert cells[("T3.3.3.2", "total")].value_status == "missing"
    assert cells[("T3.3.3.3", "total")].value_status == "missing"
    unplaced = [r for r in result.records if r.catalog_status == "unmapped"]
    assert len(unplaced) == 7 and unplaced[0].value == 5.0  # kept, flagged, not placed
    assert any("not placed" in note for note in result.notes)


def test_row_with_too_few_cells_is_flagged():
    rows = _rows()
    rows[5] = Row((T3_LABELS[4], "1", "2", "3"), 99)
    result, _ = table3_records(rows, FMT_2021)
    cell = _by_code(result.records)[("T3.3.3.1", "natural_person")]
    assert (cell.value, cell.value_status) == (None, "ambiguous")
    assert "printed 3 cells for 7 columns: 1 | 2 | 3" in cell.value_note


def test_table_two_rows_found_by_label_anywhere():
    rows = [Row(("行政许可", "97"), 3), Row(("规范性文件", "13", "0", "55"), 9), Row(("规章", "22", "235"), 8)]
    cells = _by_code(table2_records(rows, FMT_2021).records)
    assert cells[("T2.5.1", "decisions")].value == 97.0
    assert cells[("T2.1.2", "in_force")].value == 55.0
    assert cells[("T2.1.1", "issued")].value_status == "ambiguous"  # two cells for three columns
    assert cells[("T2.8.1", "fees")].value_status == "missing"


def test_table_four_from_rows_of_five_or_one_of_fifteen():
    groups = [Row(("1", "0", "0", "0", "1"), 1), Row(("0", "0", "0", "0", "0"), 2), Row(("2", "0", "1", "0", "3"), 3)]
    cells = _by_code(table4_records([Row(("行政复议",), 0), *groups], FMT_2021, 0).records)
    assert cells[("T4.3", "total")].value == 3.0
    one_row = [Row(("行政复议", "行政诉讼"), 0), Row(tuple(str(i) for i in range(15)), 1)]
    cells = _by_code(table4_records(one_row, FMT_2021, 0).records)
    assert cells[("T4.2", "upheld")].value == 5.0
    short = [Row(("行政复议",), 0), Row(("1", "2", "3"), 1)]
    cells = _by_code(table4_records(short, FMT_2021, 0).records)
    assert cells[("T4.1", "upheld")].value_status == "ambiguous"


def test_table_two_annotations_and_extra_provincial_rows():
    rows = [
        Row(("第二十条第（一）项",), 1),
        Row(("规章（设区的市、自治州人民政府应提供相关数据）", "1", "2", "3"), 2),
        Row(("其他主动公开文件（含以本单位名义正式签发的文件）", "40", "41", "42"), 3),
        Row(("行政许可", "5", "-8", "12"), 4),
        Row(("政府集中采购", "3", "251000元"), 5),
    ]
    records = table2_records(rows, "fmt_2019").records
    cells = _by_code(records)
    assert cells[("T2.1.1", "total_published")].value == 3.0  # annotation in the label ignored
    assert (cells[("T2.5.1", "change")].value, cells[("T2.5.1", "change")].value_status) == (-8.0, "ok")
    amount = cells[("T2.9.1", "procurement_amount")]
    assert (amount.value, amount.value_status, amount.value_note) == (251000.0, "ok_with_note", "元")
    extra = [r for r in records if r.catalog_status == "unmapped"]
    assert [r.value for r in extra] == [40.0, 41.0, 42.0]
    assert extra[0].row_label.startswith("其他主动公开文件")


def _ocr_row(cells: tuple[str, ...], confidences: tuple[float, ...], line: int) -> Row:
    return Row(cells, line, 1, confidences=confidences)


def test_misread_ocr_cell_keeps_its_row_in_place():
    """A number misread under a seal ('知' for 44, '59证' for 59) is a value cell of its column,
    not the end of the row's label: the row keeps its other six values."""
    rows = _rows()
    rows[1] = _ocr_row(
        (T3_LABELS[0], "421", "37", "51", "59", "知", "59证", "671"), (0.95, 1, 1, 1, 1, 0.1, 0.3, 1), 10
    )
    cells = _by_code(table3_records(rows, FMT_2021)[0].records)
    assert cells[("T3.1", "natural_person")].value == 421.0
    assert cells[("T3.1", "total")].value == 671.0
    assert cells[("T3.1", "legal_services")].value is None  # unreadable: flagged, not guessed
    assert cells[("T3.1", "legal_services")].value_raw == "知"


def test_sure_label_is_never_taken_for_a_value():
    """Only an unsure, short or digit-bearing read is a misread value: a row that lost a cell keeps
    its label, and is flagged as short."""
    rows = _rows()
    rows[1] = _ocr_row((T3_LABELS[0], "421", "37", "51", "59", "59", "671"), (0.4, 1, 1, 1, 1, 1, 1), 10)
    cell = _by_code(table3_records(rows, FMT_2021)[0].records)[("T3.1", "natural_person")]
    assert (cell.value, cell.value_status) == (None, "ambiguous")
    text_row = _rows()
    text_row[1] = Row((T3_LABELS[0], "421", "37", "51", "59", "知", "59", "671"), 10)  # not OCR'd
    cell = _by_code(table3_records(text_row, FMT_2021)[0].records)[("T3.1", "natural_person")]
    assert cell.value_status == "ambiguous"


def test_table_two_row_with_a_misread_value_is_found_by_its_label():
    rows = [_ocr_row(("行政许可", "1l?"), (0.99, 0.2), 3), _ocr_row(("规章", "22", "证", "235"), (1, 1, 0.3, 1), 8)]
    cells = _by_code(table2_records(rows, FMT_2021).records)
    assert cells[("T2.5.1", "decisions")].value_status != "missing"
    assert cells[("T2.1.1", "issued")].value == 22.0 and cells[("T2.1.1", "in_force")].value == 235.0
    assert cells[("T2.1.1", "repealed")].value is None
