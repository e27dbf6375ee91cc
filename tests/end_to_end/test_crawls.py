"""Crawled archives through the real flow: crawler exports and web archives become one report per
report page, under the agency and year the generator gave it; every row and record is accounted
for; pages that are not annual reports are listed apart and do not trip the volume gate; a
changed export re-reads only its new and changed rows; ``xxgk check`` lists each report in one."""

import json
import random
import re
import subprocess
import sys

import duckdb
import pytest
from conftest import REPO_ROOT, SAMPLE_REPORT

from benchmarks.synthetic.crawls import NARRATIVE, OTHER, REPORT, TABLE, export_bytes, make_crawl, warc_bytes


def _run(raw, curated, **options):
    from flows.run.pipeline import xxgk_pipeline

    return xxgk_pipeline(raw_dir=raw, curated_dir=curated, batch_size=3, **options)


def _query(curated, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def _locators(name: str, rows, warc: bool = False) -> list[str]:
    if warc:
        return [f"{name}#uri={r.url}&date={r.published.isoformat()}T08:00:00Z" for r in rows]
    return [f"{name}#row={n}" for n in range(1, len(rows) + 1)]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """A folder of crawls in the forms crawlers write, with what each row is."""
    raw = tmp_path_factory.mktemp("crawls") / "raw"
    raw.mkdir()
    expected: dict[str, object] = {}
    for index, (name, form) in enumerate(
        [("gov.csv", "csv_crlf"), ("gov_gbk.csv", "csv_gbk"), ("items.jl", "jsonl"), ("export.xlsx", "xlsx")]
    ):
        rows = make_crawl(random.Random(100 + index), reports=3, first_index=10 * index)
        (raw / name).write_bytes(export_bytes(rows, form, "en" if form == "jsonl" else "zh"))
        if form == "jsonl":
            expected.update(zip([f"{name}#line={n}" for n in range(1, len(rows) + 1)], rows, strict=True))
        else:
            expected.update(zip(_locators(name, rows), rows, strict=True))
    rows = make_crawl(random.Random(200), reports=3, first_index=50, html=True)
    (raw / "site.warc.gz").write_bytes(warc_bytes(rows))
    expected.update(zip(_locators("site.warc.gz", rows, warc=True), rows, strict=True))
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())  # a report file of its own beside them
    return raw, expected


@pytest.fixture(scope="module")
def published(prefect_harness, crawls, tmp_path_factory):
    raw, expected = crawls
    curated = tmp_path_factory.mktemp("crawl_dataset") / "curated"
    return curated, _run(raw, curated), expected


def test_each_report_once_under_its_agency_and_year(published):
    curated, summary, expected = published
    assert summary.published and not summary.failed and not summary.validation_failures
    reports = {
        row[0]: row[1:]
        for row in _query(
            curated, "SELECT source_file, agency_as_written, report_year, template, other_sources FROM reports"
        )
    }
    for locator, row in expected.items():
        if row.kind == REPORT:
            assert reports[locator][:3] == (row.agency, row.year, row.template), locator
        if row.kind == TABLE:  # the 统计表 page of a split report, joined with its narrative page
            partner = next(
                loc
                for loc, other in expected.items()
                if other is not row
                and other.partner is not None
                and other.year == row.year
                and other.kind == NARRATIVE
                and loc.split("#")[0] == locator.split("#")[0]
            )
            assert reports[locator][1:] == (row.year, "stat_2014", partner), locator
            assert reports[locator][0], locator  # an agency, from one page or the other
    report_rows = [loc for loc, row in expected.items() if row.kind in (REPORT, TABLE)]
    assert sorted(reports) == sorted([*report_rows, "taoyuan.txt"])


def test_cells_of_a_crawled_report_are_the_generators(published):
    curated, _, expected = published
    for locator, row in expected.items():
        if row.kind != REPORT or row.template == "":
            continue
        cells = dict(
            ((code, column), (raw, status))
            for code, column, raw, status in _query(
                curated,
                "SELECT indicator_code, column_code, value_raw, value_status FROM indicators WHERE source_file = ?",
                locator,
            )
        )
        assert set(cells) == set(row.cells), locator
        for key, printed in row.cells.items():
            raw, status = cells[key]
            if status in ("ambiguous",):  # run-together crawler text: flagged, never a guess
                continue
            assert raw == printed, (locator, key)


def test_every_row_and_record_is_accounted_for(published):
    curated, _, expected = published
    quarantined = dict(
        (
            (f, (stage, dup))
            for f, stage, dup in _query(curated, "SELECT source_file, stage, duplicate_of FROM quarantine")
        )
    )
    for locator, row in expected.items():
        if row.kind == OTHER:
            assert quarantined[locator][0] == "not_a_report", locator
        if row.kind == NARRATIVE:
            assert quarantined[locator][0] == "joined", locator
            joined_to = _query(curated, "SELECT source_file FROM reports WHERE report_id = ?", quarantined[locator][1])
            assert joined_to and expected[joined_to[0][0]].kind == TABLE
    pages = {f for (f,) in _query(curated, "SELECT source_file FROM inputs WHERE container <> ''")}
    assert pages == set(expected)
    files = {f for (f,) in _query(curated, "SELECT source_file FROM inputs WHERE container = ''")}
    assert files == {"gov.csv", "gov_gbk.csv", "items.jl", "export.xlsx", "site.warc.gz", "taoyuan.txt"}


