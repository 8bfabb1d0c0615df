"""One label source: every code a person reads comes out in Chinese (English when switched),
money as ¥ with thousands separators, time local and without microseconds."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from jiuzhu.common import labels


def test_codes_of_every_kind_read_in_chinese(db, units):
    assert labels.label("unit", "civil_affairs") == units["civil_affairs"].name
    assert labels.label("unit", "town_chengdong") == units["town_chengdong"].name
    assert labels.label("role", "window_clerk") == "一门受理窗口"
    assert labels.label("service", "dibao") == "最低生活保障"
    assert labels.label("category", "minimum_living") == "最低生活保障"
    assert labels.label("source", "household_registration") != "household_registration"
    assert labels.label("kpi", "alerts_raised") == "新增预警"
    assert labels.label("intake.caseevent.kind", "received") == "受理申请"
    # A unit added after start-up (not in the policy file) is found in the database.
    from jiuzhu.registry.models import Unit

    Unit.objects.create(code="school_no9", name="第九中学", kind=Unit.Kind.DEPARTMENT)
    assert labels.label("unit", "school_no9") == "第九中学"


def test_unknown_code_is_left_as_is_and_empty_is_empty(db):
    assert labels.label("unit", "no_such_unit_xyz") == "no_such_unit_xyz"
    assert labels.label("unit", None) == ""
    assert labels.label("unit", "") == ""


def test_an_ambiguous_kind_still_finds_chinese_words(db):
    # "state" is the field name of many models; a code of any of them reads in Chinese.
    assert labels.label("state", "open") != "open"


def test_english_when_switched(db):
    with translation.override("en"):
        assert labels.label("unit", "civil_affairs") == "Civil affairs"
        assert labels.label("kpi", "alerts_raised") == "Alerts raised"


def test_every_declared_kind_is_in_the_crawl_set(db):
    codes = labels.codes()
    assert {"civil_affairs", "dibao", "minimum_living", "alerts_raised", "window_clerk"} <= codes
    assert {"unit", "service", "source", "kpi", "role", "category"} <= set(labels.kinds())
    assert labels.table("role")["approver"] == "审批"


def test_money_with_yuan_sign_and_thousands():
    assert labels.yuan(Decimal("69804000")) == "¥69,804,000.00"
    assert labels.yuan(Decimal("-1234.5")) == "-¥1,234.50"
    assert labels.yuan("950") == "¥950.00"
    assert labels.yuan(None) == ""


def test_local_time_without_microseconds():
    at = datetime(2026, 12, 5, 9, 5, 30, 123456, tzinfo=UTC)
    assert labels.moment(at) == "2026-12-05 17:05"
    assert labels.moment(at, seconds=True) == "2026-12-05 17:05:30"
    assert labels.moment(date(2026, 12, 5)) == "2026-12-05"


def test_template_filters_need_no_load(db, units):
    out = Template('{{ u|label:"unit" }} {{ a|yuan }} {{ t|moment }}').render(
        Context({"u": "civil_affairs", "a": Decimal("1234567.8"), "t": datetime(2026, 1, 1, tzinfo=UTC)})
    )
    assert out == f"{units['civil_affairs'].name} ¥1,234,567.80 2026-01-01 08:00"
