"""Complaints (投诉) and accountability (问责), Measures ch. 监督管理 and 法律责任: anyone may
complain about a case, a unit or a staff member; the complaint goes to the supervising unit
(discipline inspection, else supervision, else audit) with a resolution limit in working days;
its staff investigate, close it with findings; a confirmed finding is recorded against the unit
(deduction points for the evaluation) and staff found at fault get accountability records.

The public page is throttled per client address: a few complaints per hour, a few failed
look-ups per ten minutes (settings ``JIUZHU_COMPLAINT_MAX_PER_HOUR``,
``JIUZHU_COMPLAINT_LOOKUP_FAILURES``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.common import clock, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationFailed,
)
from jiuzhu.common.roles import role_of
from jiuzhu.common.selectors import deadline
from jiuzhu.common.tx import bump, check_version, lock, racing_write
from jiuzhu.intake import tracking
from jiuzhu.registry.models import Unit, User

from . import access
from .models import (
    AccountabilityKind,
    AccountabilityRecord,
    Complaint,
    ComplaintFinding,
    ComplaintKind,
    ComplaintNote,
    ComplaintSubject,
    Misconduct,
    PublicAttempt,
)

# The supervising unit: the first of these the city has (DOMAIN §1: discipline inspection,
# audit, finance supervise; the demo policy has a discipline commission).
HANDLING_UNITS = ("discipline", "supervision", "audit")
DEFAULT_LIMIT_DAYS = 15
# Points deducted from the unit's evaluation per confirmed finding, by kind (settings
# JIUZHU_MISCONDUCT_POINTS overrides, a dict kind -> points).
DEFAULT_POINTS: dict[str, Decimal] = {
    ComplaintKind.REFUSED_ACCEPTANCE: Decimal("3"),
    ComplaintKind.OVERDUE: Decimal("2"),
    ComplaintKind.UNFAIR: Decimal("3"),
    ComplaintKind.DATA_LEAK: Decimal("5"),
    ComplaintKind.OTHER: Decimal("1"),
}


def limit_days() -> int:
    return int(getattr(settings, "JIUZHU_COMPLAINT_LIMIT_DAYS", DEFAULT_LIMIT_DAYS))


def points_for(kind: str) -> Decimal:
    table = {
        **DEFAULT_POINTS,
        **{k: Decimal(str(v)) for k, v in getattr(settings, "JIUZHU_MISCONDUCT_POINTS", {}).items()},
    }
    return table.get(kind, DEFAULT_POINTS[ComplaintKind.OTHER])


def handling_unit() -> Unit:
    units = {u.code: u for u in Unit.objects.filter(code__in=HANDLING_UNITS)}
    for code in HANDLING_UNITS:
        if code in units:
            return units[code]
    raise NotFound("本市尚未设置纪检监察（监督）单位，无法受理投诉", code="no_handling_unit")


def _throttle(ip: str, kind: str, limit: int, seconds: int) -> None:
    since = timezone.now() - timedelta(seconds=seconds)
    if PublicAttempt.objects.filter(ip=ip, kind=kind, at__gte=since).count() >= limit:
        minutes = max(seconds // 60, 1)
        raise Throttled(
            f"操作过于频繁，请 {minutes} 分钟后再试", code="too_many_attempts", retry_after=seconds
        )


def lodge_limits() -> tuple[int, int]:
    return int(getattr(settings, "JIUZHU_COMPLAINT_MAX_PER_HOUR", 5)), 3600


def lookup_limits() -> tuple[int, int]:
    return int(getattr(settings, "JIUZHU_COMPLAINT_LOOKUP_FAILURES", 10)), 600


def _new_code() -> str:
    while True:
        code = tracking.new_code()
        if not Complaint.objects.filter(code=code).exists():
            return code


@transaction.atomic
def complaint_lodge(
    *,
    kind: str,
    description: str,
    subject: str = "",
    tracking_code: str = "",
    unit=None,
    staff_name: str = "",
    staff_username: str = "",
    complainant_name: str = "",
    complainant_phone: str = "",
    actor: User | None = None,
    ip: str = "",
    today: date | None = None,
) -> Complaint:
    """Lodge a complaint. ``actor`` is the staff user lodging it, or ``None`` on the public
    page (then ``ip`` is throttled). The subject is a case (its tracking code), a unit (code)
    or a staff member (name, and for staff lodging optionally the user name); a case's unit
    defaults to the window that took it."""
    from jiuzhu.intake.models import Application

    public = actor is None
    if public:
        _throttle(ip or "0.0.0.0", PublicAttempt.LODGE, *lodge_limits())
    today = today or clock.today()
    if kind not in ComplaintKind.values:
        raise ValidationFailed("请选择投诉类别", field="kind", code="invalid_kind")
    description = values.text(
        description, field="description", max_length=2000, required=False, multiline=True, label="投诉内容"
    )
    staff_name = values.text(
        staff_name, field="staff_name", max_length=50, required=False, label="被投诉人员"
    )
    complainant_name = values.text(
        complainant_name, field="complainant_name", max_length=50, required=False, label="投诉人姓名"
    )
    if len(description) < 5:
        raise ValidationFailed("请写明投诉的事实（至少 5 个字）", field="description", code="required")
    if len(description) > 2000:
        raise ValidationFailed("投诉内容不能超过 2000 字", field="description", code="too_long")
    application, subject_unit, staff = None, None, None
    if tracking_code:
        norm = tracking.normalise(tracking_code)
        application = (
            Application.objects.select_related("window").filter(tracking_code=norm).first() if norm else None
        )
        if application is None:
            raise ValidationFailed("申请查询码不正确", field="tracking_code", code="tracking_not_found")
    if unit:
        subject_unit = Unit.objects.filter(code=str(unit.code if isinstance(unit, Unit) else unit)).first()
        if subject_unit is None:
            raise ValidationFailed("被投诉单位不存在", field="unit", code="unknown_unit")
    if staff_username and not public:
        staff = User.objects.select_related("unit").filter(username=staff_username.strip()).first()
        if staff is None:
            raise ValidationFailed("被投诉的工作人员账号不存在", field="staff_username", code="unknown_user")
        staff_name = staff_name or str(staff)
        subject_unit = subject_unit or staff.unit
    staff_name = (staff_name or "").strip()[:50]
    subject = subject or (
        Complaint.STAFF
        if staff_name
        else Complaint.CASE
        if application
        else Complaint.UNIT
        if subject_unit
        else ""
    )
    if subject not in ComplaintSubject.values:
        raise ValidationFailed(
            "请填写投诉对象：申请查询码、单位或工作人员", field="subject", code="no_subject"
        )
    if subject == Complaint.CASE and application is None:
        raise ValidationFailed("投诉救助申请须填写申请查询码", field="tracking_code", code="required")
    if subject == Complaint.STAFF and not staff_name:
        raise ValidationFailed("投诉工作人员须填写其姓名", field="staff_name", code="required")
    if application is not None and subject_unit is None:
        subject_unit = application.window
    if subject in (Complaint.UNIT, Complaint.STAFF) and subject_unit is None:
        raise ValidationFailed("请选择被投诉单位", field="unit", code="required")
    phone = values.phone(complainant_phone, field="complainant_phone")
    n = limit_days()
    due = deadline(today, n)
    if public:
        PublicAttempt.objects.create(ip=ip or "0.0.0.0", kind=PublicAttempt.LODGE)
    for _ in range(3):
        try:
            with transaction.atomic():
                return Complaint.objects.create(
                    code=_new_code(),
                    kind=kind,
                    subject=subject,
                    tracking_code=application.tracking_code if application else "",
                    application=application,
                    unit=subject_unit,
                    staff=staff,
                    staff_name=staff_name,
                    description=description,
                    complainant_name=complainant_name,
                    complainant_phone=phone,
                    public=public,
                    lodged_by=actor,
                    lodged_on=today,
                    handling_unit=handling_unit(),
                    limit_days=n,
                    due_on=due.due,
                )
        except IntegrityError:  # the same code drawn twice at once
            continue
    raise Conflict("系统繁忙，请重试", code="busy")


def _locked(complaint, version: int | None) -> Complaint:
    c = lock(
        Complaint.objects.select_related("handling_unit", "unit", "staff"),
        complaint,
        missing="投诉不存在",
        code="complaint_not_found",
        of=("self",),
    )
    check_version(c, version, message="该投诉已被他人处理，请刷新后重试")
    return c


def ensure_handler(user, c: Complaint) -> None:
    access.ensure_unit_staff(user, c.handling_unit, what="该投诉")


@racing_write
@transaction.atomic
def complaint_note(*, actor: User, complaint, text: str, version: int | None = None) -> ComplaintNote:
    """An investigation note; the first one moves the complaint to 调查中."""
    c = _locked(complaint, version)
    ensure_handler(actor, c)
    if c.state == Complaint.CLOSED:
        raise IllegalTransition("投诉已办结，不能再添加调查记录", code="complaint_closed")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写调查记录", field="text", code="required")
    bump(c, state=Complaint.INVESTIGATING, update_fields=[])
    return ComplaintNote.objects.create(complaint=c, text=text, by=actor)


@racing_write
@transaction.atomic
def complaint_close(
    *,
    actor: User,
    complaint,
    finding: str,
    findings: str,
    reply: str = "",
    version: int | None = None,
    today: date | None = None,
) -> Complaint:
    """Close with findings. A confirmed finding against a unit (the subject unit, or the
    staff member's) is recorded as misconduct with the deduction points of its kind."""
    c = _locked(complaint, version)
    ensure_handler(actor, c)
    if c.state == Complaint.CLOSED:
        raise IllegalTransition("投诉已办结", code="complaint_closed")
    if finding not in ComplaintFinding.values:
        raise ValidationFailed("请选择调查结论：属实或不属实", field="finding", code="invalid_finding")
    findings = (findings or "").strip()
    if not findings:
        raise ValidationFailed("请填写调查结果", field="findings", code="required")
    if not c.notes.exists():
        raise IllegalTransition("尚无调查记录，不能办结", code="not_investigated")
    today = today or clock.today()
    c.state = Complaint.CLOSED
    c.finding = finding
    c.findings = findings
    c.reply = (reply or "").strip() or (
        "经调查，您反映的问题属实，已依规依纪处理。"
        if finding == Complaint.CONFIRMED
        else "经调查，您反映的问题不属实。"
    )
    c.closed_on = today
    c.closed_by = actor
    bump(c, update_fields=["state", "finding", "findings", "reply", "closed_on", "closed_by"])
    unit = c.unit or (c.staff.unit if c.staff else None)
    if finding == Complaint.CONFIRMED and unit is not None:
        Misconduct.objects.create(
            unit=unit,
            complaint=c,
            kind=c.kind,
            found_on=today,
            points=points_for(c.kind),
            summary=findings[:500],
        )
    return c


@racing_write
@transaction.atomic
def accountability_record(
    *,
    actor: User,
    complaint,
    kind: str,
    decided_by: str,
    decided_on: date | None,
    staff_name: str = "",
    note: str = "",
    today: date | None = None,
) -> AccountabilityRecord:
    """Record the accountability decision (问责) against a staff member for a confirmed
    complaint. The staff member defaults to the complaint's subject."""
    c = _locked(complaint, None)
    ensure_handler(actor, c)
    if c.state != Complaint.CLOSED or c.finding != Complaint.CONFIRMED:
        raise IllegalTransition("只有调查属实并已办结的投诉才能记录问责", code="not_confirmed")
    if kind not in AccountabilityKind.values:
        raise ValidationFailed("请选择问责方式", field="kind", code="invalid_kind")
    decided_by = (decided_by or "").strip()
    if not decided_by:
        raise ValidationFailed("请填写作出问责决定的机关", field="decided_by", code="required")
    today = today or clock.today()
    if not isinstance(decided_on, date):
        raise ValidationFailed("请填写决定日期", field="decided_on", code="required")
    if decided_on > today or decided_on < c.lodged_on:
        raise ValidationFailed("决定日期应在投诉日期与今天之间", field="decided_on", code="invalid_date")
    name = (staff_name or "").strip() or c.staff_name
    if not name:
        raise ValidationFailed("请填写被问责人姓名", field="staff_name", code="required")
    staff = c.staff if c.staff_id and name == c.staff_name else None
    unit = (staff.unit if staff and staff.unit_id else None) or c.unit
    if unit is None:
        raise ValidationFailed("无法确定被问责人所在单位", field="staff_name", code="no_unit")
    return AccountabilityRecord.objects.create(
        complaint=c,
        staff=staff,
        staff_name=name[:50],
        unit=unit,
        kind=kind,
        decided_by=decided_by[:100],
        decided_on=decided_on,
        note=(note or "").strip(),
        recorded_by=actor,
    )


def complaint_track(*, code: str, ip: str) -> dict:
    """The public view of a complaint by its code (throttled failed look-ups): state, due
    date, and once closed the finding and the reply — never notes or names."""
    _throttle(ip or "0.0.0.0", PublicAttempt.LOOKUP, *lookup_limits())
    norm = tracking.normalise(code)
    c = Complaint.objects.filter(code=norm).first() if norm else None
    if c is None:
        PublicAttempt.objects.create(ip=ip or "0.0.0.0", kind=PublicAttempt.LOOKUP)
        raise NotFound("投诉查询码不正确", field="code", code="complaint_not_found")
    return public_view(c)


def public_view(c: Complaint) -> dict:
    return {
        "code": c.code,
        "display_code": tracking.display(c.code),
        "kind": c.get_kind_display(),
        "lodged_on": c.lodged_on,
        "due_on": c.due_on,
        "state": c.state,
        "state_display": c.get_state_display(),
        "finding": c.get_finding_display() if c.state == Complaint.CLOSED else "",
        "reply": c.reply if c.state == Complaint.CLOSED else "",
        "closed_on": c.closed_on,
        "handling_unit": c.handling_unit.name,
    }


def ensure_can_view(user, c: Complaint) -> None:
    role = role_of(user)
    if role in access.OVERSIGHT_ROLES or user.unit_id == c.handling_unit_id or c.lodged_by_id == user.pk:
        return
    raise PermissionDenied("您不能查看该投诉", code="forbidden")


def complainant_of(c: Complaint, role: str) -> dict:
    return {
        "name": m.present("name", c.complainant_name, role) if c.complainant_name else "",
        "phone": m.present("phone", c.complainant_phone, role) if c.complainant_phone else "",
    }
