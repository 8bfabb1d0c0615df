"""A worked household, computed by hand (as of 2026-03-10: urban dibao standard ¥950; income
window 2025-03-01 … 2026-02-28):

- 张建国: wages ¥24,000.00 over the 12 months → ¥2,000.00/month; employment cost 20% = ¥400,
  capped at ¥300 → counted ¥1,700.00. An old tax record of 2024 is shown, not counted.
- 李秀英 (her bank and tax records carry her old 15-digit number → matched probabilistically):
  wages ¥6,000.00 over 2025-09 … 2026-02 → ¥1,000.00/month for 6 of the 12 months → ¥500.00;
  employment cost 20% → ¥100.00 → counted ¥400.00.
- 王桂兰 (76): residents' basic pension ¥200.00/month — excluded (demo policy) → ¥0 counted.
- 张小明: nothing.
Household: counted ¥2,100.00, per capita ¥525.00 < ¥950 → income passes; excluded ¥200.00;
employment costs ¥400.00. Financial ¥20,000.00 + ¥5,000.50 = ¥25,000.50 ≤ 24 × 950 × 4 =
¥91,200 → passes; one livelihood vehicle ¥25,000 ≤ ¥30,000 → passes; one house → passes.
Dibao = 950 × 4 − 2,100 = ¥1,700 + classified add-on for the 76-year-old 20% × 950 = ¥190 →
¥1,890.00 a month.
"""

from datetime import date

import pytest

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.verification import services, testing
from jiuzhu.verification.models import FrozenError, SourceTask, VerificationRequest

from .conftest import TODAY


def _id15(number18: str) -> str:
    return number18[:6] + number18[8:17]


@pytest.fixture
def worked_data(worked, all_datasets):
    head, wife, child, granny = worked.members.order_by("id")
    all_datasets(
        {
            "tax": [
                {
                    "id_number": head.id_number,
                    "name": "张建国",
                    "income_kind": "工资薪金所得",
                    "amount": "24000.00",
                    "period_start": "2025-03-01",
                    "period_end": "2026-02-28",
                    "payer": "示范市机械厂",
                },
                {
                    "id_number": head.id_number,
                    "name": "张建国",
                    "income_kind": "工资薪金所得",
                    "amount": "30000",
                    "period_start": "2024-01-01",
                    "period_end": "2024-12-31",
                },
                {
                    "id_number": _id15(wife.id_number),
                    "name": "李秀英",
                    "income_kind": "工资薪金所得",
                    "amount": "6000",
                    "period_start": "2025-09-01",
                    "period_end": "2026-02-28",
                },
            ],
            "social_insurance": [
                {
                    "id_number": granny.id_number,
                    "name": "王桂兰",
                    "benefit": "城乡居民基础养老金",
                    "monthly_amount": "200",
                    "period_start": "2025-01-01",
                    "period_end": "2026-12-31",
                },
            ],
            "banks": [
                {
                    "id_number": head.id_number,
                    "name": "张建国",
                    "institution": "示范农商行",
                    "balance": "20000",
                    "balance_date": "2026-02-28",
                },
                {
                    "id_number": _id15(wife.id_number),
                    "name": "李秀英",
                    "institution": "示范农商行",
                    "balance": "5000.50",
                    "balance_date": "2026-02-28",
                },
            ],
            "vehicles": [
                {
                    "id_number": head.id_number,
                    "name": "张建国",
                    "plate": "示A12345",
                    "use": "营运",
                    "value": "25000",
                    "registered_on": "2020-05-01",
                },
            ],
            "real_estate": [
                {
                    "id_number": head.id_number,
                    "name": "张建国",
                    "certificate_no": "示(2019)0001号",
                    "floor_area": "80",
                    "registered_on": "2019-03-01",
                },
            ],
        }
    )
    return worked


