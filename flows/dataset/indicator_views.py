"""The standard indicators across reports, as views over the stored ``report_indicators`` table
(computed per report when a batch is stored: :mod:`transforms.indicator_values`):

- ``agency_indicators``: per agency, year and indicator; two reports of one agency and year (a
  re-issue) give a value only where they agree.
- ``peer_ranks``: each value's rank and percentile among the agencies of the same level in the
  same city, and in the same province, that year.

Views, not tables: they always follow the dataset version they are opened on.
"""

from __future__ import annotations

INDICATOR_VIEWS = ("agency_indicators", "peer_ranks")
PEER_SCOPES = ("city", "province")  # agencies column that names the region of each scope


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


AGENCY_INDICATORS_SQL = """CREATE VIEW agency_indicators AS
SELECT x.agency_id, coalesce(any_value(g.name), any_value(x.agency)) AS agency, any_value(g.level) AS level,
  any_value(g.province) AS province, any_value(g.city) AS city, any_value(g.county) AS county,
  x.report_year, x.indicator, any_value(x.label_en) AS label_en, any_value(x.unit) AS unit,
  CASE WHEN count(DISTINCT x.value) = 1 THEN max(x.value) END AS value,
  CASE WHEN count(DISTINCT x.value) = 1 THEN max(x.numerator) FILTER (WHERE x.value IS NOT NULL) END AS numerator,
  CASE WHEN count(DISTINCT x.value) = 1 THEN max(x.denominator) FILTER (WHERE x.value IS NOT NULL) END AS denominator,
  CASE WHEN count(DISTINCT x.value) > 1
         THEN 'its ' || count(*) || ' reports of the year disagree: '
              || string_agg(DISTINCT CAST(round(x.value, 4) AS VARCHAR), ' | '
                            ORDER BY CAST(round(x.value, 4) AS VARCHAR))
       WHEN count(DISTINCT x.value) = 1 THEN ''
       ELSE min(x.reason) END AS reason,
  coalesce(min(x.source_cells) FILTER (WHERE x.value IS NOT NULL), min(x.source_cells)) AS source_cells,
  count(*) AS reports, string_agg(x.report_id, '|' ORDER BY x.report_id) AS report_ids,
  min(x.indicator_order) AS indicator_order
FROM report_indicators x
LEFT JOIN agencies g ON g.agency_id = x.agency_id
WHERE x.agency_id <> ''
GROUP BY x.agency_id, x.report_year, x.indicator"""


def peer_ranks_select(source: str = "agency_indicators") -> str:
    """Ranks over ``source`` (agency_indicators, or a table holding its rows)."""
    scopes = " UNION ALL ".join(
        f"SELECT *, {_quote(scope)} AS scope, {scope} AS region FROM valued WHERE {scope} <> ''"
        for scope in PEER_SCOPES
    )
    return f"""WITH valued AS (
  SELECT agency_id, agency, level, province, city, report_year, indicator, label_en, unit, value, indicator_order
  FROM {source} WHERE value IS NOT NULL AND level <> ''
), scoped AS ({scopes})
SELECT agency_id, agency, level, province, city, report_year, indicator, label_en, unit, value, scope, region,
  rank() OVER (PARTITION BY scope, region, level, report_year, indicator ORDER BY value DESC) AS rank,
  count(*) OVER (PARTITION BY scope, region, level, report_year, indicator) AS peers,
  100.0 * cume_dist() OVER (PARTITION BY scope, region, level, report_year, indicator ORDER BY value)
    AS percentile,
  indicator_order
FROM scoped"""


def peer_ranks_sql() -> str:
    return f"CREATE VIEW peer_ranks AS {peer_ranks_select()}"


def indicator_view_statements() -> list[str]:
    return [AGENCY_INDICATORS_SQL, peer_ranks_sql()]
