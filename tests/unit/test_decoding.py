import pytest

from transforms.decoding import UnreadableReportError, content_report_id, decode_report_bytes, normalize_text

TEXT = "桃源县2018年度政府信息公开年度报告\n\t统计指标\t单位\t统计数\n\t（一）收到申请数\t件\t229\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8 (BOM)"),
        (TEXT.encode("utf-16"), "utf-16 (BOM)"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),  # GB18030 is the superset decoder for GBK bytes
        (TEXT.encode("utf-16-le"), "utf_16_le"),  # no BOM
    ],
)
def test_decodes_the_encodings_reports_come_in(data, encoding):
    decoded = decode_report_bytes(data)
    assert decoded.text.lstrip("\ufeff") == TEXT
    assert decoded.encoding == encoding


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\r\n ", "empty file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "binary file (PDF document)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (PNG image)"),
        (b"abc\x00\x00\x01\x02def", "binary file (contains NUL bytes)"),
        (bytes(range(256)) * 4, "binary file (contains NUL bytes)"),
        (TEXT.encode("utf-8")[:20] + b"\xff\x80\xfe\xc0" + TEXT.encode("utf-8")[20:], "undecodable bytes"),
    ],
)
def test_unreadable_input_gets_a_reason(data, reason):
    with pytest.raises(UnreadableReportError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decode_report_bytes(data)


def test_normalize_text_folds_fullwidth_digits_spaces_and_line_ends():
    raw = "收到申请数\u3000\uff12\uff12\uff19件\u00a0\r\n第二行\r第三行\u200b"
    assert normalize_text(raw) == "收到申请数 229件 \n第二行\n第三行"


def test_normalize_text_keeps_printed_punctuation():
    assert normalize_text("（一）收到申请数：") == "（一）收到申请数："


def test_report_id_ignores_encoding_line_ends_and_trailing_space():
    utf8 = normalize_text(decode_report_bytes(TEXT.encode("utf-8")).text)
    gbk_crlf = normalize_text(decode_report_bytes((TEXT.replace("\n", "  \r\n\r\n")).encode("gb18030")).text)
    assert content_report_id(utf8) == content_report_id(gbk_crlf)
    assert content_report_id(utf8) != content_report_id(utf8.replace("229", "230"))


def test_pdf_without_text_layer_or_broken_is_quarantined():
    from transforms.parse_report import QuarantineError, parse_report

    blank_page = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    with pytest.raises(QuarantineError, match="no text layer"):
        parse_report(blank_page, "scan.pdf")
    with pytest.raises(QuarantineError, match="PDF cannot be opened"):
        parse_report(b"%PDF-1.4 truncated garbage", "broken.pdf")
