"""Older local tables (指标名称 / 计量单位 / 本年度 / 历年累计) against values a person worked out by hand.

tests/expected/pingtan_*.csv and pingtanxian_*.csv were read from the documents; the run-together
digits were split by the reader's own reasoning (cumulative ≥ this year, 其中 rows within their
total, the text's stated counts), not by the parser. The three HTML pages were read from their
markup (tests/expected/pre2019_html_pages.md has the reader's notes).
"""

import csv

import pytest
from conftest import EXPECTED_DIR

from transforms.labels import normalize_label
from transforms.parse_report import parse_report

REPORTS = {
    "pingtan_2012_1.txt": 2012,  # cells separated by spaces
    "pingtan_2016_1.txt": 2016,  # the rest run together
    "pingtan_2017_1.txt": 2017,
    "pingtan_2018_1.txt": 2018,
    "pingtanxian_2011_1.txt": 2011,
    "pingtan_2012.html": 2012,  # HTML pages: &nbsp; in the header
    "pingtan_2016.html": 2016,  # 主动公开文件数, 元 for the fee row
    "pingtanxian_2012.html": 2012,  # header cell split over paragraphs (2012 | 年度), 条 for 复议/诉讼
}
COLUMNS = {"本年度": "this_year", "历年累计": "cumulative"}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_local_table_cells_match_the_hand_reading(shared_corpus, name):
    parsed = parse_report((shared_corpus / name).read_bytes(), name)
    assert (parsed.report["template"], parsed.report["report_year"]) == ("local_table", REPORTS[name])
    cells = {(normalize_label(r["row_label"]), r["column_code"]): r for r in parsed.indicators}
    with (EXPECTED_DIR / name.rsplit(".", 1)[0]).with_suffix(".csv").open(encoding="utf-8") as handle:
        expected = list(csv.DictReader(handle))
    assert len(expected) == len(parsed.indicators)
    for e in expected:
        cell = cells[(normalize_label(e["row_label"]), COLUMNS[e["column"]])]
        where = f"{name} {e['row_label']} {e['column']}"
        if e["note"].startswith("ambiguous"):
            assert cell["value"] is None and cell["value_status"] == "ambiguous", where
        else:
            assert cell["value"] == float(e["value_as_printed"]), where
            assert cell["catalog_status"] == "matched", where
            assert cell["table_id"] == "local", where


def test_the_cumulative_is_its_own_column_not_a_year(shared_corpus):
    parsed = parse_report((shared_corpus / "pingtan_2016_1.txt").read_bytes(), "pingtan_2016_1.txt")
    total = {r["column_code"]: r for r in parsed.indicators if r["indicator_code"] == "L1"}
    assert (total["this_year"]["value"], total["cumulative"]["value"]) == (3460.0, 85376.0)
    assert total["this_year"]["value_status"] == "inferred"
    assert "text" in total["this_year"]["value_note"]  # decided by "2016年全区主动公开政府信息3460条"
    assert {r["report_year"] for r in parsed.indicators} == {2016}


def test_text_that_disagrees_with_the_local_table_is_flagged(shared_corpus):
    """pingtan 2012: the text says 1913 items were disclosed, the table prints 739 (both read by hand)."""
    import pandas as pd

    from expectations.narrative_rules import evaluate_narrative_rules

    parsed = parse_report((shared_corpus / "pingtan_2012_1.txt").read_bytes(), "pingtan_2012_1.txt")
    results = evaluate_narrative_rules(pd.DataFrame(parsed.indicators), pd.DataFrame(parsed.facts))
    proactive = results[(results["rule_id"] == "R7") & (results["row_code"] == "proactive")].iloc[0]
    assert (proactive["outcome"], proactive["expected"], proactive["actual"]) == ("fail", 1913.0, 739.0)


def test_a_page_and_its_crawler_text_give_the_same_values(shared_corpus):
    """pingtan_2016.html is the page, pingtan_2016_1.txt the crawler's copy with cells run together."""
    page = parse_report((shared_corpus / "pingtan_2016.html").read_bytes(), "pingtan_2016.html")
    text = parse_report((shared_corpus / "pingtan_2016_1.txt").read_bytes(), "pingtan_2016_1.txt")
    values = [{(r["indicator_code"], r["column_code"]): r["value"] for r in p.indicators} for p in (page, text)]
    assert values[0] == values[1]
    assert {r["value_status"] for r in page.indicators} == {"ok"}  # the page prints its cells apart
    assert {r["value_status"] for r in text.indicators} == {"inferred"}  # the copy needed its arithmetic
    assert (page.report["agency"], page.report["report_year"]) == (text.report["agency"], 2016)
    assert page.report["table_title"] == text.report["table_title"] == "平潭综合实验区政府信息公开情况统计表"


def test_the_page_and_its_copy_are_one_report(shared_corpus, tmp_path):
    """Both files in one run: the page, which prints every cell, is published; the copy is
    quarantined as its duplicate, naming it."""
    from flows.parsing.batch import parse_files
    from flows.parsing.raw_files import scan_raw_folder
    from transforms.assemble import assemble_tables

    for name in ("pingtan_2016.html", "pingtan_2016_1.txt", "pingtan_2017_1.txt"):
        (tmp_path / name).write_bytes((shared_corpus / name).read_bytes())
    tables = assemble_tables([parse_files(scan_raw_folder(tmp_path))])
    assert sorted(tables["reports"]["source_file"]) == ["pingtan_2016.html", "pingtan_2017_1.txt"]
    (copy,) = tables["quarantine"].itertuples()
    assert (copy.source_file, copy.stage) == ("pingtan_2016_1.txt", "duplicate")
    assert "same report as pingtan_2016.html" in copy.reason and "another form" in copy.reason
    kept = tables["reports"].set_index("source_file").loc["pingtan_2016.html", "report_id"]
    assert copy.duplicate_of == kept
    assert set(tables["indicators"]["source_file"]) == {"pingtan_2016.html", "pingtan_2017_1.txt"}
    assert set(tables["rule_results"]["report_id"]) <= set(tables["reports"]["report_id"])
