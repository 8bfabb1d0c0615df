"""The charity desk's checks are rows of the scope table (issue 13): ``charity.desk``,
``charity.read``, ``charity.manage``, ``charity.refer``; each refusal has the table's code."""

import pytest
from django.test import Client

from jiuzhu.charity import services
from jiuzhu.charity.models import Partner
from jiuzhu.common.errors import PermissionDenied


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_needs_list_is_for_the_desk(setup, caseworker, staff):
    refused = login(staff("department_officer", "education")).get("/api/charity/needs")
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    assert login(caseworker).get("/api/charity/needs").status_code == 200


def test_ledger_read_by_the_desk_and_supervisors_only(setup, staff):
    url = f"/api/charity/partners/{setup['redcross'].code}/ledger"
    refused = login(staff("department_officer", "education")).get(url)
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    assert login(staff("supervisor")).get(url).status_code == 200


def test_partners_registered_by_the_approver_or_admin_only(setup, caseworker, staff):
    with pytest.raises(PermissionDenied) as exc:
        services.partner_save(actor=caseworker, code="p_new", name="新机构", kind="charity")
    assert exc.value.code == "role_not_allowed" and not Partner.objects.filter(code="p_new").exists()
    page = login(caseworker).get("/charity/manage/")
    assert page.status_code == 403
    services.partner_save(actor=staff("approver"), code="p_new", name="新机构", kind="charity")
    assert Partner.objects.get(code="p_new").name == "新机构"


def test_refer_page_only_for_the_households_town(setup, caseworker, household, staff):
    other = login(staff("town_caseworker", "town_chengxi")).get(f"/charity/refer/{household.code}/")
    assert other.status_code == 403
    assert login(caseworker).get(f"/charity/refer/{household.code}/").status_code == 200
