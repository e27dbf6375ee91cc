"""Arithmetic rules on tiny long-row frames: blank ≠ 0 for totals, blanks in parts counted and said."""

import pandas as pd

from expectations.arithmetic import evaluate_rules


def _rows(cells: dict[str, tuple[float | None, str]], unit: str = "件") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "report_id": "r1",
                "template": "stat_2014",
                "column_label": "",
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
    assert evaluate_rules(frame).empty


def test_no_rows_gives_an_empty_typed_frame():
    assert list(evaluate_rules(_rows({}).iloc[0:0]).columns)[:2] == ["report_id", "rule_id"]
