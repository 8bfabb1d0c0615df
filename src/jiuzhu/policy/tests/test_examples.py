"""Each worked example of DOMAIN §3 (examples.py) through the three paths: the rules called
directly, the public API, and the batch path. All three must give the same eligibility and
amount, and the single path the reasons named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.policy import frames
from jiuzhu.policy.batch import evaluate_batch
from jiuzhu.policy.facts import from_dict
from jiuzhu.policy.rules import evaluate

from .examples import EXAMPLES

ids = [e.id for e in EXAMPLES]


def _amount(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def test_enough_examples_cover_every_category(policy):
    assert len(EXAMPLES) >= 20
    touched = {policy.service(code).category for e in EXAMPLES for code in e.expect}
    assert touched == {s.category for s in policy.services}


def test_every_service_has_an_example_that_qualifies(policy):
    """Each of the catalogue's services pre-checks eligible for at least one household built to
    qualify (and the examples run on the single path, the API and the batch path below)."""
    qualifying = {code for e in EXAMPLES for code, (eligible, _) in e.expect.items() if eligible}
    assert len(policy.services) == 33
    assert [s.code for s in policy.services if s.code not in qualifying] == []


@pytest.mark.parametrize("ex", EXAMPLES, ids=ids)
def test_single(ex, policy):
    results = {r.service: r for r in evaluate(from_dict(ex.household), date.fromisoformat(ex.as_of), policy)}
    got = {code: (results[code].eligible, _amount(results[code].monthly_amount)) for code in ex.expect}
    assert got == ex.expect
    for code, rules in ex.reasons.items():
        seen = {}
        for reason in results[code].reasons:
            seen.setdefault(reason.rule, []).append(reason.passed)
            assert reason.basis and reason.detail
        for rule, passed in rules.items():
            assert passed in seen.get(rule, []), (code, rule, [r.text for r in results[code].reasons])


@pytest.mark.parametrize("ex", EXAMPLES, ids=ids)
def test_api(ex, client):
    response = client.post(
        "/api/eligibility/evaluate",
        {"as_of": ex.as_of, "household": ex.household},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == ex.as_of
    results = {r["service"]: r for r in body["results"]}
    got = {code: (results[code]["eligible"], results[code]["monthly_amount"]) for code in ex.expect}
    assert got == ex.expect
    for code, rules in ex.reasons.items():
        seen = {(x["rule"], x["passed"]) for x in results[code]["reasons"]}
        for rule, passed in rules.items():
            assert (rule, passed) in seen


def test_batch_all_examples_at_once(policy):
    by_date: dict[str, list] = {}
    for ex in EXAMPLES:
        by_date.setdefault(ex.as_of, []).append(ex)
    for as_of, group in by_date.items():
        out = evaluate_batch(
            frames.from_facts([from_dict(e.household) for e in group]), date.fromisoformat(as_of), policy
        )
        rows = out.to_dicts()
        for ex, row in zip(group, rows, strict=True):
            got = {}
            for code in ex.expect:
                cents = row[f"{code}_amount"]
                got[code] = (
                    row[f"{code}_eligible"],
                    None if cents is None else f"{Decimal(cents) / 100:.2f}",
                )
            assert got == ex.expect, ex.id


def test_term_grants_add_up_to_the_worked_examples_school_year(policy):
    """The school's term grants (education.terms_per_year terms of the year's standard) add up to
    the yearly amounts of the education worked examples; a university entrant gets the whole
    entrance grant once, in his entrance term."""
    from jiuzhu.policy.rules.base import Params
    from jiuzhu.policy.rules.education import term_grant

    ex = next(e for e in EXAMPLES if e.id == "education_senior_and_university_entrant")
    p = Params.at(policy, date.fromisoformat(ex.as_of))
    terms = int(p.education_terms)
    senior = [term_grant(stage="senior", p=p) for _ in range(terms)]
    assert sum(g.amount for g in senior) == Decimal(ex.expect["edu_senior"][1])
    assert all(g.to_school and g.service_code == "edu_senior" for g in senior)
    entrant = term_grant(stage="university", p=p, entrant=True)
    assert entrant.amount == Decimal(ex.expect["edu_university"][1]) and not entrant.to_school
    assert term_grant(stage="university", p=p, entrant=False) is None
