"""Grant control in screening: an active entitlement whose amount is not the rules' amount,
with no second signature, raises an alert; the rule's amount and a signed amount do not."""

from datetime import date
from decimal import Decimal

from jiuzhu.decisions.models import Entitlement
from jiuzhu.screening.models import Alert


def _housed(make_household, name, town="town_chengdong"):
    """Urban, two members without income on 20 m²: rent subsidy (30 − 20) × ¥20 = ¥200."""
    return make_household(
        members=[
            {"name": name, "birth": date(1975, 3, 2), "labour_capacity": "partial"},
            {
                "name": name + "妻",
                "birth": date(1977, 3, 2),
                "relation": "spouse",
                "gender": "F",
                "labour_capacity": "partial",
            },
        ],
        town=town,
        dwelling_area=Decimal("20"),
    )


def test_an_amount_above_the_rule_without_a_signature_is_flagged(make_household, grant, screen, approver):
    over = _housed(make_household, "周超发")
    e = grant(over, "housing_rent_subsidy", "5000")
    Entitlement.objects.filter(pk=e.pk).update(rule_amount=Decimal("200.00"))
    unknown = _housed(make_household, "吴未记", town="town_chengxi")
    grant(unknown, "housing_rent_subsidy", "800")  # no rule amount recorded: the rules' amount now
    right = _housed(make_household, "郑按规", town="town_chengnan")
    grant(right, "housing_rent_subsidy", "200")
    signed = _housed(make_household, "冯签批", town="town_chengbei")
    s = grant(signed, "housing_rent_subsidy", "900")
    Entitlement.objects.filter(pk=s.pk).update(rule_amount=Decimal("200.00"), signed_by=approver)

    screen()

    found = {a.household_id: a for a in Alert.objects.filter(rule="amount_not_rule")}
    assert set(found) == {over.pk, unknown.pk}
    a = found[over.pk]
    assert a.kind == "unfairness" and a.severity == "high" and a.unit.code == "housing"
    assert "¥5000.00" in a.summary and "¥200.00" in a.summary
    assert "¥800.00" in found[unknown.pk].summary and "¥200.00" in found[unknown.pk].summary
