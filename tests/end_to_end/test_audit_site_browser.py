"""The audit site a run writes beside its Data Docs, loaded in headless Chromium.

The real flow runs over the bundled sample, a variant of it with a placeholder cell (flagged) and an
empty file whose name is markup (quarantined). The pages are opened in Chromium (Debian's
``chromium``) and the rendered DOM is read with lxml. Without chromium the browser tests skip,
unless ``XXGK_REQUIRE_BROWSER=1`` (CI) makes them fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import lxml.html
import pytest
from conftest import SAMPLE_REPORT

from flows.present.audit_site import page_path

HOSTILE_NAME = "<img src=x onerror=alert(1)>.txt"
VARIANT_AGENCY = "石门县人民政府"
# The sample's P1, read from the document by a person: 收到申请数 229 ≠ 178 + 0 + 15 + 15 = 208.
P1_EXPECTED, P1_PRINTED = "208", "229"


def _variant(text: str) -> str:
    """The sample as another county's report whose 延期办结数 is printed as a dash (a placeholder)."""
    before = "2.延期办结数\n\t件\n\t0"
    assert before in text
    return text.replace("桃源县", "石门县").replace(before, "2.延期办结数\n\t件\n\t—", 1)


@pytest.fixture(scope="module")
def site(prefect_harness, tmp_path_factory) -> dict:
    from flows.run.pipeline import xxgk_pipeline

    raw = tmp_path_factory.mktemp("audit_raw")
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    (raw / "shimen.txt").write_text(_variant(SAMPLE_REPORT.read_text(encoding="utf-8")), encoding="utf-8")
    (raw / HOSTILE_NAME).write_bytes(b"")  # quarantined: an empty file
    curated = tmp_path_factory.mktemp("audit_curated")
    summary = xxgk_pipeline(raw_dir=raw, curated_dir=curated)
    assert summary.published
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        ids = dict(connection.execute("SELECT source_file, report_id FROM reports").fetchall())
    audit = curated / "audit"
    return {
        "summary": summary,
        "audit": audit,
        "index": audit / "index.html",
        "sample": audit / page_path(ids["taoyuan.txt"]),
        "variant": audit / page_path(ids["shimen.txt"]),
    }


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("XXGK_REQUIRE_BROWSER") == "1":
            pytest.fail("XXGK_REQUIRE_BROWSER=1 but chromium is not on PATH")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    return path


def _browse(page: Path, profile: Path, *options: str) -> subprocess.CompletedProcess:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        # Nothing reaches for the network (a closed network refuses Chromium's background calls).
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *options,
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def rendered(site, tmp_path_factory) -> dict:
    """The DOM of the index and of the two report pages, as Chromium renders them."""
    profile = tmp_path_factory.mktemp("chromium_profile")
    return {
        name: lxml.html.fromstring(_browse(site[name], profile, "--dump-dom").stdout)
        for name in ("index", "sample", "variant")
    }


def test_the_run_writes_the_site(site):
    assert site["index"].is_file()
    assert site["sample"].is_file() and site["variant"].is_file()
    assert not [n for n in site["summary"].notices if "audit site" in n]
    pages = sorted(p.relative_to(site["audit"]).as_posix() for p in (site["audit"] / "reports").rglob("*.html"))
    assert pages == sorted(p.relative_to(site["audit"]).as_posix() for p in (site["sample"], site["variant"]))


def test_index_lists_p1_and_links_the_report_pages(site, rendered):
    index = rendered["index"]
    rules = [row.xpath("string(td[1])") for row in index.xpath('//table[@id="failed-rules"]/tbody/tr')]
    assert "P1" in rules
    links = {
        (site["index"].parent / href).resolve() for href in index.xpath('//table[contains(@class, "reports")]//a/@href')
    }
    assert {site["sample"].resolve(), site["variant"].resolve()} <= links
    counts = {row.xpath("string(th)"): row.xpath("string(td)") for row in index.xpath('//table[@id="counts"]//tr')}
    assert counts["reports"] == "2"
    assert counts["reports with flagged cells"] == "1"
    assert counts["files quarantined (not read)"] == "1"
    quarantined = index.xpath('//table[@id="quarantined"]/tbody/tr')
    assert [(r.xpath("string(td[1])"), r.xpath("string(td[3])")) for r in quarantined] == [(HOSTILE_NAME, "empty file")]
    assert not index.xpath("//img | //script")  # the file's name is text
    years = index.xpath('//svg[@id="year-chart"]//*[@data-year="2018"]')
    assert [(g.get("data-reports"), g.get("data-with-errors")) for g in years] == [("2", "2")]


