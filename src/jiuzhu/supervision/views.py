"""Screens of the joint conference, complaints and the audit view. Views parse the form, call
one service and redirect; a broken rule comes back as the service's Chinese message on the page
the user came from. The public complaint pages need no log-in."""

from __future__ import annotations

import functools
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jiuzhu.common import clock
from jiuzhu.common.errors import JiuzhuError, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.exports import download
from jiuzhu.common.masking import DEPARTMENT_OFFICER
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access
from jiuzhu.common.signin import client_ip
from jiuzhu.common.views import post_action
from jiuzhu.intake import tracking
from jiuzhu.registry.models import Unit, User

from . import access, audit, complaints, selectors, services
from .models import (
    AccountabilityKind,
    Assignment,
    AttendanceStatus,
    Complaint,
    ComplaintFinding,
    ComplaintKind,
    ComplaintState,
    ComplaintSubject,
    ConferenceOfficer,
    Directive,
    Meeting,
    MeetingAttachment,
    OfficerPosition,
)


def _error(request, exc: JiuzhuError):
    return render(request, "supervision/error.html", {"error": exc}, status=exc.status)


def reads(view):
    """Log-in, a role that may open the supervision pages; typed errors become an error page."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            access.ensure_can_read(request.user)
            return view(request, *args, **kwargs)
        except JiuzhuError as exc:
            return _error(request, exc)

    return wrapper


# POST views: a broken rule becomes a message; the reader check runs first.
acts = post_action("supervision:home", check=access.ensure_can_read)


def _date(raw, field: str, label: str = "日期") -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{label}格式应为 YYYY-MM-DD", field=field, code="invalid_date") from None


def _int(raw) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _get(model, pk, message):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(message)
    return obj


def _ip(request) -> str:
    return client_ip(request)


# --- home and conference ------------------------------------------------------------------------


@reads
def home(request):
    user = request.user
    role = role_of(user)
    convener = access.is_convener(user)
    return render(
        request,
        "supervision/home.html",
        {
            "convener": convener,
            "auditor": role in access.AUDIT_ROLES,
            "oversight": role in access.OVERSIGHT_ROLES,
            "next_meeting": selectors.next_meeting(),
            "my_parts": list(selectors.assignments(unit=user.unit, open_only=True)) if user.unit_id else [],
            "waiting": list(selectors.assignments().filter(state=Assignment.CLOSURE_REQUESTED))
            if convener
            else [],
            "complaints": list(selectors.complaints_for(user).exclude(state=Complaint.CLOSED)[:20]),
            "notices": selectors.notices_for(user),
            "today": clock.today(),
        },
    )


@reads
def conference(request):
    return render(
        request,
        "supervision/conference.html",
        {
            "members": selectors.member_units(),
            "officers": selectors.officers(),
            "positions": OfficerPosition.choices,
            "is_admin": role_of(request.user) == "admin",
        },
    )


@acts
def officer_assign(request):
    o = services.officer_assign(
        actor=request.user,
        user=request.POST.get("username", ""),
        position=request.POST.get("position", ""),
        title=request.POST.get("title", ""),
        since=_date(request.POST.get("since"), "since"),
    )
    messages.success(request, f"已指定{o.user}为{o.get_position_display()}")
    return redirect("supervision:conference")


@acts
def officer_end(request, pk: int):
    o = _get(ConferenceOfficer, pk, "记录不存在")
    services.officer_end(actor=request.user, officer=o)
    messages.success(request, f"{o.user}已卸任")
    return redirect("supervision:conference")


# --- meetings -------------------------------------------------------------------------------


@reads
def meetings(request):
    year = _int(request.GET.get("year")) or clock.today().year
    return render(
        request,
        "supervision/meetings.html",
        {
            "meetings": selectors.meetings(year=year),
            "year": year,
            "convener": access.is_convener(request.user),
        },
    )


@acts
def meetings_plan(request):
    year = _int(request.POST.get("year")) or clock.today().year
    made = services.meetings_plan_year(actor=request.user, year=year)
    messages.success(request, f"已生成 {year} 年季度例会 {len(made)} 次")
    return redirect(reverse("supervision:meetings") + f"?year={year}")


@acts
def meeting_call(request):
    m = services.meeting_call(
        actor=request.user,
        title=request.POST.get("title", ""),
        planned_on=_date(request.POST.get("planned_on"), "planned_on", "会议日期"),
        reason=request.POST.get("reason", ""),
        location=request.POST.get("location", ""),
    )
    messages.success(request, "已召集专题会议")
    return redirect("supervision:meeting", pk=m.pk)


@reads
def meeting(request, pk: int):
    m = _get(Meeting, pk, "会议不存在")
    attendance = {a.unit_id: a for a in m.attendance.all()}
    members = [(u, attendance.get(u.pk)) for u in selectors.member_units()]
    return render(
        request,
        "supervision/meeting.html",
        {
            "m": m,
            "agenda": m.agenda.select_related("unit"),
            "members": members,
            "statuses": AttendanceStatus.choices,
            "attachments": m.attachments.all(),
            "directives": m.directives.prefetch_related("assignments__unit"),
            "convener": access.is_convener(request.user),
            "units": selectors.member_units(),
            "today": clock.today(),
        },
    )


@acts
def meeting_act(request, pk: int, action: str):
    m, p, user = _get(Meeting, pk, "会议不存在"), request.POST, request.user
    if action == "agenda":
        services.agenda_add(actor=user, meeting=m, title=p.get("title", ""), detail=p.get("detail", ""))
        done = "已添加议题"
    elif action == "refresh":
        services.agenda_refresh(actor=user, meeting=m)
        done = "已更新自动议题"
    elif action == "attendance":
        for u in selectors.member_units():
            status = p.get(f"status_{u.code}")
            if status:
                services.attendance_record(
                    actor=user, meeting=m, unit=u, status=status, attendee=p.get(f"attendee_{u.code}", "")
                )
        done = "已登记出席情况"
    elif action == "attachment":
        f = request.FILES.get("file")
        if f is None:
            raise ValidationFailed("请选择文件", field="file", code="required")
        services.attachment_add(actor=user, meeting=m, file=f, name=f.name, title=p.get("title", ""))
        done = "附件已上传"
    elif action == "hold":
        services.meeting_hold(
            actor=user,
            meeting=m,
            held_on=_date(p.get("held_on"), "held_on", "召开日期"),
            minutes=p.get("minutes", ""),
        )
        done = "会议纪要已保存，会议已召开"
    elif action == "cancel":
        services.meeting_cancel(actor=user, meeting=m, reason=p.get("reason", ""))
        done = "会议已取消"
    elif action == "directive":
        d = services.directive_create(
            actor=user,
            meeting=m,
            title=p.get("title", ""),
            detail=p.get("detail", ""),
            units=p.getlist("units"),
            limit_days=p.get("limit_days", ""),
        )
        done = f"已交办督办事项 {d.number}"
    else:
        raise NotFound("未知操作")
    messages.success(request, done)
    return redirect("supervision:meeting", pk=m.pk)


@reads
def meeting_pdf(request, pk: int):
    from jiuzhu.policy.selectors import current_policy

    from . import minutes

    m = _get(Meeting, pk, "会议不存在")
    return download(
        minutes.meeting_pdf(m, city=current_policy().city.name), f"会议材料-{m.title}.pdf", inline=True
    )


@reads
def attachment(request, pk: int):
    from jiuzhu.intake import documents

    a = _get(MeetingAttachment, pk, "附件不存在")
    return FileResponse(documents.open_stored(a.path), content_type=a.content_type, filename=a.original_name)


# --- directives -----------------------------------------------------------------------------


@reads
def directives(request):
    return render(
        request,
        "supervision/directives.html",
        {
            "directives": selectors.directives(status=request.GET.get("status") or None),
            "convener": access.is_convener(request.user),
            "units": selectors.member_units(),
            "today": clock.today(),
        },
    )


@acts
def directive_create(request):
    p = request.POST
    d = services.directive_create(
        actor=request.user,
        title=p.get("title", ""),
        detail=p.get("detail", ""),
        units=p.getlist("units"),
        limit_days=p.get("limit_days", ""),
    )
    messages.success(request, f"已交办督办事项 {d.number}")
    return redirect("supervision:directive", pk=d.pk)


@reads
def directive(request, pk: int):
    d = _get(Directive, pk, "督办事项不存在")
    parts = list(d.assignments.select_related("unit").prefetch_related("events__actor"))
    return render(
        request,
        "supervision/directive.html",
        {"d": d, "parts": parts, "convener": access.is_convener(request.user), "today": clock.today()},
    )


@acts
def assignment_act(request, pk: int, action: str):
    a = _get(Assignment, pk, "督办任务不存在")
    p, user, v = request.POST, request.user, _int(request.POST.get("version"))
    if action == "report":
        services.assignment_report(actor=user, assignment=a, note=p.get("note", ""), version=v)
        done = "进展已报告"
    elif action == "request_closure":
        services.assignment_request_closure(actor=user, assignment=a, note=p.get("note", ""), version=v)
        done = "已申请办结，等待召集人验收"
    elif action == "accept":
        services.assignment_accept(actor=user, assignment=a, note=p.get("note", ""), version=v)
        done = "已验收办结"
    elif action == "send_back":
        services.assignment_send_back(actor=user, assignment=a, reason=p.get("reason", ""), version=v)
        done = "已退回承办单位"
    else:
        raise NotFound("未知操作")
    messages.success(request, done)
    return redirect("supervision:directive", pk=a.directive_id)


# --- complaints -----------------------------------------------------------------------------


def _complaint_form_context(public: bool) -> dict:
    return {
        "kinds": ComplaintKind.choices,
        "subjects": ComplaintSubject.choices,
        "units": Unit.objects.order_by("kind", "sort_order", "code"),
        "public": public,
    }


def _lodge(request, *, actor: User | None):
    p = request.POST
    return complaints.complaint_lodge(
        actor=actor,
        ip=_ip(request),
        kind=p.get("kind", ""),
        subject=p.get("subject", ""),
        description=p.get("description", ""),
        tracking_code=p.get("tracking_code", ""),
        unit=p.get("unit", ""),
        staff_name=p.get("staff_name", ""),
        staff_username=p.get("staff_username", "") if actor else "",
        complainant_name=p.get("complainant_name", ""),
        complainant_phone=p.get("complainant_phone", ""),
    )


def complain(request):
    """Public: lodge a complaint (no log-in; throttled per client address)."""
    ctx, status = _complaint_form_context(True), 200
    if request.method == "POST":
        try:
            c = _lodge(request, actor=None)
        except JiuzhuError as exc:
            ctx.update(error=exc.message, post=request.POST)
            status = exc.status
        else:
            ctx["lodged"] = complaints.public_view(c)
    response = render(request, "supervision/complain.html", ctx, status=status)
    if status == 429:
        response["Retry-After"] = str(complaints.lodge_limits()[1])
    return response


def complaint_track(request):
    """Public: follow a complaint by its code."""
    ctx, status = {}, 200
    code = request.POST.get("code") if request.method == "POST" else request.GET.get("code")
    if code:
        ctx["code"] = code
        try:
            ctx["result"] = complaints.complaint_track(code=code, ip=_ip(request))
        except JiuzhuError as exc:
            ctx["error"], status = exc.message, exc.status
    return render(request, "supervision/complaint_track.html", ctx, status=status)


@reads
def complaint_list(request):
    user = request.user
    if request.method == "POST":
        try:
            c = _lodge(request, actor=user)
        except JiuzhuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"投诉已提交，查询码 {tracking.display(c.code)}")
            return redirect("supervision:complaint", pk=c.pk)
    return render(
        request,
        "supervision/complaints.html",
        {
            "complaints": selectors.complaints_for(user, state=request.GET.get("state") or None)[:200],
            "states": ComplaintState.choices,
            **_complaint_form_context(False),
        },
    )


@reads
def complaint(request, pk: int):
    c = _get(Complaint, pk, "投诉不存在")
    complaints.ensure_can_view(request.user, c)
    role = role_of(request.user)
    log_access(
        user=request.user,
        action="view",
        object_type="supervision.complaint",
        object_id=c.code,
        household_code=c.application.household.code if c.application_id else "",
        purpose="投诉办理与监督",
    )
    handler = request.user.unit_id == c.handling_unit_id and role not in ("supervisor", "partner")
    return render(
        request,
        "supervision/complaint.html",
        {
            "c": c,
            "display_code": tracking.display(c.code),
            "complainant": complaints.complainant_of(c, role),
            "notes": c.notes.select_related("by"),
            "records": c.accountability.all() if role in access.OVERSIGHT_ROLES or handler else [],
            "misconduct": getattr(c, "misconduct", None) if hasattr(c, "misconduct") else None,
            "handler": handler,
            "findings": ComplaintFinding.choices,
            "record_kinds": AccountabilityKind.choices,
            "today": clock.today(),
        },
    )


@acts
def complaint_act(request, pk: int, action: str):
    c = _get(Complaint, pk, "投诉不存在")
    p, user, v = request.POST, request.user, _int(request.POST.get("version"))
    if action == "note":
        complaints.complaint_note(actor=user, complaint=c, text=p.get("text", ""), version=v)
        done = "调查记录已保存"
    elif action == "close":
        complaints.complaint_close(
            actor=user,
            complaint=c,
            finding=p.get("finding", ""),
            findings=p.get("findings", ""),
            reply=p.get("reply", ""),
            version=v,
        )
        done = "投诉已办结"
    elif action == "accountability":
        complaints.accountability_record(
            actor=user,
            complaint=c,
            kind=p.get("kind", ""),
            decided_by=p.get("decided_by", ""),
            decided_on=_date(p.get("decided_on"), "decided_on", "决定日期"),
            staff_name=p.get("staff_name", ""),
            note=p.get("note", ""),
        )
        done = "问责记录已保存"
    else:
        raise NotFound("未知操作")
    messages.success(request, done)
    return redirect("supervision:complaint", pk=c.pk)


def _reads_accountability(user) -> bool:
    """Oversight roles, and the staff of the unit that handles complaints (the discipline
    commission's officer who investigates them)."""
    if role_of(user) in access.OVERSIGHT_ROLES:
        return True
    unit = getattr(user, "unit", None)
    return role_of(user) == DEPARTMENT_OFFICER and getattr(unit, "code", "") in complaints.HANDLING_UNITS


@reads
def accountability(request):
    if not _reads_accountability(request.user):
        return _error(
            request, PermissionDenied("只有监督人员、纪检监察办理人员、召集人和管理员可以查看问责记录")
        )
    return render(
        request,
        "supervision/accountability.html",
        {
            "records": selectors.accountability_records()[:500],
            "misconduct": selectors.misconduct_list()[:500],
        },
    )


# --- audit ----------------------------------------------------------------------------------


@reads
def audit_view(request):
    access.ensure_auditor(request.user)
    params = request.POST if request.method == "POST" else request.GET
    ctx = {"units": Unit.objects.order_by("kind", "sort_order", "code"), "q": params}
    try:
        criteria = audit.criteria_from(params)
    except JiuzhuError as exc:
        ctx["error"] = exc.message
        return render(request, "supervision/audit.html", ctx, status=400)
    if not criteria.empty:
        ctx["result"] = audit.search(actor=request.user, criteria=criteria)
        ctx["export_query"] = request.GET.urlencode() if request.method == "GET" else ""
    return render(request, "supervision/audit.html", ctx)


@reads
def audit_export(request):
    """The button (POST, the search's criteria in the query) queues the export as a background
    job and goes to its page, which links to the file when it is built; a GET goes back to
    the search."""
    if request.method != "POST":
        return redirect(reverse("supervision:audit") + "?" + request.GET.urlencode())
    access.ensure_auditor(request.user)
    job = audit.export_queue(actor=request.user, criteria=audit.criteria_from(request.GET))
    return redirect("common:job", job.pk)
