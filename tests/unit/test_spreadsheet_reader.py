"""Spreadsheet attachments (.xlsx, .xls, .ods) read as rows: merged cells, cell text, titles, limits
(workbooks built here with openpyxl and xlwt; OLE2 files with a small writer below)."""

import datetime
import io
import struct
import zipfile

import openpyxl
import pytest
import xlwt

import transforms.spreadsheet_document as spreadsheets
from transforms.spreadsheet_document import (
    UnreadableSpreadsheetError,
    is_spreadsheet,
    is_word97,
    read_spreadsheet,
    read_spreadsheet_document,
    spreadsheet_form,
)


def _xlsx(workbook: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xls(workbook: xlwt.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _statistics_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "统计表"
    sheet["A1"] = "平潭县2012年政府信息公开情况统计表"
    sheet.merge_cells("A1:D1")
    sheet["A2"], sheet["C2"], sheet["D2"] = "填报单位：平潭县人民政府办公室", "填报日期：", datetime.date(2013, 1, 10)
    # row 3 stays empty
    for column, text in zip("ABCD", ["项目", "指标", "计量\n单位", "数量"], strict=True):
        sheet[f"{column}4"] = text
    sheet["A5"], sheet["B5"], sheet["C5"], sheet["D5"] = "一、主动公开", "主动公开信息", "条", 136500.0
    sheet["B6"], sheet["D6"] = "其中：规范性文件", 12.35  # C6 is an empty interior cell
    sheet.merge_cells("A5:A6")  # a group label over two rows
    sheet["A7"], sheet["C7"], sheet["D7"] = "二、依申请公开", "件", 7.0
    sheet.merge_cells("A7:B7")  # a label over two columns
    sheet.merge_cells("D7:D8")  # a number over two rows
    sheet["A8"], sheet["C8"] = "（一）当面申请", "件"
    sheet["A9"], sheet["C9"], sheet["D9"] = "平均费用", "元", 0.1 + 0.2
    sheet["A10"] = "填表人：张三"
    notes = workbook.create_sheet("说明")  # not a table
    notes["A1"] = "填报说明"
    notes["A2"] = "1. 本表由平潭县人民政府办公室填报。\n2. 统计时限为2012年1月1日至12月31日。"
    hidden = workbook.create_sheet("底稿")
    hidden["A1"], hidden["B1"] = "草稿", 1
    hidden.sheet_state = "hidden"
    return _xlsx(workbook)


def test_xlsx_rows_merged_cells_and_values():
    workbook = read_spreadsheet(_statistics_xlsx())
    assert workbook.form == "xlsx"
    assert [(sheet.name, sheet.index, sheet.hidden) for sheet in workbook.sheets] == [
        ("统计表", 1, False),
        ("说明", 2, False),
        ("底稿", 3, True),
    ]
    table = workbook.sheets[0]
    # A horizontally merged cell counts once; a vertically merged label is repeated in the rows it
    # spans, a vertically merged number is not (as HTML rowspans are read). Interior blanks stay.
    assert [(row.line, row.cells) for row in table.rows] == [
        (1, ("平潭县2012年政府信息公开情况统计表",)),
        (2, ("填报单位：平潭县人民政府办公室", "", "填报日期：", "2013年1月10日")),
        (4, ("项目", "指标", "计量单位", "数量")),
        (5, ("一、主动公开", "主动公开信息", "条", "136500")),
        (6, ("一、主动公开", "其中：规范性文件", "", "12.35")),
        (7, ("二、依申请公开", "件", "7")),
        (8, ("（一）当面申请", "", "件")),
        (9, ("平均费用", "", "元", "0.3")),
        (10, ("填表人：张三", "", "", "")),  # blanks at a row's end stay cells, up to the last filled column
    ]
    assert {(row.page, row.table) for row in table.rows} == {(1, 1)}
    assert table.note == ""


def test_title_text_comes_from_rows_outside_the_table():
    workbook = read_spreadsheet(_statistics_xlsx())
    assert workbook.sheets[0].text.split("\n") == [
        "平潭县2012年政府信息公开情况统计表",
        "填报单位：平潭县人民政府办公室 填报日期： 2013年1月10日",
        "填表人：张三",
    ]
    # A sheet without a table is all text; a cell's own line breaks are kept there.
    notes = workbook.sheets[1]
    assert notes.text.split("\n") == [
        "填报说明",
        "1. 本表由平潭县人民政府办公室填报。",
        "2. 统计时限为2012年1月1日至12月31日。",
    ]
    assert [row.cells for row in notes.rows] == [
        ("填报说明",),
        ("1. 本表由平潭县人民政府办公室填报。2. 统计时限为2012年1月1日至12月31日。",),
    ]


def test_workbook_document_joins_the_visible_sheets():
    document = read_spreadsheet_document(_statistics_xlsx())
    assert document.form == "xlsx"
    assert [row.page for row in document.rows] == [1] * 9 + [2] * 2  # the hidden sheet is left out
    assert document.text.startswith("平潭县2012年政府信息公开情况统计表\n")
    assert document.text.endswith("2. 统计时限为2012年1月1日至12月31日。")


def test_cell_values_read_as_shown():
    workbook = openpyxl.Workbook()
    workbook.active.append(
        [True, datetime.datetime(2013, 1, 10, 9, 30), datetime.time(14, 5), 1e-05, -0.0, 7, "  一\u3000 二  ", "１２"]
    )
    workbook.active.append(["", None, " ", 2])  # blanks are blanks, not zeros
    rows = read_spreadsheet(_xlsx(workbook)).sheets[0].rows
    assert [row.cells for row in rows] == [
        ("TRUE", "2013年1月10日 09:30", "14:05", "0.00001", "0", "7", "一 二", "12"),
        ("", "", "", "2", "", "", "", ""),
    ]


def test_xls_rows_and_merged_cells():
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("表1")
    sheet.write_merge(0, 0, 0, 2, "某某局2010年政府信息公开统计表")
    for column, text in enumerate(["指标", "计量\n单位", "数量"]):
        sheet.write(1, column, text)
    sheet.write_merge(2, 3, 0, 0, "一、主动公开")
    sheet.write(2, 1, "条")
    sheet.write(2, 2, 25.0)
    sheet.write(3, 2, 0.1 + 0.2)  # B4 stays empty
    sheet.write_merge(4, 4, 0, 1, "合计")
    sheet.write(4, 2, 136500)
    workbook.add_sheet("空白")
    data = _xls(workbook)
    assert spreadsheet_form(data) == "xls" and is_spreadsheet(data) and not is_word97(data)
    workbook = read_spreadsheet(data)
    assert [sheet.name for sheet in workbook.sheets] == ["表1", "空白"]
    assert [(row.line, row.cells) for row in workbook.sheets[0].rows] == [
        (1, ("某某局2010年政府信息公开统计表",)),
        (2, ("指标", "计量单位", "数量")),
        (3, ("一、主动公开", "条", "25")),
        (4, ("一、主动公开", "", "0.3")),
        (5, ("合计", "136500")),
    ]
    assert workbook.sheets[0].text == "某某局2010年政府信息公开统计表"
    assert workbook.sheets[1].rows == [] and workbook.sheets[1].text == ""
    assert read_spreadsheet_document(data).form == "xls"


_ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="表1">'
    '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
    '<table:table-row><table:table-cell table:number-columns-spanned="3" office:value-type="string">'
    "<text:p>某县2011年政府信息公开统计表</text:p></table:table-cell>"
    '<table:covered-table-cell table:number-columns-repeated="2"/></table:table-row>'
    '<table:table-row><table:table-cell table:number-rows-spanned="2" office:value-type="string">'
    '<text:p>一、主动公开</text:p></table:table-cell><table:table-cell office:value-type="string">'
    '<text:p>条</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="136500">'
    "<text:p>136500</text:p></table:table-cell></table:table-row>"
    '<table:table-row><table:covered-table-cell/><table:table-cell office:value-type="string"><text:p>件</text:p>'
    '</table:table-cell><table:table-cell office:value-type="float" office:value="0.5"><text:p>0.5</text:p>'
    "</table:table-cell></table:table-row>"
    "</table:table></office:spreadsheet></office:body></office:document-content>"
)


def _ods(content: str = _ODS_CONTENT) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
            ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return out.getvalue()


def test_ods_merged_cells_come_from_its_content():
    workbook = read_spreadsheet(_ods())
    assert workbook.form == "ods"
    assert [(row.line, row.cells) for row in workbook.sheets[0].rows] == [
        (3, ("某县2011年政府信息公开统计表",)),
        (4, ("一、主动公开", "条", "136500")),
        (5, ("一、主动公开", "件", "0.5")),
    ]


# A minimal OLE2 compound file (version 3, 512-byte sectors): no installed library writes one.
_NO_STREAM, _END, _FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _ole_entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
    encoded = name.encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        *(encoded.ljust(64, b"\0"), len(encoded) + 2, kind, 1, _NO_STREAM, right, child),
        *(b"\0" * 16, 0, 0, 0, start, size),
    )


