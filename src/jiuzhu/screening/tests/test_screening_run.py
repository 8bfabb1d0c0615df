"""Planted cases of every kind are found; a clean household raises nothing; a repeated run
raises nothing new; a false positive stays dismissed."""

from datetime import date

import pytest

from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.registry.models import IncomeItem, Person, StaffRelative
from jiuzhu.registry.testing import make_id
from jiuzhu.screening.models import Alert, DepartmentListRow, ScreeningRun
from jiuzhu.screening.services import alert_resolve, department_list_apply, department_list_validate

from .conftest import AS_OF


def _alerts(rule, **kw):
    return list(Alert.objects.filter(rule=rule, **kw))


def _rich(household):
    """Give every member a wage well above any threshold."""
    for p in household.members.all():
        IncomeItem.objects.create(
            person=p,
            kind="wages",
            monthly_amount="20000",
            period_start=date(2025, 6, 1),
            period_end=date(2026, 5, 31),
        )


@pytest.fixture
def clean(make_household, grant):
    """An ordinary dibao household: one service, nothing wrong."""
    hh = make_household(members=[{"name": "赵清白", "birth": date(1975, 4, 2)}], town="town_chengxi")
    grant(hh, "dibao", "950")
    return hh


def test_duplicates_are_found_and_the_clean_household_raises_nothing(
    make_household, grant, screen, clean, units
):
    # extreme poverty and dibao for one person at once
    a = make_household(members=[{"name": "钱双领", "birth": date(1950, 1, 9)}])
    grant(a, "dibao", "1140")  # the rules' amount: ¥950 + the add-on for 70 and over (grant control)
    grant(a, "tekun_dispersed", "1335", start=date(2026, 3, 1))
    # paid after death
    b = make_household(members=[{"name": "孙已故", "birth": date(1940, 2, 2)}], town="town_chengnan")
    grant(b, "dibao", "950")
    Person.objects.filter(household=b).update(deceased_on=date(2026, 2, 10))
    # temporary aid for the same cause twice in 12 months
    c = make_household(members=[{"name": "李火灾", "birth": date(1980, 3, 3)}])
    grant(c, "temporary_emergency", "2000", start=date(2025, 12, 1), cause="fire", cause_note="火灾")
    grant(c, "temporary_emergency", "1500", start=date(2026, 4, 1), cause="fire", cause_note="家中失火")

    run = screen()

    ex = _alerts("exclusive_services")
    assert len(ex) == 1 and ex[0].household_id == a.pk and ex[0].unit.code == "civil_affairs"
    assert ex[0].kind == "duplicate" and ex[0].status == "open" and ex[0].due_on > AS_OF
    assert "特困人员救助供养（分散供养）" in ex[0].summary and "最低生活保障" in ex[0].summary
    assert "rule" in ex[0].evidence and "tekun_dispersed" not in ex[0].summary
    dead = _alerts("paid_after_death")
    assert [x.household_id for x in dead] == [b.pk]
    assert dead[0].evidence["died_on"] == "2026-02-10" and dead[0].evidence["months_after_death"] == 4
    temp = _alerts("temporary_same_cause")
    assert [x.household_id for x in temp] == [c.pk] and temp[0].evidence["cause"] == "火灾"
    assert not Alert.objects.filter(household=clean).exists()
    assert run.raised["duplicate"] == 3


def test_registered_twice_with_a_15_digit_id_in_another_town(make_household, grant, screen, clean):
    a = make_household(members=[{"name": "周重复", "birth": date(1966, 7, 8)}])
    grant(a, "dibao", "950")
    p = a.members.get()
    # an old record of the same person in another town, with the 15-digit form of the ID
    b = make_household(members=[{"name": "周重复", "birth": date(1966, 7, 8)}], town="town_xishan")
    Person.objects.filter(household=b).update(id_number=p.id_number[:6] + p.id_number[8:17])
    grant(b, "dibao", "800", start=date(2026, 4, 1))

    screen()

    twice = _alerts("registered_twice")
    assert (
        len(twice) == 1
        and twice[0].severity == "high"
        and sorted(twice[0].evidence["persons"]) == sorted([p.pk, b.members.get().pk])
    )
    towns = _alerts("two_towns")
    assert len(towns) == 1 and towns[0].unit.code == "town_xishan"
    assert not Alert.objects.filter(household=clean).exists()
    # the run keeps the identity linkage's blocking rules with their pairs
    blocking = ScreeningRun.objects.latest("started_at").inputs["blocking"]
    assert blocking["rules"] and all(r["pairs"] > 0 for r in blocking["rules"])
    assert blocking["changes"] == []


