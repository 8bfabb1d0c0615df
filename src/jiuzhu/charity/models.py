"""Social forces (社会力量参与, Measures ch. 社会力量参与): partners and what they offer, the
money and goods they receive and where each yuan or item went, referrals (转介) of households
to them, and volunteer hours.

Money is Decimal yuan; a fund keeps its balance and a stock item its quantity on hand, both
checked against the rows by ``selectors.fund_reconciliation`` / ``stock_reconciliation``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.intake.models import NEEDS
from jiuzhu.registry.models import Household, Person, Unit

NEED_LABELS = dict(NEEDS)


def qty(value) -> str:
    """A quantity without trailing zeros: 3.00 -> "3", 2.50 -> "2.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class PartnerKind(models.TextChoices):
    CHARITY = "charity", "慈善组织"
    ENTERPRISE = "enterprise", "爱心企业"
    SOCIAL_WORK = "social_work", "社会工作服务机构"
    VOLUNTEER_TEAM = "volunteer_team", "志愿服务队"


class Partner(models.Model):
    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=PartnerKind.choices)
    # Town unit codes it serves; empty = the whole city.
    towns = models.JSONField("服务镇街", default=list, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    description = models.TextField("简介", blank=True)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "社会力量合作方"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def serves(self, town_code: str) -> bool:
        return not self.towns or town_code in self.towns


class PartnerUser(models.Model):
    """A log-in (role ``partner``) working for one partner: sees only that partner's
    referrals and the anonymised needs in its area."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charity_link"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="users")

    class Meta:
        verbose_name = verbose_name_plural = "合作方账号"


class Fund(models.Model):
    """A cash fund of a partner. ``needs`` restricts what it may pay for (empty = any need):
    the donors' purpose restriction."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="funds")
    code = models.CharField("代码", max_length=40)
    name = models.CharField("名称", max_length=100)
    purpose = models.CharField("用途限定", max_length=200, blank=True)
    needs = models.JSONField("限定用于的需求", default=list, blank=True)
    balance = models.DecimalField("余额（元）", max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = verbose_name_plural = "慈善资金"
        constraints = [
            models.UniqueConstraint(fields=["partner", "code"], name="charity_fund_code_once"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="charity_fund_not_negative"),
        ]

    def __str__(self):
        return self.name


class StockItem(models.Model):
    """Goods in kind held by a partner (rice, quilts, school bags …)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="stock")
    code = models.CharField("代码", max_length=40)
    name = models.CharField("物资名称", max_length=100)
    unit = models.CharField("计量单位", max_length=10, default="件")
    on_hand = models.DecimalField("库存数量", max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = verbose_name_plural = "物资库存"
        constraints = [
            models.UniqueConstraint(fields=["partner", "code"], name="charity_stock_code_once"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="charity_stock_not_negative"),
        ]

    def __str__(self):
        return self.name


class OfferKind(models.TextChoices):
    CASH = "cash", "慈善资金"
    GOODS = "goods", "实物"
    WAIVER = "waiver", "费用减免"
    PROJECT = "project", "帮扶项目"
    SERVICE = "service", "志愿/专业服务"


class OfferSubkind(models.TextChoices):
    NONE = "", "—"
    HOSPITAL = "hospital", "医疗费用减免"
    SCHOOL = "school", "学杂费减免"
    UTILITIES = "utilities", "水电燃气费减免"
    CARE = "care", "照料"
    COUNSELLING = "counselling", "心理疏导"
    TUTORING = "tutoring", "课业辅导"
    REPAIRS = "repairs", "维修"


class Offer(models.Model):
    """What a partner offers. Cash is paid from ``fund`` within ``max_amount`` per household,
    at most once per need in ``period_days`` (the no-double-help period); goods come from
    ``stock_item``; waivers, projects and services are delivered and reported. ``capacity`` is
    how many households it can take at once (referrals referred or accepted; empty = no
    limit)."""

    CASH, GOODS, WAIVER = OfferKind.CASH, OfferKind.GOODS, OfferKind.WAIVER
    PROJECT, SERVICE = OfferKind.PROJECT, OfferKind.SERVICE
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="offers")
    code = models.CharField("代码", max_length=40)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=OfferKind.choices)
    subkind = models.CharField(
        "具体类别", max_length=20, choices=OfferSubkind.choices, blank=True, default=""
    )
    needs = models.JSONField("对应需求", default=list)
    towns = models.JSONField("服务镇街（空=同合作方）", default=list, blank=True)
    who = models.CharField("资助对象", max_length=200, blank=True)
    capacity = models.PositiveIntegerField("同时承接户数", null=True, blank=True)
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="offers")
    stock_item = models.ForeignKey(
        StockItem, null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    max_amount = models.DecimalField(
        "每户最高金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_quantity = models.DecimalField("每户最多数量", max_digits=12, decimal_places=2, null=True, blank=True)
    period_days = models.PositiveIntegerField("同一需求资助间隔（天）", default=365)
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=10)
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "帮扶资源"
        ordering = ["partner__code", "code"]
        constraints = [models.UniqueConstraint(fields=["partner", "code"], name="charity_offer_code_once")]

    def __str__(self):
        return f"{self.partner.name}·{self.name}"

    def area(self) -> list[str]:
        return self.towns or self.partner.towns

    def serves(self, town_code: str) -> bool:
        area = self.area()
        return not area or town_code in area

    @property
    def needs_display(self) -> str:
        return "、".join(NEED_LABELS.get(n, n) for n in self.needs)


class DonationKind(models.TextChoices):
    MONEY = "money", "资金"
    GOODS = "goods", "物资"


class Donation(models.Model):
    MONEY, GOODS = DonationKind.MONEY, DonationKind.GOODS
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="donations")
    kind = models.CharField("类型", max_length=10, choices=DonationKind.choices)
    receipt_no = models.CharField("收据编号", max_length=40, unique=True)
    donor_name = models.CharField("捐赠人", max_length=100, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="donations")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    stock_item = models.ForeignKey(
        StockItem, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2, null=True, blank=True)
    value = models.DecimalField("物资估值（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    purpose = models.CharField("捐赠用途", max_length=200, blank=True)
    received_on = models.DateField("接收日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "捐赠"
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="money", amount__gt=0, fund__isnull=False)
                    | models.Q(kind="goods", quantity__gt=0, stock_item__isnull=False)
                ),
                name="charity_donation_shape",
            )
        ]

    @property
    def donor_display(self) -> str:
        return "匿名" if self.anonymous or not self.donor_name else self.donor_name

    @property
    def size(self):
        return self.amount if self.kind == self.MONEY else self.quantity


class ReferralState(models.TextChoices):
    REFERRED = "referred", "已转介待接收"
    ACCEPTED = "accepted", "已接收办理中"
    DECLINED = "declined", "合作方不予承接"
    DELIVERED = "delivered", "已帮扶并反馈"


class ReferralSource(models.TextChoices):
    INTAKE_REFUSED = "intake_refused", "政府救助不予救助"
    INTAKE_CHARITY = "intake_charity", "承办单位转介慈善"
    PARTLY_MET = "partly_met", "需求部分满足"
    EMERGENCY = "emergency", "急难情形"
    TOP_TIER_REST = "top_tier_rest", "临时救助超出最高档部分"
    ALERT = "alert", "漏保预警"
    OTHER = "other", "其他"


class CharityReferral(models.Model):
    """A household referred (转介) to a partner's offer, with its consent and only the data
    the partner needs (``shared``, frozen at referral). The partner answers within
    ``answer_due_on`` and delivers by ``due_on`` (statutory working days)."""

    REFERRED, ACCEPTED = ReferralState.REFERRED, ReferralState.ACCEPTED
    DECLINED, DELIVERED = ReferralState.DECLINED, ReferralState.DELIVERED
    OPEN_STATES = (REFERRED, ACCEPTED)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="charity_referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="受助人")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="referrals")
    need = models.CharField("需求", max_length=20, choices=NEEDS)
    description = models.TextField("困难情况", blank=True)
    source_kind = models.CharField("来源", max_length=20, choices=ReferralSource.choices)
    source_id = models.CharField("来源编号", max_length=40, blank=True)  # soft reference
    application = models.ForeignKey(
        "intake.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intake_referral = models.ForeignKey(
        "intake.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField("申请资助金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    quantity = models.DecimalField("申请物资数量", max_digits=12, decimal_places=2, null=True, blank=True)
    cost_amount = models.DecimalField(
        "费用总额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    # A government service that already paid part of the same cost (the charity tops it up).
    government_service = models.CharField("政府已支付事项", max_length=60, blank=True)
    # The months the cash pays for (a rent, a school term): screening compares them, and the
    # cost, with the government's lines of the same need over the same months.
    cover_from = models.DateField("资助起始月份", null=True, blank=True)
    cover_to = models.DateField("资助截止月份", null=True, blank=True)
    consent_by = models.CharField("同意转介的家庭成员", max_length=50)
    consent_on = models.DateField("同意日期")
    shared = models.JSONField("向合作方提供的信息", default=dict)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="转介单位")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField("转介日期")
    answer_due_on = models.DateField("接收期限")
    due_on = models.DateField("办结期限", db_index=True)
    state = models.CharField("状态", max_length=10, choices=ReferralState.choices, default=REFERRED)
    version = models.PositiveIntegerField(default=1)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.TextField("不予承接理由", blank=True)
    delivered_on = models.DateField("帮扶日期", null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_amount = models.DecimalField(
        "实际资助/减免金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    delivered_quantity = models.DecimalField(
        "实际发放数量", max_digits=12, decimal_places=2, null=True, blank=True
    )
    result = models.TextField("帮扶结果", blank=True)
    flag = models.CharField(max_length=10, blank=True)  # "overdue" once flagged by the tick
    flagged_due = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "慈善转介"
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["partner", "state"]),
            models.Index(fields=["household", "need"]),
            models.Index(fields=["source_kind", "source_id"]),
        ]

    def __str__(self):
        return f"转介#{self.pk} {self.partner}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def current_due(self):
        return self.answer_due_on if self.state == self.REFERRED else self.due_on


class Disbursement(models.Model):
    """Cash paid from a fund for a referral."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="disbursements")
    referral = models.OneToOneField(CharityReferral, on_delete=models.PROTECT, related_name="disbursement")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("支付日期")
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "资金支出"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="charity_disbursement_pos")
        ]


