"""Verification asked from the case page (issue 19): the caseworker handling the case asks
for it there (no household code retyped), the request is listed on the case with a link he
may open; a reader who may not ask sees no button."""

from django.test import Client

from jiuzhu.common import clock
from jiuzhu.decisions import cases
from jiuzhu.verification.models import VerificationRequest


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_caseworker_asks_for_verification_from_the_case(
    refer_to, poor_household, caseworker, staff, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    today = clock.today()
    c = cases.case_open(
        actor=caseworker, referral=refer_to(poor_household, "dibao", today=today), today=today
    )
    web = _client(caseworker)
    page = web.get(f"/decisions/c/{c.pk}/").content.decode()
    assert "尚未申请核对" in page and 'action="/verification/requests/new/"' in page

    resp = web.post(
        "/verification/requests/new/",
        {"household": poor_household.code, "service": "dibao", "case_ref": str(c.pk), "channel": "intake"},
    )

    req = VerificationRequest.objects.get(household=poor_household)
    assert resp.status_code == 302 and resp["Location"] == f"/verification/r/{req.pk}/"
    assert (req.service_code, req.case_ref, req.requested_by) == ("dibao", str(c.pk), caseworker)
    page = web.get(f"/decisions/c/{c.pk}/").content.decode()
    assert f'href="/verification/r/{req.pk}/">核对请求 #{req.pk}</a>' in page

    # another caseworker of the town sees the request, without a link he could not open
    other = _client(staff("town_caseworker", "town_chengdong")).get(f"/decisions/c/{c.pk}/").content.decode()
    assert f"核对请求 #{req.pk}" in other and f'href="/verification/r/{req.pk}/"' not in other
    # the supervisor reads the case but may not ask for verification
    supervisor = _client(staff("supervisor")).get(f"/decisions/c/{c.pk}/")
    assert supervisor.status_code == 200 and "/verification/requests/new/" not in supervisor.content.decode()
