"""Arithmetic rules on tiny long-row frames: blank ≠ 0 for totals, blanks in parts counted and said."""

import random
from dataclasses import replace

import pandas as pd

from benchmarks.synthetic.post2019 import make_post2019_report
from expectations.arithmetic import evaluate_rules
from transforms.assemble import assemble_tables, to_frames
from transforms.identities import load_bounds
from transforms.parse_report import parse_report
from transforms.schemas import RULE_RESULTS


def _rows(cells: dict[str, tuple[float | None, str]], unit: str = "件") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "report_id": "r1",
                "report_year": 2018,
                "template": "stat_2014",
                "table_id": "stat",
                "column_code": "",
                "indicator_code": code,
                "value": value,
                "value_status": status,
                "unit": unit,
            }
            for code, (value, status) in cells.items()
        ]
    )


def _rule(frame: pd.DataFrame, rule_id: str) -> dict:
    results = evaluate_rules(frame)
    return results[results["rule_id"] == rule_id].iloc[0].to_dict()


def test_p1_fails_when_channels_do_not_add_up():
    frame = _rows(
        {"A3.1": (229, "ok"), "A3.1.1": (178, "ok"), "A3.1.2": (0, "ok"), "A3.1.3": (15, "ok"), "A3.1.4": (15, "ok")}
    )
    p1 = _rule(frame, "P1")
    assert (p1["outcome"], p1["expected"], p1["actual"]) == ("fail", 208.0, 229.0)
    assert p1["detail"] == "229 ≠ 178 + 0 + 15 + 15 = 208"


def test_p1_includes_provincial_email_and_other_rows():
    frame = _rows(
        {
            "A3.1": (229, "ok"),
            "A3.1.1": (178, "ok"),
            "A3.1.2": (0, "ok"),
            "A3.1.3": (15, "ok"),
            "A3.1.4": (15, "ok"),
            "A3.1.5": (20, "ok"),
            "A3.1.6": (1, "ok"),
        }
    )
    assert _rule(frame, "P1")["outcome"] == "pass"


def test_blank_total_is_not_applicable_not_a_failure():
    frame = _rows({"A3.2": (None, "blank"), "A3.2.1": (5, "ok"), "A3.2.2": (1, "ok")})
    p2 = _rule(frame, "P2")
    assert p2["outcome"] == "not_applicable" and "blank" in p2["detail"]


def test_blank_part_counts_as_zero_and_says_so():
    frame = _rows({"A3.2": (5, "ok"), "A3.2.1": (5, "ok"), "A3.2.2": (None, "blank")})
    p2 = _rule(frame, "P2")
    assert p2["outcome"] == "pass"
    assert "blank counted as 0: A3.2.2" in p2["detail"]


def test_unreadable_part_makes_the_rule_not_applicable():
    frame = _rows({"A3.2": (5, "ok"), "A3.2.1": (None, "unparsed"), "A3.2.2": (1, "ok")})
    assert _rule(frame, "P2")["outcome"] == "not_applicable"


def test_channel_bounds_p7():
    frame = _rows({"A1.1": (50, "ok"), "A1.2.1": (60, "ok"), "A1.2.2": (10, "ok")}, unit="条")
    assert _rule(frame, "P7a")["outcome"] == "pass"  # 50 ≤ 70
    assert _rule(frame, "P7b")["outcome"] == "fail"  # 50 < 60


def test_p11_flags_fractional_counts_but_allows_decimal_money():
    counts = _rows({"A6": (2.5, "ok")})
    money = _rows({"A8.4": (40.5, "ok")}, unit="万元")
    assert _rule(counts, "P11")["outcome"] == "fail"
    assert _rule(money, "P11")["outcome"] == "pass"


def test_rules_of_other_templates_are_not_evaluated():
    frame = _rows({"A3.1": (1, "ok")}).assign(template="fmt_2021")
    assert not evaluate_rules(frame)["rule_id"].str.startswith("P").any()


def test_no_rows_gives_an_empty_typed_frame():
    assert list(evaluate_rules(_rows({}).iloc[0:0]).columns)[:2] == ["report_id", "rule_id"]


def _t3(cells: dict[tuple[str, str], tuple[float | None, str]], table: str = "t3", unit: str = "件") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "report_id": "r1",
                "report_year": 2021,
                "template": "fmt_2021",
                "table_id": table,
                "indicator_code": row,
                "column_code": column,
                "value": value,
                "value_status": status,
                "unit": unit,
            }
            for (row, column), (value, status) in cells.items()
        ]
    )


