"""Demo data for payments: the policy file's budgets, a fictitious bank account for every
payee, and the rolls of the demo year's months before ``today`` generated, approved, exported
and returned by the bank (about 1 % failed, left on the caseworker's list); the current
month's rolls are generated and wait for review. Idempotent: closed rolls are skipped, so a
second run adds nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions.entitlements import add_months
from jiuzhu.decisions.models import Entitlement
from jiuzhu.registry.models import Person, Unit, User

from . import bankfiles, demo_year, selectors, services
from .models import PaymentLine, PaymentRoll
from .testing import accounts_bulk

FAIL_EVERY = 97  # one line in 97 comes back failed


def _approver():
    user = User.objects.filter(role="approver", unit__code="civil_affairs").order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            username="payments_demo",
            role="approver",
            unit=Unit.objects.get(code="civil_affairs"),
            display_name="演示审批人",
        )
    return user


def seed(*, policy, today: date) -> str:
    services.budgets_sync(policy=policy)
    year = demo_year.seed_year(policy=policy, today=today)
    if not Entitlement.objects.exists():
        return "资金发放：已载入年度预算（尚无待遇，未生成名册）"
    payees = Person.objects.filter(pk__in=Entitlement.objects.values("payee_id")).values_list("pk", "name")
    accounts_bulk(payees)
    actor = _approver()
    current = today.replace(day=1)
    month, closed, overruns = date(today.year, 1, 1), 0, 0
    while month < current:
        services.rolls_generate(month=month)
        for roll in PaymentRoll.objects.filter(month=month).exclude(state=PaymentRoll.CLOSED):
            services.roll_review(actor=actor, roll=roll)
            try:  # within budget (the towns' 先行救助 included): no confirmation asked
                services.roll_approve(actor=actor, roll=roll)
            except ValidationFailed as exc:
                if exc.code != "budget_overrun":
                    raise
                services.roll_approve(actor=actor, roll=roll, confirm_overrun=True, note="演示数据")
                overruns += 1
            bankfiles.roll_export(actor=actor, roll=roll)
            roll.refresh_from_db()
            ids = roll.lines.filter(state=PaymentLine.PENDING, amount__gt=0).values_list("pk", flat=True)
            failures = {i: "账户已销户" for i in ids if i % FAIL_EVERY == 0}
            bankfiles.roll_return_import(
                actor=actor,
                roll=roll,
                data=bankfiles.return_template(roll, failures),
                paid_on=month.replace(day=10),
            )
            closed += 1
        month = add_months(month, 1)
    services.rolls_generate(month=current)
    over = f"，其中超预算确认 {overruns} 本" if overruns else ""
    return (
        f"{year}\n" if year else ""
    ) + f"资金发放：{today.year}年已发放名册 {closed} 本（本次新增{over}），{current:%Y年%m月}名册待审核"


# DOMAIN §1: the city's year splits ¥47.355M (civil affairs) to ¥22.449M (the other departments)
CITY_SPLIT = (Decimal("47355000"), Decimal("22449000"))


def report(*, policy, today: date) -> str:
    """The year's spending by unit, every member unit of the joint conference (the 14 towns and
    18 departments) with its budget, and the two budget parts with their ratio beside the
    city's (printed by ``jiuzhu demo`` after every seed)."""
    rows = {r["key"]: r for r in selectors.balances(year=today.year, by="unit")}
    members = [s for s in policy.units if s.conference]
    width = max(len(s.name) for s in members)
    out = [f"{today.year}年资金支出（按单位，截至{today:%m月%d日}）："]
    for s in members:
        r = rows.get(s.code)
        paid = r["paid"] if r else Decimal("0.00")
        budget = r["budget"] if r else Decimal("0.00")
        plan = f"年度预算 ¥{budget:>14,.2f}" if budget else "不承担救助资金发放"
        out.append(f"  {s.name}{'　' * (width - len(s.name))}  已支出 ¥{paid:>14,.2f}  {plan}")
    split = selectors.city_split(year=today.year, lead_unit=policy.city.lead_unit)
    civil, others = split["civil_affairs"]["paid"], split["others"]["paid"]
    ratio = f"{civil / others:.2f}" if others else "—"
    city = CITY_SPLIT[0] / CITY_SPLIT[1]
    out.append(
        f"  民政部门（含镇街）已支出 ¥{civil:,.2f}，其他部门已支出 ¥{others:,.2f}，"
        f"两部分之比 {ratio}（全市预算 ¥47,355,000 : ¥22,449,000 = {city:.2f}）"
    )
    return "\n".join(out)
