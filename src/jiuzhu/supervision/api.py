"""Supervision JSON API, mounted at /api/supervision/. Thin: parse, call one service or selector,
shape. Errors are ``{"code", "field", "message"}``; a supervisor's writes are refused by the
platform guard with ``supervisor_read_only`` (403). The public complaint and its look-up need
no log-in and are throttled per client address (429 ``too_many_attempts``)."""

from __future__ import annotations

from datetime import date

from ninja import Field, Query, Router, Schema, Status

from jiuzhu.common import jobs
from jiuzhu.common.api import JobAcceptedOut
from jiuzhu.common.errors import NotFound
from jiuzhu.common.schemas import ErrorOut
from jiuzhu.common.signin import client_ip
from jiuzhu.common.values import DateParam, Id, YearParam
from jiuzhu.registry.models import User

from . import access, audit, complaints, selectors, services
from .models import Assignment, Complaint, Meeting

router = Router(tags=["supervision 联席会议与监督"])


ERRORS = {frozenset({400, 401, 403, 404, 409, 422, 429}): ErrorOut}


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    year: int
    quarter: int | None
    planned_on: date
    held_on: date | None
    status: str
    minutes: str
    agenda: list[dict]


def _meeting(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "title": m.title,
        "year": m.year,
        "quarter": m.quarter,
        "planned_on": m.planned_on,
        "held_on": m.held_on,
        "status": m.status,
        "minutes": m.minutes,
        "agenda": [
            {"kind": a.kind, "auto": a.auto, "title": a.title, "detail": a.detail, "data": a.data}
            for a in m.agenda.all()
        ],
    }


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS})
def meetings(request, year: YearParam | None = None):
    access.ensure_can_read(request.user)
    return [_meeting(m) for m in selectors.meetings(year=year).prefetch_related("agenda")]


class PlanIn(Schema):
    year: int


@router.post("/meetings/plan", response={200: list[MeetingOut], **ERRORS})
def meetings_plan(request, payload: PlanIn):
    """Plan the year's four quarterly meetings (those not planned yet)."""
    return [_meeting(m) for m in services.meetings_plan_year(actor=request.user, year=payload.year)]


class AssignmentOut(Schema):
    id: int
    version: int
    unit: str
    lead: bool
    state: str
    due_on: date
    escalation_level: int
    closed_on: date | None


class DirectiveOut(Schema):
    id: int
    number: str
    title: str
    meeting: Id | None
    decided_on: date
    limit_days: int
    due_on: date
    status: str
    assignments: list[AssignmentOut]


def _directive(d) -> dict:
    return {
        "id": d.pk,
        "number": d.number,
        "title": d.title,
        "meeting": d.meeting_id,
        "decided_on": d.decided_on,
        "limit_days": d.limit_days,
        "due_on": d.due_on,
        "status": d.status,
        "assignments": [
            {
                "id": a.pk,
                "version": a.version,
                "unit": a.unit.code,
                "lead": a.lead,
                "state": a.state,
                "due_on": a.due_on,
                "escalation_level": a.escalation_level,
                "closed_on": a.closed_on,
            }
            for a in d.assignments.all()
        ],
    }


@router.get("/directives", response={200: list[DirectiveOut], **ERRORS})
def directives(request, status: str | None = None):
    access.ensure_can_read(request.user)
    return [_directive(d) for d in selectors.directives(status=status)]


class DirectiveIn(Schema):
    title: str
    units: list[str] = Field(..., description="承办单位代码，第一个为牵头单位")
    limit_days: int = Field(..., description="办理时限（工作日）")
    detail: str = ""
    meeting: Id | None = None


@router.post("/directives", response={201: DirectiveOut, **ERRORS})
def directive_create(request, payload: DirectiveIn):
    meeting = None
    if payload.meeting is not None:
        meeting = Meeting.objects.filter(pk=payload.meeting).first()
        if meeting is None:
            raise NotFound("会议不存在", field="meeting", code="meeting_not_found")
    d = services.directive_create(
        actor=request.user,
        title=payload.title,
        units=payload.units,
        limit_days=payload.limit_days,
        detail=payload.detail,
        meeting=meeting,
    )
    return Status(201, _directive(d))


class AssignmentActIn(Schema):
    note: str = ""
    reason: str = ""
    version: int | None = None


