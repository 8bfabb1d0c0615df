"""Screening judges households by the same facts as the decisions: a minor already in
extreme-poverty support (a running tekun entitlement) is seen as in support by the rules that
screening runs (``status_of``, ``rule_amounts_of``), so he stays 特困 to 18 though out of
school; the same boy without support does not."""

from datetime import date
from decimal import Decimal

from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.screening.frames import rule_amounts_of, status_of

ON = date(2026, 3, 1)


def _boy(make_household, name):
    return make_household(
        members=[
            {"name": name, "birth": date(2009, 9, 1), "relation": "head", "has_capable_supporter": False}
        ]
    )


def test_screening_sees_a_minor_already_in_tekun_support(make_household, staff, policy):
    kept, new = _boy(make_household, "周小川"), _boy(make_household, "吴小海")
    boy = kept.members.get()
    entitlement_grant(
        household=kept,
        payee=boy,
        members=[boy],
        service_code="tekun_dispersed",
        amount=Decimal("1335"),
        start_month=date(2024, 1, 1),
        actor=staff("approver", "civil_affairs"),
        policy=policy,
        amount_period="month",
        origin="审核确认（测试）",
        reason="认定特困",
    )

    status = status_of(policy, ON)([kept.pk, new.pk])
    got = dict(zip(status["household_id"].to_list(), status["status"].to_list(), strict=True))
    assert got[kept.pk] == "tekun"
    assert got[new.pk] != "tekun"
    amounts = rule_amounts_of(policy, ON)([kept.pk, new.pk])
    tekun = amounts.filter(amounts["service"] == "tekun_dispersed")
    assert tekun["household_id"].to_list() == [kept.pk]
