"""The audit site's agency and region pages: the standard indicators over the years, and ranks.

- ``agencies/<id>.html``, one per agency: each indicator over the years as an inline SVG chart and
  a table (a value, or why there is none), its rank among the agencies of its level in its city
  and province each year, the rules its reports fail each year (across years too), and links to
  each report's page.
- ``regions/<id>-<year>.html``, one per city and province and year: its agencies ranked by each
  indicator within their level, with links to their pages; a list of the years.
- ``agencies/index.html``: every region and agency, linked from the site's index.

Static, offline and script-free like the rest of the site (the same page frame, CSS and CSP). Read
from the dataset's views (``agency_indicators``, ``peer_ranks``, ``failed_rules``), never from a run.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from pathlib import Path

from flows.dataset.indicator_views import peer_ranks_select
from flows.present.audit_site import INDEX, SITE_CODE, _e, _number, _page, _write, page_path, paging_nav

AGENCIES_DIR = "agencies"
REGIONS_DIR = "regions"
_CHART_WIDTH, _CHART_HEIGHT = 300, 130


MANIFEST = "manifest.json"  # in AGENCIES_DIR: each agency and region page's fingerprint
UP = "../../"  # from a page in a folder of its first two characters to the site's root


def agency_path(agency_id: str) -> str:
    """An agency page's path in the site, in folders of 256 so no folder holds every agency."""
    key = hashlib.sha256(agency_id.encode()).hexdigest()[:16]
    return f"{AGENCIES_DIR}/{key[:2]}/{key}.html"


def region_path(scope: str, region: str, year: int) -> str:
    key = hashlib.sha256(f"{scope}|{region}".encode()).hexdigest()[:16]
    return f"{REGIONS_DIR}/{key[:2]}/{key}-{year}.html"


def _rows(connection, sql: str) -> list[dict]:
    cursor = connection.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _value(value, unit: str) -> str:
    if value is None:
        return ""
    text = _number(round(value, 2))
    return f"{text}%" if unit == "%" else text


AGENCY_CHUNK = 1000  # agencies whose rows are read per query: memory stays a chunk whatever the archive
LIST_PAGE_ROWS = 1000  # agencies per page of the list
# The rows the pages read, each taken once from the views (which compute over every cell) into a
# temporary table sorted by agency: a chunk of agencies then reads only its own rows (DuckDB skips
# the row groups outside the chunk's range of ``agency_order``), not the whole table each time.
_BY_AGENCY = "JOIN site_agencies USING (agency_id)"
_SITE_TABLES = {
    "site_agencies": "SELECT agency_id, row_number() OVER (ORDER BY agency_id) AS agency_order FROM agencies "
    "WHERE agency_id <> ''",
    "site_values": f"""SELECT agency_order, agency_id, agency, level, province, city, report_year, indicator,
  label_en, unit, value, numerator, denominator, reason, indicator_order
  FROM agency_indicators {_BY_AGENCY} ORDER BY agency_order, indicator_order, report_year""",
    "site_ranks": f"""SELECT * FROM ({peer_ranks_select("site_values")}) {_BY_AGENCY}
  ORDER BY agency_order, indicator_order, report_year, scope""",
    "site_failed": f"""SELECT agency_order, r.agency_id, f.report_year, f.rule_id, f.severity, f.description, f.detail,
  f.report_id, f.row_code, f.column_code
  FROM failed_rules f JOIN reports r USING (report_id) {_BY_AGENCY}
  ORDER BY agency_order, f.report_year, f.severity, f.rule_id, f.row_code, f.column_code, f.report_id, f.detail""",
    "site_reports": f"""SELECT agency_order, r.agency_id, r.report_year, r.report_id, r.source_file,
  a.report_id IS NOT NULL AS has_page
  FROM reports r LEFT JOIN audit_reports a USING (report_id) {_BY_AGENCY}
  ORDER BY agency_order, r.report_year, r.source_file, r.report_id""",
}
_CHUNK_TABLES = {"indicators": "site_values", "ranks": "site_ranks", "failed": "site_failed", "reports": "site_reports"}
# A chunk's rows in the table's order; the range lets the scan skip row groups, the list keeps
# the unchanged agencies inside the range out.
_CHUNK_SQL = (
    "SELECT * EXCLUDE (agency_order) FROM {table} WHERE agency_order BETWEEN ? AND ? "
    "AND agency_order IN (SELECT unnest(CAST(? AS BIGINT[]))) ORDER BY agency_order"
)
# What each agency's page is made of (its reports' indicators, its ranks, failed rules, reports),
# hashed where the rows are (each row's hash, combined so that no text is built; not the
# ``agency_order``, which a new agency shifts): a page is rendered again only when this (or the
# regions it links) changed.
_FINGERPRINT_SQL = """
SELECT agency_id, agency_order, list_sort(list(part)) FROM (
  SELECT agency_id, 'i' || bit_xor(hash(s)) AS part FROM report_indicators s WHERE agency_id <> '' GROUP BY agency_id
  UNION ALL SELECT agency_id, 'k' || bit_xor(hash(s)) FROM (SELECT * EXCLUDE (agency_order) FROM site_ranks) s
    GROUP BY agency_id
  UNION ALL SELECT agency_id, 'f' || bit_xor(hash(s)) FROM (SELECT * EXCLUDE (agency_order) FROM site_failed) s
    GROUP BY agency_id
  UNION ALL SELECT agency_id, 'r' || bit_xor(hash(s)) FROM (SELECT * EXCLUDE (agency_order) FROM site_reports) s
    GROUP BY agency_id
) RIGHT JOIN site_agencies USING (agency_id) GROUP BY agency_id, agency_order
"""


