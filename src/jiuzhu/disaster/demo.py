"""Demo data for disaster relief: one flood in two towns, its village list (households the
registry knows, matched, and households it does not, created) applied by the emergency
bureau's officer, one household resettled early, and every month of transitional aid that is
over settled — so the roll pays them and the emergency-management bureau's ledger is not ¥0.
Runs before payments (the payments demo generates and pays the months' rolls). Idempotent:
a second run finds the event and adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from jiuzhu.decisions.entitlements import add_months, month_start
from jiuzhu.registry.demo_staff import demo_scaled
from jiuzhu.registry.models import Person, Unit, User

from . import services, villagelists
from .models import DisasterEvent
from .testing import village_rows

NAME = "示范市夏季洪涝"
TOWNS = ("town_chengdong", "town_chengxi")
KNOWN = 40  # registry households on the list (the default demo's; fewer in a smaller demo)
NEW = 20  # households the registry does not know (likewise)


def _officer(unit: Unit) -> User:
    user = User.objects.filter(role="department_officer", unit=unit).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            username="disaster_demo", role="department_officer", unit=unit, display_name="演示应急管理经办人"
        )
    return user


def seed(*, policy, today: date) -> str:
    event = DisasterEvent.objects.filter(name=NAME).first()
    if event is not None:
        return f"受灾救助：已有灾害事件“{NAME}”（受灾家庭 {event.households.count()} 户）"
    unit = services.owner_unit(policy)
    officer = _officer(unit)
    towns = list(Unit.objects.filter(code__in=TOWNS).order_by("code"))
    occurred = today - timedelta(days=75)
    event = services.event_declare(
        actor=officer,
        name=NAME,
        kind="flood",
        occurred_on=occurred,
        level="III",
        towns=towns,
        fund="3000000",
        areas="河口村、石门村",
        policy=policy,
    )
    heads = Person.objects.filter(
        relation=Person.Relation.HEAD, deceased_on__isnull=True, household__town__in=towns
    ).select_related("household__town")[: demo_scaled(KNOWN)]
    rows = []
    for i, p in enumerate(heads):
        rows.append(
            {
                "户主姓名": p.name,
                "户主身份证号码": p.id_number,
                "镇街": p.household.town.name,
                "村（社区）": p.household.community,
                "居住地址": p.household.address,
                "城乡": "农村",
                "受灾人口": str(1 + i % 4),
                "需过渡安置人数": str(1 + i % 4 if i % 2 == 0 else 0),
                "住房损毁": ("倒塌", "严重损坏", "一般损坏", "住房未受损")[i % 4],
                "农作物受灾面积（亩）": str(i % 6),
                "死亡人数": "0",
                "受伤人数": "1" if i % 13 == 0 else "0",
            }
        )
    rows += village_rows(demo_scaled(NEW), town=towns[0].name, village="河口村", start=7000)
    data = villagelists.workbook(rows)
    vlist = villagelists.list_validate(
        actor=officer, event=event, data=data, filename="河口村受灾家庭名单.xlsx"
    )
    result = villagelists.list_apply(actor=officer, vlist=vlist, policy=policy)
    first_aid = event.households.filter(aid__isnull=False).order_by("pk").first()
    if first_aid is not None:
        services.aid_resettle(
            actor=officer, aid=first_aid.aid, on=occurred + timedelta(days=30), reason="已入住安置房"
        )
    month, paid = month_start(occurred), 0
    while add_months(month, 1) <= month_start(today):
        paid += services.days_settle(actor=officer, event=event, month=month, policy=policy)["amount"]
        month = add_months(month, 1)
    return (
        f"受灾救助：灾害事件“{NAME}”，受灾家庭 {result['households']} 户（新建 {result['new_households']} 户），"
        f"过渡期生活救助已核发 {paid} 元"
    )
