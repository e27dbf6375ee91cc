"""``xxgk check FILE...`` run as a user would (subprocesses): tables, failed rules with their
lines, text ↔ table disagreements, quarantine reasons, exit codes, JSON, and no Prefect or GX."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SAMPLE_REPORT

XXGK = str(Path(sys.executable).with_name("xxgk"))

# The sample's P1: 收到申请数 229 against its four channels, which add up to 208. Line numbers as
# read off the file (1-based); test_sample_lines checks the file holds these numbers there.
TOTAL_LINE = 129
PART_LINES = {133: "178", 137: "0", 141: "15", 145: "15"}


def _check(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([XXGK, "check", *args], capture_output=True, text=True, timeout=120, env=env)


def test_sample_lines():
    lines = SAMPLE_REPORT.read_text(encoding="utf-8").split("\n")
    assert lines[TOTAL_LINE - 3].strip() == "（一）收到申请数"
    assert lines[TOTAL_LINE - 1].strip() == "229"
    labels = ["1.当面申请数", "2.传真申请数", "3.网络申请数", "4.信函申请数"]
    for label, (number, value) in zip(labels, PART_LINES.items(), strict=True):
        assert lines[number - 3].strip() == label
        assert lines[number - 1].strip() == value
    assert sum(int(v) for v in PART_LINES.values()) == 208


def test_sample_shows_p1_failing_with_its_lines():
    result = _check(str(SAMPLE_REPORT))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "template stat_2014" in out and "桃源县人民政府" in out and "year 2018" in out
    assert "P1 failed (error, stat): 229 ≠ 178 + 0 + 15 + 15 = 208" in out
    assert f"lhs   A3.1 （一）收到申请数 = 229  (line {TOTAL_LINE})" in out
    for number, value in PART_LINES.items():
        assert f"= {value}  (line {number})" in out
    # the grid: rows in printed order with their labels, the column header, the source line
    assert "统计数" in out
    assert out.index("（一）收到申请数") < out.index("1.当面申请数") < out.index("（二）申请办结数")
    assert "markers: [n] number with a note" in out


def test_json_holds_p1_with_its_cells():
    result = _check(str(SAMPLE_REPORT), "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["exit_code"] == 1
    (file,) = document["files"]
    assert (file["template"], file["agency"], file["year"], file["quarantine"]) == (
        "stat_2014",
        "桃源县人民政府",
        2018,
        None,
    )
    (p1,) = [r for r in file["failed_rules"] if r["rule_id"] == "P1"]
    assert (p1["actual"], p1["expected"], p1["severity"]) == (229, 208, "error")
    lines = {c["line"]: (c["side"], c["value"]) for c in p1["cells"]}
    assert lines[TOTAL_LINE] == ("lhs", 229)
    assert {n: v for n, (_, v) in lines.items() if n != TOTAL_LINE} == {n: float(v) for n, v in PART_LINES.items()}
    (table,) = file["tables"]
    assert table["columns"] == [{"code": "", "label": "统计数"}]
    total = next(r for r in table["rows"] if r["row_code"] == "A3.1")
    assert (total["label"], total["cells"][0]["raw"], total["cells"][0]["status"]) == ("（一）收到申请数", "229", "ok")
    assert total["cells"][0]["line"] == TOTAL_LINE
    assert [r["order"] for r in table["rows"]] == sorted(r["order"] for r in table["rows"])


@pytest.mark.parametrize(("content", "reason"), [(b"", "empty file"), (b"hello", "no statistics table found")])
def test_unreadable_file_exits_2_with_its_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = _check(str(path))
    assert result.returncode == 2, result.stdout
    assert "cannot be read" in result.stdout and reason in result.stdout
    document = json.loads(_check(str(path), "--format", "json").stdout)
    assert reason in document["files"][0]["quarantine"]["reason"]


def test_unreadable_wins_over_failed_rule(tmp_path):
    (tmp_path / "hello.txt").write_bytes(b"hello")
    result = _check(str(SAMPLE_REPORT), str(tmp_path / "hello.txt"), str(tmp_path / "absent.txt"))
    assert result.returncode == 2
    assert "P1 failed" in result.stdout and "No such file or directory" in result.stdout


def test_clean_corpus_file_exits_0(shared_corpus):
    result = _check(str(shared_corpus / "pingtan_2021_1.txt"))
    assert result.returncode == 0, result.stdout
    assert "template fmt_2021" in result.stdout and "that apply pass" in result.stdout
    assert "failed" not in result.stdout


def test_warning_only_disagreement_is_shown_and_exits_0(shared_corpus):
    """hongze 2024: its text says 17 requests, its 表三 95 (R7, a warning)."""
    result = _check(str(shared_corpus / "hongze_2024.pdf"))
    assert result.returncode == 0, result.stdout
    assert "R7 text ↔ table: text 17 ≠ table 95" in result.stdout
    assert "table T3.1" in result.stdout and "(page 3, line 11)" in result.stdout


def test_failed_error_rule_in_a_pdf_exits_1(shared_corpus):
    result = _check(str(shared_corpus / "hongze_2023.pdf"), "--format", "json")
    assert result.returncode == 1
    (file,) = json.loads(result.stdout)["files"]
    r5 = [r for r in file["failed_rules"] if r["rule_id"] == "R5"]
    assert r5 and all(c["page"] == 4 for r in r5 for c in r["cells"])


def test_check_imports_neither_prefect_nor_great_expectations():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flows.cli", "check", str(SAMPLE_REPORT)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time")}
    assert "flows.present.check" in imported and "expectations.arithmetic" in imported  # the check did run
    assert not {m for m in imported if m.split(".")[0] in ("prefect", "great_expectations")}


def test_cross_year_rules_against_the_dataset_s_report_of_the_year_before(shared_corpus, tmp_path):
    """平潭综合实验区 2017 prints a 历年累计 of 10037 where its 2016 report's 85376 plus 2017's 2122
    give 87498 (read from both documents: tests/expected/cross_year_by_hand.csv)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "pingtan_2016.html").write_bytes((shared_corpus / "pingtan_2016.html").read_bytes())
    curated = tmp_path / "curated"
    run = subprocess.run(
        [XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--quiet"], capture_output=True, text=True,
        timeout=300, env=os.environ.copy(),
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr
    later = str(shared_corpus / "pingtan_2017_1.txt")
    result = _check(later, "--curated", str(curated), "--format", "json")
    assert result.returncode == 0, result.stderr  # warnings only
    (checked,) = json.loads(result.stdout)["files"]
    assert checked["cross_year"]["previous_files"] == ["pingtan_2016.html"]
    assert checked["cross_year"]["checked"] > 10
    breaks = [r for r in checked["failed_rules"] if r["rule_id"] == "X2"]
    assert sorted(r["row_code"] for r in breaks) == ["L1", "L1.1"]
    assert all(r["severity"] == "warning" and "85376" in r["detail"] and "10037" in r["detail"] for r in breaks)
    text = _check(later, "--curated", str(curated))
    assert "across years: against 2016 (pingtan_2016.html)" in text.stdout
    alone = json.loads(_check(later, "--curated", str(tmp_path / "none"), "--format", "json").stdout)["files"][0]
    assert "cross_year" not in alone and not [r for r in alone["failed_rules"] if r["rule_id"].startswith("X")]