def write_agency_pages(connection, out_dir: Path) -> int:
    """Write every agency's page, every region's pages and the list of them; returns how many
    agency pages. Reads the views once into temporary tables, then a chunk of agencies (or one
    region) at a time. Incremental: a page whose rows did not change (its fingerprint in
    ``agencies/manifest.json``) is not written again, and pages of agencies or regions no longer
    in the dataset are removed. Rendered here: worker processes cost more to start than they
    save (10,000 reports, 6,824 agencies: 12.0 s here, 15.7 s with two)."""
    for folder in (AGENCIES_DIR, REGIONS_DIR):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    old = _read_manifest(out_dir)
    pages: dict[str, str] = {}

    agencies = _rows(
        connection,
        "SELECT agency_id, name, level, province, city, county, first_year, last_year FROM agencies "
        "WHERE agency_id <> '' ORDER BY province, city, county, level, name, agency_id",
    )
    try:
        for table, sql in _SITE_TABLES.items():
            connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
        region_years: dict[tuple[str, str], list[int]] = defaultdict(list)
        for scope, region, year in connection.execute(
            "SELECT DISTINCT scope, region, report_year FROM site_ranks ORDER BY 1, 2, 3"
        ).fetchall():
            region_years[(scope, region)].append(year)
        hashed = {
            agency_id: (order, parts) for agency_id, order, parts in connection.execute(_FINGERPRINT_SQL).fetchall()
        }
        changed = []
        for agency in agencies:
            path = agency_path(agency["agency_id"])
            regions = [region_years.get((k, agency[k])) for k in ("city", "province")]
            order, parts = hashed[agency["agency_id"]]
            pages[path] = _fingerprint((agency, parts, regions))
            if old.get(path) != pages[path] or not (out_dir / path).is_file():
                changed.append((order, agency))
        changed.sort(key=lambda pair: pair[0])  # the tables' order: each chunk reads a range of it
        for start in range(0, len(changed), AGENCY_CHUNK):  # only the pages whose rows changed
            chunk = changed[start : start + AGENCY_CHUNK]
            orders = [order for order, _ in chunk]
            by_agency: dict[str, dict[str, list]] = {a["agency_id"]: defaultdict(list) for _, a in chunk}
            for name, table in _CHUNK_TABLES.items():
                cursor = connection.execute(_CHUNK_SQL.format(table=table), [orders[0], orders[-1], orders])
                names = [d[0] for d in cursor.description]
                for row in cursor.fetchall():
                    by_agency[row[0]][name].append(dict(zip(names, row, strict=True)))
            for _, agency in chunk:
                path = out_dir / agency_path(agency["agency_id"])
                path.parent.mkdir(exist_ok=True)
                _write(path, _agency_html(agency, by_agency[agency["agency_id"]], region_years))
        _write_region_pages(connection, region_years, old, pages, out_dir)
    finally:
        for table in _SITE_TABLES:
            connection.execute(f"DROP TABLE IF EXISTS temp.{table}")
    listed = _write_list_pages(out_dir, agencies, region_years)
    for folder in (AGENCIES_DIR, REGIONS_DIR):
        for page in (out_dir / folder).rglob("*.html"):
            if (relative := page.relative_to(out_dir).as_posix()) not in pages and relative not in listed:
                page.unlink(missing_ok=True)
    _write(out_dir / AGENCIES_DIR / MANIFEST, json.dumps({"site": SITE_CODE, "pages": pages}, separators=(",", ":")))
    return len(agencies)