def _list_csv(rows):
    lines = ["姓名,身份证号码,出生日期"] + [",".join(r) for r in rows]
    return "\n".join(lines).encode("utf-8")


def test_omission_from_a_department_list_without_an_id_number(make_household, staff, screen, clean):
    """A row without an ID number is found by name and birth date. (A row whose ID number fails
    its check character is refused at upload: test_department_list_rows_get_the_checks_of_every_form.)"""
    poor = make_household(members=[{"name": "吴无助", "birth": date(1958, 5, 6)}], town="town_beigang")
    well = make_household(members=[{"name": "郑宽裕", "birth": date(1959, 1, 1)}], town="town_beigang")
    _rich(well)
    officer = staff("department_officer", "disabled_federation")
    dl = department_list_validate(
        kind="severe_disability",
        filename="残联名单.csv",
        content=_list_csv([("吴无助", "", "1958-05-06"), ("郑宽裕", well.members.get().id_number, "")]),
        actor=officer,
    )
    department_list_apply(list_id=dl.pk, actor=officer)

    screen()

    om = _alerts("listed_not_receiving")
    assert len(om) == 1 and om[0].household_id == poor.pk and om[0].unit.code == "town_beigang"
    assert om[0].kind == "omission" and om[0].evidence["status"] in ("dibao", "tekun")
    assert "重度残疾人名单" in om[0].summary
    assert not Alert.objects.filter(household=well).exists()


def test_department_list_with_bad_rows_is_reported_and_refused_whole(staff):
    officer = staff("department_officer", "hrss")
    dl = department_list_validate(
        kind="unemployed",
        filename="失业.csv",
        content=_list_csv(
            [
                ("王一", make_id(date(1990, 1, 1)), ""),
                ("", make_id(date(1990, 1, 2)), ""),
                ("李四", "abc", ""),
            ]
        ),
        actor=officer,
    )
    assert dl.rows_total == 3 and dl.rows_valid == 1
    assert [r["row"] for r in dl.invalid_rows] == [3, 4]
    with pytest.raises(ValidationFailed) as e:
        department_list_apply(list_id=dl.pk, actor=officer)
    assert e.value.code == "invalid_rows"
    dl.refresh_from_db()
    assert dl.state == "validated" and dl.rows.count() == 0
    with pytest.raises(ValidationFailed):
        department_list_validate(kind="pets", filename="x.csv", content=b"a", actor=officer)
    with pytest.raises(PermissionDenied):
        department_list_validate(
            kind="unemployed", filename="x.csv", content=b"a", actor=staff("window_clerk")
        )


def test_department_list_rows_get_the_checks_of_every_form(staff):
    """A wrong check character, a birth date in 2099, an over-long name and a control character
    are each reported by row with the field's Chinese reason (jiuzhu.common.values), and the
    list cannot be applied: nothing is written."""
    officer = staff("department_officer", "hrss")
    good = make_id(date(1980, 2, 3))
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    dl = department_list_validate(
        kind="unemployed",
        filename="失业.csv",
        content=_list_csv(
            [
                ("王一", good, ""),
                ("王二", wrong_check, ""),
                ("王三", "", "2099-01-01"),
                ("王" * 51, good, ""),
                ("王\x07四", good, ""),
                ("王\x00五", good, ""),
            ]
        ),
        actor=officer,
    )
    assert dl.rows_valid == 1
    problems = {r["row"]: " ".join(r["problems"]) for r in dl.invalid_rows}
    assert set(problems) == {3, 4, 5, 6, 7}
    assert "校验" in problems[3]
    assert "晚于今天" in problems[4]
    assert "不能超过 50 个字" in problems[5]
    assert "控制字符" in problems[6] and "控制字符" in problems[7]
    dl.refresh_from_db()  # kept as it is shown (the NUL as text)
    assert dl.invalid_rows[-1]["values"][0] == "王\\x00五"
    with pytest.raises(ValidationFailed):
        department_list_apply(list_id=dl.pk, actor=officer)
    assert not DepartmentListRow.objects.exists()