def _result(frame: pd.DataFrame, rule_id: str, row: str = "", column: str = "") -> dict:
    results = evaluate_rules(frame)
    chosen = results[
        (results["rule_id"] == rule_id) & (results["row_code"] == row) & (results["column_code"] == column)
    ]
    assert len(chosen) == 1, results[["rule_id", "row_code", "column_code"]]
    return chosen.iloc[0].to_dict()


def test_r1_per_column_and_a_blank_total_is_missing():
    frame = _t3(
        {
            ("T3.1", "natural_person"): (32, "ok"),
            ("T3.2", "natural_person"): (2, "ok"),
            ("T3.3.7", "natural_person"): (33, "ok"),
            ("T3.4", "natural_person"): (1, "ok"),
            ("T3.1", "total"): (34, "ok"),
            ("T3.2", "total"): (2, "ok"),
            ("T3.3.7", "total"): (35, "ok"),
            ("T3.4", "total"): (None, "blank"),
        }
    )
    person = _result(frame, "R1", column="natural_person")
    assert (person["outcome"], person["detail"]) == ("pass", "32 + 2 = 34 = 33 + 1 = 34")
    total = _result(frame, "R1", column="total")
    assert total["outcome"] == "not_applicable" and "T3.4" in total["detail"]


def test_r1_fails_when_the_column_does_not_balance():
    frame = _t3(
        {
            ("T3.1", "business"): (3, "ok"),
            ("T3.2", "business"): (0, "ok"),
            ("T3.3.7", "business"): (2, "ok"),
            ("T3.4", "business"): (0, "ok"),
        }
    )
    assert _result(frame, "R1", column="business")["outcome"] == "fail"


def test_r3_row_total_blank_is_not_a_violation_but_blank_applicants_count_as_zero():
    applicants = ["natural_person", "business", "research", "nonprofit", "legal_services", "other"]
    blank_total = _t3({**{("T3.3.1", c): (1, "ok") for c in applicants}, ("T3.3.1", "total"): (None, "blank")})
    assert _result(blank_total, "R3", row="T3.3.1")["outcome"] == "not_applicable"
    blank_parts = _t3(
        {
            ("T3.1", "natural_person"): (26, "ok"),
            **{("T3.1", c): (None, "blank") for c in applicants[1:]},
            ("T3.1", "total"): (26, "ok"),
        }
    )
    r3 = _result(blank_parts, "R3", row="T3.1")
    assert r3["outcome"] == "pass" and "blank counted as 0" in r3["detail"]


def test_r5_per_group_in_table_four():
    frame = _t3(
        {
            ("T4.1", "upheld"): (40, "ok"),
            ("T4.1", "corrected"): (0, "ok"),
            ("T4.1", "other_result"): (10, "ok"),
            ("T4.1", "pending"): (5, "ok"),
            ("T4.1", "total"): (56, "ok"),
        },
        table="t4",
    )
    r5 = _result(frame, "R5", row="T4.1")
    assert (r5["outcome"], r5["detail"]) == ("fail", "56 ≠ 40 + 0 + 10 + 5 = 55")


def test_r8_allows_decimal_fees_and_negative_changes_only_where_the_template_does():
    fees = _t3({("T2.8.1", "fees"): (4068.208, "ok")}, table="t2", unit="万元")
    assert _result(fees, "R8")["outcome"] == "pass"
    negative_issued = _t3({("T2.1.1", "issued"): (-2, "ok")}, table="t2")
    assert _result(negative_issued, "R8")["outcome"] == "fail"
    change = _t3({("T2.5.1", "change"): (-8, "ok")}, table="t2").assign(template="fmt_2019")
    assert _result(change, "R8")["outcome"] == "pass"


def test_r8_is_kept_for_every_table():
    """R8 runs once per table with no row or column: the key must tell the tables apart, or
    assembling the batches would keep 表二's pass and drop 表三's failure as a "duplicate"."""
    report = make_post2019_report(random.Random(5), template="fmt_2021", form="text_tabs")
    parsed = parse_report(report.text.encode("utf-8"), "a.txt")
    frames = to_frames([parsed, replace(parsed, report=replace(parsed.report, source_file="b.txt"))], [])
    cells = frames.indicators
    cells.loc[(cells["table_id"] == "t3") & (cells["value"] > 0), "value"] += 0.5  # counts that are not integers
    results = evaluate_rules(cells)
    assert not results.duplicated(subset=list(RULE_RESULTS.primary_key)).any()
    r8 = results[results["rule_id"] == "R8"].set_index("table_id")["outcome"].to_dict()
    assert r8 == {"t2": "pass", "t3": "fail", "t4": "pass"}
    # b.txt is a copy of a.txt (same report id): assembling drops its rows, not 表三's R8.
    kept = assemble_tables([replace(frames, rule_results=results)])["rule_results"]
    assert kept[kept["rule_id"] == "R8"].set_index("table_id")["outcome"].to_dict() == r8


