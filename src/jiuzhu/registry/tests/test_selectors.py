from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import NotFound, PermissionDenied
from jiuzhu.registry import selectors, services
from jiuzhu.registry.testing import make_id


@pytest.fixture
def clerk(staff):
    return staff("window_clerk")


def test_search_by_name_prefix_is_ordered_and_limited(make_household, clerk):
    make_household(members=[{"name": "王小明"}, {"name": "王小红", "gender": "F"}])
    make_household(members=[{"name": "王大力"}])
    make_household(members=[{"name": "李王"}])
    result = selectors.household_search("王", clerk)
    assert result.mode == "name"
    assert [p.name for h in result.households for p in h.matched] == ["王大力", "王小明", "王小红"]
    result = selectors.household_search("王小", clerk)
    assert len(result.households) == 1 and len(result.households[0].matched) == 2
    result = selectors.household_search("王", clerk, limit=2)
    assert result.truncated and sum(len(h.matched) for h in result.households) == 2


def test_search_by_id_number_18_and_15_digits(make_household, clerk):
    # A 15-digit number (pre-1999 card) is the 18-digit one without "19" and check character.
    number = make_id(date(1965, 7, 8))
    hh = make_household(members=[{"name": "周一", "id_number": number}])
    make_household(members=[{"name": "周二"}])
    for q in (number, number.lower(), number[:6] + number[8:17]):
        result = selectors.household_search(q, clerk)
        assert result.mode == "id_number"
        assert [h.code for h in result.households] == [hh.code]
        assert result.households[0].matched[0].id_number == number


def test_search_by_household_code(make_household, clerk):
    hh = make_household()
    result = selectors.household_search(hh.code.lower(), clerk)
    assert (result.mode, [h.code for h in result.households]) == ("household_code", [hh.code])
    assert selectors.household_search("  ", clerk).mode == "empty"


def test_search_refused_to_data_provider(staff):
    with pytest.raises(PermissionDenied):
        selectors.household_search("张", staff("data_provider"))


def test_household_detail_members_head_first(make_household):
    hh = make_household(
        members=[
            {"name": "子", "birth": date(2010, 1, 1), "relation": "child"},
            {"name": "户主", "birth": date(1980, 1, 1), "relation": "head"},
        ]
    )
    detail = selectors.household_detail(hh.code)
    assert [p.name for p in detail.members.all()] == ["户主", "子"]
    with pytest.raises(NotFound):
        selectors.household_detail("H-none")


def test_household_view_masks_per_role(make_household):
    hh = make_household(
        members=[
            {"name": "陈三", "birth": date(1950, 1, 1), "disability_kind": "physical", "disability_grade": 2}
        ]
    )
    person = hh.members.get()
    services.income_add(
        actor=None,
        person=person,
        kind="wages",
        monthly_amount="1200",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    detail = selectors.household_detail(hh.code)
    full = selectors.household_view(detail, "town_caseworker")["members"][0]
    masked = selectors.household_view(detail, "department_officer")["members"][0]
    clerk = selectors.household_view(detail, "window_clerk")["members"][0]
    assert full["id_number"] == person.id_number
    assert masked["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert masked["birth_date"] is None and masked["age"] >= 75
    assert full["incomes"][0]["monthly_amount"] == "1200.00"
    assert masked["incomes"][0]["monthly_amount"] == "***"
    assert clerk["disability_display"] == "肢体残疾 2级"  # window clerks see disability
    assert clerk["incomes"][0]["monthly_amount"] == "***"  # but not income


def test_history_merges_household_members_incomes_assets(make_household, staff):
    clerk = staff("window_clerk", username="clerk_li")
    worker = staff("town_caseworker", username="worker_wang")
    hh = make_household(members=[{"name": "赵一", "birth": date(1970, 1, 1)}], actor=clerk)
    person = hh.members.get()
    services.member_update(
        actor=worker, person=person, data={"name": "赵壹", "employment_status": "employed"}
    )
    services.income_add(
        actor=worker,
        person=person,
        kind="wages",
        monthly_amount=Decimal("2500"),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    services.asset_add(
        actor=worker, household=hh, kind="house", value="0", floor_area="60", as_of=date(2026, 1, 1)
    )
    services.household_update(actor=worker, household=hh, data={"community": "和平社区"})
    # a no-op save leaves no entry
    services.member_update(actor=worker, person=person, data={})

    entries = selectors.household_history(hh, role="town_caseworker")
    kinds = [(e.object_type, e.action) for e in entries]
    assert kinds == [
        ("household", "changed"),
        ("asset", "created"),
        ("income", "created"),
        ("person", "changed"),
        ("person", "created"),
        ("household", "created"),
    ]
    rename = entries[3]
    assert rename.user.startswith("worker_wang")
    changes = {c.field: (c.old, c.new) for c in rename.changes}
    assert changes == {
        "name": ("赵一", "赵壹"),
        "employment_status": ("无业（非劳动年龄或无劳动能力）", "就业"),
    }
    assert {c.field: c.new for c in entries[2].changes}["monthly_amount"] == "2500.00"
    assert entries[0].changes[0].label == "村（社区）" and entries[0].changes[0].new == "和平社区"
    assert entries[-1].user.startswith("clerk_li")

    masked = selectors.household_history(hh, role="department_officer")
    assert {c.field: c.new for c in masked[2].changes}["monthly_amount"] == "***"
    created = {c.field: c.new for c in masked[4].changes}
    assert created["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]


def test_history_shows_member_moving_out(make_household, staff):
    worker = staff("town_caseworker")
    a = make_household(members=[{"name": "甲"}, {"name": "乙", "relation": "spouse", "gender": "F"}])
    b = make_household(members=[{"name": "丙"}])
    mover = a.members.get(name="乙")
    services.member_move(actor=worker, person=mover, to_household=b, relation="spouse")
    top = selectors.household_history(a, role="admin")[0]
    assert (top.object_type, top.action) == ("person", "changed")
    assert {c.field: (c.old, c.new) for c in top.changes}["household"] == (a.code, b.code)
    assert selectors.household_history(b, role="admin")[0].object_label == "成员 乙"


def test_units_and_overview(units, make_household):
    make_household()
    towns = selectors.units(kind="town")
    assert towns.count() == sum(1 for u in units.values() if u.kind == "town")
    row = next(u for u in selectors.town_overview() if u.code == "town_chengdong")
    assert (row.household_count, row.person_count) == (1, 1)
