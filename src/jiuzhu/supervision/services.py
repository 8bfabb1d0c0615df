"""Joint conference writes: officers, meetings (the year's quarterly plan, extraordinary
meetings), agenda, attendance, minutes, attachments, holding a meeting, and directives
(督办事项) with their assignments: progress, closure requested by the unit, accepted or sent
back by the convener. Complaints are in ``complaints``; escalation in ``escalation``.

Every service is one transaction with keyword-only arguments; ``actor`` is the staff user,
``today`` defaults to the local date (tests pass it to pin the calendar). State changes of an
assignment take the row with ``select_for_update`` and check ``version`` when given, so two
people answering the same request cannot both win."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction

from jiuzhu.common import clock, values
from jiuzhu.common.errors import Conflict, IllegalTransition, ValidationFailed
from jiuzhu.common.selectors import deadline, holiday_table
from jiuzhu.common.tx import bump, check_version, lock, racing_write
from jiuzhu.common.workdays import is_workday
from jiuzhu.registry.models import Unit, User

from . import access, figures
from .models import (
    AgendaItem,
    Assignment,
    AssignmentEvent,
    AssignmentEventKind,
    Attendance,
    AttendanceStatus,
    ConferenceOfficer,
    Directive,
    Meeting,
    MeetingAttachment,
    OfficerPosition,
)

# Quarterly meetings are planned on the first working day from this day of the quarter's last
# month (a city changes it in settings: JIUZHU_MEETING_DAY).
MEETING_DAY = 20
MAX_LIMIT_DAYS = 250
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def _today(today: date | None) -> date:
    return today or clock.today()


def _text(value, field: str, label: str, *, required: bool = True, max_length: int | None = None) -> str:
    """Free text through ``common.values.text``: no control characters, at most the column's
    ``max_length`` (one line) or, for a TextField (``max_length`` None), ``values.NOTE_MAX``
    characters with line breaks kept."""
    if required and not (value or "").strip():
        raise ValidationFailed(f"请填写{label}", field=field, code="required")
    return values.text(
        value,
        field=field,
        max_length=max_length or values.NOTE_MAX,
        required=False,
        multiline=max_length is None,
        label=label,
    )


def _unit(value, field: str = "unit") -> Unit:
    if isinstance(value, Unit):
        return value
    unit = Unit.objects.filter(code=str(value or "").strip()).first()
    if unit is None:
        raise ValidationFailed(f"单位“{value}”不存在", field=field, code="unknown_unit")
    return unit


# --- officers -------------------------------------------------------------------------------


@transaction.atomic
def officer_assign(
    *, actor: User, user: User | str, position: str, title: str = "", since: date | None = None
) -> ConferenceOfficer:
    """Name the convener or a deputy. A new convener replaces the sitting one (who leaves the
    day before); deputies accumulate."""
    access.ensure_admin(actor)
    if position not in OfficerPosition.values:
        raise ValidationFailed("职务应为召集人或副召集人", field="position", code="invalid_position")
    if isinstance(user, str):
        found = User.objects.filter(username=user.strip()).first()
        if found is None:
            raise ValidationFailed(f"用户“{user}”不存在", field="user", code="unknown_user")
        user = found
    since = _today(since)
    sitting = ConferenceOfficer.objects.filter(user=user, until__isnull=True)
    if sitting.filter(position=position).exists():
        raise Conflict(f"{user}已担任该职务", field="user", code="already_officer")
    if position == ConferenceOfficer.CONVENER:
        for o in ConferenceOfficer.objects.filter(position=position, until__isnull=True):
            o.until = since - timedelta(days=1)
            o.save(update_fields=["until"])
    return ConferenceOfficer.objects.create(
        user=user, position=position, title=title.strip(), since=since, assigned_by=actor
    )


@transaction.atomic
def officer_end(*, actor: User, officer: ConferenceOfficer, until: date | None = None) -> ConferenceOfficer:
    access.ensure_admin(actor)
    officer = ConferenceOfficer.objects.select_for_update().get(pk=officer.pk)
    if officer.until is not None:
        raise IllegalTransition("该人员已卸任", code="officer_ended")
    officer.until = _today(until)
    officer.save(update_fields=["until"])
    return officer


# --- meetings -------------------------------------------------------------------------------


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def planned_day(year: int, quarter: int) -> date:
    from django.conf import settings

    day = date(year, 3 * quarter, int(getattr(settings, "JIUZHU_MEETING_DAY", MEETING_DAY)))
    table = holiday_table()
    while not is_workday(day, table) or day.weekday() >= 5:  # not on a make-up weekend day
        day += timedelta(days=1)
    return day


def agenda_period(meeting: Meeting, *, today: date | None = None) -> tuple[date, date]:
    """The period whose figures open the agenda: the meeting's quarter up to the meeting (or
    today, if earlier); an extraordinary meeting looks back 90 days."""
    end = min(meeting.held_on or meeting.planned_on, _today(today))
    if meeting.kind == Meeting.QUARTERLY and meeting.quarter:
        start = quarter_bounds(meeting.year, meeting.quarter)[0]
    else:
        start = end - timedelta(days=90)
    return start, max(start, end)


def _directives_item(meeting: Meeting, *, today: date | None = None) -> None:
    """(Re)write the automatic first item: the open directives, per unit."""
    meeting.agenda.filter(auto=True, kind=AgendaItem.DIRECTIVES).delete()
    open_parts = (
        Assignment.objects.filter(directive__status=Directive.OPEN)
        .exclude(state=Assignment.CLOSED)
        .select_related("directive", "unit")
        .order_by("directive__due_on", "directive_id", "unit__code")
    )
    rows = [
        {
            "directive": a.directive.number,
            "title": a.directive.title,
            "unit": a.unit.name,
            "unit_code": a.unit.code,
            "due_on": a.due_on.isoformat(),
            "state": a.get_state_display(),
            "overdue": a.state == Assignment.OPEN and a.due_on < _today(today),
            "escalation_level": a.escalation_level,
        }
        for a in open_parts
    ]
    overdue = sum(bool(r["overdue"]) for r in rows)
    AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaItem.DIRECTIVES,
        auto=True,
        position=0,
        title="通报上次会议以来督办事项落实情况",
        detail=f"未办结督办事项 {len({r['directive'] for r in rows})} 项（涉及单位 {len(rows)} 家次），其中超期 {overdue} 家次",
        data={"rows": rows},
    )


def _figures_item(meeting: Meeting, *, today: date | None = None) -> None:
    """(Re)write the automatic second item: the period's key figures."""
    meeting.agenda.filter(auto=True, kind=AgendaItem.FIGURES).delete()
    start, end = agenda_period(meeting, today=today)
    AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaItem.FIGURES,
        auto=True,
        position=1,
        title=f"通报本期主要指标（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）",
        data=figures.key_figures(start=start, end=end),
    )


