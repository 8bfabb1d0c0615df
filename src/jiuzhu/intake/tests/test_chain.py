"""The household page shows one assistance chain across areas (DOMAIN §6)."""

from datetime import date

from django.test import Client

from jiuzhu.intake import services
from jiuzhu.intake.testing import two_services


def test_household_page_shows_the_assistance_chain(clerk, staff, household, make_household, policy):
    app = services.application_create(
        actor=clerk, household=household, needs=["education"], description="学费困难"
    )
    a, _ = two_services(policy)
    services.refer(actor=clerk, application=app, service_codes=[a.code])
    c = Client()
    c.force_login(staff("town_caseworker", "town_chengdong"))
    page = c.get(f"/households/{household.code}/").content.decode()
    chain = page[page.index('id="chain"') :]
    assert "受理申请" in chain and f"分办：{a.name}" in chain
    assert f"/intake/a/{app.tracking_code}/" in chain
    other = make_household(members=[{"name": "赵六", "birth": date(1960, 1, 1)}])
    page = c.get(f"/households/{other.code}/").content.decode()
    assert "尚无救助记录" in page[page.index('id="chain"') :]