def test_apply_runs_the_checks_of_validation(staff):
    """A staged row that no longer passes (here: altered after validation) stops the apply."""
    officer = staff("department_officer", "hrss")
    dl = department_list_validate(
        kind="unemployed",
        filename="失业.csv",
        content=_list_csv([("王一", make_id(date(1980, 2, 3)), "")]),
        actor=officer,
    )
    assert dl.rows_valid == 1 and not dl.invalid_rows
    dl.staged[0]["birth_date"] = "2099-01-01"
    dl.save(update_fields=["staged"])
    with pytest.raises(ValidationFailed) as e:
        department_list_apply(list_id=dl.pk, actor=officer)
    assert e.value.code == "invalid_rows" and "第2行" in e.value.message
    assert not DepartmentListRow.objects.exists()


def test_unfairness_relative_and_outlying_amount(make_household, grant, screen, clean, units, staff):
    rel = make_household(members=[{"name": "冯亲属", "birth": date(1970, 9, 9)}], town="town_chengdong")
    grant(rel, "dibao", "950")
    StaffRelative.objects.create(
        declarant_name="冯干部",
        declarant_post="村委会主任",
        unit=units["town_chengdong"],
        name="冯亲属",
        id_number=rel.members.get().id_number,
        relation="sibling",
        declared_on=date(2025, 1, 1),
    )
    # five comparable single-person urban households at ¥950 and one at ¥2,900
    peers = []
    for i in range(5):
        h = make_household(
            members=[{"name": f"陈同类{i}", "birth": date(1961, 1, i + 1)}], town="town_chengbei"
        )
        grant(h, "dibao", "950")
        peers.append(h)
    odd = make_household(members=[{"name": "陈偏高", "birth": date(1961, 2, 1)}], town="town_chengbei")
    grant(odd, "dibao", "2900")

    screen()

    r = _alerts("relative_unregistered")
    assert len(r) == 1 and r[0].household_id == rel.pk and r[0].kind == "unfairness"
    assert "未备案" in r[0].evidence["note"]
    s = _alerts("similar_households_amounts")
    assert [x.household_id for x in s] == [odd.pk] and s[0].evidence["expected"] == "950.00"
    assert not Alert.objects.filter(household__in=peers).exists()


def test_repeated_run_raises_nothing_new_and_false_positive_stays_dismissed(
    make_household, grant, screen, staff
):
    a = make_household(members=[{"name": "钱双领", "birth": date(1950, 1, 9)}])
    grant(a, "dibao", "1140")  # the rules' amount: ¥950 + the add-on for 70 and over (grant control)
    grant(a, "tekun_dispersed", "1335", start=date(2026, 3, 1))
    first = screen()
    assert first.raised == {"duplicate": 1}
    again = screen()
    assert again.raised == {} and again.found == {"duplicate": 1}
    alert = Alert.objects.get()
    worker = staff("town_caseworker", "town_chengdong")
    with pytest.raises(PermissionDenied):
        alert_resolve(alert_id=alert.pk, actor=worker, status="false_positive", note="x")
    approver = staff("approver", "civil_affairs")
    with pytest.raises(ValidationFailed) as e:
        alert_resolve(alert_id=alert.pk, actor=approver, status="false_positive", note=" ")
    assert e.value.code == "reason_required"
    alert_resolve(
        alert_id=alert.pk, actor=approver, status="false_positive", note="特困转换过渡月，已核实", on=AS_OF
    )
    third = screen()
    assert third.raised == {} and Alert.objects.count() == 1
    alert.refresh_from_db()
    assert alert.status == "false_positive" and alert.resolved_on == AS_OF
    with pytest.raises(IllegalTransition):
        alert_resolve(alert_id=alert.pk, actor=approver, status="confirmed", action="stop")


def test_confirm_needs_an_action(make_household, grant, screen, staff):
    b = make_household(members=[{"name": "孙已故", "birth": date(1940, 2, 2)}])
    grant(b, "dibao", "950")
    Person.objects.filter(household=b).update(deceased_on=date(2026, 2, 10))
    screen()
    alert = Alert.objects.get()
    approver = staff("approver", "civil_affairs")
    with pytest.raises(ValidationFailed) as e:
        alert_resolve(alert_id=alert.pk, actor=approver, status="confirmed", action="")
    assert e.value.code == "action_required"
    alert.refresh_from_db()
    assert alert.status == "open"
    done = alert_resolve(
        alert_id=alert.pk, actor=approver, status="confirmed", action="recover", note="追回4个月"
    )
    assert done.status == "confirmed" and done.get_action_display() == "追回"


