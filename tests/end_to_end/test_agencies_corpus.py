"""Agencies, divisions and the year-over-year series on the real corpus and the sample.

tests/expected/agencies.csv was written by a person reading each document's title, signature and
text (not the parser's output): the body, its level, its GB/T 2260 division, and which documents
come from one body (``same_body_as``). tests/expected/<report>.csv hold the tables as printed.
"""

import csv

import pytest
from conftest import EXPECTED_DIR


def _expected_agencies() -> list[dict]:
    with (EXPECTED_DIR / "agencies.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["body"]]


def _rows(connection, sql: str, *parameters) -> list[dict]:
    cursor = connection.execute(sql, list(parameters))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _published(connection) -> dict[str, dict]:
    """Each file's report, a copy quarantined as a duplicate standing for the report it copies."""
    reports = {r["source_file"]: r for r in _rows(connection, "SELECT * FROM reports")}
    for copy in _rows(connection, "SELECT source_file, duplicate_of FROM quarantine WHERE stage = 'duplicate'"):
        reports[copy["source_file"]] = next(r for r in reports.values() if r["report_id"] == copy["duplicate_of"])
    return reports


def test_reports_placed_in_their_divisions(corpus_dataset):
    published = _published(corpus_dataset)
    agencies = {a["agency_id"]: a for a in _rows(corpus_dataset, "SELECT * FROM agencies")}
    checked = 0
    for expected in _expected_agencies():
        report = published.get(expected["file"])
        if report is None:  # the truncated extract is quarantined: it names no year or body
            continue
        checked += 1
        assert report["division_code"] == expected["division_code"], (expected["file"], report["agency_placement"])
        assert report["agency_level"] == expected["level"], expected["file"]
        agency = agencies[report["agency_id"]]
        place = (agency["province"], agency["city"], agency["county"])
        assert place == (expected["province"], expected["city"], expected["county"]), expected["file"]
        assert report["agency_as_written"] == expected["agency_as_printed"], expected["file"]
    assert checked >= 19


def test_one_agency_per_body(corpus_dataset):
    published = _published(corpus_dataset)
    ids_by_body: dict[str, set[str]] = {}
    for expected in _expected_agencies():
        if expected["file"] in published:
            ids_by_body.setdefault(expected["same_body_as"], set()).add(published[expected["file"]]["agency_id"])
    assert all(len(ids) == 1 for ids in ids_by_body.values()), ids_by_body
    ids = [next(iter(i)) for i in ids_by_body.values()]
    assert len(set(ids)) == len(ids)  # different bodies, different agencies (the zone and 平潭县 share 350128)
    zone = ids_by_body["平潭综合实验区管理委员会"]
    county = ids_by_body["平潭县人民政府"]
    assert zone != county
    (zone_id,) = zone
    row = _rows(corpus_dataset, "SELECT * FROM agencies WHERE agency_id = ?", zone_id)[0]
    assert (row["level"], row["first_year"], row["last_year"]) == ("zone", 2012, 2025)
    assert row["reports"] == 7  # 2012, 2016, 2017, 2018, 2021, 2022, 2025 (copies in other forms count once)
    assert _rows(corpus_dataset, "SELECT * FROM unplaced_agencies") == []


def _total(stem: str, row: str, column: str = "总计") -> float:
    """A cell as printed: 表三 rows by code (T3.1), 表四 rows by label (行政复议)."""
    with (EXPECTED_DIR / f"{stem}.csv").open(encoding="utf-8") as handle:
        for cell in csv.DictReader(handle):
            if cell["table"] in ("t3", "t4") and cell["row"] == row and cell["column"] == column:
                return float(cell["value_as_printed"])
    raise KeyError((stem, row, column))


def test_year_over_year_series_of_the_zone(corpus_dataset):
    series = _rows(
        corpus_dataset,
        "SELECT * FROM agency_year_over_year WHERE agency_id LIKE '350128/平潭综合实验区%' ORDER BY report_year",
    )
    assert [r["report_year"] for r in series] == [2012, 2016, 2017, 2018, 2021, 2022, 2025]
    by_year = {r["report_year"]: r for r in series}
    # 2022 against 2021, both from the tables as a person read them
    received = {year: _total(f"pingtan_{year}_1", "T3.1") for year in (2021, 2022)}
    row = by_year[2022]
    assert (row["previous_year"], row["received"], row["received_previous"]) == (2021, received[2022], received[2021])
    assert row["received_change"] == received[2022] - received[2021]
    assert row["received_change_relative"] == pytest.approx((received[2022] - received[2021]) / received[2021])
    carried_forward = _total("pingtan_2021_1", "T3.4")
    assert (row["carried_over"], row["carried_forward_previous"]) == (_total("pingtan_2022_1", "T3.2"), carried_forward)
    assert row["reviews"] == _total("pingtan_2022_1", "行政复议")
    assert row["lawsuits"] == _total("pingtan_2022_1", "未经复议直接起诉") + _total("pingtan_2022_1", "复议后起诉")
    assert by_year[2021]["previous_year"] is None and by_year[2021]["received_change"] is None  # no 2020 report
    assert by_year[2016]["carried_over"] is None  # the 统计表 has no such row: null, not zero


def test_carry_over_chain_joins_on_the_body(corpus_dataset):
    # 洪泽区人民政府 (2023) and 淮安市洪泽区人民政府 (2024): one body, so one chain
    chain = _rows(corpus_dataset, "SELECT * FROM carry_over_chain WHERE agency_id = '320813/人民政府'")
    assert chain and {(c["report_year"], c["previous_year"]) for c in chain} == {(2024, 2023)}
    assert {c["outcome"] for c in chain if c["column_code"] == "total"} == {"pass"}