def test_report_page_shows_p1_arithmetic_and_its_cells(rendered):
    page = rendered["sample"]
    (p1,) = page.xpath('//section[@data-rule="P1"]')
    assert p1.xpath('string(.//*[@class="expected"])') == P1_EXPECTED
    assert p1.xpath('string(.//*[@class="actual"])') == P1_PRINTED
    assert "229 ≠ 178 + 0 + 15 + 15 = 208" in p1.xpath('string(.//*[@class="arithmetic"])')
    lines = [row.xpath("string(td[last()])") for row in p1.xpath('.//table[@class="named-cells"]/tbody/tr')]
    assert lines == ["line 129", "line 133", "line 137", "line 141", "line 145"]  # lhs, then the four parts
    failing = page.xpath('//table[@class="printed"]//td[contains(concat(" ", @class, " "), " rule-fail ")]')
    assert P1_PRINTED in [cell.text_content() for cell in failing]
    received = next(cell for cell in failing if cell.text_content() == P1_PRINTED)
    assert "line 129" in received.get("title") and "P1 failed" in received.get("title")
    assert "source file" in page.xpath('string(//dl[@id="report-meta"])')
    assert "taoyuan.txt" in page.xpath('string(//dl[@id="report-meta"])')


def test_flagged_cell_is_highlighted(rendered):
    page = rendered["variant"]
    flagged = page.xpath('//table[@class="printed"]//td[contains(concat(" ", @class, " "), " flagged ")]')
    assert [c.get("data-status") for c in flagged] == ["placeholder"]
    assert flagged[0].text_content().startswith("—")
    assert "status: placeholder" in flagged[0].get("title") and "line " in flagged[0].get("title")
    assert not rendered["sample"].xpath('//td[contains(concat(" ", @class, " "), " flagged ")]')


def test_nothing_loads_from_the_network(site, rendered):
    """Offline: no src or href leaves the folder, in the rendered pages and in every file written."""
    documents = [*rendered.values()]
    documents += [lxml.html.fromstring(p.read_bytes()) for p in site["audit"].rglob("*.html")]
    for document in documents:
        targets = document.xpath("//@src | //@href | //@*[local-name()='href']")
        assert not [t for t in targets if t.strip().lower().startswith(("http:", "https:", "//"))]
        assert not document.xpath("//script | //link[@rel='stylesheet'] | //iframe")


