"""DOCX reports: the official 2021 blank template, filled cell by cell by position, parses back.

The template is the real layout (merged cells, wrapped headers); values are placed by their row
and column position in it, not by the parser's label matching, so the test can catch a wrong match.
"""

import io
import random

import pytest

from benchmarks.synthetic.post2019 import T3_ROWS, make_post2019_report
from transforms.parse_report import QuarantineError, parse_report

T3_ROWS_2021 = list(T3_ROWS["fmt_2021"])  # the generator's own layout, not the parser's

T2_CELLS = {  # (table row, column) → (row code, column code) in the blank template's 表二
    (2, 1): ("T2.1.1", "issued"),
    (2, 2): ("T2.1.1", "repealed"),
    (2, 3): ("T2.1.1", "in_force"),
    (3, 1): ("T2.1.2", "issued"),
    (3, 2): ("T2.1.2", "repealed"),
    (3, 3): ("T2.1.2", "in_force"),
    (6, 1): ("T2.5.1", "decisions"),
    (9, 1): ("T2.6.1", "decisions"),
    (10, 1): ("T2.6.2", "decisions"),
    (13, 1): ("T2.8.1", "fees"),
}
T3_COLUMNS = ["natural_person", "business", "research", "nonprofit", "legal_services", "other", "total"]
T4_CELLS = [
    (code, column)
    for code in ("T4.1", "T4.2", "T4.3")
    for column in ("upheld", "corrected", "other_result", "pending", "total")
]


@pytest.fixture(scope="module")
def blank_template(shared_corpus) -> bytes:
    return (shared_corpus / "template_2021_blank.docx").read_bytes()


def _fill(template: bytes, cells: dict, title: str) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(template))
    for paragraph in document.paragraphs:
        if "年度报告格式模板" in paragraph.text:
            paragraph.text = title
    t2, t3, t4 = document.tables
    for (row, column), key in T2_CELLS.items():
        t2.cell(row, column).text = cells[key]
    for offset, code in enumerate(T3_ROWS_2021):
        for column, name in enumerate(T3_COLUMNS, start=3):
            t3.cell(3 + offset, column).text = cells[(code, name)]
    for column, key in enumerate(T4_CELLS):
        t4.cell(3, column).text = cells[key]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_blank_template_is_quarantined_as_empty(blank_template):
    with pytest.raises(QuarantineError, match="every cell is empty"):
        parse_report(blank_template, "template_2021_blank.docx")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_filled_template_round_trips(blank_template, seed):
    known = make_post2019_report(random.Random(seed), seed, "fmt_2021", "markdown")
    data = _fill(blank_template, known.cells, f"{known.agency}{known.year}年政府信息公开工作年度报告")
    parsed = parse_report(data, "filled.docx")
    assert (parsed.report["template"], parsed.report["report_year"], parsed.report["encoding"]) == (
        "fmt_2021",
        known.year,
        "docx",
    )
    cells = {(r["indicator_code"], r["column_code"]): r for r in parsed.indicators}
    assert set(cells) == set(known.cells)
    for key, printed in known.cells.items():
        assert cells[key]["value_raw"] == printed, key
        assert cells[key]["value_status"] == ("blank" if printed == "" else "ok"), key
        assert cells[key]["catalog_status"] == "matched", key
