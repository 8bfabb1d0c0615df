"""Verification writes: requests (refused without every adult's authorisation), collecting from
datasets and tasks, officer review of probable matches, issuing the frozen report and serving
it again (核对服务). Dataset uploads are in ``datasets.py``, re-verification in ``recheck.py``.

Every function takes keyword arguments and runs in one transaction."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from django.db import transaction
from django.db.models import Q

from jiuzhu.common import clock, scope
from jiuzhu.common import masking as m
from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.common.roles import role_of
from jiuzhu.common.selectors import deadline
from jiuzhu.common.services import log_access
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Household, Person, Unit, User

from . import access, datasets, ingest, matching, reports
from .keys import pinyin
from .models import (
    Match,
    MatchDecision,
    RequestChannel,
    SourceRecord,
    SourceTask,
    VerificationReport,
    VerificationRequest,
)
from .sources import catalogue, source

RECORD_FIELDS = ("id", "id_raw", "id_key", "id_valid", "name", "birth_date", "gender", "phone", "address")


# --- authorisation ---------------------------------------------------------------------------


def authorised_persons(household: Household, on: date) -> list[Person]:
    """Members with a recorded authorisation in force on ``on`` (intake keeps them)."""
    from jiuzhu.intake.selectors import authorised_persons as intake_authorised

    return intake_authorised(household, on=on)


AUTHORISATION_REFUSALS = {
    "missing": ("authorisation_missing", "以下成年家庭成员尚未签署核对授权：{names}"),
    "expired": ("authorisation_expired", "以下成年家庭成员的核对授权书已过有效期，请重新签署：{names}"),
    "out_of_scope": (
        "authorisation_out_of_scope",
        "以下成年家庭成员的核对授权书未授权本单位就该救助事项申请核对：{names}",
    ),
}


def ensure_authorised(household: Household, *, on: date, actor: User, service: str) -> list[int]:
    """Every living adult member must have authorised verification (最低生活保障审核确认办法
    第九条; 特困人员认定办法 第十条) by the requesting unit for this service, in force on ``on``;
    else ``authorisation_missing``, ``authorisation_expired`` or ``authorisation_out_of_scope``
    naming them (missing before expired before out of scope)."""
    from jiuzhu.intake.selectors import authorisation_gaps

    role = role_of(actor)
    gaps = authorisation_gaps(
        household,
        on=on,
        unit_id=getattr(actor, "unit_id", None),
        service=service,
        any_unit=scope.scope_of(actor, "verification.request") == scope.CITY,
    )
    if gaps:
        why = next(w for w in ("missing", "expired", "out_of_scope") if w in gaps.values())
        people = [p for p in household.members.order_by("id") if gaps.get(p.pk) == why]
        code, message = AUTHORISATION_REFUSALS[why]
        names = "、".join(m.present("name", p.name, role) for p in people)
        raise ValidationFailed(
            message.format(names=names),
            field="authorisations",
            code=code,
            members=[{"person": p.pk, "name": m.present("name", p.name, role)} for p in people],
        )
    return [p.pk for p in authorised_persons(household, on)]


# --- requests -------------------------------------------------------------------------------


@transaction.atomic
def request_create(
    *,
    actor: User,
    household: Household,
    service_code: str,
    purpose: str = "",
    channel: str = VerificationRequest.INTAKE,
    case_ref: str = "",
    handler=None,
    fresh: bool = False,
    today: date | None = None,
) -> VerificationRequest:
    """Ask for a household's verification for one service. Refused without every adult's
    authorisation. A report still valid is served again (no new queries, logged) unless
    ``fresh`` or a periodic review asks for new data; otherwise datasets are matched now and
    the units without a usable dataset get a task."""
    scope.require(actor, "verification.request")
    today = today or clock.today()
    policy = current_policy()
    try:
        spec = policy.service(service_code)
    except LookupError:
        raise ValidationFailed(
            f"没有救助事项 {service_code}", field="service", code="unknown_service"
        ) from None
    # a unit asks only for a service it handles for this household now (scope table, ※)
    scope.require(actor, "verification.request", household=household, service=spec.code)
    purpose = service_purpose(spec, purpose)
    if channel not in RequestChannel.values:
        raise ValidationFailed(
            "请求来源应为 intake/department/periodic", field="channel", code="invalid_channel"
        )
    authorised = ensure_authorised(household, on=today, actor=actor, service=spec.code)
    base = {
        "household": household,
        "service_code": spec.code,
        "channel": channel,
        "purpose": purpose.strip()[:200],
        "case_ref": case_ref[:60],
        "requesting_unit": actor.unit,
        "requested_by": actor,
        "handler": handler or actor,
        "as_of": today,
        "authorised": authorised,
        "created_at": clock.now(),
    }
    if not fresh and channel != VerificationRequest.PERIODIC:
        valid = valid_report(household, on=today)
        if valid is not None:
            return _serve(actor=actor, report=valid, base=base, today=today, policy=policy)
    req = VerificationRequest.objects.create(**base)
    _collect(req, today=today, policy=policy)
    return req


def service_purpose(spec, purpose: str | None) -> str:
    """The purpose of a verification is the service asked (DOMAIN §8), never free text: an
    empty purpose becomes the service's name; anything but its name or code is refused."""
    given = (purpose or "").strip()
    if given and given not in (spec.code, spec.name):
        raise ValidationFailed(
            f"核对用途只能是所申请的救助事项“{spec.name}”", field="purpose", code="purpose_not_service"
        )
    return spec.name


