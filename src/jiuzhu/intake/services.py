"""Intake writes at the window: applications, documents, authorisations, referrals (分办) and
emergency aid first (先行救助). The department's handling of a referral is in ``handling``.

Every service is one transaction with keyword-only arguments; ``actor`` is the staff user,
``today`` defaults to the local date (tests pass it to pin the calendar)."""

from __future__ import annotations

import hmac
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.common import clock, idnumber, money, scope
from jiuzhu.common import masking as m
from jiuzhu.common.errors import (
    Conflict,
    IllegalTransition,
    JiuzhuError,
    NotFound,
    ValidationFailed,
)
from jiuzhu.common.selectors import deadline, holiday_table
from jiuzhu.common.tx import bump, check_version, lock, racing_write
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Household, Person, Unit
from jiuzhu.registry.services import household_create

from . import catalogue, documents, selectors, tracking
from .models import (
    NEEDS,
    Application,
    Authorisation,
    CaseEvent,
    Document,
    EmergencyAid,
    Referral,
    TrackingAttempt,
)
from .notify import notify

ADULT_AGE = 18


def actor_name(user) -> str:
    if user is None:
        return "系统"
    return getattr(user, "display_name", "") or getattr(user, "username", "") or str(user)


def event(application, kind, *, actor=None, unit=None, referral=None, note="", data=None, at=None):
    return CaseEvent.objects.create(
        application=application,
        referral=referral,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name(actor),
        unit=unit if unit is not None else getattr(actor, "unit", None),
        at=at or clock.now(),
        note=note or "",
        data=data or {},
    )


# --- who may do what -----------------------------------------------------------------------


def ensure_window_staff(actor) -> Unit:
    """The actor works at a town window (scope table: ``application.take``); returns his town."""
    scope.require(actor, "application.take")
    unit = actor.unit
    if unit.kind != Unit.TOWN:
        raise scope.OutOfScope("只有镇街一门受理窗口的工作人员可以受理申请", field="unit")
    return unit


def ensure_window_of(actor, application: Application) -> None:
    """The application was taken at the actor's own town window."""
    ensure_window_staff(actor)
    if actor.unit_id != application.window_id:
        raise scope.OutOfScope(f"该申请由{application.window.name}窗口受理，您不能代其办理", field="town")


# --- applications --------------------------------------------------------------------------


def _clean_needs(needs) -> list[str]:
    known = [k for k, _ in NEEDS]
    needs = [n for n in dict.fromkeys(needs or []) if n]
    if not needs:
        raise ValidationFailed("请至少选择一项救助需求", field="needs", code="required")
    for n in needs:
        if n not in known:
            names = "、".join(str(name) for _, name in NEEDS)
            raise ValidationFailed(
                f"救助需求不是有效取值（可选：{names}）", field="needs", code="invalid_choice"
            )
    return sorted(needs, key=known.index)


def _emergency_facts(needs: list[str], cause, need) -> tuple[str, Decimal | None]:
    """The urgent request's cause and amount needed (both or neither; only with need
    ``emergency``)."""
    cause = (cause or "").strip()
    need = None if need in (None, "") else money.amount(need, field="emergency_need")
    if "emergency" not in needs:
        return "", None
    if cause and cause not in dict(EmergencyAid.CAUSES):
        raise ValidationFailed("急难原因不是有效取值", field="emergency_cause", code="invalid_choice")
    if need is not None and not cause:
        raise ValidationFailed("请选择急难原因", field="emergency_cause", code="required")
    return cause, need


