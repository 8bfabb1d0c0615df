"""Applications at the window: taking one (with or without a new household), documents,
authorisations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from jiuzhu.common import clock, idnumber, money, scope, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.tx import racing_write
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Household, Person, User
from jiuzhu.registry.services import household_create

from .. import documents, selectors, tracking
from ..models import (
    CAUSE_NOTE_MAX,
    DESCRIPTION_MAX,
    NEEDS,
    Application,
    Authorisation,
    Document,
    DocumentKind,
    EmergencyAid,
    Referral,
    Requester,
)
from .base import ADULT_AGE, ensure_window_of, ensure_window_staff, event
from .referrals import _ensure_window_or_unit


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
    actor: User,
    household: Household,
    applicant: Person | None = None,
    needs: list[str],
    description: str = "",
    requester_kind: str = "self",
    requester_name: str = "",
    requester_phone: str = "",
    promise_signed: bool = False,
    emergency_cause: str = "",
    emergency_cause_note: str = "",
    emergency_need=None,
    today: date | None = None,
) -> Application:
    """Register a request at the actor's window. An urgent request (need ``emergency``) may
    carry its cause (one of ``models.Cause``, with the clerk's own words beside it in
    ``emergency_cause_note``) and the amount needed: the rule then gives the amount paid first (先行救助). The applicant is a member of the household
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
    if requester_kind not in Requester.values:
        raise ValidationFailed("提出人类型无效", field="requester_kind")
    if requester_kind in (Requester.AGENT, Requester.COMMITTEE) and not (requester_name or "").strip():
        raise ValidationFailed("代为申请时须填写提出人姓名", field="requester_name", code="required")
    requester_name = values.text(
        requester_name, field="requester_name", max_length=50, required=False, label="提出人姓名"
    )
    requester_phone = values.phone(requester_phone, field="requester_phone")
    description = values.text(
        description,
        field="description",
        max_length=DESCRIPTION_MAX,
        required=False,
        multiline=True,
        label="困难情况",
    )
    wanted = _clean_needs(needs)
    cause, need = _emergency_facts(wanted, emergency_cause, emergency_need)
    cause_note = values.text(
        emergency_cause_note,
        field="emergency_cause_note",
        max_length=CAUSE_NOTE_MAX,
        required=False,
        label="急难原因说明",
    )
    Household.objects.select_for_update().filter(pk=household.pk).values_list("pk").first()
    existing = (
        Application.objects.filter(household=household, status=Application.OPEN, needs=wanted)
        .order_by("id")
        .first()
    )
    if existing is not None:
        existing.reused = True  # type: ignore[attr-defined]  # read by the API (200 instead of 201), not a column
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
            requester_name=requester_name,
            requester_phone=requester_phone,
            needs=wanted,
            description=description,
            emergency_cause=cause,
            emergency_cause_note=cause_note if cause else "",
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
    *,
    actor: User,
    household_data: dict,
    members: list[dict],
    applicant_id_number: str | None = None,
    **kwargs,
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
    actor: User,
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
    if kind not in DocumentKind.values:
        raise ValidationFailed("材料类别无效", field="kind")
    title = values.text(title, field="title", max_length=100, required=False, label="材料名称")
    stored = documents.store(file)
    doc = Document.objects.create(
        application=application,
        referral=referral,
        kind=kind,
        title=title,
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
    actor: User,
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
