"""One-window intake (一门受理) and coordinated handling (协同办理): applications taken at a
town window, their documents and authorisations, referrals (分办) to the units owning the
services, the chain of transfers (转办), feedback (反馈), emergency aid first (先行救助), and
every step as an event row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.common import values
from jiuzhu.registry.models import Household, Person, Unit


class Need(models.TextChoices):
    """The needs an applicant names at the window (救助需求); charity's needs use the same list."""

    LIVING = "living", "基本生活"
    MEDICAL = "medical", "医疗"
    EDUCATION = "education", "教育"
    HOUSING = "housing", "住房"
    EMPLOYMENT = "employment", "就业"
    DISASTER = "disaster", "受灾"
    EMERGENCY = "emergency", "突发困难（急难）"


NEEDS = Need.choices
NEED_LABELS = dict(NEEDS)


class Cause(models.TextChoices):
    """The causes of temporary assistance and emergency aid first (临时救助事由), declared once:
    the window's form, the referral, 先行救助, the entitlement and screening's "same cause
    within 12 months" all store one of these codes, with the officer's own words beside it
    (``*cause_note``). Two wordings of one cause are one code."""

    FIRE = "fire", "火灾"
    ACCIDENT = "accident", "交通事故等意外"
    ILLNESS = "illness", "突发重大疾病"
    DISASTER = "disaster", "自然灾害"
    MEDICAL_COSTS = "medical_costs", "医疗费用支出过大"
    EDUCATION_COSTS = "education_costs", "教育费用支出过大"
    OTHER = "other", "其他急难情形"


EMERGENCY_CAUSES = Cause.choices
CAUSE_NOTE_MAX = 200
# Free text in a TextField (困难情况, notes): the bound the services hold it to (values.text).
DESCRIPTION_MAX = values.NOTE_MAX


class Requester(models.TextChoices):
    SELF = "self", "本人"
    MEMBER = "member", "家庭成员"
    AGENT = "agent", "受委托人"
    COMMITTEE = "committee", "村（居）委会代为申请"
    PROACTIVE = "proactive", "工作人员主动发现"


class ApplicationStatus(models.TextChoices):
    OPEN = "open", "办理中"
    CLOSED = "closed", "已办结"


class Application(models.Model):
    """A request for help registered at a town window. The window may be any town's, not only
    the household's own (DOMAIN §4: request at any town window)."""

    OPEN, CLOSED = ApplicationStatus.OPEN, ApplicationStatus.CLOSED

    tracking_code = models.CharField("查询码", max_length=10, unique=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="applications")
    window = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="applications_received", verbose_name="受理窗口"
    )
    applicant = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="applications", verbose_name="申请人"
    )
    requester_kind = models.CharField(
        "提出人", max_length=20, choices=Requester.choices, default=Requester.SELF
    )
    requester_name = models.CharField("提出人姓名", max_length=50, blank=True)
    requester_phone = models.CharField("提出人电话", max_length=20, blank=True)
    needs = models.JSONField("救助需求", default=list)
    description = models.TextField("困难情况", blank=True)
    # an urgent request (need "emergency"): its cause and the amount needed, which the
    # temporary-assistance rule turns into the amount paid first (先行救助)
    emergency_cause = models.CharField("急难原因", max_length=20, choices=EMERGENCY_CAUSES, blank=True)
    emergency_cause_note = models.CharField("急难原因说明", max_length=CAUSE_NOTE_MAX, blank=True)
    emergency_need = models.DecimalField(
        "急难所需金额（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    promise_signed = models.BooleanField("已签署承诺书", default=False)
    # The last four characters of the applicant's ID number: the second factor of the public
    # tracking page, kept here so a lookup reads one row.
    id_tail = models.CharField(max_length=4)
    received_at = models.DateTimeField("受理时间", default=timezone.now)
    received_on = models.DateField("受理日期")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=ApplicationStatus.choices, default=OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "救助申请"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["window", "received_on"]), models.Index(fields=["status"])]

    def __str__(self):
        return self.tracking_code

    @property
    def needs_display(self) -> list[str]:
        return [NEED_LABELS.get(n, n) for n in self.needs]


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", "申请书"
    ID_CARD = "id_card", "身份证件"
    HOUSEHOLD_BOOK = "household_book", "户口簿"
    INCOME = "income", "收入证明"
    MEDICAL = "medical", "病历与医疗费用票据"
    DISABILITY = "disability", "残疾证"
    SCHOOL = "school", "在学证明"
    HOUSING = "housing", "住房证明"
    AUTHORISATION = "authorisation", "核对授权书"
    PROMISE = "promise", "承诺书"
    SUPPLEMENT = "supplement", "补正材料"
    OTHER = "other", "其他"


