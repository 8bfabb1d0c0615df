"""The close-relatives declaration as a screen (/decisions/relatives/): a caseworker records his
own ID number and declares his mother; the declaration is kept with the declarant and lists on
his page, ID numbers masked; a bad ID number is refused with its message and writes nothing;
he cannot declare for a colleague, an admin can; a partner (no row in the scope table) is refused."""

from datetime import date

from django.test import Client

from jiuzhu.registry.models import StaffRelative, User
from jiuzhu.registry.testing import make_id


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_staff_declare_relatives_on_the_form(staff):
    worker = staff("town_caseworker", "town_chengdong")
    colleague = staff("town_caseworker", "town_chengxi")
    c = login(worker)
    page = c.get("/decisions/relatives/")
    assert (
        page.status_code == 200
        and "申报近亲属" in page.content.decode()
        and "尚无申报记录" in page.content.decode()
    )

    own = make_id(date(1985, 5, 5))
    c.post("/decisions/relatives/id-number/", {"id_number": own})
    worker.refresh_from_db()
    assert worker.id_number == own

    mother = make_id(date(1960, 1, 2), gender="F")
    r = c.post(
        "/decisions/relatives/declare/",
        {"name": "郑桂芳", "id_number": mother, "relation": "parent"},
        follow=True,
    )
    body = r.content.decode()
    assert "已申报备案" in body and "郑桂芳" in body and "父母" in body
    x = StaffRelative.objects.get()
    assert (x.staff, x.name, x.id_number, x.relation, x.unit.code) == (
        worker,
        "郑桂芳",
        mother,
        "parent",
        "town_chengdong",
    )

    # a broken ID number: the message on the page, nothing written
    r = c.post(
        "/decisions/relatives/declare/",
        {"name": "郑小弟", "id_number": "110101199001011234", "relation": "sibling"},
        follow=True,
    )
    assert "身份证" in r.content.decode() and StaffRelative.objects.count() == 1
    # the same relative twice
    r = c.post(
        "/decisions/relatives/declare/",
        {"name": "郑桂芳", "id_number": mother, "relation": "parent"},
        follow=True,
    )
    assert "该亲属已申报备案" in r.content.decode() and StaffRelative.objects.count() == 1
    # not for a colleague
    r = c.post(
        "/decisions/relatives/declare/",
        {
            "staff": colleague.pk,
            "name": "王五",
            "id_number": make_id(date(1970, 3, 3)),
            "relation": "sibling",
        },
        follow=True,
    )
    assert "只能申报本人的近亲属" in r.content.decode() and StaffRelative.objects.count() == 1
    # the colleague does not see the caseworker's declarations
    assert "郑桂芳" not in login(colleague).get("/decisions/relatives/").content.decode()

    admin = staff("admin", "civil_affairs")
    a = login(admin)
    r = a.post(
        "/decisions/relatives/declare/",
        {
            "staff": colleague.pk,
            "name": "王五",
            "id_number": make_id(date(1970, 3, 3)),
            "relation": "sibling",
        },
        follow=True,
    )
    assert "已申报备案" in r.content.decode()
    assert StaffRelative.objects.get(name="王五").staff == colleague
    listing = a.get("/decisions/relatives/").content.decode()
    assert "郑桂芳" in listing and "王五" in listing  # the admin sees every declaration

    # a department officer's page masks ID numbers (masking table: id_number not in full view)
    officer = staff("department_officer", "housing")
    sister = make_id(date(1990, 2, 3), gender="F")
    body = (
        login(officer)
        .post(
            "/decisions/relatives/declare/",
            {"name": "吴小妹", "id_number": sister, "relation": "sibling"},
            follow=True,
        )
        .content.decode()
    )
    assert "吴小妹" in body and sister[:4] + "**********" + sister[-4:] in body and sister not in body

    partner = User.objects.create(username="partner_x", role="partner", password="!")
    assert login(partner).get("/decisions/relatives/").status_code == 403
