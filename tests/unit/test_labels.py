import pytest

from transforms.labels import clean_label, normalize_label, numbering_level


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("　　（一）主动公开政府信息数　　　　（不同渠道和方式公开相同信息计1条）", "主动公开政府信息数"),
        ("(一)主动公开政府信息数", "主动公开政府信息数"),
        ("三、依申请公开情况", "依申请公开情况"),
        ("　　　　　1.当面申请数", "当面申请数"),
        ("1、当面申请数", "当面申请数"),
        ("其中：主要负责同志参加新闻发布会次数", "主要负责同志参加新闻发布会次数"),
        ("　　　　　 　其中：涉及国家秘密", "涉及国家秘密"),
        (
            "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
            "政府信息公开专项经费",
        ),
        ("不是《条例》所指政府信息", "不是《条例》所指政府信息"),
    ],
)
def test_normalize_label(printed, key):
    assert normalize_label(printed) == key


@pytest.mark.parametrize(
    ("printed", "level"),
    [
        ("一、主动公开情况", 1),
        ("　　（二）申请办结数", 2),
        ("(二)申请办结数", 2),
        ("3.网络申请数", 3),
        ("涉及商业秘密", None),
    ],
)
def test_numbering_level(printed, level):
    assert numbering_level(printed) == level


def test_clean_label_joins_wrapped_lines():
    assert clean_label("　（一）收到\n  申请数 ") == "（一）收到 申请数"