@router.post("/assignments/{pk}/{action}", response={200: AssignmentOut, **ERRORS})
def assignment_act(request, pk: Id, action: str, payload: AssignmentActIn):
    """``action``: report / request_closure (the unit), accept / send_back (the convener)."""
    a = Assignment.objects.filter(pk=pk).first()
    if a is None:
        raise NotFound("督办任务不存在", code="assignment_not_found")
    kw = {"actor": request.user, "assignment": a, "version": payload.version}
    if action == "report":
        services.assignment_report(note=payload.note, **kw)
    elif action == "request_closure":
        services.assignment_request_closure(note=payload.note, **kw)
    elif action == "accept":
        services.assignment_accept(note=payload.note, **kw)
    elif action == "send_back":
        services.assignment_send_back(reason=payload.reason, **kw)
    else:
        raise NotFound("未知操作", code="unknown_action")
    a.refresh_from_db()
    return {
        "id": a.pk,
        "version": a.version,
        "unit": a.unit.code,
        "lead": a.lead,
        "state": a.state,
        "due_on": a.due_on,
        "escalation_level": a.escalation_level,
        "closed_on": a.closed_on,
    }


class ComplaintIn(Schema):
    kind: str = Field(..., description="refused_acceptance / overdue / unfair / data_leak / other")
    description: str
    subject: str = Field("", description="case / unit / staff；不填按所填对象推断")
    tracking_code: str = ""
    unit: str = ""
    staff_name: str = ""
    complainant_name: str = ""
    complainant_phone: str = ""


class ComplaintPublicOut(Schema):
    code: str
    display_code: str
    kind: str
    lodged_on: date
    due_on: date
    state: str
    state_display: str
    finding: str
    reply: str
    closed_on: date | None
    handling_unit: str


def _ip(request) -> str:
    return client_ip(request)


def _lodge(request, payload: ComplaintIn, actor: User | None) -> Complaint:
    return complaints.complaint_lodge(actor=actor, ip=_ip(request), **payload.dict())


@router.post("/complaints/public", auth=None, response={201: ComplaintPublicOut, **ERRORS})
def complaint_public(request, payload: ComplaintIn):
    """Anyone: lodge a complaint (throttled per address). Keep the returned code."""
    return Status(201, complaints.public_view(_lodge(request, payload, None)))


@router.post("/complaints", response={201: ComplaintPublicOut, **ERRORS})
def complaint_staff(request, payload: ComplaintIn):
    access.ensure_can_read(request.user)
    return Status(201, complaints.public_view(_lodge(request, payload, request.user)))


@router.get("/complaints/track/{code}", auth=None, response={200: ComplaintPublicOut, **ERRORS})
def complaint_track(request, code: str):
    return complaints.complaint_track(code=code, ip=_ip(request))


class ComplaintOut(Schema):
    id: int
    code: str
    kind: str
    subject: str
    tracking_code: str
    unit: str | None
    staff_name: str
    handling_unit: str
    lodged_on: date
    due_on: date
    state: str
    version: int
    finding: str
    findings: str
    closed_on: date | None


def _complaint(c: Complaint) -> dict:
    return {
        "id": c.pk,
        "code": c.code,
        "kind": c.kind,
        "subject": c.subject,
        "tracking_code": c.tracking_code,
        "unit": c.unit.code if c.unit else None,
        "staff_name": c.staff_name,
        "handling_unit": c.handling_unit.code,
        "lodged_on": c.lodged_on,
        "due_on": c.due_on,
        "state": c.state,
        "version": c.version,
        "finding": c.finding,
        "findings": c.findings,
        "closed_on": c.closed_on,
    }


@router.get("/complaints", response={200: list[ComplaintOut], **ERRORS})
def complaint_list(request, state: str | None = None):
    """The complaints the user may see (all for supervisors, the convener and the admin; the
    handling unit's; those the user lodged)."""
    access.ensure_can_read(request.user)
    return [_complaint(c) for c in selectors.complaints_for(request.user, state=state)[:500]]