@racing_write
def application_create(
    *,
    actor,
    household: Household,
    applicant: Person | None = None,
    needs: list[str],
    description: str = "",
    requester_kind: str = "self",
    requester_name: str = "",
    requester_phone: str = "",
    promise_signed: bool = False,
    emergency_cause: str = "",
    emergency_need=None,
    today: date | None = None,
) -> Application:
    """Register a request at the actor's window. An urgent request (need ``emergency``) may
    carry its cause and the amount needed: the rule then gives the amount paid first (先行救助). The applicant is a member of the household
    (the head when not given); who actually came to the window is recorded separately.

    A second submit for the same household and the same needs while one is open returns the
    open application (marked ``reused = True``) instead of a new one. Concurrency: the
    household row is locked (SELECT … FOR UPDATE; SQLite's IMMEDIATE transaction serialises
    anyway) before the check, so simultaneous identical submits make one application (on
    SQLite's shared-cache test database a submit that cannot wait is refused ``busy``)."""
    window = ensure_window_staff(actor)
    if applicant is None:
        applicant = household.members.filter(relation="head").first() or household.members.first()
    if applicant is None or applicant.household_id != household.pk:
        raise ValidationFailed("申请人须为该家庭成员", field="applicant", code="applicant_not_member")
    if applicant.deceased_on:
        raise ValidationFailed("申请人已登记死亡", field="applicant", code="applicant_deceased")
    if requester_kind not in dict(Application.REQUESTERS):
        raise ValidationFailed("提出人类型无效", field="requester_kind")
    if requester_kind in ("agent", "committee") and not requester_name.strip():
        raise ValidationFailed("代为申请时须填写提出人姓名", field="requester_name", code="required")
    wanted = _clean_needs(needs)
    cause, need = _emergency_facts(wanted, emergency_cause, emergency_need)
    Household.objects.select_for_update().filter(pk=household.pk).values_list("pk").first()
    existing = (
        Application.objects.filter(household=household, status=Application.OPEN, needs=wanted)
        .order_by("id")
        .first()
    )
    if existing is not None:
        existing.reused = True
        return existing
    now = clock.now()
    received_on = today or clock.today()
    for attempt in range(3):
        app = Application(
            # 50 random bits: a collision is all but impossible; the unique index catches one
            tracking_code=tracking.new_code(),
            household=household,
            window=window,
            applicant=applicant,
            requester_kind=requester_kind,
            requester_name=requester_name.strip(),
            requester_phone=requester_phone.strip(),
            needs=wanted,
            description=(description or "").strip(),
            emergency_cause=cause,
            emergency_need=need,
            promise_signed=bool(promise_signed),
            id_tail=applicant.id_number[-4:],
            received_at=now,
            received_on=received_on,
            received_by=actor,
        )
        try:
            with transaction.atomic():
                app.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise
    event(app, "received", actor=actor, note=app.description, data={"needs": app.needs}, at=now)
    return app


@transaction.atomic
def application_create_with_household(
    *, actor, household_data: dict, members: list[dict], applicant_id_number: str | None = None, **kwargs
) -> Application:
    """Register a new household (through the registry's own service and rules) and its request
    in one transaction."""
    ensure_window_staff(actor)
    household = household_create(actor=actor, data=household_data, members=members)
    applicant = None
    if applicant_id_number:
        number = idnumber.parse(applicant_id_number, field="applicant").number
        applicant = household.members.filter(id_number=number).first()
    return application_create(actor=actor, household=household, applicant=applicant, **kwargs)


@transaction.atomic
def document_add(
    *,
    actor,
    application: Application,
    file,
    name: str = "",
    kind: str = "other",
    title: str = "",
    referral: Referral | None = None,
) -> Document:
    """Attach a file. The window attaches to its applications; the unit handling a referral
    may attach to that referral (e.g. supplementary material it received directly)."""
    if referral is not None:
        _ensure_window_or_unit(actor, referral)
    else:
        ensure_window_of(actor, application)
    scope.require(actor, "document.write", household=application.household)
    if kind not in dict(Document.KINDS):
        raise ValidationFailed("材料类别无效", field="kind")
    stored = documents.store(file)
    doc = Document.objects.create(
        application=application,
        referral=referral,
        kind=kind,
        title=(title or "").strip()[:100],
        original_name=(name or getattr(file, "name", "") or "upload")[:200],
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        path=stored.path,
        uploaded_by=actor,
    )
    event(
        application,
        "document",
        actor=actor,
        referral=referral,
        note=f"{doc.get_kind_display()} {doc.original_name}",
        data={"document": doc.pk, "sha256": doc.sha256},
    )
    return doc


