"""Change requests and import batch notes go through ``common.values``: a death dated 2099, an
over-long reason or a control character is refused with its field and a stable code (API: 400;
screen: the Chinese reason) and nothing is kept."""

from __future__ import annotations

import pytest

from jiuzhu.caseload.models import ChangeDocument, ChangeRequest

from .test_change_forms import _form, family  # noqa: F401 (fixture)


def test_a_death_dated_2099_on_the_form_is_refused_and_keeps_nothing(client, staff, family):  # noqa: F811
    client.force_login(staff("window_clerk"))
    person = family.members.get(name="韩父")
    resp = _form(client, family, "death", {"died_on": "2099-01-01"}, person=person)
    assert "晚于今天" in resp.content.decode()
    assert not ChangeRequest.objects.exists() and not ChangeDocument.objects.exists()


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"reason": "窗口\x00申报"}, "reason", "control_characters"),
        ({"reason": "因" * 501}, "reason", "too_long"),
        ({"payload": {"address": "路" * 201}}, "address", "too_long"),
        ({"household": "H" * 41}, "household", "too_long"),
    ],
)
def test_a_change_through_the_api_refuses_bad_text_and_keeps_nothing(
    client,
    staff,
    family,  # noqa: F811
    change,
    field,
    code,
):
    client.force_login(staff("window_clerk"))
    body = {"household": family.code, "kind": "address", "payload": {"address": "解放路11号"}, **change}
    resp = client.post("/api/caseload/changes", body, content_type="application/json")
    assert resp.status_code == 400, resp.content
    assert (resp.json()["field"], resp.json()["code"]) == (field, code)
    assert not ChangeRequest.objects.exists()


def test_a_review_note_over_the_bound_leaves_the_request_waiting(client, staff, family):  # noqa: F811
    client.force_login(staff("window_clerk"))
    body = {"household": family.code, "kind": "address", "payload": {"address": "解放路11号"}}
    cid = client.post("/api/caseload/changes", body, content_type="application/json").json()["id"]
    client.force_login(staff("town_caseworker"))
    page = client.post(f"/caseload/changes/{cid}/reject/", {"note": "退" * 501}, follow=True).content.decode()
    assert "退回理由不能超过 500 个字" in page
    assert ChangeRequest.objects.get(pk=cid).state == ChangeRequest.State.PENDING
