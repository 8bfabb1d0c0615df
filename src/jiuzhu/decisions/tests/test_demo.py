"""The demo seed: eligible households admitted through the real workflow on the dates of last
November and December (application, case, verification report, investigations, opinion, notice,
county approval, entitlement from January), a few cases in every state, idempotent; the
set-based registry reading agrees with ``from_registry``."""

from datetime import date
from decimal import Decimal

from django.test import Client

from jiuzhu.common import clock
from jiuzhu.decisions import demo
from jiuzhu.decisions.frames import registry_facts
from jiuzhu.decisions.models import Case, Letter, Notice
from jiuzhu.policy.facts import from_registry
from jiuzhu.registry.services import income_add

TODAY = clock.today()


def test_seed_approves_eligible_households_and_shows_every_state(make_household, policy, staff):
    poor = [
        make_household(
            members=[{"name": f"贫困户{i}", "birth": date(1970, 1, 1 + i), "labour_capacity": "none"}]
        )
        for i in range(8)
    ]
    rich = make_household(
        members=[{"name": "富裕户", "birth": date(1980, 1, 1), "employment_status": "employed"}]
    )
    income_add(
        actor=None,
        person=rich.members.get(),
        kind="wages",
        monthly_amount="8000",
        period_start=date(2025, 1, 1),
        period_end=date(2027, 12, 31),
    )
    facts, _ = registry_facts(TODAY)
    assert facts[rich.pk] == from_registry(rich, TODAY) and facts[poor[0].pk] == from_registry(poor[0], TODAY)

    summary = demo.seed(policy=policy, today=TODAY)
    assert "审核确认" in summary and "新增批准 3 户" in summary
    approved = Case.objects.filter(state=Case.APPROVED).select_related("entitlement", "referral__application")
    assert approved.count() == 3 and not approved.filter(household=rich).exists()  # 5 are live cases
    last_year = TODAY.year - 1
    for c in approved:
        app, e = c.referral.application, c.entitlement
        notice = c.notices.get()
        kinds = sorted(c.investigations.values_list("kind", flat=True))
        assert kinds == ["appraisal", "home_visit", "neighbourhood"]
        assert (
            app.received_on < c.opened_on < c.opinion_on == notice.starts_on < notice.ends_on < c.decided_on
        )
        assert c.decided_on <= c.due_on and c.decided_on.year == last_year and c.decided_on.month == 12
        assert c.verification_report_id is not None and c.opinion == "approve"
        assert Letter.objects.filter(kind=Letter.APPROVAL, case=c, issued_on=c.decided_on).exists()
        assert e.start_month == date(TODAY.year, 1, 1) and e.amount == Decimal(c.result["amount"]) > 0
        assert e.members.count() == 1 and app.received_at.date() == app.received_on
    # the case page tells that history with its dates
    approver = staff("approver")
    client = Client()
    client.force_login(approver)
    c = approved.first()
    page = client.get(f"/decisions/c/{c.pk}/").content.decode()
    assert "尚无调查记录" not in page and "尚未申请核对" not in page and "尚未公示" not in page
    notice = c.notices.get()
    for text in (
        f"{c.investigations.get(kind='home_visit').done_on:%Y-%m-%d} 入户调查",
        f"{c.investigations.get(kind='appraisal').done_on:%Y-%m-%d} 民主评议",
        f"同意（{c.opinion_on:%Y-%m-%d}）",
        f"核对报告 #{c.verification_report_id}",
        f"公示 {notice.starts_on:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}",
        f"（{c.decided_on:%Y-%m-%d}）",  # the approval letter
        "自 " + f"{TODAY.year}-01 起",
    ):
        assert text in page, text
    for v in c.household.verification_requests.all():
        assert v.created_at.date() < c.decided_on  # asked on its day, not on the day the demo ran
    # a few went through the real workflow (the rich one was refused), one of them has an objection
    live = Case.objects.filter(referral__application__description=demo.LIVE_MARK)
    states = sorted(live.values_list("state", flat=True))
    assert states == ["investigating"] * 2 + ["notice"] * 3 + ["refused"]
    assert Notice.objects.filter(objections__state="open").count() == 1
    assert Letter.objects.filter(kind=Letter.REFUSAL, household=rich).exists()

    again = demo.seed(policy=policy, today=TODAY)
    assert Case.objects.filter(state=Case.APPROVED).count() == 3 and "新增批准 0 户" in again
    page = Client().get("/decisions/notices/").content.decode()
    assert "贫**2" in page and "贫**7" in page and "贫困户" not in page  # on notice now; approved list