def _fingerprint(inputs: tuple) -> str:
    """What a page is made of, and the code that renders it."""
    return hashlib.sha256(repr((SITE_CODE, inputs)).encode()).hexdigest()[:16]


def _read_manifest(out_dir: Path) -> dict[str, str]:
    try:
        manifest = json.loads((out_dir / AGENCIES_DIR / MANIFEST).read_text(encoding="utf-8"))
        pages = manifest["pages"] if manifest.get("site") == SITE_CODE else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return pages if isinstance(pages, dict) else {}


# ---- an agency ---------------------------------------------------------------------------------------


def _agency_html(agency: dict, rows: dict[str, list], region_years: dict) -> str:
    years = sorted({r["report_year"] for r in rows["reports"]})
    place = " · ".join(_e(p) for p in (agency["province"], agency["city"], agency["county"]) if p)
    links = [f'<a href="{UP}{INDEX}">← audit index</a>', f'<a href="../{INDEX}">all agencies</a>']
    for scope in ("city", "province"):
        if (scope, agency[scope]) in region_years:
            latest = region_years[(scope, agency[scope])][-1]
            links.append(f'<a href="{UP}{region_path(scope, agency[scope], latest)}">{_e(agency[scope])}</a>')
    body = [
        f"<nav>{''.join(links)}</nav>",
        f"<h1>{_e(agency['name'])}</h1>",
        f"<p>{_e(agency['level'] or 'not placed')}{' · ' + place if place else ''} · "
        f"<code>{_e(agency['agency_id'])}</code></p>",
        '<h2 id="reports">Reports</h2>',
        _reports_html(rows["reports"]),
        '<h2 id="indicators">Indicators</h2>',
        '<p class="note">Rank: 1 is the largest value among the agencies of the same level in the city '
        "(province) that year, whatever the indicator measures; n is how many have a value. An empty "
        "cell has no value: its title says why.</p>",
        _indicators_table(years, rows["indicators"], rows["ranks"]),
        '<div id="charts"><p class="note">A chart for each indicator with values in two years or more.</p>'
        + _charts(years, rows["indicators"])
        + "</div>",
        '<h2 id="failed-rules">Failed rules by year</h2>',
        _failed_html(rows["failed"]),
    ]
    return _page(f"{agency['name']}: indicators", "\n".join(body))


def _reports_html(reports: list[dict]) -> str:
    items = []
    for r in reports:
        name = _e(r["source_file"])
        link = f'<a href="{UP}{page_path(r["report_id"])}">{name}</a>' if r["has_page"] else name
        items.append(f"<tr><td>{r['report_year']}</td><td>{link}</td></tr>")
    return (
        '<table class="reports"><thead><tr><th>year</th><th>report</th></tr></thead><tbody>'
        + "".join(items)
        + (
            '</tbody></table><p class="note">A report\'s page is linked where the site has one (a failed rule or '
            "a flagged cell).</p>"
        )
    )


def _indicators_table(years: list[int], indicators: list[dict], ranks: list[dict]) -> str:
    rank_of = {(r["indicator"], r["report_year"], r["scope"]): r for r in ranks}
    by_indicator: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in indicators:
        by_indicator[row["indicator"]][row["report_year"]] = row
    head = "".join(f"<th>{year}</th>" for year in years)
    lines = []
    for indicator, cells in by_indicator.items():
        first = next(iter(cells.values()))
        tds = []
        for year in years:
            cell = cells.get(year)
            if cell is None:
                tds.append('<td class="num"></td>')
            elif cell["value"] is None:
                tds.append(f'<td class="num na" title="{_e(cell["reason"])}">—</td>')
            else:
                ranked = [
                    f"{scope} {rank_of[key]['rank']}/{rank_of[key]['peers']}"
                    for scope in ("city", "province")
                    if (key := (indicator, year, scope)) in rank_of
                ]
                rank = f'<br><span class="rank">{_e(", ".join(ranked))}</span>' if ranked else ""
                detail = (
                    ""
                    if cell["denominator"] is None
                    else f"{_number(cell['numerator'])} / {_number(cell['denominator'])}"
                )
                tds.append(
                    f'<td class="num" data-indicator="{_e(indicator)}" data-year="{year}" title="{_e(detail)}">'
                    f"{_value(cell['value'], first['unit'])}{rank}</td>"
                )
        lines.append(_row_head(indicator, first["label_en"], first["unit"]) + "".join(tds) + "</tr>")
    return (
        f'<table id="indicator-table"><thead><tr><th>indicator</th><th>unit</th>{head}</tr></thead>'
        f"<tbody>{''.join(lines)}</tbody></table>"
    )