def valid_report(household: Household, *, on: date) -> VerificationReport | None:
    """The latest original report of the household still valid on ``on``."""
    return (
        VerificationReport.objects.filter(household=household, served_from__isnull=True, valid_until__gte=on)
        .order_by("-as_of", "-id")
        .first()
    )


def _serve(
    *, actor: User, report: VerificationReport, base: dict, today: date, policy
) -> VerificationRequest:
    """核对服务: the frozen figures of ``report`` compared with the thresholds of the service
    now asked, as a new report pointing at it. No dataset is read, no task created."""
    req = VerificationRequest.objects.create(
        **base, state=VerificationRequest.SERVED, served_from=report, sources_used=report.request.sources_used
    )
    snap = dict(report.snapshot)
    snap["comparison"] = reports.comparison(
        snap["facts"], as_of=today, service_code=req.service_code, policy=policy
    )
    snap["served"] = {
        "from_report": report.pk,
        "on": today.isoformat(),
        "unit": actor.unit.code if actor.unit else "",
        "service": req.service_code,
    }
    VerificationReport.objects.create(
        request=req,
        household=req.household,
        service_code=req.service_code,
        as_of=report.as_of,
        issued_by=actor,
        issued_at=clock.now(),
        valid_until=report.valid_until,
        eligible=snap["comparison"]["eligible"],
        snapshot=snap,
        digest=reports.digest(snap),
        served_from=report,
    )
    log_access(
        user=actor,
        action="serve",
        object_type="verification_report",
        object_id=report.pk,
        household_code=req.household.code,
        purpose=f"{req.service_code}：{req.purpose}",
    )
    return req


def _collect(req: VerificationRequest, *, today: date, policy) -> None:
    """Read the usable dataset of each source; create a task for each source without one."""
    used, versions = [], []
    answer_days = policy.param("verification.answer_days", today)
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.unit for s in catalogue().sources])}
    for src in catalogue().sources:
        v = datasets.version_for(src.code, req.as_of)
        if v is not None:
            versions.append(v)
            used.append(
                {
                    "source": src.code,
                    "name": src.name,
                    "how": "dataset",
                    "version": v.number,
                    "dataset": v.pk,
                    "as_of": v.as_of.isoformat(),
                }
            )
            continue
        due = deadline(today, answer_days)
        task = SourceTask.objects.create(
            request=req,
            source=src.code,
            unit=units[src.unit],
            created_on=today,
            due_on=due.due,
            due_warnings=list(due.warnings),
        )
        used.append({"source": src.code, "name": src.name, "how": "task", "task": task.pk})
    req.sources_used = used
    req.save(update_fields=["sources_used"])
    if versions:
        _match(req, _candidates(req, Q(dataset__in=versions)))
    _refresh(req)


def _persons(req: VerificationRequest) -> tuple[list[Person], pl.DataFrame]:
    hh = req.household
    people = list(hh.members.order_by("id"))
    frame = pl.DataFrame(
        {
            "person_id": [p.pk for p in people],
            "id_number": [p.id_number for p in people],
            "name": [p.name for p in people],
            "birth_date": [p.birth_date.isoformat() for p in people],
            "gender": [p.gender for p in people],
            "phone": [p.phone or hh.phone or None for p in people],
            "address": [hh.address or None for _ in people],
        },
        schema={"person_id": pl.Int64, **{c: pl.String for c in matching.PERSON_COLUMNS[1:]}},
    )
    return people, frame


def _candidates(req: VerificationRequest, scope: Q) -> list[dict]:
    """Records that could be a member's: a valid number equal to one of theirs, or — without a
    valid number — the same name sound, birth date, ID birth segment, phone or 15-digit key."""
    people, _ = _persons(req)
    ids = [p.id_number for p in people]
    pys = pinyin(pl.Series([p.name for p in people])).to_list()
    phones = [x for x in {p.phone for p in people} | {req.household.phone} if x]
    fuzzy = (
        Q(name_py__in=pys)
        | Q(name__in=[p.name for p in people])
        | Q(birth_date__in=[p.birth_date for p in people])
        | Q(id_birth__in=[p.id_number[6:14] for p in people])
        | Q(id_key__in=ids)
    )
    if phones:
        fuzzy |= Q(phone__in=phones)
    qs = SourceRecord.objects.filter(scope).filter(
        Q(id_valid=True, id_key__in=ids) | (Q(id_valid=False) & fuzzy)
    )
    return list(qs.values(*RECORD_FIELDS, "fingerprint", "source"))


