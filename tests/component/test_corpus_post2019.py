"""Post-2019 reports from ../shared/corpus against cell values a person read off each document.

tests/expected/<report>.csv was typed by a reader from the document itself, never from the
parser. Cells the reader marked lost or uncertain must come out flagged (no value); where a row
is damaged (it printed fewer cells than the template has), every cell of that row is flagged,
because where the surviving numbers belong is a guess.
"""

import csv
import re

import pandas as pd
import pytest
from conftest import EXPECTED_DIR

from transforms.catalog import load_column_catalog
from transforms.parse_report import parse_report

REPORTS = {  # agency as printed in the title
    "shuyang_fgj_2023.html": ("沭阳县发展和改革局", 2023),
    "shuyang_2025.md": ("沐阳县人民政府", 2025),  # the document's own OCR error (沭 → 沐), kept as written
    "shanghai_kewei_2024.md": ("上海市科委", 2024),
    "shanghai_shifuban_2025.md": ("上海市人民政府办公厅", 2025),
    "huaian_2024.pdf": ("淮安市人民政府", 2024),
    "hongze_2023.pdf": ("洪泽区人民政府", 2023),  # prints （六）其他处理 as one row, 2019 style
    "hongze_2024.pdf": ("淮安市洪泽区人民政府", 2024),
    # Crawler text with the cells of each row run together: split by the tables' own arithmetic.
    "pingtan_2021_1.txt": ("平潭综合实验区", 2021),
    "pingtan_2022_1.txt": ("平潭综合实验区", 2022),
    "pingtan_2025_1.txt": ("平潭综合实验区", 2025),
}
T2_ROWS = {
    "规章": "T2.1.1",
    "行政规范性文件": "T2.1.2",
    "行政许可": "T2.5.1",
    "行政处罚": "T2.6.1",
    "行政强制": "T2.6.2",
    "行政事业性收费": "T2.8.1",
}
T4_ROWS = {"行政复议": "T4.1", "未经复议直接起诉": "T4.2", "复议后起诉": "T4.3"}
FLAGGED = {"ambiguous", "missing"}


def _column_codes() -> dict[tuple[str, str], str]:
    columns = load_column_catalog()
    mapping = {
        (t, label): code
        for t, label, code in zip(columns["table_id"], columns["label_zh"], columns["column_code"], strict=True)
    }
    mapping[("t2", "本年收费金额")] = "fees"
    return mapping


