"""The caseload import end to end: one report with every error, approval by a second
person, all-or-nothing apply, idempotent re-runs, imported amounts judged by the rules."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.caseload import applying, imports
from jiuzhu.caseload.models import ImportBatch, ImportDuplicate, ImportedEntitlement
from jiuzhu.caseload.testing import household_rows, merge, workbook
from jiuzhu.common import clock
from jiuzhu.common.errors import IllegalTransition, PermissionDenied
from jiuzhu.decisions.models import Entitlement, Review
from jiuzhu.registry.models import Household, IncomeItem, Person
from jiuzhu.registry.testing import make_id

TODAY = clock.today()


def _good_file(
    code="OLD-1",
    amount="1.00",
    names=("赵老汉", "钱阿婆"),
    births=(date(1950, 3, 1), date(1953, 7, 9)),
    address="示范市城东街道幸福路8号",
):
    head_id = make_id(births[0], gender="M")
    wife_id = make_id(births[1], gender="F")
    rows = household_rows(
        code,
        [
            {"name": names[0], "id_number": head_id, "relation": "户主", "labour_capacity": "无劳动能力"},
            {"name": names[1], "id_number": wife_id, "relation": "配偶", "labour_capacity": "无劳动能力"},
        ],
        address=address,
    )
    rows["incomes"] = [
        {
            "id_number": head_id,
            "kind": "城乡居民基本养老保险基础养老金",
            "monthly_amount": "150",
            "period_start": f"{TODAY.year - 1}-01-01",
            "period_end": f"{TODAY.year - 1}-12-31",
        }
    ]
    rows["assets"] = [
        {"household": code, "kind": "financial", "value": "2000", "as_of": f"{TODAY.year - 1}-12-31"}
    ]
    rows["bank_accounts"] = [
        {"id_number": head_id, "bank_name": "示范市农商银行", "number": "622848000011112222"}
    ]
    rows["entitlements"] = [
        {
            "household": code,
            "payee": head_id,
            "service": "最低生活保障",
            "amount": "900.00",
            "start_month": f"{TODAY.year - 2}-01",
            "end_month": f"{TODAY.year - 1}-06",
            "decided_on": f"{TODAY.year - 3}-12-15",
        },
        {
            "household": code,
            "payee": head_id,
            "service": "dibao",
            "amount": amount,
            "start_month": f"{TODAY.year - 1}-07",
            "decided_on": f"{TODAY.year - 1}-06-20",
            "next_review_on": f"{TODAY.year + 1}-06-30",
        },
    ]
    return rows


def _upload(actor, rows, **kw):
    return imports.batch_upload(actor=actor, data=workbook(rows, **kw), filename="caseload.xlsx")


def _approve_and_apply(batch, approver):
    imports.batch_approve(actor=approver, batch=batch, run_now=True)
    return applying.apply_batch(batch=batch)


def test_one_report_holds_a_bad_id_a_duplicate_and_a_missing_column(staff, make_household):
    make_household(
        members=[{"name": "孙建华", "birth": date(1961, 4, 18), "gender": "M", "relation": "head"}],
        address="示范市城东街道和平路5号",
    )
    bad = make_id(date(1970, 1, 1))
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")  # wrong check character
    rows = merge(
        household_rows(
            "OLD-7",
            [
                {"name": "周明", "id_number": make_id(date(1980, 2, 2)), "relation": "户主"},
                {"name": "周小明", "id_number": bad, "relation": "子女"},
            ],
        ),
        household_rows(
            "OLD-8",
            [
                # another valid number, but the name, birth date, sex and address of 孙建华
                {"name": "孙建华", "id_number": make_id(date(1961, 4, 18), gender="M"), "relation": "户主"},
            ],
            address="示范市城东街道和平路5号",
        ),
    )
    rows["incomes"] = [
        {
            "id_number": rows["members"][0]["id_number"],
            "kind": "wages",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        }
    ]
    batch = _upload(staff("approver"), rows, drop={"incomes": {"monthly_amount"}})

    errors = {(e["sheet"], e["row"], e["column"], e["code"]) for e in batch.errors}
    assert ("成员", 3, "身份证号码", "id_number_check_digit") in errors
    assert ("收入", 1, "月均金额（元）", "missing_column") in errors
    assert any("校验位" in e["message"] for e in batch.errors)
    dup = batch.duplicates.get()
    assert dup.name == "孙建华" and dup.person.name == "孙建华" and dup.row == 4
    assert batch.state == ImportBatch.State.VALIDATED and batch.error_count == 2
    with pytest.raises(IllegalTransition) as exc:
        imports.batch_approve(actor=staff("admin"), batch=batch, run_now=True)
    assert exc.value.code == "has_errors"
    assert not Household.objects.filter(code__in=["OLD-7", "OLD-8"]).exists()


def test_a_second_person_approves_and_everything_lands(staff):
    uploader, approver = staff("approver"), staff("approver")
    batch = _upload(uploader, _good_file())
    assert batch.error_count == 0, batch.errors
    with pytest.raises(IllegalTransition) as exc:
        imports.batch_approve(actor=uploader, batch=batch, run_now=True)
    assert exc.value.code == "same_person"
    with pytest.raises(PermissionDenied):
        imports.batch_approve(actor=staff("window_clerk"), batch=batch, run_now=True)

    result = _approve_and_apply(batch, approver)

    hh = Household.objects.get(code="OLD-1")
    assert hh.members.count() == 2 and hh.town.code == "town_chengdong"
    assert IncomeItem.objects.filter(person__household=hh).count() == 1
    assert hh.assets.count() == 1
    head = hh.members.get(relation="head")
    assert head.bank_account.tail == "2222"
    history = list(Entitlement.objects.filter(household=hh).order_by("start_month"))
    assert [e.amount for e in history] == [900, 1] and history[1].previous == history[0]
    assert history[0].status == Entitlement.ENDED and history[1].status == Entitlement.ACTIVE
    assert history[1].next_review_on == date(TODAY.year + 1, 6, 30)
    assert set(history[1].members.all()) == set(hh.members.all())
    assert result["households"] == 1 and result["entitlements"] == 2
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.APPLIED and batch.approved_by == approver


def test_the_same_file_twice_changes_nothing_the_second_time(staff):
    rows = _good_file(code="OLD-2")
    _approve_and_apply(_upload(staff("approver"), rows), staff("approver"))
    counts = (
        Household.objects.count(),
        Person.objects.count(),
        IncomeItem.objects.count(),
        Entitlement.objects.count(),
        Review.objects.count(),
    )

    second = _upload(staff("approver"), rows)
    assert second.summary["households_new"] == 0 and second.summary["persons_existing"] == 2
    result = _approve_and_apply(second, staff("approver"))

    assert result["households"] == result["persons"] == result["entitlements"] == result["bank_accounts"] == 0
    assert counts == (
        Household.objects.count(),
        Person.objects.count(),
        IncomeItem.objects.count(),
        Entitlement.objects.count(),
        Review.objects.count(),
    )


def test_an_imported_entitlement_at_a_wrong_amount_is_flagged_not_changed(staff):
    _approve_and_apply(_upload(staff("approver"), _good_file(code="OLD-3", amount="1.00")), staff("approver"))
    wrong = ImportedEntitlement.objects.get(
        entitlement__household__code="OLD-3", entitlement__status="active"
    )
    assert wrong.flagged and wrong.rule_eligible and wrong.rule_amount > 1
    assert wrong.entitlement.amount == 1  # never silently changed
    review = wrong.review
    assert review.reason == Review.IMPORT and review.proposal == Review.ADJUST
    assert review.proposed_amount == wrong.rule_amount and review.town.code == "town_chengdong"

    right = _good_file(
        code="OLD-4",
        amount=str(wrong.rule_amount),
        names=("李大伯", "何大妈"),
        births=(date(1949, 5, 6), date(1952, 11, 23)),
        address="示范市城东街道人民路20号",
    )
    _approve_and_apply(_upload(staff("approver"), right), staff("approver"))
    ok = ImportedEntitlement.objects.get(entitlement__household__code="OLD-4", entitlement__status="active")
    assert not ok.flagged and ok.review is None and ok.rule_amount == wrong.rule_amount


def test_apply_is_all_or_nothing(staff, settings):
    batch = _upload(staff("approver"), _good_file(code="OLD-5"))
    imports.batch_approve(actor=staff("approver"), batch=batch, run_now=True)
    # the bank accounts are written after the households, in the same transaction: a key that
    # cannot encrypt them fails the apply there
    settings.FIELD_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(ValueError):
        applying.apply_batch(batch=batch)
    assert not Household.objects.filter(code="OLD-5").exists()
    assert not Entitlement.objects.filter(household__code="OLD-5").exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.FAILED and "未写入任何数据" in batch.message


def test_a_possible_duplicate_decided_same_is_not_added(staff, make_household):
    make_household(
        members=[{"name": "吴国庆", "birth": date(1958, 10, 1), "gender": "M"}],
        address="示范市城东街道幸福路8号",
    )
    rows = household_rows(
        "OLD-6", [{"name": "吴国庆", "id_number": make_id(date(1958, 10, 1)), "relation": "户主"}]
    )
    batch = _upload(staff("approver"), rows)
    dup = batch.duplicates.get()
    with pytest.raises(IllegalTransition) as exc:
        imports.batch_approve(actor=staff("admin"), batch=batch, run_now=True)
    assert exc.value.code == "duplicates_open"
    imports.duplicate_decide(actor=staff("approver"), duplicate=dup, decision=ImportDuplicate.Decision.SAME)
    result = _approve_and_apply(batch, staff("admin"))
    assert result["households"] == 0 and result["skipped_households"] == ["OLD-6"]
    assert Person.objects.filter(name="吴国庆").count() == 1
