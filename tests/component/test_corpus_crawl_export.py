"""A real crawler export (../shared/corpus/real/hebei_gxt_annual_reports.csv: 13 crawled pages of one
department, 2016–2023, titles in their own column, table cells run together, blank cells gone)
against what a reader wrote down from the document itself (tests/expected/hebei_gxt_reports.csv,
tests/expected/hebei_gxt_annual_reports.csv), never from the parser.

Every page is accounted for: each disclosure report with tables is published once under the
agency and year the page states, the 法治政府建设 reports and the website's 报表 are listed as not
reports, the reports printed without tables are quarantined as such. Of the cells the reader
settled, none is published with another value; at least 97 % come out as read (a cell the
reader could not settle counts as read when the parser flags it too).
"""

import csv
import re

import pytest
from conftest import EXPECTED_DIR

from transforms.catalog import load_column_catalog
from transforms.crawled_pages import split_crawl
from transforms.parse_report import QuarantineError, parse_report

EXPORT = "hebei_gxt_annual_reports.csv"
T2_ROWS = {
    "规章": "T2.1.1",
    "行政规范性文件": "T2.1.2",
    "规范性文件": "T2.1.2",
    "行政许可": "T2.5.1",
    "其他对外管理服务事项": "T2.5.2",
    "行政处罚": "T2.6.1",
    "行政强制": "T2.6.2",
    "行政事业性收费": "T2.8.1",
    "政府集中采购": "T2.9.1",
}
T4_ROWS = {"行政复议": "T4.1", "未经复议直接起诉": "T4.2", "复议后起诉": "T4.3"}


def _read(name: str) -> list[dict]:
    with (EXPECTED_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _columns() -> dict[tuple[str, str], str]:
    catalog = load_column_catalog()
    found = {}
    for table, label, code, aliases in catalog[["table_id", "label_zh", "column_code", "aliases"]].itertuples(
        index=False
    ):
        for name in (label, *filter(None, aliases.split("|"))):
            found.setdefault((table, name), code)
    found[("t2", "本年收费金额")] = "fees"
    return found


@pytest.fixture(scope="module")
def outcomes(shared_corpus) -> dict[str, object]:
    pages = split_crawl((shared_corpus / EXPORT).read_bytes(), EXPORT)
    found = {}
    for page in pages:
        try:
            found[page.locator.rsplit("=", 1)[1]] = parse_report(page.content, page.locator, hints=page.hints)
        except QuarantineError as exc:
            found[page.locator.rsplit("=", 1)[1]] = exc
    return found


def test_every_page_is_what_the_reader_says(outcomes):
    expected = _read("hebei_gxt_reports.csv")
    assert sorted(outcomes, key=int) == [e["record"] for e in expected]
    for e in expected:
        outcome = outcomes[e["record"]]
        if e["is_disclosure_annual_report"] == "no":
            assert isinstance(outcome, QuarantineError) and outcome.stage == "not_a_report", e["record"]
        elif e["has_statistics_tables"] == "no":  # a report printed without its tables
            assert isinstance(outcome, QuarantineError) and outcome.stage == "template", e["record"]
        else:
            report = outcome.report
            assert (report["agency"], report["report_year"], report["template"]) == (
                e["agency"],
                int(e["year"]),
                e["template"],
            ), e["record"]


def test_no_report_is_published_under_a_year_its_template_cannot_have(outcomes):
    years = {"fmt_2021": range(2021, 2100), "fmt_2019": range(2019, 2100), "stat_2014": range(2014, 2019)}
    for outcome in outcomes.values():
        if not isinstance(outcome, QuarantineError):
            assert outcome.report["report_year"] in years[outcome.report["template"]]


def test_the_hand_read_cells(outcomes):
    columns = _columns()
    right = wrong = flagged = 0
    problems = []
    for e in _read(EXPORT):
        report = outcomes[e["record"]]
        cells = {(r["indicator_code"], r["column_code"]): r for r in report.indicators}
        row = {"t2": T2_ROWS, "t4": T4_ROWS}.get(e["table"], {}).get(e["row"], e["row"])
        cell = cells[(row, columns[(e["table"], e["column"])])]
        where = (e["record"], row, e["column"])
        if e["value_as_printed"]:
            value = float(re.match(r"[-+\d.]+", e["value_as_printed"]).group())
            if cell["value"] is None:
                flagged += 1
            elif abs(cell["value"] - value) < 1e-9:
                right += 1
            else:
                wrong += 1
                problems.append((where, cell["value"], value))
        elif e["note"] == "blank":
            if cell["value_status"] == "blank":
                right += 1
            elif cell["value"] is None:
                flagged += 1
            else:
                wrong += 1
                problems.append((where, cell["value"], "blank"))
        else:  # the reader could not settle it: the parser must not either
            if cell["value"] is None:
                right += 1
            else:
                wrong += 1
                problems.append((where, cell["value"], e["note"][:60]))
    assert wrong == 0, problems
    assert right >= 0.97 * (right + flagged + wrong), (right, flagged)
