"""Every real report in ../shared/corpus is either parsed or quarantined with a precise reason.

Files that cannot be read (a cut-off extract, a blank template) must be quarantined saying so;
nothing may crash or be silently dropped.
"""

from transforms.parse_report import QuarantineError, parse_report

EXPECTED = {
    "hongze_2023.pdf": "parsed",
    "huaian_2024.pdf": "parsed",
    "huaian_2024_truncated_extract.txt": "statistics tables cut off",
    "pingtan_2016_1.txt": "parsed",
    "pingtan_2021_1.txt": "parsed",
    "shanghai_kewei_2024.md": "parsed",
    "shuyang_fgj_2023.html": "parsed",
    "template_2021_blank.docx": "every cell is empty",
}


def test_each_corpus_file_is_accounted_for(shared_corpus):
    outcomes = {}
    for path in sorted(shared_corpus.iterdir()):
        try:
            parse_report(path.read_bytes(), path.name)
            outcomes[path.name] = "parsed"
        except QuarantineError as exc:
            outcomes[path.name] = str(exc)
    assert len(outcomes) == len(list(shared_corpus.iterdir()))
    for name, expected in EXPECTED.items():
        assert expected in outcomes[name], (name, outcomes[name])