def test_screenshot(site, tmp_path):
    screenshot = tmp_path / "index.png"
    _browse(site["index"], tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,2000")
    assert screenshot.is_file() and screenshot.stat().st_size > 0


def test_a_broken_site_is_a_notice_not_an_unpublish(prefect_harness, tmp_path, monkeypatch):
    import flows.run.pipeline

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(flows.run.pipeline, "write_audit_site", broken)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    summary = flows.run.pipeline.xxgk_pipeline(raw_dir=raw, curated_dir=tmp_path / "curated")
    assert summary.published and summary.version == 1 and not summary.failed
    assert [n for n in summary.notices if n.startswith("audit site not written")] == [
        f"audit site not written ({tmp_path / 'curated' / 'audit'}): OSError: disk full"
    ]
    monkeypatch.undo()  # the next run, with nothing new, writes the missing site
    again = flows.run.pipeline.xxgk_pipeline(raw_dir=raw, curated_dir=tmp_path / "curated")
    assert again.version == 1 and (tmp_path / "curated" / "audit" / "index.html").is_file()


@pytest.fixture(scope="module")
def agency_pages(site, tmp_path_factory) -> dict:
    """The list of agencies, 桃源县's page and 常德市's 2018 page, as Chromium renders them."""
    from flows.present.agency_pages import agency_path, region_path

    with duckdb.connect(str(site["audit"].parent / "xxgk.duckdb"), read_only=True) as connection:
        agency_id, city = connection.execute(
            "SELECT agency_id, city FROM agencies WHERE name = '桃源县人民政府'"
        ).fetchall()[0]
    files = {
        "list": site["audit"] / "agencies" / "index.html",
        "agency": site["audit"] / agency_path(agency_id),
        "region": site["audit"] / region_path("city", city, 2018),
    }
    profile = tmp_path_factory.mktemp("chromium_profile_agencies")
    return {
        "files": files,
        **{n: lxml.html.fromstring(_browse(p, profile, "--dump-dom").stdout) for n, p in files.items()},
    }


def test_index_links_the_agencies_and_their_regions(site, rendered, agency_pages):
    (link,) = rendered["index"].xpath('//a[@id="agencies-link"]/@href')
    assert (site["index"].parent / link).resolve() == agency_pages["files"]["list"].resolve()
    rows = agency_pages["list"].xpath('//table[@id="agencies"]/tbody/tr')
    assert sorted(r.xpath("string(td[1])") for r in rows) == ["桃源县人民政府", "石门县人民政府"]
    targets = {
        (agency_pages["files"]["list"].parent / h).resolve() for h in agency_pages["list"].xpath("//td//a/@href")
    }
    assert agency_pages["files"]["agency"].resolve() in targets
    assert agency_pages["files"]["region"].resolve() in targets


def test_agency_page_shows_each_indicator_its_chart_its_ranks_and_failed_rules(site, agency_pages):
    page = agency_pages["agency"]
    assert page.xpath("string(//h1)") == "桃源县人民政府"
    # 收到申请数 229, read from the sample by a person (tests/expected/taoyuan_2018_stat_table.csv)
    (received,) = page.xpath('//td[@data-indicator="requests_received"][@data-year="2018"]')
    assert received.text_content().startswith("229")
    assert "city 1/2" in received.text_content()  # 石门县 prints the same table: a tie, both first
    assert not page.xpath("//svg[@data-indicator]")  # one year: a table cell, no chart (see the corpus test)
    (carry,) = page.xpath('//tr[@data-indicator="carry_forward_rate"]/td[@title]')
    assert carry.text_content() == "—" and "print no carried_forward" in carry.get("title")  # 2014 form
    assert "P1" in [row.xpath("string(td[2])") for row in page.xpath('//table[@id="failed"]/tbody/tr')]
    (report_link,) = page.xpath('//table[contains(@class, "reports")]//a/@href')
    assert (agency_pages["files"]["agency"].parent / report_link).resolve() == site["sample"].resolve()
    assert not page.xpath("//script")


def test_region_page_ranks_its_agencies_by_each_indicator(agency_pages):
    page = agency_pages["region"]
    assert "2018" in page.xpath("string(//h1)")
    ranking = page.xpath('//table[@data-indicator="substantive_disclosure_rate"]/tbody/tr')
    rows = sorted((r.xpath("string(td[1])"), r.xpath("string(td[2])"), r.xpath("string(td[3])"),
                   r.xpath("string(td[4])"), r.xpath("string(td[5])")) for r in ranking)  # fmt: skip
    # (208 + 21 + 0) / 229 answered, as read from the sample: 100%
    assert rows == [("county", "1", "2", "桃源县人民政府", "100%"), ("county", "1", "2", "石门县人民政府", "100%")]


def test_an_agency_page_charts_each_indicator_over_its_years(corpus_dataset, tmp_path):
    """平潭综合实验区's reports of 2012–2025 in the corpus: its chart of requests received has a point
    per year with a value, as read from the documents (tests/expected/pingtan_*.csv: 2021 received 70,
    2025 received 154)."""
    from flows.present.agency_pages import agency_path

    database = Path(corpus_dataset.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchall()[0][0])
    agency_id = corpus_dataset.execute(
        "SELECT agency_id FROM agencies WHERE name LIKE '平潭综合实验区%' ORDER BY reports DESC LIMIT 1"
    ).fetchall()[0][0]
    page = lxml.html.fromstring(
        _browse(database.parent / "audit" / agency_path(agency_id), tmp_path / "profile", "--dump-dom").stdout
    )
    (chart,) = page.xpath('//svg[@data-indicator="requests_received"]')
    points = {p.get("data-year"): p.get("data-value") for p in chart.xpath('.//*[@class="point"]')}
    assert points["2021"] == "70" and points["2025"] == "154"
    assert len(points) >= 4 and chart.xpath(".//polyline")
