"""Facts the text states, from tiny inline sentences (including ones that must not become facts)."""

import pytest

from transforms.narrative_facts import extract_narrative_facts


def _facts(text: str) -> list[tuple[str, float, str]]:
    return [(f.fact_code, f.value, f.unit) for f in extract_narrative_facts(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("桃源县2018年度共受理政府信息公开申请229件。", [("received", 229.0, "件")]),
        (
            "其中当面申请178件，电子邮件申请20件，其他形式申请1件。",
            [("channel_in_person", 178.0, "件"), ("channel_email", 20.0, "件"), ("channel_other", 1.0, "件")],
        ),
        (
            "答复3050件（含上年度结转申请34件，另有103件顺延到下年度答复）。",
            [("answered", 3050.0, "件"), ("carried_over", 34.0, "件"), ("carried_forward", 103.0, "件")],
        ),
        ("共办理718件，结转下一年31件。", [("answered", 718.0, "件"), ("carried_forward", 31.0, "件")]),
        ("全年收取政府信息公开信息处理费 3940 元。", [("fees", 3940.0, "元")]),
        ("政府信息公开行政复议351件，其中结果维持72件。", [("reviews", 351.0, "件")]),
        # One outcome is not the number answered; carried-forward wording is not "answered".
        ("同意公开答复9件，部分公开答复0件，转下一年度办理答复的有1件。", [("carried_forward", 1.0, "件")]),
        ("本县没有发生行政复议和行政诉讼案件。", []),
        ("\t（一）收到申请数\t件\t229", []),  # a table row is not narrative
    ],
)
def test_extract_narrative_facts(text, expected):
    assert _facts(text) == expected


def test_pdf_wrapped_sentences_are_joined():
    text = "2024 年，全市共受理政府信息公开申请 3119 件，答\n复 3050 件，均在法定期限内予以答复。\n"
    assert _facts(text) == [("received", 3119.0, "件"), ("answered", 3050.0, "件")]
    assert extract_narrative_facts(text)[0].line == 1
