"""The decision workflow end to end: investigation, initial opinion with the rules' result,
notice, an objection, a close relative's sign-off, approval with its entitlement and letter;
a refusal whose letter holds the reasons with figures, the rule, alternatives and appeal
rights; the limit of 30 (45) working days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.common.selectors import deadline
from jiuzhu.decisions import cases, letters, notices, selectors
from jiuzhu.decisions.models import Case, Entitlement, Investigation, Letter, Notice
from jiuzhu.intake import services as intake
from jiuzhu.intake.models import CaseEvent, Referral
from jiuzhu.registry.models import StaffRelative
from jiuzhu.registry.services import income_add

from .conftest import D0

TWO = ["张干事", "李干事"]


def investigate(case, who, on=D0):
    for kind in Investigation.REQUIRED:
        cases.investigation_record(
            actor=who, case=case, kind=kind, done_on=on, staff_names=TWO, findings="家中无收入来源"
        )


def test_dibao_case_with_objection_and_close_relative_ends_in_an_entitlement(
    refer_to, poor_household, caseworker, approver, staff
):
    spouse = poor_household.members.get(relation="spouse")
    StaffRelative.objects.create(
        declarant_name="赵委员",
        declarant_post="幸福社区居委会委员",
        name=spouse.name,
        id_number=spouse.id_number,
        relation="sibling",
        declared_on=date(2025, 1, 5),
    )
    r = refer_to(poor_household, "dibao", verify=True)
    with pytest.raises(PermissionDenied):
        cases.case_open(actor=staff("town_caseworker", "town_chengxi"), referral=r, today=D0)
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    assert c.close_relative and c.relatives[0]["declarant"] == "赵委员"
    assert c.due_on == deadline(D0, 30).due and selectors.case_flag(c, D0) == ""
    r.refresh_from_db()
    assert r.state == Referral.IN_PROGRESS

    with pytest.raises(ValidationFailed) as exc:
        cases.investigation_record(
            actor=caseworker, case=c, kind="home_visit", done_on=D0, staff_names=["张干事"], findings="x"
        )
    assert exc.value.code == "two_staff_required"
    with pytest.raises(ValidationFailed) as exc:
        cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0)
    assert exc.value.code == "investigation_incomplete"
    investigate(c, caseworker)
    c = cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0 + timedelta(days=1))
    assert c.state == Case.NOTICE and c.result["eligible"] and c.amount == Decimal("2850.00")
    assert any("950" in x["detail"] for x in c.result["reasons"])  # the figures are frozen with it
    n = Notice.objects.get(case=c)
    assert (n.shown_name, n.household_size, n.amount) == ("王*国", 3, Decimal("2850.00"))
    assert n.ends_on == D0 + timedelta(days=8)  # 7 calendar days after the day of publication

    obj = notices.objection_lodge(
        notice=n, text="该户有一辆小轿车未申报", ip="10.0.0.9", today=D0 + timedelta(days=3)
    )
    c.refresh_from_db()
    assert c.extension_ground == "objection" and c.due_on == deadline(D0, 45).due
    with pytest.raises(IllegalTransition) as exc:
        cases.case_approve(actor=approver, case=c, today=D0 + timedelta(days=5))
    assert exc.value.code == "notice_running"
    after = n.ends_on + timedelta(days=1)
    with pytest.raises(IllegalTransition) as exc:
        cases.case_approve(actor=approver, case=c, today=after)
    assert exc.value.code == "objection_open"
    with pytest.raises(ValidationFailed) as exc:
        notices.objection_handle(
            actor=caseworker, objection=obj, upheld=False, note="", staff_names=TWO, today=after
        )
    assert exc.value.code == "reinvestigation_note_required"
    notices.objection_handle(
        actor=caseworker,
        objection=obj,
        upheld=False,
        staff_names=TWO,
        today=after,
        note="经车管所核查，该车已于2024年报废注销",
    )

    with pytest.raises(IllegalTransition) as exc:
        cases.case_approve(actor=approver, case=c, today=after)
    assert exc.value.code == "relative_signoff_required"
    with pytest.raises(ValidationFailed) as exc:
        cases.relative_signoff(actor=approver, case=c, note="同意", today=after)
    assert exc.value.code == "county_visit_required"
    cases.investigation_record(
        actor=approver,
        case=c,
        kind="county_visit",
        done_on=after,
        staff_names=["孙科长", "周科员"],
        findings="县级入户核查属实",
    )
    cases.relative_signoff(actor=approver, case=c, note="经县级核查，同意按程序审批", today=after)
    assert not Entitlement.objects.exists()

    decided = date(2026, 3, 20)
    c = cases.case_approve(actor=approver, case=c, note="同意", today=decided, without_account=True)
    assert c.state == Case.APPROVED and selectors.case_flag(c, decided) == ""
    ent = c.entitlement
    assert ent.amount == Decimal("2850.00") and ent.amount_period == "month" and ent.service_code == "dibao"
    assert ent.start_month == date(2026, 4, 1)  # the month after approval
    assert ent.members.count() == 3 and ent.payee == r.application.applicant
    months = c.result["review_months"]
    assert months in (6, 12) and ent.next_review_on == date(
        2026 + (3 + months) // 12, (3 + months) % 12 + 1, 1
    )
    assert Entitlement.objects.filter(referral=r).count() == 1  # intake's feedback did not add another
    r.refresh_from_db()
    assert r.state == Referral.GRANTED and r.amount == Decimal("2850.00")
    kinds = set(CaseEvent.objects.filter(referral=r).values_list("kind", flat=True))
    assert {
        "decision_opened",
        "decision_notice",
        "decision_objection",
        "decision_objection_handled",
        "granted",
    } <= kinds
    letter = Letter.objects.get(case=c, kind=Letter.APPROVAL)
    assert letter.content["amount"] == "2850.00" and letter.content["start_month"] == "2026-04"
    assert letters.pdf(letter).startswith(b"%PDF")
    assert (c.decided_on <= c.due_on) and selectors.working_days_taken(c) > 0


@pytest.fixture
def earning_household(make_household):
    hh = make_household(
        members=[
            {
                "name": "陈大海",
                "birth": date(1980, 4, 4),
                "relation": "head",
                "employment_status": "employed",
            },
            {"name": "陈小雨", "birth": date(2015, 7, 7), "relation": "child"},
        ],
        community="阳光社区",
    )
    income_add(
        actor=None,
        person=hh.members.get(relation="head"),
        kind="wages",
        monthly_amount="2500",
        period_start=date(2025, 3, 1),
        period_end=date(2026, 2, 28),
    )
    return hh


def test_refusal_letter_holds_reasons_with_figures_rule_alternatives_and_appeal(
    refer_to, earning_household, caseworker, approver
):
    r = refer_to(earning_household, "dibao", verify=True)
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    investigate(c, caseworker)
    with pytest.raises(ValidationFailed) as exc:
        cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0)
    assert exc.value.code == "rules_not_eligible"
    c = cases.opinion_give(actor=caseworker, case=c, recommend="refuse", today=D0)
    assert c.state == Case.DECISION and not c.notices.exists()
    with pytest.raises(PermissionDenied):
        cases.case_refuse(actor=caseworker, case=c, today=D0)
    c = cases.case_refuse(actor=approver, case=c, today=date(2026, 3, 10))
    assert c.state == Case.REFUSED and not Entitlement.objects.exists()
    letter = Letter.objects.get(case=c, kind=Letter.REFUSAL)
    body = "\n".join(letters.lines_of(letter))
    # reasons with figures: the per-capita income against the standard
    assert "950" in body and ("1,100" in body or "1100" in body)
    assert "最低生活保障审核确认办法" in body or "社会救助暂行办法" in body  # the rule
    kinds = {a["kind"] for a in letter.content["alternatives"]}
    assert {"marginal", "charity"} <= kinds  # low-income-marginal help and charity
    assert "60日内" in body and "6个月内" in body and "行政复议" in body and "行政诉讼" in body
    assert letters.pdf(letter).startswith(b"%PDF")
    r.refresh_from_db()
    assert r.state == Referral.REFUSED and "60" not in r.basis and "慈善" in r.alternatives
    # the applicant sees the answer on the public tracking page
    app = r.application
    seen = intake.track_lookup(ip="198.51.100.1", code=app.tracking_code, id_tail=app.id_tail)
    assert [s["state"] for s in seen["services"]] == [Referral.REFUSED]


def test_refusal_without_figures_is_not_issued(refer_to, poor_household, caseworker, approver):
    r = refer_to(poor_household, "dibao", verify=True)
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    investigate(c, caseworker)
    head = poor_household.members.get(relation="head")
    StaffRelative.objects.create(
        declarant_name="钱干事", name=head.name, id_number=head.id_number, relation="child", declared_on=D0
    )
    c = cases.opinion_give(
        actor=caseworker, case=c, recommend="refuse", note="邻里反映家中另有收入", today=D0
    )
    assert c.close_relative  # declared after the case was opened: still flagged
    cases.investigation_record(
        actor=approver,
        case=c,
        kind="county_visit",
        done_on=D0,
        staff_names=["孙科长", "周科员"],
        findings="县级入户核查",
    )
    cases.relative_signoff(actor=approver, case=c, note="同意按程序审批", today=D0)
    with pytest.raises(ValidationFailed) as exc:
        cases.case_refuse(actor=approver, case=c, reasons="另有收入", today=D0)
    assert exc.value.code == "refusal_figures_required"
    c.refresh_from_db()
    assert c.state == Case.DECISION and not Letter.objects.exists()
    c = cases.case_refuse(
        actor=approver,
        case=c,
        reasons="查实户主在外务工月工资3,000元，家庭人均收入1,000元高于低保标准950元",
        today=D0,
    )
    assert c.state == Case.REFUSED


@pytest.mark.parametrize(
    "missing,code",
    [
        ("reasons", "refusal_reasons_required"),
        ("basis", "refusal_basis_required"),
        ("alternatives", "refusal_alternatives_required"),
        ("appeal", "refusal_appeal_required"),
    ],
)
def test_an_adverse_letter_missing_a_part_is_refused(missing, code):
    content = {
        "reasons": [{"detail": "人均收入1100元高于标准950元", "basis": "x"}],
        "basis": "最低生活保障审核确认办法 第十一条",
        "alternatives": [{"kind": "charity", "text": "慈善帮扶"}],
        "appeal": {"review_days": 60, "litigation_months": 6, "text": "..."},
    }
    content[missing] = [] if missing != "basis" else ""
    with pytest.raises(ValidationFailed) as exc:
        letters.check_adverse(content)
    assert exc.value.code == code


def test_upheld_objection_withdraws_the_notice_and_reopens_investigation(
    refer_to, poor_household, caseworker
):
    r = refer_to(poor_household, "dibao", verify=True)
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    investigate(c, caseworker)
    c = cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0)
    n = c.notices.get()
    obj = notices.objection_lodge(
        notice=n, text="户主在外打工有稳定收入", ip="10.0.0.7", today=D0 + timedelta(days=1)
    )
    notices.objection_handle(
        actor=caseworker,
        objection=obj,
        upheld=True,
        staff_names=TWO,
        note="查实户主月工资3,000元",
        today=D0 + timedelta(days=2),
    )
    c.refresh_from_db()
    n.refresh_from_db()
    assert c.state == Case.INVESTIGATING and n.state == Notice.WITHDRAWN
    assert list(notices.public_notices(today=D0 + timedelta(days=2))) == []
    with pytest.raises(IllegalTransition) as exc:
        notices.objection_lodge(
            notice=n, text="再次反映此事情况", ip="10.0.0.8", today=D0 + timedelta(days=3)
        )
    assert exc.value.code == "notice_closed"


def test_overdue_case_is_flagged_and_counted(refer_to, poor_household, caseworker):
    r = refer_to(poor_household, "dibao", verify=True)
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    assert selectors.case_flag(c, c.due_on - timedelta(days=1)) == "due_soon"
    late = c.due_on + timedelta(days=1)
    assert selectors.case_flag(c, late) == "overdue"
    assert [x.flag for x in selectors.cases_for(caseworker, state="open", today=late)] == ["overdue"]
    with pytest.raises(ValidationFailed) as exc:
        cases.deadline_extend(actor=caseworker, case=c, ground="")
    assert exc.value.code == "extension_ground_required"
    c = cases.deadline_extend(
        actor=caseworker, case=c, ground="residence_differs", note="户籍在本镇，居住在外区"
    )
    assert c.due_on == deadline(D0, 45).due and selectors.case_flag(c, late) == ""
    k = selectors.kpi_decisions(start=D0, end=c.due_on + timedelta(days=1))
    assert k["cases_opened"] == 1 and k["open_overdue"] == 1 and k["cases_decided"] == 0


def test_county_checks_at_least_30_percent_of_extreme_poverty_cases(
    refer_to, make_household, caseworker, approver
):
    def tekun_case(name):
        hh = make_household(
            members=[{"name": name, "birth": date(1940, 1, 1), "has_capable_supporter": False}]
        )
        c = cases.case_open(actor=caseworker, referral=refer_to(hh, "tekun_dispersed", verify=True), today=D0)
        investigate(c, caseworker)
        return cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0)

    first, second = tekun_case("孤老甲"), tekun_case("孤老乙")
    day = D0 + timedelta(days=10)
    with pytest.raises(IllegalTransition) as exc:
        cases.case_approve(actor=approver, case=first, today=day, without_account=True)
    assert exc.value.code == "county_check_required"  # 0 of 1 checked < 30 %
    cases.investigation_record(
        actor=approver,
        case=first,
        kind="county_visit",
        done_on=day,
        staff_names=["孙科长", "周科员"],
        findings="县级入户核查属实",
    )
    assert (
        cases.case_approve(actor=approver, case=first, today=day, without_account=True).state == Case.APPROVED
    )
    # 1 of 2 checked = 50 % ≥ 30 %: the second may be approved on the town's investigation
    assert (
        cases.case_approve(actor=approver, case=second, today=day, without_account=True).state
        == Case.APPROVED
    )
