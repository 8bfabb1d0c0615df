"""The demo policy file loads; a broken one is refused with file, line and field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from jiuzhu.common.errors import PolicyFileError
from jiuzhu.policy import batch_services
from jiuzhu.policy.catalogue import CATEGORIES, FORMULAS, load_policy
from jiuzhu.policy.grants import officer_limit
from jiuzhu.policy.parameters import ParameterNotInForce, UnknownParameter
from jiuzhu.policy.rules import FORMULA_IMPL
from jiuzhu.policy.schema import UnknownService

DEMO = Path(__file__).resolve().parents[4] / "policies" / "demo.yaml"


@pytest.fixture(scope="module")
def demo():
    return load_policy(DEMO)


def broken(tmp_path, old: str, new: str, *, count: int = 1) -> tuple[Path, int]:
    """A copy of the demo file with ``old`` replaced; returns it and the 1-based line of the
    first replacement."""
    text = DEMO.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path = tmp_path / "city.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path, line


def refused(path) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as info:
        load_policy(path)
    exc = info.value
    assert exc.params["file"] == str(path)
    assert exc.message.startswith(f"{path}:{exc.params['line']}:")
    return exc


# --- the demo catalogue -------------------------------------------------------------------


def test_catalogue_has_the_33_services_over_nine_categories(demo):
    assert len(demo.services) == 33
    assert {s.category for s in demo.services} == set(CATEGORIES)
    units = {u.code for u in demo.units}
    for s in demo.services:
        assert s.owner_unit in units
        assert s.limit_days > 0 and s.documents and s.basis_article.startswith("第")
        for other in s.exclusive_with:
            assert s.code in demo.service(other).exclusive_with  # symmetric
    civil = {s.code for s in demo.services_of_unit("civil_affairs")}
    assert {"dibao", "tekun_dispersed", "temporary_emergency"} <= civil
    assert len({s.owner_unit for s in demo.services}) >= 12


def test_every_formula_has_a_rule_and_a_batch_implementation():
    assert set(FORMULAS) == set(FORMULA_IMPL) == set(batch_services.FORMULAS)


def test_service_lookup(demo):
    assert demo.service("dibao").name == "最低生活保障"
    assert demo.service("dibao").amount_period == "month"
    assert demo.exclusive("tekun_dispersed", "dibao") and demo.exclusive("dibao", "tekun_dispersed")
    with pytest.raises(UnknownService) as info:
        demo.service("nope")
    assert isinstance(info.value, LookupError) and info.value.field == "service"


def test_the_services_answered_by_a_decision_are_the_monthly_dibao_and_tekun_ones(demo):
    # the window's plain feedback is refused for these (intake) and a case is opened (decisions)
    assert {s.code for s in demo.decision_services()} == {
        "dibao",
        "dibao_single",
        "tekun_dispersed",
        "tekun_institutional",
    }
    assert demo.by_decision("dibao") and not demo.by_decision("temporary_emergency")
    assert not demo.by_decision("nope")  # a code not in the file is not decided, not an error


def test_the_officer_limit_is_the_policy_file_s_and_none_for_tiered_temporary_aid(demo):
    on = date(2026, 1, 1)
    limit = officer_limit(demo, service_code="medical_expense", category="medical", on=on)
    assert limit == Decimal(str(demo.param("grant.officer_limit", on, service="medical_expense")))
    assert officer_limit(demo, service_code="temporary_emergency", category="temporary", on=on) is None


@pytest.mark.parametrize(
    ("as_of", "area", "value"),
    [
        (date(2025, 1, 1), "urban", "900"),
        (date(2025, 6, 1), "urban", "900"),
        (date(2025, 12, 31), "rural", "760"),
        (date(2026, 1, 1), "urban", "950"),
        (date(2027, 7, 1), "rural", "800"),
    ],
)
def test_dated_standard(demo, as_of, area, value):
    assert demo.param("dibao.standard", as_of, area=area) == Decimal(value)


def test_parameter_kinds_and_errors(demo):
    on = date(2026, 3, 1)
    assert demo.param("tekun.care_allowance", on, self_care="none") == Decimal("1000")
    assert demo.param("temporary.emergency_file_days", on) == 10
    assert demo.param("notice.mask_names", on) is True
    assert demo.param("notice.day_type", on) == "calendar"
    assert demo.param("dibao.standard", on) == {"urban": Decimal("950"), "rural": Decimal("800")}
    assert sum(g["weight"] for g in demo.param("evaluation.indicator_groups", on)) == 100
    with pytest.raises(ParameterNotInForce) as info:
        demo.param("dibao.standard", date(2024, 12, 31), area="urban")
    assert isinstance(info.value, LookupError) and "2025-01-01" in info.value.message
    with pytest.raises(UnknownParameter):
        demo.param("dibao.nope", on)
    with pytest.raises(UnknownParameter):
        demo.param("dibao.standard", on, area="suburban")


# --- refusals with file, line and field ---------------------------------------------------


def test_malformed_yaml(tmp_path):
    path, line = broken(tmp_path, "  dibao.addon_rate:\n", "  dibao.addon_rate: [\n")
    exc = refused(path)
    assert exc.code == "policy_yaml_syntax" and exc.params["line"] >= line


def test_missing_service_field(tmp_path):
    path, line = broken(
        tmp_path,
        "    limit_days: 35\n    documents: [身份证件, 户口簿, 劳动能力",
        "    documents: [身份证件, 户口簿, 劳动能力",
    )
    exc = refused(path)
    assert exc.code == "policy_missing_field"
    assert exc.field == "services[4].limit_days"
    text = DEMO.read_text(encoding="utf-8")
    start = text[: text.index("- code: tekun_dispersed")].count("\n") + 1
    assert start < line and exc.params["line"] == start  # the service's mapping


def test_unknown_owner_unit(tmp_path):
    path, line = broken(tmp_path, "owner_unit: youth_league", "owner_unit: youth_leauge")
    exc = refused(path)
    assert (exc.code, exc.field, exc.params["line"]) == (
        "policy_unknown_unit",
        "services[30].owner_unit",
        line,
    )


def test_unknown_exclusive_with(tmp_path):
    path, line = broken(
        tmp_path,
        "exclusive_with: [housing_public_rental, tekun_institutional]",
        "exclusive_with: [housing_public_rentals, tekun_institutional]",
    )
    exc = refused(path)
    assert exc.code == "policy_unknown_service" and exc.field.endswith(".exclusive_with[0]")
    assert exc.params["line"] == line


def test_bad_category(tmp_path):
    path, line = broken(tmp_path, "category: employment", "category: jobs")
    exc = refused(path)
    assert (
        exc.code == "policy_bad_category"
        and exc.field == "services[20].category"
        and exc.params["line"] == line
    )


def test_bad_basis(tmp_path):
    path, line = broken(tmp_path, "basis: 社会救助暂行办法 第五十条", "basis: 救助办法")
    exc = refused(path)
    assert exc.code == "policy_bad_basis" and exc.params["line"] == line


def test_bad_date(tmp_path):
    path, line = broken(
        tmp_path,
        "{effective_from: 2026-01-01, value: {urban: 950",
        "{effective_from: 2026-02-30, value: {urban: 950",
    )
    exc = refused(path)
    assert exc.code == "policy_bad_date"
    assert exc.field == "parameters.dibao.standard.values[1].effective_from" and exc.params["line"] == line


def test_dates_must_increase(tmp_path):
    path, line = broken(
        tmp_path,
        "{effective_from: 2026-01-01, value: {urban: 950",
        "{effective_from: 2024-01-01, value: {urban: 950",
    )
    exc = refused(path)
    assert exc.code == "policy_bad_date" and exc.params["line"] == line


def test_non_numeric_amount(tmp_path):
    path, line = broken(tmp_path, "value: {urban: 950, rural: 800}", "value: {urban: 九百五, rural: 800}")
    exc = refused(path)
    assert exc.code == "policy_not_a_number"
    assert exc.field == "parameters.dibao.standard.values[1].value.urban" and exc.params["line"] == line


def test_missing_dimension_value(tmp_path):
    path, line = broken(tmp_path, "value: {urban: 950, rural: 800}", "value: {urban: 950}")
    exc = refused(path)
    assert exc.code == "policy_missing_field" and "rural" in exc.message and exc.params["line"] == line


def test_rate_above_one(tmp_path):
    path, line = broken(
        tmp_path, "{effective_from: 2025-01-01, value: 0.20}", "{effective_from: 2025-01-01, value: 20}"
    )
    exc = refused(path)
    assert (
        exc.code == "policy_bad_rate"
        and exc.field == "parameters.income.employment_cost_rate.values[0].value"
    )


def test_required_parameter_missing(tmp_path):
    path, _ = broken(tmp_path, "  disaster.max_days:\n", "  disaster.max_days_typo:\n")
    exc = refused(path)
    assert exc.field == "parameters.disaster.max_days" and exc.code == "policy_missing_field"


def test_indicator_weights_must_sum_to_100(tmp_path):
    path, _ = broken(
        tmp_path,
        "{code: innovation, name: 工作创新, weight: 10}",
        "{code: innovation, name: 工作创新, weight: 15}",
    )
    exc = refused(path)
    assert exc.code == "policy_bad_weights" and "105" in exc.message


def test_duplicate_key(tmp_path):
    path, line = broken(tmp_path, "  dibao.addon_age:\n", "  dibao.addon_rate:\n")
    exc = refused(path)
    assert exc.code == "policy_duplicate_key" and exc.params["line"] == line


# --- service → need (screening compares needs, not service codes) --------------------------


def test_every_service_pays_for_one_labelled_need(demo):
    from jiuzhu.policy.needs import need_labels, service_needs

    on = date(2026, 6, 1)
    needs, labels = service_needs(demo, on), need_labels(demo, on)
    assert set(needs) == {s.code for s in demo.services} and set(needs.values()) <= set(labels)
    # the same need under different codes and units: rent subsidy and public rental, the
    # compulsory-school grant and the youth league's school aid
    assert needs["housing_rent_subsidy"] == needs["housing_public_rental"] == "housing"
    assert needs["edu_compulsory"] == needs["youth_education_aid"] and labels["education"] == "教育"
    # a disabled person's living allowance is not the household's dibao
    assert needs["disabled_living_allowance"] != needs["dibao"]


def test_a_service_without_a_need_is_refused(tmp_path):
    path, _ = broken(tmp_path, "            charity_medical: medical\n", "")
    exc = refused(path)
    assert exc.code == "policy_missing_field" and "charity_medical" in exc.message
    assert exc.field == "parameters.services.need.values[0].value.services"


def test_a_need_without_a_label_is_refused(tmp_path):
    path, line = broken(tmp_path, "            vagrant_aid: living\n", "            vagrant_aid: shelter\n")
    exc = refused(path)
    assert exc.code == "policy_unknown_need" and exc.params["line"] == line
    assert exc.field == "parameters.services.need.values[0].value.services.vagrant_aid"
