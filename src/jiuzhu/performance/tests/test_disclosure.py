"""The public disclosure page: aggregate figures per month and town, no login, and never a
name, ID number, address or case code."""

from datetime import date
from decimal import Decimal

from jiuzhu.performance import services
from jiuzhu.performance import testing as t


def test_public_page_shows_aggregates_and_no_personal_data(units, staff, make_household, client):
    from jiuzhu.decisions.models import Entitlement

    admin = staff("admin")
    hh = make_household(
        members=[
            {"name": "欧阳明珠", "birth": date(1950, 2, 2)},
            {"name": "欧阳小龙", "birth": date(2012, 3, 3)},
        ],
        address="示范市城东街道幸福路88号",
    )
    ent = Entitlement.objects.create(
        household=hh,
        payee=hh.members.first(),
        service_code="dibao",
        category="minimum_living",
        unit=units["civil_affairs"],
        amount=Decimal("1460.00"),
        start_month=date(2026, 1, 1),
        created_by=admin,
    )
    ent.members.set(hh.members.all())
    app = t.application(
        household=hh, window=units["town_chengdong"], clerk=admin, received_on=date(2026, 1, 5)
    )
    t.leg(
        app,
        unit=units["civil_affairs"],
        referred_on=date(2026, 1, 5),
        due_on=date(2026, 2, 20),
        state="granted",
        closed_on=date(2026, 1, 20),
        category="minimum_living",
    )
    services.snapshot_refresh(year=2026)

    resp = client.get("/performance/public/?year=2026")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "最低生活保障" in page and "1460.00" in page and "城东街道" in page
    for m in hh.members.all():
        assert m.name not in page and m.id_number not in page and m.id_number[-4:] + "<" not in page
    assert "幸福路88号" not in page and hh.code not in page and app.tracking_code not in page