@transaction.atomic
def authorisation_record(
    *,
    actor,
    application: Application,
    person: Person,
    signed_on: date,
    document: Document | None = None,
    valid_until: date | None = None,
    service_code: str = "",
    today: date | None = None,
) -> Authorisation:
    """Record a member's signed authorisation for verification (核对授权书), given to the
    application's window (and the units it refers the application to) for ``service_code``
    (blank: the application's services), in force until ``valid_until`` (by default
    ``verification.authorisation_months`` after signing)."""
    ensure_window_of(actor, application)
    today = today or clock.today()
    if service_code:
        try:
            service_code = current_policy().service(service_code).code
        except LookupError:
            raise ValidationFailed(
                f"没有救助事项 {service_code}", field="service_code", code="unknown_service"
            ) from None
    if person.household_id != application.household_id:
        raise ValidationFailed("授权人须为申请家庭的成员", field="person", code="not_member")
    if signed_on > today:
        raise ValidationFailed("签署日期不能晚于今天", field="signed_on", code="signed_in_future")
    if valid_until is not None and valid_until < signed_on:
        raise ValidationFailed("有效期不能早于签署日期", field="valid_until")
    if document is not None and document.application_id != application.pk:
        raise ValidationFailed("授权书文件不属于本申请", field="document")
    if valid_until is None:
        valid_until = selectors.authorisation_expiry(
            signed_on, months=selectors.authorisation_months(signed_on)
        )
    auth = Authorisation.objects.create(
        household_id=application.household_id,
        person=person,
        application=application,
        unit_id=application.window_id,
        service_code=service_code,
        signed_on=signed_on,
        valid_until=valid_until,
        document=document,
        recorded_by=actor,
    )
    event(
        application,
        "authorisation",
        actor=actor,
        note=f"{m.mask_name(person.name)} 签署核对授权（{signed_on.isoformat()}）",
        data={"person": person.pk},
    )
    return auth


def adults(household: Household, on: date) -> list[Person]:
    return [
        p
        for p in household.members.order_by("id")
        if not p.deceased_on and idnumber.age_on(p.birth_date, on) >= ADULT_AGE
    ]


# --- referrals -----------------------------------------------------------------------------


def _ensure_window_or_unit(actor, referral: Referral) -> None:
    if scope.allows(actor, "referral.handle", unit=referral.unit_id):
        return
    ensure_window_of(actor, referral.application)


