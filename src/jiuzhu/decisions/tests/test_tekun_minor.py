"""DOMAIN §3 ruling on registry households: a minor already in extreme-poverty support (a
running tekun entitlement covers him) keeps it to 18 though he has left school; a minor of the
same age without support does not qualify as a new applicant. The decision snapshot (one
household) and the registry frames (batch) agree."""

from datetime import date
from decimal import Decimal

from jiuzhu.decisions import snapshot
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.decisions.frames import registry_frames
from jiuzhu.policy.batch import evaluate_batch

ON = date(2026, 3, 1)


def orphan(make_household, name):
    """A boy of 16 on ON (born 2009-09-01), living alone, no school, no income, no supporter."""
    return make_household(
        members=[
            {"name": name, "birth": date(2009, 9, 1), "relation": "head", "has_capable_supporter": False}
        ]
    )


def test_minor_in_support_keeps_it_at_16_out_of_school(make_household, staff, policy):
    kept = orphan(make_household, "周小川")
    new = orphan(make_household, "吴小海")
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

    _, result = snapshot.take(kept, "tekun_dispersed", ON, policy)
    assert result["eligible"] and Decimal(result["amount"]) == Decimal("1335.00")
    assert any("不论是否在学均保障至 18 周岁" in r["detail"] for r in result["reasons"])
    _, result = snapshot.take(new, "tekun_dispersed", ON, policy)
    assert not result["eligible"]

    frames, _ = registry_frames(ON, [kept.pk, new.pk])
    wide = evaluate_batch(frames, ON, policy, ["tekun_dispersed"])
    got = dict(zip(wide["hh_id"].to_list(), wide["tekun_dispersed_eligible"].to_list(), strict=True))
    assert got == {kept.pk: True, new.pk: False}
    # on his 18th birthday, not at school, support ends
    _, result = snapshot.take(kept, "tekun_dispersed", date(2027, 9, 1), policy)
    assert not result["eligible"]