def _refresh_agenda(meeting: Meeting, *, today: date | None = None) -> None:
    """Rewrite the automatic items (manual items come after them, from position 2)."""
    _directives_item(meeting, today=today)
    _figures_item(meeting, today=today)


def _follow_directives(today: date | None) -> None:
    """A directive moved: the next planned meeting's first agenda item follows at once (the
    figures wait for the daily tick: they may be costly)."""
    nxt = (
        Meeting.objects.filter(status=Meeting.PLANNED, planned_on__gte=_today(today))
        .order_by("planned_on")
        .first()
    )
    if nxt is not None:
        _directives_item(nxt, today=today)


@transaction.atomic
def agenda_refresh(*, actor: User | None = None, meeting: Meeting, today: date | None = None) -> Meeting:
    """Refresh the automatic agenda items of a planned meeting (a held meeting's are frozen)."""
    if actor is not None:
        access.ensure_convener(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.PLANNED:
        raise IllegalTransition("会议已召开或已取消，议程不再更新", code="meeting_not_planned")
    _refresh_agenda(meeting, today=today)
    return meeting


@transaction.atomic
def meetings_plan_year(*, actor: User | None = None, year: int, today: date | None = None) -> list[Meeting]:
    """The year's four quarterly meetings (those not yet planned); each gets its automatic
    agenda. Running it twice adds nothing."""
    if actor is not None:
        access.ensure_convener(actor)
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed("年份不正确", field="year", code="invalid_year")
    made = []
    for q in (1, 2, 3, 4):
        if Meeting.objects.filter(kind=Meeting.QUARTERLY, year=year, quarter=q).exists():
            continue
        try:
            with transaction.atomic():
                meeting = Meeting.objects.create(
                    kind=Meeting.QUARTERLY,
                    title=f"{year}年{QUARTER_NAMES[q]}社会救助工作联席会议",
                    year=year,
                    quarter=q,
                    planned_on=planned_day(year, q),
                    created_by=actor,
                )
        except IntegrityError:  # planned concurrently
            continue
        _refresh_agenda(meeting, today=today)
        made.append(meeting)
    return made


@transaction.atomic
def meeting_call(
    *,
    actor: User,
    title: str,
    planned_on: date | None,
    reason: str,
    location: str = "",
    today: date | None = None,
) -> Meeting:
    """An extraordinary meeting called by the convener."""
    access.ensure_convener(actor)
    title = _text(title, "title", "会议名称", max_length=200)
    reason = _text(reason, "reason", "召开事由")
    if not isinstance(planned_on, date):
        raise ValidationFailed("请填写会议日期", field="planned_on", code="required")
    if planned_on < _today(today):
        raise ValidationFailed("会议日期不能早于今天", field="planned_on", code="date_past")
    meeting = Meeting.objects.create(
        kind=Meeting.EXTRAORDINARY,
        title=title,
        year=planned_on.year,
        planned_on=planned_on,
        reason=reason,
        location=_text(location, "location", "地点", required=False, max_length=200),
        created_by=actor,
    )
    _refresh_agenda(meeting, today=today)
    return meeting


def _planned(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.PLANNED:
        raise IllegalTransition("会议已召开或已取消，不能再修改", code="meeting_not_planned")
    return meeting


@transaction.atomic
def agenda_add(*, actor: User, meeting: Meeting, title: str, detail: str = "", unit=None) -> AgendaItem:
    access.ensure_convener(actor)
    meeting = _planned(meeting)
    last = meeting.agenda.order_by("-position").first()
    return AgendaItem.objects.create(
        meeting=meeting,
        title=_text(title, "title", "议题", max_length=200),
        detail=_text(detail, "detail", "说明", required=False),
        unit=_unit(unit) if unit else None,
        position=max(last.position + 1, 2) if last else 2,
    )


@transaction.atomic
def attendance_record(
    *, actor: User, meeting: Meeting, unit, status: str, attendee: str = "", note: str = ""
) -> Attendance:
    """Record (or correct) one member unit's attendance; a delegate must be named."""
    access.ensure_convener(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.CANCELLED:
        raise IllegalTransition("会议已取消", code="meeting_cancelled")
    unit = _unit(unit)
    if not unit.is_conference_member:
        raise ValidationFailed(f"{unit.name}不是联席会议成员单位", field="unit", code="not_member")
    if status not in AttendanceStatus.values:
        raise ValidationFailed("出席情况应为出席、缺席或委托出席", field="status", code="invalid_status")
    attendee = _text(attendee, "attendee", "出席人", required=False, max_length=100)
    note = _text(note, "note", "说明", required=False, max_length=200)
    if status == Attendance.DELEGATE and not attendee:
        raise ValidationFailed("委托出席须填写出席人", field="attendee", code="required")
    row, _ = Attendance.objects.update_or_create(
        meeting=meeting,
        unit=unit,
        defaults={"status": status, "attendee": attendee, "note": note},
    )
    return row


@transaction.atomic
def attachment_add(*, actor: User, meeting: Meeting, file, name: str, title: str = "") -> MeetingAttachment:
    from jiuzhu.intake import documents

    access.ensure_convener(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.CANCELLED:
        raise IllegalTransition("会议已取消", code="meeting_cancelled")
    title = _text(title, "title", "名称", required=False, max_length=100)
    stored = documents.store(file)
    return MeetingAttachment.objects.create(
        meeting=meeting,
        title=title,
        original_name=(name or "file")[:200],
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        path=stored.path,
        uploaded_by=actor,
    )


@transaction.atomic
def meeting_hold(
    *, actor: User, meeting: Meeting, held_on: date | None = None, minutes: str, today: date | None = None
) -> Meeting:
    """Record that the meeting was held, with its minutes. Its automatic agenda is frozen as it
    was; the next planned meeting's agenda is refreshed."""
    access.ensure_convener(actor)
    meeting = _planned(meeting)
    held_on = held_on or _today(today)
    if held_on > _today(today):
        raise ValidationFailed("召开日期不能晚于今天", field="held_on", code="date_future")
    meeting.minutes = _text(minutes, "minutes", "会议纪要")
    meeting.held_on = held_on
    meeting.status = Meeting.HELD
    meeting.chaired_by = actor
    meeting.save(update_fields=["minutes", "held_on", "status", "chaired_by"])
    following = (
        Meeting.objects.filter(status=Meeting.PLANNED, planned_on__gte=held_on).order_by("planned_on").first()
    )
    if following is not None:
        _refresh_agenda(following, today=today)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    access.ensure_convener(actor)
    meeting = _planned(meeting)
    meeting.status = Meeting.CANCELLED
    meeting.reason = (meeting.reason + "\n取消原因：" + _text(reason, "reason", "取消原因")).strip()
    meeting.save(update_fields=["status", "reason"])
    return meeting


# --- directives -----------------------------------------------------------------------------


def _number(year: int) -> str:
    prefix = f"DB{year}-"
    last = (
        Directive.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{n:03d}"


@transaction.atomic
def directive_create(
    *,
    actor: User,
    title: str,
    units: list,
    limit_days: int | str,
    detail: str = "",
    meeting: Meeting | None = None,
    lead_unit=None,
    today: date | None = None,
) -> Directive:
    """A directive decided at ``meeting`` (held, or being held today) or by the convener
    alone, assigned to ``units`` (codes or units), due ``limit_days`` working days after it
    is decided. The first unit leads unless ``lead_unit`` says otherwise."""
    access.ensure_convener(actor)
    today = _today(today)
    title = _text(title, "title", "督办事项", max_length=200)
    try:
        limit = int(limit_days)
    except (TypeError, ValueError):
        raise ValidationFailed(
            "办理时限应为工作日数（整数）", field="limit_days", code="invalid_limit"
        ) from None
    if not 1 <= limit <= MAX_LIMIT_DAYS:
        raise ValidationFailed(
            f"办理时限应在 1 至 {MAX_LIMIT_DAYS} 个工作日之间", field="limit_days", code="invalid_limit"
        )
    codes: list[Unit] = []
    for u in units or []:
        unit = _unit(u, "units")
        if unit.pk not in [x.pk for x in codes]:
            codes.append(unit)
    if not codes:
        raise ValidationFailed("请至少选择一个承办单位", field="units", code="required")
    for unit in codes:
        if not unit.is_conference_member:
            raise ValidationFailed(f"{unit.name}不是联席会议成员单位", field="units", code="not_member")
    lead = _unit(lead_unit, "lead_unit") if lead_unit else codes[0]
    if lead.pk not in [u.pk for u in codes]:
        raise ValidationFailed("牵头单位须是承办单位之一", field="lead_unit", code="lead_not_assigned")
    if meeting is not None:
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == Meeting.CANCELLED:
            raise IllegalTransition("会议已取消，不能作出督办决定", code="meeting_cancelled")
        if meeting.status == Meeting.PLANNED and meeting.planned_on > today:
            raise IllegalTransition("会议尚未召开，不能作出督办决定", code="meeting_not_held")
    due = deadline(today, limit)
    directive = Directive.objects.create(
        number=_number(today.year),
        title=title,
        detail=_text(detail, "detail", "具体要求", required=False),
        meeting=meeting,
        decided_on=today,
        limit_days=limit,
        due_on=due.due,
        due_warning="；".join(due.warnings)[:300],
        created_by=actor,
    )
    for unit in codes:
        a = Assignment.objects.create(directive=directive, unit=unit, lead=unit.pk == lead.pk, due_on=due.due)
        _event(
            a, AssignmentEventKind.ASSIGNED, actor=actor, on=today, note=f"交办，期限 {due.due.isoformat()}"
        )
    _follow_directives(today)
    return directive


def _event(
    a: Assignment,
    kind: AssignmentEventKind,
    *,
    actor: User | None = None,
    on: date,
    note: str = "",
    data=None,
) -> AssignmentEvent:
    return AssignmentEvent.objects.create(
        assignment=a,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        on=on,
        note=note,
        data=data or {},
    )


def _locked(assignment, version: int | None) -> Assignment:
    a = lock(
        Assignment.objects.select_related("directive", "unit"),
        assignment,
        missing="督办任务不存在",
        code="assignment_not_found",
    )
    check_version(a, version, message="该督办任务已被他人处理，请刷新后重试")
    return a


@racing_write
@transaction.atomic
def assignment_report(
    *, actor: User, assignment, note: str, version: int | None = None, today: date | None = None
) -> AssignmentEvent:
    """The assigned unit reports progress."""
    a = _locked(assignment, version)
    access.ensure_unit_staff(actor, a.unit, what="该督办任务")
    if a.state == Assignment.CLOSED:
        raise IllegalTransition("该督办任务已办结", code="assignment_closed")
    note = _text(note, "note", "进展情况")
    bump(a, update_fields=[])
    return _event(a, AssignmentEventKind.PROGRESS, actor=actor, on=_today(today), note=note)


@racing_write
@transaction.atomic
def assignment_request_closure(
    *, actor: User, assignment, note: str, version: int | None = None, today: date | None = None
) -> Assignment:
    """The unit says its part is done and asks the convener to accept it."""
    a = _locked(assignment, version)
    access.ensure_unit_staff(actor, a.unit, what="该督办任务")
    if a.state != Assignment.OPEN:
        raise IllegalTransition("该督办任务已申请办结或已办结", code="assignment_not_open", state=a.state)
    note = _text(note, "note", "办理结果")
    a.state = Assignment.CLOSURE_REQUESTED
    bump(a, update_fields=["state"])
    _event(a, AssignmentEventKind.CLOSURE_REQUESTED, actor=actor, on=_today(today), note=note)
    _follow_directives(today)
    return a


@racing_write
@transaction.atomic
def assignment_accept(
    *, actor: User, assignment, note: str = "", version: int | None = None, today: date | None = None
) -> Assignment:
    """The convener accepts the unit's closure; the directive closes with its last part."""
    access.ensure_convener(actor)
    a = _locked(assignment, version)
    if a.state != Assignment.CLOSURE_REQUESTED:
        raise IllegalTransition("该督办任务尚未申请办结", code="closure_not_requested", state=a.state)
    today = _today(today)
    a.state = Assignment.CLOSED
    a.closed_on = today
    bump(a, update_fields=["state", "closed_on"])
    _event(
        a,
        AssignmentEventKind.ACCEPTED,
        actor=actor,
        on=today,
        note=_text(note, "note", "说明", required=False),
    )
    d = Directive.objects.select_for_update().get(pk=a.directive_id)
    if not d.assignments.exclude(state=Assignment.CLOSED).exists():
        d.status = Directive.CLOSED
        d.closed_on = today
        d.save(update_fields=["status", "closed_on"])
    _follow_directives(today)
    return a


@racing_write
@transaction.atomic
def assignment_send_back(
    *, actor: User, assignment, reason: str, version: int | None = None, today: date | None = None
) -> Assignment:
    """The convener does not accept: the part is open again with its original due date (so
    it may already be overdue)."""
    access.ensure_convener(actor)
    a = _locked(assignment, version)
    if a.state != Assignment.CLOSURE_REQUESTED:
        raise IllegalTransition("该督办任务尚未申请办结", code="closure_not_requested", state=a.state)
    reason = _text(reason, "reason", "退回理由")
    a.state = Assignment.OPEN
    bump(a, update_fields=["state"])
    _event(a, AssignmentEventKind.SENT_BACK, actor=actor, on=_today(today), note=reason)
    _follow_directives(today)
    return a