class StockIssue(models.Model):
    """Goods issued from stock, for a referral or to a project's beneficiaries."""

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="issues")
    referral = models.OneToOneField(
        CharityReferral, null=True, blank=True, on_delete=models.PROTECT, related_name="stock_issue"
    )
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2)
    issued_on = models.DateField("发放日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("去向说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "物资出库"
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="charity_issue_pos")]


class DonationUse(models.Model):
    """Where a donation went: part of a disbursement (yuan) or of a stock issue (items), taken
    from the oldest donations first."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="uses")
    disbursement = models.ForeignKey(
        Disbursement, null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    issue = models.ForeignKey(
        StockIssue, null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    size = models.DecimalField("金额或数量", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "捐赠去向"
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="charity_use_pos")]


class NeedClaim(models.Model):
    """A partner's wish to take up an open need it saw (anonymised) in its area; the
    caseworker then refers the household, with its consent."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="claims")
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    need_key = models.CharField(max_length=60, db_index=True)
    claimed_on = models.DateField()
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "need_key"], name="charity_claim_once")]


class VolunteerKind(models.TextChoices):
    """The services a volunteer gives: the caring kinds of offer, and any other."""

    CARE = OfferSubkind.CARE.value, OfferSubkind.CARE.label
    COUNSELLING = OfferSubkind.COUNSELLING.value, OfferSubkind.COUNSELLING.label
    TUTORING = OfferSubkind.TUTORING.value, OfferSubkind.TUTORING.label
    REPAIRS = OfferSubkind.REPAIRS.value, OfferSubkind.REPAIRS.label
    OTHER = "other", "其他服务"


class VolunteerService(models.Model):
    """Hours one volunteer of a team gave on a day."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="volunteer_services")
    team = models.CharField("服务队", max_length=100)
    volunteer = models.CharField("志愿者", max_length=50)
    served_on = models.DateField("服务日期", db_index=True)
    hours = models.DecimalField("时长（小时）", max_digits=6, decimal_places=2)
    kind = models.CharField("服务类别", max_length=20, choices=VolunteerKind.choices)
    town = models.CharField("服务镇街", max_length=40, blank=True)
    referral = models.ForeignKey(
        CharityReferral, null=True, blank=True, on_delete=models.PROTECT, related_name="volunteer_services"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "志愿服务记录"
        ordering = ["-served_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="charity_volunteer_hours_range"
            )
        ]
