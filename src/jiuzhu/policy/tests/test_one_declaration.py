"""A rule is declared once (``policy.rules.criteria``): changing the declaration in that one
place changes the single-household result and the batch result alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from jiuzhu.policy import frames
from jiuzhu.policy.batch import evaluate_batch
from jiuzhu.policy.catalogue import load_policy
from jiuzhu.policy.facts import DISABILITY_KINDS, SCHOOL_STAGES, HouseholdFacts, Income, MemberFacts
from jiuzhu.policy.rules import criteria as cr
from jiuzhu.policy.rules import evaluate

from .test_policy_file import DEMO

POLICY = load_policy(DEMO)
ON = date(2026, 3, 1)
SERVICES = ["tekun_dispersed", "dibao"]


def _alone(age=45, **kw) -> HouseholdFacts:
    """Someone living alone on ¥200 a month, with no capable supporter."""
    member = MemberFacts(
        age=age,
        income=Income(transfer=Decimal("200")),
        has_capable_supporter=False,
        supporter_unable="none_exists",
        **kw,
    )
    return HouseholdFacts(area="urban", members=(member,))


def both(households):
    """``[(single eligible, single amount, batch eligible, batch amount)]`` of each service of
    each household (amounts in yuan)."""
    out = []
    wide = evaluate_batch(frames.from_facts(households), ON, POLICY, services=SERVICES).to_dicts()
    for facts, row in zip(households, wide, strict=True):
        for r in evaluate(facts, ON, POLICY, SERVICES):
            cents = row[f"{r.service}_amount"]
            batch_amount = None if cents is None else Decimal(cents) / 100
            out.append((r.service, r.eligible, r.amount, row[f"{r.service}_eligible"], batch_amount))
    return out


def test_codes_come_from_the_facts_choice_lists():
    assert list(cr.DISABILITY) == list(DISABILITY_KINDS)
    assert list(cr.SCHOOL) == list(SCHOOL_STAGES)
    assert sorted(cr.DISABILITY.values()) == list(range(len(DISABILITY_KINDS)))


def test_changing_the_disability_declaration_changes_single_and_batch_alike(monkeypatch):
    hearing = _alone(disability_kind="hearing", disability_grade=1, labour_capacity="none")
    [tekun, dibao] = both([hearing])
    assert tekun == ("tekun_dispersed", False, None, False, None)
    assert dibao[1] and dibao[3] and dibao[2] == dibao[4] > 0
    # a city that counts hearing disability of grade 1 as no labour capacity: one edit
    monkeypatch.setitem(cr.TEKUN_DISABILITY, "hearing", 1)
    after = both([hearing])
    single_tekun, batch_tekun = after[0][1:3], after[0][3:]
    assert single_tekun[0] is True and single_tekun[1] > 0
    assert single_tekun == batch_tekun
    reasons = {r.rule: r for r in evaluate(hearing, ON, POLICY, ["tekun_dispersed"])[0].reasons}
    assert reasons["tekun.no_labour_capacity"].passed
    assert "听力残疾 1 级，无劳动能力" in reasons["tekun.no_labour_capacity"].detail
    # the member now in extreme-poverty support leaves the dibao unit: neither path pays dibao
    assert after[1][1:] == (False, None, False, None)


def test_changing_a_criterion_changes_single_and_batch_alike(monkeypatch):
    elderly = _alone(age=None, birth_date=date(1950, 1, 1))
    [(_, s_ok, s_amount, b_ok, b_amount), _dibao] = both([elderly])
    assert s_ok and b_ok and s_amount == b_amount
    # a test-only override of the declaration: the means test also requires no income at all
    strict = replace(cr.TEKUN_NO_MEANS, test=lambda x: (x.income == 0) & x.assets_ok)
    monkeypatch.setattr(cr, "TEKUN_CONDITIONS", (cr.TEKUN_NO_LABOUR_CAPACITY, strict, cr.TEKUN_NO_SUPPORTER))
    [(_, s_ok, s_amount, b_ok, b_amount), _dibao] = both([elderly])
    assert (s_ok, s_amount, b_ok, b_amount) == (False, None, False, None)
    reasons = {r.rule: r.passed for r in evaluate(elderly, ON, POLICY, ["tekun_dispersed"])[0].reasons}
    assert reasons["tekun.no_means"] is False
