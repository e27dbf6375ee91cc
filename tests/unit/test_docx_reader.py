"""DOCX tables read from the package XML: merged cells, paragraphs, breaks (documents built here)."""

import io

import docx
import pytest

from transforms.docx_document import UnreadableDocxError, read_docx


def _document() -> bytes:
    document = docx.Document()
    document.add_paragraph("某某县人民政府2023年政府信息公开工作年度报告")
    document.add_paragraph("")  # empty paragraphs are not text lines
    table = document.add_table(rows=3, cols=3)
    printed = [["三、本年度办理结果", "（一）予以公开", "5"], ["", "（二）部分公开", "2"], ["总计", "", "7"]]
    for r, row in enumerate(printed):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(0, 0).merge(table.cell(1, 0))  # a group label over two rows (vMerge)
    table.cell(2, 0).merge(table.cell(2, 1))  # a label over two columns (gridSpan)
    paragraph = document.add_paragraph("收到申请")
    paragraph.add_run().add_break()
    paragraph.add_run("7件")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_merged_cells_and_text():
    document = read_docx(_document())
    # A vertically merged cell carries its label into the rows it spans; a horizontally merged one
    # counts once.
    assert [row.cells for row in document.rows] == [
        ("三、本年度办理结果", "（一）予以公开", "5"),
        ("三、本年度办理结果", "（二）部分公开", "2"),
        ("总计", "7"),
    ]
    assert document.text.split("\n") == ["某某县人民政府2023年政府信息公开工作年度报告", "收到申请", "7件"]


def test_zip_without_a_document_is_unreadable():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<not-xml")
    with pytest.raises(UnreadableDocxError, match="DOCX cannot be opened"):
        read_docx(out.getvalue())