def _expected(name: str) -> list[dict]:
    stem = name.rsplit(".", 1)[0]
    with (EXPECTED_DIR / f"{stem}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_cells_match_the_hand_read_values(shared_corpus, name):
    parsed = parse_report((shared_corpus / name).read_bytes(), name)
    agency, year = REPORTS[name]
    assert (parsed.report["agency_as_written"], parsed.report["report_year"], parsed.report["template"]) == (
        agency,
        year,
        "fmt_2021",
    )
    cells = {(r["indicator_code"], r["column_code"]): r for r in parsed.indicators}
    columns = _column_codes()
    expected = _expected(name)
    damaged_rows = {
        (e["table"], e["row"]) for e in expected if e["note"].startswith(("lost", "uncertain", "ambiguous"))
    }
    checked = 0
    for e in expected:
        row = {"t2": T2_ROWS, "t4": T4_ROWS}.get(e["table"], {}).get(e["row"], e["row"])
        cell = cells[(row, columns[(e["table"], e["column"])])]
        where = f"{name} {e['table']} {e['row']} {e['column']}"
        if (e["table"], e["row"]) in damaged_rows:
            assert cell["value_status"] in FLAGGED and cell["value"] is None, where
        elif e["note"] == "blank":
            assert (cell["value_status"], cell["value"]) == ("blank", None), where
        else:
            assert not e["note"], f"unhandled note {e['note']!r} at {where}"
            assert _squash(cell["value_raw"]) == _squash(e["value_as_printed"]), where
            assert cell["value"] == float(re.match(r"[-\d.]+", e["value_as_printed"]).group()), where
        checked += 1
    assert checked >= 25
    # Narrative sentences ending in a number are not table rows.
    assert not [r["row_label"] for r in parsed.indicators if r["catalog_status"] == "unmapped"]
    # The reader covered every cell of 表二, 表三 and 表四: 200, or 186 when （六） is one row.
    assert len(expected) == len(parsed.indicators) in (200, 186)


def test_lost_labels_are_placed_by_order_and_say_so(shared_corpus):
    parsed = parse_report((shared_corpus / "shanghai_kewei_2024.md").read_bytes(), "kewei")
    by_position = {r["indicator_code"] for r in parsed.indicators if r["catalog_status"] == "matched_by_position"}
    # Rows whose labels the PDF conversion separated from their numbers (read by hand from the document).
    assert {"T3.3.2", "T3.3.3.2", "T3.3.3.5", "T3.3.4.1", "T3.3.4.2", "T3.3.4.3", "T3.3.5.4", "T3.3.5.5"} <= by_position


def test_blank_total_is_blank_not_zero(shared_corpus):
    parsed = parse_report((shared_corpus / "shanghai_kewei_2024.md").read_bytes(), "kewei")
    cell = next(r for r in parsed.indicators if r["indicator_code"] == "T3.4" and r["column_code"] == "total")
    assert (cell["value"], cell["value_status"]) == (None, "blank")


def test_cut_off_report_is_quarantined(shared_corpus):
    from transforms.parse_report import QuarantineError

    with pytest.raises(QuarantineError, match="cut off"):
        parse_report((shared_corpus / "huaian_2024_truncated_extract.txt").read_bytes(), "huaian")


def test_table_four_totals_that_do_not_add_up_are_reported(shared_corpus):
    """hongze_2023 prints 行政复议 10 + 1 + 0 + 0 with 总计 0, and 复议后起诉 5 + 0 + 0 + 0 with 总计 0."""
    from expectations.arithmetic import evaluate_rules

    parsed = parse_report((shared_corpus / "hongze_2023.pdf").read_bytes(), "hongze_2023.pdf")
    results = evaluate_rules(pd.DataFrame(parsed.indicators))
    r5 = results[results["rule_id"] == "R5"].set_index("row_code")
    assert r5.loc["T4.1", "outcome"] == "fail" and r5.loc["T4.1", "detail"] == "0 ≠ 10 + 1 + 0 + 0 = 11"
    assert r5.loc["T4.3", "outcome"] == "fail" and r5.loc["T4.2", "outcome"] == "pass"
    assert set(results.loc[results["outcome"] == "fail", "rule_id"]) == {"R5"}


def test_pdf_cells_know_their_page(shared_corpus):
    parsed = parse_report((shared_corpus / "hongze_2023.pdf").read_bytes(), "hongze_2023.pdf")
    pages = {(r["indicator_code"], r["column_code"]): r["source_page"] for r in parsed.indicators}
    # Read off the rendered pages: 表三 breaks between （四）2 and （四）3; 表四 is on page 4.
    assert pages[("T3.3.4.2", "total")] == 3 and pages[("T3.3.4.3", "total")] == 4
    assert pages[("T4.1", "total")] == 4


def test_narrative_facts_of_a_pdf_against_a_hand_reading(shared_corpus):
    """tests/expected/huaian_2024_facts.md: the text states 3119 / 3050 / 34 / 103 / 351 / 46 and 3940 元."""
    parsed = parse_report((shared_corpus / "huaian_2024.pdf").read_bytes(), "huaian_2024.pdf")
    facts = {(f["fact_code"], f["value"], f["unit"]) for f in parsed.facts}
    assert {
        ("received", 3119.0, "件"),
        ("answered", 3050.0, "件"),
        ("carried_over", 34.0, "件"),
        ("carried_forward", 103.0, "件"),
        ("reviews", 351.0, "件"),
        ("lawsuits", 46.0, "件"),
        ("fees", 3940.0, "元"),
    } <= facts


def test_text_that_disagrees_with_its_table_is_flagged(shared_corpus):
    """hongze_2024's text says 17 requests (those its 区政府办 handled); 表三 says 95 (hand-read)."""
    from expectations.narrative_rules import evaluate_narrative_rules

    parsed = parse_report((shared_corpus / "hongze_2024.pdf").read_bytes(), "hongze_2024.pdf")
    results = evaluate_narrative_rules(pd.DataFrame(parsed.indicators), pd.DataFrame(parsed.facts))
    received = results[(results["rule_id"] == "R7") & (results["row_code"] == "received")].iloc[0]
    assert (received["outcome"], received["expected"], received["actual"], received["severity"]) == (
        "fail",
        17.0,
        95.0,
        "warning",
    )
