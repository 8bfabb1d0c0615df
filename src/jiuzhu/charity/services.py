"""Charity writes: partners and their logins, funds and stock, donations (with receipt
numbers), goods issued outside a referral, volunteer hours, claims of open needs. Referrals
are in ``referrals``. Every service is one transaction with keyword-only arguments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from jiuzhu.common import clock, money, scope, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.roles import role_of
from jiuzhu.common.tx import racing_write
from jiuzhu.registry.models import User

from .models import (
    NEED_LABELS,
    Donation,
    DonationUse,
    Fund,
    NeedClaim,
    Offer,
    OfferKind,
    Partner,
    PartnerKind,
    PartnerUser,
    StockIssue,
    StockItem,
    VolunteerKind,
    VolunteerService,
    qty,
)


def partner_of(user) -> Partner | None:
    """The partner a ``partner`` log-in works for (None for staff)."""
    if role_of(user) != m.PARTNER:
        return None
    link = PartnerUser.objects.select_related("partner").filter(user=getattr(user, "pk", None)).first()
    return link.partner if link else None


def ensure_partner_or_desk(actor: User, partner: Partner) -> None:
    """Staff of the charity desk (scope table ``charity.desk``), or a log-in of this very partner."""
    if role_of(actor) == m.PARTNER:
        own = partner_of(actor)
        if own is not None and own.pk == partner.pk:
            return
        raise PermissionDenied("您只能办理本机构的事务", code="not_your_partner")
    ensure_desk(actor)


def ensure_desk(actor: User) -> None:
    scope.require(actor, "charity.desk")


def clean_needs(needs) -> list[str]:
    out = [n for n in dict.fromkeys(needs or []) if n]
    for n in out:
        if n not in NEED_LABELS:
            raise ValidationFailed(f"需求“{n}”无效", field="needs", code="unknown_need")
    return out


def note(raw, *, field: str, label: str) -> str:
    """Free text kept in a TextField (description, reason, result): ``values.text`` with
    line breaks kept, at most ``values.NOTE_MAX``."""
    return values.text(
        raw, field=field, max_length=values.NOTE_MAX, required=False, multiline=True, label=label
    )


# --- partners -------------------------------------------------------------------------------


@transaction.atomic
def partner_save(*, actor: User, code: str, name: str, kind: str, towns=(), **fields) -> Partner:
    """Create or update a partner (by code). Admin and approver only."""
    scope.require(actor, "charity.manage")
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise ValidationFailed("请填写合作方代码和名称", field="name", code="required")
    if kind not in PartnerKind.values:
        raise ValidationFailed("合作方类型无效", field="kind", code="invalid_kind")
    p, _ = Partner.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "towns": list(towns), **fields}
    )
    return p


@transaction.atomic
def partner_user_link(*, user, partner: Partner) -> PartnerUser:
    if role_of(user) != m.PARTNER:
        raise ValidationFailed(
            "只有“社会力量合作方”角色的账号可以关联合作方", field="user", code="not_partner_role"
        )
    link, _ = PartnerUser.objects.update_or_create(user=user, defaults={"partner": partner})
    return link


@transaction.atomic
def fund_create(*, partner: Partner, code: str, name: str, purpose: str = "", needs=()) -> Fund:
    if Fund.objects.filter(partner=partner, code=code).exists():
        raise Conflict(f"资金账户代码“{code}”已存在", field="code", code="duplicate_code")
    return Fund.objects.create(
        partner=partner, code=code, name=name, purpose=purpose, needs=clean_needs(needs)
    )


@transaction.atomic
def stock_item_create(*, partner: Partner, code: str, name: str, unit: str = "件") -> StockItem:
    if StockItem.objects.filter(partner=partner, code=code).exists():
        raise Conflict(f"物资代码“{code}”已存在", field="code", code="duplicate_code")
    return StockItem.objects.create(partner=partner, code=code, name=name, unit=unit)


@transaction.atomic
def offer_save(*, partner: Partner, code: str, name: str, kind: str, needs, **fields) -> Offer:
    if kind not in OfferKind.values:
        raise ValidationFailed("帮扶资源类型无效", field="kind", code="invalid_kind")
    needs = clean_needs(needs)
    if not needs:
        raise ValidationFailed("请至少选择一项对应需求", field="needs", code="required")
    if kind == Offer.CASH and fields.get("fund") is None:
        raise ValidationFailed("慈善资金类资源须指定资金", field="fund", code="fund_required")
    if kind == Offer.GOODS and fields.get("stock_item") is None:
        raise ValidationFailed("实物类资源须指定物资", field="stock_item", code="stock_item_required")
    for key in ("fund", "stock_item"):
        if fields.get(key) is not None and fields[key].partner_id != partner.pk:
            raise ValidationFailed("资金或物资须属于本合作方", field=key, code="not_own_resource")
    o, _ = Offer.objects.update_or_create(
        partner=partner, code=code, defaults={"name": name, "kind": kind, "needs": needs, **fields}
    )
    return o


# --- donations ------------------------------------------------------------------------------


def _receipt_no(partner: Partner, on: date) -> str:
    prefix = f"{partner.code.upper()}-{on:%Y}-"
    n = Donation.objects.filter(partner=partner, receipt_no__startswith=prefix).count() + 1
    while Donation.objects.filter(receipt_no=f"{prefix}{n:05d}").exists():
        n += 1
    return f"{prefix}{n:05d}"


@racing_write
def donation_receive(
    *,
    actor: User,
    partner: Partner,
    kind: str,
    donor_name: str = "",
    anonymous: bool = False,
    amount=None,
    fund: Fund | None = None,
    stock_item: StockItem | None = None,
    quantity=None,
    value=None,
    purpose: str = "",
    received_on: date | None = None,
) -> Donation:
    """Record money (into ``fund``) or goods (into ``stock_item``) received, with a receipt
    number. A donation restricted to a purpose must go to a fund or stock of that purpose:
    that is the caller's choice of fund; the restriction text is kept on the receipt."""
    ensure_partner_or_desk(actor, partner)
    received_on = received_on or clock.today()
    if received_on > clock.today():
        raise ValidationFailed("接收日期不能晚于今天", field="received_on", code="date_in_future")
    donor_name = values.text(donor_name, field="donor_name", max_length=100, required=False, label="捐赠人")
    purpose = values.text(purpose, field="purpose", max_length=200, required=False, label="捐赠用途")
    if not anonymous and not donor_name:
        raise ValidationFailed("请填写捐赠人，或勾选匿名捐赠", field="donor_name", code="donor_required")
    if kind == Donation.MONEY:
        if fund is None or fund.partner_id != partner.pk:
            raise ValidationFailed("请选择本机构的资金账户", field="fund", code="fund_required")
        amount = money.amount(amount)
        quantity = value = None
        stock_item = None
    elif kind == Donation.GOODS:
        if stock_item is None or stock_item.partner_id != partner.pk:
            raise ValidationFailed("请选择本机构的物资", field="stock_item", code="stock_item_required")
        quantity = money.amount(quantity, field="quantity", label="数量")
        value = money.amount(value, field="value", label="价值", allow_none=True)
        amount, fund = None, None
    else:
        raise ValidationFailed("捐赠类型无效", field="kind", code="invalid_kind")
    d = Donation.objects.create(
        partner=partner,
        kind=kind,
        receipt_no=_receipt_no(partner, received_on),
        donor_name="" if anonymous else donor_name,
        anonymous=bool(anonymous),
        fund=fund,
        amount=amount,
        stock_item=stock_item,
        quantity=quantity,
        value=value,
        purpose=purpose,
        received_on=received_on,
        recorded_by=actor,
    )
    if fund is not None:
        Fund.objects.filter(pk=fund.pk).update(balance=F("balance") + amount)
    elif stock_item is not None:
        StockItem.objects.filter(pk=stock_item.pk).update(on_hand=F("on_hand") + quantity)
    return d


