"""Demo data for extreme-poverty support: civil affairs' support institution 示范市社会福利院 with
its beds, the demo's centralised-support persons placed in it, and this month's centralised
support paid to it (one transfer made by the civil-affairs officer, approved by the approver,
paid); the roll then leaves those residents out. Idempotent: a person is placed once and a
month paid once."""

from __future__ import annotations

from datetime import date

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions.entitlements import month_start
from jiuzhu.payments import institutions
from jiuzhu.registry.models import Unit, User

from . import selectors, services
from .models import Placement

BEDS = 200


def seed(*, policy, today: date) -> str | None:
    unit = Unit.objects.filter(code="civil_affairs").first()
    maker = User.objects.filter(role="department_officer", unit=unit).order_by("pk").first() if unit else None
    checker = User.objects.filter(role="approver").order_by("pk").first()
    if maker is None or checker is None:
        return None
    inst = institutions.institution_register(
        actor=maker,
        code="SUP-DEMO-1",
        name="示范市社会福利院",
        kind=institutions.Institution.SUPPORT,
        unit=unit,
        bank_name="示范市农业银行",
        holder_name="示范市社会福利院",
        account="622800000000000031",
    )
    home = services.home_register(actor=maker, institution=inst, beds=BEDS)
    month = month_start(today)
    placed = set(Placement.objects.filter(left_on__isnull=True).values_list("person_id", flat=True))
    for ents in selectors.support_owed(
        selectors.support_owed_payees(month), month
    ).values():  # the persons who chose centralised support
        person = ents[0].payee
        if person.pk in placed or selectors.occupied(home, today) >= home.beds or person.deceased_on:
            continue
        services.placement_create(
            actor=maker, home=home, person=person, entered_on=max(ents[0].start_month, date(month.year, 1, 1))
        )
    try:
        out = services.support_transfer_create(actor=maker, home=home, month=month)
    except ValidationFailed:
        return f"特困供养：{inst.name}床位 {home.beds} 张，本月没有集中供养人员"
    t = out["transfer"]
    if t.state == t.PENDING:
        t = institutions.transfer_approve(actor=checker, transfer=t)
    if t.state == t.APPROVED:
        t = institutions.transfer_paid(actor=checker, transfer=t, paid_on=today)
    return f"特困供养：{inst.name}床位 {home.beds} 张，在住 {out['residents']} 人，本月集中供养金 {t.amount} 元拨付机构"
