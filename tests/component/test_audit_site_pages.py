"""The audit site (flows.present.audit_site) over a DuckDB connection of hand-made views: hostile names stay
text, long lists are capped with their totals, and a rerun writes only what changed."""

from __future__ import annotations

import json

import duckdb
import lxml.html
import pandas as pd
import pytest
from conftest import SAMPLE_REPORT

from flows.dataset.indicator_views import indicator_view_statements
from flows.dataset.views import ANALYST_VIEWS
from flows.parsing.batch import parse_files
from flows.parsing.raw_files import RawFile
from flows.present.audit_site import MANIFEST, page_path, site_is_current, write_audit_site
from transforms.catalog import load_catalog
from transforms.indicator_values import report_indicators

HOSTILE = "<script>alert(1)</script>"
HOSTILE_FILE = '"><img src=x onerror=alert(1)>.txt'
CONTROL = "桃源县\x1b[31m\u202e人民政府"  # an escape sequence and a right-to-left override


@pytest.fixture(scope="module")
def parsed():
    stat = SAMPLE_REPORT.stat()
    frames = parse_files([RawFile(SAMPLE_REPORT, "taoyuan.txt", stat.st_size, stat.st_mtime_ns)])
    assert frames.quarantine.empty
    return frames


def _connection(parsed, agency: str = HOSTILE, source_file: str = HOSTILE_FILE, quarantined: int = 1):
    """Views as flows.dataset.views makes them, over the parsed sample under other names."""
    reports = parsed.reports.assign(agency=agency, source_file=source_file, layout_notes=CONTROL)
    indicators = parsed.indicators.assign(agency=agency, source_file=source_file)
    quarantine = pd.DataFrame(
        {
            "source_file": [f"{HOSTILE}{n:03d}.txt" for n in range(quarantined)] + ["copy.txt"],
            "stage": ["decode"] * quarantined + ["duplicate"],
            "reason": [f"empty file {HOSTILE}"] * quarantined + ["same report as taoyuan.txt"],
            "duplicate_of": [None] * quarantined + [reports["report_id"].iloc[0]],
        }
    )
    tables = {
        "reports": reports,
        "indicators": indicators,
        "rule_results": parsed.rule_results,
        "narrative_facts": parsed.narrative_facts,
        "quarantine": quarantine,
        "inputs": pd.DataFrame({"source_file": [source_file], "parser_version": ["p1"]}),
        "agencies": pd.DataFrame({"agency_id": reports["agency_id"].unique()}).assign(
            name=agency, level="county", province=f"{HOSTILE}省", city=f"{HOSTILE}市", county="", first_year=2018,
            last_year=2018,
        ),
        "catalog": load_catalog(),
        "report_indicators": report_indicators(reports, indicators),
    }  # fmt: skip
    connection = duckdb.connect()
    for name, frame in tables.items():
        connection.register(f"{name}_frame", frame)
        connection.execute(f"CREATE VIEW {name} AS SELECT * FROM {name}_frame")
    connection.execute("CREATE VIEW dataset_version AS SELECT 7 AS version, now() AS created, 'run' AS operation")
    for view in ("cross_year_results", "failed_rules"):
        connection.execute(ANALYST_VIEWS[view])
    for statement in indicator_view_statements():
        connection.execute(statement)
    return connection


def _dom(path):
    return lxml.html.fromstring(path.read_bytes())


def test_hostile_names_are_text(parsed, tmp_path):
    with _connection(parsed) as connection:
        index = write_audit_site(connection, tmp_path)
        report_id = parsed.reports["report_id"].iloc[0]
    pages = [index, tmp_path / page_path(report_id), *(tmp_path / "list").glob("*.html")]
    pages += [*(tmp_path / "agencies").rglob("*.html"), *(tmp_path / "regions").rglob("*.html")]
    assert len(pages) == 3 + 2 + 2  # the agency and the list of agencies; its city and province in 2018
    for path in pages:
        document = _dom(path)
        assert not document.xpath("//script | //img | //iframe | //object")
        assert not [a for a in document.xpath("//@*") if a.attrname.startswith("on")]
        assert HOSTILE in document.text_content()
    assert HOSTILE_FILE in _dom(tmp_path / "list" / "0001.html").text_content()
    page = _dom(tmp_path / page_path(report_id))
    assert page.xpath("string(//h1)") == f"{HOSTILE} 2018"
    assert HOSTILE_FILE in page.xpath('string(//dl[@id="report-meta"])')
    notes = page.xpath('string(//dl[@id="report-meta"])')
    assert "\\x1b[31m" in notes and "\\u202e" in notes and "\x1b" not in notes and "\u202e" not in notes
    index_text = _dom(index).text_content()
    assert f"{HOSTILE}省" in index_text and f"empty file {HOSTILE}" in index_text


