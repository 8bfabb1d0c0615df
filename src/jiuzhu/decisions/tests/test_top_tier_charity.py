"""DOMAIN §7: a temporary need above the top tier is met up to 12 × by the joint decision and the
rest referred to charity — a real open need on the charity desk (and, anonymised, on the
partners' list) from the signature, once, linked back to the request and its application."""

from decimal import Decimal

import pytest

from jiuzhu.charity import matching, services
from jiuzhu.common.errors import IllegalTransition
from jiuzhu.decisions import grants

from .conftest import D0
from .test_grants import _emergency_up_to_top_tier

MEMBERS = ["张局长（民政局）", "李主任（财政局）", "王书记（城东街道）"]


def _rests(**kw):
    return [n for n in matching.open_needs(today=D0, **kw) if n.source_kind == "top_tier_rest"]


def test_the_rest_above_the_top_tier_is_an_open_charity_need_once_signed(
    refer_to, staff, poor_household, approver, client
):
    r = _emergency_up_to_top_tier(refer_to, staff, poor_household)
    held = r.held_grant
    assert _rests() == []  # nothing is referred while the joint decision has not signed

    grants.grant_sign(
        actor=approver,
        request=held,
        joint_met_on=D0,
        joint_members=MEMBERS,
        joint_minutes="同意按最高档救助，余额转介慈善",
        today=D0,
    )
    (need,) = _rests()
    assert need.key == f"top_tier_rest:{held.pk}:emergency" and need.amount == Decimal("38600.00")
    assert need.household == poor_household and need.application_id == r.application_id
    assert "其余 ¥38,600.00 转介慈善救助" in need.description
    assert matching.need_by_key(need.key).amount == Decimal("38600.00")

    # signing again changes nothing: still one need
    with pytest.raises(IllegalTransition) as exc:
        grants.grant_sign(
            actor=staff("approver", "civil_affairs", "approver2"),
            request=held,
            joint_met_on=D0,
            joint_members=MEMBERS,
            joint_minutes="再次签批",
            today=D0,
        )
    assert exc.value.code == "grant_not_pending"
    assert [n.key for n in _rests()] == [need.key]

    # the charity desk lists it with the money still needed; the signer's page links there
    client.force_login(staff("town_caseworker", "town_chengdong"))
    desk = client.get("/charity/").content.decode()
    assert "临时救助超出最高档部分" in desk and "尚需 ¥38,600.00" in desk
    assert f"source_id={held.pk}" in desk
    client.force_login(approver)
    page = client.get(f"/decisions/grants/{held.pk}/").content.decode()
    assert "已列入" in page and 'href="/charity/"' in page

    # a partner serving the town sees it anonymised: no name, no household code, no free text
    partner = services.partner_save(
        actor=staff("admin"), code="redcross", name="示范市红十字会", kind="charity"
    )
    (seen,) = [x for x in matching.needs_for_partner(partner, today=D0) if x["key"] == need.key]
    assert seen["amount"] == Decimal("38600.00") and seen["source_display"] == "临时救助超出最高档部分"
    text = repr(seen)
    head = poor_household.members.get(relation="head")
    assert head.name not in text and poor_household.code not in text and "房屋烧毁" not in text


def test_a_returned_request_refers_nothing(refer_to, staff, poor_household, approver):
    r = _emergency_up_to_top_tier(refer_to, staff, poor_household)
    grants.grant_return(actor=approver, request=r.held_grant, note="需求金额未核实", today=D0)
    assert _rests() == []
