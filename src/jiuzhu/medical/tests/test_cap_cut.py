"""A settlement cut by the yearly cap is recorded as what it is (issue 16/17 leftover): the line
keeps the share by rate, the cut and what was paid; the file's result and page show the cut;
and the person's yearly paid total that the rules read (``registry_facts``) is what was actually
paid — so after the cut the window's pre-check finds the ¥60,000 used, not the figure typed."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.decisions.frames import household_facts
from jiuzhu.medical import settlement
from jiuzhu.medical.models import SettlementLine
from jiuzhu.medical.tests.test_settlement import csv, stay, validate, world  # noqa: F401 (fixture)
from jiuzhu.payments.models import InstitutionTransfer
from jiuzhu.policy import rules
from jiuzhu.registry.programme import fact_record

pytestmark = pytest.mark.django_db


def _member(person, on):
    facts = household_facts(person.household, on)
    ids = list(person.household.members.order_by("id").values_list("pk", flat=True))
    return facts, facts.members[ids.index(person.pk)]


def test_a_stay_cut_by_the_cap_records_due_cut_and_paid(world, staff, policy):  # noqa: F811
    w = world
    d = w["dibao"]
    clerk = staff("window_clerk", "town_chengdong")
    # the window typed what it knew in January: nothing paid yet this year
    fact_record(
        actor=clerk,
        household=d.household,
        person=d,
        kind="medical_costs",
        data={"out_of_pocket": "5000", "paid_this_year": "0"},
        effective_on=date(2026, 1, 10),
    )
    entitlement_grant(  # a unit's medical-expense grant of ¥46,000 earlier in the year
        household=d.household,
        payee=d,
        members=[d],
        service_code="medical_expense",
        amount="46000",
        start_month=date(2026, 2, 1),
        amount_period="once",
        actor=w["approver"],
        policy=policy,
        reason="住院自付费用高，审批同意",
    )
    f = validate(w, csv(stay(d, "H001", "2026-03-01", "2026-03-10", "50000", "15000", "5000", "30000")))
    result = settlement.file_apply(actor=w["officer"], sfile=f)

    line = SettlementLine.objects.get(person=d)
    # dibao 70 % of 30,000 = 21,000 by rate; the cap leaves 60,000 − 46,000 = 14,000
    assert (line.due, line.cut, line.assistance, line.own_share) == (
        Decimal("21000.00"),
        Decimal("7000.00"),
        Decimal("14000.00"),
        Decimal("16000.00"),
    )
    assert (result["capped"], result["cut"], result["assistance"]) == (1, "7000.00", "14000.00")
    assert InstitutionTransfer.objects.get().amount == Decimal("14000.00")  # the hospital gets what was paid

    officer = Client()
    officer.force_login(w["officer"])
    page = officer.get(f"/medical/settlements/{f.pk}/").content.decode()
    assert "年度限额核减 ¥7,000.00" in page and "按比例应救助 ¥21,000.00" in page

    # the yearly paid total the rules read is what was paid: grant + settled share = the cap
    on = date(2026, 4, 1)
    facts, member = _member(d, on)
    assert member.medical_paid_this_year == Decimal("60000.00")
    got = rules.evaluate(facts, on, policy, services=["medical_expense"])[0]
    assert not got.eligible and "已用 ¥60,000" in " ".join(r.detail for r in got.reasons)


def test_a_figure_typed_above_what_the_platform_paid_still_counts(world, staff, policy):  # noqa: F811
    w, d = world, world["dibao"]
    f = validate(w, csv(stay(d, "H001", "2026-03-01", "2026-03-10", "20000", "8000", "2000", "10000")))
    settlement.file_apply(actor=w["officer"], sfile=f)  # 7,000 paid
    assert _member(d, date(2026, 4, 1))[1].medical_paid_this_year == Decimal("7000.00")
    fact_record(
        actor=staff("window_clerk", "town_chengdong"),
        household=d.household,
        person=d,
        kind="medical_costs",
        data={"out_of_pocket": "3000", "paid_this_year": "9000"},  # aid received elsewhere too
        effective_on=date(2026, 4, 2),
    )
    assert _member(d, date(2026, 4, 3))[1].medical_paid_this_year == Decimal("9000.00")
    assert _member(d, date(2027, 1, 5))[1].medical_paid_this_year == Decimal("0")  # a new year
