from decimal import Decimal

import pytest

from jiuzhu.common import money
from jiuzhu.common.errors import ValidationFailed


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1,234.50", Decimal("1234.50")),
        (" 12 ", Decimal("12")),
        ("3，000", Decimal("3000")),
        (0.1, Decimal("0.1")),  # a spreadsheet cell: what it showed, not the binary float
        (1234.56, Decimal("1234.56")),
        (7, Decimal("7")),
        (Decimal("9.99"), Decimal("9.99")),
    ],
)
def test_parse_decimal_reads_text_and_cells_without_floats(raw, expected):
    value = money.parse_decimal(raw)
    assert value == expected and str(value) == str(expected)


@pytest.mark.parametrize("raw", ["", "十元", "NaN", "inf", None, True, float("nan")])
def test_parse_decimal_refuses_what_is_not_a_number(raw):
    with pytest.raises(ValueError):
        money.parse_decimal(raw)


def test_amount_is_positive_with_two_places():
    assert money.amount("12.5") == Decimal("12.50")
    assert money.amount("", allow_none=True) is None
    for raw, message in (
        ("0", "金额须大于0"),
        ("-3", "金额须大于0"),
        ("1.005", "最多两位小数"),
        ("abc", "不是数字"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            money.amount(raw)
        assert exc.value.code == "invalid_amount" and message in exc.value.message


def test_amount_names_what_was_counted():
    with pytest.raises(ValidationFailed) as exc:
        money.amount("0", field="quantity", label="数量")
    assert exc.value.field == "quantity" and exc.value.message == "数量须大于0"


def test_money_refuses_a_float_and_rounds_half_up():
    with pytest.raises(TypeError):
        money.money(0.1)
    assert money.money("2.345") == Decimal("2.35")
    assert money.ceil_yuan(Decimal("100.01")) == Decimal("101.00")


@pytest.mark.parametrize("raw", ["1e30", "100000000.01", "999999999999"])
def test_amount_above_the_sane_maximum_is_refused_not_a_server_error(raw):
    assert money.amount("100000000") == money.MONEY_MAX
    with pytest.raises(ValidationFailed) as exc:
        money.amount(raw, field="need")
    assert exc.value.code == "amount_out_of_range" and exc.value.field == "need"
    assert "超出合理范围" in exc.value.message
