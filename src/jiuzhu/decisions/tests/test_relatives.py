"""Close relatives of staff (近亲属备案): declared by the member of staff himself or by an admin,
with the staff member's own ID number recorded; a grant to a declared relative (or to a staff
member's own household, declared or not) waits for a second signature and is flagged; the
declaring member of staff cannot sign it."""

import pytest

from jiuzhu.common.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.decisions import grants, relatives
from jiuzhu.decisions.models import Entitlement, GrantRequest
from jiuzhu.intake import handling
from jiuzhu.intake.models import Referral
from jiuzhu.registry.models import StaffRelative

from .conftest import D0
from .test_grants import APRIL, _taken


def test_staff_declare_their_own_relatives_admins_anyone(staff, housed):
    officer = staff("department_officer", "housing")
    head = housed.members.get(relation="head")
    x = relatives.relative_declare(
        actor=officer, name=head.name, id_number=head.id_number, relation="sibling", today=D0
    )
    assert x.staff == officer and x.unit == officer.unit and x.get_relation_display() == "兄弟姐妹"
    assert x.history.count() == 1
    with pytest.raises(Conflict) as exc:
        relatives.relative_declare(
            actor=officer, name=head.name, id_number=head.id_number, relation="sibling"
        )
    assert exc.value.code == "already_declared"
    other = staff("town_caseworker", "town_chengdong")
    spouse = housed.members.get(relation="spouse")
    with pytest.raises(PermissionDenied) as exc:
        relatives.relative_declare(
            actor=other, staff=officer, name=spouse.name, id_number=spouse.id_number, relation="in_law"
        )
    assert exc.value.code == "not_own_declaration"
    admin = staff("admin")
    relatives.relative_declare(
        actor=admin, staff=officer, name=spouse.name, id_number=spouse.id_number, relation="in_law"
    )
    with pytest.raises(ValidationFailed) as exc:
        relatives.relative_declare(
            actor=officer, name="某人", id_number="110101199001011230", relation="child"
        )
    assert exc.value.field == "id_number"
    with pytest.raises(ValidationFailed) as exc:
        relatives.relative_declare(actor=officer, name="某人", id_number=head.id_number, relation="friend")
    assert exc.value.code == "invalid_relation"
    assert StaffRelative.objects.filter(staff=officer).count() == 2


def test_a_grant_to_a_declared_relative_waits_for_a_second_signature_and_is_flagged(
    refer_to,
    staff,
    housed,
    approver,
):
    relative_of = staff("approver", "civil_affairs", "approver_with_brother")
    head = housed.members.get(relation="head")
    relatives.relative_declare(
        actor=relative_of, name=head.name, id_number=head.id_number, relation="sibling"
    )
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    r = handling.referral_grant(actor=officer, referral=r, amount=None, start_month=APRIL, today=D0)
    held = r.held_grant  # the rule's own amount, and still held
    assert r.state == Referral.IN_PROGRESS and held.level == GrantRequest.COUNTY and held.close_relative
    assert (
        held.relatives[0]["declarant"] == "approver_with_brother"
        and held.relatives[0]["relation"] == "兄弟姐妹"
    )
    assert any("近亲属" in w for w in held.why)
    assert not Entitlement.objects.filter(household=housed).exists()
    with pytest.raises(PermissionDenied) as exc:
        grants.grant_sign(actor=relative_of, request=held, today=D0)
    assert exc.value.code == "relative_of_signer"
    grants.grant_sign(actor=approver, request=held, note="经核实同意", today=D0)
    assert Referral.objects.get(pk=r.pk).state == Referral.GRANTED


def test_a_staff_members_own_household_is_found_without_any_declaration(refer_to, staff, housed):
    spouse = housed.members.get(relation="spouse")
    clerk = staff("window_clerk", "town_chengdong", "clerk_sun")
    relatives.staff_id_number_set(actor=clerk, id_number=spouse.id_number)
    assert not StaffRelative.objects.exists()
    with pytest.raises(Conflict) as exc:
        relatives.staff_id_number_set(
            actor=staff("admin"), staff=staff("window_clerk"), id_number=spouse.id_number
        )
    assert exc.value.code == "id_number_taken"
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    r = handling.referral_grant(actor=officer, referral=r, amount=None, start_month=APRIL, today=D0)
    assert r.held_grant is not None and r.held_grant.close_relative
    assert r.held_grant.relatives == [
        {
            "member": relatives.m.mask_name(spouse.name),
            "declarant": "clerk_sun",
            "post": "一门受理窗口",
            "relation": "本人",
            "staff": clerk.pk,
        }
    ]


def test_api_declare_record_id_and_refuse_for_another(staff, housed):
    import json

    from django.test import Client

    officer = staff("department_officer", "housing", "officer_li")
    head = housed.members.get(relation="head")
    c = Client()
    c.force_login(officer)
    post = lambda url, body: c.post(url, json.dumps(body), content_type="application/json")  # noqa: E731
    resp = post(
        "/api/decisions/relatives", {"name": head.name, "id_number": head.id_number, "relation": "parent"}
    )
    assert (
        resp.status_code == 201
        and resp.json()["declarant"] == "officer_li"
        and resp.json()["relation"] == "父母"
        and resp.json()["staff"] == officer.pk
    )
    resp = post(
        "/api/decisions/relatives", {"name": head.name, "id_number": head.id_number, "relation": "parent"}
    )
    assert resp.status_code == 409 and resp.json()["code"] == "already_declared"
    other = staff("department_officer", "housing")
    resp = post(
        "/api/decisions/relatives",
        {"name": "某", "id_number": head.id_number, "relation": "child", "staff": other.pk},
    )
    assert resp.status_code == 403 and resp.json()["code"] == "not_own_declaration"
    resp = post("/api/decisions/staff/id-number", {"id_number": "110101199001011230"})
    assert resp.status_code == 400 and resp.json()["field"] == "id_number"
    spouse = housed.members.get(relation="spouse")
    resp = post("/api/decisions/staff/id-number", {"id_number": spouse.id_number})
    assert resp.status_code == 200 and spouse.id_number not in resp.content.decode()
    officer.refresh_from_db()
    assert officer.id_number == spouse.id_number