@functools.lru_cache(maxsize=256)  # the same few indicators head every agency's table
def _row_head(indicator: str, label_en: str, unit: str) -> str:
    return (
        f'<tr data-indicator="{_e(indicator)}"><th>{_e(label_en)}<br><code>{_e(indicator)}</code></th>'
        f"<td>{_e(unit)}</td>"
    )


def _charts(years: list[int], indicators: list[dict]) -> str:
    series: dict[str, list[dict]] = defaultdict(list)
    for row in indicators:
        series[row["indicator"]].append(row)
    return "".join(
        _chart(indicator, years, rows)
        for indicator, rows in series.items()
        if sum(r["value"] is not None for r in rows) >= 2  # one value is a table cell, not a line
    )


def _chart(indicator: str, years: list[int], rows: list[dict]) -> str:
    """One indicator over the years: a line through the years that have a value (a gap where a
    year has none), each point labelled with its value."""
    width, height, left, right, top, bottom = _CHART_WIDTH, _CHART_HEIGHT, 34, 14, 26, 22
    valued = [(r["report_year"], r["value"]) for r in rows if r["value"] is not None]
    low, high = min(0.0, *(v for _, v in valued)), max(0.0, *(v for _, v in valued))
    span = (high - low) or 1.0
    step = (width - left - right) / max(len(years) - 1, 1)
    x_of = {year: left + step * n if len(years) > 1 else (width - right + left) / 2 for n, year in enumerate(years)}

    def y(value: float) -> float:
        return top + (height - top - bottom) * (high - value) / span

    unit = rows[0]["unit"]
    title = f"{rows[0]['label_en']} ({unit})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart" data-indicator="{_e(indicator)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
        f"<title>{_e(title)}</title>",
        f'<text x="4" y="14" font-size="12">{_e(title)}</text>',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#999"/>',
    ]
    segment: list[str] = []
    by_year = dict(valued)
    for year in years:
        if year in by_year:
            segment.append(f"{x_of[year]:.1f},{y(by_year[year]):.1f}")
        elif segment:
            parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#2f5597" stroke-width="2"/>')
            segment = []
    if segment:
        parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#2f5597" stroke-width="2"/>')
    for year in years:
        x = x_of[year]
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="10">{year}</text>')
        if year in by_year:
            value = by_year[year]
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y(value):.1f}" r="3" fill="#2f5597" data-year="{year}" '
                f'data-value="{value:g}"><title>{year}: {_e(_value(value, unit))}</title></circle>'
                f'<text x="{x:.1f}" y="{y(value) - 6:.1f}" text-anchor="middle" font-size="10">'
                f"{_e(_value(value, unit))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _failed_html(failed: list[dict]) -> str:
    if not failed:
        return '<p class="note">No failed rule in its reports.</p>'
    rows = "".join(
        f'<tr class="{_e(f["severity"])}"><td>{f["report_year"]}</td><td>{_e(f["rule_id"])}</td>'
        f"<td>{_e(f['severity'])}</td><td>{_e(f['description'])}</td><td>{_e(f['detail'])}</td></tr>"
        for f in failed
    )
    return (
        '<table id="failed"><thead><tr><th>year</th><th>rule</th><th>severity</th><th>what it checks</th>'
        f"<th>arithmetic</th></tr></thead><tbody>{rows}</tbody></table>"
    )


# ---- regions ----------------------------------------------------------------------------------------


REGION_TABLE_ROWS = 200  # rows of an indicator's ranking on its region's page; the rest on pages of their own
RANKING_PAGE_ROWS = 1000  # rows of each page of an indicator's whole ranking
# Per region and year, the hash of its rows (as the agencies' fingerprints): its pages are
# rendered again, and its rows read, only when they changed.
_REGION_FINGERPRINT_SQL = """
SELECT scope, region, report_year, bit_xor(hash(s)) FROM (SELECT * EXCLUDE (agency_order) FROM site_ranks) s
GROUP BY scope, region, report_year
"""


