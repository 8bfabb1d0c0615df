"""Demo data for the one window (issue 19): today's work at the first town's window, so each
role's home page opens on real items — a new 低保 application waiting for the caseworker to
start its 审核确认 (verification's demo then asks the centre to verify it), an employment
application whose unit asked for more material (补正), and emergency aid paid first (先行救助)
whose file is to be completed. Idempotent: marked by its description."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jiuzhu.common import masking as m
from jiuzhu.registry.models import Household, Unit, User

from . import handling, services
from .models import Application

MARK = "今日窗口申请（演示）"


def _staff(role: str, unit: Unit | None) -> User | None:
    return User.objects.filter(role=role, unit=unit, is_active=True).order_by("pk").first()


def _apply(clerk, household: Household, needs: list[str], today: date) -> Application:
    app = services.application_create(
        actor=clerk, household=household, needs=needs, description=MARK, today=today
    )
    for p in services.adults(household, today):
        services.authorisation_record(actor=clerk, application=app, person=p, signed_on=today, today=today)
    return app


def seed(*, policy, today: date) -> str:
    if Application.objects.filter(description=MARK).exists():
        return ""
    town = Unit.objects.filter(kind=Unit.Kind.TOWN).order_by("sort_order", "code").first()
    clerk = _staff(m.WINDOW_CLERK, town) if town else None
    if clerk is None:
        return ""
    households = list(
        Household.objects.filter(town=town, applications__isnull=True, members__isnull=False)
        .distinct()
        .order_by("id")[:2]
    )
    if len(households) < 2:
        return ""
    made = []
    with transaction.atomic():
        dibao = _apply(clerk, households[0], ["living"], today)
        services.refer(actor=clerk, application=dibao, service_codes=["dibao"], today=today)
        made.append(f"低保申请 {dibao.tracking_code}")
        work = _apply(clerk, households[1], ["employment", "emergency"], today)
        legs = services.refer(
            actor=clerk, application=work, service_codes=["employment_services"], today=today
        )
        officer = _staff(m.DEPARTMENT_OFFICER, legs[0].unit)
        if officer is not None:
            handling.referral_request_supplement(
                actor=officer, referral=legs[0], missing="失业登记证明原件", today=today
            )
        worker = _staff(m.TOWN_CASEWORKER, town)
        if worker is not None:
            services.emergency_grant(
                actor=worker,
                application=work,
                amount="1500",
                cause="illness",
                note="家庭成员突发重病住院（演示）",
                today=today,
            )
        made.append(f"就业援助待补正、先行救助 {work.tracking_code}")
    return f"一门受理：今日演示申请 {len(made)} 件（{'；'.join(made)}）"