@transaction.atomic
def refer(
    *,
    actor,
    application: Application,
    service_codes: list[str],
    note: str = "",
    cause: str = "",
    today: date | None = None,
) -> list[Referral]:
    """The clerk's confirmation (分办): one referral per chosen service to the unit owning it,
    due after the service's handling limit in statutory working days. The pre-check the
    clerk saw is frozen on each referral. A service already received (an active entitlement)
    is refused; temporary assistance carries its ``cause`` (EmergencyAid.CAUSES), refused when
    the household had aid for it within 12 months (decisions.grants.check_same_cause)."""
    from .selectors import proposals  # selectors import services' helpers; keep the cycle lazy

    ensure_window_of(actor, application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.OPEN:
        raise IllegalTransition("该申请已办结，不能再分办", code="application_closed")
    today = today or clock.today()
    codes = list(dict.fromkeys(c for c in service_codes if c))
    if not codes:
        raise ValidationFailed("请至少选择一项救助事项", field="services", code="required")
    policy = current_policy()
    by_code = {p.service.code: p for p in proposals(application, today=today, policy=policy)}
    chosen = []
    for code in codes:
        if code not in by_code:
            catalogue.service(policy, code)  # raises NotFound for an unknown code
        p = by_code[code]
        if p.already_received:
            raise ValidationFailed(
                f"该家庭已在享受“{p.service.name}”，不需要重复分办",
                field="services",
                code="already_receiving",
            )
        chosen.append(p)
    if cause and cause not in dict(EmergencyAid.CAUSES):
        raise ValidationFailed("救助事由无效", field="cause", code="invalid_choice")
    if cause and any(p.service.category == "temporary" for p in chosen):
        from jiuzhu.decisions.grants import check_same_cause

        check_same_cause(household=application.household, cause=cause, on=today, policy=policy)
    open_codes = set(
        application.referrals.filter(state__in=Referral.OPEN_STATES).values_list("service_code", flat=True)
    )
    for p in chosen:
        if p.service.code in open_codes:
            raise Conflict(f"“{p.service.name}”已分办且正在办理", field="services", code="already_referred")
        for other in chosen:
            if other.service.code in p.service.exclusive_with:
                raise ValidationFailed(
                    f"“{p.service.name}”与“{other.service.name}”不可同时享受，请选择其一",
                    field="services",
                    code="services_exclusive",
                )
    if any(p.service.needs_verification for p in chosen):
        from .selectors import missing_authorisations

        missing = missing_authorisations(application.household, on=today)
        if missing:
            names = "、".join(m.mask_name(x.name) for x in missing)
            raise ValidationFailed(
                f"所选事项需要核对家庭经济状况，以下成年成员尚未签署核对授权：{names}",
                field="authorisations",
                code="authorisation_missing",
            )
    units = {u.code: u for u in Unit.objects.filter(code__in={p.service.unit_code for p in chosen})}
    table = holiday_table()
    out = []
    for p in chosen:
        unit = units.get(p.service.unit_code)
        if unit is None:
            raise ValidationFailed(
                f"“{p.service.name}”的承办单位 {p.service.unit_code} 未登记",
                field="services",
                code="unknown_unit",
            )
        due = deadline(today, p.service.limit_days, table)
        r = Referral.objects.create(
            application=application,
            service_code=p.service.code,
            service_name=p.service.name,
            category=p.service.category,
            unit=unit,
            referred_on=today,
            limit_days=p.service.limit_days,
            due_on=due.due,
            due_warning="；".join(due.warnings)[:300],
            proposal=p.snapshot(),
            cause=cause if p.service.category == "temporary" else "",
        )
        r.chain_root = r
        r.save(update_fields=["chain_root"])
        event(
            application,
            "referred",
            actor=actor,
            referral=r,
            note=note,
            data={"service": r.service_code, "to": unit.code, "due_on": r.due_on.isoformat()},
        )
        notify(
            key=f"referred:{r.pk}",
            kind="referred",
            unit=unit,
            application=application,
            referral=r,
            message=f"新分办事项：{r.service_name}（查询码 {application.tracking_code}），"
            f"请于 {r.due_on.isoformat()} 前办结",
        )
        out.append(r)
    return out


# --- emergency aid first (先行救助) ----------------------------------------------------------


def _emergency_entitlement(aid, *, application, actor, policy, today: date) -> None:
    """先行救助 is paid as a one-off entitlement of the emergency temporary-assistance service,
    owned by the town that paid it: the roll pays it, the fund ledger posts it and screening
    sees it like any grant (DOMAIN §7 "Lifecycle")."""
    from jiuzhu.decisions.entitlements import entitlement_grant

    codes = [s.code for s in catalogue.services(policy) if s.category == "temporary"]
    code = "temporary_emergency" if "temporary_emergency" in codes else (codes[0] if codes else None)
    if code is None:
        return
    entitlement_grant(
        household=application.household,
        payee=application.applicant,
        service_code=code,
        amount=aid.amount,
        amount_period="once",
        start_month=today.replace(day=1),
        actor=actor,
        policy=policy,
        unit=application.window,
        origin=f"先行救助 {application.tracking_code}",
        reason=aid.note or "先行救助",
        cause=aid.cause,
    )


@racing_write
def emergency_grant(
    *,
    actor,
    application: Application,
    amount=None,
    cause: str = "",
    note: str = "",
    today: date | None = None,
) -> EmergencyAid:
    """Staff of the receiving town's window (clerk or caseworker, scope row
    ``emergency.grant``) pay small emergency aid at once; the file is due within the policy's
    limit (demo: 10 working days).

    The amount is the rule's (``selectors.emergency_offer``: the temporary-assistance rule on
    the declared need, capped at the 先行救助 limit) when ``amount`` is not given — the
    window's one click; a typed amount may be lower, never above the rule's or the limit.
    ``cause`` defaults to the one declared with the request."""
    scope.require(actor, "emergency.grant", town=application.window_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.OPEN:
        raise IllegalTransition("该申请已办结，不能再先行救助", code="application_closed")
    if "emergency" not in application.needs:
        raise IllegalTransition("先行救助仅适用于申请了突发困难（急难）救助的情形", code="not_emergency")
    cause = cause or application.emergency_cause
    if cause not in dict(EmergencyAid.CAUSES):
        raise ValidationFailed("请选择急难原因", field="cause", code="required")
    today = today or clock.today()
    policy = current_policy()
    offer = selectors.emergency_offer(application, today=today, policy=policy)
    if amount is None or amount == "":
        if offer.amount is None:
            raise ValidationFailed(
                "规则未能算出先行救助金额（请登记急难所需金额）", field="amount", code="no_rule_amount"
            )
        amount = offer.amount
    amount = money.amount(amount)
    if offer.amount is not None and amount > offer.amount:
        raise ValidationFailed(
            f"先行救助金额不能超过规则核定的 {offer.amount:.2f} 元",
            field="amount",
            code="above_rule_amount",
            limit=f"{offer.amount:.2f}",
        )
    limit = offer.limit
    if amount > limit:
        raise ValidationFailed(
            f"先行救助金额不能超过 {limit:.2f} 元；更高金额请按临时救助程序审批",
            field="amount",
            code="over_emergency_limit",
            limit=f"{limit:.2f}",
        )
    # DOMAIN §3 Temporary: the same cause at most once in 12 months per household (month-end
    # clamping), counting aid first and temporary entitlements alike.
    from jiuzhu.decisions.grants import check_same_cause

    check_same_cause(household=application.household, cause=cause, on=today, policy=policy)
    due = deadline(today, catalogue.emergency_file_days(policy, today))
    aid = EmergencyAid.objects.create(
        application=application,
        household_id=application.household_id,
        cause=cause,
        amount=amount,
        note=(note or "").strip(),
        granted_by=actor,
        granted_on=today,
        file_due_on=due.due,
    )
    _emergency_entitlement(aid, application=application, actor=actor, policy=policy, today=today)
    event(
        application,
        "emergency_granted",
        actor=actor,
        note=note,
        data={"amount": f"{amount:.2f}", "cause": cause, "file_due_on": due.due.isoformat()},
    )
    return aid


@racing_write
def emergency_complete(
    *, actor, aid: EmergencyAid, note: str = "", version: int | None = None, today: date | None = None
) -> EmergencyAid:
    """The file of an emergency aid is complete (recipient, cause, amount, signatures)."""
    aid = lock(
        EmergencyAid.objects.select_related("application"), aid, missing="先行救助记录不存在", field="aid"
    )
    scope.require(actor, "emergency.complete", town=aid.application.window_id)
    check_version(aid, version, message="该记录已被他人更新，请刷新后重试")
    if aid.state != EmergencyAid.OPEN:
        raise IllegalTransition("该先行救助的手续已补齐", code="already_completed")
    bump(
        aid,
        state=EmergencyAid.COMPLETED,
        completed_on=today or clock.today(),
        completed_by=actor,
        completion_note=(note or "").strip(),
    )
    event(
        aid.application,
        "emergency_completed",
        actor=actor,
        note=note,
        data={"late": aid.completed_on > aid.file_due_on},
    )
    close_if_done(aid.application, actor=actor)
    return aid


def close_if_done(application: Application, *, actor=None) -> bool:
    """Close the application when every referral chain has its answer and every emergency aid
    its file (called inside the transaction of the step that may finish it)."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status == Application.CLOSED:
        return False
    has_work = app.referrals.exists() or app.emergency_aids.exists()
    if not has_work or app.referrals.filter(state__in=Referral.OPEN_STATES).exists():
        return False
    if app.emergency_aids.filter(state=EmergencyAid.OPEN).exists():
        return False
    app.status = Application.CLOSED
    app.closed_at = clock.now()
    app.save(update_fields=["status", "closed_at"])
    event(app, "closed", actor=actor, unit=app.window)
    return True


def get_application(code: str) -> Application:
    code = tracking.normalise(code) or code
    try:
        return Application.objects.select_related("household", "window", "applicant").get(tracking_code=code)
    except Application.DoesNotExist:
        raise NotFound(f"申请 {code} 不存在", field="code") from None


# --- public tracking -------------------------------------------------------------------------


class Throttled(JiuzhuError):
    code = "too_many_attempts"
    status = 429


def track_limits() -> tuple[int, int]:
    """(failed look-ups allowed, window in seconds): settings JIUZHU_TRACK_MAX_FAILURES and
    JIUZHU_TRACK_WINDOW_SECONDS, default 10 per 10 minutes."""
    return (
        int(getattr(settings, "JIUZHU_TRACK_MAX_FAILURES", 10)),
        int(getattr(settings, "JIUZHU_TRACK_WINDOW_SECONDS", 600)),
    )


def track_lookup(*, ip: str, code: str, id_tail: str) -> dict:
    """The public progress view (``selectors.tracking_view``) of the application behind a
    tracking code, when the last 4 characters of the applicant's ID number match. Failed
    look-ups are counted per address and per code; past the limit every look-up from that
    address (or for that code) is refused for the window, right or wrong, so guessing gains
    nothing. This is the hot public path, so it reads with three fixed SQL statements."""
    limit, seconds = track_limits()
    since = timezone.now() - timedelta(seconds=seconds)  # throttling runs on real time
    norm = tracking.normalise(code)
    by_ip, by_code = selectors.failed_lookups(ip=ip, code=norm or "-", since=since)
    if by_ip >= limit or by_code >= limit:
        raise Throttled(
            f"查询失败次数过多，请 {seconds // 60} 分钟后再试", code="too_many_attempts", retry_after=seconds
        )
    tail = (id_tail or "").strip().upper()
    row = selectors.tracking_row(norm) if norm and len(tail) == 4 else None
    if row is None or not hmac.compare_digest(row["id_tail"].upper(), tail):
        TrackingAttempt.objects.create(ip=ip, code=norm)
        raise NotFound("查询码或身份证号码后4位不正确", field="code", code="tracking_not_found")
    return selectors.tracking_view_of_row(row)
