"""Extreme-poverty support walked end to end (DOMAIN §7 特困): a support institution with its
beds; persons who chose centralised support enter it while a bed is free; the month's support
of its residents is paid to the institution in one transfer (approved by a second person,
paid) and the month's roll leaves them out; a resident's death brings the funeral benefit to
the institution, once; a dispersed person's funeral benefit goes to the member of his
household who arranged it."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.decisions.models import Entitlement
from jiuzhu.payments import institutions
from jiuzhu.payments import services as payments
from jiuzhu.payments.models import PaymentLine
from jiuzhu.tekun import selectors, services

JUNE = date(2026, 6, 1)


@pytest.fixture
def world(staff, supported, support_institution):
    maker, checker = staff("approver"), staff("approver")
    people = {
        name: supported(name, code, amount, actor=maker)
        for name, code, amount in (
            ("周老汉", "tekun_institutional", "1535"),
            ("吴阿婆", "tekun_institutional", "1835"),
            ("郑大爷", "tekun_institutional", "1535"),
            ("王奶奶", "tekun_dispersed", "1535"),
        )
    }
    inst = support_institution(maker, "SUP-1", "示范市社会福利院", "622800005555000001")
    home = services.home_register(actor=maker, institution=inst, beds=2)
    return {"maker": maker, "checker": checker, "p": people, "home": home, "inst": inst}


def test_centralised_support_is_paid_to_the_institution_and_not_by_the_roll(world, policy):
    w, p = world, world["p"]
    services.placement_create(
        actor=w["maker"], home=w["home"], person=p["周老汉"], entered_on=date(2026, 3, 2)
    )
    services.placement_create(
        actor=w["maker"], home=w["home"], person=p["吴阿婆"], entered_on=date(2026, 5, 20)
    )
    with pytest.raises(ValidationFailed) as err:  # two beds, both taken
        services.placement_create(
            actor=w["maker"], home=w["home"], person=p["郑大爷"], entered_on=date(2026, 5, 25)
        )
    assert err.value.code == "no_free_bed"
    services.home_register(actor=w["maker"], institution=w["inst"], beds=3)  # a third bed
    with pytest.raises(ValidationFailed) as err:  # dispersed support: not placed in a home
        services.placement_create(
            actor=w["maker"], home=w["home"], person=p["王奶奶"], entered_on=date(2026, 5, 25)
        )
    assert err.value.code == "not_centralised"
    assert selectors.occupied(w["home"], date(2026, 5, 26)) == 2

    out = services.support_transfer_create(actor=w["maker"], home=w["home"], month=JUNE)
    t = out["transfer"]
    assert (t.institution_id, t.amount, t.service_code, t.lines_count, t.state) == (
        w["inst"].pk,
        Decimal("3370.00"),
        "tekun_institutional",
        2,
        "pending",
    )
    assert sorted(ln.person.name for ln in t.lines.all()) == ["吴阿婆", "周老汉"]
    assert (
        services.support_transfer_create(actor=w["maker"], home=w["home"], month=JUNE)["transfer"] == t
    )  # once
    with pytest.raises(PermissionDenied):  # the maker cannot approve his own transfer
        institutions.transfer_approve(actor=w["maker"], transfer=t)
    t = institutions.transfer_approve(actor=w["checker"], transfer=t)
    t = institutions.transfer_paid(actor=w["checker"], transfer=t, paid_on=date(2026, 6, 10))
    assert t.state == "paid"

    payments.rolls_generate(month=JUNE, services=["tekun_institutional"])
    paid_by_roll = set(
        PaymentLine.objects.filter(service_code="tekun_institutional", period=JUNE).values_list(
            "payee__name", flat=True
        )
    )
    assert paid_by_roll == {"郑大爷"}  # the residents are paid through the institution, not twice


def test_a_residents_death_brings_the_funeral_benefit_to_the_institution_once(world, policy):
    w, p = world, world["p"]
    pl = services.placement_create(
        actor=w["maker"], home=w["home"], person=p["周老汉"], entered_on=date(2026, 3, 2)
    )
    with pytest.raises(ValidationFailed) as err:
        services.funeral_grant(actor=w["maker"], person=p["周老汉"], policy=policy)
    assert err.value.code == "not_deceased"
    p["周老汉"].deceased_on = date(2026, 6, 15)
    p["周老汉"].save()
    services.placement_leave(actor=w["maker"], placement=pl, on=date(2026, 6, 15), reason="died")
    fb = services.funeral_grant(actor=w["maker"], person=p["周老汉"], policy=policy)
    assert (fb.institution_id, fb.transfer.amount, fb.transfer.institution_id, fb.service_code) == (
        w["inst"].pk,
        Decimal("3000.00"),
        w["inst"].pk,
        "tekun_institutional",
    )
    with pytest.raises(ValidationFailed) as err:
        services.funeral_grant(actor=w["maker"], person=p["周老汉"], policy=policy)
    assert err.value.code == "already_granted"


def test_a_dispersed_persons_funeral_benefit_goes_to_the_relative_who_arranged_it(
    world, policy, make_household, staff, grant_support
):
    w = world
    home = make_household(
        members=[{"name": "孙老伯", "birth": date(1938, 1, 1)}, {"name": "孙侄", "birth": date(1975, 1, 1)}]
    )
    old, nephew = home.members.order_by("id")
    grant_support(old, "tekun_dispersed", actor=w["maker"])
    old.deceased_on = date(2026, 7, 3)
    old.save()
    with pytest.raises(ValidationFailed) as err:  # someone of another household: not this way
        services.funeral_grant(actor=w["maker"], person=old, policy=policy, payee=w["p"]["王奶奶"])
    assert err.value.code == "payee_not_member"
    with pytest.raises(PermissionDenied):  # the education bureau does not pay it
        services.funeral_grant(
            actor=staff("department_officer", "education"), person=old, policy=policy, payee=nephew
        )
    fb = services.funeral_grant(actor=w["maker"], person=old, policy=policy, payee=nephew)
    e = Entitlement.objects.get(pk=fb.entitlement_id)
    assert (e.payee_id, e.amount, e.amount_period, e.start_month, e.service_code) == (
        nephew.pk,
        Decimal("3000.00"),
        "once",
        date(2026, 7, 1),
        "tekun_dispersed",
    )


def test_the_screen_lists_the_home_and_pays_the_month(world, client, staff):
    w = world
    services.placement_create(
        actor=w["maker"], home=w["home"], person=w["p"]["周老汉"], entered_on=date(2026, 3, 2)
    )
    client.force_login(w["maker"])
    page = client.get("/tekun/").content.decode()
    assert 'href="/tekun/"' in page and "示范市社会福利院" in page
    resp = client.post(f"/tekun/homes/{w['home'].pk}/pay/", {"month": "2026-06"}, follow=True)
    assert "已生成2026年06月集中供养金拨付：1 人，1535.00 元" in resp.content.decode()
    client.force_login(staff("window_clerk"))
    assert client.get("/tekun/").status_code == 403
