"""The registry API through the Django test client: real session log-in, real database."""

from datetime import date

import pytest

from jiuzhu.common import idnumber
from jiuzhu.common.models import AccessLog
from jiuzhu.intake.testing import refer_to
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person
from jiuzhu.registry.testing import make_id

URL = "/api/registry"


def _id_with_birth(digits8: str, seq: str = "001") -> str:
    body = f"329901{digits8}{seq}"
    return body + idnumber.check_char(body)


def _masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


@pytest.fixture
def as_role(client, staff):
    def login(role, **kw):
        user = staff(role, **kw)
        client.force_login(user)
        return client

    return login


def _payload(*members, **household):
    return {
        "town": "town_chengdong",
        "community": "幸福社区",
        "division_code": "329901001",
        "area": "urban",
        "address": "示范市城东街道幸福路1号",
        **household,
        "members": list(members),
    }


def _counts():
    return (
        Household.objects.count(),
        Person.objects.count(),
        Household.history.count(),
        Person.history.count(),
    )


def test_create_read_update_household(as_role):
    c = as_role("window_clerk")
    head, spouse = make_id(date(1970, 5, 1)), make_id(date(1972, 8, 15), gender="F")
    r = c.post(
        f"{URL}/households",
        _payload(
            {"name": "张三", "id_number": head, "relation": "head", "birth_date": "1970-05-01"},
            {"name": "李梅", "id_number": spouse, "relation": "spouse", "gender": "F"},
            dwelling_area="45.5",
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    code = body["code"]
    assert code.startswith("H329901001")
    assert body["dwelling_area"] == "45.50"
    assert [(mb["name"], mb["id_number"], mb["relation"]) for mb in body["members"]] == [
        ("张三", head, "head"),
        ("李梅", spouse, "spouse"),
    ]

    r = c.get(f"{URL}/households/{code}")
    assert r.status_code == 200 and r.json()["members"][1]["gender"] == "F"

    r = c.patch(f"{URL}/households/{code}", {"community": "和平社区"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["community"] == "和平社区"
    assert r.json()["address"] == "示范市城东街道幸福路1号"  # untouched

    r = c.patch(f"{URL}/persons/{spouse}", {"employment_status": "employed"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["employment_status"] == "employed"

    child = make_id(date(2012, 3, 3))
    r = c.post(
        f"{URL}/households/{code}/members",
        {"name": "张小", "id_number": child, "relation": "child"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["age"] >= 13
    assert Household.objects.get(code=code).members.count() == 3


def test_incomes_and_assets_money_as_strings(as_role, make_household):
    hh = make_household()
    person = hh.members.get()
    c = as_role("town_caseworker")
    r = c.post(
        f"{URL}/persons/{person.id_number}/incomes",
        {
            "kind": "wages",
            "monthly_amount": "2300.5",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["monthly_amount"] == "2300.50"
    r = c.post(
        f"{URL}/households/{hh.code}/assets",
        {
            "kind": "house",
            "value": "0",
            "floor_area": "62",
            "as_of": "2026-01-01",
            "person_id_number": person.id_number,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["value"], r.json()["floor_area"], r.json()["person_name"]) == ("0.00", "62.00", "张三")
    r = c.post(
        f"{URL}/households/{hh.code}/assets",
        {"kind": "house", "value": "0", "as_of": "2026-01-01"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "required", "floor_area")
    r = c.post(
        f"{URL}/persons/{person.id_number}/incomes",
        {"kind": "wages", "monthly_amount": "-1", "period_start": "2025-01-01", "period_end": "2025-12-31"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["field"]) == (400, "monthly_amount")
    assert IncomeItem.objects.count() == 1 and Asset.objects.count() == 1

    detail = c.get(f"{URL}/households/{hh.code}").json()
    assert detail["members"][0]["incomes"][0]["monthly_amount"] == "2300.50"
    assert detail["assets"][0]["value"] == "0.00"


BAD_MEMBERS = [
    # (members, code, field)
    (
        [{"name": "甲", "id_number": make_id(date(1980, 1, 1))[:17] + "Z", "relation": "head"}],
        "id_number_format",
        "members[0].id_number",
    ),
    (
        [{"name": "乙", "id_number": _id_with_birth("19990231"), "relation": "head"}],
        "id_number_birth_date",
        "members[0].id_number",
    ),
    (
        [
            {
                "name": "丙",
                "id_number": make_id(date(1999, 2, 28), seq=7),
                "relation": "head",
                "birth_date": "1999-03-01",
            }
        ],
        "birth_date_mismatch",
        "members[0].birth_date",
    ),
    (
        [
            {
                "name": "丁",
                "id_number": make_id(date(1990, 6, 1), gender="M"),
                "relation": "head",
                "gender": "F",
            }
        ],
        "gender_mismatch",
        "members[0].gender",
    ),
    (
        [
            {"name": "戊", "id_number": make_id(date(1960, 1, 1)), "relation": "head"},
            {"id_number": make_id(date(1962, 1, 1)), "relation": "spouse"},
        ],
        "required",
        "members[1].name",
    ),
    ([], "required", "members"),
]


def _bad_check_digit() -> str:
    good = make_id(date(1985, 4, 4))
    return good[:17] + ("0" if good[17] != "0" else "1")


@pytest.mark.parametrize(("members", "code", "field"), BAD_MEMBERS)
def test_bad_household_writes_nothing(as_role, members, code, field):
    c = as_role("window_clerk")
    before = _counts()
    r = c.post(f"{URL}/households", _payload(*members), content_type="application/json")
    assert r.status_code == 400, r.json()
    assert (r.json()["code"], r.json()["field"]) == (code, field)
    assert r.json()["message"]
    assert _counts() == before


def test_invalid_check_digit_in_second_member(as_role):
    c = as_role("window_clerk")
    r = c.post(
        f"{URL}/households",
        _payload(
            {"name": "甲", "id_number": make_id(date(1980, 1, 1)), "relation": "head"},
            {"name": "乙", "id_number": _bad_check_digit(), "relation": "child"},
        ),
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        400,
        "id_number_check_digit",
        "members[1].id_number",
    )
    assert "第18位应为" in r.json()["message"]
    assert _counts() == (0, 0, 0, 0)


def test_duplicate_id_in_one_request(as_role):
    c = as_role("window_clerk")
    number = make_id(date(1980, 1, 1))
    r = c.post(
        f"{URL}/households",
        _payload(
            {"name": "甲", "id_number": number, "relation": "head"},
            {"name": "乙", "id_number": number, "relation": "child"},
        ),
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        400,
        "duplicate_id_number",
        "members[1].id_number",
    )
    assert _counts() == (0, 0, 0, 0)


def test_member_already_in_other_household(as_role, make_household):
    existing = make_household(members=[{"name": "旧户主"}])
    taken = existing.members.get().id_number
    c = as_role("window_clerk")
    before = _counts()
    r = c.post(
        f"{URL}/households",
        _payload({"name": "新户主", "id_number": taken, "relation": "head"}),
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        400,
        "person_in_other_household",
        "members[0].id_number",
    )
    assert r.json()["household"] == existing.code
    other = make_household(members=[{"name": "另一户"}])
    before = _counts()
    r = c.post(
        f"{URL}/households/{other.code}/members",
        {"name": "旧户主", "id_number": taken, "relation": "spouse"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        400,
        "person_in_other_household",
        "id_number",
    )
    assert _counts() == before


def test_schema_error_is_422_with_field(as_role):
    c = as_role("window_clerk")
    r = c.post(
        f"{URL}/households",
        _payload({"name": "甲", "id_number": make_id(date(1980, 1, 1)), "disability_grade": "重度"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("invalid_request", "members.0.disability_grade")
    assert _counts() == (0, 0, 0, 0)


def test_masking_by_role(as_role, make_household):
    hh = make_household(
        members=[
            {"name": "王五", "birth": date(1970, 5, 1), "serious_illness": "尿毒症", "phone": "13912345678"}
        ]
    )
    number = hh.members.get().id_number
    refer_to(hh, "education")  # the education officer sees households referred to his unit
    officer = as_role("department_officer").get(f"{URL}/households/{hh.code}").json()["members"][0]
    assert officer["id_number"] == _masked(number)
    assert officer["birth_date"] is None
    assert officer["serious_illness"] == "尿毒症"  # health is the department's business
    worker = as_role("town_caseworker").get(f"{URL}/households/{hh.code}").json()["members"][0]
    assert worker["id_number"] == number and worker["birth_date"] == "1970-05-01"
    convener = as_role("convener").get(f"{URL}/households/{hh.code}").json()["members"][0]
    assert convener["id_number"] == _masked(number)
    assert convener["phone"] == "139****5678"
    assert convener["serious_illness"] == "***"
    hits = as_role("department_officer").get(f"{URL}/households", {"q": "王五"}).json()["results"]
    assert hits[0]["matched"][0]["id_number"] == _masked(number)


def test_search_name_id_and_15_digit(as_role, make_household):
    number = make_id(date(1958, 9, 9))
    hh = make_household(members=[{"name": "欧阳明", "id_number": number}])
    make_household(members=[{"name": "欧小"}])
    c = as_role("town_caseworker")
    r = c.get(f"{URL}/households", {"q": "欧阳"}).json()
    assert (r["mode"], [h["code"] for h in r["results"]]) == ("name", [hh.code])
    assert len(c.get(f"{URL}/households", {"q": "欧"}).json()["results"]) == 2
    r = c.get(f"{URL}/households", {"q": number}).json()
    assert (r["mode"], r["results"][0]["code"], r["results"][0]["head_name"]) == (
        "id_number",
        hh.code,
        "欧阳明",
    )
    r = c.get(f"{URL}/households", {"q": number[:6] + number[8:17]}).json()
    assert r["results"][0]["matched"][0]["id_number"] == number
    assert c.get(f"{URL}/households", {"q": hh.code}).json()["mode"] == "household_code"
    assert AccessLog.objects.filter(action="search").count() == 5


def test_access_log_on_read(as_role, make_household):
    hh = make_household()
    user_client = as_role("approver", username="approver_zhao")
    assert user_client.get(f"{URL}/households/{hh.code}").status_code == 200
    row = AccessLog.objects.get(action="view", object_type="household")
    assert (row.username, row.role, row.household_code) == ("approver_zhao", "approver", hh.code)


def test_history_via_api(as_role, make_household):
    hh = make_household(members=[{"name": "孙一"}])
    person = hh.members.get()
    c = as_role("town_caseworker", username="worker_sun")
    c.patch(f"{URL}/persons/{person.id_number}", {"name": "孙壹"}, content_type="application/json")
    entries = c.get(f"{URL}/households/{hh.code}/history").json()
    top = entries[0]
    assert top["user"].startswith("worker_sun") and top["action"] == "changed"
    assert top["changes"] == [{"field": "name", "label": "姓名", "old": "孙一", "new": "孙壹"}]


@pytest.mark.parametrize(
    "role", ["department_officer", "verification_officer", "approver", "supervisor", "convener"]
)
def test_writes_forbidden_for_other_roles(as_role, make_household, role):
    hh = make_household()
    c = as_role(role)
    before = _counts()
    r = c.post(
        f"{URL}/households",
        _payload({"name": "甲", "id_number": make_id(date(1980, 1, 1)), "relation": "head"}),
        content_type="application/json",
    )
    # the supervisor is stopped before any service by the read-only guard (supervision.guard)
    code = "forbidden" if role == "supervisor" else "role_not_allowed"
    assert (r.status_code, r.json()["code"]) == (403, code)
    r = c.patch(f"{URL}/households/{hh.code}", {"community": "别处"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, code)
    assert _counts() == before


def test_data_provider_refused(as_role, make_household):
    hh = make_household()
    c = as_role("data_provider")
    for url in (
        f"{URL}/households/{hh.code}",
        f"{URL}/households?q=张",
        f"{URL}/households/{hh.code}/history",
    ):
        r = c.get(url)
        assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed"), url
    assert not AccessLog.objects.exists()


def test_not_found_and_unauthenticated(client, as_role):
    assert client.get(f"{URL}/households?q=张").json()["code"] == "unauthenticated"
    r = as_role("admin").get(f"{URL}/households/H000")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = as_role("admin").patch(
        f"{URL}/persons/{make_id(date(1980, 1, 1))}", {}, content_type="application/json"
    )
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_units(as_role, units):
    towns = as_role("data_provider").get(f"{URL}/units", {"kind": "town"}).json()
    assert {u["code"] for u in towns} == {u.code for u in units.values() if u.kind == "town"}
    assert all(u["kind"] == "town" for u in towns)


def test_openapi_documents_registry(client, as_role):
    schema = client.get("/api/openapi.json").json()
    for path in (
        "/api/registry/households",
        "/api/registry/households/{code}",
        "/api/registry/households/{code}/members",
        "/api/registry/persons/{id_number}",
        "/api/registry/persons/{id_number}/incomes",
        "/api/registry/households/{code}/assets",
        "/api/registry/units",
    ):
        assert path in schema["paths"], path
    assert (
        schema["components"]["schemas"]["RegistryHouseholdIn"]["examples"][0]["members"][0]["relation"]
        == "head"
    )
    assert as_role("admin").get("/api/docs").status_code == 200


# --- scope: a town's staff reach their own town's households only (DOMAIN §8) --------------


@pytest.fixture
def two_towns(make_household):
    east = make_household(
        members=[{"name": "赵东", "birth": date(1966, 2, 3), "phone": "13900000001"}], town="town_chengdong"
    )
    west = make_household(
        members=[{"name": "赵西", "birth": date(1967, 4, 5), "phone": "13900000002"}],
        town="town_chengxi",
        phone="13900000002",
    )
    return east, west


def test_another_towns_household_is_refused_for_reading_and_changing(as_role, two_towns):
    east, west = two_towns
    person = west.members.get()
    c = as_role("town_caseworker", unit_code="town_chengdong")
    assert c.get(f"{URL}/households/{east.code}").status_code == 200
    for r in (
        c.get(f"{URL}/households/{west.code}"),
        c.get(f"{URL}/households/{west.code}/history"),
        c.patch(f"{URL}/households/{west.code}", {"phone": "13811112222"}, content_type="application/json"),
        c.patch(
            f"{URL}/persons/{person.id_number}", {"phone": "13811112222"}, content_type="application/json"
        ),
        c.post(
            f"{URL}/households/{west.code}/assets",
            {"kind": "vehicle", "value": "1000.00", "as_of": "2026-01-01"},
            content_type="application/json",
        ),
    ):
        assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    west.refresh_from_db()
    person.refresh_from_db()
    assert (west.phone, person.phone) == ("13900000002", "13900000002")
    assert not AccessLog.objects.filter(household_code=west.code).exists()
    own = as_role("town_caseworker", unit_code="town_chengxi")
    r = own.patch(f"{URL}/households/{west.code}", {"phone": "13811112222"}, content_type="application/json")
    assert (r.status_code, r.json()["phone"]) == (200, "13811112222")


def test_a_surname_search_lists_only_the_own_towns_households(as_role, two_towns):
    east, west = two_towns
    r = as_role("window_clerk", unit_code="town_chengdong").get(f"{URL}/households", {"q": "赵"}).json()
    assert [h["code"] for h in r["results"]] == [east.code]
    r = as_role("approver").get(f"{URL}/households", {"q": "赵"}).json()
    assert {h["code"] for h in r["results"]} == {east.code, west.code}


def test_an_exact_id_lookup_at_any_window_finds_the_household_masked_and_logged(as_role, two_towns, staff):
    from jiuzhu.intake import services as intake

    east, west = two_towns
    number = west.members.get().id_number
    c = as_role("window_clerk", unit_code="town_chengdong")
    (hit,) = c.get(f"{URL}/households", {"q": number}).json()["results"]
    assert (hit["code"], hit["in_scope"]) == (west.code, False)
    assert hit["matched"][0]["id_number"] == _masked(number)
    assert (hit["head_name"], hit["matched"][0]["name"]) == ("赵*", "赵*")
    assert AccessLog.objects.filter(action="search", object_id=number).count() == 1
    assert c.get(f"{URL}/households/{west.code}").status_code == 403
    # the window takes the request: the household is now the window's business
    clerk = staff("window_clerk", "town_chengdong")
    intake.application_create(actor=clerk, household=west, needs=["living"], today=date(2026, 9, 1))
    r = c.get(f"{URL}/households/{west.code}")
    assert (r.status_code, r.json()["members"][0]["id_number"]) == (200, number)
    assert c.get(f"{URL}/households", {"q": number}).json()["results"][0]["in_scope"] is True


def test_a_department_sees_only_the_households_referred_to_it(as_role, two_towns):
    east, west = two_towns
    refer_to(east, "education")
    c = as_role("department_officer", unit_code="education")
    assert c.get(f"{URL}/households/{east.code}").status_code == 200
    r = c.get(f"{URL}/households/{west.code}")
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    assert [h["code"] for h in c.get(f"{URL}/households", {"q": "赵"}).json()["results"]] == [east.code]


def _head(**extra):
    return {"name": "甲", "id_number": make_id(date(1980, 1, 1)), "relation": "head", **extra}


@pytest.mark.parametrize(
    ("member", "household", "code", "field"),
    [
        ({"phone": "abc<script>"}, {}, "invalid_phone", "members[0].phone"),
        ({"name": "王\x07五"}, {}, "control_characters", "members[0].name"),
        ({"name": "王" * 51}, {}, "too_long", "members[0].name"),
        ({}, {"phone": "abc<script>"}, "invalid_phone", "phone"),
        ({}, {"address": "幸福路\x001号"}, "control_characters", "address"),
        ({}, {"community": "社" * 101}, "too_long", "community"),
        ({}, {"dwelling_area": "1e30"}, "area_out_of_range", "dwelling_area"),
    ],
)
def test_registry_api_uses_the_checks_of_common_values(as_role, member, household, code, field):
    """A phone with letters or markup, control characters, text longer than its column and an
    absurd area are refused with their code and field (jiuzhu.common.values); nothing is written."""
    r = as_role("window_clerk").post(
        f"{URL}/households", _payload(_head(**member), **household), content_type="application/json"
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, code, field), r.json()
    assert _counts() == (0, 0, 0, 0)


def test_income_and_asset_amounts_in_sane_ranges(as_role, make_household):
    hh = make_household()
    person = hh.members.get()
    c = as_role("town_caseworker")
    r = c.post(
        f"{URL}/persons/{person.id_number}/incomes",
        {"kind": "wages", "monthly_amount": "1e30", "period_start": "2025-01-01", "period_end": "2025-12-31"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        400,
        "amount_out_of_range",
        "monthly_amount",
    )
    r = c.post(
        f"{URL}/households/{hh.code}/assets",
        {"kind": "house", "value": "0", "floor_area": "1e30", "as_of": "2026-01-01"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "area_out_of_range", "floor_area")
    assert (IncomeItem.objects.count(), Asset.objects.count()) == (0, 0)
