"""Every kind of change through the household's form (with a document), reviewed by the city's
approver; documents through the API; the reviewer's queue on his home page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.caseload.models import ChangeDocument, ChangeRequest
from jiuzhu.common import clock
from jiuzhu.common.errors import IllegalTransition, PermissionDenied
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person
from jiuzhu.registry.testing import make_id

TODAY = clock.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def family(make_household):
    return make_household(
        members=[
            {"name": "韩父", "birth": date(1965, 3, 1), "relation": "head"},
            {"name": "韩母", "birth": date(1967, 6, 1), "relation": "spouse", "gender": "F"},
            {"name": "韩子", "birth": date(1995, 1, 9), "relation": "child"},
        ]
    )


def _member(hh, name):
    return hh.members.get(name=name)


def _form(client, hh, kind, data, person=None):
    post = {"kind": kind, "reason": "到窗口申报", "channel": "window", **data}
    if person is not None:
        post["person"] = person.pk
    post["document"] = SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf")
    post["document_title"] = "证明材料"
    return client.post(f"/caseload/households/{hh.code}/changes/new/", post)


def _cases(hh, other):
    """(kind, member name or None, form fields, check after applying) for each kind."""
    baby_id = make_id(TODAY - timedelta(days=40), gender="F")
    bride_id = make_id(date(1996, 4, 4), gender="F")
    return [
        (
            "birth",
            None,
            {"m_name": "韩孙", "m_id_number": baby_id, "m_relation": "grandchild"},
            lambda: hh.members.filter(id_number=baby_id, relation="grandchild").exists(),
        ),
        (
            "move_in",  # marriage: the bride joins the household
            None,
            {"m_name": "吴媳", "m_id_number": bride_id, "m_relation": "other"},
            lambda: hh.members.filter(id_number=bride_id).exists(),
        ),
        (
            "move_out",
            "韩子",
            {"to_household": other.code, "to_relation": "spouse"},
            lambda: other.members.filter(name="韩子", relation="spouse").exists(),
        ),
        (
            "death",
            "韩父",
            {"died_on": str(TODAY - timedelta(days=3))},
            lambda: _member(hh, "韩父").deceased_on == TODAY - timedelta(days=3),
        ),
        (
            "income",
            "韩母",
            {
                "income_kind": "wages",
                "monthly_amount": "1200.50",
                "period_start": str(TODAY - timedelta(days=90)),
                "period_end": str(TODAY),
            },
            lambda: IncomeItem.objects.filter(person__name="韩母", monthly_amount="1200.50").exists(),
        ),
        (
            "asset",
            None,
            {"asset_kind": "vehicle", "value": "30000", "as_of": str(TODAY), "vehicle_purpose": "livelihood"},
            lambda: Asset.objects.filter(household=hh, kind="vehicle", value="30000").exists(),
        ),
        (
            "member_facts",
            "韩母",
            {"disability_kind": "physical", "disability_grade": "2", "serious_illness": "尿毒症"},
            lambda: (
                (_member(hh, "韩母").disability_grade, _member(hh, "韩母").serious_illness) == (2, "尿毒症")
            ),
        ),
        (
            "bank_account",
            "韩母",
            {"bank_name": "示范农商银行", "number": "6228 4800 1234 5678 9"},
            lambda: ChangeRequest.objects.get(kind="bank_account").result.get("bank_account"),
        ),
        (
            "address",
            None,
            {"address": "示范市城东街道解放路8号", "phone": "13800138000"},
            lambda: Household.objects.get(pk=hh.pk).address == "示范市城东街道解放路8号",
        ),
        (
            "split",
            None,
            {f"split_{_member(hh, '韩母').pk}": "head", "address": "示范市城东街道和平路2号"},
            lambda: (
                _member(hh, "韩父").household.members.count() < 3
                and Person.objects.get(name="韩母").relation == "head"
            ),
        ),
        (
            "merge",
            None,
            {"other": other.code, "head_relation": "parent"},
            lambda: hh.members.filter(name="蒋老", relation="parent").exists(),
        ),
        (
            "move_town",
            None,
            {"town": "town_chengxi", "community": "和平社区", "address": "示范市城西街道和平路3号"},
            lambda: Household.objects.get(pk=hh.pk).town.code == "town_chengxi",
        ),
    ]


KINDS = [k for k, _ in ChangeRequest.Kind.choices]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_raised_on_the_form_with_a_document_and_applied_by_the_approver(
    kind, client, staff, family, make_household
):
    other = make_household(members=[{"name": "蒋老", "birth": date(1940, 2, 2), "relation": "head"}])
    hh = family
    (case,) = [c for c in _cases(hh, other) if c[0] == kind]
    _, who, data, applied = case
    clerk = staff("window_clerk")
    client.force_login(clerk)
    page = client.get(f"/caseload/households/{hh.code}/changes/new/").content.decode()
    assert f"?kind={kind}" in page  # every kind is offered
    page = client.get(f"/caseload/households/{hh.code}/changes/new/?kind={kind}").content.decode()
    assert dict(ChangeRequest.Kind.choices)[kind] in page

    resp = _form(client, hh, kind, data, person=_member(hh, who) if who else None)

    c = ChangeRequest.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/caseload/changes/{c.pk}/"
    assert (c.kind, c.channel, c.state) == (kind, ChangeRequest.Channel.WINDOW, ChangeRequest.State.PENDING)
    assert c.documents.get().title == "证明材料"
    assert not applied()  # raised, not applied

    approver = staff("approver")
    client.force_login(approver)
    page = client.get(f"/caseload/changes/{c.pk}/").content.decode()
    assert "复核通过，变更生效" in page and f"/caseload/changes/{c.pk}/documents/" in page
    resp = client.post(f"/caseload/changes/{c.pk}/approve/", {"note": "材料齐全"})
    assert resp.status_code == 302
    c.refresh_from_db()
    assert c.state == ChangeRequest.State.APPLIED and c.reviewed_by == approver, c.effects
    assert applied()


def test_a_bad_field_is_shown_and_keeps_nothing(client, staff, family):
    client.force_login(staff("window_clerk"))
    resp = _form(client, family, "birth", {"m_name": "韩孙", "m_id_number": "110101199001011234"})
    assert resp.status_code == 200
    assert "校验位" in resp.content.decode()
    assert not ChangeRequest.objects.exists() and not ChangeDocument.objects.exists()


def test_a_document_that_is_not_pdf_or_image_refuses_the_request(client, staff, family):
    client.force_login(staff("window_clerk"))
    resp = client.post(
        f"/caseload/households/{family.code}/changes/new/",
        {
            "kind": "address",
            "address": "示范市城东街道解放路8号",
            "document": SimpleUploadedFile("x.pdf", b"=cmd|' /C calc'!A0", content_type="application/pdf"),
        },
    )
    assert resp.status_code == 200 and "只接受 PDF、JPG 或 PNG" in resp.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_approver_reviews_but_never_his_own_and_the_clerk_never(staff, family):
    from jiuzhu.caseload import changes

    approver, clerk, admin = staff("approver"), staff("window_clerk"), staff("admin")
    c = changes.change_raise(actor=admin, household=family, kind="address", payload={"address": "新地址1号"})
    with pytest.raises(PermissionDenied) as exc:
        changes.change_approve(actor=clerk, change=c)
    assert exc.value.code == "role_not_allowed"
    with pytest.raises(IllegalTransition) as exc:
        changes.change_approve(actor=admin, change=c)
    assert exc.value.code == "same_person"
    family.refresh_from_db()
    assert family.address != "新地址1号"

    applied = changes.change_approve(actor=approver, change=c)

    assert applied.state == ChangeRequest.State.APPLIED and applied.reviewed_by == approver
    family.refresh_from_db()
    assert family.address == "新地址1号"


def test_the_reviewers_home_lists_what_waits_for_him(client, staff, family):
    from jiuzhu.caseload import changes

    caseworker = staff("town_caseworker")
    changes.change_raise(
        actor=staff("window_clerk"), household=family, kind="address", payload={"address": "解放路9号"}
    )
    changes.change_raise(
        actor=caseworker, household=family, kind="address", payload={"address": "解放路10号"}
    )
    client.force_login(caseworker)
    page = client.get("/").content.decode()
    assert "待复核的变更申请" in page
    assert "住址变更：解放路9号" in page and "住址变更：解放路10号" not in page  # not his own


def test_documents_through_the_api(client, staff, family):
    clerk = staff("window_clerk")
    client.force_login(clerk)
    resp = client.post(
        "/api/caseload/changes",
        {"household": family.code, "kind": "address", "payload": {"address": "解放路11号"}},
        content_type="application/json",
    )
    cid = resp.json()["id"]
    resp = client.post(
        f"/api/caseload/changes/{cid}/documents",
        {"file": SimpleUploadedFile("a.txt", b"hello"), "title": "户口簿"},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "file_type" and resp.json()["field"] == "file"
    resp = client.post(
        f"/api/caseload/changes/{cid}/documents",
        {"file": SimpleUploadedFile("a.pdf", PDF), "title": "户口簿"},
    )
    assert resp.status_code == 201, resp.content
    (doc,) = client.get(f"/api/caseload/changes/{cid}").json()["documents"]
    assert doc["title"] == "户口簿"
    got = client.get(doc["url"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF

    client.force_login(staff("town_caseworker", "town_chengxi"))
    assert client.get(doc["url"]).status_code == 403

    client.force_login(staff("town_caseworker"))
    client.post(f"/api/caseload/changes/{cid}/approve", {}, content_type="application/json")
    client.force_login(clerk)
    resp = client.post(
        f"/api/caseload/changes/{cid}/documents", {"file": SimpleUploadedFile("b.pdf", PDF), "title": "补充"}
    )
    assert resp.status_code == 409 and resp.json()["code"] == "wrong_state"


def test_the_reviewer_sees_the_new_amount_on_the_page_before_applying(client, staff, recipient):
    from decimal import Decimal

    from jiuzhu.caseload import changes
    from jiuzhu.common.labels import yuan
    from jiuzhu.decisions.models import Review

    hh, head, pension, ent = recipient
    c = changes.change_raise(
        actor=staff("window_clerk"),
        household=hh,
        person=head,
        kind=ChangeRequest.Kind.INCOME,
        payload={
            "kind": "wages",
            "monthly_amount": "800",
            "period_start": str(TODAY - timedelta(days=60)),
            "period_end": str(TODAY),
            "replaces": [pension.pk],
        },
    )
    (effect,) = changes.change_effects(actor=staff("approver"), change=c)
    client.force_login(staff("approver"))

    page = client.get(f"/caseload/changes/{c.pk}/").content.decode()

    new = Decimal(effect["rule_amount"])
    assert new < ent.amount
    assert yuan(ent.amount) in page and f"{yuan(new)}（变化）" in page
    assert f"情况变化复核，期限 {effect['review']['due_on']}" in page
    assert not Review.objects.exists() and IncomeItem.objects.get(person=head).kind == "pension_basic"


def test_a_bank_account_raised_by_the_town_is_in_force_once_reviewed(staff, family):
    from jiuzhu.caseload import changes
    from jiuzhu.payments.models import BankAccount, BankAccountChange

    mother = _member(family, "韩母")
    raised = changes.change_raise(
        actor=staff("town_caseworker"),
        household=family,
        person=mother,
        kind=ChangeRequest.Kind.BANK_ACCOUNT,
        payload={"bank_name": "示范农商银行", "number": "6228480012345678901"},
    )
    assert not BankAccount.objects.filter(person=mother).exists()

    done = changes.change_approve(actor=staff("town_caseworker"), change=raised)

    assert done.result["confirmed"] is True
    assert BankAccount.objects.get(person=mother).tail == "8901"
    change = BankAccountChange.objects.get(person=mother)
    assert change.state == BankAccountChange.CONFIRMED and change.requested_by == raised.raised_by
    assert change.decided_by == done.reviewed_by


def test_a_bank_account_from_the_window_still_waits_for_confirmation(staff, family):
    from jiuzhu.caseload import changes
    from jiuzhu.payments.models import BankAccount, BankAccountChange

    mother = _member(family, "韩母")
    raised = changes.change_raise(
        actor=staff("window_clerk"),
        household=family,
        person=mother,
        kind=ChangeRequest.Kind.BANK_ACCOUNT,
        payload={"bank_name": "示范农商银行", "number": "6228480012345678901"},
    )
    done = changes.change_approve(actor=staff("town_caseworker"), change=raised)
    assert done.result["confirmed"] is False
    assert BankAccountChange.objects.get(person=mother).state == BankAccountChange.PENDING
    assert not BankAccount.objects.filter(person=mother).exists()


def test_the_household_page_offers_only_what_the_reader_may_open(client, staff, family):
    from jiuzhu.caseload import changes

    c = changes.change_raise(
        actor=staff("window_clerk"), household=family, kind="address", payload={"address": "解放路12号"}
    )
    link = f'href="/caseload/changes/{c.pk}/"'
    new = f"/caseload/households/{family.code}/changes/new/"

    client.force_login(staff("town_caseworker"))
    page = client.get(f"/households/{family.code}/").content.decode()
    assert new in page and link in page

    client.force_login(staff("supervisor"))  # reads change requests, raises none
    page = client.get(f"/households/{family.code}/").content.decode()
    assert new not in page and link in page

    client.force_login(staff("verification_officer"))  # reads the household, not its change requests
    page = client.get(f"/households/{family.code}/").content.decode()
    assert "住址变更：解放路12号" in page  # on the chain, as text
    assert new not in page and link not in page
    assert client.get(f"/caseload/changes/{c.pk}/").status_code == 403


def test_a_move_hands_the_open_case_to_the_new_towns_caseworker_with_the_chain_kept(
    client, staff, make_household, settings, tmp_path
):
    from jiuzhu.caseload import changes
    from jiuzhu.decisions import cases
    from jiuzhu.intake import services as intake

    settings.DATA_DIR = tmp_path
    hh = make_household(
        members=[{"name": "龚大伯", "birth": date(1950, 5, 5), "relation": "head", "labour_capacity": "none"}]
    )
    clerk, old_worker = staff("window_clerk"), staff("town_caseworker")
    app = intake.application_create(
        actor=clerk, household=hh, needs=["living"], description="生活困难", today=TODAY
    )
    intake.authorisation_record(
        actor=clerk, application=app, person=hh.members.get(), signed_on=TODAY, today=TODAY
    )
    (referral,) = intake.refer(actor=clerk, application=app, service_codes=["dibao"], today=TODAY)
    case = cases.case_open(actor=old_worker, referral=referral, today=TODAY)
    assert case.town.code == "town_chengdong"
    move = changes.change_raise(
        actor=clerk,
        household=hh,
        kind=ChangeRequest.Kind.MOVE_TOWN,
        payload={"town": "town_chengxi", "community": "和平社区", "address": "示范市城西街道和平路5号"},
    )

    move = changes.change_approve(actor=old_worker, change=move)

    case.refresh_from_db()
    assert case.town.code == "town_chengxi" and move.result["cases_handed_over"] == [case.pk]
    new_worker = staff("town_caseworker", "town_chengxi")
    client.force_login(new_worker)
    page = client.get(f"/decisions/c/{case.pk}/").content.decode()
    assert "登记调查记录" in page  # the new town's caseworker works the case now
    chain = client.get(f"/households/{hh.code}/").content.decode()
    assert "迁往城西" in chain and "受理" in chain  # the change and the earlier steps stay on the chain
    client.force_login(old_worker)
    assert client.get(f"/decisions/c/{case.pk}/").status_code in (403, 404)
