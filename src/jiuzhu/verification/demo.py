"""Demo data for verification: the window's new 低保 application of today (intake's demo) has
its verification request at the centre, so the data-source units find tasks. Idempotent: one
request per application (its tracking code is the case reference)."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import masking as m
from jiuzhu.intake.demo import MARK
from jiuzhu.intake.models import Referral
from jiuzhu.registry.models import User

from .models import VerificationRequest
from .services import request_create


def seed(*, policy, today: date) -> str | None:
    verifier = User.objects.filter(role=m.VERIFICATION_OFFICER, is_active=True).order_by("pk").first()
    leg = (
        Referral.objects.filter(application__description=MARK, service_code="dibao")
        .select_related("application__household")
        .order_by("id")
        .first()
    )
    if verifier is None or leg is None:
        return None
    app = leg.application
    if VerificationRequest.objects.filter(case_ref=app.tracking_code).exists():
        return None
    request_create(
        actor=verifier, household=app.household, service_code="dibao", case_ref=app.tracking_code, today=today
    )
    return f"核对请求：低保申请 {app.tracking_code}"
