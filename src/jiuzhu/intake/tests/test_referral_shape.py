"""The referral's output shape is declared once (``ReferralOut``): the API answer and the
application page are filled from that declaration, and the OpenAPI document shows it."""

from datetime import date

from django.test import Client

from jiuzhu.intake import services
from jiuzhu.intake.selectors.read_models import ReferralOut
from jiuzhu.intake.testing import two_services


def test_the_api_answers_exactly_the_declared_fields(clerk, application, policy, staff):
    a, _ = two_services(policy)
    (ref,) = services.refer(
        actor=clerk, application=application, service_codes=[a.code], today=date(2026, 9, 29)
    )
    officer = staff("department_officer", a.unit_code)
    c = Client()
    c.force_login(officer)
    body = c.get(f"/api/intake/referrals/{ref.pk}").json()
    assert list(body) == list(ReferralOut.model_fields)
    assert body["application"] == application.tracking_code and body["unit_name"] == ref.unit.name
    assert body["state_display"] == "已分办待签收" and body["actions"] == [
        "accept",
        "request_supplement",
        "transfer",
    ]
    assert body["chain_root"] == ref.pk and body["transferred_from"] is None and body["held_grant"] is None

    c.force_login(clerk)  # the application page shows the same read model
    page = c.get(f"/intake/a/{application.tracking_code}/").content.decode()
    assert ref.unit.name in page and "已分办待签收" in page

    spec = c.get("/api/openapi.json").json()["components"]["schemas"]["IntakeReferralOut"]
    assert list(spec["properties"]) == list(ReferralOut.model_fields)