def test_pages_that_are_not_reports_have_their_own_count(published):
    curated, summary, expected = published
    others = sum(row.kind == OTHER for row in expected.values())
    assert summary.pages_not_reports == others
    assert summary.files_quarantined == 0  # nothing failed: the real quarantine list is empty
    status = subprocess.run(
        [sys.executable, "-m", "flows.cli", "status", "--curated", str(curated)],
        capture_output=True, text=True, cwd=REPO_ROOT, check=True,
    )  # fmt: skip
    assert re.search(rf"pages not reports\s+│ {others}\s", status.stdout)
    index = (curated / "audit" / "index.html").read_text(encoding="utf-8")
    assert f'pages that are not annual reports</th><td class="count">{others}<' in index


def test_urls_dates_and_where_the_year_came_from(published):
    curated, _, expected = published
    rows = {
        r[0]: r[1:]
        for r in _query(curated, "SELECT source_file, source_url, publication_date, year_source FROM reports")
    }
    for locator, row in expected.items():
        if row.kind == REPORT:
            url, published_on, year_source = rows[locator]
            assert url == row.url
            assert published_on is not None
            assert year_source in ("title", "statistics_period", "body", "crawl_title"), locator


def test_a_changed_export_reads_only_its_new_and_changed_rows(prefect_harness, tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    rows = make_crawl(random.Random(7), reports=3)
    (raw / "crawl.csv").write_bytes(export_bytes(rows, "csv"))
    first = _run(raw, curated)
    assert first.pages_read == len(rows)
    before = dict(_query(curated, "SELECT source_file, report_id FROM reports"))

    changed = rows[1]
    changed.content = changed.content.replace("本机关", "本机关（已更新）")  # its text changed, its table did not
    added = make_crawl(random.Random(8), reports=1, first_index=40)[0]
    kept = [rows[0], changed, *rows[3:], added]  # row 3 (a report) removed
    (raw / "crawl.csv").write_bytes(export_bytes(kept, "csv"))
    second = _run(raw, curated)
    # Rows are numbered: the removed row shifts those after it, which read again under their new number.
    assert second.pages_read == len(kept) - 1
    after = dict(_query(curated, "SELECT source_file, report_id FROM reports"))
    assert after["crawl.csv#row=1"] == before["crawl.csv#row=1"]
    assert after["crawl.csv#row=2"] != before["crawl.csv#row=2"]
    assert rows[2].agency not in {a for (a,) in _query(curated, "SELECT agency_as_written FROM reports")}
    assert added.agency in {a for (a,) in _query(curated, "SELECT agency_as_written FROM reports")}

    # only the last row changes: only it is read again
    added.content = added.content.replace("本机关", "本机关（再次更新）")
    (raw / "crawl.csv").write_bytes(export_bytes(kept, "csv"))
    third = _run(raw, curated)
    assert (third.pages_read, third.changes["files_changed"]) == (1, 1)
    assert {f for (f,) in _query(curated, "SELECT source_file FROM inputs WHERE container <> ''")} == {
        f"crawl.csv#row={n}" for n in range(1, len(kept) + 1)
    }

    (raw / "crawl.csv").unlink()
    (raw / "a.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    fourth = _run(raw, curated, accept_quarantine=True)
    assert _query(curated, "SELECT source_file FROM reports") == [("a.txt",)]
    assert _query(curated, "SELECT count(*) FROM quarantine") == [(0,)]
    assert fourth.published


def test_an_export_of_only_other_pages_publishes_its_list(prefect_harness, tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    others = [row for row in make_crawl(random.Random(9), reports=1) if row.kind == OTHER]
    (raw / "policies.csv").write_bytes(export_bytes(others, "csv"))
    summary = _run(raw, curated)
    assert summary.published and not summary.failed
    assert summary.pages_not_reports == len(others)


def test_check_lists_each_report_of_an_export(tmp_path):
    rows = make_crawl(random.Random(12), reports=2)
    path = tmp_path / "crawl.csv"
    path.write_bytes(export_bytes(rows, "csv"))
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "check", "--format", "json", str(path)],
        capture_output=True, text=True, cwd=REPO_ROOT,
    )  # fmt: skip
    checked = json.loads(result.stdout)
    files = {entry["file"]: entry for entry in checked["files"]}
    assert set(files) == {f"{path}#row={n}" for n in range(1, len(rows) + 1)}
    for n, row in enumerate(rows, start=1):
        entry = files[f"{path}#row={n}"]
        if row.kind in (REPORT, TABLE):
            assert (entry["year"], entry["template"]) == (row.year, row.template)
        else:
            assert entry["quarantine"] is None and entry["listed"]["stage"] in ("not_a_report", "joined")
    assert checked["exit_code"] in (0, 1)  # no page was unreadable