def _match(req: VerificationRequest, candidates: list[dict]) -> int:
    """Match the members against ``candidates``; apply remembered decisions; keep the pairs."""
    if not candidates:
        return 0
    people, persons = _persons(req)
    records = pl.DataFrame(
        {
            "record_id": [c["id"] for c in candidates],
            "id_raw": [c["id_raw"] or None for c in candidates],
            "id_key": [c["id_key"] for c in candidates],
            "id_valid": [c["id_valid"] for c in candidates],
            "name": [c["name"] or None for c in candidates],
            "birth_date": [c["birth_date"].isoformat() if c["birth_date"] else None for c in candidates],
            "gender": [c["gender"] or None for c in candidates],
            "phone": [c["phone"] or None for c in candidates],
            "address": [c["address"] or None for c in candidates],
        },
        schema={
            "record_id": pl.Int64,
            "id_raw": pl.String,
            "id_key": pl.String,
            "id_valid": pl.Boolean,
            **{c: pl.String for c in ("name", "birth_date", "gender", "phone", "address")},
        },
    )
    config = matching.settings()
    pairs = matching.decide(matching.match_frames(persons, records, config=config), config)
    by_id = {c["id"]: c for c in candidates}
    remembered = {
        (d.person_id, d.fingerprint): d
        for d in MatchDecision.objects.filter(
            person__in=people,
            fingerprint__in=[by_id[r]["fingerprint"] for r in pairs.get_column("record_id")],
        )
    }
    rows = []
    for p in pairs.iter_rows(named=True):
        kind, state = p["kind"], p["state"]
        d = remembered.get((p["person_id"], by_id[p["record_id"]]["fingerprint"]))
        if d is not None and kind != Match.EXACT:
            kind, state = (Match.REVIEWED, Match.ACCEPTED) if d.accepted else (Match.FUZZY, Match.REJECTED)
        rows.append(
            Match(
                request=req,
                person_id=p["person_id"],
                record_id=p["record_id"],
                kind=kind,
                probability=p["probability"],
                levels=_levels(p["levels"]),
                state=state,
            )
        )
    Match.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _levels(text: str | None) -> dict:
    import json

    return json.loads(text) if text else {}


def _refresh(req: VerificationRequest) -> None:
    if req.state in (VerificationRequest.ISSUED, VerificationRequest.SERVED):
        return
    if req.tasks.filter(state=SourceTask.OPEN).exists():
        state = VerificationRequest.COLLECTING
    elif req.matches.filter(state=Match.PENDING).exists():
        state = VerificationRequest.REVIEW
    else:
        state = VerificationRequest.READY
    if state != req.state:
        req.state = state
        req.save(update_fields=["state"])


# --- tasks ------------------------------------------------------------------------------------


@transaction.atomic
def task_answer(
    *,
    actor: User,
    task: SourceTask,
    rows: list[dict] | None = None,
    data: bytes | None = None,
    filename: str = "answer.csv",
    no_records: bool = False,
    note: str = "",
) -> SourceTask:
    """The data-source unit answers a task: records (typed rows or a small file, validated by
    the source's schema; any error refuses the answer whole) or "no records"."""
    task = SourceTask.objects.select_for_update().get(pk=task.pk)
    src = source(task.source)
    access.ensure_provider(actor, src)
    if task.state != SourceTask.OPEN:
        raise IllegalTransition("该任务已反馈", code="task_answered")
    if not no_records:
        if data is None:
            data, filename = ingest.rows_from_records(src, rows or []), "answer.csv"
        v = ingest.validate(src, data, filename)
        if v.error_count:
            raise ValidationFailed(
                f"反馈记录有 {v.error_count} 处错误，请改正后重新提交：{v.errors[0]['message']}",
                field="records",
                code="answer_invalid",
                errors=v.errors,
            )
        datasets.load_records(v.good, source_code=src.code, task_id=task.pk)
    task.state, task.answered_by, task.answered_at = SourceTask.ANSWERED, actor, clock.now()
    task.no_records, task.note = no_records, note[:200]
    task.save()
    req = task.request
    if not no_records:
        _match(req, _candidates(req, Q(task=task)))
    _refresh(req)
    return task


# --- review -----------------------------------------------------------------------------------