class Document(models.Model):
    """A file attached to an application (or sent in answer to a supplement request). Stored
    once on disk under MEDIA_ROOT by its SHA-256, so identical uploads share one file."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    referral = models.ForeignKey(
        "Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(
        "材料类别", max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    title = models.CharField("名称", max_length=100, blank=True)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    path = models.CharField(max_length=200)  # relative to MEDIA_ROOT
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["uploaded_at", "id"]


class AuthorisationScope(models.TextChoices):
    VERIFICATION = "verification", "家庭经济状况信息核对"


class Authorisation(models.Model):
    """A household member's signed authorisation (授权书) for the verification of his income and
    assets (核对). It is given to the requesting ``unit`` (the window that took the application;
    the units its application is referred to act under it) for one ``service_code`` (blank: the
    services of its application) and expires (``valid_until``; by default
    ``verification.authorisation_months`` after signing). The verification centre reads these
    through ``selectors.authorised_persons``."""

    VERIFICATION = AuthorisationScope.VERIFICATION

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="authorisations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="authorisations")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="authorisations"
    )
    scope = models.CharField(
        "授权范围", max_length=20, choices=AuthorisationScope.choices, default=VERIFICATION
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="被授权单位"
    )
    service_code = models.CharField("授权核对的救助事项", max_length=60, blank=True)
    signed_on = models.DateField("签署日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_on = models.DateField("撤回日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "核对授权"
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["household", "scope"])]


class AmountPeriod(models.TextChoices):
    MONTH = "month", "每月"
    ONCE = "once", "一次性"
    YEAR = "year", "每学年/每年"


class ReferralState(models.TextChoices):
    REFERRED = "referred", "已分办待签收"
    IN_PROGRESS = "in_progress", "办理中"
    PAUSED = "paused", "待补正材料"
    TRANSFERRED = "transferred", "已转办"
    GRANTED = "granted", "已给予救助"
    REFUSED = "refused", "不予救助"
    CHARITY = "charity", "已转介慈善力量"


class Referral(models.Model):
    """One leg of a service's handling: referred to one unit, due after the service's limit in
    statutory working days. A transfer (转办) closes this leg and opens the next one at the
    receiving unit with a fresh limit; ``chain_root`` keeps the legs together."""

    REFERRED = ReferralState.REFERRED
    IN_PROGRESS = ReferralState.IN_PROGRESS
    PAUSED = ReferralState.PAUSED
    TRANSFERRED = ReferralState.TRANSFERRED
    GRANTED = ReferralState.GRANTED
    REFUSED = ReferralState.REFUSED
    CHARITY = ReferralState.CHARITY
    OPEN_STATES = (REFERRED, IN_PROGRESS, PAUSED)
    RUNNING_STATES = (REFERRED, IN_PROGRESS)  # the clock runs
    RESULT_STATES = (GRANTED, REFUSED, CHARITY)

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="referrals")
    service_code = models.CharField("救助事项", max_length=60)
    service_name = models.CharField("事项名称", max_length=100)
    category = models.CharField("类别", max_length=30, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="referrals", verbose_name="承办单位"
    )
    chain_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="chain_legs"
    )
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to"
    )
    leg = models.PositiveSmallIntegerField(default=1)
    state = models.CharField("状态", max_length=20, choices=ReferralState.choices, default=REFERRED)
    version = models.PositiveIntegerField(default=1)
    referred_at = models.DateTimeField(default=timezone.now)
    referred_on = models.DateField("分办日期")
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    due_on = models.DateField("办理期限", db_index=True)
    due_warning = models.CharField(max_length=300, blank=True)
    paused_since = models.DateField("补正开始", null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField("补正暂停工作日", default=0)
    missing_material = models.TextField("需补正材料", blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer_reason = models.TextField("转办理由", blank=True)
    amount = models.DecimalField("救助金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    amount_period = models.CharField("金额周期", max_length=10, choices=AmountPeriod.choices, blank=True)
    start_month = models.DateField("起始月份", null=True, blank=True)
    reasons = models.TextField("理由", blank=True)
    basis = models.TextField("政策依据", blank=True)
    alternatives = models.TextField("可申请的其他救助", blank=True)
    charity_name = models.CharField("慈善组织", max_length=100, blank=True)
    # temporary assistance: the cause (Cause), for "same cause once in 12 months", and the words
    # beside it
    cause = models.CharField("救助事由", max_length=20, choices=EMERGENCY_CAUSES, blank=True)
    cause_note = models.CharField("事由说明", max_length=CAUSE_NOTE_MAX, blank=True)
    # What the pre-check said when the clerk referred (frozen: later registry edits do not
    # change it).
    proposal = models.JSONField(default=dict, blank=True)
    # Set by ``jiuzhu tick``: "due_soon" | "overdue" for the due date in ``flagged_due``.
    flag = models.CharField(max_length=10, blank=True)
    flagged_due = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分办事项"
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["unit", "state", "due_on"]),
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["unit", "referred_on"]),
        ]

    def __str__(self):
        return f"{self.service_name} @ {self.unit}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class EventKind(models.TextChoices):
    RECEIVED = "received", "受理申请"
    DOCUMENT = "document", "上传材料"
    AUTHORISATION = "authorisation", "登记核对授权"
    REFERRED = "referred", "分办"
    ACCEPTED = "accepted", "签收办理"
    SUPPLEMENT_REQUESTED = "supplement_requested", "要求补正材料"
    SUPPLEMENT_RECEIVED = "supplement_received", "补正材料已送达"
    TRANSFERRED = "transferred", "转办"
    GRANTED = "granted", "反馈：给予救助"
    REFUSED = "refused", "反馈：不予救助"
    CHARITY = "charity", "反馈：转介慈善力量"
    EMERGENCY_GRANTED = "emergency_granted", "先行救助"
    EMERGENCY_COMPLETED = "emergency_completed", "先行救助补齐手续"
    GRANT_HELD = "grant_held", "给付待签批（高于规则金额或超出权限）"
    GRANT_RETURNED = "grant_returned", "给付签批退回"
    DUE_SOON = "due_soon", "临近期限"
    OVERDUE = "overdue", "已超期"
    CLOSED = "closed", "申请办结"
    DUE_CHANGED = "due_changed", "办理期限调整"
    DECISION_OPENED = "decision_opened", "低保/特困：开始审核确认"
    DECISION_INVESTIGATED = "decision_investigated", "低保/特困：入户调查完成"
    DECISION_OPINION = "decision_opinion", "低保/特困：初审意见"
    DECISION_NOTICE = "decision_notice", "低保/特困：公示"
    DECISION_OBJECTION = "decision_objection", "低保/特困：收到公示异议"
    DECISION_OBJECTION_HANDLED = "decision_objection_handled", "低保/特困：异议处理"
    DECISION_EXTENDED = "decision_extended", "低保/特困：延长办理期限"
    DECISION_RELATIVE_SIGNOFF = "decision_relative_signoff", "低保/特困：近亲属备案审批确认"
    DECISION_LETTER = "decision_letter", "低保/特困：送达决定书"


class CaseEvent(models.Model):
    """One step of an application's handling: who (actor and unit), when, what, and a note.
    Append-only."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=100, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)


