"""Grant control (发放有据), DOMAIN §7 "Grant control": who may grant how much. Pure: no Django
import; the decisions app applies it when a unit grants a referral.

- The rule's amount for the household's facts on file is the default. A different amount
  needs a written reason; an amount **above** the rule's (or any amount where the rules find
  the household not eligible) waits for a second person of the approving level (maker-checker)
  and is not paid until signed.
- Temporary assistance is tiered by the dibao standard (policy ``temporary.multiple``,
  demo: town ≤ 3 ×, county ≤ 6 ×, joint decision 一事一议 ≤ 12 ×): an officer grants alone up
  to his own tier; above it the grant waits for the county approver, above the county tier
  for a joint decision recorded with the members present; no grant lies above the top tier
  (社会救助暂行办法 第四十九条): an amount above it is refused, and a larger need is met up to
  the top tier by the joint decision with the rest referred to charity (``top_tier_split``).
- Where the rules set the amount by need (no rule amount), the officer's amount stands on his
  written reason, within his tier.
- Every other service has an officer limit (policy ``grant.officer_limit``, per service): an
  officer grants alone up to it; above it the grant waits for the county approver, whatever
  the rules computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiuzhu.common.money import CENT
from jiuzhu.common.params import parameter

# Approval levels in order; an officer's own level is the first.
OFFICER, COUNTY, JOINT = "officer", "county", "joint"
ORDER = (OFFICER, COUNTY, JOINT)
LEVEL_TEXT = {OFFICER: "经办人员", COUNTY: "县级民政部门审批", JOINT: "联席会议“一事一议”"}
# The temporary-assistance tier of each level (``temporary.multiple``'s dims).
TIER_OF = {OFFICER: "town", COUNTY: "county", JOINT: "joint"}


@dataclass(frozen=True)
class RuleAmount:
    """What the rules say for the service on the facts on file: ``eligible`` None when they
    could not pre-check it; ``amount`` None when set by need (or not eligible)."""

    eligible: bool | None
    amount: Decimal | None
    period: str | None
    reasons: tuple[str, ...] = ()

    @property
    def by_need(self) -> bool:
        return self.eligible is None or (self.eligible and self.amount is None)

    @property
    def ceiling(self) -> Decimal | None:
        """The amount above which a second signature is needed (0 when not eligible)."""
        if self.by_need:
            return None
        return self.amount if self.eligible else Decimal("0.00")


@dataclass(frozen=True)
class GrantCheck:
    """``level`` the grant needs (``officer``: the officer's own signature is enough);
    ``refused`` a stable code when no level may grant it; ``reason_required`` when the amount
    is not the rule's; ``why`` the sentences shown to the officer and the signer."""

    level: str
    reason_required: bool
    refused: str = ""
    message: str = ""
    why: list[str] = field(default_factory=list)
    limit: Decimal | None = None  # the most any level may grant, when refused above it

    @property
    def held(self) -> bool:
        return not self.refused and self.level != OFFICER


def yuan(v) -> str:
    return f"¥{Decimal(v).quantize(CENT):,}"


def officer_limit(policy, *, service_code: str, category: str, on: date) -> Decimal | None:
    """The most an officer grants alone for ``service_code`` (policy ``grant.officer_limit``,
    per service); None for temporary assistance, which is tiered instead."""
    if category == "temporary":
        return None
    return Decimal(str(parameter(policy, "grant.officer_limit", on, service=service_code))).quantize(CENT)


def temporary_caps(standard: Decimal, multiples: dict) -> dict[str, Decimal]:
    """``{level: cap}``: the most each level may grant (multiple × dibao standard)."""
    return {lv: (Decimal(multiples[TIER_OF[lv]]) * standard).quantize(CENT) for lv in ORDER}


def check_grant(
    *,
    amount: Decimal,
    rule: RuleAmount,
    actor_level: str,
    category: str,
    standard: Decimal | None = None,
    multiples: dict | None = None,
    close_relative: bool = False,
    officer_limit: Decimal | None = None,
) -> GrantCheck:
    """The level ``amount`` needs when an officer of ``actor_level`` grants it. A grant to a
    close relative of staff (or a member of staff's own household) always waits for a second
    signature (最低生活保障审核确认办法 第二十条: registered and decided separately)."""
    why: list[str] = []
    need = OFFICER
    ceiling = rule.ceiling
    differs = ceiling is None or amount != ceiling
    if ceiling is not None:
        if rule.eligible:
            why.append(f"按规则测算金额 {yuan(ceiling)}，拟给予 {yuan(amount)}")
        else:
            why.append(f"按规则测算不符合条件（规则金额 ¥0.00），拟给予 {yuan(amount)}")
        if amount > ceiling:
            need = COUNTY
            why.append("高于规则金额")
    else:
        why.append(f"规则按实际需要核定金额，拟给予 {yuan(amount)}")
    if officer_limit is not None and amount > officer_limit and actor_level == OFFICER:
        need = max(need, COUNTY, key=ORDER.index)
        why.append(f"超过经办人员单独给予上限 {yuan(officer_limit)}")
    if category == "temporary" and standard is not None and multiples:
        caps = temporary_caps(standard, multiples)
        if amount > caps[JOINT]:
            return GrantCheck(
                level=JOINT,
                reason_required=True,
                refused="above_top_tier",
                message=f"临时救助金额 {yuan(amount)} 超过最高档（{multiples['joint']} × 低保标准 "
                f"{yuan(standard)} = {yuan(caps[JOINT])}），不能给予；可按最高档提请联席会议“一事一议”，"
                "超出部分转介慈善救助",
                why=why,
                limit=caps[JOINT],
            )
        tier = next(lv for lv in ORDER if amount <= caps[lv])
        where = "镇街" if tier == OFFICER else LEVEL_TEXT[tier]
        why.append(f"临时救助 {yuan(amount)} 属{where}权限（≤ {yuan(caps[tier])}）")
        if ORDER.index(tier) > ORDER.index(actor_level) or need != OFFICER:
            need = max(need, tier, key=ORDER.index)
    if close_relative:
        need = max(need, COUNTY, key=ORDER.index)
        why.append("该家庭有工作人员近亲属备案（或为工作人员本人家庭）")
    if need != OFFICER:
        why.append(f"须经第二人（{LEVEL_TEXT[need]}）签批后方可发放")
    return GrantCheck(level=need, reason_required=differs, why=why)


@dataclass(frozen=True)
class TopTierSplit:
    """A temporary-assistance need above the top tier: ``amount`` granted (the top tier, by
    the joint decision), ``rest`` referred to charity, ``why`` the sentence for the signer."""

    amount: Decimal
    need: Decimal
    rest: Decimal
    why: str


def top_tier_split(*, need: Decimal, standard: Decimal, multiples: dict) -> TopTierSplit | None:
    """DOMAIN §7: no temporary grant above the top tier; a larger need is met up to it and the
    rest referred to charity. None when ``need`` is within the top tier."""
    top = temporary_caps(standard, multiples)[JOINT]
    if need <= top:
        return None
    rest = (need - top).quantize(CENT)
    return TopTierSplit(
        amount=top,
        need=need,
        rest=rest,
        why=f"核定所需 {yuan(need)}，超过最高档 {yuan(top)}（{multiples['joint']} × 低保标准 {yuan(standard)}）："
        f"按最高档给予，其余 {yuan(rest)} 转介慈善救助",
    )


# --- fraud (骗取, 社会救助暂行办法 第六十八条) ---------------------------------------------------


@dataclass(frozen=True)
class FraudFine:
    """The fine for ``obtained`` at ``multiple`` (None: no fine), or ``refused`` a stable code
    when the multiple lies outside the policy's bounds (demo 1–3 ×)."""

    fine: Decimal
    refused: str = ""
    message: str = ""


def fraud_fine(*, obtained: Decimal, multiple: Decimal | None, low, high) -> FraudFine:
    if multiple is None:
        return FraudFine(Decimal("0.00"))
    low, high = Decimal(str(low)), Decimal(str(high))
    if not (low <= multiple <= high):
        return FraudFine(
            Decimal("0.00"),
            refused="fine_out_of_range",
            message=f"罚款倍数须在骗取金额的 {low:g} 倍至 {high:g} 倍之间（{yuan(obtained * low)} 至 "
            f"{yuan(obtained * high)}），{multiple:g} 倍不能作出",
        )
    return FraudFine((obtained * multiple).quantize(CENT))
