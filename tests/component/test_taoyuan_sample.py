"""The user's sample report against values a person read off the document (tests/expected/).

tests/expected/taoyuan_2018_stat_table.csv was typed by hand from the report, not produced by
the parser; see tests/expected/taoyuan_2018_facts.md for the facts checked below.
"""

import csv
from datetime import date

import pytest
from conftest import EXPECTED_DIR, SHARED_DIR

from transforms.parse_report import parse_report


@pytest.fixture(scope="module")
def parsed(sample_bytes):
    return parse_report(sample_bytes, "taoyuan_2018_report.txt")


@pytest.fixture(scope="module")
def hand_read() -> list[dict]:
    with (EXPECTED_DIR / "taoyuan_2018_stat_table.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_row_in_order_with_its_code(parsed, hand_read):
    assert len(parsed.indicators) == len(hand_read) == 65
    assert [r["indicator_code"] for r in parsed.indicators] == [row["key"] for row in hand_read]
    assert all(r["catalog_status"] == "matched" for r in parsed.indicators)


def test_every_value_exact(parsed, hand_read):
    valued = [row for row in hand_read if row["value_as_printed"]]
    assert len(valued) == 58
    by_code = {r["indicator_code"]: r for r in parsed.indicators}
    for row in valued:
        cell = by_code[row["key"]]
        assert cell["value_raw"] == row["value_as_printed"], row["key"]
        assert cell["value"] == float(row["value_as_printed"]), row["key"]
        assert cell["unit"] == row["unit_as_printed"], row["key"]
        assert cell["value_status"] == "ok", row["key"]


def test_section_rows_carry_no_value(parsed, hand_read):
    sections = {row["key"] for row in hand_read if row["unit_as_printed"] == "——"}
    assert sections == {"A1", "A1.2", "A2", "A2.2", "A3", "A8", "A9"}
    for cell in parsed.indicators:
        if cell["indicator_code"] in sections:
            assert (cell["value"], cell["value_status"], cell["unit"]) == (None, "not_applicable", "")


def test_labels_as_printed_with_wrapped_lines_joined(parsed, hand_read):
    assert [r["row_label"] for r in parsed.indicators] == [row["label_as_printed"] for row in hand_read]


def test_label_paths_and_source_lines(parsed, sample_bytes):
    by_code = {r["indicator_code"]: r for r in parsed.indicators}
    assert by_code["A3.1"]["row_path"] == "三、依申请公开情况/（一）收到申请数"
    assert by_code["A5.2"]["row_path"] == "五、行政诉讼数量/（二）被依法纠错数"
    lines = sample_bytes.decode("utf-8").split("\n")
    assert lines[by_code["A3.1"]["source_line"] - 1].strip() == "229"
    assert lines[by_code["A8.4"]["source_line"] - 1].strip() == "40"


def test_report_metadata(parsed):
    report = parsed.report
    assert report["agency"] == "桃源县人民政府"
    assert report["agency_as_written"] == "桃源县"
    assert report["report_year"] == 2018
    assert report["publication_date"] == date(2019, 3, 12)
    assert report["table_filled_on"] == date(2019, 3, 12)
    assert report["table_title"] == "2018年度桃源县政府信息公开工作统计表"
    assert report["template"] == "stat_2014"
    assert (report["table_rows"], report["cells_with_value"], report["unmapped_rows"]) == (65, 58, 0)


def test_bundled_sample_is_the_users_seed(sample_bytes):
    seed = SHARED_DIR / "seeds" / "taoyuan_2018_report.txt"
    if not seed.exists():
        pytest.skip("../shared is not present")
    assert seed.read_bytes() == sample_bytes


def test_narrative_facts_explain_the_p1_gap(sample_bytes):
    """The text names e-mail (20) and other (1) channels the table has no rows for: 208 + 20 + 1 = 229."""
    from expectations.narrative_rules import evaluate_narrative_rules

    parsed = parse_report(sample_bytes, "taoyuan_2018_report.txt")
    facts = {(f["fact_code"], f["value"]) for f in parsed.facts}
    # Read from the report's text by a person (tests/expected/taoyuan_2018_facts.md).
    assert {
        ("received", 229.0),
        ("channel_in_person", 178.0),
        ("channel_fax", 0.0),
        ("channel_email", 20.0),
        ("channel_online", 15.0),
        ("channel_letter", 15.0),
        ("channel_other", 1.0),
        ("answered", 229.0),
    } <= facts
    import pandas as pd

    results = evaluate_narrative_rules(pd.DataFrame(parsed.indicators), pd.DataFrame(parsed.facts))
    p1t = results[results["rule_id"] == "P1t"].iloc[0]
    assert p1t["outcome"] == "pass"
    assert p1t["detail"] == "229 = 178 + 0 + 15 + 15 + 20 (channel_email, text) + 1 (channel_other, text) = 229"
    email = results[(results["rule_id"] == "R7") & (results["row_code"] == "channel_email")].iloc[0]
    assert email["outcome"] == "not_applicable"  # the table has no e-mail row
