"""Every real report in ../shared/corpus is either parsed or quarantined with a reason; nothing crashes.

Issue #2 covers the pre-2019 统计表 only: the post-2019 and local-table files are quarantined as
unsupported templates until their parsers land, and PDF/DOCX as binary.
"""

from transforms.parse_report import QuarantineError, parse_report


def test_each_corpus_file_is_accounted_for(shared_corpus):
    outcomes = {}
    for path in sorted(shared_corpus.iterdir()):
        try:
            parse_report(path.read_bytes(), path.name)
            outcomes[path.name] = "parsed"
        except QuarantineError as exc:
            outcomes[path.name] = str(exc)
    assert outcomes["shuyang_fgj_2023.html"] == "template fmt_2021 (表二/表三/表四) is not supported yet"
    assert outcomes["pingtan_2016_1.txt"] == "template local_table (指标名称 / 计量单位 table) is not supported yet"
    assert outcomes["huaian_2024.pdf"] == "binary file (PDF document), not a text report"
    assert outcomes["template_2021_blank.docx"].startswith("binary file (ZIP container")
    assert all(outcome for outcome in outcomes.values())
