"""The cross-year rules (``arithmetic_rules.csv``, scopes ``cross_year_per_column`` and
``cross_year_per_row``), evaluated in SQL over every pair of reports of one agency in consecutive
years: this year's 上年结转 against last year's 结转下年度继续办理, 历年累计 against last year's plus
this year's, documents in force against last year's plus issued minus repealed.

A result belongs to the later report and names both reports and every cell it read. Cells are
read as the single-report rules read them (:mod:`expectations.arithmetic`): a blank or dash cell
counts as 0 and the detail says so, except a 总计 cell, which is then missing; a cell with no
number, or one that is not in a report, makes the rule not applicable. A gap year gives no pair,
so nothing is checked: a missing year is not a failure. Nor is a year with two or more reports
of the agency (re-issues, or names that place two bodies as one): which of them the next year
follows is unknown, and comparing each with each grows with their product.

:func:`cross_year_sql` is a SELECT over two relations it is given the names of: ``reports``
(report_id, agency_id, report_year, template, source_file) and ``indicators`` (the cells), so the
dataset's views use it over the whole dataset and ``xxgk check`` over one file and the dataset.
"""

from __future__ import annotations

from functools import cache

from transforms.identities import PREVIOUS, ArithmeticRule, load_rules
from transforms.vocabulary import BLANK, FAIL, NOT_CHECKED, PASS, PLACEHOLDER

CROSS_YEAR_COLUMNS = (
    "report_id",
    "previous_report_id",
    "rule_id",
    "table_id",
    "row_code",
    "column_code",
    "severity",
    "description",
    "expected",
    "actual",
    "outcome",
    "detail",
    "previous_source_file",
)
_TOTAL = "total"
_SQL_RELATIONS = {"eq": ("abs(actual - expected) <= 1e-6", "≠"), "le": ("actual <= expected + 1e-6", ">"),
                  "ge": ("actual >= expected - 1e-6", "<")}  # fmt: skip


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def cross_year_rules() -> list[ArithmeticRule]:
    return [rule for rule in load_rules() if rule.cross_year]


def _codes_read(rules: list[ArithmeticRule]) -> dict[tuple[str, bool], set[str]]:
    """Per table and kind of code (row codes for per-column rules, column codes for per-row ones),
    the codes the rules read, this year's and last year's."""
    read: dict[tuple[str, bool], set[str]] = {}
    for rule in rules:
        codes = read.setdefault((rule.table_id, rule.within_columns), set())
        codes.update(code.removeprefix(PREVIOUS) for code in (*rule.lhs, *rule.rhs))
    return read


