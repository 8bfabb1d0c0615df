"""Decisions (审核确认) and the entitlements they create.

An **entitlement** is what payments pay: one service for one payee, an amount per period
(month / year / once), from a start month to an optional end month. Its amount never changes
in place: a change from month M ends the old entitlement at M-1 and starts a new one at M
(``previous`` links them), so every past month keeps the amount that was decided for it and
payments can compute back pay or recovery by comparing what was owed with what was paid.
Every change is kept as history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jiuzhu.registry.models import Household, Person, Unit


class EntitlementPeriod(models.TextChoices):
    MONTH = "month", "每月"
    YEAR = "year", "每学年/每年"
    ONCE = "once", "一次性"


class EntitlementStatus(models.TextChoices):
    ACTIVE = "active", "享受中"
    GRADUAL_EXIT = "gradual_exit", "渐退期"
    ENDED = "ended", "已终止"


class Entitlement(models.Model):
    ACTIVE = EntitlementStatus.ACTIVE
    GRADUAL_EXIT = EntitlementStatus.GRADUAL_EXIT
    ENDED = EntitlementStatus.ENDED

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="entitlements")
    payee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="entitlements_paid", verbose_name="领取人"
    )
    members = models.ManyToManyField(Person, related_name="entitlements", verbose_name="保障对象")
    service_code = models.CharField("救助事项", max_length=60, db_index=True)
    category = models.CharField("类别", max_length=30, db_index=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="entitlements", verbose_name="发放单位"
    )
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    amount_period = models.CharField(
        "金额周期", max_length=10, choices=EntitlementPeriod.choices, default=EntitlementPeriod.MONTH
    )
    start_month = models.DateField("起始月份")  # always the 1st of a month
    # 1st of the last month owed; before ``start_month`` when it was stopped before its first
    # month (then nothing is owed at all).
    end_month = models.DateField("终止月份（含）", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=EntitlementStatus.choices, default=ACTIVE, db_index=True
    )
    next_review_on = models.DateField("下次复核日期", null=True, blank=True, db_index=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next", verbose_name="变更前"
    )
    # Where it came from: a decision of this app, or an intake referral granted by a unit
    # (one-off and department services). ``origin`` is a readable reference for letters.
    referral = models.ForeignKey(
        "intake.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="entitlements"
    )
    origin = models.CharField("依据", max_length=100, blank=True)
    reason = models.TextField("理由", blank=True)
    ended_reason = models.TextField("终止理由", blank=True)
    # Grant control (DOMAIN §7): the rule's amount for the facts on file when granted (None:
    # set by need), and the second person who signed an amount other than the rule's.
    rule_amount = models.DecimalField(
        "规则测算金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="签批人",
    )
    signed_on = models.DateField("签批日期", null=True, blank=True)
    # temporary aid: the cause's code (intake.models.Cause; same-cause rule) and the words beside it
    cause = models.CharField("救助事由", max_length=20, blank=True)
    cause_note = models.CharField("事由说明", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "救助待遇"
        indexes = [
            models.Index(fields=["service_code", "start_month"]),
            models.Index(fields=["household", "service_code"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="entitlement_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.service_code} {self.payee_id} {self.amount}/{self.amount_period}"


class ExtensionGround(models.TextChoices):
    OBJECTION = "objection", "公示有异议"
    RESIDENCE_DIFFERS = "residence_differs", "户籍地与居住地不一致"
    OUT_OF_AREA = "out_of_area", "异地申请"
    HARD_INVESTIGATION = "hard_investigation", "调查核实难度大"


class CaseState(models.TextChoices):
    INVESTIGATING = "investigating", "调查核实中"
    NOTICE = "notice", "公示中"
    DECISION = "decision", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class Case(models.Model):
    """One decision (审核确认) on a dibao or extreme-poverty referral: opened by the town's
    caseworker, investigated, given an initial opinion with the rules' result frozen on it,
    put on public notice, decided by an approver. ``due_on`` is the statutory limit (30
    working days from acceptance, 45 with a recorded ground)."""

    INVESTIGATING = CaseState.INVESTIGATING
    NOTICE = CaseState.NOTICE
    DECISION = CaseState.DECISION
    APPROVED = CaseState.APPROVED
    REFUSED = CaseState.REFUSED
    OPEN_STATES = (INVESTIGATING, NOTICE, DECISION)

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="decision_cases")
    referral = models.OneToOneField(
        "intake.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="decision_case"
    )
    service_code = models.CharField("救助事项", max_length=60, db_index=True)
    service_name = models.CharField("事项名称", max_length=100)
    category = models.CharField("类别", max_length=30)
    town = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="decision_cases", verbose_name="镇街"
    )
    state = models.CharField(
        "状态", max_length=20, choices=CaseState.choices, default=INVESTIGATING, db_index=True
    )
    version = models.PositiveIntegerField(default=1)
    received_on = models.DateField("受理日期")
    opened_on = models.DateField("启动调查日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    due_on = models.DateField("办理期限", db_index=True)
    due_warning = models.CharField(max_length=300, blank=True)
    extension_ground = models.CharField(
        "延长理由", max_length=30, choices=ExtensionGround.choices, blank=True
    )
    extension_note = models.TextField("延长说明", blank=True)
    # initial opinion (初审意见) with what it saw, frozen (DOMAIN §6)
    opinion = models.CharField("初审意见", max_length=10, blank=True)  # approve | refuse
    opinion_note = models.TextField("初审说明", blank=True)
    opinion_on = models.DateField(null=True, blank=True)
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facts = models.JSONField("家庭情况快照", default=dict, blank=True)
    result = models.JSONField("政策规则结果快照", default=dict, blank=True)
    verification_report_id = models.IntegerField("核对报告编号", null=True, blank=True)
    # close relatives of staff (近亲属备案)
    close_relative = models.BooleanField("工作人员近亲属", default=False)
    relatives = models.JSONField(default=list, blank=True)
    relative_signoff_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    relative_signoff_on = models.DateField(null=True, blank=True)
    relative_signoff_note = models.TextField(blank=True)
    # decision
    decided_on = models.DateField("决定日期", null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    amount = models.DecimalField("核定金额（元/月）", max_digits=12, decimal_places=2, null=True, blank=True)
    start_month = models.DateField(null=True, blank=True)
    entitlement = models.OneToOneField(
        Entitlement, null=True, blank=True, on_delete=models.PROTECT, related_name="decision_case"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "审核确认案件"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["town", "state"]), models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return f"{self.service_name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class InvestigationKind(models.TextChoices):
    HOME_VISIT = "home_visit", "入户调查"
    NEIGHBOURHOOD = "neighbourhood", "邻里访问"
    APPRAISAL = "appraisal", "民主评议"
    COUNTY_VISIT = "county_visit", "县级民政部门入户核查"
    REINVESTIGATION = "reinvestigation", "异议复查"


class Investigation(models.Model):
    """One investigation step, by at least two staff (最低生活保障审核确认办法 第十五条)."""

    HOME_VISIT = InvestigationKind.HOME_VISIT
    NEIGHBOURHOOD = InvestigationKind.NEIGHBOURHOOD
    APPRAISAL = InvestigationKind.APPRAISAL
    COUNTY_VISIT = InvestigationKind.COUNTY_VISIT
    REINVESTIGATION = InvestigationKind.REINVESTIGATION
    REQUIRED = (HOME_VISIT, NEIGHBOURHOOD, APPRAISAL)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigations")
    kind = models.CharField("调查方式", max_length=20, choices=InvestigationKind.choices)
    done_on = models.DateField("调查日期")
    staff_names = models.JSONField("调查人员", default=list)
    findings = models.TextField("调查情况")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "调查记录"
        ordering = ["done_on", "id"]


class NoticeKind(models.TextChoices):
    GRANT = "grant", "拟批准"
    TERMINATION = "termination", "拟终止供养"


class NoticeState(models.TextChoices):
    RUNNING = "running", "公示"
    WITHDRAWN = "withdrawn", "因异议撤回"


class Notice(models.Model):
    """A public notice (公示) in the household's community. Only what may be shown is stored
    here (masked name, community, household size, service, amount): the public page reads this
    table and nothing else, so it cannot leak an ID number, phone or health detail. Ended
    notices stay public as the published recipient list."""

    RUNNING = NoticeState.RUNNING
    WITHDRAWN = NoticeState.WITHDRAWN
    GRANT, TERMINATION = NoticeKind.GRANT, NoticeKind.TERMINATION

    kind = models.CharField("公示类型", max_length=12, choices=NoticeKind.choices, default=GRANT)
    # a grant notice belongs to a case; a termination notice (特困人员认定办法: termination
    # also goes through a 7-day notice) to the review that proposes it
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    review = models.ForeignKey(
        "Review", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    town = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    community = models.CharField("村（社区）", max_length=100, db_index=True)
    shown_name = models.CharField("公示姓名", max_length=50)
    household_size = models.PositiveSmallIntegerField("保障人数")
    service_name = models.CharField("救助事项", max_length=100)
    amount = models.DecimalField("金额（元/月）", max_digits=12, decimal_places=2)
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束（含）", db_index=True)
    state = models.CharField(max_length=10, choices=NoticeState.choices, default=RUNNING)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "公示"
        ordering = ["-starts_on", "-id"]


class ObjectionState(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class Objection(models.Model):
    """An objection to a notice, lodged by anyone (no login), handled by the town before the
    approval may proceed."""

    OPEN, UPHELD, DISMISSED = ObjectionState.OPEN, ObjectionState.UPHELD, ObjectionState.DISMISSED

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField("异议内容")
    contact_name = models.CharField("反映人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    lodged_at = models.DateTimeField(default=timezone.now)
    lodged_on = models.DateField()
    state = models.CharField(max_length=10, choices=ObjectionState.choices, default=OPEN, db_index=True)
    handling_note = models.TextField("复查情况", blank=True)
    handled_on = models.DateField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["lodged_at", "id"]
        indexes = [models.Index(fields=["ip", "lodged_at"])]


class ReviewState(models.TextChoices):
    PROPOSED = "proposed", "待镇街确认"
    CONFIRMED = "confirmed", "待审批"
    SIGNED = "signed", "已审批"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "继续保障"
    ADJUST = "adjust", "调整金额"
    GRADUAL_EXIT = "gradual_exit", "渐退"
    STOP = "stop", "停止保障"


class ReviewReason(models.TextChoices):
    CYCLE = "cycle", "定期复核"
    DEATH = "death", "家庭成员死亡"
    CHANGE = "change", "家庭情况变化"
    IMPORT = "import", "存量待遇核查"


class Review(models.Model):
    """A periodic review (动态管理) of an entitlement: the rules re-run on fresh registry data
    propose an outcome, the caseworker confirms, the approver signs; each outcome has a letter."""

    CYCLE, DEATH = ReviewReason.CYCLE, ReviewReason.DEATH
    # CHANGE: an applied change request (jiuzhu.caseload); IMPORT: an imported entitlement
    # whose amount the rules do not confirm
    CHANGE, IMPORT = ReviewReason.CHANGE, ReviewReason.IMPORT
    CONTINUE, ADJUST, GRADUAL_EXIT, STOP = (
        ReviewOutcome.CONTINUE,
        ReviewOutcome.ADJUST,
        ReviewOutcome.GRADUAL_EXIT,
        ReviewOutcome.STOP,
    )
    PROPOSED, CONFIRMED, SIGNED = ReviewState.PROPOSED, ReviewState.CONFIRMED, ReviewState.SIGNED

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="reviews")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("复核原因", max_length=10, choices=ReviewReason.choices)
    generated_on = models.DateField("生成日期")
    due_on = models.DateField("复核期限", db_index=True)
    facts = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    proposal = models.CharField("建议", max_length=20, choices=ReviewOutcome.choices)
    proposed_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    outcome = models.CharField("结论", max_length=20, choices=ReviewOutcome.choices, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=PROPOSED, db_index=True)
    note = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_on = models.DateField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(null=True, blank=True)
    result_entitlement = models.ForeignKey(
        Entitlement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "复核"
        ordering = ["due_on", "id"]


class LetterKind(models.TextChoices):
    APPROVAL = "approval", "批准决定书"
    REFUSAL = "refusal", "不予批准决定书"
    REVIEW_CONTINUE = "review_continue", "复核决定书（继续保障）"
    REVIEW_ADJUST = "review_adjust", "复核决定书（调整金额）"
    REVIEW_GRADUAL_EXIT = "review_gradual_exit", "复核决定书（渐退）"
    REVIEW_STOP = "review_stop", "停止保障决定书"
    FRAUD = "fraud", "骗取救助处理决定书"


class Letter(models.Model):
    """A decision letter (决定书/告知书): its content is frozen when issued; the PDF is drawn
    from it, so a later registry edit never changes what the household was told."""

    APPROVAL, REFUSAL = LetterKind.APPROVAL, LetterKind.REFUSAL

    number = models.CharField("文号", max_length=40, unique=True)
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="decision_letters")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    content = models.JSONField()
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "决定书"
        ordering = ["-issued_on", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("决定书出具后不得修改")
        super().save(*args, **kwargs)


class GrantLevel(models.TextChoices):
    COUNTY = "county", "县级民政部门审批"
    JOINT = "joint", "联席会议“一事一议”"


class GrantRequestState(models.TextChoices):
    PENDING = "pending", "待签批"
    SIGNED = "signed", "已签批"
    REJECTED = "rejected", "已退回"


class GrantRequest(models.Model):
    """A grant held for a second signature (发放签批, DOMAIN §7 "Grant control"): an amount
    above the rule's, or above the officer's tier, made by the unit's officer and signed (or
    sent back) by a second person of the approving level. Nothing is owed, so nothing is paid,
    until it is signed: only the signature grants the referral and creates the entitlement.
    A joint decision (一事一议) is recorded with the members present."""

    PENDING, SIGNED, REJECTED = (
        GrantRequestState.PENDING,
        GrantRequestState.SIGNED,
        GrantRequestState.REJECTED,
    )
    COUNTY, JOINT = GrantLevel.COUNTY, GrantLevel.JOINT

    referral = models.ForeignKey("intake.Referral", on_delete=models.PROTECT, related_name="grant_requests")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="grant_requests")
    service_code = models.CharField("救助事项", max_length=60)
    service_name = models.CharField("事项名称", max_length=100)
    category = models.CharField("类别", max_length=30)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位")
    amount = models.DecimalField("拟给予金额（元）", max_digits=12, decimal_places=2)
    amount_period = models.CharField("金额周期", max_length=10, choices=EntitlementPeriod.choices)
    start_month = models.DateField("起始月份")
    rule_amount = models.DecimalField(
        "规则测算金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    rule_eligible = models.BooleanField("规则测算符合条件", null=True)
    # temporary assistance whose need lies above the top tier: the grant is the top tier and
    # the rest (need_amount - amount) is referred to charity (DOMAIN §7)
    need_amount = models.DecimalField(
        "核定所需金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    level = models.CharField("签批层级", max_length=10, choices=GrantLevel.choices)
    reason = models.TextField("理由")
    why = models.JSONField("须签批的原因", default=list)
    close_relative = models.BooleanField("工作人员近亲属", default=False)
    relatives = models.JSONField("近亲属备案", default=list, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=GrantRequestState.choices, default=PENDING, db_index=True
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_on = models.DateField("提请日期")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField("签批日期", null=True, blank=True)
    sign_note = models.TextField("签批意见", blank=True)
    # joint decision (一事一议): when the conference met and who was there
    joint_met_on = models.DateField("会议日期", null=True, blank=True)
    joint_members = models.JSONField("出席成员", default=list, blank=True)
    joint_minutes = models.TextField("会议纪要", blank=True)
    entitlement = models.OneToOneField(
        Entitlement, null=True, blank=True, on_delete=models.PROTECT, related_name="grant_request"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "待签批给付"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(state="pending"),
                name="one_pending_grant_per_referral",
            )
        ]

    def __str__(self):
        return f"{self.service_name} {self.amount}"

    @property
    def rest_to_charity(self):
        """The part of the need above the top tier, referred to charity (None: none)."""
        return None if self.need_amount is None else self.need_amount - self.amount


class FraudDecision(models.Model):
    """A decision that assistance was obtained by fraud (骗取, 社会救助暂行办法 第六十八条):
    the entitlement stops from ``from_month`` (payments recovers what was paid since, as
    recovery lines in the next roll), ``obtained`` is what was paid on it since then, and an
    optional fine of 1–3 × that amount (policy ``liability.fine_multiple``)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="fraud_decisions")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="fraud_decisions")
    from_month = models.DateField("骗取起始月份")
    facts = models.TextField("查明的事实")
    obtained = models.DecimalField("骗取金额（元）", max_digits=12, decimal_places=2)
    fine_multiple = models.DecimalField("罚款倍数", max_digits=4, decimal_places=2, null=True, blank=True)
    fine = models.DecimalField("罚款金额（元）", max_digits=12, decimal_places=2, default=0)
    letter = models.OneToOneField(Letter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("决定日期")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "骗取救助处理决定"
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(obtained__gte=0), name="fraud_obtained_non_negative"),
            models.CheckConstraint(condition=models.Q(fine__gte=0), name="fraud_fine_non_negative"),
        ]

    def __str__(self):
        return f"骗取救助 {self.household_id} {self.obtained}"