# ---- a report's own impossible values: flagged on that report (and it is still published) ----------


def _report(report_id: str, year: int, cells: dict[str, tuple[float | None, str]], unit: str = "件") -> pd.DataFrame:
    return _rows(cells, unit).assign(report_id=report_id, report_year=year)


def test_negative_count_future_year_and_huge_count_are_flagged_on_that_report_only():
    normal = {"A2.1": (6, "ok"), "A1.1": (136500, "ok"), "A3.1": (229, "ok")}
    frame = pd.concat(
        [
            _report("good", 2018, normal),
            _report("negative", 2018, {**normal, "A2.1": (-5, "ok")}),
            _report("future", 2099, normal),
            _report("huge", 2018, {**normal, "A1.1": (300_000_000, "ok")}),
        ],
        ignore_index=True,
    )
    results = evaluate_rules(frame, this_year=2026)
    failed = results[results["outcome"] == "fail"].set_index(["report_id", "rule_id"])
    assert sorted(failed.index) == [("future", "Y1"), ("huge", "C1"), ("negative", "P11")]
    assert failed.loc[("negative", "P11"), "detail"] == "not a non-negative integer: A2.1=-5"
    assert failed.loc[("future", "Y1"), "detail"] == "report year 2099 is after 2027, a year no report can cover yet"
    assert (failed.loc[("future", "Y1"), "table_id"], failed.loc[("future", "Y1"), "actual"]) == ("report", 2099.0)
    huge = failed.loc[("huge", "C1")]
    assert huge["detail"] == "too large for a count (over 100,000,000): A1.1=300000000"
    assert (huge["expected"], huge["actual"], huge["table_id"]) == (0.0, 1.0, "stat")  # cells over, as P11 counts
    good = results[results["report_id"] == "good"].set_index("rule_id")["outcome"]
    assert (good["P11"], good["C1"], good["Y1"]) == ("pass", "pass", "pass")


def test_report_year_bounds_come_from_the_bounds_file():
    bounds = load_bounds()
    first, last = bounds.first_report_year, bounds.last_report_year(2026)
    assert (first, last) == (2007, 2027)
    years = [first - 1, first, 2018, last, last + 1]
    frame = pd.concat([_report(str(y), y, {"A2.1": (6, "ok")}) for y in years], ignore_index=True)
    y1 = evaluate_rules(frame, this_year=2026).query("rule_id == 'Y1'").set_index("report_id")["outcome"]
    assert y1.to_dict() == {
        str(first - 1): "fail",
        str(first): "pass",
        "2018": "pass",
        str(last): "pass",
        str(last + 1): "fail",
    }
    assert "before 2007" in _rule(_report("old", 1999, {"A2.1": (6, "ok")}), "Y1")["detail"]


def test_count_size_takes_its_threshold_from_data_and_leaves_amounts_and_unknown_rows_alone():
    frame = pd.concat(
        [
            _rows({"A1.1": (136500, "ok"), "unmapped:A1:网站访问量": (5e8, "ok")}, unit="条"),
            _rows({"A8.4": (2e8, "ok")}, unit="万元"),  # an amount, not a count
        ],
        ignore_index=True,
    ).assign(report_year=2018)
    assert _rule(frame, "C1")["outcome"] == "pass"
    tight = replace(load_bounds(), largest_count=100_000)
    c1 = evaluate_rules(frame, bounds=tight).query("rule_id == 'C1'").iloc[0]
    assert (c1["outcome"], c1["detail"]) == ("fail", "too large for a count (over 100,000): A1.1=136500")


def test_post2019_and_local_tables_flag_their_own_impossible_counts():
    # 淮安市 2024 prints 3,985,758 行政处罚 decisions: the largest real count seen, well under the bound.
    decisions = _t3({("T2.6.1", "decisions"): (3_985_758, "ok")}, table="t2").assign(report_year=2024)
    assert _result(decisions, "C1")["outcome"] == "pass"
    change = _t3({("T2.5.1", "change"): (-200_000_000, "ok")}, table="t2").assign(template="fmt_2019")
    assert _result(change, "R8")["outcome"] == "pass"  # 本年增/减 may be negative …
    assert _result(change, "C1")["outcome"] == "fail"  # … but not that large
    negative_t3 = _t3({("T3.1", "total"): (-5, "ok")})
    assert _result(negative_t3, "R8")["detail"] == "not a non-negative integer: T3.1/total=-5"
    local = _rows({"L2": (-3, "ok")}).assign(template="local_table", table_id="local", column_code="this_year")
    assert _rule(local, "P12e")["detail"] == "not a non-negative integer: L2/this_year=-3"
    assert _rule(local, "Y1")["outcome"] == "pass"
