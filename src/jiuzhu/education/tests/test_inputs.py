"""The term a school's list is confirmed for goes through ``common.values``: a term outside the
platform's month window (5404) is refused with the Chinese reason and nothing is granted."""

from jiuzhu.decisions.models import Entitlement
from jiuzhu.payments.models import InstitutionTransfer

from .test_terms import world  # noqa: F401 (fixture)


def test_a_term_outside_the_window_grants_nothing(world, client):  # noqa: F811
    client.force_login(world["officer"])
    before = Entitlement.objects.count()
    resp = client.post(
        f"/education/schools/{world['school'].pk}/confirm/",
        {"term": "5404-03-01", "person": [world["m"]["高中丙"].pk]},
        follow=True,
    )
    assert "不在可办理范围" in resp.content.decode()
    assert Entitlement.objects.count() == before and not InstitutionTransfer.objects.exists()
