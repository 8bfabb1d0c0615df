"""Demo data of the joint conference and of complaints, for ``jiuzhu demo``: the convener
and a deputy, the year's quarterly meetings, one past meeting with attendance, minutes and
three directives (one overdue and escalated, one closed, one running), the next planned
meeting with its automatic agenda, one open complaint and one closed with an accountability
record. Member units and their duties come from the policy file (registry ``units_sync``).
Idempotent: a second run adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from jiuzhu.common.selectors import holiday_table
from jiuzhu.common.workdays import workdays_between
from jiuzhu.registry.models import User

from . import complaints, escalation, services
from .models import Complaint, ConferenceOfficer, Meeting

MARK = "【演示】"


def _user(username: str):
    return User.objects.select_related("unit").filter(username=username).first()


def _past_meeting(today: date) -> Meeting:
    """The latest quarterly meeting at least 35 days ago (planned first if needed)."""
    for year in (today.year, today.year - 1):
        services.meetings_plan_year(year=year, today=today)
    return (
        Meeting.objects.filter(kind=Meeting.QUARTERLY, planned_on__lte=today - timedelta(days=35)).order_by(
            "-planned_on"
        )[0]  # the two years planned above hold one
    )


@transaction.atomic
def seed(*, policy, today: date) -> str:
    if Meeting.objects.filter(minutes__startswith=MARK).exists():
        return "联席会议与监督：演示数据已存在，未重复生成"
    convener, admin = _user("convener"), _user("admin")
    education, handler = _user("officer_education"), _user("officer_discipline")
    if not (convener and admin and education and handler):
        return "联席会议与监督：缺少演示账号，未生成演示数据"
    if not ConferenceOfficer.objects.exists():
        services.officer_assign(
            actor=admin,
            user=convener,
            position=ConferenceOfficer.CONVENER,
            title="分管副市长",
            since=date(today.year, 1, 1),
        )
        deputy = _user("approver")
        if deputy:
            services.officer_assign(
                actor=admin,
                user=deputy,
                position=ConferenceOfficer.DEPUTY,
                title="市民政局局长",
                since=date(today.year, 1, 1),
            )
    past = _past_meeting(today)
    held_on = past.planned_on
    for i, unit in enumerate(u for u in policy.units if u.conference):
        status, attendee = ("delegate", "办公室主任") if i % 9 == 4 else ("present", "分管负责人")
        services.attendance_record(
            actor=convener, meeting=past, unit=unit.code, status=status, attendee=attendee
        )
    services.meeting_hold(
        actor=convener,
        meeting=past,
        held_on=held_on,
        minutes=(
            f"{MARK}会议听取了市民政局关于社会救助“一门受理、协同办理”运行情况的汇报，通报了各成员单位办理时效；"
            "研究了住房救助与低保衔接、教育救助资助对象信息共享和医疗救助“一站式”结算等问题，明确了责任单位和完成时限。"
        ),
        today=held_on,
    )
    overdue = services.directive_create(
        actor=convener,
        meeting=past,
        title="清理住房救助申请积压件，逾期未办结的逐件说明原因",
        units=["housing"],
        limit_days=10,
        today=held_on,
    )
    closed = services.directive_create(
        actor=convener,
        meeting=past,
        title="将低保、特困家庭在校学生名单按学期推送教育部门",
        units=["education", "civil_affairs"],
        limit_days=15,
        today=held_on,
    )
    span = workdays_between(held_on, today, holiday_table())
    running = services.directive_create(
        actor=convener,
        meeting=past,
        title="推行医疗救助“一站式”即时结算，覆盖全部定点医院",
        units=["medical_insurance", "health"],
        limit_days=min(span + 30, services.MAX_LIMIT_DAYS),
        today=held_on,
    )
    step = held_on + timedelta(days=3)
    lead = _user("officer_civil_affairs")
    for a in closed.assignments.select_related("unit"):
        actor = education if a.unit.code == "education" else lead
        if actor is None:
            continue
        services.assignment_report(actor=actor, assignment=a, note="已建立按学期推送机制", today=step)
        services.assignment_request_closure(
            actor=actor, assignment=a, note="首批名单已推送并反馈", today=step
        )
        services.assignment_accept(actor=convener, assignment=a, note="同意办结", today=step)
    escalation.tick(today=today)
    services.meetings_plan_year(year=today.year + 1, today=today)
    # complaints
    done = complaints.complaint_lodge(
        actor=None,
        ip="127.0.0.1",
        kind="refused_acceptance",
        subject=Complaint.STAFF,
        unit=policy.towns[0].code,
        staff_name="张某某",
        description=f"{MARK}到街道窗口申请临时救助，工作人员以户籍不在本街道为由不予登记。",
        complainant_name="李群众",
        complainant_phone="13900001234",
        today=held_on,
    )
    complaints.complaint_note(
        actor=handler, complaint=done, text="调阅窗口登记记录和监控，约谈当事工作人员。"
    )
    complaints.complaint_close(
        actor=handler,
        complaint=done,
        finding=Complaint.CONFIRMED,
        findings="反映属实：窗口工作人员违反“一门受理”不得以户籍为由拒绝登记的规定。",
        today=held_on + timedelta(days=7),
    )
    complaints.accountability_record(
        actor=handler,
        complaint=done,
        kind="criticism",
        decided_by="市纪委",
        decided_on=held_on + timedelta(days=7),
        staff_name="张某某",
        note="责令书面检查，街道重新受理该申请",
        today=today,
    )
    complaints.complaint_lodge(
        actor=None,
        ip="127.0.0.1",
        kind="overdue",
        subject=Complaint.UNIT,
        unit="housing",
        description=f"{MARK}申请住房租赁补贴两个多月没有答复。",
        today=today,
    )
    return (
        f"联席会议与监督：会议 {Meeting.objects.count()} 次（已召开 1 次），督办事项 3 项"
        f"（{overdue.number} 超期，{closed.number} 已办结，{running.number} 办理中），投诉 2 件，问责记录 1 条"
    )