def test_relative_registered_on_the_decision_raises_nothing_and_alerts_join_the_chain(
    make_household, grant, screen, units, approver
):
    from jiuzhu.decisions.models import Case
    from jiuzhu.registry.chain import assistance_chain

    def relative_of(hh, declarant):
        StaffRelative.objects.create(
            declarant_name=declarant,
            declarant_post="村委会委员",
            unit=units["town_chengdong"],
            name=hh.members.get().name,
            id_number=hh.members.get().id_number,
            relation="child",
            declared_on=date(2025, 1, 1),
        )

    known = make_household(members=[{"name": "褚已备案", "birth": date(1972, 2, 2)}])
    ent = grant(known, "dibao", "950")
    Case.objects.create(
        household=known,
        service_code="dibao",
        service_name="最低生活保障",
        category="minimum_living",
        town=units["town_chengdong"],
        state="approved",
        received_on=date(2025, 12, 1),
        opened_on=date(2025, 12, 2),
        opened_by=approver,
        limit_days=30,
        due_on=date(2026, 1, 15),
        close_relative=True,
        entitlement=ent,
    )
    relative_of(known, "褚主任")
    hidden = make_household(members=[{"name": "卫未备案", "birth": date(1973, 3, 3)}])
    grant(hidden, "dibao", "950")
    relative_of(hidden, "卫主任")

    screen()

    assert [a.household_id for a in _alerts("relative_unregistered")] == [hidden.pk]
    chain = assistance_chain(household=hidden, role="town_caseworker")
    assert any(e.area == "查重查漏" and "近亲属享受未备案" in e.title for e in chain)


def test_undeclared_relative_in_a_staff_members_household_is_found(
    make_household, grant, screen, staff, units
):
    """Staff carry their ID number: a member of a caseworker's own registry household receiving
    dibao in his town, declared by nobody, is raised; a declared one is left to
    relative_unregistered; staff of another town are not the deciding unit."""
    from jiuzhu.decisions.relatives import staff_id_number_set

    hh = make_household(
        members=[
            {"name": "冯干事", "birth": date(1985, 5, 5), "relation": "head"},
            {"name": "冯老母", "birth": date(1958, 8, 8), "relation": "parent", "gender": "F"},
        ]
    )
    worker, mother = hh.members.get(name="冯干事"), hh.members.get(name="冯老母")
    caseworker = staff("town_caseworker", "town_chengdong")
    staff_id_number_set(actor=caseworker, id_number=worker.id_number)
    grant(hh, "dibao", "950", members=[mother], payee=mother)
    other = make_household(
        members=[
            {"name": "蒋科员", "birth": date(1986, 6, 6)},
            {"name": "蒋老父", "birth": date(1956, 6, 6), "relation": "parent"},
        ]
    )
    far = staff("town_caseworker", "town_chengxi")  # works for another town
    staff_id_number_set(actor=far, id_number=other.members.get(name="蒋科员").id_number)
    father = other.members.get(name="蒋老父")
    grant(other, "dibao", "950", members=[father], payee=father)

    screen()

    (a,) = _alerts("staff_household_undeclared")
    assert (a.household_id, a.person_id, a.kind, a.severity) == (hh.pk, mother.pk, "unfairness", "high")
    assert "城东" in a.summary and "同户家庭成员" in a.summary and "冯老母" not in a.summary

    # Declared afterwards: this rule is quiet, the declared-but-unregistered rule speaks.
    StaffRelative.objects.create(
        declarant_name="冯干事",
        declarant_post="社会救助经办",
        unit=units["town_chengdong"],
        name=mother.name,
        id_number=mother.id_number,
        relation="parent",
        declared_on=date(2026, 6, 1),
    )
    Alert.objects.all().delete()
    screen()
    assert _alerts("staff_household_undeclared") == []
    assert [x.person_id for x in _alerts("relative_unregistered")] == [mother.pk]
