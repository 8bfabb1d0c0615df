"""Demo data for social forces: the city charity federation, the Red Cross, a grain company
and a youth volunteer team, each with a log-in ``partner_<code>`` (the demo password), their
funds, stock, donations and offers, volunteer hours, and two referrals of demo households
(one delivered, one waiting for the partner). Idempotent: a second run adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from jiuzhu.common import masking as m
from jiuzhu.registry.models import Household, User

from . import referrals, services
from .models import Offer, Partner

PARTNERS = [
    ("cf", "示范市慈善总会", "charity", [], "全市性慈善组织，开展助医、助学、助困项目"),
    ("redcross", "示范市红十字会", "charity", [], "人道救助、大病救助、应急救护"),
    ("grainco", "示范粮油有限公司", "enterprise", ["town_chengdong", "town_chengxi"], "爱心企业，捐赠米面油"),
    ("youthvol", "青年志愿服务队", "volunteer_team", [], "课业辅导、上门照料、小修小补"),
]


def _admin():
    return (
        User.objects.filter(role=m.ADMIN).order_by("id").first()
        or User.objects.filter(is_superuser=True).first()
    )


@transaction.atomic
def seed(*, policy, today: date) -> str:
    if Partner.objects.filter(code="cf").exists():
        return ""
    admin = _admin()
    if admin is None:
        return ""
    from jiuzhu.registry.management.commands.demo import DEMO_PASSWORD

    hashed = make_password(DEMO_PASSWORD)
    p = {}
    for code, name, kind, towns, desc in PARTNERS:
        p[code] = services.partner_save(
            actor=admin, code=code, name=name, kind=kind, towns=towns, description=desc
        )
        user, _ = User.objects.update_or_create(
            username=f"partner_{code}",
            defaults={
                "password": hashed,
                "role": m.PARTNER,
                "display_name": f"{name}工作人员",
                "is_active": True,
            },
        )
        services.partner_user_link(user=user, partner=p[code])
    month_ago = today - timedelta(days=30)
    general = services.fund_create(
        partner=p["cf"], code="general", name="慈善救助综合基金", purpose="困难群众救助"
    )
    student = services.fund_create(
        partner=p["cf"], code="student", name="助学基金", purpose="限用于困难学生助学", needs=["education"]
    )
    medical = services.fund_create(
        partner=p["redcross"],
        code="medical",
        name="大病救助基金",
        purpose="限用于大病医疗",
        needs=["medical"],
    )
    for partner, fund, donor, amount, purpose in [
        (p["cf"], general, "示范市建设集团", "200000.00", "困难群众救助"),
        (p["cf"], general, "", "5000.00", ""),
        (p["cf"], student, "示范市教育基金会", "80000.00", "困难学生助学"),
        (p["redcross"], medical, "爱心人士王女士", "50000.00", "大病医疗救助"),
    ]:
        services.donation_receive(
            actor=admin,
            partner=partner,
            kind="money",
            donor_name=donor,
            anonymous=not donor,
            amount=amount,
            fund=fund,
            purpose=purpose,
            received_on=month_ago,
        )
    rice = services.stock_item_create(partner=p["grainco"], code="rice", name="大米（10公斤）", unit="袋")
    oil = services.stock_item_create(partner=p["grainco"], code="oil", name="食用油（5升）", unit="桶")
    for item, qty, value in ((rice, "500", "30000.00"), (oil, "300", "24000.00")):
        services.donation_receive(
            actor=admin,
            partner=p["grainco"],
            kind="goods",
            donor_name="示范粮油有限公司",
            stock_item=item,
            quantity=qty,
            value=value,
            purpose="困难家庭基本生活",
            received_on=month_ago,
        )
    offers = {
        "cf_cash": services.offer_save(
            partner=p["cf"],
            code="relief",
            name="慈善救助金",
            kind=Offer.CASH,
            needs=["living", "emergency", "housing"],
            fund=general,
            max_amount="3000.00",
            period_days=365,
            who="政府救助后仍有困难的家庭",
            capacity=100,
        ),
        "cf_school": services.offer_save(
            partner=p["cf"],
            code="school",
            name="慈善助学金",
            kind=Offer.CASH,
            needs=["education"],
            fund=student,
            max_amount="2000.00",
            period_days=365,
            who="低保、特困及低收入家庭在校学生",
        ),
        "cf_waiver": services.offer_save(
            partner=p["cf"],
            code="hospital_waiver",
            name="定点医院诊疗费减免",
            kind=Offer.WAIVER,
            subkind="hospital",
            needs=["medical"],
            description="合作医院减免门诊诊查费和部分住院费用",
        ),
        "rc_cash": services.offer_save(
            partner=p["redcross"],
            code="serious_illness",
            name="大病医疗救助金",
            kind=Offer.CASH,
            needs=["medical"],
            fund=medical,
            max_amount="5000.00",
            period_days=365,
            who="政府医疗救助后自付仍较高的大病患者",
            capacity=30,
        ),
        "rice": services.offer_save(
            partner=p["grainco"],
            code="rice",
            name="爱心大米",
            kind=Offer.GOODS,
            needs=["living", "emergency", "disaster"],
            stock_item=rice,
            max_quantity="5",
            capacity=100,
        ),
        "tutoring": services.offer_save(
            partner=p["youthvol"],
            code="tutoring",
            name="周末课业辅导",
            kind=Offer.SERVICE,
            subkind="tutoring",
            needs=["education"],
            capacity=20,
            description="大学生志愿者每周末上门辅导",
        ),
        "repairs": services.offer_save(
            partner=p["youthvol"],
            code="repairs",
            name="小修小补",
            kind=Offer.SERVICE,
            subkind="repairs",
            needs=["housing"],
            capacity=10,
        ),
    }
    for i, (name, hours) in enumerate([("陈晓", "3"), ("林一凡", "2.5"), ("赵敏", "4"), ("陈晓", "3")]):
        services.volunteer_log(
            actor=admin,
            partner=p["youthvol"],
            team="课业辅导组",
            volunteer=name,
            served_on=today - timedelta(days=7 * i + 1),
            hours=hours,
            kind="tutoring",
            town="town_chengdong",
        )
    made = _demo_referrals(offers, p, today)
    return f"社会力量：合作方 {len(p)} 家（登录名 partner_<代码>），捐赠 6 笔，帮扶资源 {len(offers)} 项，转介 {made} 件"


def _demo_referrals(offers, partners, today: date) -> int:
    caseworker = User.objects.filter(role=m.TOWN_CASEWORKER, unit__code="town_chengdong").first()
    homes = list(
        Household.objects.filter(town__code="town_chengdong", members__isnull=False)
        .distinct()
        .order_by("id")[:2]
    )
    if caseworker is None or len(homes) < 2:
        return 0
    start = today - timedelta(days=14)
    first = referrals.refer(
        actor=caseworker,
        household=homes[0],
        offer=offers["rice"],
        need="living",
        consent_by=homes[0].members.order_by("id")[0].name,
        consent_on=start,
        quantity="2",
        description="家庭主要劳动力患病，生活困难",
        today=start,
    )
    grain = User.objects.get(username="partner_grainco")
    referrals.accept(actor=grain, referral=first, today=start)
    referrals.deliver(actor=grain, referral=first, result="已送大米2袋上门", today=start + timedelta(days=2))
    referrals.refer(
        actor=caseworker,
        household=homes[1],
        offer=offers["tutoring"],
        need="education",
        consent_by=homes[1].members.order_by("id")[0].name,
        consent_on=today,
        description="孩子学习跟不上，家长无力辅导",
        today=today,
    )
    return 2
