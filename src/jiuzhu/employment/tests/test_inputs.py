"""The employment forms go through ``common.values``: an offer dated 2099, a wage of 1e30 or an
employer's name with a control character is refused with the Chinese reason and nothing is
written; a subsidy starting in a month outside the platform's window is refused."""

from datetime import date

import pytest

from jiuzhu.employment.models import Offer, Registration, Subsidy


@pytest.fixture
def registered(staff, make_household, client):
    home = make_household(members=[{"name": "赵大力", "birth": date(1984, 1, 5), "labour_capacity": "full"}])
    client.force_login(staff("department_officer", "hrss"))
    client.post(
        "/employment/register/", {"id_number": home.members.get().id_number, "registered_on": "2026-05-04"}
    )
    return Registration.objects.get()


OFFER = {"employer": "示范市物业公司", "position": "保安", "monthly_wage": "2300", "offered_on": "2026-05-06"}


@pytest.mark.parametrize(
    "change, words",
    [
        ({"offered_on": "2099-01-01"}, "晚于今天"),
        ({"monthly_wage": "1e30"}, "月工资超出合理范围"),
        ({"monthly_wage": "2300.555"}, "最多两位小数"),
        ({"employer": "物业\x00公司"}, "用人单位含有不可见的控制字符"),
        ({"position": "岗" * 101}, "岗位不能超过 100 个字"),
    ],
)
def test_an_offer_form_refuses_bad_values_and_records_nothing(client, registered, change, words):
    page = client.post(
        f"/employment/registrations/{registered.pk}/offer/", {**OFFER, "kind": "job", **change}, follow=True
    ).content.decode()
    assert words in page
    assert not Offer.objects.exists()


def test_a_subsidy_outside_the_month_window_is_refused(client, registered):
    page = client.post(
        f"/employment/registrations/{registered.pk}/subsidy/",
        {"kind": "training", "start_month": "5404-03-01"},
        follow=True,
    ).content.decode()
    assert "不在可办理范围" in page
    assert not Subsidy.objects.exists()


@pytest.mark.parametrize(
    "url, data",
    [
        ("/employment/offers/{missing}/answer/", {"answer": "accepted", "answered_on": "2026-05-07"}),
        ("/employment/registrations/{missing}/offer/", {**OFFER, "kind": "job"}),
        (
            "/employment/registrations/{missing}/outcome/",
            {"employed_on": "2026-05-07", "employer": "示范市物业公司", "monthly_wage": "2300"},
        ),
        ("/employment/registrations/{missing}/subsidy/", {"kind": "training", "start_month": "2026-05"}),
    ],
)
def test_an_id_that_does_not_exist_is_not_found_on_the_page_not_a_server_error(client, registered, url, data):
    missing = registered.pk + 1000
    page = client.post(url.format(missing=missing), data, follow=True)
    assert page.status_code == 200
    assert "不存在" in page.content.decode()
    assert not Offer.objects.exists() and not Subsidy.objects.exists()
    assert Registration.objects.get().ended_on is None
