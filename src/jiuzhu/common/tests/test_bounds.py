"""What a client reads when pydantic refuses a parameter or a body: the platform's error shape,
pydantic's type as the stable code of each error, and a Chinese message naming the bound."""

import re

import pytest
from django.test import Client

from jiuzhu.common import bounds

_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def as_admin(staff):
    c = Client()
    c.force_login(staff("admin"))
    return c


@pytest.mark.parametrize(
    "url, field, kind, words",
    [
        ("/api/intake/applications?limit=100000", "limit", "less_than_equal", "不能大于"),
        ("/api/intake/applications?limit=0", "limit", "greater_than_equal", "不能小于"),
        ("/api/intake/applications?limit=abc", "limit", "int_parsing", "整数"),
        ("/api/screening/alerts?unit=" + "x" * 41, "unit", "string_too_long", "40"),
        ("/api/intake/deadlines?scope=everything", "scope", "literal_error", "unit, window, all"),
    ],
)
def test_parameter_refusals_read_in_chinese(as_admin, url, field, kind, words):
    r = as_admin.get(url)
    assert r.status_code == 422
    body = r.json()
    assert (body["code"], body["field"], body["errors"][0]["type"]) == ("invalid_request", field, kind)
    assert words in body["message"] and _CJK.search(body["message"])
    assert "Input should" not in r.content.decode()


def test_a_missing_body_field_reads_in_chinese(as_admin):
    r = as_admin.post("/api/eligibility/evaluate", {"as_of": "x"}, content_type="application/json")
    body = r.json()
    assert r.status_code == 422
    assert all(_CJK.search(e["message"]) for e in body["errors"])
    assert {e["type"] for e in body["errors"]} >= {"missing"}


def test_messages_keep_the_platforms_own_chinese_and_never_fall_back_to_english():
    assert bounds.message({"type": "month_out_of_range", "msg": "月份 5404-03 不在可办理范围"}) == (
        "月份 5404-03 不在可办理范围"
    )
    assert bounds.message({"type": "less_than_equal", "msg": "Input should be …", "ctx": {"le": 500}}) == (
        "不能大于 500"
    )
    assert bounds.message({"type": "string_too_long", "ctx": {"max_length": 20000}}) == "不能超过 20,000 个字"
    assert bounds.message({"type": "something_new", "msg": "English"}) == bounds.FALLBACK
