"""Payment rolls (发放名册), their lines, bank accounts, budgets and the fund ledger (资金台账).

A **roll** is one month's payments of one service by one paying unit. It is generated from the
entitlements owed for the month (``jiuzhu.decisions.entitlements.owed_in``), reviewed, approved
by an approver (then locked), exported as the bank's payment file and closed by the bank's
return file. A **line** pays one payee for one service and one period; the database allows one
regular line per payee, service and period. What changes after a period was locked comes as
an adjustment line in a later roll: back pay (补发) or recovery (追回), each with its reason and
the entitlement it follows from. Every paid line posts one **ledger entry**.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jiuzhu.registry.models import Household, Person, Unit


class RollState(models.TextChoices):
    DRAFT = "draft", "待审核"
    REVIEWED = "reviewed", "已审核"
    APPROVED = "approved", "已审批（锁定）"
    EXPORTED = "exported", "已导出银行文件"
    CLOSED = "closed", "已对账"


class PaymentRoll(models.Model):
    DRAFT, REVIEWED, APPROVED = RollState.DRAFT, RollState.REVIEWED, RollState.APPROVED
    EXPORTED, CLOSED = RollState.EXPORTED, RollState.CLOSED
    LOCKED = (APPROVED, EXPORTED, CLOSED)

    month = models.DateField("发放月份")  # 1st of the month
    service_code = models.CharField("救助事项", max_length=60)
    category = models.CharField("类别", max_length=30)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="payment_rolls", verbose_name="发放单位"
    )
    state = models.CharField("状态", max_length=20, choices=RollState.choices, default=DRAFT, db_index=True)
    lines_count = models.PositiveIntegerField("笔数", default=0)
    total = models.DecimalField("合计（元）", max_digits=14, decimal_places=2, default=0)
    held_count = models.PositiveIntegerField("暂停笔数", default=0)
    generated_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    overrun_confirmed = models.BooleanField("确认超预算", default=False)
    overrun_note = models.CharField("超预算说明", max_length=300, blank=True)
    batch_ref = models.CharField("银行批次号", max_length=40, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    export_sha256 = models.CharField(max_length=64, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_sha256 = models.CharField(max_length=64, blank=True)
    paid_count = models.PositiveIntegerField("成功笔数", default=0)
    paid_total = models.DecimalField("成功金额", max_digits=14, decimal_places=2, default=0)
    failed_count = models.PositiveIntegerField("失败笔数", default=0)
    failed_total = models.DecimalField("失败金额", max_digits=14, decimal_places=2, default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "发放名册"
        ordering = ["-month", "unit__sort_order", "service_code"]
        constraints = [
            models.UniqueConstraint(fields=["month", "service_code", "unit"], name="roll_once_per_month")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.service_code} {self.unit_id}"

    @property
    def locked(self) -> bool:
        return self.state in self.LOCKED


class LineKind(models.TextChoices):
    REGULAR = "regular", "当月发放"
    BACK_PAY = "back_pay", "补发"
    RECOVERY = "recovery", "追回"
    RETRY = "retry", "重发"


class LineState(models.TextChoices):
    PENDING = "pending", "待发放"
    HELD = "held", "暂停发放"
    PAID = "paid", "已发放"
    FAILED = "failed", "发放失败"
    RECOVERED = "recovered", "已追回"


class HoldReason(models.TextChoices):
    """Why a line is held out of the bank file."""

    DECEASED = "deceased", "户籍登记已死亡"  # registry death date
    DEATH_RECORD = (
        "death_record",
        "死亡登记数据显示已死亡",
    )  # a death in the verification data (deaths source)
    NO_ACCOUNT = "no_account", "未登记银行账户"


class PaymentLine(models.Model):
    REGULAR, BACK_PAY, RECOVERY, RETRY = (
        LineKind.REGULAR,
        LineKind.BACK_PAY,
        LineKind.RECOVERY,
        LineKind.RETRY,
    )
    PENDING, HELD, PAID = LineState.PENDING, LineState.HELD, LineState.PAID
    FAILED, RECOVERED = LineState.FAILED, LineState.RECOVERED
    DECEASED, DEATH_RECORD, NO_ACCOUNT = HoldReason.DECEASED, HoldReason.DEATH_RECORD, HoldReason.NO_ACCOUNT

    # roll: covered by the (roll, state) index; entitlement: read from the line, never searched
    # by (every index slows the roll's set-based insert)
    roll = models.ForeignKey(PaymentRoll, on_delete=models.CASCADE, related_name="lines", db_index=False)
    entitlement = models.ForeignKey(
        "decisions.Entitlement",
        on_delete=models.PROTECT,
        related_name="payment_lines",
        verbose_name="待遇",
        db_index=False,
    )
    payee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payment_lines")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="payment_lines")
    # no index of their own: reports read the ledger, and every index slows the roll's insert
    town = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="镇街", db_index=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="发放单位", db_index=False
    )
    service_code = models.CharField("救助事项", max_length=60)
    category = models.CharField("类别", max_length=30)
    period = models.DateField("所属期")  # 1st of the month the amount is for
    kind = models.CharField("类型", max_length=20, choices=LineKind.choices, default=REGULAR)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    state = models.CharField("状态", max_length=20, choices=LineState.choices, default=PENDING)
    hold_reason = models.CharField("暂停原因", max_length=20, choices=HoldReason.choices, blank=True)
    reason = models.CharField("说明", max_length=300, blank=True)
    # retried once at most (partial unique constraint below: regular lines carry no index entry)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="retried_by", db_index=False
    )
    fail_reason = models.CharField("失败原因", max_length=200, blank=True)
    fixed_at = models.DateTimeField("已处理", null=True, blank=True)
    fixed_note = models.CharField("处理说明", max_length=200, blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    # The account actually sent to the bank, frozen at the first export: the return file is
    # compared with it, whatever the payee's account has become since.
    # (db_default: the roll's lines are inserted set-based, INSERT … SELECT, by rolls.build)
    sent_bank_name = models.CharField("发送开户行", max_length=100, blank=True, db_default="")
    sent_holder_name = models.CharField("发送户名", max_length=50, blank=True, db_default="")
    sent_account_encrypted = models.TextField("发送账号（密文）", blank=True, db_default="")
    history = HistoricalRecords(excluded_fields=["sent_account_encrypted"])

    class Meta:
        verbose_name = verbose_name_plural = "发放明细"
        indexes = [
            models.Index(fields=["roll", "state"]),
            models.Index(fields=["service_code", "unit", "period"]),
        ]
        constraints = [
            # one regular payment per payee, service and period, whatever is generated again
            models.UniqueConstraint(
                fields=["payee", "service_code", "period"],
                condition=models.Q(kind=LineKind.REGULAR),
                name="payment_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["roll", "payee", "period", "kind"],
                condition=~models.Q(kind=LineKind.REGULAR),
                name="payment_adjustment_once_per_roll",
            ),
            models.UniqueConstraint(
                fields=["retry_of"], condition=models.Q(retry_of__isnull=False), name="payment_retried_once"
            ),
        ]


class BankAccount(models.Model):
    """A payee's account. The number is kept encrypted (Fernet, settings.FIELD_ENCRYPTION_KEY);
    ``tail`` (last 4 digits) is what screens show to roles that may not see it whole."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="bank_account")
    bank_name = models.CharField("开户行", max_length=100)
    holder_name = models.CharField("户名", max_length=50)
    number_encrypted = models.TextField("账号（密文）")
    tail = models.CharField("账号后4位", max_length=4)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["number_encrypted"])

    class Meta:
        verbose_name = verbose_name_plural = "银行账户"


