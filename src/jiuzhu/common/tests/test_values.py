"""Each kind of value refused with its field, a stable code and a Chinese message; the polars
form of a rule agrees with the scalar one."""

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from ninja import Schema

from jiuzhu.common import values
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.registry.testing import make_id


def refused(fn, *args, **kwargs) -> dict:
    with pytest.raises(ValidationFailed) as exc:
        fn(*args, **kwargs)
    return exc.value.as_dict()


def test_id_number_needs_its_check_digit_and_a_real_past_birth_date():
    good = make_id(date(1990, 3, 7))
    assert values.id_number(good.lower()) == good
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert refused(values.id_number, wrong, field="member_id")["code"] == "id_number_check_digit"
    assert refused(values.id_number, wrong, field="member_id")["field"] == "member_id"
    future = make_id(date(2099, 1, 1))
    assert refused(values.id_number, future)["code"] == "id_number_birth_date"
    assert refused(values.id_number, "12345")["code"] == "id_number_format"
    assert refused(values.id_number, good[:10] + "\x00" + good[11:])["code"] == "control_characters"
    assert values.id_number("", required=False) == ""


def test_past_dates_cannot_lie_in_the_future():
    tomorrow = values.today() + timedelta(days=1)
    err = refused(values.past_date, "2099-01-01", field="death_date", label="死亡日期")
    assert err == {
        "code": "date_in_future",
        "field": "death_date",
        "message": "死亡日期 2099-01-01 晚于今天，不可能",
    }
    assert refused(values.past_date, tomorrow, field="birth")["code"] == "date_in_future"
    assert refused(values.past_date, "1700-01-01", field="birth")["code"] == "date_too_early"
    assert refused(values.past_date, "2025-02-30", field="birth")["code"] == "invalid_date"
    assert values.past_date("2020年2月29日", field="birth") == date(2020, 2, 29)
    assert values.past_date(None, field="birth", required=False) is None


def test_text_is_bounded_and_has_no_control_characters():
    assert values.text("  张三 ", field="name", max_length=50) == "张三"
    assert refused(values.text, "张\x00三", field="name", max_length=50)["code"] == "control_characters"
    assert refused(values.text, "a\x1b[31m", field="q", max_length=50)["code"] == "control_characters"
    assert values.text("第一行\n第二行", field="note", max_length=50, multiline=True) == "第一行\n第二行"
    assert refused(values.text, "第一行\n第二行", field="name", max_length=50)["code"] == "control_characters"
    err = refused(values.text, "长" * 201, field="address", max_length=200, label="居住地址")
    assert err["code"] == "too_long" and "200" in err["message"]
    assert refused(values.text, " ", field="name", max_length=5)["code"] == "required"


def test_phone_money_area_and_month():
    assert values.phone("138 0013 8000") == "138 0013 8000"
    assert values.phone("010-12345678") == "010-12345678"
    assert refused(values.phone, "abc<script>")["code"] == "invalid_phone"
    assert values.money("1,234.5", field="amount") == Decimal("1234.50")
    assert refused(values.money, "1e30", field="amount")["code"] == "amount_out_of_range"
    assert refused(values.money, "-3", field="amount")["code"] == "negative_amount"
    assert refused(values.money, "NaN", field="amount")["code"] == "invalid_amount"
    assert refused(values.area, "1e30", field="floor_area")["code"] == "area_out_of_range"
    assert values.area(86.4, field="floor_area") == Decimal("86.40")
    first, last = values.month_window()
    assert values.month(f"{first:%Y-%m}") == first
    assert refused(values.month, "5404-03")["code"] == "month_out_of_range"
    assert refused(values.month, "2026-13")["code"] == "invalid_month"


def test_month_window_follows_the_settings(settings):
    settings.JIUZHU_MONTHS_BACK, settings.JIUZHU_MONTHS_AHEAD = 1, 0
    first, last = values.month_window(date(2026, 1, 15))
    assert (first, last) == (date(2025, 12, 1), date(2026, 1, 1))