@cache
def cross_year_sql(reports: str = "reports", indicators: str = "indicators") -> str:
    """Every cross-year result (pass, fail, not_applicable) of every later report of a pair."""
    rules = cross_year_rules()
    if not rules:
        return "SELECT " + ", ".join(f"CAST(NULL AS VARCHAR) AS {c}" for c in CROSS_YEAR_COLUMNS) + " WHERE false"
    info = ",\n    ".join(
        f"({_quote(r.rule_id)}, {_quote(r.table_id)}, {_quote(r.severity)}, {r.within_columns}, "
        f"{_quote(r.description)}, [{', '.join(_quote(t) for t in r.templates)}], {_quote(r.relation)})"
        for r in rules
    )
    terms = ",\n    ".join(
        f"({_quote(r.rule_id)}, {_quote(side)}, {order}, {_quote(code.removeprefix(PREVIOUS))}, "
        f"{code.startswith(PREVIOUS)})"
        for r in rules
        for side, codes in (("lhs", r.lhs), ("rhs", r.rhs))
        for order, code in enumerate(codes)
    )
    needed = " OR ".join(
        f"(table_id = {_quote(table)} AND {'indicator_code' if within else 'column_code'} IN "
        f"({', '.join(_quote(code) for code in sorted(codes))}))"
        for (table, within), codes in _codes_read(rules).items()
    )
    holds = " ".join(f"WHEN {_quote(k)} THEN {test}" for k, (test, _) in _SQL_RELATIONS.items())
    breaks = " ".join(f"WHEN {_quote(k)} THEN ' {sign} '" for k, (_, sign) in _SQL_RELATIONS.items())
    return f"""WITH rule_info(rule_id, table_id, severity, within_columns, description, templates, relation) AS (VALUES
    {info}
), rule_terms(rule_id, side, term_order, code, previous) AS (VALUES
    {terms}
), cells AS (  -- only the cells a rule reads: a filter on the scan, not a join over every cell
  SELECT report_id, table_id, indicator_code, column_code, value, value_status, value_raw
  FROM {indicators} WHERE {needed}
), previous AS (  -- the one report of an agency and year: with two or more, which one is last year's is unknown
  SELECT agency_id, report_year, any_value(report_id) AS report_id, any_value(template) AS template,
    any_value(source_file) AS source_file
  FROM {reports} WHERE agency_id <> '' GROUP BY agency_id, report_year HAVING count(*) = 1
), pairs AS (
  SELECT t.report_id, t.report_year, t.template, p.report_id AS previous_report_id, p.report_year AS previous_year,
    p.template AS previous_template, p.source_file AS previous_source_file
  FROM {reports} t JOIN previous p ON p.agency_id = t.agency_id AND p.report_year = t.report_year - 1
  WHERE t.agency_id <> '' AND p.report_id <> t.report_id
), lines AS (
  SELECT DISTINCT i.rule_id, i.table_id, i.severity, i.within_columns, i.description, i.relation, r.*,
    CASE WHEN i.within_columns THEN c.column_code ELSE c.indicator_code END AS line
  FROM rule_info i
  JOIN pairs r ON list_contains(i.templates, r.template) AND list_contains(i.templates, r.previous_template)
  JOIN rule_terms s ON s.rule_id = i.rule_id AND s.side = 'lhs' AND NOT s.previous
  JOIN cells c ON c.report_id = r.report_id AND c.table_id = i.table_id
   AND s.code = CASE WHEN i.within_columns THEN c.indicator_code ELSE c.column_code END
), terms AS (
  SELECT l.*, s.side, s.term_order, s.previous,
    CASE WHEN l.within_columns THEN s.code ELSE l.line END AS cell_row,
    CASE WHEN l.within_columns THEN l.line ELSE s.code END AS cell_column,
    c.value, c.value_status, c.value_raw
  FROM lines l JOIN rule_terms s USING (rule_id)
  LEFT JOIN cells c
    ON c.report_id = CASE WHEN s.previous THEN l.previous_report_id ELSE l.report_id END
   AND c.table_id = l.table_id
   AND c.indicator_code = CASE WHEN l.within_columns THEN s.code ELSE l.line END
   AND c.column_code = CASE WHEN l.within_columns THEN l.line ELSE s.code END
), counted AS (
  SELECT *,
    CASE WHEN value IS NOT NULL THEN value
         WHEN value_status IN ('{BLANK}', '{PLACEHOLDER}') AND cell_column <> '{_TOTAL}' THEN 0 END AS number,
    (CASE WHEN previous THEN previous_year ELSE report_year END) || ' ' || cell_row
      || coalesce('/' || nullif(cell_column, ''), '') || ' '
      || CASE WHEN value IS NOT NULL THEN value_raw
              WHEN value_status IS NULL THEN '(not in the report)'
              WHEN value_status IN ('{BLANK}', '{PLACEHOLDER}') AND cell_column <> '{_TOTAL}'
                THEN '(' || value_status || ', read as 0)'
              ELSE '(' || value_status || ')' END AS shown
  FROM terms
), judged AS (
  SELECT report_id, previous_report_id, rule_id, table_id,
    CASE WHEN within_columns THEN '' ELSE line END AS row_code,
    CASE WHEN within_columns THEN line ELSE '' END AS column_code,
    severity, description, relation, previous_source_file,
    count(number) = count(*) AS complete,
    sum(number) FILTER (WHERE side = 'rhs') AS expected,
    sum(number) FILTER (WHERE side = 'lhs') AS actual,
    string_agg(shown, ' + ' ORDER BY term_order) FILTER (WHERE side = 'lhs') AS lhs_text,
    string_agg(shown, ' + ' ORDER BY term_order) FILTER (WHERE side = 'rhs') AS rhs_text
  FROM counted
  GROUP BY ALL
)
SELECT report_id, previous_report_id, rule_id, table_id, row_code, column_code, severity, description,
  CASE WHEN complete THEN expected END AS expected, CASE WHEN complete THEN actual END AS actual,
  CASE WHEN NOT complete THEN '{NOT_CHECKED}' WHEN CASE relation {holds} END THEN '{PASS}' ELSE '{FAIL}' END
    AS outcome,
  lhs_text || CASE WHEN NOT complete THEN ' vs '
                   WHEN CASE relation {holds} END THEN ' = ' ELSE CASE relation {breaks} END END
    || rhs_text || CASE WHEN complete THEN ' = ' || regexp_replace(printf('%.6f', expected), '\\.?0+$', '') ELSE '' END
    || ' (last year: ' || previous_source_file || ')' AS detail,
  previous_source_file
FROM judged"""
