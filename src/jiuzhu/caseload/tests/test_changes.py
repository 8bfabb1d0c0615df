"""Change requests for verified facts: the effects shown before applying, a second person
of the household's town applying them, the review the rules require, and a police death
record becoming a request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from jiuzhu.caseload import changes
from jiuzhu.caseload.models import ChangeRequest
from jiuzhu.common import clock
from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.decisions.models import Review
from jiuzhu.registry.models import IncomeItem, Person

TODAY = clock.today()


def test_an_income_change_shows_the_new_amount_before_and_opens_the_review_after(recipient, staff):
    hh, head, pension, ent = recipient
    clerk, caseworker = staff("window_clerk"), staff("town_caseworker")
    c = changes.change_raise(
        actor=clerk,
        household=hh,
        person=head,
        kind=ChangeRequest.Kind.INCOME,
        channel="window",
        payload={
            "kind": "wages",
            "monthly_amount": "800",
            "period_start": str(TODAY - timedelta(days=60)),
            "period_end": str(TODAY),
            "replaces": [pension.pk],
        },
        reason="申请人到窗口申报：已再就业",
    )
    assert c.state == ChangeRequest.State.PENDING and c.channel == ChangeRequest.Channel.WINDOW

    effects = changes.change_effects(actor=caseworker, change=c)

    (e,) = effects
    assert e["entitlement"] == ent.pk and e["amount"] == f"{ent.amount:.2f}" and e["changes"]
    new_amount = Decimal(e["rule_amount"])
    assert new_amount < ent.amount
    assert e["review"]["reason"] == Review.CHANGE
    # shown, not applied: the registry and the entitlement are as they were
    assert list(IncomeItem.objects.filter(person=head).values_list("kind", flat=True)) == ["pension_basic"]
    assert not Review.objects.exists()

    changes.change_approve(actor=caseworker, change=c)

    assert list(IncomeItem.objects.filter(person=head).values_list("kind", "monthly_amount")) == [
        ("wages", Decimal("800.00"))
    ]
    review = Review.objects.get(entitlement=ent)
    assert review.reason == Review.CHANGE and review.proposal == Review.ADJUST
    assert review.proposed_amount == new_amount
    c.refresh_from_db()
    assert c.state == ChangeRequest.State.APPLIED and c.effects[0]["review"]["id"] == review.pk
    ent.refresh_from_db()
    assert ent.amount != new_amount  # the amount changes only when the review is signed


def test_a_caseworker_cannot_approve_his_own_request(recipient, staff, units):
    hh, head, _, _ = recipient
    caseworker = staff("town_caseworker")
    c = changes.change_raise(
        actor=caseworker,
        household=hh,
        person=head,
        kind=ChangeRequest.Kind.MEMBER_FACTS,
        payload={"fields": {"disability_kind": "physical", "disability_grade": 2}},
    )
    with pytest.raises(IllegalTransition) as exc:
        changes.change_approve(actor=caseworker, change=c)
    assert exc.value.code == "same_person"
    with pytest.raises(PermissionDenied) as exc:
        changes.change_approve(actor=staff("town_caseworker", "town_chengxi"), change=c)
    assert exc.value.code == "out_of_scope"
    with pytest.raises(PermissionDenied):
        changes.change_approve(actor=staff("window_clerk"), change=c)
    head.refresh_from_db()
    assert head.disability_kind == ""

    changes.change_approve(actor=staff("town_caseworker"), change=c)
    head.refresh_from_db()
    assert (head.disability_kind, head.disability_grade) == ("physical", 2)


def test_a_bad_value_is_refused_when_raised(recipient, staff):
    hh, head, _, _ = recipient
    with pytest.raises(ValidationFailed) as exc:
        changes.change_raise(
            actor=staff("window_clerk"),
            household=hh,
            person=head,
            kind=ChangeRequest.Kind.DEATH,
            payload={"died_on": str(TODAY + timedelta(days=3))},
        )
    assert exc.value.field == "died_on" and exc.value.code == "date_in_future"
    assert not ChangeRequest.objects.exists()


def test_a_police_death_record_becomes_a_change_request(recipient, staff):
    from jiuzhu.verification.testing import load_dataset

    hh, head, _, ent = recipient
    died = TODAY - timedelta(days=20)
    load_dataset(
        staff("data_provider", "police"),
        "deaths",
        [{"id_number": head.id_number, "name": head.name, "death_date": died.isoformat()}],
        as_of=TODAY,
    )

    (c,) = changes.deaths_from_police(on=TODAY)
    assert changes.deaths_from_police(on=TODAY) == []  # raised once per record

    assert (c.kind, c.channel, c.person, c.payload["died_on"]) == (
        ChangeRequest.Kind.DEATH,
        ChangeRequest.Channel.DATA_SOURCE,
        head,
        died.isoformat(),
    )
    head.refresh_from_db()
    assert head.deceased_on is None  # not before a person applies it
    changes.change_approve(actor=staff("town_caseworker"), change=c)
    head.refresh_from_db()
    assert head.deceased_on == died
    review = Review.objects.get(entitlement=ent)
    assert review.reason == Review.DEATH
    assert died + timedelta(days=85) <= review.due_on <= died + timedelta(days=92)  # within 3 months


def test_split_and_move_to_another_town(recipient, staff, units, make_household):
    from jiuzhu.decisions.models import Case

    hh, head, _, ent = recipient
    wife = hh.members.get(relation="spouse")
    clerk, caseworker = staff("window_clerk"), staff("town_caseworker")
    split = changes.change_raise(
        actor=clerk,
        household=hh,
        kind=ChangeRequest.Kind.SPLIT,
        payload={"members": {str(wife.pk): "head"}, "address": "示范市城东街道幸福路9号"},
    )
    split = changes.change_approve(actor=caseworker, change=split)
    wife.refresh_from_db()
    assert wife.household.code == split.result["new_household"] and wife.relation == "head"
    assert list(hh.members.values_list("name", flat=True)) == ["郑大爷"]

    review = Review.objects.get(entitlement=ent)  # one fewer member: the amount changes
    assert review.town.code == "town_chengdong"
    move = changes.change_raise(
        actor=clerk,
        household=hh,
        kind=ChangeRequest.Kind.MOVE_TOWN,
        payload={"town": "town_chengxi", "community": "和平社区", "address": "示范市城西街道和平路3号"},
    )
    move = changes.change_approve(actor=caseworker, change=move)
    hh.refresh_from_db()
    review.refresh_from_db()
    assert hh.town.code == "town_chengxi" and review.town.code == "town_chengxi"
    assert move.result["reviews"] == [] and review.pk in move.result["reviews_handed_over"]
    assert hh.history.filter(town__code="town_chengdong").exists()  # the chain is kept
    assert (
        not Case.objects.filter(household=hh)
        .exclude(town__code="town_chengxi")
        .filter(state__in=Case.OPEN_STATES)
        .exists()
    )
    assert Person.objects.get(pk=head.pk).household_id == hh.pk


def test_the_deaths_command_raises_each_police_record_once(recipient, staff):
    from io import StringIO

    from django.core.management import call_command

    from jiuzhu.verification.testing import load_dataset

    hh, head, _, ent = recipient
    load_dataset(
        staff("data_provider", "police"),
        "deaths",
        [
            {
                "id_number": head.id_number,
                "name": head.name,
                "death_date": (TODAY - timedelta(days=5)).isoformat(),
            }
        ],
        as_of=TODAY,
    )
    out = StringIO()
    call_command("deaths", "--date", TODAY.isoformat(), stdout=out)
    call_command("deaths", "--date", TODAY.isoformat(), stdout=out)
    assert out.getvalue().splitlines() == ["新提出死亡变更申请 1 件", "新提出死亡变更申请 0 件"]
    c = ChangeRequest.objects.get()
    assert (c.kind, c.person, c.state) == (ChangeRequest.Kind.DEATH, head, ChangeRequest.State.PENDING)
