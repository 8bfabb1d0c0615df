"""Demo data for decisions: a few households of the first town are taken through the real
workflow so every state is on screen (investigating, on notice, an objection open, refused
with a letter); then the other demo households the rules (batch path) find eligible for dibao
or extreme-poverty support are admitted through the same workflow on the dates of last November
and December (``demo_admit``), so payments has a year of rolls and every case page tells a true
history. Idempotent: a second run adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from django.db import transaction

from jiuzhu.common import masking as m
from jiuzhu.common.labels import label
from jiuzhu.policy.batch import evaluate_batch
from jiuzhu.registry.models import Household, Unit, User

from . import demo_admit
from .frames import registry_frames
from .models import Case, Entitlement
from .scope import decision_services

# One service per household, first match wins (exclusive services: DOMAIN §3).
PRIORITY = ("tekun_institutional", "tekun_dispersed", "dibao", "dibao_single")
STAFF = ["演示调查员甲", "演示调查员乙"]
LIVE_MARK = "生活困难（演示）"


def _user(role: str, unit: Unit, username: str) -> User:
    user = User.objects.filter(role=role, unit=unit).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(username=username, role=role, unit=unit, display_name=username)
    return user


def _eligible(policy, on: date) -> pl.DataFrame:
    """``hh_id, service, amount`` (cents) of each eligible household's first service."""
    frames, _ = registry_frames(on)
    if len(frames) == 0:
        return pl.DataFrame(schema={"hh_id": pl.Int64, "service": pl.String, "amount": pl.Int64})
    codes = [c for c in PRIORITY if c in {s.code for s in decision_services(policy)}]
    wide = evaluate_batch(frames, on, policy, codes)
    parts = [
        wide.filter(pl.col(f"{c}_eligible") & (pl.col(f"{c}_amount") > 0)).select(
            "hh_id",
            pl.lit(c).alias("service"),
            pl.col(f"{c}_amount").alias("amount"),
            pl.lit(i).alias("rank"),
        )
        for i, c in enumerate(codes)
    ]
    return (
        pl.concat(parts).sort("hh_id", "rank").unique("hh_id", keep="first", maintain_order=True).drop("rank")
    )


def _history(policy, today: date) -> tuple[int, int]:
    """The eligible demo households admitted through the workflow, dated last November and
    December (``demo_admit``): ``(admitted now, left out)``."""
    if Case.objects.filter(referral__application__description=demo_admit.MARK).exists():
        return 0, 0  # seeded once: later registry changes (other seeds plant omissions) stay unhelped
    # the households eligible when their opinions are given (the standard of last year)
    rows = _eligible(policy, date(today.year - 1, 12, 1))
    rows = rows.filter(~pl.col("hh_id").is_in(list(demo_admit.taken_households())))
    if rows.height == 0:
        return 0, 0
    return demo_admit.admit(policy, rows, today)


