"""特困 support homes: the number of beds and the month paid go through bounded checks — a bed
count past any home (and past the column) is refused with its code, the month form refuses a
month outside the platform's window; nothing is written."""

from datetime import date

import pytest

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.payments.models import InstitutionTransfer
from jiuzhu.tekun import services
from jiuzhu.tekun.models import Placement

from .test_support import world  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    "beds, code", [("100001", "beds_out_of_range"), (10**20, "beds_out_of_range"), ("0", "bad_beds")]
)
def test_beds_out_of_range_are_refused_and_the_home_keeps_its_beds(world, beds, code):  # noqa: F811
    with pytest.raises(ValidationFailed) as exc:
        services.home_register(actor=world["maker"], institution=world["inst"], beds=beds)
    assert (exc.value.field, exc.value.code) == ("beds", code)
    world["home"].refresh_from_db()
    assert world["home"].beds == 2


def test_the_month_form_refuses_a_month_outside_the_window(world, client):  # noqa: F811
    services.placement_create(
        actor=world["maker"], home=world["home"], person=world["p"]["周老汉"], entered_on=date(2026, 3, 2)
    )
    client.force_login(world["maker"])
    page = client.post(f"/tekun/homes/{world['home'].pk}/pay/", {"month": "5404-03"}, follow=True)
    assert "不在可办理范围" in page.content.decode()
    assert not InstitutionTransfer.objects.exists() and Placement.objects.count() == 1