def ranking_path(scope: str, region: str, year: int, indicator: str, number: int) -> str:
    """Page ``number`` of one indicator's whole ranking in a region and year, beside the region's page."""
    return region_path(scope, region, year).removesuffix(".html") + f"-{indicator}-{number}.html"


def _write_region_pages(connection, region_years: dict, old: dict, pages: dict, out_dir: Path) -> None:
    """One page per region and year with values, and for an indicator whose ranking is longer than
    ``REGION_TABLE_ROWS``, its whole ranking on pages of ``RANKING_PAGE_ROWS``. Only the region-years
    whose rows changed are read, one indicator's rows at a time: a province of ten thousand agencies
    neither makes a page of megabytes nor holds its rows in memory."""
    changed = []
    for scope, region, year, hashed in connection.execute(_REGION_FINGERPRINT_SQL).fetchall():
        path = region_path(scope, region, year)
        fingerprint = pages[path] = _fingerprint((scope, region, year, region_years[(scope, region)], hashed))
        if old.get(path) != fingerprint or not (out_dir / path).is_file():
            changed.append((scope, region, year))
        else:  # its ranking pages stay, with the page that links them
            pages.update((name, fingerprint) for name in old if name.startswith(path.removesuffix(".html") + "-"))
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE site_regions_changed AS SELECT unnest(CAST(? AS VARCHAR[])) AS scope, "
        "unnest(CAST(? AS VARCHAR[])) AS region, unnest(CAST(? AS INTEGER[])) AS report_year",
        [list(column) for column in zip(*changed, strict=True)] if changed else [[], [], []],
    )
    cursor = connection.execute(
        "SELECT * EXCLUDE (agency_order) FROM site_ranks JOIN site_regions_changed USING (scope, region, report_year) "
        "ORDER BY scope, region, report_year, indicator_order, level, rank, agency_id"
    )
    columns = [d[0] for d in cursor.description]
    region: tuple | None = None
    sections: list[str] = []
    indicator_rows: list[dict] = []
    agencies: set[str] = set()

    def end_indicator() -> None:
        if indicator_rows:
            sections.append(_ranking_section(region, indicator_rows, pages, out_dir))
            indicator_rows.clear()

    def end_region() -> None:
        end_indicator()
        if region is not None:
            scope, name, year = region
            path = region_path(scope, name, year)
            (out_dir / path).parent.mkdir(exist_ok=True)
            _write(
                out_dir / path, _region_html(scope, name, year, region_years[(scope, name)], len(agencies), sections)
            )
            sections.clear()
            agencies.clear()

    while rows := cursor.fetchmany(10_000):
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            key = (record["scope"], record["region"], record["report_year"])
            if key != region:
                end_region()
                region = key
            elif indicator_rows and record["indicator"] != indicator_rows[0]["indicator"]:
                end_indicator()
            indicator_rows.append(record)
            agencies.add(record["agency_id"])
    end_region()
    connection.execute("DROP TABLE IF EXISTS temp.site_regions_changed")


def _ranking_rows(rows: list[dict], unit: str) -> str:
    return "".join(
        f'<tr><td>{_e(r["level"])}</td><td class="num">{r["rank"]}</td><td class="num">{r["peers"]}</td>'
        f'<td><a href="{UP}{agency_path(r["agency_id"])}">{_e(r["agency"])}</a></td>'
        f'<td class="num">{_value(r["value"], unit)}</td></tr>'
        for r in rows
    )


def _ranking_table(indicator: str, rows: list[dict], unit: str) -> str:
    return (
        f'<table class="ranking" data-indicator="{_e(indicator)}"><thead><tr><th>level</th><th>rank</th>'
        f"<th>of</th><th>agency</th><th>value</th></tr></thead><tbody>{_ranking_rows(rows, unit)}</tbody></table>"
    )


