"""Periodic review (动态管理, DOMAIN §3): entitlements whose ``next_review_on`` has come (yearly,
or every 6 months for households with able members or irregular income), and households
where a member died (review within 3 months), are re-evaluated with fresh registry data. The
rules propose continue / adjust amount / gradual exit (6 months) / stop; the town's caseworker
confirms (or changes it with a reason), the approver signs, and each outcome has a letter. A
stop never happens silently: it is made only together with its letter, which must hold the
reasons with figures, the rule, the alternatives and the appeal rights."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from jiuzhu.common import clock, money, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.common.tx import lock, racing_write
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person

from . import letters, snapshot
from .cases import _authority, ensure_approver, ensure_caseworker
from .entitlements import add_months, entitlement_change, entitlement_stop
from .models import Entitlement, EntitlementPeriod, Letter, Notice, Objection, Review, ReviewOutcome
from .scope import DECISION_CATEGORIES


@dataclass
class GenerateResult:
    on: date
    cycle: int = 0
    death: int = 0
    proposals: dict = field(default_factory=dict)

    def __str__(self):
        parts = "，".join(f"{ReviewOutcome(k).label} {v}" for k, v in sorted(self.proposals.items()))
        return f"{self.on}：生成复核任务 {self.cycle + self.death} 件（定期 {self.cycle}，死亡 {self.death}）{('；' + parts) if parts else ''}"


def _open_review():
    q = Review.objects.filter(entitlement=OuterRef("pk"), state__in=(Review.PROPOSED, Review.CONFIRMED))
    return Exists(q)


def due_entitlements(on: date):
    """``(entitlement, reason, due_on)`` to review on ``on``: cycle reviews due, and deaths not
    reviewed since (a death is due within 3 months of the date of death)."""
    policy = current_policy()
    months = int(parameter(policy, "dibao.death_review_months", on))
    base = (
        Entitlement.objects.filter(
            category__in=DECISION_CATEGORIES,
            amount_period=EntitlementPeriod.MONTH,
            status__in=(Entitlement.ACTIVE, Entitlement.GRADUAL_EXIT),
        )
        .annotate(busy=_open_review())
        .filter(busy=False)
        .select_related("household", "household__town")
    )
    dead = Person.objects.filter(entitlements=OuterRef("pk"), deceased_on__isnull=False, deceased_on__lte=on)
    reviewed_since = Review.objects.filter(
        entitlement=OuterRef("pk"), reason=Review.DEATH
    )  # one death review per entitlement row
    seen = set()
    for ent in base.annotate(has_dead=Exists(dead), death_done=Exists(reviewed_since)).filter(
        has_dead=True, death_done=False
    ):
        died = (
            ent.members.filter(deceased_on__isnull=False, deceased_on__lte=on).order_by("deceased_on").first()
        )
        assert died is not None and died.deceased_on is not None  # has_dead: a member died by ``on``
        seen.add(ent.pk)
        yield (
            ent,
            Review.DEATH,
            add_months(died.deceased_on, months).replace(day=min(died.deceased_on.day, 28)),
        )
    for due in base.filter(status=Entitlement.ACTIVE, next_review_on__lte=on).exclude(pk__in=seen):
        yield due, Review.CYCLE, due.next_review_on


def propose(ent: Entitlement, on: date, policy) -> tuple[dict, dict, str, Decimal | None]:
    receiving = ent.amount if ent.category == "minimum_living" else None
    facts, result = snapshot.take(ent.household, ent.service_code, on, policy, receiving=receiving)
    if not result["eligible"]:
        return facts, result, Review.STOP, None
    amount = Decimal(result["amount"])
    if result.get("gradual_exit") and ent.status == Entitlement.ACTIVE:
        return facts, result, Review.GRADUAL_EXIT, ent.amount
    if amount == ent.amount:
        return facts, result, Review.CONTINUE, amount
    return facts, result, Review.ADJUST, amount


def reviews_generate(*, on: date, progress: bool = False) -> GenerateResult:
    """Create the review tasks due on ``on`` (idempotent: an entitlement with an open review
    gets no second one). Each task is written in its own transaction."""
    from tqdm import tqdm

    policy = current_policy()
    out = GenerateResult(on=on)
    todo = list(due_entitlements(on))
    for ent, reason, due in tqdm(todo, desc="复核", unit="户", file=sys.stderr, disable=not progress):
        facts, result, proposal, amount = propose(ent, on, policy)
        with transaction.atomic():
            Review.objects.create(
                entitlement=ent,
                household=ent.household,
                town=ent.household.town,
                reason=reason,
                generated_on=on,
                due_on=due,
                facts=facts,
                result=result,
                proposal=proposal,
                proposed_amount=amount,
            )
        setattr(out, reason, getattr(out, reason) + 1)
        out.proposals[proposal] = out.proposals.get(proposal, 0) + 1
    return out


def _lock(review: Review | int) -> Review:
    return lock(
        Review.objects.select_related("entitlement", "household"),
        review,
        missing="复核任务不存在",
        field="review",
    )


@transaction.atomic
def review_confirm(
    *,
    actor,
    review: Review | int,
    outcome: str | None = None,
    amount=None,
    note: str = "",
    today: date | None = None,
) -> Review:
    """The caseworker confirms the proposal, or changes it with a reason."""
    today = today or clock.today()
    r = _lock(review)
    ensure_caseworker(actor, r.town_id)
    if r.state != Review.PROPOSED:
        raise IllegalTransition("该复核已确认", field="review", code="wrong_state", state=r.state)
    outcome = outcome or r.proposal
    if outcome not in ReviewOutcome.values:
        raise ValidationFailed("复核结论无效", field="outcome", code="invalid")
    note = values.text(
        note, field="note", max_length=values.NOTE_MAX, required=False, multiline=True, label="理由"
    )
    if outcome != r.proposal and not note:
        raise ValidationFailed("改变规则测算的建议须写明理由", field="note", code="reason_required")
    if outcome == Review.ADJUST:
        if amount in (None, "") and r.proposed_amount is None:
            raise ValidationFailed("请填写调整后的金额", field="amount", code="invalid_amount")
        # the one check of a typed amount: > 0, at most MONEY_MAX, at most two places
        amount = money.amount(
            amount if amount not in (None, "") else r.proposed_amount, field="amount", label="调整后的金额"
        )
    elif outcome == Review.STOP:
        amount = None
    else:
        amount = (
            r.entitlement.amount
            if outcome == Review.GRADUAL_EXIT
            else (r.proposed_amount or r.entitlement.amount)
        )
    r.outcome, r.amount, r.note = outcome, amount, note
    r.state, r.confirmed_by, r.confirmed_on = Review.CONFIRMED, actor, today
    r.save()
    if needs_termination_notice(r):
        _termination_notice(r, today)
    return r


def needs_termination_notice(r: Review) -> bool:
    """Ending extreme-poverty support goes through a 7-day notice too (特困人员认定办法)."""
    return r.outcome == Review.STOP and r.entitlement.category == "extreme_poverty"


def _termination_notice(r: Review, today: date) -> Notice:
    from .notices import notice_end

    ent = r.entitlement
    return Notice.objects.create(
        kind=Notice.TERMINATION,
        review=r,
        town=r.town,
        community=r.household.community,
        shown_name=m.mask_name(ent.payee.name),
        household_size=ent.members.count(),
        service_name=r.result.get("name") or ent.service_code,
        amount=ent.amount,
        starts_on=today,
        ends_on=notice_end(today, current_policy()),
    )


def _check_termination_notice(r: Review, today: date) -> None:
    notice = r.notices.filter(state=Notice.RUNNING).order_by("-id").first()
    if notice is None:
        raise IllegalTransition("终止特困供养须先公示", field="review", code="termination_notice_required")
    if notice.ends_on >= today:
        raise IllegalTransition(
            f"终止供养公示期未满（至 {notice.ends_on.isoformat()}）", field="review", code="notice_running"
        )
    if notice.objections.filter(state=Objection.OPEN).exists():
        raise IllegalTransition("公示异议尚未处理完毕", field="review", code="objection_open")


def _letter_content(r: Review, policy, today: date, actor, *, from_month: date, **more) -> dict:
    ent = r.entitlement
    titles: dict[str, str] = {
        Review.CONTINUE: "复核决定书（继续保障）",
        Review.ADJUST: "复核决定书（调整保障金额）",
        Review.GRADUAL_EXIT: "复核决定书（渐退）",
        Review.STOP: "停止保障决定书",
    }
    openings: dict[str, str] = {
        Review.CONTINUE: f"经复核，你（户）仍符合条件，继续享受{r.result.get('name', ent.service_code)}，每月 {ent.amount} 元。",
        Review.ADJUST: f"经复核，你（户）的保障金额自 {from_month:%Y-%m} 起由每月 {ent.amount} 元调整为 {r.amount} 元。",
        Review.GRADUAL_EXIT: f"经复核，你（户）因就业收入增加已不再符合条件，按渐退规定自 {from_month:%Y-%m} 起继续发放"
        f" {more.get('exit_months')} 个月（每月 {ent.amount} 元）后停止。",
        Review.STOP: f"经复核，你（户）已不符合条件，决定自 {from_month:%Y-%m} 起停止发放"
        f"{r.result.get('name', ent.service_code)}。",
    }
    content = {
        "title": titles[r.outcome],
        "addressee": ent.payee.name,
        "opening": openings[r.outcome],
        "basis": r.result.get("basis", ""),
        "authority": _authority(actor),
        **more,
    }
    if r.outcome == Review.STOP:
        listed = snapshot.failed_reasons(r.result)
        if r.note:
            listed.append({"rule": "review", "basis": "复核", "passed": False, "detail": r.note})
        content["reasons"] = listed
        content["alternatives"] = letters.alternatives(r.result, policy)
        content["appeal"] = letters.appeal_rights(policy, today, authority=content["authority"])
    else:
        content["reasons"] = [x for x in r.result.get("reasons", []) if x["passed"]]
    if r.outcome == Review.ADJUST:
        content["amount"] = f"{r.amount:.2f}"
        content["start_month"] = from_month.isoformat()[:7]
    return content


@racing_write
def review_sign(*, actor, review: Review | int, today: date | None = None) -> Review:
    """The approver signs the confirmed outcome: the letter is issued and the entitlement
    changed (from the month after signing) in the same transaction."""
    today = today or clock.today()
    r = _lock(review)
    ensure_approver(actor)
    if r.state != Review.CONFIRMED:
        raise IllegalTransition("复核结论须先经镇街确认", field="review", code="wrong_state", state=r.state)
    if needs_termination_notice(r):
        _check_termination_notice(r, today)
    policy = current_policy()
    ent = r.entitlement
    from_month = add_months(today, 1)
    months = int(r.result.get("review_months") or 12)
    reason = f"复核（{r.get_reason_display()}）：{r.get_outcome_display()}" + (
        f"。{r.note}" if r.note else ""
    )
    more: dict[str, Any] = {}
    if r.outcome == Review.GRADUAL_EXIT:
        more["exit_months"] = int(parameter(policy, "dibao.gradual_exit_months", today))
    if r.outcome != Review.STOP:
        more["next_review_on"] = add_months(from_month, months).isoformat()
    content = _letter_content(r, policy, today, actor, from_month=from_month, **more)
    letter = letters.issue(
        kind=f"review_{r.outcome}", household=r.household, review=r, actor=actor, today=today, content=content
    )
    origin = f"复核 #{r.pk}（{letter.number}）"
    new = ent
    if r.outcome == Review.CONTINUE:
        ent.next_review_on = date.fromisoformat(more["next_review_on"])
        ent.save(update_fields=["next_review_on"])
    elif r.outcome == Review.ADJUST:
        rule = r.proposed_amount if r.proposed_amount is not None else r.amount
        new = entitlement_change(
            entitlement=ent,
            amount=r.amount,
            from_month=from_month,
            actor=actor,
            reason=reason,
            origin=origin,
            rule_amount=rule,
            signed_by=actor if r.amount != rule else None,
            signed_on=today,
            next_review_on=date.fromisoformat(more["next_review_on"]),
        )
        members = list(Person.objects.filter(pk__in=r.result.get("members") or []))
        if members:
            new.members.set(members)
    elif r.outcome == Review.GRADUAL_EXIT:
        new = entitlement_change(
            entitlement=ent,
            amount=ent.amount,
            from_month=from_month,
            actor=actor,
            reason=reason,
            origin=origin,
            status=Entitlement.GRADUAL_EXIT,
            rule_amount=ent.amount,
            end_month=add_months(from_month, more["exit_months"] - 1),
        )
    else:
        new = entitlement_stop(
            entitlement=ent, from_month=from_month, actor=actor, reason=f"{reason}（{letter.number}）"
        )
    r.state, r.signed_by, r.signed_on, r.result_entitlement = Review.SIGNED, actor, today, new
    r.save()
    return r


def letters_of(review: Review) -> list[Letter]:
    return list(review.letters.order_by("id"))


def open_reviews(*, town=None):
    qs = Review.objects.filter(~Q(state=Review.SIGNED))
    return qs.filter(town=town) if town is not None else qs
