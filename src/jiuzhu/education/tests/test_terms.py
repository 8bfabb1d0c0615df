"""Term batches: the bureau lists a school's eligible pupils (dibao/tekun households), the school
confirms, and each confirmed pupil gets the term's grant by stage — to the school (an
institution transfer) or to the family (a one-off entitlement paid by the roll); a pupil who
graduated is no longer listed, and a term is granted once."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.decisions.entitlements import owed_in
from jiuzhu.decisions.models import Entitlement
from jiuzhu.education import selectors, services
from jiuzhu.payments.models import InstitutionTransfer

SPRING, AUTUMN = date(2026, 3, 1), date(2026, 9, 1)


@pytest.fixture
def world(officer, register_school, dibao_home, make_household, enrol, policy):
    school = register_school("SCH-1", "示范市第一中学", "622800001111000001")
    dibao = dibao_home(
        ("小学乙", date(2016, 2, 2)), ("高中丙", date(2009, 3, 3)), ("大学丁", date(2008, 4, 4))
    )
    plain = make_household(members=[{"name": "普通戊", "birth": date(2015, 5, 5)}])
    m = {p.name: p for p in [*dibao.members.all(), *plain.members.all()]}
    enrolled = {
        name: enrol(school, m[name], stage, on)
        for name, stage, on in (
            ("小学乙", "primary", date(2025, 9, 1)),
            ("高中丙", "senior", date(2025, 9, 1)),
            ("普通戊", "primary", date(2025, 9, 1)),
            ("大学丁", "university", AUTUMN),
        )
    }
    return {"officer": officer, "school": school, "m": m, "enrol": enrolled, "policy": policy}


def test_term_list_confirmation_grants_and_graduation_ends(world, staff):
    w, m = world, world["m"]
    listed = selectors.term_eligible(actor=w["officer"], school=w["school"], term=SPRING, policy=w["policy"])
    assert [(r["name"], r["grant"].amount, r["grant"].to_school) for r in listed] == [
        ("小学乙", Decimal("500.00"), False),
        ("高中丙", Decimal("1250.00"), True),
    ]  # fmt: skip  (the university entrant only from his entrance term; 普通戊 not dibao/tekun)

    result = services.term_confirm(
        actor=w["officer"],
        school=w["school"],
        term=SPRING,
        policy=w["policy"],
        confirmed=[m["小学乙"].pk, m["高中丙"].pk, m["普通戊"].pk],
    )
    assert result["granted"] == 2 and result["refused"] == [m["普通戊"].pk]
    t = InstitutionTransfer.objects.get(pk=result["transfers"][0])
    assert (t.institution_id, t.amount, t.service_code, t.state) == (
        w["school"].pk,
        Decimal("1250.00"),
        "edu_senior",
        "pending",
    )
    fam = Entitlement.objects.get(service_code="edu_compulsory")
    assert (fam.payee.name, fam.amount, fam.amount_period, fam.start_month) == (
        "家长甲",
        Decimal("500.00"),
        "once",
        SPRING,
    )
    assert owed_in(SPRING).filter(pk=fam.pk).exists() and not owed_in(AUTUMN).filter(pk=fam.pk).exists()

    with pytest.raises(ValidationFailed) as err:  # the same term again: nothing more
        services.term_confirm(
            actor=w["officer"],
            school=w["school"],
            term=SPRING,
            policy=w["policy"],
            confirmed=[m["小学乙"].pk],
        )
    assert err.value.code == "nothing_to_grant"

    services.pupil_leave(
        actor=w["officer"], enrolment=w["enrol"]["高中丙"], on=date(2026, 7, 1), reason="graduated"
    )
    autumn = selectors.term_eligible(actor=w["officer"], school=w["school"], term=AUTUMN, policy=w["policy"])
    assert [(r["name"], r["grant"].amount) for r in autumn] == [
        ("小学乙", Decimal("500.00")),
        ("大学丁", Decimal("5000.00")),
    ]
    services.term_confirm(
        actor=w["officer"],
        school=w["school"],
        term=AUTUMN,
        policy=w["policy"],
        confirmed=[r["person_id"] for r in autumn],
    )
    later = selectors.term_eligible(
        actor=w["officer"], school=w["school"], term=date(2026, 10, 1), policy=w["policy"]
    )
    assert "大学丁" not in [r["name"] for r in later]  # the entrance grant is paid once
    assert Entitlement.objects.filter(service_code="edu_university", amount=Decimal("5000.00")).count() == 1


def test_another_unit_cannot_confirm_and_screen_shows_the_list(world, staff, client):
    with pytest.raises(PermissionDenied):
        services.term_confirm(
            actor=staff("department_officer", "housing"),
            school=world["school"],
            term=SPRING,
            policy=world["policy"],
            confirmed=[world["m"]["小学乙"].pk],
        )
    client.force_login(world["officer"])
    page = client.get(f"/education/schools/{world['school'].pk}/?term=2026-03-01").content.decode()
    assert "2026年春季学期" in page and "小学乙" in page and "¥1,250.00" in page and "普通戊" not in page
    resp = client.post(
        f"/education/schools/{world['school'].pk}/confirm/",
        {"term": "2026-03-01", "person": [world["m"]["高中丙"].pk]},
        follow=True,
    )
    assert "已确认 1 名学生" in resp.content.decode()


def test_the_navigation_leads_the_bureau_to_its_schools(world, staff, client):
    client.force_login(world["officer"])
    home = client.get("/education/").content.decode()
    assert 'href="/education/"' in home and "示范市第一中学" in home
    client.force_login(staff("department_officer", "housing"))  # another bureau: its own schools only
    assert "示范市第一中学" not in client.get("/education/").content.decode()
    client.force_login(staff("window_clerk"))  # a window clerk neither sees the item nor opens the page
    assert client.get("/education/").status_code == 403