def allocate(donations, size: Decimal, **target) -> list[DonationUse]:
    """Take ``size`` from the oldest donations with something left, recording each part
    (``target``: disbursement= or issue=). Called under the fund's / item's row lock."""
    left = size
    uses = []
    for d in donations.order_by("received_on", "id"):
        used = d.uses.aggregate(s=Sum("size"))["s"] or Decimal("0")
        free = d.size - used
        if free <= 0:
            continue
        take = min(free, left)
        uses.append(DonationUse.objects.create(donation=d, size=take, **target))
        left -= take
        if left == 0:
            break
    if left > 0:
        # The stored balance said there was enough, the donations say not: the ledger is off.
        raise ValidationFailed(
            "捐赠记录不足以支付该笔支出，账目不平，请先核对台账", field="amount", code="ledger_mismatch"
        )
    return uses


@racing_write
def stock_issue(
    *, actor: User, item: StockItem, quantity, note: str, referral=None, issued_on: date | None = None
) -> StockIssue:
    """Issue goods from stock (for a referral, or to a project's beneficiaries with a note of
    where they went). Locks the item; refused when the stock is short."""
    item = StockItem.objects.select_for_update().get(pk=item.pk)
    ensure_partner_or_desk(actor, item.partner)
    quantity = money.amount(quantity, field="quantity", label="数量")
    note = values.text(note, field="note", max_length=200, required=False, multiline=True, label="去向说明")
    if referral is None and not note:
        raise ValidationFailed("请说明物资去向", field="note", code="required")
    if quantity > item.on_hand:
        raise ValidationFailed(
            f"{item.name}库存不足：现有 {qty(item.on_hand)}{item.unit}，需要 {qty(quantity)}{item.unit}",
            field="quantity",
            code="stock_insufficient",
        )
    issue = StockIssue.objects.create(
        item=item,
        referral=referral,
        quantity=quantity,
        issued_on=issued_on or clock.today(),
        issued_by=actor,
        note=note,
    )
    allocate(item.donations.all(), quantity, issue=issue)
    item.on_hand -= quantity
    item.save(update_fields=["on_hand"])
    return issue


