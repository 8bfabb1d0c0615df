"""Hand-counted fixtures for the performance tests and the bench's small mode: referral legs
written straight into the intake tables (real rows, no services involved)."""

from __future__ import annotations

import itertools
from datetime import date

_seq = itertools.count(1)


def application(*, household, window, clerk, received_on: date):
    from jiuzhu.intake.models import Application

    person = household.members.order_by("id").first()
    n = next(_seq)
    return Application.objects.create(
        tracking_code=f"PF{n:06d}"[-10:],
        household=household,
        window=window,
        applicant=person,
        id_tail=person.id_number[-4:],
        received_on=received_on,
        received_by=clerk,
        needs=["living"],
    )


def leg(
    app,
    *,
    unit,
    referred_on: date,
    due_on: date,
    state="referred",
    closed_on=None,
    leg=1,
    paused_days=0,
    reasons="",
    category="education",
    chain_root=None,
):
    from jiuzhu.intake.models import Referral

    return Referral.objects.create(
        application=app,
        service_code=f"svc_{category}",
        service_name=f"{category}事项",
        category=category,
        unit=unit,
        leg=leg,
        state=state,
        referred_on=referred_on,
        limit_days=10,
        due_on=due_on,
        closed_on=closed_on,
        paused_days=paused_days,
        reasons=reasons,
        chain_root=chain_root,
    )
