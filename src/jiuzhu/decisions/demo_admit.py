"""The demo's approved 低保/特困 households, admitted through the real workflow (issue 16 item 7).

Each household the rules (batch path) find eligible at the end of last year goes the way a real
one does, on the dates it would have had (the platform's clock set to each day,
``common.clock.on``): its application at its town's window with every adult's authorisation and
the referral (day R), the caseworker opens the case (R+1 working day), asks the verification
centre, whose sources answer and which issues the report, and visits the home and the
neighbours (R+2), the public appraisal (R+3), the initial opinion with its 7-day public notice
(R+4), the county's own visit for 特困 (特困人员认定办法 第十六条), then the county approval on the
first working day after the notice, with its letter and the entitlement from the month after:
January of this year, so payments has a year of rolls. Every deadline of 最低生活保障审核确认办法
is met. The days R are spread over the last weeks of November, so approvals fall in December.

Nothing is written around the services: a household the services refuse (its facts changed
between the batch and the day of the opinion) is left out, its partial work rolled back, and
counted. The payee's bank account is registered later by payments' demo, so the approval says
so (``without_account``)."""

from __future__ import annotations

from datetime import date

import polars as pl
from django.db import transaction

from jiuzhu.common import clock
from jiuzhu.common import masking as m
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.common.selectors import holiday_table
from jiuzhu.common.workdays import add_workdays, is_workday
from jiuzhu.registry.models import Household, Unit, User

from .models import Case, Entitlement, Investigation

MARK = "申请最低生活保障或特困供养（演示年度）"  # the applications' description
STAFF = ["演示调查员甲", "演示调查员乙"]
COUNTY_STAFF = ["县民政局核查员甲", "县民政局核查员乙"]
# Beyond this many (a demo of tens of thousands of households) the rest wait unadmitted: the
# workflow takes about a tenth of a second a household, and nothing is bulk-written instead.
LIMIT = 600
SPREAD = 8  # received on one of the first 8 working days from FIRST_DAY
FIRST_DAY = (11, 21)  # month, day of last year
FINDINGS = {
    Investigation.HOME_VISIT: "入户核实：家庭成员、居住、收入和财产情况与申请所报一致，生活确有困难",
    Investigation.NEIGHBOURHOOD: "走访邻里和村（居）委会：反映该户生活困难属实，未发现隐瞒收入",
    Investigation.APPRAISAL: "村（居）民代表民主评议：到会代表一致同意上报",
}


def _user(role: str, unit: Unit, username: str) -> User:
    user = User.objects.filter(role=role, unit=unit, is_active=True).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(username=username, role=role, unit=unit, display_name=username)
    return user


def _first_workday(day: date, table) -> date:
    while not is_workday(day, table):
        day = date.fromordinal(day.toordinal() + 1)
    return day


def admitted_count() -> int:
    return Case.objects.filter(referral__application__description=MARK, state=Case.APPROVED).count()


def admit(policy, rows: pl.DataFrame, today: date) -> tuple[int, int]:
    """Take each ``hh_id, service`` of ``rows`` through the workflow; ``(admitted, left out)``."""
    from jiuzhu.intake import services as intake
    from jiuzhu.verification.testing import verified

    from . import cases as svc

    table = holiday_table()
    first = _first_workday(date(today.year - 1, *FIRST_DAY), table)
    starts = [first] + [add_workdays(first, n, table).due for n in range(1, SPREAD)]
    civil = Unit.objects.get(code=policy.service("dibao").owner_unit)
    approver = _user(m.APPROVER, civil, "decisions_demo_approver")
    staff: dict[int, tuple[User, User]] = {}
    rows = rows.head(LIMIT)
    households = Household.objects.select_related("town").in_bulk(rows["hh_id"].to_list())
    done = skipped = 0
    for i, (hid, service) in enumerate(rows.select("hh_id", "service").iter_rows()):
        hh = households[hid]
        if hh.town_id not in staff:
            staff[hh.town_id] = (
                _user(m.WINDOW_CLERK, hh.town, f"decisions_demo_clerk_{hh.town.code}"),
                _user(m.TOWN_CASEWORKER, hh.town, f"decisions_demo_{hh.town.code}"),
            )
        clerk, worker = staff[hh.town_id]
        received = starts[i % SPREAD]
        day = {n: add_workdays(received, n, table).due for n in range(1, 5)}
        try:
            with transaction.atomic():
                with clock.on(received):
                    app = intake.application_create(
                        actor=clerk, household=hh, needs=["living"], description=MARK, today=received
                    )
                    for p in intake.adults(hh, received):
                        intake.authorisation_record(
                            actor=clerk, application=app, person=p, signed_on=received, today=received
                        )
                    referral = intake.refer(
                        actor=clerk, application=app, service_codes=[service], today=received
                    )[0]
                with clock.on(day[1]):
                    c = svc.case_open(actor=worker, referral=referral, today=day[1])
                with clock.on(day[2]):
                    verified(hh, requester=worker, service_code=service, today=day[2])
                for kind, on in (
                    (Investigation.HOME_VISIT, day[2]),
                    (Investigation.NEIGHBOURHOOD, day[2]),
                    (Investigation.APPRAISAL, day[3]),
                ):
                    with clock.on(on):
                        svc.investigation_record(
                            actor=worker,
                            case=c,
                            kind=kind,
                            done_on=on,
                            staff_names=STAFF,
                            findings=FINDINGS[kind],
                        )
                with clock.on(day[4]):
                    c = svc.opinion_give(actor=worker, case=c, recommend="approve", today=day[4])
                notice = c.notices.get()
                decided = _first_workday(date.fromordinal(notice.ends_on.toordinal() + 1), table)
                with clock.on(decided):
                    if c.category == "extreme_poverty" or c.close_relative:
                        svc.investigation_record(
                            actor=approver,
                            case=c,
                            kind=Investigation.COUNTY_VISIT,
                            done_on=decided,
                            staff_names=COUNTY_STAFF,
                            findings="县级入户核查：情况属实，同意认定",
                        )
                    if c.close_relative:
                        c = svc.relative_signoff(
                            actor=approver, case=c, note="经县级入户核查，近亲属申请情况属实", today=decided
                        )
                    svc.case_approve(actor=approver, case=c, note="同意", today=decided, without_account=True)
            done += 1
        except JiuzhuError:
            skipped += 1
    return done, skipped


def taken_households() -> set[int]:
    """Households the admission leaves alone: already helped, in a case, or at a window."""
    from jiuzhu.intake.models import Application

    return (
        set(
            Entitlement.objects.filter(category__in=("minimum_living", "extreme_poverty")).values_list(
                "household_id", flat=True
            )
        )
        | set(Case.objects.values_list("household_id", flat=True))
        | set(Application.objects.filter(status=Application.OPEN).values_list("household_id", flat=True))
    )