class AccountChangeState(models.TextChoices):
    PENDING = "pending", "待复核"
    CONFIRMED = "confirmed", "已复核生效"
    REJECTED = "rejected", "复核退回"
    SUPERSEDED = "superseded", "已被新的变更取代"


class BankAccountChange(models.Model):
    """A new or changed account for a payee, held until a second person confirms it (DOMAIN
    §8): only a confirmed change becomes the payee's ``BankAccount``, the only account a roll
    pays. One change waits per payee at most; a newer one supersedes it."""

    PENDING, CONFIRMED = AccountChangeState.PENDING, AccountChangeState.CONFIRMED
    REJECTED, SUPERSEDED = AccountChangeState.REJECTED, AccountChangeState.SUPERSEDED

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bank_account_changes")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="bank_account_changes")
    bank_name = models.CharField("开户行", max_length=100)
    holder_name = models.CharField("户名", max_length=50)
    number_encrypted = models.TextField("账号（密文）")
    tail = models.CharField("账号后4位", max_length=4)
    previous_tail = models.CharField("原账号后4位", max_length=4, blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=AccountChangeState.choices, default=PENDING, db_index=True
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("复核说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "银行账户变更"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(state=AccountChangeState.PENDING),
                name="bank_change_one_pending",
            )
        ]


class Budget(models.Model):
    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="budgets", verbose_name="单位")
    service_code = models.CharField("救助事项", max_length=60)
    category = models.CharField("类别", max_length=30)
    amount = models.DecimalField("年度预算（元）", max_digits=14, decimal_places=2)
    source = models.CharField("来源", max_length=20, default="policy")  # policy | edited
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "年度预算"
        ordering = ["year", "unit__sort_order", "service_code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit", "service_code"], name="budget_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_not_negative"),
        ]


class InstitutionKind(models.TextChoices):
    MEDICAL_FUND = "medical_insurance_fund", "医疗保险基金"
    HOSPITAL = "hospital", "定点医疗机构"
    SCHOOL = "school", "学校"
    SUPPORT = "support_institution", "供养服务机构"
    EMPLOYER = "employer", "用人单位"
    OTHER = "other", "其他机构"


