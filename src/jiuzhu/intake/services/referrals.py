"""Referrals (分办): the window sends each proposed service to the unit that handles it."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jiuzhu.common import clock, scope, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import Conflict, IllegalTransition, ValidationFailed
from jiuzhu.common.selectors import deadline, holiday_table
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Unit, User

from .. import catalogue
from ..models import CAUSE_NOTE_MAX, Application, EmergencyAid, Referral
from ..notify import notify
from ..ports import entitlements
from .base import ensure_window_of, event


def _ensure_window_or_unit(actor: User, referral: Referral) -> None:
    if scope.allows(actor, "referral.handle", unit=referral.unit_id):
        return
    ensure_window_of(actor, referral.application)


@transaction.atomic
def refer(
    *,
    actor: User,
    application: Application,
    service_codes: list[str],
    note: str = "",
    cause: str = "",
    cause_note: str = "",
    today: date | None = None,
) -> list[Referral]:
    """The clerk's confirmation (分办): one referral per chosen service to the unit owning it,
    due after the service's handling limit in statutory working days. The pre-check the
    clerk saw is frozen on each referral. A service already received (an active entitlement)
    is refused; temporary assistance carries its ``cause`` (``models.Cause``, with the clerk's
    words beside it in ``cause_note``), refused when the household had aid for the same cause
    within 12 months (the entitlement side's ``check_same_cause``, through ``ports``)."""
    from ..selectors import proposals  # selectors import services' helpers; keep the cycle lazy

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
    cause_note = values.text(
        cause_note, field="cause_note", max_length=CAUSE_NOTE_MAX, required=False, label="事由说明"
    )
    note = values.note(note, field="note", label="分办说明")
    if cause and any(p.service.category == "temporary" for p in chosen):
        entitlements().check_same_cause(household=application.household, cause=cause, on=today, policy=policy)
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
        from ..selectors import missing_authorisations

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
            cause_note=cause_note if cause and p.service.category == "temporary" else "",
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
