"""The screens: the human-resources officer finds 就业救助 in the menu, registers a person by
ID number, records offers and answers; the third refusal without good reason shows the
warning and the duty letter opens as a PDF; another role is refused."""

from datetime import date

from jiuzhu.common.testing import download_name
from jiuzhu.employment.models import Offer, Registration


def test_officer_walks_the_refusals_on_the_screen(staff, make_household, client):
    home = make_household(members=[{"name": "赵大力", "birth": date(1984, 1, 5), "labour_capacity": "full"}])
    person = home.members.get()
    officer = staff("department_officer", "hrss")
    client.force_login(officer)
    page = client.get("/employment/").content.decode()
    assert 'href="/employment/"' in page and "暂无失业登记" in page
    bad = client.post(
        "/employment/register/", {"id_number": "123", "registered_on": "2026-05-04"}, follow=True
    )
    assert "身份证" in bad.content.decode() and not Registration.objects.exists()
    resp = client.post(
        "/employment/register/", {"id_number": person.id_number, "registered_on": "2026-05-04"}, follow=True
    )
    assert "已办理失业登记" in resp.content.decode()
    reg = Registration.objects.get()
    for day in (6, 13, 20):
        client.post(
            f"/employment/registrations/{reg.pk}/offer/",
            {
                "employer": "示范市物业公司",
                "position": "保安",
                "monthly_wage": "2300",
                "offered_on": f"2026-05-{day:02d}",
                "kind": "job",
            },
        )
        offer = Offer.objects.get(answer=Offer.PENDING)
        resp = client.post(
            f"/employment/offers/{offer.pk}/answer/",
            {"answer": "refused", "reason": "路远", "answered_on": f"2026-05-{day + 1:02d}"},
            follow=True,
        )
    text = resp.content.decode()
    assert "已出具就业义务告知书" in text and "连续无正当理由拒绝：3 次" in text
    letter = reg.duty_letters.get()
    pdf = client.get(f"/employment/letters/{letter.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf["Content-Disposition"].startswith("inline;")
    assert download_name(pdf) == f"就业义务告知书-{letter.number}.pdf"
    client.force_login(staff("window_clerk"))
    assert client.get("/employment/").status_code == 403
    assert client.get(f"/employment/letters/{letter.pk}.pdf").status_code == 403
