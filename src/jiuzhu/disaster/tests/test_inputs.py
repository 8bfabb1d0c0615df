"""The disaster forms go through ``common.values``: an event dated 2099, a name over its column
or a fund of 1e30 is refused with the Chinese reason and nothing is declared; a resettlement
dated 2099 leaves the aid running."""

import pytest
from django.test import Client

from jiuzhu.disaster.models import DisasterEvent, TransitionalAid


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    "change, words",
    [
        ({"occurred_on": "2099-07-20"}, "晚于今天"),
        ({"name": "灾" * 101}, "灾害名称不能超过 100 个字"),
        ({"fund": "1e30"}, "救灾资金超出合理范围"),
        ({"areas": "河口村\x00"}, "受灾村（社区）含有不可见的控制字符"),
    ],
)
def test_a_declaration_form_with_a_bad_value_declares_nothing(officer, units, change, words):
    form = {
        "name": "7·20 城东洪涝",
        "kind": "flood",
        "occurred_on": "2026-07-20",
        "level": "IV",
        "towns": [units["town_chengdong"].pk],
        "fund": "500000",
        "areas": "河口村",
        **change,
    }
    page = _client(officer).post("/disaster/events/new/", form, follow=True).content.decode()
    assert words in page
    assert not DisasterEvent.objects.exists()


def test_a_resettlement_dated_2099_leaves_the_aid_running(officer, event):
    from jiuzhu.disaster import villagelists
    from jiuzhu.disaster.testing import village_rows

    from .test_disaster_path import _upload

    rows = village_rows(1, town="城东街道")
    rows[0]["需过渡安置人数"] = "1"
    villagelists.list_apply(actor=officer, vlist=_upload(officer, event, rows))
    aid = TransitionalAid.objects.get()
    page = (
        _client(officer)
        .post(f"/disaster/aids/{aid.pk}/resettle/", {"on": "2099-01-01", "reason": "已安置"}, follow=True)
        .content.decode()
    )
    assert "晚于今天" in page
    aid.refresh_from_db()
    assert aid.end_on is None and aid.end_reason == ""
