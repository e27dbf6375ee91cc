"""Catalog matching: codes by section, unknown rows kept and flagged."""

from transforms.indicator_rows import stat_table_records
from transforms.stat_table import parse_stat_table


def _records(body: str) -> list[dict]:
    return stat_table_records(parse_stat_table("\t统计指标\t单位\t统计数\n" + body), "stat_2014")


def test_same_label_under_different_sections_gets_different_codes():
    records = _records(
        "\t四、行政复议数量\t件\t2\n\t（二）被依法纠错数\t件\t1\n"
        "\t五、行政诉讼数量\t件\t3\n\t（二）被依法纠错数\t件\t0\n"
    )
    assert [r["indicator_code"] for r in records] == ["A4", "A4.2", "A5", "A5.2"]
    assert records[3]["row_path"] == "五、行政诉讼数量/（二）被依法纠错数"


def test_matching_ignores_numbering_style_notes_and_spacing():
    records = _records(
        "\t三、依申请公开情况\t——\t\n\t(一)收到申请数（含电子邮件）\t件\t9\n\t　　　 　其中：涉及国家秘密\t件\t0\n"
    )
    assert [r["indicator_code"] for r in records] == ["A3", "A3.1", "A3.3.4a"]
    assert records[1]["row_label"] == "(一)收到申请数（含电子邮件）"
    assert records[0]["value_status"] == "not_applicable" and records[0]["value"] is None


def test_unknown_rows_are_kept_and_flagged():
    records = _records("\t三、依申请公开情况\t——\t\n\t5.微信小程序申请数\t件\t4\n\t（一）收到申请数\t件\t4\n")
    unknown = records[1]
    assert unknown["catalog_status"] == "unmapped"
    assert unknown["indicator_code"].startswith("unmapped:A3:微信小程序申请数")
    assert unknown["row_path"] == "三、依申请公开情况/5.微信小程序申请数"
    assert unknown["value"] == 4.0
    assert records[2]["indicator_code"] == "A3.1"


def test_a_repeated_row_is_flagged_not_overwritten():
    records = _records("\t六、举报投诉数量\t件\t1\n\t六、举报投诉数量\t件\t2\n")
    assert [r["catalog_status"] for r in records] == ["matched", "duplicate"]
    assert [r["value"] for r in records] == [1.0, 2.0]
    assert len({r["indicator_code"] for r in records}) == 2
