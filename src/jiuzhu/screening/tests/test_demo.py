from datetime import date

from jiuzhu.screening import demo
from jiuzhu.screening.models import Alert, ScreeningRun


def test_demo_seed_plants_every_kind_and_runs_once(make_household, policy, staff):
    staff("approver", "civil_affairs")
    for i in range(14):
        make_household(
            members=[{"name": f"演示{i}号", "birth": date(1950 + i, 1, 1 + i)}], town="town_chengdong"
        )
    summary = demo.seed(policy=policy, today=date(2026, 6, 15))
    assert "新增预警" in summary
    rules = set(Alert.objects.values_list("rule", flat=True))
    assert {
        "exclusive_services",
        "paid_after_death",
        "registered_twice",
        "two_towns",
        "temporary_same_cause",
        "relative_unregistered",
        "listed_not_receiving",
    } <= rules
    assert Alert.objects.filter(rule="listed_not_receiving").count() == demo.OMISSIONS
    count = Alert.objects.count()
    assert demo.seed(policy=policy, today=date(2026, 6, 15)) == ""
    assert Alert.objects.count() == count and ScreeningRun.objects.count() == 1