class EmergencyAidState(models.TextChoices):
    OPEN = "open", "待补齐手续"
    COMPLETED = "completed", "手续已补齐"


class EmergencyAid(models.Model):
    """Emergency aid first (先行救助): paid at once by the town, the file completed within the
    limit afterwards (Temporary Opinions; DOMAIN §3 Temporary)."""

    OPEN, COMPLETED = EmergencyAidState.OPEN, EmergencyAidState.COMPLETED
    CAUSES = EMERGENCY_CAUSES

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="emergency_aids")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="emergency_aids")
    cause = models.CharField("急难原因", max_length=20, choices=CAUSES)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    note = models.TextField("情况说明", blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_on = models.DateField("发放日期")
    file_due_on = models.DateField("补齐手续期限", db_index=True)
    state = models.CharField(max_length=10, choices=EmergencyAidState.choices, default=OPEN)
    version = models.PositiveIntegerField(default=1)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completion_note = models.TextField(blank=True)
    flag = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "先行救助"
        ordering = ["file_due_on", "id"]


class Notification(models.Model):
    """An in-app notice to a unit (and, for the supervisor, to a role). ``key`` makes
    ``jiuzhu tick`` idempotent: one notice per event and recipient."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40, blank=True)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "created_at"]), models.Index(fields=["role", "created_at"])]


class TrackingAttempt(models.Model):
    """A failed look-up on the public tracking page (wrong code or ID tail), kept to throttle
    guessing per address and per code. Old rows are purged by ``jiuzhu tick``."""

    ip = models.GenericIPAddressField()
    code = models.CharField(max_length=10, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"]), models.Index(fields=["code", "at"])]