class ComplaintActIn(Schema):
    text: str = Field("", description="note：调查记录")
    finding: str = Field("", description="close：confirmed / not_confirmed")
    findings: str = Field("", description="close：调查结果")
    reply: str = Field("", description="close：答复投诉人（可不填）")
    kind: str = Field("", description="accountability：问责方式，如 criticism / warning")
    decided_by: str = Field("", description="accountability：决定机关")
    decided_on: date | None = Field(None, description="accountability：决定日期")
    staff_name: str = Field("", description="accountability：被问责人（默认投诉所涉人员）")
    note: str = ""
    version: int | None = None


@router.post("/complaints/{code}/{action}", response={200: ComplaintOut, **ERRORS})
def complaint_act(request, code: str, action: str, payload: ComplaintActIn):
    """``action``: note / close / accountability — staff of the handling unit."""
    c = Complaint.objects.filter(code=code.upper()).first()
    if c is None:
        raise NotFound("投诉不存在", code="complaint_not_found")
    if action == "note":
        complaints.complaint_note(actor=request.user, complaint=c, text=payload.text, version=payload.version)
    elif action == "close":
        complaints.complaint_close(
            actor=request.user,
            complaint=c,
            finding=payload.finding,
            findings=payload.findings,
            reply=payload.reply,
            version=payload.version,
        )
    elif action == "accountability":
        complaints.accountability_record(
            actor=request.user,
            complaint=c,
            kind=payload.kind,
            decided_by=payload.decided_by,
            decided_on=payload.decided_on,
            staff_name=payload.staff_name,
            note=payload.note,
        )
    else:
        raise NotFound("未知操作", code="unknown_action")
    c.refresh_from_db()
    return _complaint(c)


class AccountabilityOut(Schema):
    complaint: str
    staff_name: str
    unit: str
    kind: str
    kind_display: str
    decided_by: str
    decided_on: date


@router.get("/accountability", response={200: list[AccountabilityOut], **ERRORS})
def accountability(request):
    """Accountability records (supervisors, the convener, the admin)."""
    access.ensure_oversight(request.user)
    return [
        {
            "complaint": r.complaint.code,
            "staff_name": r.staff_name,
            "unit": r.unit.code,
            "kind": r.kind,
            "kind_display": r.get_kind_display(),
            "decided_by": r.decided_by,
            "decided_on": r.decided_on,
        }
        for r in selectors.accountability_records()[:500]
    ]


@router.get("/kpi", response={200: dict, **ERRORS})
def kpi(request, start: DateParam, end: DateParam, unit: str | None = None):
    """``selectors.kpi_supervision`` for a period (city-wide, or one unit by code)."""
    access.ensure_can_read(request.user)
    u = None
    if unit:
        from jiuzhu.registry.models import Unit

        u = Unit.objects.filter(code=unit).first()
        if u is None:
            raise NotFound("单位不存在", field="unit", code="unknown_unit")
    return {
        k: str(v) if not isinstance(v, int) else v
        for k, v in selectors.kpi_supervision(start=start, end=end, unit=u).items()
    }


class AuditQuery(Schema):
    id_number: str = Field("", max_length=18)
    name: str = Field("", max_length=50)
    household: str = Field("", max_length=40)
    unit: str = Field("", max_length=40)
    username: str = Field("", max_length=150)
    start: DateParam | None = None
    end: DateParam | None = None


@router.get("/audit/search", response={200: dict, **ERRORS})
def audit_search(request, q: Query[AuditQuery]):
    """The access log and the change history matching the criteria (supervisors, admin)."""
    result = audit.search(actor=request.user, criteria=audit.criteria_from(q.dict()))
    return {
        "households": result.households,
        "truncated": result.truncated,
        "access": [{**r, "at": r["at"].isoformat()} for r in result.access],
        "changes": [
            {
                **r,
                "at": r["at"].isoformat(),
                "changes": [{k: str(v) for k, v in ch.items()} for ch in r["changes"]],
            }
            for r in result.changes
        ],
    }


@router.get("/audit/export", response={202: JobAcceptedOut, **ERRORS})
def audit_export(request, q: Query[AuditQuery]):
    """The same as an Excel file, built by a background job (202): when the job is done its
    result names the file, downloaded from ``/api/jobs/{id}/file``; the export is logged."""
    job = audit.export_queue(actor=request.user, criteria=audit.criteria_from(q.dict()))
    return Status(202, jobs.accepted(job))
