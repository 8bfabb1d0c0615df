"""Opening the review the rules require (动态管理) when an imported amount is not confirmed
or a verified fact changed: the same task, proposal and screens as the periodic review of
``decisions.reviews`` (the rules re-run on the registry's facts propose continue / adjust /
gradual exit / stop; the caseworker confirms, the approver signs, the letter follows). An
entitlement with an open review gets no second one."""

from __future__ import annotations

from datetime import date

from jiuzhu.common.params import parameter
from jiuzhu.common.selectors import deadline
from jiuzhu.decisions.entitlements import add_months
from jiuzhu.decisions.models import Entitlement, Review
from jiuzhu.decisions.reviews import propose
from jiuzhu.decisions.scope import DECISION_CATEGORIES

CHANGE_REVIEW_WORKDAYS = 10  # DOMAIN §3: reassessed within 10 working days of a reported change


def due_for(reason: str, *, on: date, policy, died_on: date | None = None) -> date:
    if reason == Review.DEATH and died_on is not None:
        months = int(parameter(policy, "dibao.death_review_months", on))
        return add_months(died_on, months).replace(day=min(died_on.day, 28))
    return deadline(on, CHANGE_REVIEW_WORKDAYS).due


def reviewable(ent: Entitlement) -> bool:
    return (
        ent.category in DECISION_CATEGORIES
        and ent.amount_period == "month"
        and ent.status in (Entitlement.ACTIVE, Entitlement.GRADUAL_EXIT)
    )


def open_review(
    *, entitlement: Entitlement, reason: str, on: date, policy, died_on: date | None = None
) -> tuple[Review | None, bool]:
    """``(review, created)``: a new review task for ``entitlement``, or the one already open
    (``None`` when the service is not reviewed this way). Call inside the caller's transaction."""
    if not reviewable(entitlement):
        return None, False
    busy = entitlement.reviews.filter(state__in=(Review.PROPOSED, Review.CONFIRMED)).first()
    if busy is not None:
        return busy, False
    facts, result, proposal, amount = propose(entitlement, on, policy)
    return Review.objects.create(
        entitlement=entitlement,
        household=entitlement.household,
        town=entitlement.household.town,
        reason=reason,
        generated_on=on,
        due_on=due_for(reason, on=on, policy=policy, died_on=died_on),
        facts=facts,
        result=result,
        proposal=proposal,
        proposed_amount=amount,
    ), True
