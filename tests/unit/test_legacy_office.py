"""Word 97-2003 and WPS files told from their content, and read through the converter the caller
gives (a stand-in here; LibreOffice's own conversion is in tests/component/test_legacy_office_forms.py)."""

import io
import pickle
import struct

import docx
import pytest
from test_spreadsheet_reader import _ole

import flows.parsing.legacy_office as legacy
from flows.parsing.legacy_office import convert_legacy_office
from transforms.documents import NeedsConversionError, UnreadableDocumentError, read_document_bytes
from transforms.legacy_office import DOC, DOCX, WPS, ConversionError, is_encrypted_word97, legacy_office
from transforms.parse_report import QuarantineError, parse_report


def _word97(flags: int = 0) -> bytes:
    fib = struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0, flags) + b"\0" * 4084
    return _ole({"WordDocument": fib, "1Table": b"\0" * 100})


def _docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "收到申请数", "12"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word97_file_is_a_doc_or_by_its_name_a_wps():
    data = _word97()
    assert legacy_office(data).kind == DOC and legacy_office(data).target == DOCX
    assert legacy_office(data, "附件1.WPS").kind == WPS  # the same content: only the name tells
    assert legacy_office(data, "附件1.doc").kind == DOC
    workbook = _ole({"Workbook": b"\0" * 600})  # an .xls, and a WPS .et: read as spreadsheets
    for other in (workbook, _docx("x"), b"%PDF-1.4\n", "某某县年度报告".encode(), b""):
        assert legacy_office(other) is None


def test_without_a_converter_the_reason_says_what_to_do():
    with pytest.raises(NeedsConversionError, match=r"^Word 97-2003 \.doc: needs converting to \.docx") as caught:
        read_document_bytes(_word97())
    assert (caught.value.kind, caught.value.target) == ("doc", "docx")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (str(copy), copy.kind, copy.target) == (str(caught.value), "doc", "docx")
    with pytest.raises(QuarantineError, match=r"Word 97-2003 \.doc: .*or save as \.docx or PDF") as quarantined:
        parse_report(_word97(), "report.doc")
    assert quarantined.value.stage == "decode"


def test_the_converted_docx_is_read_and_says_it_was_converted():
    converted = _docx("某某县2012年政府信息公开工作年度报告")
    calls = []

    def convert(data: bytes, kind: str, target: str) -> bytes:
        calls.append((data, kind, target))
        return converted

    original = _word97()
    document = read_document_bytes(original, convert=convert)
    assert calls == [(original, "doc", "docx")]
    as_docx = read_document_bytes(converted)
    assert (document.form, document.encoding) == ("docx", "doc (converted to docx)")
    assert (document.rows, document.text) == (as_docx.rows, as_docx.text)
    assert document.content_id == as_docx.content_id  # the same report as a .doc and a .docx is one


def test_a_failed_conversion_is_quarantined_with_its_reason():
    def fails(data: bytes, kind: str, target: str) -> bytes:
        raise ConversionError("Word 97-2003 .doc: LibreOffice did not finish converting it within 60 s")

    with pytest.raises(UnreadableDocumentError, match=r"^Word 97-2003 \.doc: LibreOffice did not finish"):
        read_document_bytes(_word97(), convert=fails)

    def not_a_docx(data: bytes, kind: str, target: str) -> bytes:
        return b"PK\x03\x04 not really"

    with pytest.raises(UnreadableDocumentError, match=r"^Word 97-2003 \.doc, converted to \.docx: "):
        read_document_bytes(_word97(), convert=not_a_docx)


def test_an_encrypted_doc_is_not_handed_to_the_converter():
    encrypted = _word97(flags=0x0100)  # FIB fEncrypted
    assert is_encrypted_word97(encrypted) and not is_encrypted_word97(_word97())

    def convert(data: bytes, kind: str, target: str) -> bytes:
        raise AssertionError("not called")

    with pytest.raises(UnreadableDocumentError, match=r"^Word 97-2003 \.doc: password-protected"):
        read_document_bytes(encrypted, convert=convert)


def test_no_libreoffice_is_quarantined_with_how_to_install_it(monkeypatch):
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    with pytest.raises(UnreadableDocumentError) as caught:
        read_document_bytes(_word97(), convert=convert_legacy_office)
    assert str(caught.value) == (
        "Word 97-2003 .doc: needs LibreOffice to read (apt-get install libreoffice-writer-nogui), "
        "or save as .docx or PDF"
    )
    with pytest.raises(ConversionError, match=r"WPS Spreadsheets \.et: .*libreoffice-calc-nogui"):
        convert_legacy_office(b"", "et", "xlsx")