@transaction.atomic
def review_decide(*, actor: User, match: Match, accept: bool, reason: str = "") -> Match:
    """The officer accepts or rejects a probable match; the decision is remembered by the
    record's fingerprint for later runs (next month's dataset, re-verification)."""
    access.ensure_officer(actor)
    match = Match.objects.select_for_update().select_related("record", "request").get(pk=match.pk)
    if match.state != Match.PENDING:
        raise IllegalTransition("该匹配已确认", code="match_decided")
    match.state = Match.ACCEPTED if accept else Match.REJECTED
    match.kind = Match.REVIEWED if accept else Match.FUZZY
    match.save(update_fields=["state", "kind"])
    MatchDecision.objects.update_or_create(
        person_id=match.person_id,
        fingerprint=match.record.fingerprint,
        defaults={
            "source": match.record.source,
            "accepted": accept,
            "probability": match.probability,
            "reason": reason[:200],
            "decided_by": actor,
            "decided_at": clock.now(),
        },
    )
    _refresh(match.request)
    return match


# --- reports ----------------------------------------------------------------------------------


def member_dict(p: Person) -> dict:
    return {
        "person_id": p.pk,
        "name": p.name,
        "id_number": p.id_number,
        "relation": p.relation,
        "birth_date": p.birth_date,
        "gender": p.gender,
        "labour_capacity": p.labour_capacity,
        "disability_kind": p.disability_kind,
        "disability_grade": p.disability_grade,
        "serious_illness": p.serious_illness,
        "self_care": p.self_care,
        "school_stage": p.school_stage,
        "employment_status": p.employment_status,
        "has_capable_supporter": p.has_capable_supporter,
        "deceased_on": p.deceased_on,
    }


def household_dict(hh: Household) -> dict:
    return {
        "code": hh.code,
        "area": hh.area,
        "town": hh.town.name,
        "community": hh.community,
        "dwelling_area": hh.dwelling_area,
    }


REPORT_RECORD_FIELDS = (
    "id",
    "fingerprint",
    "source",
    "item",
    "amount",
    "floor_area",
    "vehicle_purpose",
    "active",
    "period_start",
    "period_end",
    "record_date",
    "ref",
)


@transaction.atomic
def report_issue(
    *, actor: User, request: VerificationRequest, today: date | None = None
) -> VerificationReport:
    """Freeze the report: every figure goes into the snapshot; later data changes never alter
    it. Valid for ``verification.validity_days`` (demo 90) from the date the data were read."""
    access.ensure_officer(actor)
    req = VerificationRequest.objects.select_for_update().get(pk=request.pk)
    _refresh(req)
    if req.state != VerificationRequest.READY:
        raise IllegalTransition(f"尚不能出具报告：{req.get_state_display()}", code="not_ready")
    policy = current_policy()
    matches = req.matches.filter(state=Match.ACCEPTED).select_related("record")
    matched = [
        {
            "person_id": mt.person_id,
            "record": {f: getattr(mt.record, f) for f in REPORT_RECORD_FIELDS},
            "match": {"kind": mt.kind, "probability": mt.probability, "levels": mt.levels},
        }
        for mt in matches
    ]
    snap = reports.build(
        household=household_dict(req.household),
        members=[member_dict(p) for p in req.household.members.order_by("id")],
        matched=matched,
        as_of=req.as_of,
        service_code=req.service_code,
        policy=policy,
        sources_used=req.sources_used,
        matching=matching.settings().as_dict(),
        source_names={s.code: s.name for s in catalogue().sources},
    )
    validity = policy.param("verification.validity_days", req.as_of)
    report = VerificationReport.objects.create(
        request=req,
        household=req.household,
        service_code=req.service_code,
        as_of=req.as_of,
        issued_by=actor,
        issued_at=clock.now(),
        valid_until=req.as_of + timedelta(days=validity),
        eligible=snap["comparison"]["eligible"],
        snapshot=snap,
        digest=reports.digest(snap),
    )
    req.state = VerificationRequest.ISSUED
    req.save(update_fields=["state"])
    return report


# --- recipients -------------------------------------------------------------------------------


@transaction.atomic
def recipient_mark(*, actor: User, report: VerificationReport, active: bool = True):
    """Record that the household receives the report's service (or no longer does), so that
    ``jiuzhu verify --recipients`` re-checks it against this report — the stand-in until the
    decisions app supplies recipients (``selectors.recipient_households``)."""
    from .models import RecipientService

    if role_of(actor) not in (m.VERIFICATION_OFFICER, m.APPROVER) and actor.pk != report.request.handler_id:
        raise PermissionDenied("只有核对员、审批人或经办人可以登记享受情况", code="not_allowed")
    obj, _ = RecipientService.objects.update_or_create(
        household=report.household,
        service_code=report.service_code,
        defaults={"report": report, "active": active, "marked_by": actor},
    )
    return obj
