"""Reading rows out of the input forms."""

from transforms.document_rows import HTML, MARKDOWN, TEXT, read_document


def _cells(text: str) -> list[tuple[str, ...]]:
    return [row.cells for row in read_document(text).rows]


def test_html_spans_are_expanded_without_repeating_values():
    page = """<html><body><div>导航 | 首页</div><table>
    <tr><td colspan="3" rowspan="2">说明</td><td colspan="2">申请人情况</td></tr>
    <tr><td>自然人</td><td>总<br>计</td></tr>
    <tr><td rowspan="2">三、本年度办理结果</td><td rowspan="2">（三）不予公开</td>
        <td>1.属于国家秘密</td><td>1</td><td>&nbsp;</td></tr>
    <tr><td>2.其他法律行政法规禁止公开</td><td>0</td><td>3</td></tr>
    <tr><td>行政许可</td><td colspan="3">17</td></tr>
    </table><div>页脚 电话 12345</div></body></html>"""
    document = read_document(page)
    assert document.form == HTML
    rows = [row.cells for row in document.rows]
    assert rows[1] == ("说明", "自然人", "总 计")  # the rowspan label repeats; <br> is a space
    assert rows[2] == ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "1", "")
    assert rows[3] == ("三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", "0", "3")
    assert rows[4] == ("行政许可", "17")  # colspan copies are not cells of their own
    assert all(row.line > 0 for row in document.rows)


def test_markdown_tables_fragments_and_loose_lines():
    text = "# 标题\n行政许可 97\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 3 |\n\n"
    text += "| 1 | 0 |  |\n|---|---|---|\n— 4 —\n"
    document = read_document(text)
    assert document.form == MARKDOWN
    assert [row.cells for row in document.rows] == [
        ("# 标题",),
        ("行政许可", "97"),
        ("信息内容", "本年制发件数"),
        ("规章", "3"),
        ("1", "0", ""),  # the page number line "— 4 —" is dropped
    ]


def test_text_forms():
    assert read_document("一、本年新收 3001 53 0 0 61 4 3119\n").form == TEXT
    assert _cells("（一）予以公开 1288 21 0 0 50 3 1362\n") == [
        ("（一）予以公开", "1288", "21", "0", "0", "50", "3", "1362")
    ]
    assert _cells("规章\t0\t\t3\n") == [("规章", "0", "", "3")]
    assert _cells("行政处罚   12   3\n") == [("行政处罚", "12", "3")]
    assert _cells("\t规章\n\t0\n\t\n\t3\n\n\t行政许可\n\t5\n") == [("规章", "0", "", "3"), ("行政许可", "5")]


def test_narrative_numbers_are_not_split_off_mid_sentence():
    assert _cells("全年共审核发布各类公开政府信息 249 条。\n") == [("全年共审核发布各类公开政府信息 249 条。",)]
