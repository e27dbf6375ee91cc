"""Assembling parsed reports: the same report in two files, or in two forms, is one report."""

from transforms.assemble import assemble_tables, to_frames
from transforms.parse_report import parse_report

TABLE = "指标名称\t计量单位\t本年度\t历年累计\n主动公开信息数\t条\t{a}\t40\n行政复议数\t件\t0\t0\n"


def _report(agency: str, a: int = 12, html: bool = False) -> bytes:
    title = f"{agency}2012年政府信息公开工作年度报告"
    if not html:
        return f"{title}\n正文。\n{TABLE.format(a=a)}".encode()
    rows = "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>"
        for line in TABLE.format(a=a).strip().split("\n")
    )
    return f"<html><body><p>{title}</p><p>正文。</p><table>{rows}</table></body></html>".encode()


def _assemble(files: dict[str, bytes]):
    parsed = [parse_report(data, name) for name, data in files.items()]
    return assemble_tables([to_frames(parsed, [])])


def test_the_same_report_as_a_page_and_as_text_is_one_report():
    tables = _assemble({"a.txt": _report("甲县"), "a.html": _report("甲县", html=True)})
    assert list(tables["reports"]["source_file"]) == ["a.html"]  # the first by name when equally complete
    (copy,) = tables["quarantine"].itertuples()
    assert (copy.source_file, copy.stage) == ("a.txt", "duplicate")
    assert copy.reason.startswith("same report as a.html (same agency, year and table values in another form")
    assert set(tables["indicators"]["source_file"]) == {"a.html"}


def test_different_agencies_with_identical_tables_are_two_reports():
    tables = _assemble({"a.txt": _report("甲县", a=0), "b.txt": _report("乙县", a=0)})
    assert len(tables["reports"]) == 2 and tables["quarantine"].empty


def test_a_revised_table_of_the_same_agency_and_year_is_not_a_duplicate():
    tables = _assemble({"a.txt": _report("甲县", a=12), "b.html": _report("甲县", a=13, html=True)})
    assert len(tables["reports"]) == 2 and tables["quarantine"].empty