class _PersonIn(Schema):
    id_number: values.IdNumber
    name: values.Text(50)
    phone: values.Phone = ""
    income: values.Money


def test_schema_types_raise_the_same_errors_with_the_field_name():
    good = make_id(date(1985, 5, 5))
    p = _PersonIn(id_number=good, name="李四", phone="13800138000", income="2000")
    assert p.income == Decimal("2000.00")
    bad = refused(_PersonIn, id_number=good, name="李四", phone="abc<script>", income="1")
    assert (bad["field"], bad["code"]) == ("phone", "invalid_phone")
    bad = refused(_PersonIn, id_number=good, name="李\x00四", income="1")
    assert (bad["field"], bad["code"]) == ("name", "control_characters")


def test_frame_rules_agree_with_the_scalar_ones():
    texts = ["13800138000", "abc<script>", "010-1234567", "1" * 25, "正常", "坏\x00"]
    frame = pl.DataFrame({"t": texts})
    bad_phone = frame.select(values.frame_bad_phone(pl.col("t"))).to_series().to_list()
    for t, flagged in zip(texts, bad_phone, strict=True):
        try:
            values.phone(t)
            ok = True
        except ValidationFailed:
            ok = False
        assert flagged is (not ok), t
    ctl = frame.select(values.frame_control_chars(pl.col("t"))).to_series().to_list()
    assert ctl == [False, False, False, False, False, True]
    days = pl.DataFrame({"d": [date(2099, 1, 1), date(2000, 1, 1), date(1800, 1, 1)]})
    assert days.select(values.frame_date_in_future(pl.col("d"))).to_series().to_list() == [True, False, False]
    assert days.select(values.frame_date_too_early(pl.col("d"))).to_series().to_list() == [False, False, True]


def test_frame_id_rule_agrees_with_the_scalar_one():
    good = make_id(date(1990, 3, 7))
    numbers = [
        good,
        good.lower() if good.endswith("X") else " " + good,
        good[:17] + ("0" if good[17] != "0" else "1"),  # wrong check digit
        make_id(date(2099, 1, 1)),  # born in the future
        good[:6] + "19900230" + good[14:],  # 30 February
        "110101900307123",  # 15 digits, upgraded
        "12345",
        "11010119900307123A",
    ]
    flagged = pl.DataFrame({"n": numbers}).select(values.frame_bad_id_number(pl.col("n"))).to_series()
    for number, bad in zip(numbers, flagged.to_list(), strict=True):
        try:
            values.id_number(number)
            ok = True
        except ValidationFailed:
            ok = False
        assert bad is (not ok), number
    assert flagged.to_list()[:3] == [False, False, True]


def test_notes_and_name_lists():
    assert values.note(" 第一行\n第二行\t完 ", field="note") == "第一行\n第二行\t完"
    assert refused(values.note, "x" * (values.NOTE_MAX + 1), field="note")["code"] == "too_long"
    assert refused(values.note, "a\x00b", field="note")["code"] == "control_characters"
    assert values.names("张三，李四、王五\n", field="staff_names") == ["张三", "李四", "王五"]
    assert values.names(["张三", " "], field="staff_names") == ["张三"]
    assert refused(values.names, ["张" * 51], field="staff_names")["code"] == "too_long"
    assert refused(values.names, ["甲"] * 51, field="staff_names")["code"] == "too_many"


class _GrantIn(Schema):
    reason: values.Note
    amount: values.Money
    extra: values.OptionalMoney() = None


def test_schema_types_state_their_bounds_in_the_document():
    schema = _GrantIn.model_json_schema()["properties"]
    assert schema["reason"]["maxLength"] == values.NOTE_MAX
    number = next(s for s in schema["amount"]["anyOf"] if s["type"] == "number")
    assert (number["minimum"], number["maximum"]) == (0, float(values.MONEY_MAX))
    assert _GrantIn(reason="", amount="1", extra=None).extra is None
    bad = refused(_GrantIn, reason="x", amount="1", extra="100000000.01")
    assert (bad["field"], bad["code"]) == ("extra", "amount_out_of_range")