def _ranking_section(region: tuple, rows: list[dict], pages: dict, out_dir: Path) -> str:
    """An indicator's ranking on the region's page (by level, then rank); when longer than
    ``REGION_TABLE_ROWS``, its first rows and links to the pages of the whole ranking."""
    scope, name, year = region
    indicator, label_en, unit = rows[0]["indicator"], rows[0]["label_en"], rows[0]["unit"]
    heading = f'<h2 id="{_e(indicator)}">{_e(label_en)} ({_e(unit)})</h2>'
    if len(rows) <= REGION_TABLE_ROWS:
        return heading + _ranking_table(indicator, rows, unit)
    count = -(-len(rows) // RANKING_PAGE_ROWS)
    region_page = region_path(scope, name, year)
    fingerprint = pages[region_page]

    def page_name(number: int) -> str:
        return Path(ranking_path(scope, name, year, indicator, number)).name

    (out_dir / region_page).parent.mkdir(exist_ok=True)
    for number in range(1, count + 1):
        path = ranking_path(scope, name, year, indicator, number)
        pages[path] = fingerprint
        part = rows[(number - 1) * RANKING_PAGE_ROWS : number * RANKING_PAGE_ROWS]
        nav = [f'<a href="{UP}{INDEX}">← audit index</a>', f'<a href="{Path(region_page).name}">{_e(name)} {year}</a>']
        for other, rel in ((number - 1, "prev"), (number + 1, "next")):
            if 1 <= other <= count:
                nav.append(f'<a href="{page_name(other)}" rel="{rel}">{rel}</a>')
        body = (
            f"<nav>{''.join(nav)}</nav><h1>{_e(name)} ({_e(scope)}), {year}: {_e(label_en)} ({_e(unit)})</h1>"
            f"<p>{len(rows):,} agencies with a value, by level and rank; page {number} of {count}.</p>"
            + _ranking_table(indicator, part, unit)
        )
        _write(out_dir / path, _page(f"{name} {year}: {label_en}", body))
    links = " ".join(f'<a href="{page_name(n)}">{n}</a>' for n in range(1, count + 1))
    return (
        heading
        + _ranking_table(indicator, rows[:REGION_TABLE_ROWS], unit)
        + f'<p class="more">The first {REGION_TABLE_ROWS} of {len(rows):,}: the whole ranking on pages {links}.</p>'
    )


def _region_html(scope, region, year, years, agencies: int, sections: list[str]) -> str:
    nav = [f'<a href="{UP}{INDEX}">← audit index</a>', f'<a href="{UP}{AGENCIES_DIR}/{INDEX}">all agencies</a>']
    year_links = " ".join(
        f"<strong>{y}</strong>" if y == year else f'<a href="{UP}{region_path(scope, region, y)}">{y}</a>'
        for y in years
    )
    body = [
        f"<nav>{''.join(nav)}</nav>",
        f"<h1>{_e(region)} ({_e(scope)}), {year}</h1>",
        f"<p>Years: {year_links}</p>",
        f"<p>{agencies} agencies with a value that year, ranked by each indicator among the agencies of "
        "their level (1: the largest value).</p>",
        *sections,
    ]
    return _page(f"{region} {year}: ranks", "\n".join(body))


def _list_name(number: int) -> str:
    return INDEX if number == 1 else f"list-{number:04d}.html"


def _write_list_pages(out_dir: Path, agencies: list[dict], region_years: dict) -> set[str]:
    """Every agency by province, city and county, ``LIST_PAGE_ROWS`` a page (prev/next)."""
    count = max(1, -(-len(agencies) // LIST_PAGE_ROWS))
    written = set()
    for number in range(1, count + 1):
        lines = []
        for a in agencies[(number - 1) * LIST_PAGE_ROWS : number * LIST_PAGE_ROWS]:
            region_links = " ".join(
                f'<a href="../{region_path(scope, a[scope], region_years[(scope, a[scope])][-1])}">{_e(a[scope])}</a>'
                for scope in ("province", "city")
                if (scope, a[scope]) in region_years
            )
            lines.append(
                f'<tr><td><a href="../{agency_path(a["agency_id"])}">{_e(a["name"])}</a></td><td>{_e(a["level"])}</td>'
                f"<td>{region_links}</td><td>{_e(a['county'])}</td><td>{a['first_year']}–{a['last_year']}</td></tr>"
            )
        body = (
            f"{paging_nav(number, count, _list_name)}<h1>Agencies, page {number} of {count}</h1>"
            f"<p>{len(agencies):,} agencies, by province, city and county.</p>"
            '<table id="agencies"><thead><tr><th>agency</th><th>level</th><th>province · city</th><th>county</th>'
            f"<th>years</th></tr></thead><tbody>{''.join(lines)}</tbody></table>"
        )
        _write(out_dir / AGENCIES_DIR / _list_name(number), _page(f"Agencies {number}/{count}", body))
        written.add(f"{AGENCIES_DIR}/{_list_name(number)}")
    return written
