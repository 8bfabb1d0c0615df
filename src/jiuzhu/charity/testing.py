"""Helpers for charity's tests and the browser test (no test-framework imports): a charity
with a medical cash fund, an enterprise with rice in stock, and partner log-ins."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import masking as m
from jiuzhu.registry.models import User

from . import services
from .models import Offer


def make_partner_user(partner, username: str, password: str = "test-pass-123") -> User:
    user = User.objects.create_user(
        username=username, password=password, role=m.PARTNER, display_name=f"{partner.name}工作人员"
    )
    services.partner_user_link(user=user, partner=partner)
    return user


def charity_setup(*, admin, received_on: date) -> dict:
    """A charity (city-wide) with a medical fund of 5,000 yuan from two donations and a cash
    offer (≤ 2,000 per household, once a year per need); an enterprise serving one town with
    100 bags of rice and a goods offer; a volunteer team offering tutoring."""
    red = services.partner_save(actor=admin, code="redcross", name="示范市红十字会", kind="charity")
    fund = services.fund_create(
        partner=red, code="medical", name="大病医疗救助基金", purpose="限用于医疗", needs=["medical"]
    )
    services.donation_receive(
        actor=admin,
        partner=red,
        kind="money",
        donor_name="示范市爱心企业联合会",
        amount="3000.00",
        fund=fund,
        purpose="大病医疗救助",
        received_on=received_on,
    )
    services.donation_receive(
        actor=admin,
        partner=red,
        kind="money",
        anonymous=True,
        amount="2000.00",
        fund=fund,
        received_on=received_on,
    )
    cash = services.offer_save(
        partner=red,
        code="medical_cash",
        name="大病医疗慈善救助金",
        kind=Offer.CASH,
        needs=["medical"],
        fund=fund,
        max_amount="2000.00",
        period_days=365,
        limit_days=10,
        capacity=20,
        who="政府医疗救助后仍有较大自付费用的困难家庭",
    )
    ent = services.partner_save(
        actor=admin, code="grainco", name="示范粮油有限公司", kind="enterprise", towns=["town_chengdong"]
    )
    rice = services.stock_item_create(partner=ent, code="rice", name="大米（10公斤）", unit="袋")
    services.donation_receive(
        actor=admin,
        partner=ent,
        kind="goods",
        donor_name="示范粮油有限公司",
        stock_item=rice,
        quantity="100",
        value="6000.00",
        purpose="困难家庭基本生活",
        received_on=received_on,
    )
    goods = services.offer_save(
        partner=ent,
        code="rice",
        name="爱心大米",
        kind=Offer.GOODS,
        needs=["living", "emergency"],
        stock_item=rice,
        max_quantity="5",
        capacity=50,
    )
    team = services.partner_save(actor=admin, code="youth_vol", name="青年志愿服务队", kind="volunteer_team")
    tutoring = services.offer_save(
        partner=team,
        code="tutoring",
        name="周末课业辅导",
        kind=Offer.SERVICE,
        subkind="tutoring",
        needs=["education"],
        capacity=1,
    )
    return {
        "redcross": red,
        "fund": fund,
        "cash": cash,
        "grainco": ent,
        "rice": rice,
        "goods": goods,
        "team": team,
        "tutoring": tutoring,
    }