def _ole(root: dict) -> bytes:
    """Streams (bytes) and storages (dicts) in a compound file; streams under 4096 bytes go to the
    mini stream, as Office writes them. Siblings are chained as right children."""
    entries = [["Root Entry", 5, _NO_STREAM, _NO_STREAM, _END, 0]]  # name, kind, right, child, start, size
    regular, small = [], []

    def add(children: dict) -> int:
        first = previous = _NO_STREAM
        for name, content in children.items():
            index = len(entries)
            entries.append([name, 1 if isinstance(content, dict) else 2, _NO_STREAM, _NO_STREAM, 0, 0])
            if isinstance(content, dict):
                entries[index][3] = add(content)
            else:
                entries[index][5] = len(content)
                (regular if len(content) >= 4096 else small).append((index, content))
            if previous == _NO_STREAM:
                first = index
            else:
                entries[previous][2] = index
            previous = index
        return first

    entries[0][3] = add(root)
    fat, sectors = [_FAT_SECTOR], [b""]

    def place(data: bytes) -> int:
        start, count = len(fat), max(1, -(-len(data) // 512))
        fat.extend([*range(start + 1, start + count), _END])
        sectors.extend(data[i * 512 : (i + 1) * 512].ljust(512, b"\0") for i in range(count))
        return start

    minifat, mini_stream = [], b""
    for index, content in small:
        count = max(1, -(-len(content) // 64))
        entries[index][4] = len(minifat)
        minifat.extend([*range(len(minifat) + 1, len(minifat) + count), _END])
        mini_stream += content.ljust(count * 64, b"\0")
    directory = place(b"\0" * 128 * len(entries))  # filled in once the starts are known
    minifat_start = place(struct.pack(f"<{len(minifat)}I", *minifat)) if minifat else _END
    if mini_stream:
        entries[0][4:6] = [place(mini_stream), len(mini_stream)]
    for index, content in regular:
        entries[index][4] = place(content)
    listing = b"".join(_ole_entry(*entry) for entry in entries)
    for i in range(-(-len(listing) // 512)):
        sectors[directory + i] = listing[i * 512 : (i + 1) * 512].ljust(512, b"\0")
    sectors[0] = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    header = struct.pack(
        "<8s16sHHHHH6s9I109I",
        *(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6),
        *(0, 1, directory, 0, 4096, minifat_start, 1 if minifat else 0, _END, 0),
        *(0, *[_NO_STREAM] * 108),
    )
    return header + b"".join(sectors)


def _workbook_stream(data: bytes) -> bytes:
    return spreadsheets._Ole(data).read("Workbook")


def test_word97_is_recognised_by_its_streams():
    # An embedded workbook inside the document (ObjectPool) does not make it a spreadsheet.
    doc = _ole({"WordDocument": b"\0" * 4096, "1Table": b"\0" * 100, "ObjectPool": {"_1": {"Workbook": b"\0" * 10}}})
    assert is_word97(doc)
    assert not is_spreadsheet(doc)
    with pytest.raises(UnreadableSpreadsheetError, match=r"Word 97-2003 \.doc"):
        read_spreadsheet(doc)


def test_an_xls_in_a_rewritten_compound_file_is_still_read():
    # The same BIFF stream in a file written by the test writer, in regular sectors and in the mini
    # stream: the reader finds it where calamine does.
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("表1")
    sheet.write(0, 0, "收到申请")
    sheet.write(0, 1, 12.0)
    stream = _workbook_stream(_xls(workbook))
    unpadded = stream.rstrip(b"\0") + b"\0" * 3  # xlwt pads the stream to 4096 bytes; EOF is 0A 00 00 00
    for content in (stream, unpadded):
        data = _ole({"Workbook": content})
        assert spreadsheet_form(data) == "xls" and not is_word97(data)
        assert [row.cells for row in read_spreadsheet_document(data).rows] == [("收到申请", "12")]


def test_an_encrypted_xls_is_refused_as_password_protected():
    workbook = xlwt.Workbook()
    workbook.add_sheet("S").write(0, 0, 1.0)
    stream = bytearray(_workbook_stream(_xls(workbook)))
    position = 0
    while struct.unpack_from("<H", stream, position)[0] != 0x0042:  # CODEPAGE becomes FILEPASS
        position += 4 + struct.unpack_from("<H", stream, position + 2)[0]
    struct.pack_into("<H", stream, position, 0x002F)
    with pytest.raises(UnreadableSpreadsheetError, match=r"^password-protected spreadsheet$"):
        read_spreadsheet(_ole({"Workbook": bytes(stream)}))
    with pytest.raises(UnreadableSpreadsheetError, match="password-protected"):
        read_spreadsheet(_ole({"EncryptionInfo": b"\0" * 200, "EncryptedPackage": b"\0" * 5000}))


def test_other_files_are_not_spreadsheets():
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    text = "某某县2012年政府信息公开工作年度报告".encode()
    for data in (out.getvalue(), b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", text, b""):
        assert not is_spreadsheet(data)
        assert not is_word97(data)
        with pytest.raises(UnreadableSpreadsheetError):
            read_spreadsheet(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04" + b"\0" * 100, "spreadsheet cannot be opened"),  # a ZIP header and nothing after
        (_statistics_xlsx()[:3000], "spreadsheet cannot be opened"),  # cut short: no central directory
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 1000, "spreadsheet cannot be opened"),
        (b"not a workbook at all", "not a spreadsheet"),
    ],
)
def test_garbage_is_unreadable(data, reason):
    with pytest.raises(UnreadableSpreadsheetError, match=reason):
        read_spreadsheet(data)


@pytest.mark.parametrize("damage", [b"\xff" * 40, b"\x00" * 40])
def test_a_damaged_zip_member_is_unreadable_with_a_reason(damage):
    data = bytearray(_statistics_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        item = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, item.header_offset + 26)
    start = item.header_offset + 30 + name_length + extra_length + item.compress_size // 2
    data[start : start + len(damage)] = damage  # bad deflate data, or a bad CRC
    assert is_spreadsheet(bytes(data))
    with pytest.raises(UnreadableSpreadsheetError, match=r"^spreadsheet cannot be opened: "):
        read_spreadsheet(bytes(data))


def test_an_empty_workbook_has_no_cells():
    with pytest.raises(UnreadableSpreadsheetError, match=r"^spreadsheet has no cells$"):
        read_spreadsheet(_xlsx(openpyxl.Workbook()))


def test_a_long_sheet_is_cut_with_a_note(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    monkeypatch.setattr(spreadsheets, "MAX_COLUMNS", 2)
    workbook = openpyxl.Workbook()
    for number in range(1, 6):
        workbook.active.append([f"第{number}行", number, number * 10])
    result = read_spreadsheet(_xlsx(workbook))
    assert [row.cells for row in result.sheets[0].rows] == [("第1行", "1"), ("第2行", "2"), ("第3行", "3")]
    assert result.notes == ["sheet 1 (Sheet): cut to its first 3 of 5 rows; cut to its first 2 of 3 columns"]


def test_a_stray_far_cell_does_not_make_calamine_build_a_huge_sheet(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_SHEET_CELLS", 10_000)
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "表"
    workbook.active["CV500"] = 1  # 500 rows × 100 columns
    workbook.create_sheet("表2")["A1"] = "平潭县2012年政府信息公开情况统计表"
    result = read_spreadsheet(_xlsx(workbook))  # .xlsx sheets are read one by one: the other is kept
    assert result.sheets[0].rows == [] and "too large" in result.sheets[0].note
    assert result.sheets[1].text == "平潭县2012年政府信息公开情况统计表"

    workbook = xlwt.Workbook()
    workbook.add_sheet("S").write(0, 0, "表")
    far = workbook.add_sheet("T")
    far.write(0, 0, "表")
    far.write(499, 99, 1.0)
    with pytest.raises(UnreadableSpreadsheetError, match="too large to read: sheet 2"):
        read_spreadsheet(_xls(workbook))  # calamine reads every .xls sheet on opening: refused whole


def test_a_statistics_table_attachment_parses_as_a_report():
    """An .xls attachment holding only the table: agency and year from its title row."""
    import xlwt

    from transforms.parse_report import parse_report

    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    sheet.write_merge(0, 0, 0, 3, "平潭县2012年政府信息公开情况统计表")
    rows = [
        ("指标名称", "计量单位", "2012年度", "历年累计"),
        ("主动公开信息数", "条", 2026, 3542),
        ("受理依申请公开信息总数", "条", 21, ""),
        ("行政复议数", "条", 0, 0),
    ]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    parsed = parse_report(_xls(book), "attachment.xls")
    assert (parsed.report["template"], parsed.report["report_year"], parsed.report["agency"]) == (
        "local_table",
        2012,
        "平潭县人民政府",
    )
    cells = {(r["indicator_code"], r["column_code"]): r for r in parsed.indicators}
    assert cells[("L1", "cumulative")]["value"] == 3542.0
    assert cells[("L2", "cumulative")]["value_status"] == "blank"  # an empty cell at the row's end
    assert (cells[("L4", "this_year")]["source_page"], cells[("L4", "this_year")]["source_line"]) == (1, 5)


def test_a_word97_document_is_quarantined_with_what_to_do():
    from transforms.parse_report import QuarantineError, parse_report

    with pytest.raises(QuarantineError, match=r"Word 97-2003 \.doc: .*or save as \.docx or PDF$") as caught:
        parse_report(_ole({"WordDocument": b"\0" * 600, "1Table": b"\0" * 100}), "report.doc")
    assert caught.value.stage == "decode"


def test_an_encrypted_office_file_is_quarantined_as_password_protected():
    from transforms.parse_report import QuarantineError, parse_report

    with pytest.raises(QuarantineError, match="password-protected"):
        parse_report(_ole({"EncryptionInfo": b"\0" * 100, "EncryptedPackage": b"\0" * 600}), "report.xlsx")