def test_request_refused_without_every_adults_authorisation(worked_data, clerk, officer):
    head, wife, child, granny = worked_data.members.order_by("id")
    testing.authorise(worked_data, clerk, on=TODAY, only=[head])
    with pytest.raises(ValidationFailed) as exc:
        services.request_create(actor=clerk, household=worked_data, service_code="dibao", today=TODAY)
    assert exc.value.code == "authorisation_missing"
    assert "李秀英" in exc.value.message and "王桂兰" in exc.value.message
    assert "张小明" not in exc.value.message  # a minor signs nothing
    assert {m["person"] for m in exc.value.params["members"]} == {wife.pk, granny.pk}
    assert not VerificationRequest.objects.exists()


def test_worked_household_report_figures(worked_data, clerk, officer):
    testing.authorise(worked_data, clerk, on=TODAY)
    req = services.request_create(actor=clerk, household=worked_data, service_code="dibao", today=TODAY)
    assert not SourceTask.objects.filter(request=req).exists()  # every source had a dataset
    assert req.state == VerificationRequest.READY, req.state
    report = services.report_issue(actor=officer, request=req)
    snap = report.snapshot
    t = snap["totals"]
    assert snap["income_window"] == ["2025-03-01", "2026-02-28"]
    assert (t["members"], t["income_counted"], t["income_per_capita"]) == (4, "2100.00", "525.00")
    assert (t["income_excluded"], t["employment_cost"]) == ("200.00", "400.00")
    assert (t["financial"], t["vehicles"], t["houses"], t["business_capital"]) == ("25000.50", 1, 1, "0.00")
    by_name = {mb["name"]: mb for mb in snap["members"]}
    assert by_name["张建国"]["income_counted"] == "1700.00"
    assert by_name["李秀英"]["income_counted"] == "400.00"
    assert by_name["王桂兰"]["income_excluded"] == "200.00"
    old = [i for i in by_name["张建国"]["items"] if i["period"] and i["period"][0] == "2024-01-01"][0]
    assert old["counted"] is False and "统计期" in old["note"]
    pension = by_name["王桂兰"]["items"][0]
    assert (pension["item"], pension["counted"], pension["note"]) == (
        "pension_basic",
        False,
        "按规定不计入家庭收入",
    )
    wife_items = by_name["李秀英"]["items"]
    assert {i["match"]["kind"] for i in wife_items} == {"fuzzy"}  # the 15-digit number
    assert all(i["match"]["probability"] >= 0.98 for i in wife_items)
    wage = [i for i in wife_items if i["item"] == "wages"][0]
    assert (wage["amount"], wage["months_in_window"], wage["in_window"]) == ("1000.00", 6, "500.00")
    assert {i["source"] for i in by_name["张建国"]["items"]} == {"tax", "banks", "vehicles", "real_estate"}
    assert all(i["match"]["kind"] == "exact" and i["record_date"] for i in by_name["张建国"]["items"])
    c = snap["comparison"]
    assert (c["service"], c["eligible"], c["amount"]) == ("dibao", True, "1890.00")
    rules = {r["rule"]: r for r in c["reasons"]}
    assert rules["dibao.income"]["passed"] and "525.00" in rules["dibao.income"]["detail"]
    assert "950.00" in rules["dibao.income"]["detail"]
    assert all(
        rules[r]["passed"] for r in ("assets.financial", "assets.vehicle", "assets.house", "assets.business")
    )
    assert report.valid_until == date(2026, 6, 8)  # 90 days from the date asked (2026-03-10)
    assert report.eligible is True


def test_issued_report_is_frozen(worked_data, clerk, officer, provider_of):
    testing.authorise(worked_data, clerk, on=TODAY)
    req = services.request_create(actor=clerk, household=worked_data, service_code="dibao", today=TODAY)
    report = services.report_issue(actor=officer, request=req)
    before = report.snapshot
    head = worked_data.members.order_by("id").first()
    # a new bank dataset with a big balance and a registry edit change nothing already issued
    testing.load_dataset(
        provider_of("banks"),
        "banks",
        [
            {
                "id_number": head.id_number,
                "name": "张建国",
                "institution": "某行",
                "balance": "900000",
                "balance_date": "2026-03-05",
            }
        ],
        as_of=date(2026, 3, 5),
    )
    head.name = "张建军"
    head.save()
    report.refresh_from_db()
    assert report.snapshot == before and report.snapshot["totals"]["financial"] == "25000.50"
    with pytest.raises(FrozenError):
        report.save()