def _live_cases(policy, today: date) -> dict[str, int]:
    """A few households through the real workflow, one or two per state."""
    from jiuzhu.intake import services as intake
    from jiuzhu.registry.services import income_add
    from jiuzhu.verification.testing import verified

    from . import cases as svc
    from . import notices as nsvc

    if Case.objects.filter(referral__application__description=LIVE_MARK).exists():
        return {}
    town = Unit.objects.filter(kind=Unit.Kind.TOWN).order_by("sort_order", "code").first()
    if town is None:
        return {}
    clerk = _user(m.WINDOW_CLERK, town, f"decisions_demo_clerk_{town.code}")
    worker = _user(m.TOWN_CASEWORKER, town, f"decisions_demo_{town.code}")
    approver = _user(
        m.APPROVER, Unit.objects.get(code=policy.service("dibao").owner_unit), "decisions_demo_approver"
    )
    from jiuzhu.intake.models import Application

    # Households already at a window (intake's demo of today) keep their own application.
    busy = (
        set(Case.objects.values_list("household_id", flat=True))
        | set(Entitlement.objects.values_list("household_id", flat=True))
        | set(Application.objects.filter(status=Application.OPEN).values_list("household_id", flat=True))
    )
    candidates = list(
        Household.objects.filter(town=town)
        .exclude(pk__in=busy)
        .order_by("id")
        .values_list("id", flat=True)[:400]
    )
    frames, _ = registry_frames(today, candidates)
    wide = evaluate_batch(frames, today, policy, ["dibao"]) if len(frames) else None
    eligible = wide.filter(pl.col("dibao_eligible"))["hh_id"].to_list() if wide is not None else []
    other = wide.filter(~pl.col("dibao_eligible"))["hh_id"].to_list() if wide is not None else []
    made: dict[str, int] = {}
    received = today - timedelta(days=10)

    def start(hid):
        hh = Household.objects.get(pk=hid)
        app = intake.application_create(
            actor=clerk, household=hh, needs=["living"], description=LIVE_MARK, today=received
        )
        for p in intake.adults(hh, received):
            intake.authorisation_record(
                actor=clerk, application=app, person=p, signed_on=received, today=received
            )
        r = intake.refer(actor=clerk, application=app, service_codes=["dibao"], today=received)[0]
        c = svc.case_open(actor=worker, referral=r, today=received)
        # the town asks for 核对 when it starts the investigation; the sources answer, the
        # centre issues the report (a decision needs it: cases.check_verified)
        verified(hh, requester=clerk, service_code="dibao", today=received)
        return c

    def investigate(c):
        for kind in ("home_visit", "neighbourhood", "appraisal"):
            svc.investigation_record(
                actor=worker,
                case=c,
                kind=kind,
                done_on=received + timedelta(days=2),
                staff_names=STAFF,
                findings="入户核实家庭成员、收入和财产情况（演示）",
            )

    plan = [
        ("investigating", eligible[:2]),
        ("notice", eligible[2:4]),
        ("objection", eligible[4:5]),
        ("refused", other[:1]),
    ]
    for state, hids in plan:
        for hid in hids:
            with transaction.atomic():
                c = start(hid)
                if state != Case.INVESTIGATING:
                    investigate(c)
                if state in ("notice", "objection"):
                    c = svc.opinion_give(
                        actor=worker, case=c, recommend="approve", today=today - timedelta(days=2)
                    )
                if state == "objection":
                    nsvc.objection_lodge(
                        notice=c.notices.get(),
                        text="反映该户有家庭成员在外务工收入未申报（演示）",
                        ip="192.0.2.1",
                        today=today - timedelta(days=1),
                    )
                if state == Case.REFUSED:
                    hh = Household.objects.get(pk=hid)
                    if not hh.members.filter(incomes__isnull=False).exists():
                        income_add(
                            actor=None,
                            person=hh.members.order_by("id")[0],
                            kind="wages",
                            monthly_amount="9000",
                            period_start=today - timedelta(days=300),
                            period_end=today,
                        )
                    c = svc.opinion_give(
                        actor=worker,
                        case=c,
                        recommend="refuse",
                        today=today - timedelta(days=2),
                        note="经调查家庭人均收入高于低保标准（演示）",
                    )
                    svc.case_refuse(actor=approver, case=c, today=today)
            made[state] = made.get(state, 0) + 1
    return made


# the demo's states as the console says them (an open objection is not a case state of its own)
LIVE_STATES = {
    "investigating": "调查中",
    "notice": "公示中",
    "objection": "公示异议待处理",
    "refused": "不予批准",
}


def seed(*, policy, today: date) -> str:
    made = _live_cases(policy, today)  # first: they take a few eligible households of one town
    n, left_out = _history(policy, today)
    total = demo_admit.admitted_count()
    skipped = f"，规则复核不符合未批准 {left_out} 户" if left_out else ""
    live = "，".join(
        f"{LIVE_STATES.get(k) or label('decisions.case.state', k)} {v} 件" for k, v in made.items()
    )
    live = live or "已有"
    return f"审核确认：本次经受理、调查、核对、公示和审批新增批准 {n} 户{skipped}（共 {total} 户享受低保/特困待遇）；办理中演示案件：{live}"
