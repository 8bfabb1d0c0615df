"""Writes of the disaster app (each one transaction, keyword-only): declaring an event,
settling a month of transitional aid (the person-days ledger → one-off entitlements paid by
the month's roll), ending a household's aid early on resettlement. The village list's
validate/apply live in ``villagelists``."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db import transaction

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import Conflict, ValidationFailed
from jiuzhu.common.money import money
from jiuzhu.decisions.entitlements import entitlement_grant, month_start
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Unit, User

from .models import DisasterEvent, TransitionalAid, TransitionalDays
from .villagelists import aid_days

SERVICE = "disaster_transitional"


def owner_unit(policy) -> Unit:
    return Unit.objects.get(code=policy.service(SERVICE).owner_unit)


@transaction.atomic
def event_declare(
    *,
    actor: User,
    name: str,
    kind: str,
    occurred_on,
    level: str,
    towns: list,
    fund,
    areas: str = "",
    policy=None,
) -> DisasterEvent:
    """Declare a disaster event for the emergency-management unit (the unit owning the
    disaster services in the policy file)."""
    unit = owner_unit(policy or current_policy())
    scope.require(actor, "disaster.declare", unit=unit)
    name = values.text(name, field="name", label="灾害名称", max_length=100)
    areas = values.text(areas, field="areas", label="受灾村（社区）", max_length=500, required=False)
    if kind not in DisasterEvent.Kind.values:
        raise ValidationFailed("请选择灾害种类", field="kind", code="invalid_choice")
    if level not in DisasterEvent.Level.values:
        raise ValidationFailed("请选择响应级别", field="level", code="invalid_choice")
    occurred_on = values.past_date(occurred_on, field="occurred_on", label="发生日期")
    fund = values.money(fund, field="fund", label="救灾资金")
    town_units = list(Unit.objects.filter(kind=Unit.Kind.TOWN, pk__in=[getattr(t, "pk", t) for t in towns]))
    if not town_units or len(town_units) != len(set(towns)):
        raise ValidationFailed("请选择受灾镇街", field="towns", code="towns_required")
    event = DisasterEvent.objects.create(
        name=name,
        kind=kind,
        occurred_on=occurred_on,
        level=level,
        areas=areas or "",
        fund=fund,
        unit=unit,
        created_by=actor,
    )
    event.towns.set(town_units)
    return event


def _month_end(m: date) -> date:
    return m.replace(day=calendar.monthrange(m.year, m.month)[1])


@transaction.atomic
def days_settle(*, actor: User, event: DisasterEvent, month, policy=None) -> dict:
    """Count the person-days of every household of ``event`` in ``month`` and grant each its
    amount (persons × days × the daily rate frozen on the aid) as a one-off entitlement of that
    month, which the month's payment roll pays. Only a month that is over is settled, so the
    days are known. Concurrency: the event row is locked and a household's month is settled
    once (unique per aid and month): settling again adds only what is new."""
    event = DisasterEvent.objects.select_for_update().select_related("unit").get(pk=event.pk)
    scope.require(actor, "disaster.settle", unit=event.unit)
    m = month_start(values.month(month, field="month"))
    end = _month_end(m)
    if end >= clock.today():
        raise ValidationFailed("只能核发已结束月份的过渡期生活救助", field="month", code="month_not_over")
    policy = policy or current_policy()
    done = set(
        TransitionalDays.objects.filter(aid__affected__event=event, month=m).values_list("aid_id", flat=True)
    )
    aids = (
        TransitionalAid.objects.filter(affected__event=event, start_on__lte=end)
        .exclude(pk__in=done)
        .select_related("affected__household", "affected__person")
    )
    count, total = 0, money(0)
    for aid in aids:
        first, last = aid_days(aid)
        first, last = max(first, m), min(last, end)
        if last < first:
            continue
        days = (last - first).days + 1
        person_days = days * aid.persons
        amount = money(aid.daily_rate * person_days)
        a = aid.affected
        ent = entitlement_grant(
            household=a.household,
            payee=a.person,
            service_code=SERVICE,
            amount=amount,
            start_month=m,
            actor=actor,
            policy=policy,
            unit=event.unit,
            amount_period="once",
            origin=f"灾害事件：{event.name}"[:100],
            reason=f"过渡期生活救助 {first:%m月%d日}至{last:%m月%d日}：{aid.persons} 人 × {days} 天 × "
            f"{aid.daily_rate} 元/人·天 = {amount} 元",
            rule_amount=amount,
            cause="disaster",
        )
        TransitionalDays.objects.create(
            aid=aid,
            month=m,
            first_day=first,
            last_day=last,
            days=days,
            person_days=person_days,
            amount=amount,
            entitlement=ent,
            settled_by=actor,
        )
        count += 1
        total += amount
    return {"households": count, "amount": total}


@transaction.atomic
def aid_resettle(*, actor: User, aid: TransitionalAid, on, reason: str) -> TransitionalAid:
    """The household is resettled: its aid ends on ``on`` (the last day paid). A day already
    settled cannot be taken back here (that is a recovery on the payment line)."""
    aid = TransitionalAid.objects.select_for_update().select_related("affected__event__unit").get(pk=aid.pk)
    scope.require(actor, "disaster.settle", unit=aid.affected.event.unit)
    on = values.past_date(on, field="on", label="安置日期")
    reason = values.text(reason, field="reason", label="终止原因", max_length=200)
    if aid.end_on is not None:
        raise Conflict("该户过渡期生活救助已终止", field="aid", code="aid_ended")
    if on < aid.start_on - timedelta(days=1):
        raise ValidationFailed("安置日期早于救助起始日期", field="on", code="before_start")
    settled = aid.months.order_by("-last_day").values_list("last_day", flat=True).first()
    if settled is not None and on < settled:
        raise Conflict(
            f"已核发至 {settled:%Y-%m-%d}，安置日期不能早于已核发的日期", field="on", code="already_settled"
        )
    aid.end_on = on
    aid.end_reason = reason
    aid.save(update_fields=["end_on", "end_reason"])
    return aid