def test_lists_are_capped_with_totals(parsed, tmp_path):
    with _connection(parsed, agency="桃源县人民政府", source_file="taoyuan.txt", quarantined=30) as connection:
        write_audit_site(connection, tmp_path, list_limit=20)
    index = _dom(tmp_path / "index.html")
    rows = index.xpath('//table[@id="quarantined"]/tbody/tr')
    assert len(rows) == 20
    assert all(r.xpath("string(td[2])") == "decode" for r in rows)  # files not read before duplicates
    assert "and 11 more (31 files quarantined in all)" in index.xpath('string(//*[@class="more"])')
    assert "decode 30, duplicate 1" in index.xpath('string(//h2[@id="quarantine"]/following-sibling::p[1])')


def test_a_rerun_writes_only_what_changed(parsed, tmp_path):
    report_id = parsed.reports["report_id"].iloc[0]
    page = tmp_path / page_path(report_id)
    with _connection(parsed, agency="桃源县人民政府", source_file="taoyuan.txt") as connection:
        write_audit_site(connection, tmp_path)
        written = page.stat().st_mtime_ns
        stale = tmp_path / page_path("0123456789abcdef")  # a page of a report no longer audited
        stale.parent.mkdir(parents=True, exist_ok=True)
        stale.write_text("old", encoding="utf-8")
        manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
        manifest["pages"]["0123456789abcdef"] = "0" * 16
        (tmp_path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        write_audit_site(connection, tmp_path)
        assert page.stat().st_mtime_ns == written  # same fingerprint: not written again
        assert not stale.exists()
        manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
        assert list(manifest["pages"]) == [report_id]
        assert site_is_current(tmp_path, 7) and not site_is_current(tmp_path, 8)
    with _connection(parsed, agency="石门县人民政府", source_file="shimen.txt") as connection:
        write_audit_site(connection, tmp_path)  # another file for the report: another fingerprint
    assert "石门县人民政府" in _dom(page).xpath("string(//h1)")
    assert not list(tmp_path.rglob("*.tmp"))


def test_agency_pages_are_written_again_only_when_their_rows_change(parsed, tmp_path):
    from flows.present.agency_pages import agency_path

    agency_id = parsed.reports["agency_id"].iloc[0]
    page = tmp_path / agency_path(agency_id)
    with _connection(parsed, agency="桃源县人民政府", source_file="taoyuan.txt") as connection:
        write_audit_site(connection, tmp_path)
        written = page.stat().st_mtime_ns
        regions = sorted(p.stat().st_mtime_ns for p in (tmp_path / "regions").rglob("*.html"))
        stale = tmp_path / agency_path("gone/人民政府")  # an agency no longer in the dataset
        stale.parent.mkdir(parents=True, exist_ok=True)
        stale.write_text("old", encoding="utf-8")
        write_audit_site(connection, tmp_path)
        assert page.stat().st_mtime_ns == written  # same rows: not written again
        assert sorted(p.stat().st_mtime_ns for p in (tmp_path / "regions").rglob("*.html")) == regions
        assert not stale.exists()
    with _connection(parsed, agency="桃源县人民政府", source_file="renamed.txt") as connection:
        write_audit_site(connection, tmp_path)  # its report's file changed: the page lists the new one
    assert page.stat().st_mtime_ns != written and "renamed.txt" in _dom(page).text_content()


def test_a_long_ranking_is_cut_on_its_region_page_and_whole_on_pages_of_its_own(tmp_path, monkeypatch):
    """A province of thousands of agencies: its page shows each indicator's first rows and links
    the whole ranking, in pages with previous and next; every agency is on one of them."""
    from flows.present import agency_pages

    monkeypatch.setattr(agency_pages, "REGION_TABLE_ROWS", 2)
    monkeypatch.setattr(agency_pages, "RANKING_PAGE_ROWS", 2)
    rows = [
        {"indicator": "requests_received", "label_en": "Requests received", "unit": "件", "level": "county",
         "rank": n, "peers": 5, "agency_id": f"a{n}", "agency": f"县{n}", "value": 10.0 - n}
        for n in range(1, 6)
    ]  # fmt: skip
    region = ("province", "某省", 2020)
    pages = {agency_pages.region_path(*region): "f1"}
    (tmp_path / agency_pages.REGIONS_DIR).mkdir()
    section = lxml.html.fromstring(agency_pages._ranking_section(region, rows, pages, tmp_path))
    assert [r.xpath("string(td[4])") for r in section.xpath("//tbody/tr")] == ["县1", "县2"]
    links = section.xpath('//p[@class="more"]/a/@href')
    assert len(links) == 3
    listed = []
    for number, link in enumerate(links, 1):
        page = _dom((tmp_path / agency_pages.region_path(*region)).parent / link)
        listed += [r.xpath("string(td[4])") for r in page.xpath("//tbody/tr")]
        assert bool(page.xpath('//a[@rel="prev"]')) == (number > 1)
        assert bool(page.xpath('//a[@rel="next"]')) == (number < 3)
    assert listed == [f"县{n}" for n in range(1, 6)]
    assert {agency_pages.ranking_path(*region, "requests_received", n) for n in (1, 2, 3)} <= set(pages)


def test_page_names_are_safe():
    assert page_path("a319b82b58777fc1") == "reports/a3/a319b82b58777fc1.html"
    hostile = page_path("../../etc/passwd")
    assert hostile.startswith("reports/") and hostile.count("/") == 2 and ".." not in hostile


def test_pages_rendered_in_worker_processes_are_the_pages_rendered_here(parsed, tmp_path):
    """Chunks after the first go to worker processes: the same files, byte for byte."""
    from transforms.assemble import ParsedFrames

    def copy(frame: pd.DataFrame, number: int) -> pd.DataFrame:
        return frame.assign(report_id=f"{number:016x}") if "report_id" in frame.columns else frame

    copies = range(5)
    frames = ParsedFrames(
        reports=pd.concat([copy(parsed.reports, n) for n in copies], ignore_index=True),
        indicators=pd.concat([copy(parsed.indicators, n) for n in copies], ignore_index=True),
        quarantine=parsed.quarantine,
        rule_results=pd.concat([copy(parsed.rule_results, n) for n in copies], ignore_index=True),
        narrative_facts=pd.concat([copy(parsed.narrative_facts, n) for n in copies], ignore_index=True),
    )
    sites = {}
    for workers in (1, 2):
        with _connection(frames, agency="桃源县人民政府", source_file="taoyuan.txt") as connection:
            write_audit_site(connection, tmp_path / str(workers), chunk_reports=2, workers=workers)
        sites[workers] = {
            p.relative_to(tmp_path / str(workers)).as_posix(): p.read_bytes()
            for p in (tmp_path / str(workers)).rglob("*.html")
        }
    assert len([name for name in sites[1] if name.startswith("reports/")]) == len(copies)
    for site in sites.values():
        del site["index.html"]  # says when: its dataset_version here is now()
    assert sites[2] == sites[1]


def test_pages_staged_where_the_rows_were_parsed_are_the_pages_rendered_from_the_dataset(parsed, tmp_path, monkeypatch):
    """A run renders pages in its parse workers (stage_pages); the site moves them into place and
    renders none from the dataset: the same files, byte for byte, and no staging folder left."""
    from flows.present import audit_site

    agency, source_file = "桃源县人民政府", "taoyuan.txt"
    with _connection(parsed, agency=agency, source_file=source_file) as connection:
        write_audit_site(connection, tmp_path / "rendered")
    staged_site = tmp_path / "staged"
    tables = {
        "reports": parsed.reports.assign(agency=agency, source_file=source_file, layout_notes=CONTROL),
        "indicators": parsed.indicators.assign(agency=agency, source_file=source_file),
        "rule_results": parsed.rule_results,
        "narrative_facts": parsed.narrative_facts,
    }
    assert audit_site.stage_pages(staged_site, tables) == 1

    def no_dataset_reads(*args):
        raise AssertionError("a staged page was rendered again from the dataset")

    monkeypatch.setattr(audit_site, "_chunk_frames", no_dataset_reads)
    with _connection(parsed, agency=agency, source_file=source_file) as connection:
        write_audit_site(connection, staged_site)
    assert not (staged_site / audit_site.STAGED_DIR).exists()
    pages = {
        name: {p.relative_to(tmp_path / name).as_posix(): p.read_bytes() for p in (tmp_path / name).rglob("*.html")}
        for name in ("rendered", "staged")
    }
    for site in pages.values():
        del site["index.html"]  # says when: its dataset_version here is now()
    assert sum(name.startswith("reports/") for name in pages["rendered"]) == 1
    assert pages["staged"] == pages["rendered"]


def test_a_page_staged_for_other_bytes_is_not_used(parsed, tmp_path):
    """A staged page is named by the report, its file and the file's bytes: a page staged for
    other bytes is not taken, the page is rendered from the dataset."""
    from flows.present import audit_site

    tables = {
        "reports": parsed.reports.assign(agency=HOSTILE, source_file=HOSTILE_FILE, source_sha256="0" * 64),
        "indicators": parsed.indicators,
        "rule_results": parsed.rule_results,
        "narrative_facts": parsed.narrative_facts,
    }
    audit_site.stage_pages(tmp_path, tables)
    staged = next((tmp_path / audit_site.STAGED_DIR).iterdir())
    staged.write_text("stale", encoding="utf-8")
    with _connection(parsed) as connection:
        write_audit_site(connection, tmp_path)
    page = next((tmp_path / "reports").rglob("*.html"))
    assert "stale" not in page.read_text(encoding="utf-8")
