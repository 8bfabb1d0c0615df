"""``jiuzhu verify --recipients``: change alerts on new data, nothing new on a re-run."""

from datetime import date
from io import StringIO

from django.core.management import call_command

from jiuzhu.verification import recheck, services, testing
from jiuzhu.verification.models import ChangeAlert

from .conftest import TODAY

LATER = date(2026, 3, 20)


def test_recheck_raises_alerts_once(worked, clerk, officer, all_datasets, provider_of):
    head, wife, child, granny = worked.members.order_by("id")
    all_datasets(
        {
            "tax": [
                {
                    "id_number": head.id_number,
                    "name": "张建国",
                    "income_kind": "工资薪金所得",
                    "amount": "12000",
                    "period_start": "2025-03-01",
                    "period_end": "2026-02-28",
                }
            ]
        }
    )
    testing.authorise(worked, clerk, on=TODAY)
    req = services.request_create(actor=clerk, household=worked, service_code="dibao", today=TODAY)
    report = services.report_issue(actor=officer, request=req)
    assert report.eligible
    services.recipient_mark(actor=officer, report=report)

    assert recheck.run(on=LATER, progress=False).new_alerts == []  # nothing changed

    as_of = date(2026, 3, 15)
    testing.load_dataset(
        provider_of("vehicles"),
        "vehicles",
        [
            {
                "id_number": head.id_number,
                "name": "张建国",
                "plate": "示B88888",
                "value": "150000",
                "registered_on": "2026-03-02",
            }
        ],
        as_of=as_of,
    )
    testing.load_dataset(
        provider_of("deaths"),
        "deaths",
        [{"id_number": granny.id_number, "name": "王桂兰", "death_date": "2026-03-12"}],
        as_of=as_of,
    )
    testing.load_dataset(
        provider_of("tax"),
        "tax",
        [
            {
                "id_number": head.id_number,
                "name": "张建国",
                "income_kind": "工资薪金所得",
                "amount": "12000",
                "period_start": "2025-03-01",
                "period_end": "2026-02-28",
            },
            {
                "id_number": wife.id_number,
                "name": "李秀英",
                "income_kind": "工资薪金所得",
                "amount": "96000",
                "period_start": "2025-03-01",
                "period_end": "2026-02-28",
                "payer": "示范电子厂",
            },
        ],
        as_of=as_of,
    )
    out = StringIO()
    call_command("verify", "--recipients", "--date", LATER.isoformat(), "--quiet", stdout=out)
    kinds = sorted(ChangeAlert.objects.values_list("kind", "person_id"))
    assert kinds == sorted(
        [("vehicle", head.pk), ("death", granny.pk), ("employment", wife.pk), ("income", None)]
    )
    assert "新预警 4 条" in out.getvalue()
    income = ChangeAlert.objects.get(kind="income")
    assert income.report == report and income.service_code == "dibao" and "低保标准" in income.detail

    again = recheck.run(on=LATER, progress=False)
    assert again.new_alerts == [] and ChangeAlert.objects.count() == 4
    assert report.snapshot["totals"]["income_counted"] == "800.00"  # the baseline is untouched