class Institution(models.Model):
    """A payee that is not a person (DOMAIN §7): the medical-insurance fund, a hospital, a
    school, a support institution… It belongs to the unit that pays it (its ``unit``) and is
    paid to its own account, never to a person's (``jiuzhu.payments.institutions``)."""

    MEDICAL_FUND, HOSPITAL, SCHOOL = (
        InstitutionKind.MEDICAL_FUND,
        InstitutionKind.HOSPITAL,
        InstitutionKind.SCHOOL,
    )
    SUPPORT, EMPLOYER, OTHER = InstitutionKind.SUPPORT, InstitutionKind.EMPLOYER, InstitutionKind.OTHER

    code = models.CharField("机构代码", max_length=40, unique=True)
    name = models.CharField("机构名称", max_length=100)
    kind = models.CharField("机构类型", max_length=30, choices=InstitutionKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="institutions", verbose_name="主管单位"
    )
    town = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="所在镇街"
    )
    bank_name = models.CharField("开户行", max_length=100)
    holder_name = models.CharField("户名", max_length=100)
    number_encrypted = models.TextField("账号（密文）")
    tail = models.CharField("账号后4位", max_length=4)
    active = models.BooleanField("有效", default=True)
    history = HistoricalRecords(excluded_fields=["number_encrypted"])

    class Meta:
        verbose_name = verbose_name_plural = "收款机构"
        ordering = ["unit__sort_order", "kind", "code"]

    def __str__(self):
        return self.name


class TransferState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已审批"
    PAID = "paid", "已拨付"


class InstitutionTransfer(models.Model):
    """One payment to an institution (a yearly premium remittance, a batch of settlements, a
    term's grants…) with its lines (the persons it is for). Created from the rule's amounts by
    the paying unit, approved by a second person, then confirmed paid: only then it posts to
    the fund ledger like a roll's line. ``key`` makes a re-submitted batch a no-op."""

    PENDING, APPROVED, PAID = TransferState.PENDING, TransferState.APPROVED, TransferState.PAID
    # A transfer whose key starts with this pays the month's amounts of its lines' persons in
    # place of the roll (centralised support paid to the support institution): the roll of
    # that service and month leaves those persons out (payments.rolls).
    IN_PLACE_OF_ROLL = "monthly:"

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="transfers", verbose_name="收款机构"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="拨付单位")
    service_code = models.CharField("救助事项", max_length=60)
    category = models.CharField("类别", max_length=30)
    period = models.DateField("所属期")  # 1st of the month (a yearly transfer: January)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    lines_count = models.PositiveIntegerField("人数", default=0)
    note = models.CharField("说明", max_length=200, blank=True)
    key = models.CharField("批次标识", max_length=120, blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=TransferState.choices, default=PENDING, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "机构拨付"
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="transfer_key_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="transfer_amount_positive"),
        ]


class TransferLine(models.Model):
    """A person a transfer pays for (a fund member, a stay, a student), with the amount."""

    transfer = models.ForeignKey(InstitutionTransfer, on_delete=models.CASCADE, related_name="lines")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfer_lines")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="transfer_lines")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    reference = models.CharField("业务单号", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "机构拨付明细"
        ordering = ["id"]


class LedgerEntry(models.Model):
    """One posting of the fund ledger: a paid line (positive) or a recovered one (negative),
    or a paid institution transfer (no town of its own when the institution has none)."""

    line = models.OneToOneField(
        PaymentLine, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entry"
    )
    transfer = models.OneToOneField(
        InstitutionTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entry"
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.DateField("月份")  # the roll's month
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    service_code = models.CharField(max_length=60)
    category = models.CharField(max_length=30)
    town = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    posted_on = models.DateField("入账日期")

    class Meta:
        verbose_name = verbose_name_plural = "资金台账"
        indexes = [models.Index(fields=["year", "unit", "service_code"]), models.Index(fields=["month"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(line__isnull=False, transfer__isnull=True)
                | models.Q(line__isnull=True, transfer__isnull=False),
                name="ledger_line_or_transfer",
            )
        ]


class RollEventKind(models.TextChoices):
    GENERATED = "generated", "生成"
    REVIEWED = "reviewed", "审核"
    APPROVED = "approved", "审批锁定"
    RETURNED_TO_DRAFT = "returned_to_draft", "退回"
    EXPORTED = "exported", "导出银行文件"
    RETURNED = "returned", "导入回盘"


class RollEvent(models.Model):
    """What was done to a roll, by whom: generated, reviewed, approved, exported, returned.
    Set-based writes (generation, return import) are recorded here with their counts."""

    roll = models.ForeignKey(PaymentRoll, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=RollEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
