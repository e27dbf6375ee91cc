import pytest

from transforms.cell_values import parse_cell_value


@pytest.mark.parametrize(
    ("raw", "value", "status", "note"),
    [
        ("136500", 136500.0, "ok", ""),
        ("0", 0.0, "ok", ""),
        (" 40 ", 40.0, "ok", ""),
        ("4.25", 4.25, "ok", ""),
        ("1,234", 1234.0, "ok", ""),
        ("-8", -8.0, "ok", ""),
        ("", None, "blank", ""),
        ("   ", None, "blank", ""),
        ("-", None, "placeholder", ""),
        ("/", None, "placeholder", ""),
        ("—", None, "placeholder", ""),
        ("无", None, "placeholder", ""),
        ("251000元", 251000.0, "ok_with_note", "元"),
        ("22（其中修订16件）", 22.0, "ok_with_note", "其中修订16件"),
        ("约三十", None, "unparsed", "not a number"),
        ("12a3", None, "unparsed", "not a number"),
    ],
)
def test_parse_cell_value(raw, value, status, note):
    cell = parse_cell_value(raw)
    assert (cell.value, cell.status, cell.note) == (value, status, note)
