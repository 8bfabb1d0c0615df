"""The disaster path end to end (issue 17): event → village list (validated, reported,
applied; matched to the registry, new households created) → person-days settled → the
month's payment roll pays the household; the event report adds it up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from jiuzhu.common import clock
from jiuzhu.common.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.decisions.entitlements import add_months, month_start
from jiuzhu.disaster import selectors, services, villagelists
from jiuzhu.disaster.models import AffectedHousehold, TransitionalDays
from jiuzhu.disaster.testing import village_rows, workbook
from jiuzhu.payments.models import PaymentLine
from jiuzhu.payments.services import rolls_generate
from jiuzhu.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def _upload(officer, event, rows, name="河口村.xlsx"):
    return villagelists.list_validate(actor=officer, event=event, data=workbook(rows), filename=name)


def test_event_to_payment_in_the_roll(officer, event, make_household, staff, first_month):
    known = make_household(members=[{"name": "赵大山", "birth": date(1962, 3, 4)}], town="town_chengxi")
    head = known.members.get()
    rows = village_rows(3, town="城东街道")
    rows[0]["需过渡安置人数"] = "3"
    rows[0]["受灾人口"] = "4"
    rows.append(
        {
            **village_rows(1, town="town_chengxi", start=7)[0],
            "户主姓名": "赵大山",
            "户主身份证号码": head.id_number,
            "受灾人口": "2",
            "需过渡安置人数": "2",
            "住房损毁": "倒塌",
        }
    )
    bad_id = {**village_rows(1, town="城东街道", start=9)[0]}
    bad_id["户主身份证号码"] = bad_id["户主身份证号码"][:17] + (
        "0" if bad_id["户主身份证号码"][17] != "0" else "1"
    )
    outside = {**village_rows(1, town="town_xingang", start=10)[0]}
    rows += [bad_id, outside]
    households_before = Household.objects.count()

    vlist = _upload(officer, event, rows)

    assert len(vlist.rows) == 4
    report = {(e["row"], e["column"], e["code"]) for e in vlist.errors}
    assert report == {(6, "户主身份证号码", "id_number_check_digit"), (7, "镇街", "town_not_affected")}
    assert "校验位" in next(e["message"] for e in vlist.errors if e["row"] == 6)
    assert Household.objects.count() == households_before  # validation writes nothing

    result = villagelists.list_apply(actor=officer, vlist=vlist)

    assert result == {
        "households": 4,
        "new_households": 3,
        "persons": 4 + 2 + 3 + 2,
        "displaced": 5,
        "aids": 2,
    }
    assert Household.objects.count() == households_before + 3
    matched = AffectedHousehold.objects.get(event=event, person=head)
    assert matched.household == known and not matched.new_household and matched.house_damage == "destroyed"
    new = AffectedHousehold.objects.get(event=event, person__id_number=rows[0]["户主身份证号码"])
    assert new.new_household and new.household.town.code == "town_chengdong"
    assert new.person.relation == "head" and new.household.community == "河口村"

    # the aid of the matched household ends early: resettled on the 15th of the second month
    second = add_months(first_month, 1)
    services.aid_resettle(
        actor=officer, aid=matched.aid, on=second + timedelta(days=14), reason="已入住安置房"
    )

    first = services.days_settle(actor=officer, event=event, month=first_month)
    again = services.days_settle(actor=officer, event=event, month=first_month)
    services.days_settle(actor=officer, event=event, month=second)

    days_first = (add_months(first_month, 1) - (first_month + timedelta(days=9))).days  # 10th to month end
    assert first["households"] == 2
    assert first["amount"] == Decimal(20) * (3 + 2) * days_first
    assert again == {"households": 0, "amount": Decimal("0.00")}  # settling twice adds nothing
    matched_second = TransitionalDays.objects.get(aid=matched.aid, month=second)
    assert (matched_second.days, matched_second.person_days) == (15, 30)
    assert matched_second.amount == Decimal("600.00")

    approver = staff("approver")
    rolls_generate(month=first_month, actor=approver)
    line = PaymentLine.objects.get(entitlement=new.aid.months.get(month=first_month).entitlement)
    assert line.payee == new.person
    assert line.amount == Decimal(20) * 3 * days_first
    assert line.service_code == "disaster_transitional" and line.unit.code == "emergency"

    rep = selectors.event_report(actor=officer, event=event)
    assert (rep.households, rep.new_households, rep.persons, rep.displaced) == (4, 3, 11, 5)
    assert rep.resettled == 1
    assert (
        rep.settled
        == first["amount"] + TransitionalDays.objects.filter(month=second).aggregate(s=Sum("amount"))["s"]
    )
    assert rep.damage["倒塌"] >= 1
    assert rep.fund_left == Decimal("500000") - rep.settled


def test_a_list_is_applied_once_and_the_same_households_are_not_registered_twice(officer, event):
    rows = village_rows(2, town="城东街道")
    vlist = _upload(officer, event, rows)
    villagelists.list_apply(actor=officer, vlist=vlist)
    with pytest.raises(IllegalTransition) as exc:
        villagelists.list_apply(actor=officer, vlist=vlist)
    assert exc.value.code == "list_applied"

    second = _upload(officer, event, rows, name="河口村（重报）.xlsx")
    assert second.rows == []
    assert {e["code"] for e in second.errors} == {"already_registered"}
    assert Person.objects.filter(id_number__in=[r["户主身份证号码"] for r in rows]).count() == 2


def test_rows_are_checked_with_reasons(officer, event, make_household):
    known = make_household(members=[{"name": "钱多多"}])
    rows = village_rows(4, town="城东街道")
    rows[0]["受灾人口"] = "2"
    rows[0]["需过渡安置人数"] = "3"
    rows[1]["户主身份证号码"] = rows[2]["户主身份证号码"]
    rows[3]["户主身份证号码"] = known.members.get().id_number  # the registry calls him 钱多多
    rows.append({**village_rows(1, town="城东街道", start=20)[0], "住房损毁": "塌了一半", "户主姓名": ""})
    vlist = _upload(officer, event, rows)
    codes = {(e["row"], e["code"]) for e in vlist.errors}
    assert codes == {
        (2, "displaced_over_persons"),
        (4, "duplicate_in_file"),
        (5, "name_mismatch"),
        (6, "required"),
        (6, "invalid_choice"),
    }
    mismatch = next(e for e in vlist.errors if e["code"] == "name_mismatch")
    assert "（钱多多）" in mismatch["message"]  # the registry's name (a department officer sees names)
    assert [r["row"] for r in vlist.rows] == [3]


def test_a_list_without_the_template_columns_is_refused(officer, event):
    data = workbook([{"姓名": "王五"}], headers=["姓名", "身份证"])
    with pytest.raises(ValidationFailed) as exc:
        villagelists.list_validate(actor=officer, event=event, data=data, filename="名单.xlsx")
    assert exc.value.code == "missing_columns" and "户主身份证号码" in exc.value.message


def test_only_the_emergency_unit_declares_and_registers(staff, units, event):
    education = staff("department_officer", "education")
    caseworker = staff("town_caseworker", "town_chengdong")
    for actor, code in ((education, "out_of_scope"), (caseworker, "role_not_allowed")):
        with pytest.raises(PermissionDenied) as exc:
            villagelists.list_validate(
                actor=actor, event=event, data=workbook(village_rows(1, town="城东街道")), filename="a.xlsx"
            )
        assert exc.value.code == code
        with pytest.raises(PermissionDenied):
            services.event_declare(
                actor=actor,
                name="x",
                kind="flood",
                occurred_on=event.occurred_on,
                level="IV",
                towns=[units["town_chengdong"]],
                fund="1",
            )


def test_a_month_not_over_is_not_settled_and_a_settled_day_not_taken_back(officer, event, first_month):
    rows = village_rows(1, town="城东街道")
    rows[0]["需过渡安置人数"] = "1"
    villagelists.list_apply(actor=officer, vlist=_upload(officer, event, rows))
    with pytest.raises(ValidationFailed) as exc:
        services.days_settle(actor=officer, event=event, month=month_start(clock.today()))
    assert exc.value.code == "month_not_over"
    services.days_settle(actor=officer, event=event, month=first_month)
    aid = AffectedHousehold.objects.get(event=event).aid
    with pytest.raises(Conflict) as exc:
        services.aid_resettle(actor=officer, aid=aid, on=first_month + timedelta(days=20), reason="已安置")
    assert exc.value.code == "already_settled"
