"""Registry screens through the Django test client (real log-in, real database)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.models import AccessLog
from jiuzhu.intake.testing import refer_to
from jiuzhu.registry import services
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person
from jiuzhu.registry.testing import make_id


@pytest.fixture
def as_role(client, staff):
    def login(role, **kw):
        user = staff(role, **kw)
        client.force_login(user)
        return client

    return login


def _masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def _error_for(html: str, field_id: str) -> str:
    """The error message rendered next to a field (``<p id="<field id>_error">``)."""
    found = re.search(rf'id="{re.escape(field_id)}_error">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def _counts():
    return Household.objects.count(), Person.objects.count(), Person.history.count()


# --- log-in and home -----------------------------------------------------------------------------


def test_login_page_and_log_in(client, staff):
    staff("window_clerk", username="clerk_a")
    r = client.get("/login/")
    assert r.status_code == 200 and "工作人员登录" in r.content.decode()
    r = client.post("/login/", {"username": "clerk_a", "password": "wrong-password"})
    assert r.status_code == 200 and "用户名或密码错误" in r.content.decode()
    r = client.post("/login/", {"username": "clerk_a", "password": "test-pass-123"})
    assert r.status_code == 302 and r.url == "/"
    assert client.get("/").status_code == 200


def test_home_requires_log_in(client):
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith("/login/")


HOME_PANELS = {
    "window_clerk": ["查找家庭", "登记新家庭", "我最近登记的家庭"],
    "town_caseworker": ["查找家庭", "登记新家庭", "城东街道最近有变动的家庭"],
    "department_officer": ["查找家庭", "本单位", "脱敏显示"],
    "verification_officer": ["查找家庭", "核对数据来源单位"],
    "approver": ["查找家庭", "各镇街登记情况"],
    "supervisor": ["查找家庭", "最近的个人信息查看记录", "各镇街登记情况"],
    "convener": ["各镇街登记情况", "联席会议成员单位"],
    "admin": ["进入系统管理后台", "登记新家庭", "各镇街登记情况"],
    "data_provider": ["数据提供单位", "不能查看家庭档案"],
}


@pytest.mark.parametrize("role", sorted(HOME_PANELS))
def test_home_page_per_role(as_role, make_household, role):
    make_household()
    r = as_role(role).get("/")
    assert r.status_code == 200
    html = r.content.decode()
    for text in HOME_PANELS[role]:
        assert text in html, (role, text)
    assert ("登记新家庭" in html) == (role in ("window_clerk", "town_caseworker", "admin"))
    assert ('action="/search/"' in html) == (role != "data_provider")


def test_window_clerk_home_lists_own_registrations(as_role, staff, make_household):
    c = as_role("window_clerk", username="clerk_home")
    from jiuzhu.registry.models import User

    mine = make_household(actor=User.objects.get(username="clerk_home"))
    other = make_household(actor=staff("window_clerk"))
    html = c.get("/").content.decode()
    assert mine.code in html and other.code not in html


# --- search -------------------------------------------------------------------------------------


def test_search_by_name_prefix_id_and_15_digit(as_role, make_household):
    number = make_id(date(1962, 2, 2))
    hh = make_household(members=[{"name": "司马光", "id_number": number}])
    other = make_household(members=[{"name": "司徒雷"}])
    c = as_role("town_caseworker")
    html = c.get("/search/", {"q": "司马"}).content.decode()
    assert hh.code in html and other.code not in html and "按姓名开头" in html
    html = c.get("/search/", {"q": "司"}).content.decode()
    assert hh.code in html and other.code in html
    for q in (number, number[:6] + number[8:17]):
        html = c.get("/search/", {"q": q}).content.decode()
        assert "按身份证号码" in html and hh.code in html and number in html
    html = c.get("/search/", {"q": "无此人"}).content.decode()
    assert "没有找到" in html


def test_search_masks_id_for_department_officer(as_role, make_household):
    hh = make_household(members=[{"name": "上官婉"}])
    refer_to(hh, "education")  # referred to the officer's unit: in his scope
    number = hh.members.get().id_number
    html = as_role("department_officer").get("/search/", {"q": "上官"}).content.decode()
    assert _masked(number) in html and number not in html


# --- the household page -----------------------------------------------------------------------------


def test_household_page_masking_and_access_log(as_role, make_household):
    hh = make_household(members=[{"name": "钱一", "birth": date(1960, 6, 6), "serious_illness": "白血病"}])
    person = hh.members.get()
    services.income_add(
        actor=None,
        person=person,
        kind="wages",
        monthly_amount=Decimal("1800"),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    refer_to(hh, "education")  # the officer's unit has the household's referral
    officer = as_role("department_officer", username="officer_qian")
    r = officer.get(f"/households/{hh.code}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert _masked(person.id_number) in html and person.id_number not in html
    assert "1960-06-06" not in html  # birth date is part of the ID
    assert "1800.00" not in html and "***" in html  # income masked for departments
    assert "白血病" in html  # health visible to departments (masking.FULL_VIEW)
    log = AccessLog.objects.get(object_type="household", action="view")
    assert (log.username, log.role, log.household_code, log.object_id) == (
        "officer_qian",
        "department_officer",
        hh.code,
        hh.code,
    )

    html = as_role("town_caseworker").get(f"/households/{hh.code}/").content.decode()
    assert person.id_number in html and "1960-06-06" in html and "1800.00" in html
    assert AccessLog.objects.filter(object_type="household").count() == 2

    html = as_role("window_clerk").get(f"/households/{hh.code}/").content.decode()
    assert person.id_number in html and "白血病" not in html and "1800.00" not in html


def test_household_page_history_shows_who_changed_what(as_role, staff, make_household):
    clerk = staff("window_clerk", username="clerk_zhou")
    hh = make_household(members=[{"name": "周一"}], actor=clerk)
    worker = staff("town_caseworker", username="worker_wu")
    services.member_update(actor=worker, person=hh.members.get(), data={"employment_status": "unemployed"})
    html = as_role("approver").get(f"/households/{hh.code}/").content.decode()
    history = html[html.index('id="history"') :]
    assert "worker_wu（镇街社会救助经办）" in history
    assert "修改 成员 周一" in history
    assert "就业状况：无业（非劳动年龄或无劳动能力） → 失业" in history
    assert "clerk_zhou（一门受理窗口）" in history and "登记 家庭" in history


def test_data_provider_refused(as_role, make_household):
    hh = make_household()
    c = as_role("data_provider")
    for url in (f"/households/{hh.code}/", "/search/?q=张", "/households/new/"):
        r = c.get(url)
        assert r.status_code == 403, url
        assert "无权访问" in r.content.decode()
    assert not AccessLog.objects.exists()


def test_unknown_household_is_404(as_role):
    assert as_role("admin").get("/households/H404/").status_code == 404


# --- registering a household ----------------------------------------------------------------------


def _household_post(*members, **extra):
    data = {
        "town": "town_chengdong",
        "community": "幸福社区",
        "division_code": "329901001",
        "area": "urban",
        "address": "示范市城东街道幸福路8号",
        "phone": "",
        "dwelling_area": "",
        **extra,
    }
    for i, mb in enumerate(members):
        row = {
            "relation": "head" if i == 0 else "child",
            "labour_capacity": "full",
            "self_care": "full",
            "employment_status": "none",
            "has_capable_supporter": "on",
            **mb,
        }
        data.update({f"m-{i}-{k}": v for k, v in row.items()})
    return data


def test_create_form_renders_for_writers_only(as_role):
    r = as_role("window_clerk").get("/households/new/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="m-0-name"' in html and 'hx-get="/households/new/member-row/"' in html
    assert '<label for="id_m-0-id_number">身份证号码</label>' in html
    assert as_role("department_officer").get("/households/new/").status_code == 403


def test_create_household_with_members(as_role):
    c = as_role("window_clerk")
    head, child = make_id(date(1975, 3, 3)), make_id(date(2008, 8, 8), gender="F")
    post = _household_post(
        {"name": "吴一", "id_number": head, "birth_date": "1975-03-03"},
        {"name": "吴二", "id_number": child, "gender": "F", "school_stage": "senior"},
        {"name": "", "id_number": ""},  # an empty row is ignored
        dwelling_area="38.5",
    )
    r = c.post("/households/new/", post)
    assert r.status_code == 302, r.content.decode()[:2000]
    hh = Household.objects.get()
    assert r.url == f"/households/{hh.code}/"
    assert hh.dwelling_area == Decimal("38.50")
    assert sorted(hh.members.values_list("name", "relation", "school_stage")) == [
        ("吴一", "head", ""),
        ("吴二", "child", "senior"),
    ]
    assert "已登记家庭" in c.get(r.url).content.decode()


@pytest.mark.parametrize(
    ("rows", "field_id", "message"),
    [
        (
            [
                {"name": "甲", "id_number": make_id(date(1980, 1, 1))},
                {"name": "乙", "id_number": "BAD-CHECK"},
            ],
            "id_m-1-id_number",
            "第18位应为",
        ),
        ([{"name": "丙", "id_number": "329901199902310016"}], "id_m-0-id_number", "19990231 不存在"),
        ([{"name": "", "id_number": make_id(date(1980, 1, 1))}], "id_m-0-name", "请填写姓名"),
        (
            [{"name": "丁", "id_number": make_id(date(1980, 2, 2), seq=3), "birth_date": "1980-02-03"}],
            "id_m-0-birth_date",
            "不一致",
        ),
    ],
)
def test_create_errors_next_to_field_nothing_written(as_role, rows, field_id, message):
    if rows[-1]["id_number"] == "BAD-CHECK":
        good = make_id(date(1990, 9, 9))
        rows[-1]["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
    r = as_role("window_clerk").post("/households/new/", _household_post(*rows))
    assert r.status_code == 400
    html = r.content.decode()
    assert message in _error_for(html, field_id), html[:3000]
    assert 'aria-invalid="true"' in html and "autofocus" in html
    assert "未保存任何内容" in html
    assert _counts() == (0, 0, 0)


def test_create_duplicate_and_other_household(as_role, make_household):
    taken = make_household(members=[{"name": "老户"}]).members.get().id_number
    before = _counts()
    c = as_role("town_caseworker")
    number = make_id(date(1981, 1, 1))
    html = c.post(
        "/households/new/",
        _household_post({"name": "甲", "id_number": number}, {"name": "乙", "id_number": number}),
    ).content.decode()
    assert "身份证号码相同" in _error_for(html, "id_m-1-id_number")
    html = c.post("/households/new/", _household_post({"name": "新", "id_number": taken})).content.decode()
    assert "一人只能属于一个家庭" in _error_for(html, "id_m-0-id_number")
    html = c.post(
        "/households/new/", _household_post({"name": "新", "id_number": make_id(date(1981, 1, 1))}, town="")
    ).content.decode()
    assert "镇街" in _error_for(html, "id_town")
    assert _counts() == before


def test_add_member_row_without_and_with_htmx(as_role):
    c = as_role("window_clerk")
    r = c.post("/households/new/", {**_household_post({"name": "甲", "id_number": ""}), "add_member": "1"})
    html = r.content.decode()
    assert r.status_code == 200 and 'name="m-1-name"' in html and _counts() == (0, 0, 0)
    r = c.get("/households/new/member-row/", {"next_index": "3"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert 'name="m-3-name"' in html and "autofocus" in html
    assert 'id="next-index" name="next_index" value="4" hx-swap-oob="true"' in html


# --- members, incomes, assets ---------------------------------------------------------------------


def test_member_add_and_edit(as_role, make_household):
    hh = make_household(members=[{"name": "郑一", "birth": date(1950, 1, 1), "serious_illness": "肺癌"}])
    c = as_role("window_clerk")
    assert c.get(f"/households/{hh.code}/members/new/").status_code == 200
    r = c.post(
        f"/households/{hh.code}/members/new/",
        {
            "name": "郑二",
            "id_number": make_id(date(1952, 1, 1), gender="F"),
            "relation": "spouse",
            "labour_capacity": "none",
            "self_care": "partial",
            "employment_status": "retired",
        },
    )
    assert r.status_code == 302 and hh.members.count() == 2
    r = c.post(
        f"/households/{hh.code}/members/new/", {"name": "郑三", "id_number": "123", "relation": "child"}
    )
    assert r.status_code == 400 and "18位" in _error_for(r.content.decode(), "id_id_number")
    assert hh.members.count() == 2

    head = hh.members.get(relation="head")
    page = c.get(f"/households/{hh.code}/members/{head.pk}/edit/").content.decode()
    assert "肺癌" not in page and 'name="serious_illness"' not in page  # window clerks do not see health
    assert "不会被修改：重特大疾病（病种）。" in page
    r = c.post(
        f"/households/{hh.code}/members/{head.pk}/edit/",
        {
            "name": "郑壹",
            "relation": "head",
            "labour_capacity": "partial",
            "self_care": "full",
            "employment_status": "none",
            "disability_kind": "",
            "disability_grade": "",
        },
    )
    assert r.status_code == 302
    head.refresh_from_db()
    assert (head.name, head.labour_capacity, head.serious_illness) == ("郑壹", "partial", "肺癌")
    r = c.post(
        f"/households/{hh.code}/members/{head.pk}/edit/",
        {
            "name": "郑壹",
            "relation": "spouse",
            "labour_capacity": "full",
            "self_care": "full",
            "employment_status": "none",
            "disability_kind": "physical",
            "disability_grade": "",
        },
    )
    assert r.status_code == 400 and "残疾等级" in _error_for(r.content.decode(), "id_disability_grade")
    assert AccessLog.objects.filter(object_type="person").count() == 1


def test_income_and_asset_forms(as_role, make_household):
    hh = make_household()
    person = hh.members.get()
    c = as_role("town_caseworker")
    assert c.get(f"/households/{hh.code}/incomes/new/?person={person.pk}").status_code == 200
    r = c.post(
        f"/households/{hh.code}/incomes/new/",
        {
            "person": person.pk,
            "kind": "wages",
            "monthly_amount": "abc",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "source": "self_declared",
        },
    )
    assert r.status_code == 400 and "应为数字" in _error_for(r.content.decode(), "id_monthly_amount")
    r = c.post(
        f"/households/{hh.code}/incomes/new/",
        {
            "person": person.pk,
            "kind": "wages",
            "monthly_amount": "2100",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "source": "investigation",
        },
    )
    assert r.status_code == 302
    assert IncomeItem.objects.get().monthly_amount == Decimal("2100.00")

    r = c.post(
        f"/households/{hh.code}/assets/new/",
        {
            "kind": "house",
            "value": "300000",
            "as_of": "2026-01-01",
            "person": "",
            "floor_area": "",
            "vehicle_purpose": "",
            "source": "self_declared",
        },
    )
    assert r.status_code == 400 and "建筑面积" in _error_for(r.content.decode(), "id_floor_area")
    r = c.post(
        f"/households/{hh.code}/assets/new/",
        {
            "kind": "vehicle",
            "value": "25000",
            "as_of": "2026-01-01",
            "person": person.pk,
            "floor_area": "",
            "vehicle_purpose": "livelihood",
            "source": "self_declared",
        },
    )
    assert r.status_code == 302
    asset = Asset.objects.get()
    assert (asset.value, asset.person, asset.vehicle_purpose) == (Decimal("25000.00"), person, "livelihood")
    html = c.get(f"/households/{hh.code}/").content.decode()
    assert "2100.00" in html and "25000.00" in html and "入户调查" in html


def test_household_edit(as_role, make_household):
    hh = make_household()
    c = as_role("admin")
    assert c.get(f"/households/{hh.code}/edit/").status_code == 200
    post = {
        "town": "town_chengdong",
        "community": "新社区",
        "division_code": "12",
        "area": "urban",
        "address": "新地址",
        "phone": "",
        "dwelling_area": "",
    }
    r = c.post(f"/households/{hh.code}/edit/", post)
    assert r.status_code == 400 and "行政区划代码" in _error_for(r.content.decode(), "id_division_code")
    r = c.post(f"/households/{hh.code}/edit/", {**post, "division_code": "329901001"})
    assert r.status_code == 302
    hh.refresh_from_db()
    assert (hh.community, hh.address) == ("新社区", "新地址")


def test_units_page(as_role, units):
    html = as_role("convener").get("/units/").content.decode()
    assert "城东街道" in html and "联席会议成员单位" in html


def test_other_apps_add_home_and_household_panels(as_role, make_household, settings, tmp_path):
    # An installed app contributes panels by template name alone (here "policy", which is
    # installed in every configuration).
    panels = tmp_path / "policy" / "panels"
    panels.mkdir(parents=True)
    (panels / "home.html").write_text('<section class="card panel"><h2>政策面板</h2></section>')
    (panels / "home_approver.html").write_text("<p>审批专用面板</p>")
    (panels / "household.html").write_text("<section><h2>救助链条 {{ hv.code }}</h2></section>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    hh = make_household()
    html = as_role("approver").get("/").content.decode()
    assert "政策面板" in html and "审批专用面板" in html
    assert html.index("各镇街登记情况") < html.index("政策面板")  # registry panels first
    assert f"救助链条 {hh.code}" in as_role("approver").get(f"/households/{hh.code}/").content.decode()
    assert "审批专用面板" not in as_role("window_clerk").get("/").content.decode()


# --- scope on the screens (issue 13): another town's household, page and forms alike ---------------


def test_another_towns_household_is_refused_on_the_screens(as_role, make_household):
    """The API refuses another town's household (test_api); the screens a clerk actually uses
    refuse it too: the page, the edit form (GET and POST), a new member and the search list."""
    east = make_household(members=[{"name": "欧阳东", "birth": date(1970, 1, 1)}], town="town_chengdong")
    west = make_household(members=[{"name": "欧阳西", "birth": date(1971, 1, 1)}], town="town_chengxi")
    number = west.members.get().id_number
    c = as_role("town_caseworker", unit_code="town_chengdong")
    edit = {
        "town": "town_chengxi",
        "community": "改过的社区",
        "division_code": "329901001",
        "area": "urban",
        "address": "改过的地址",
        "phone": "13811112222",
        "dwelling_area": "",
    }
    for r in (
        c.get(f"/households/{west.code}/"),
        c.get(f"/households/{west.code}/edit/"),
        c.post(f"/households/{west.code}/edit/", edit),
        c.post(f"/households/{west.code}/members/new/", {"name": "外人", "relation": "child"}),
    ):
        assert r.status_code == 403 and number not in r.content.decode()
    west.refresh_from_db()
    assert (west.address, west.phone) != ("改过的地址", "13811112222")
    assert west.members.count() == 1
    assert not AccessLog.objects.filter(household_code=west.code, action="view").exists()
    html = c.get("/search/", {"q": "欧阳"}).content.decode()
    assert east.code in html and west.code not in html
    # the household's own town opens and changes it
    own = as_role("town_caseworker", unit_code="town_chengxi")
    assert number in own.get(f"/households/{west.code}/").content.decode()
    assert own.post(f"/households/{west.code}/edit/", edit).status_code == 302
    west.refresh_from_db()
    assert west.address == "改过的地址"


def test_an_exact_id_lookup_at_another_towns_window_is_masked_and_logged_on_the_screen(
    as_role, make_household
):
    """One window (issue 13): any window finds a person by the full ID number to take a
    request; outside its town the hit is masked, the household page stays closed, and the
    lookup is in the access log. A surname is no way in."""
    west = make_household(members=[{"name": "慕容西", "birth": date(1972, 2, 2)}], town="town_chengxi")
    number = west.members.get().id_number
    c = as_role("window_clerk", unit_code="town_chengdong")
    html = c.get("/search/", {"q": number}).content.decode()
    hits = html[html.index("<tbody>") : html.index("</tbody>")]  # the number typed is echoed above
    assert west.code in hits and _masked(number) in hits and number not in hits and "慕容西" not in hits
    assert "已脱敏" in hits
    assert AccessLog.objects.filter(action="search", object_id=number).count() == 1
    assert c.get(f"/households/{west.code}/").status_code == 403
    assert west.code not in c.get("/search/", {"q": "慕容"}).content.decode()
    own = as_role("window_clerk", unit_code="town_chengxi").get("/search/", {"q": number}).content.decode()
    hits = own[own.index("<tbody>") : own.index("</tbody>")]
    assert number in hits and "慕容西" in hits


@pytest.mark.parametrize(
    ("member", "extra", "field_id", "message"),
    [
        ({"phone": "abc<script>"}, {}, "id_m-0-phone", "联系电话只能含数字"),
        ({"name": "王\x07五"}, {}, "id_m-0-name", "控制字符"),
        ({}, {"phone": "abc<script>"}, "id_phone", "联系电话只能含数字"),
        ({}, {"address": "幸福路\x001号"}, "id_address", "控制字符"),
        ({}, {"address": "路" * 201}, "id_address", "不能超过 200 个字"),
        ({}, {"dwelling_area": "1e30"}, "id_dwelling_area", "超出合理范围"),
    ],
)
def test_registry_form_uses_the_checks_of_common_values(as_role, member, extra, field_id, message):
    row = {"name": "戊", "id_number": make_id(date(1981, 1, 1)), **member}
    r = as_role("window_clerk").post("/households/new/", _household_post(row, **extra))
    assert r.status_code == 400
    html = r.content.decode()
    assert message in _error_for(html, field_id), html[:3000]
    assert _counts() == (0, 0, 0)
