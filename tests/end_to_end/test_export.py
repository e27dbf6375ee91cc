"""`xxgk export`: the workbook and the CSV files, built from a real run over the bundled sample."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE_REPORT
from openpyxl import load_workbook

from flows.present.export import sheet_name

XXGK = str(Path(sys.executable).with_name("xxgk"))
SAMPLE_AGENCY = "桃源县人民政府"
VARIANT_AGENCY = "石门县人民政府"


def _xxgk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([XXGK, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=os.environ.copy())


def _variant(text: str) -> str:
    """The sample as another county's report with three unreadable cells: a placeholder (/), a blank
    cell, and text that is not a number (约5)."""
    text = text.replace("桃源县", "石门县")
    for row, printed in (("2.传真申请数", "/"), ("2.延期办结数", ""), ("3.同意部分公开答复数", "约5")):
        before = f"{row}\n\t件\n\t0"
        assert before in text
        text = text.replace(before, f"{row}\n\t件\n\t{printed}", 1)
    return text


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    raw = tmp_path_factory.mktemp("export_raw")
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    (raw / "shimen.txt").write_text(_variant(SAMPLE_REPORT.read_text(encoding="utf-8")), encoding="utf-8")
    (raw / "empty.txt").write_bytes(b"")  # quarantined
    curated = tmp_path_factory.mktemp("export_curated")
    out = tmp_path_factory.mktemp("export_out")
    result = _xxgk("run", "--raw", str(raw), "--curated", str(curated), "--quiet", cwd=out)
    assert result.returncode in (0, 1), result.stderr  # 1: rules failed (P1), still published
    assert (curated / "xxgk.duckdb").exists(), result.stderr
    result = _xxgk(
        "export", "--xlsx", str(out / "all.xlsx"), "--csv", str(out / "csv"), "--curated", str(curated), cwd=out
    )
    assert result.returncode == 0, result.stderr
    return {"curated": curated, "out": out}


def _report_sheet(workbook, agency: str):
    summary = workbook["summary"]
    headers = [c.value for c in summary[1]]
    for row in summary.iter_rows(min_row=2, values_only=True):
        if row[headers.index("agency")] == agency:
            return workbook[row[headers.index("sheet")]]
    raise AssertionError(f"no summary row for {agency}")


def _cell_by_label(sheet, label: str):
    """The value cell (统计数, third column) of the row whose printed label is ``label``."""
    matches = [row for row in sheet.iter_rows() if row[0].value == label]
    assert len(matches) == 1, f"{label}: {len(matches)} rows"
    return matches[0][2]


def test_workbook_sheets(exported):
    workbook = load_workbook(exported["out"] / "all.xlsx")
    names = workbook.sheetnames
    assert names[0] == "summary"
    assert {"indicators", "failed_rules", "quarantine"} <= set(names)
    assert "peers" not in names  # only for one agency
    assert len(names) == 2 + 4  # summary, two reports, indicators, failed rules, quarantine
    assert all(len(n) <= 31 for n in names)
    for sheet in workbook:
        assert sheet.freeze_panes is not None, sheet.title
    quarantine = workbook["quarantine"]
    assert [row[0] for row in quarantine.iter_rows(min_row=2, values_only=True)] == ["empty.txt"]


def test_summary_row_for_the_sample(exported):
    summary = load_workbook(exported["out"] / "all.xlsx")["summary"]
    headers = [c.value for c in summary[1]]
    rows = [dict(zip(headers, row, strict=True)) for row in summary.iter_rows(min_row=2, values_only=True)]
    sample = [r for r in rows if r["agency"] == SAMPLE_AGENCY]
    assert len(sample) == 1
    assert sample[0]["year"] == 2018
    assert sample[0]["template"] == "stat_2014"
    assert sample[0]["received"] == 229  # 收到申请数, as printed
    assert sample[0]["rules failed"] == 1
    assert summary.freeze_panes == "A2"


def test_sample_sheet_as_printed(exported):
    sheet = _report_sheet(load_workbook(exported["out"] / "all.xlsx"), SAMPLE_AGENCY)
    numbers = [c for row in sheet.iter_rows(min_col=3, max_col=3) for c in row if isinstance(c.value, int | float)]
    assert len(numbers) == 58  # every value the 统计表 prints
    # values read from data/raw/taoyuan_2018_report.txt, by their printed label
    assert _cell_by_label(sheet, "（一）收到申请数").value == 229
    assert _cell_by_label(sheet, "1.当面申请数").value == 178
    assert _cell_by_label(sheet, "3.网络申请数").value == 15
    assert _cell_by_label(sheet, "1.属于已主动公开范围数").value == 208
    assert _cell_by_label(sheet, "（三）接受培训人员数").value == 300
    assert _cell_by_label(sheet, "（一）收到申请数").data_type == "n"
    # printed order: 收到申请数 before its parts, 申请办结数 after them
    labels = [row[0].value for row in sheet.iter_rows()]
    assert labels.index("（一）收到申请数") < labels.index("1.当面申请数") < labels.index("（二）申请办结数")
    assert [c.value for c in sheet[2][:3]] == ["指标", "单位", "统计数"]
    assert sheet.freeze_panes == "B3"
    assert sheet[_cell_by_label(sheet, "（一）收到申请数").coordinate.replace("C", "B")].value == "件"


def test_failed_rule_cells_are_marked(exported):
    workbook = load_workbook(exported["out"] / "all.xlsx")
    sheet = _report_sheet(workbook, SAMPLE_AGENCY)
    for label in ("（一）收到申请数", "1.当面申请数", "4.信函申请数"):  # P1's total and parts
        cell = _cell_by_label(sheet, label)
        assert cell.border.left.style is not None, label
        assert cell.fill.fill_type == "solid", label
        assert "P1" in cell.comment.text
    untouched = _cell_by_label(sheet, "（二）申请办结数")
    assert untouched.comment is None
    assert untouched.fill.fill_type is None
    failed = workbook["failed_rules"]
    headers = [c.value for c in failed[1]]
    rows = [dict(zip(headers, row, strict=True)) for row in failed.iter_rows(min_row=2, values_only=True)]
    sample = [r for r in rows if r["agency"] == SAMPLE_AGENCY]
    assert [r["rule"] for r in sample] == ["P1"]
    assert "178 + 0 + 15 + 15" in sample[0]["arithmetic"]
    assert sample[0]["expected"] == 208 and sample[0]["actual"] == 229


def test_flagged_cells_coloured_with_comments(exported):
    sheet = _report_sheet(load_workbook(exported["out"] / "all.xlsx"), VARIANT_AGENCY)
    placeholder = _cell_by_label(sheet, "2.传真申请数")
    assert placeholder.value == "/" and placeholder.data_type == "s"  # as printed, as text
    assert "placeholder" in placeholder.comment.text
    blank = _cell_by_label(sheet, "2.延期办结数")
    assert blank.value is None
    assert "blank" in blank.comment.text
    unparsed = _cell_by_label(sheet, "3.同意部分公开答复数")
    assert unparsed.value == "约5"
    assert "unparsed" in unparsed.comment.text
    for cell in (placeholder, blank, unparsed):
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith(("FFF2CC", "FFC7CE"))
    assert _cell_by_label(sheet, "1.按时办结数").comment is None


def test_csv_has_bom_and_chinese(exported):
    folder = exported["out"] / "csv"
    for name in ("reports", "indicators", "failed_rules", "quarantine", "report_summary", "report_wide"):
        path = folder / f"{name}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), name
    reports = pd.read_csv(folder / "reports.csv", encoding="utf-8-sig")
    assert set(reports["agency"]) == {SAMPLE_AGENCY, VARIANT_AGENCY}
    indicators = pd.read_csv(folder / "indicators.csv", encoding="utf-8-sig")
    received = indicators[(indicators["agency"] == SAMPLE_AGENCY) & (indicators["row_label"] == "（一）收到申请数")]
    assert received["value"].tolist() == [229]


def test_filters(exported, tmp_path):
    curated = exported["curated"]
    result = _xxgk(
        "export",
        "--xlsx",
        str(tmp_path / "one.xlsx"),
        "--csv",
        str(tmp_path / "csv"),
        "--agency",
        SAMPLE_AGENCY,
        "--curated",
        str(curated),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    workbook = load_workbook(tmp_path / "one.xlsx")
    assert len(workbook.sheetnames) == 6
    peers = list(workbook["peers"].iter_rows(values_only=True))
    headers = peers[0]
    received = [dict(zip(headers, row, strict=True)) for row in peers[1:] if row[2] == "requests_received"]
    # both counties received 229 (read from the sample): a tie, first of two in their city
    assert [(r["peers in"], r["value"], r["rank"], r["of"]) for r in received] == [
        ("city", 229, 1, 2),
        ("province", 229, 1, 2),
    ]
    assert [row[0] for row in workbook["summary"].iter_rows(min_row=2, values_only=True)] == [SAMPLE_AGENCY]
    assert set(pd.read_csv(tmp_path / "csv" / "indicators.csv", encoding="utf-8-sig")["agency"]) == {SAMPLE_AGENCY}

    result = _xxgk(
        "export", "--xlsx", str(tmp_path / "none.xlsx"), "--year", "1999", "--curated", str(curated), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    workbook = load_workbook(tmp_path / "none.xlsx")
    assert workbook["summary"].max_row == 1  # the header only
    assert workbook.sheetnames == ["summary", "indicators", "failed_rules", "quarantine"]
    assert workbook["failed_rules"].max_row == 1


def test_indicators_sheet(exported):
    sheet = load_workbook(exported["out"] / "all.xlsx")["indicators"]
    rows = list(sheet.iter_rows(values_only=True))
    found = {(r[0], r[2]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    # (属于已主动公开范围 208 + 同意公开 21 + 同意部分公开 0) / 申请答复数 229, read from the sample
    sample = found[(SAMPLE_AGENCY, "substantive_disclosure_rate")]
    assert (sample["value"], sample["numerator"], sample["denominator"]) == (100, 229, 229)
    variant = found[(VARIANT_AGENCY, "substantive_disclosure_rate")]  # its 同意部分公开 printed 约5
    assert variant["value"] is None and "A3.3.3 is unparsed" in variant["why no value"]
    carry = found[(SAMPLE_AGENCY, "carry_forward_rate")]
    assert carry["value"] is None and "print no" in carry["why no value"]


def test_export_needs_an_output(exported, tmp_path):
    result = _xxgk("export", "--curated", str(exported["curated"]), cwd=tmp_path)
    assert result.returncode == 2


def test_sheet_names_are_safe():
    taken = {"summary"}
    names = [
        sheet_name(wanted, taken)
        for wanted in ("a[b]:c*d?e/f\\g2018", "x" * 40, "x" * 40, "Summary", "'quoted'", "", "History")
    ]
    assert names[0] == "a_b__c_d_e_f_g2018"
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names} | {"summary"}) == len(names) + 1
    assert names[3] != "Summary"
    assert not names[4].startswith("'") and not names[4].endswith("'")
    assert names[5] and names[6].lower() != "history"
    assert all(not set(n) & set("[]:*?/\\") for n in names)


HOSTILE_NAMES = ('=HYPERLINK("http:\\\\x","y").txt', "+1+2.txt", "-2+3.txt", "@SUM(1).txt")


def test_csv_cells_that_start_like_formulas_are_text(tmp_path):
    """CSV injection (OWASP): file names that start with = + - @ reach the CSVs as text, with a
    leading ', while numbers, negative ones included, stay numbers."""
    import csv

    raw, curated, out = tmp_path / "raw", tmp_path / "curated", tmp_path / "out"
    raw.mkdir()
    for number, name in enumerate(HOSTILE_NAMES):
        county = ["桃源县", "石门县", "澧县", "汉寿县"][number]
        (raw / name).write_text(SAMPLE_REPORT.read_text(encoding="utf-8").replace("桃源县", county), encoding="utf-8")
    (raw / "=cmd.txt").write_bytes(b"")  # quarantined under a formula-like name
    assert _xxgk("run", "--raw", str(raw), "--curated", str(curated), "--quiet", cwd=tmp_path).returncode in (0, 1)
    assert _xxgk("export", "--csv", str(out), "--curated", str(curated), cwd=tmp_path).returncode == 0
    cells = []
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@")) or (c.startswith("-") and not _number(c))]
    for name in (*HOSTILE_NAMES, "=cmd.txt"):
        assert "'" + name in cells, name
    with (out / "reports.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["report_year"] for row in rows} == {"2018"}  # numbers untouched


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
