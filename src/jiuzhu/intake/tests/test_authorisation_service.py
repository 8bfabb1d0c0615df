"""The 授权书 names its service (issue 13): the API's ``service_code`` and the window form's
service boxes are checked against the city's service catalogue; a wrong or missing code is a
field error and nothing is written."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiuzhu.intake import services
from jiuzhu.intake.models import Authorisation, Document
from jiuzhu.intake.testing import PNG_BYTES, two_services

URL = "/api/intake"


def _clerk(staff):
    user = staff("window_clerk", "town_chengdong")
    c = Client()
    c.force_login(user)
    return user, c


def test_api_authorisation_needs_a_known_service(staff, household, policy):
    user, c = _clerk(staff)
    app = services.application_create(actor=user, household=household, needs=["living"])
    head = household.members.order_by("id").first()
    url = f"{URL}/applications/{app.tracking_code}/authorisations"
    body = {"person_id_number": head.id_number, "signed_on": "2026-01-05"}

    missing = c.post(url, body, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["field"] == "service_code"
    blank = c.post(url, {**body, "service_code": ""}, content_type="application/json")
    assert blank.status_code == 422 and blank.json()["field"] == "service_code"
    wrong = c.post(url, {**body, "service_code": "lottery"}, content_type="application/json")
    assert wrong.status_code == 400 and (wrong.json()["field"], wrong.json()["code"]) == (
        "service_code",
        "unknown_service",
    )
    assert not Authorisation.objects.exists()

    a, _ = two_services(policy)
    ok = c.post(url, {**body, "service_code": a.code}, content_type="application/json")
    assert ok.status_code == 201 and Authorisation.objects.get().service_code == a.code


def test_window_form_authorisation_needs_a_known_service(staff, household, policy):
    user, c = _clerk(staff)
    app = services.application_create(actor=user, household=household, needs=["living"])
    head = household.members.order_by("id").first()
    url = f"/intake/a/{app.tracking_code}/authorisations/"
    page = c.get(f"/intake/a/{app.tracking_code}/").content.decode()
    a, b = two_services(policy)
    assert f'name="service_code" value="{a.code}"' in page

    back = {"HTTP_REFERER": f"/intake/a/{app.tracking_code}/", "follow": True}
    none = c.post(url, {"person": head.pk, "signed_on": "2026-01-02"}, **back)
    assert "请选择授权书所为的救助事项" in none.content.decode()
    scan = SimpleUploadedFile("授权书.png", PNG_BYTES)
    wrong = c.post(
        url,
        {"person": head.pk, "signed_on": "2026-01-02", "service_code": [a.code, "lottery"], "file": scan},
        **back,
    )
    assert "没有救助事项 lottery" in wrong.content.decode()
    assert not Authorisation.objects.exists() and not Document.objects.exists()

    c.post(url, {"person": head.pk, "signed_on": "2026-01-02", "service_code": [b.code]})
    assert list(Authorisation.objects.values_list("service_code", flat=True)) == [b.code]
