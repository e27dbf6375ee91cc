"""``xxgk check``'s exit-code policy, cell markers and literal terminal output (flows.present.check)."""

from __future__ import annotations

from types import SimpleNamespace

from rich.console import Console

from flows.present.check import exit_code, render
from flows.present.report_view import LEGEND, MARKERS, cell_text, rule_cells
from flows.present.safe_text import text as _text
from transforms.cell_values import VALUE_STATUSES


def _file(*severities: str, quarantine=None) -> dict:
    rules = [{"severity": s} for s in severities]
    return {"file": "x.txt", "quarantine": quarantine, "failed_rules": rules, "disagreements": []}


def test_exit_codes():
    assert exit_code([_file(), _file()]) == 0
    assert exit_code([_file("warning")]) == 0  # warnings are shown, not counted
    assert exit_code([_file(), _file("warning", "error")]) == 1
    unreadable = {"file": "y", "quarantine": {"stage": "decode", "reason": "empty file"}}
    assert exit_code([_file("error"), unreadable]) == 2  # 2 wins over 1


def test_every_status_has_a_marker_and_every_marker_a_legend():
    assert set(MARKERS) == set(VALUE_STATUSES)
    assert {m for m in MARKERS.values() if m} == set(LEGEND)
    cell = {"raw": "", "status": "blank"}
    assert cell_text(cell) == "[b]"
    assert cell_text({"raw": "—", "status": "placeholder"}) == "— [p]"
    assert cell_text({"raw": "12", "status": "ok"}) == "12"
    assert cell_text({"raw": "1O3", "status": "unparsed"}) == "1O3 [u]"
    assert cell_text(None) == ""


def test_offending_cells_of_a_value_rule_are_found():
    cells = {("t3", "T3.1", "total"): {"status": "ok", "line": 7}, ("t3", "T3.2", ""): {"status": "ok", "line": 9}}
    rules = {"C1": SimpleNamespace(scope="count_size")}
    result = SimpleNamespace(
        rule_id="C1", table_id="t3", row_code="", column_code="", detail="too large (over 1,000,000): T3.1/total=2e6"
    )
    found = rule_cells(result, rules, lambda t, r, c: cells.get((t, r, c)))
    assert [(c["side"], c["line"]) for c in found] == [("cell", 7)]


def test_file_derived_text_is_printed_literally():
    console = Console(record=True, width=200, color_system=None)
    checked = [
        {"file": "[bold]evil\x1b[31m.txt", "quarantine": {"stage": "decode", "reason": "bad :smile: [/x] \u202e"}},
    ]
    render(checked, console, _text)
    out = console.export_text()
    assert "[bold]evil\\x1b[31m.txt" in out
    assert "bad :smile: [/x] \\u202e" in out
