"""The indicator catalog data file is internally consistent."""

from expectations.arithmetic import load_rules
from expectations.suites import ALLOWED_UNITS
from transforms.catalog import load_catalog, load_column_catalog


def test_codes_unique_and_parents_known():
    catalog = load_catalog()
    assert catalog["code"].is_unique
    assert set(catalog["parent_code"]) - {""} <= set(catalog["code"])


def test_every_valued_indicator_has_a_unit_and_english_label():
    catalog = load_catalog()
    valued = catalog[(catalog["value_kind"] != "section") & (catalog["table_id"] != "t2")]  # 表二 units are per column
    assert set(valued["unit"]) <= set(ALLOWED_UNITS) - {""}
    assert set(load_column_catalog()["unit"]) <= set(ALLOWED_UNITS)
    assert (catalog["label_en"].str.len() > 0).all()


def test_label_paths_follow_parents():
    catalog = load_catalog().set_index("code")
    assert (
        catalog.loc["A3.3.4a", "label_path"]
        == "三、依申请公开情况/（三）申请答复数/4.不同意公开答复数/其中：涉及国家秘密"
    )


def test_rules_reference_catalog_codes():
    codes = set(load_catalog()["code"])
    columns = set(load_column_catalog()["column_code"])
    for rule in load_rules():
        names = set(rule.codes)  # a cross-year rule's previous: prefix taken off
        assert names <= (codes if rule.within_columns else columns), rule.rule_id


def test_local_rows_map_to_2014_rows_of_the_same_kind_once():
    catalog = load_catalog().set_index("code")
    mapped = catalog[catalog["maps_to"] != ""]
    assert set(mapped["template"]) == {"local_table"}
    assert mapped["maps_to"].is_unique
    for code, row in mapped.iterrows():
        target = catalog.loc[row["maps_to"]]
        assert (target["template"], target["value_kind"]) == ("stat_2014", row["value_kind"]), code
    # Combined or differently defined rows keep their own codes.
    assert catalog.loc["L2.7", "maps_to"] == catalog.loc["L6", "maps_to"] == catalog.loc["L9", "maps_to"] == ""


def test_a_section_heading_matches_without_its_enumeration_comma():
    """OCR loses a heading's 、 (九政府信息…) or reads it as 一 (七一依申请…); only a whole heading
    after the number counts, so a label that merely begins with a numeral matches nothing."""
    from transforms.catalog import label_matcher

    matcher = label_matcher("stat_2014")
    assert matcher.match("九、政府信息公开会议和培训情况", None).code == "A9"
    assert matcher.match("九政府信息公开会议和培训情况", None).code == "A9"
    assert matcher.match("七一依申请公开信息收取的费用", None).code == "A7"
    assert matcher.match("一般性文件数", None) is None
    assert matcher.match("三安全一稳定", None) is None
