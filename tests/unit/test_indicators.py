"""The indicator definitions as data, and the peer ranks over constructed agencies."""

import duckdb
import pandas as pd
import pytest

from flows.dataset.indicator_views import peer_ranks_sql
from transforms.indicator_definitions import (
    DEFINITION_COLUMNS,
    Term,
    load_indicator_definitions,
    parse_definitions,
    parse_formula,
    why_not_applicable,
)

REQUIRED = {
    "requests_received",
    "requests_to_handle",
    "carry_forward_rate",
    "substantive_disclosure_rate",
    "refusal_share",
    "cannot_provide_share",
    "not_held_share",
    "reviews_per_100_requests",
    "lawsuits_per_100_requests",
    "review_correction_rate",
    "lawsuit_correction_rate",
    "regulations_in_force",
    "regulations_net_change",
    "normative_documents_in_force",
    "normative_documents_net_change",
    "disclosure_fees",
}


def test_the_issue_s_indicators_are_defined_and_pre_2019_templates_get_several():
    definitions = {d.indicator: d for d in load_indicator_definitions()}
    assert set(definitions) >= REQUIRED
    for template in ("stat_2014", "local_table"):
        assert sum(template in d.templates for d in definitions.values()) >= 6
    rate = definitions["carry_forward_rate"]
    assert rate.formula() == "100 × (carried_forward) / (received + carried_over)"
    assert why_not_applicable(rate, "stat_2014") == "stat_2014 tables print no carried_forward, carried_over"


def test_a_formula_is_a_sum_of_concepts_with_signs():
    assert parse_formula("regulations_issued - regulations_repealed") == (
        Term("regulations_issued", 1),
        Term("regulations_repealed", -1),
    )
    for wrong in ("a b", "a * b", "a + 2", "a +"):
        with pytest.raises(ValueError):
            parse_formula(wrong)


def _table(**overrides) -> pd.DataFrame:
    row = dict(zip(DEFINITION_COLUMNS, [""] * len(DEFINITION_COLUMNS), strict=True))
    row |= {"indicator": "x", "unit": "%", "scale": "100", "numerator": "refused", "denominator": "answered",
            "templates": "fmt_2021"}  # fmt: skip
    row |= overrides
    return pd.DataFrame([row])


def test_a_definition_is_checked_against_the_concept_map():
    assert parse_definitions(_table())[0].concepts == ("refused", "answered")
    with pytest.raises(ValueError, match="stat_2014 has no cells for \\['cannot_provide'\\]"):
        parse_definitions(_table(numerator="cannot_provide", templates="stat_2014"))
    with pytest.raises(ValueError, match="unknown templates"):
        parse_definitions(_table(templates="fmt_2030"))
    with pytest.raises(ValueError, match="defined twice"):
        parse_definitions(pd.concat([_table(), _table()]))


def _ranks(rows: list[tuple]) -> list[dict]:
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE agency_indicators (agency_id VARCHAR, agency VARCHAR, level VARCHAR, province VARCHAR, "
        "city VARCHAR, report_year SMALLINT, indicator VARCHAR, label_en VARCHAR, unit VARCHAR, value DOUBLE, "
        "indicator_order INTEGER)"
    )
    connection.executemany(
        "INSERT INTO agency_indicators VALUES (?, ?, ?, '江苏省', ?, 2023, 'refusal_share', 'Refusals', '%', ?, 0)",
        [(a, a, level, city, value) for a, level, city, value in rows],
    )
    connection.execute(peer_ranks_sql())
    cursor = connection.execute("SELECT * FROM peer_ranks ORDER BY scope, region, level, rank, agency_id")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_peer_ranks_share_a_rank_on_a_tie_and_the_next_rank_skips():
    rows = _ranks([("a", "county", "宿迁市", 30.0), ("b", "county", "宿迁市", 30.0), ("c", "county", "宿迁市", 10.0)])
    city = [(r["agency_id"], r["rank"], r["peers"], round(r["percentile"], 2)) for r in rows if r["scope"] == "city"]
    assert city == [("a", 1, 3, 100.0), ("b", 1, 3, 100.0), ("c", 3, 3, 33.33)]


def test_peers_are_the_same_level_and_region_and_a_lone_agency_ranks_first_of_one():
    rows = _ranks(
        [
            ("a", "county", "宿迁市", 30.0),
            ("d", "department", "宿迁市", 50.0),  # another level: not a peer of a
            ("e", "county", "淮安市", 40.0),  # another city: a peer in the province only
            ("f", "county", "", 20.0),  # no city: ranked in its province only
            ("u", "", "宿迁市", 90.0),  # not placed: no level, no rank
        ]
    )
    got = {(r["agency_id"], r["scope"]): (r["rank"], r["peers"], r["percentile"]) for r in rows}
    assert got[("a", "city")] == (1, 1, 100.0)
    assert got[("d", "city")] == (1, 1, 100.0)
    assert got[("e", "city")] == (1, 1, 100.0)
    assert got[("e", "province")][:2] == (1, 3) and got[("a", "province")][:2] == (2, 3)
    assert got[("f", "province")][:2] == (3, 3) and ("f", "city") not in got
    assert not any(agency == "u" for agency, _ in got)
