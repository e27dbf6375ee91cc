"""The standard indicators and the cross-year rules on the real corpus and the sample.

Expected values were written by people reading the documents, not the parser's output:
- tests/expected/indicators_by_hand.csv: each indicator computed by hand from the printed cells,
  per the definitions in transforms/indicator_definitions.csv (notes: indicators_by_hand.md);
- tests/expected/cross_year_by_hand.csv: each cross-year rule checked by hand on the corpus's
  consecutive reports of one agency (notes: cross_year_by_hand.md).
"""

import csv
import re

import pytest
from conftest import EXPECTED_DIR

pytestmark = pytest.mark.end_to_end


def _expected(name: str) -> list[dict]:
    with (EXPECTED_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rows(connection, sql: str, *parameters) -> list[dict]:
    cursor = connection.execute(sql, list(parameters))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _by_file(connection) -> dict[tuple[str, str], dict]:
    rows = _rows(
        connection,
        "SELECT source_file, indicator, value, numerator, denominator, reason, source_cells FROM report_indicators",
    )
    return {(r["source_file"], r["indicator"]): r for r in rows}


def test_indicators_equal_the_values_computed_by_hand(corpus_dataset):
    computed = _by_file(corpus_dataset)
    expected = _expected("indicators_by_hand.csv")
    assert len(expected) > 90
    wrong = []
    for row in expected:
        got = computed.get((row["file"].rsplit("/", 1)[-1], row["indicator"]))
        assert got is not None, f"no {row['indicator']} for {row['file']}"
        if row["value"]:
            if got["value"] is None or abs(got["value"] - float(row["value"])) > 1e-4:
                wrong.append((row["file"], row["indicator"], row["value"], got["value"], got["reason"]))
        elif got["value"] is not None or not got["reason"]:  # by hand: no value, and why
            wrong.append((row["file"], row["indicator"], f"none ({row['reason']})", got["value"], got["reason"]))
    assert not wrong


def test_an_indicator_a_template_cannot_give_has_no_value_and_says_why(corpus_dataset):
    computed = _by_file(corpus_dataset)
    by_hand = {(r["file"].rsplit("/", 1)[-1], r["indicator"]) for r in _expected("indicators_by_hand.csv")}
    files = {file for file, _ in by_hand}
    others = [row for (file, indicator), row in computed.items() if file in files and (file, indicator) not in by_hand]
    assert others  # e.g. carry_forward_rate of the 2014 统计表, disclosure_fees of a 2021 report
    for row in others:
        assert row["value"] is None and row["numerator"] is None, row
        assert "print no" in row["reason"] or "not defined" in row["reason"], row
    taoyuan = computed[("taoyuan_2018_report.txt", "carry_forward_rate")]
    assert taoyuan["reason"] == "stat_2014 tables print no carried_forward, carried_over"


def test_agency_indicators_follow_the_reports(corpus_dataset):
    """One value per agency and year; the zone's 2016 report came in two forms (one quarantined as
    its duplicate), so its year still has one report."""
    rows = _rows(
        corpus_dataset,
        "SELECT agency, report_year, value, reports FROM agency_indicators WHERE indicator = 'requests_received'",
    )
    keys = [(r["agency"], r["report_year"]) for r in rows]
    assert len(keys) == len(set(keys))
    huaian = [r for r in rows if r["agency"] == "淮安市人民政府" and r["report_year"] == 2024]
    hand = next(
        r for r in _expected("indicators_by_hand.csv") if r["file"].endswith("huaian_2024.pdf")
        and r["indicator"] == "requests_received"
    )  # fmt: skip
    assert huaian and huaian[0]["value"] == float(hand["value"])


_NUMBERING = re.compile(r"^(其中[：:])?\s*([0-9]+[、.．]|（[一二三四五六七八九十]+）)?\s*")


def _label(text: str) -> str:
    return _NUMBERING.sub("", text.strip())


def test_cross_year_rules_flag_the_real_series_breaks(corpus_dataset):
    reports = {
        r["source_file"]: r["report_id"] for r in _rows(corpus_dataset, "SELECT source_file, report_id FROM reports")
    }
    results = _rows(
        corpus_dataset,
        "SELECT report_id, previous_report_id, rule_id, row_code, column_code, outcome FROM cross_year_results",
    )
    outcome = {(r["report_id"], r["previous_report_id"], r["rule_id"], r["row_code"], r["column_code"]): r["outcome"]
               for r in results}  # fmt: skip
    labels = {
        (r["report_id"], _label(r["row_label"])): r["indicator_code"]
        for r in _rows(corpus_dataset, "SELECT report_id, row_label, indicator_code FROM indicators")
    }
    columns = {r["label_zh"]: r["column_code"] for r in _rows(corpus_dataset, "SELECT * FROM catalog_columns")}
    t2_rows = {r["label_zh"]: r["code"] for r in _rows(corpus_dataset, "SELECT * FROM catalog WHERE table_id = 't2'")}
    t2_rows["规范性文件"] = t2_rows["行政规范性文件"]  # the 2019 form's word for it
    checked, passed, breaks = 0, 0, []
    for row in _expected("cross_year_by_hand.csv"):
        later, earlier = reports.get(row["later_file"]), reports.get(row["earlier_file"])
        if earlier is None:  # the same report in another form, quarantined as a duplicate
            continue
        if row["rule"] == "X1":
            key = (later, earlier, "X1", "", columns[row["column"]])
        else:
            code = t2_rows.get(row["row"]) if row["rule"] in ("X3", "X4") else labels.get((later, _label(row["row"])))
            assert code is not None, row
            key = (later, earlier, row["rule"], code, "")
        got = outcome.get(key)
        assert got is not None, (row, key)
        checked += 1
        if row["verdict"] == "breaks":
            breaks.append(key)
            assert got == "fail", (row, got)
        else:
            assert got != "fail", (row, got)  # holds, not applicable, or only the rule itself could tell
            passed += row["verdict"] == "holds" and got == "pass"
    holds = sum(r["verdict"] == "holds" for r in _expected("cross_year_by_hand.csv") if r["earlier_file"] in reports)
    assert len(breaks) == 2 and checked > 60
    assert passed >= 0.9 * holds  # the rows that hold are checked, not left aside
    failed = _rows(
        corpus_dataset,
        "SELECT report_id, previous_report_id, rule_id, severity, detail FROM failed_rules WHERE rule_id LIKE 'X%'",
    )
    assert {(f["report_id"], f["previous_report_id"]) for f in failed} == {b[:2] for b in breaks}
    assert all(f["severity"] == "warning" and "pingtan_2016.html" in f["detail"] for f in failed)
