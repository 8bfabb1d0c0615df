"""Verification reads. Every read of a report or a source record goes through here: the role
decides detail or summary, ID numbers are masked by ``common.masking``, and the read is
logged with ``log_access`` (who, when, which household, purpose) in the same transaction."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from django.db import transaction
from django.db.models import Q

from jiuzhu.common import clock, labels, scope
from jiuzhu.common import masking as m
from jiuzhu.common.errors import NotFound
from jiuzhu.common.exports import safe_frame, write_csv
from jiuzhu.common.roles import role_of
from jiuzhu.common.selectors import deadline
from jiuzhu.common.services import log_access
from jiuzhu.registry.models import Household, User

from . import access
from .models import (
    ChangeAlert,
    DatasetVersion,
    Match,
    RecipientService,
    SourceRecord,
    SourceTask,
    VerificationReport,
    VerificationRequest,
)
from .sources import catalogue, source

DUE_SOON_DAYS = 2  # working days, as for referrals (issue 3)


# --- reports ----------------------------------------------------------------------------------


def _mask_snapshot(snap: dict, role: str) -> dict:
    out = copy.deepcopy(snap)
    for mb in out.get("members", []):
        mb["id_number"] = m.present("id_number", mb["id_number"], role)
        mb["name"] = m.present("name", mb["name"], role)
    return out


def summary_of(snap: dict) -> dict:
    """What other roles see: the service asked, the overall result and pass/fail per
    criterion — no figures, no members, no items."""
    c = snap["comparison"]
    return {
        "household": snap["household"]["code"],
        "as_of": snap["as_of"],
        "service": c["service"],
        "service_name": c["service_name"],
        "eligible": c["eligible"],
        "criteria": [{"rule": r["rule"], "passed": r["passed"]} for r in c["reasons"]],
    }


@dataclass
class ReportView:
    report: VerificationReport
    detail: bool
    content: dict  # the masked snapshot (detail) or the summary
    extra: dict = field(default_factory=dict)


@transaction.atomic
def report_read(*, user, report_id: int, purpose: str = "", action: str = "view") -> ReportView:
    """A report as ``user`` may see it; the read (or export) is logged."""
    scope.require(user, "verification.read_report")
    report = VerificationReport.objects.select_related("request", "household").filter(pk=report_id).first()
    if report is None:
        raise NotFound("核对报告不存在", code="report_not_found")
    # a unit reads only the reports of a service it handles for the household now
    scope.require(user, "verification.read_report", household=report.household, service=report.service_code)
    detail = access.sees_detail(user, report.request)
    role = role_of(user)
    content = _mask_snapshot(report.snapshot, role) if detail else summary_of(report.snapshot)
    log_access(
        user=user,
        action=action,
        object_type="verification_report",
        object_id=report.pk,
        household_code=report.household.code,
        purpose=(purpose or report.request.purpose)[:200],
    )
    return ReportView(report=report, detail=detail, content=content)


def report_csv(view: ReportView) -> bytes:
    """The export of a report: one line per item (detail) or per criterion (summary)."""
    if not view.detail:
        passed = {True: "符合", False: "不符合"}
        return write_csv(
            ["事项", "标准", "结果"],
            (
                [view.content["service_name"], c["rule"], passed[bool(c["passed"])]]
                for c in view.content["criteria"]
            ),
        )
    counted = {True: "计入", False: "不计入", None: ""}
    return write_csv(
        ["姓名", "证件号码", "来源", "项目", "金额", "单位", "记录日期", "匹配方式", "是否计入"],
        (
            [
                mb["name"],
                mb["id_number"],
                it.get("source_name", ""),
                it.get("item_name", ""),
                it.get("amount") or "",
                it.get("unit", ""),
                it.get("record_date") or "",
                (it.get("match") or {}).get("name", ""),
                counted[it.get("counted")],
            ]
            for mb in view.content["members"]
            for it in mb["items"] or [{}]
        ),
    )


def reports_of(household: Household) -> list[VerificationReport]:
    return list(household.verification_reports.select_related("request").order_by("-issued_at"))


# --- source records ---------------------------------------------------------------------------


@transaction.atomic
def record_read(*, user, record_id: int, purpose: str = "") -> dict:
    rec = SourceRecord.objects.filter(pk=record_id).first()
    if rec is None:
        raise NotFound("来源记录不存在", code="record_not_found")
    src = source(rec.source)
    access.ensure_may_read_record(user, src)
    role = role_of(user)
    match = Match.objects.filter(record=rec, state=Match.ACCEPTED).select_related("person__household").first()
    log_access(
        user=user,
        action="view",
        object_type="source_record",
        object_id=rec.pk,
        household_code=match.person.household.code if match else "",
        purpose=purpose[:200],
    )
    return {
        "id": rec.pk,
        "source": src.code,
        "source_name": src.name,
        "id_number": m.present("id_number", rec.id_raw, role),
        "name": m.present("name", rec.name, role),
        "item": rec.item,
        "amount": rec.amount,
        "record_date": rec.record_date,
        "ref": rec.ref,
        "detail": rec.detail,
    }


@transaction.atomic
def source_export(*, user, source_code: str, on: date | None = None, purpose: str = "") -> bytes:
    """Bulk export of a source's dataset (the version valid on ``on``): only by an
    administrator of that source, and logged. Nobody else can take source data in bulk."""
    from .datasets import version_for

    src = source(source_code)
    access.ensure_source_admin(user, src)
    v = version_for(src.code, on or clock.today())
    if v is None:
        raise NotFound(f"{src.name}没有有效的数据集", code="no_dataset")
    log_access(
        user=user, action="export", object_type="source_dataset", object_id=v.pk, purpose=purpose[:200]
    )
    cols = ["row_no", "id_raw", "name", "birth_date", "item", "amount", "record_date", "ref"]
    rows = list(v.records.order_by("row_no").values_list(*cols))
    buf = io.BytesIO()
    safe_frame(pl.DataFrame(rows, schema=cols, orient="row", infer_schema_length=None)).write_csv(buf)
    return buf.getvalue()


# --- inboxes and lists ------------------------------------------------------------------------


def task_flag(task: SourceTask, today: date) -> str:
    """ "overdue" after the due date, "due_soon" within 2 working days of it, else ""."""
    if task.state != SourceTask.OPEN:
        return ""
    if today > task.due_on:
        return "overdue"
    if task.due_on <= deadline(today, DUE_SOON_DAYS).due:
        return "due_soon"
    return ""


def task_inbox(*, unit=None, today: date | None = None, open_only: bool = True) -> list[SourceTask]:
    today = today or clock.today()
    qs = SourceTask.objects.select_related("request__household", "unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    if open_only:
        qs = qs.filter(state=SourceTask.OPEN)
    tasks = list(qs.order_by("due_on", "id"))
    for t in tasks:
        t.current_flag = task_flag(t, today)  # type: ignore[attr-defined]  # shown by the inbox, not a column
    return tasks


def pending_reviews() -> list[Match]:
    return list(
        Match.objects.filter(state=Match.PENDING)
        .select_related("person", "record", "request__household")
        .order_by("request_id", "-probability")
    )


_GENDER = {"M": "男", "F": "女"}


def _sides(mt: Match, field: str, role: str) -> tuple[str, str]:
    """The member's and the record's value of one compared field, masked for ``role``."""
    person, record, hh = mt.person, mt.record, mt.request.household

    def show(kind: str | None, value) -> str:
        if value in (None, ""):
            return "—"
        return str(m.present(kind, value, role) if kind else value)

    if field == "name":
        return show("name", person.name), show("name", record.name)
    if field == "id_number":
        return show("id_number", person.id_number), show("id_number", record.id_raw)
    if field == "birth_date":
        return show(None, person.birth_date), show(None, record.birth_date)
    if field == "gender":
        return show(None, _GENDER.get(person.gender)), show(None, _GENDER.get(record.gender))
    phone = show("phone", person.phone or hh.phone), show("phone", record.phone)
    address = show("address", hh.address), show("address", record.address)
    if field == "phone":
        return phone
    if field == "address":
        return address
    return f"{phone[0]}；{address[0]}", f"{phone[1]}；{address[1]}"  # phone+address, compared as one


@transaction.atomic
def review_queue(*, user) -> list[dict]:
    """The probable pairs waiting for the officer, each with the evidence for and against side
    by side: per compared field the member's value, the record's, the comparison level and
    whether it speaks for the member; the fields for and against in one line each; and why the
    ladder did not use the pair by itself (``ladder.judge``). The read is logged per household."""
    from . import ladder, matching

    scope.require(user, "verification.review")
    role = role_of(user)
    config = matching.settings()
    rows: list[dict] = []
    matches = pending_reviews()
    for mt in matches:
        evidence = ladder.evidence(mt.levels, config)
        for e in evidence:
            e["member"], e["record"] = _sides(mt, e["field"], role)
        verdict = ladder.judge(Match.FUZZY, mt.probability, mt.levels, config)
        rows.append(
            {
                "match": mt,
                "reason": verdict.text,
                "evidence": evidence,
                "for": "、".join(e["label"] for e in evidence if e["stance"] == ladder.FOR) or "无",
                "against": "、".join(e["label"] for e in evidence if e["stance"] == ladder.AGAINST) or "无",
                "near": "、".join(e["label"] for e in evidence if e["stance"] == ladder.NEAR) or "无",
            }
        )
    for code in sorted({mt.request.household.code for mt in matches}):
        log_access(
            user=user, action="view", object_type="verification_review", object_id=code, household_code=code
        )
    return rows


def requests_list(*, user, limit: int = 100) -> list[VerificationRequest]:
    qs = VerificationRequest.objects.select_related("household", "requesting_unit")
    if not scope.allows(user, "verification.review"):
        qs = qs.filter(Q(handler=user) | Q(requested_by=user))
    return list(qs.order_by("-created_at")[:limit])


def requests_for_case(*, user, household: Household, service_code: str) -> list[dict]:
    """The verification requests of a household for one service, for its decision case page:
    state and date, and whether ``user`` may open the request (the verification centre, its
    handler, who asked for it: as ``request_detail`` decides)."""
    qs = VerificationRequest.objects.filter(household=household, service_code=service_code).order_by(
        "-created_at"
    )
    return [
        {
            "id": r.pk,
            "created_at": r.created_at,
            "state": r.get_state_display(),
            "done": r.state in (VerificationRequest.ISSUED, VerificationRequest.SERVED),
            "openable": access.may_open_request(user, r),
        }
        for r in qs[:20]
    ]


def datasets_overview() -> list[dict]:
    """Each source with its latest version (any date) and how it answers."""
    latest: dict[str, DatasetVersion] = {}
    for v in DatasetVersion.objects.order_by("source", "-as_of", "-number"):
        latest.setdefault(v.source, v)
    return [{"source": s, "latest": latest.get(s.code)} for s in catalogue().sources]


def alerts(*, household: Household | None = None, state: str | None = ChangeAlert.OPEN) -> list[ChangeAlert]:
    qs = ChangeAlert.objects.select_related("household", "person", "report")
    if household is not None:
        qs = qs.filter(household=household)
    if state:
        qs = qs.filter(state=state)
    return list(qs.order_by("-raised_at", "-id"))


# --- current recipients -----------------------------------------------------------------------


# Decisions sits above verification (its decisions rest on verification reports), so it hands
# in its reader of current recipients at start-up (DecisionsConfig.ready) instead of being
# imported from here.
RECIPIENTS: dict[str, Callable[[date], Iterable[tuple[int, str, int | None]]]] = {}


def register_recipients(reader) -> None:
    """``reader(on)`` lists ``(household_id, service_code, baseline report id)``."""
    RECIPIENTS["decisions"] = reader


def recipient_households(on: date) -> list[tuple[int, str, int | None]]:
    """``(household_id, service_code, baseline report id)`` of the households currently
    receiving a service that needs verification.

    Decisions registers ``decisions.selectors.verification_recipients(on)`` (the baseline being
    the report its decision rests on). Without it a household counts as a recipient when a
    completed verification report was marked as the basis of an active service
    (``services.recipient_mark``)."""
    reader = RECIPIENTS.get("decisions")
    if reader is not None:
        return list(reader(on))
    return list(
        RecipientService.objects.filter(active=True).values_list("household_id", "service_code", "report_id")
    )


def chain_entries(*, household, role: str):
    """The household's assistance chain from verification: each request and its report's
    issue (the figures stay on the report page, shown only to whom may read them)."""
    from django.urls import reverse

    from jiuzhu.registry.chain import ChainEntry

    from .models import VerificationRequest

    detail_roles = {m.VERIFICATION_OFFICER, m.TOWN_CASEWORKER, m.APPROVER, m.ADMIN}
    requests = (
        VerificationRequest.objects.filter(household=household)
        .select_related("requesting_unit", "report")
        .order_by("-created_at")[:100]
    )
    for r in requests:
        url = reverse("verification:request", args=[r.pk]) if role in detail_roles else ""
        yield ChainEntry(
            at=r.created_at,
            area="核对",
            title=f"家庭经济状况核对请求（{labels.label('service', r.service_code)}）：{r.get_state_display()}",
            detail=r.purpose,
            unit=r.requesting_unit.name,
            url=url,
        )
        report = getattr(r, "report", None)
        if report is not None:
            yield ChainEntry(
                at=report.issued_at,
                area="核对",
                title=f"出具核对报告（有效期至 {report.valid_until}）",
                unit=r.requesting_unit.name,
                url=reverse("verification:report", args=[report.pk]) if role in detail_roles else "",
            )


def _chain_request(actor: User, household, pk):
    from . import access

    req = VerificationRequest.objects.filter(pk=pk).first()
    return req is not None and access.may_open_request(actor, req)


def _chain_report(actor: User, household, report_id):
    from jiuzhu.common import scope

    service = VerificationReport.objects.filter(pk=report_id).values_list("service_code", flat=True).first()
    return service is not None and scope.allows(
        actor, "verification.read_report", household=household, service=service
    )


# registry.chain: links kept only when the request or report page would open for the reader
CHAIN_LINKS = {"verification:request": _chain_request, "verification:report": _chain_report}
