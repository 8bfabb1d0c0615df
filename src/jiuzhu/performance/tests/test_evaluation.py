"""A unit's evaluation score from fixed KPI values, a manual item and a misconduct deduction,
its grade, the evaluator's input checks, and the printable outputs."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.performance import services
from jiuzhu.performance.evaluation import evaluate, grade
from jiuzhu.performance.models import ManualItem

YEAR = (date(2026, 1, 1), date(2026, 12, 31))
FIXED = {
    "on_time_rate": Decimal("90"),  # ≥85: 70% of 15 = 10.5
    "p90_days": 12,  # ≤20: 60% of 10 = 6
    "overdue_open_rate": Decimal("0"),  # 5
    "coverage_rate": Decimal("50"),  # ≥40: 60% of 15 = 9
    "alerts_on_time_rate": None,  # nothing to measure: full 10
    "objections_upheld_rate": Decimal("10"),  # ≤15: 50% of 5 = 2.5
    "funds_on_time_rate": Decimal("99"),  # 15
    "execution_rate": Decimal("70"),  # ≥60: 60% of 10 = 6
    "complaints_on_time_rate": Decimal("100"),  # 5
    "directives_on_time_rate": Decimal("75"),  # below 80: 0
}


def test_score_and_grade_from_fixed_inputs(units, staff, policy):
    town = units["town_chengdong"]
    services.manual_item_record(
        actor=staff("convener"),
        unit=town,
        start=YEAR[0],
        end=YEAR[1],
        indicator="disclosure",
        points="5.5",
        evidence="每月按时公开低保名册与资金发放情况（公开栏照片12张）",
    )
    ev = evaluate(
        unit=town,
        start=YEAR[0],
        end=YEAR[1],
        indicators=FIXED,
        policy=policy,
        deductions=[
            {
                "complaint": "TS001",
                "kind_display": "超期",
                "found_on": date(2026, 6, 1),
                "points": Decimal("2"),
            }
        ],
    )
    assert [g["points"] for g in ev.groups] == [
        Decimal("21.5"),
        Decimal("21.5"),
        Decimal("21"),
        Decimal("10.5"),
    ]
    assert ev.score == Decimal("72.50")
    assert ev.grade == "pass" and ev.grade_label == "合格"
    no_misconduct = evaluate(
        unit=town, start=YEAR[0], end=YEAR[1], indicators=FIXED, policy=policy, deductions=[]
    )
    assert no_misconduct.score == Decimal("74.50")


def test_all_targets_met_is_excellent_and_bands_hold_at_their_edges(units, policy):
    best = {k: (Decimal("100") if k.endswith("rate") else 1) for k in FIXED}
    best.update(overdue_open_rate=Decimal("0"), objections_upheld_rate=Decimal("0"))
    ev = evaluate(
        unit=units["education"], start=YEAR[0], end=YEAR[1], indicators=best, policy=policy, deductions=[]
    )
    assert ev.score == Decimal("94.00")  # the 6 manual points not yet entered
    assert ev.grade_label == "优秀"
    assert [grade(Decimal(x), policy) for x in ("90", "89.99", "80", "79.99", "60", "59.99")] == [
        "excellent",
        "good",
        "good",
        "pass",
        "pass",
        "fail",
    ]


def test_manual_item_needs_an_evaluator_evidence_and_points_in_range(units, staff):
    town = units["town_chengdong"]
    with pytest.raises(PermissionDenied):
        services.manual_item_record(
            actor=staff("window_clerk"),
            unit=town,
            start=YEAR[0],
            end=YEAR[1],
            indicator="disclosure",
            points="5",
            evidence="x",
        )
    convener = staff("convener")
    with pytest.raises(ValidationFailed) as e:
        services.manual_item_record(
            actor=convener,
            unit=town,
            start=YEAR[0],
            end=YEAR[1],
            indicator="disclosure",
            points="7",
            evidence="x",
        )
    assert e.value.code == "points_out_of_range"
    with pytest.raises(ValidationFailed) as e:
        services.manual_item_record(
            actor=convener,
            unit=town,
            start=YEAR[0],
            end=YEAR[1],
            indicator="disclosure",
            points="5",
            evidence="  ",
        )
    assert e.value.field == "evidence"
    assert ManualItem.objects.count() == 0


def test_evaluation_page_pdf_and_ranking_excel(units, staff, client):
    from io import BytesIO

    from openpyxl import load_workbook

    convener = staff("convener")
    client.force_login(convener)
    url = "/performance/evaluation/town_chengdong/?year=2026"
    resp = client.post(url, {"indicator": "disclosure", "points": "4", "evidence": "公开栏照片"})
    assert resp.status_code == 302
    page = client.get(url).content.decode()
    assert "信息公开及时完整" in page and "佐证：公开栏照片" in page
    pdf = client.get("/performance/evaluation/town_chengdong/report.pdf?year=2026")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get("/performance/ranking/?year=2026&format=xlsx")
    ws = load_workbook(BytesIO(xlsx.content)).active
    names = [ws.cell(row=r, column=2).value for r in range(3, ws.max_row + 1)]
    assert (
        "城东街道" in "".join(names)
        and len(names) == units["town_chengdong"].__class__.objects.filter(is_conference_member=True).count()
    )


def test_a_supervisor_reads_the_evaluation_but_cannot_enter_points(units, staff, client):
    client.force_login(staff("supervisor"))
    url = "/performance/evaluation/town_chengdong/?year=2026"
    assert "总分" in client.get(url).content.decode()
    client.post(url, {"indicator": "disclosure", "points": "6", "evidence": "x"})
    assert ManualItem.objects.count() == 0
