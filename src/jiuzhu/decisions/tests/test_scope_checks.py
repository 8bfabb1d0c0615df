"""Reading cases goes through the scope table's ``case.read`` row: a town caseworker reads his
own town's cases only, a window clerk none, the approver all (issue 13: no role list of its own)."""

from django.test import Client

from jiuzhu.common import scope
from jiuzhu.decisions import cases

from .conftest import D0


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_case_read_is_the_scope_table_row(refer_to, poor_household, caseworker, approver, staff):
    case = cases.case_open(actor=caseworker, referral=refer_to(poor_household, "dibao"), today=D0)
    url = f"/api/decisions/cases/{case.pk}"

    other_town = login(staff("town_caseworker", "town_chengxi")).get(url)
    assert other_town.status_code == 403 and other_town.json()["code"] == "out_of_scope"
    clerk = login(staff("window_clerk", "town_chengdong")).get(url)
    assert clerk.status_code == 403 and clerk.json()["code"] == "role_not_allowed"
    page = login(staff("town_caseworker", "town_chengxi")).get(f"/decisions/c/{case.pk}/")
    assert page.status_code == 403 and "本镇街" in page.content.decode()

    assert login(caseworker).get(url).json()["id"] == case.pk
    assert login(approver).get(url).json()["id"] == case.pk
    assert scope.SCOPE[("town_caseworker", "case.read")] == "town"


def test_case_work_and_approval_are_the_scope_tables_rows(
    refer_to, poor_household, caseworker, approver, staff
):
    """``case.work`` (the town's caseworker) and ``case.approve`` (the approver): another town's
    caseworker may not open the case, a caseworker may not approve, a window clerk sees no case."""
    import pytest

    from jiuzhu.common.errors import PermissionDenied
    from jiuzhu.decisions import selectors
    from jiuzhu.decisions.models import Case

    referral = refer_to(poor_household, "dibao")
    with pytest.raises(PermissionDenied) as exc:
        cases.case_open(actor=staff("town_caseworker", "town_chengxi"), referral=referral, today=D0)
    assert exc.value.code == "out_of_scope" and not Case.objects.exists()
    with pytest.raises(PermissionDenied) as exc:
        cases.case_open(actor=approver, referral=referral, today=D0)
    assert exc.value.code == "role_not_allowed"
    case = cases.case_open(actor=caseworker, referral=referral, today=D0)
    with pytest.raises(PermissionDenied) as exc:
        cases.case_approve(actor=caseworker, case=case, today=D0)
    assert exc.value.code == "role_not_allowed"
    from jiuzhu.decisions.models import ExtensionGround

    ground = ExtensionGround.choices[0][0]
    assert cases.deadline_extend(actor=approver, case=case, ground=ground).extension_ground == ground
    assert [c.pk for c in selectors.cases_for(caseworker)] == [case.pk]
    assert selectors.cases_for(staff("town_caseworker", "town_chengxi")) == []
    assert selectors.cases_for(staff("window_clerk", "town_chengdong")) == []
    assert [c.pk for c in selectors.cases_for(approver)] == [case.pk]