# --- volunteer services ---------------------------------------------------------------------


@transaction.atomic
def volunteer_log(
    *,
    actor: User,
    partner: Partner,
    team: str,
    volunteer: str,
    served_on: date | None,
    hours,
    kind: str,
    town: str = "",
    referral=None,
    note: str = "",
) -> VolunteerService:
    ensure_partner_or_desk(actor, partner)
    team = values.text(team, field="team", max_length=100, required=False, label="服务队")
    volunteer = values.text(volunteer, field="volunteer", max_length=50, required=False, label="志愿者姓名")
    note = values.text(note, field="note", max_length=200, required=False, multiline=True, label="说明")
    if not team or not volunteer:
        raise ValidationFailed("请填写服务队和志愿者姓名", field="volunteer", code="required")
    if kind not in VolunteerKind.values:
        raise ValidationFailed("服务类别无效", field="kind", code="invalid_kind")
    if served_on is None or served_on > clock.today():
        raise ValidationFailed("服务日期不能为空或晚于今天", field="served_on", code="invalid_date")
    hours = money.amount(hours, field="hours", label="时长")
    if hours > 24:
        raise ValidationFailed("一天的服务时长不能超过24小时", field="hours", code="hours_over_24")
    if referral is not None and referral.partner_id != partner.pk:
        raise ValidationFailed("该转介不属于本机构", field="referral", code="not_your_partner")
    return VolunteerService.objects.create(
        partner=partner,
        team=team,
        volunteer=volunteer,
        served_on=served_on,
        hours=hours,
        kind=kind,
        town=town,
        referral=referral,
        note=note,
        recorded_by=actor,
    )


# --- claims of open needs -------------------------------------------------------------------


@transaction.atomic
def need_claim(
    *, actor: User, need_key: str, offer: Offer | None = None, today: date | None = None
) -> NeedClaim:
    """A partner log-in says it can take up an open need of its area (seen anonymised). The
    household's town is told; the caseworker refers with the household's consent."""
    from jiuzhu.intake.notify import notify

    from . import matching

    scope.require(actor, "charity.claim")
    partner = partner_of(actor)
    if partner is None:
        raise scope.OutOfScope("该账号尚未关联合作方，不能认领需求", field="partner")
    need = matching.need_by_key(need_key)
    if need is None:
        raise NotFound("该需求不存在或已转介", field="need", code="need_not_found")
    if not partner.serves(need.town):
        raise PermissionDenied("该需求不在本机构服务区域内", code="outside_area")
    if offer is not None and offer.partner_id != partner.pk:
        raise PermissionDenied("只能用本机构的帮扶资源认领", code="not_your_partner")
    claim, created = NeedClaim.objects.get_or_create(
        partner=partner,
        need_key=need_key,
        defaults={"offer": offer, "claimed_on": today or clock.today(), "claimed_by": actor},
    )
    if created:
        from jiuzhu.registry.models import Unit

        notify(
            key=f"charity_claim:{claim.pk}",
            kind="charity_claim",
            unit=Unit.objects.filter(code=need.town).first(),
            message=f"{partner.name}愿意承接一项{need.need_display}需求（{need.source_display}），"
            "请征得家庭同意后转介",
        )
    return claim
