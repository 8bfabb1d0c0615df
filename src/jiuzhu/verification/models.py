"""Household economic-status verification (核对): source datasets and their records, tasks to
data-source units, requests, matches and remembered review decisions, frozen reports, change
alerts. Sources themselves are declared in ``settings/sources.v1.yaml`` (``sources.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.registry.models import Household, Person, Unit


class FrozenError(Exception):
    """An issued report (or another kept record) was about to change."""


class UploadState(models.TextChoices):
    VALIDATED = "validated", "已校验待确认"
    APPLIED = "applied", "已导入"
    REFUSED = "refused", "已拒收"


class UploadMode(models.TextChoices):
    WHOLE = "whole", "有错误即整体拒收"
    QUARANTINE = "quarantine", "隔离错误行，导入其余"


class DatasetUpload(models.Model):
    """A file a source's officer uploaded: validated first (errors with row numbers kept
    here), then applied as a new ``DatasetVersion`` or refused as a whole — never half."""

    VALIDATED, APPLIED, REFUSED = UploadState.VALIDATED, UploadState.APPLIED, UploadState.REFUSED
    WHOLE, QUARANTINE = UploadMode.WHOLE, UploadMode.QUARANTINE

    source = models.CharField("数据来源", max_length=40, db_index=True)
    schema_version = models.PositiveIntegerField("结构版本")
    as_of = models.DateField("数据日期")
    original_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=300)
    staged_path = models.CharField(max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_bad = models.PositiveIntegerField("错误行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误（前若干条）", default=list)
    state = models.CharField(max_length=20, choices=UploadState.choices, default=VALIDATED)
    mode = models.CharField(max_length=20, choices=UploadMode.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据上传"
        ordering = ["-uploaded_at", "-id"]


class DatasetVersion(models.Model):
    """One applied extract of a source as of a date: the source's full picture then. Kept for
    good; reads use the latest version (highest ``as_of``, then ``number``) not after the
    date asked."""

    source = models.CharField("数据来源", max_length=40)
    number = models.PositiveIntegerField("版本号")
    schema_version = models.PositiveIntegerField("结构版本")
    as_of = models.DateField("数据日期")
    upload = models.OneToOneField(DatasetUpload, on_delete=models.PROTECT, related_name="version")
    rows = models.PositiveIntegerField("导入行数")
    quarantined = models.PositiveIntegerField("隔离行数", default=0)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "数据集版本"
        ordering = ["source", "-as_of", "-number"]
        constraints = [models.UniqueConstraint(fields=["source", "number"], name="dataset_version_unique")]
        indexes = [models.Index(fields=["source", "as_of"])]

    def __str__(self):
        return f"{self.source} v{self.number}（{self.as_of}）"


class QuarantinedRow(models.Model):
    upload = models.ForeignKey(DatasetUpload, on_delete=models.PROTECT, related_name="quarantined_rows")
    row_no = models.PositiveIntegerField("行号")
    raw = models.JSONField("原始内容")
    errors = models.JSONField("错误")

    class Meta:
        ordering = ["upload", "row_no"]


class RequestChannel(models.TextChoices):
    INTAKE = "intake", "受理申请"
    DEPARTMENT = "department", "部门请求"
    PERIODIC = "periodic", "定期复核"


class RequestState(models.TextChoices):
    COLLECTING = "collecting", "等待数据来源单位反馈"
    REVIEW = "review", "待核对员确认匹配"
    READY = "ready", "可出具报告"
    ISSUED = "issued", "已出具报告"
    SERVED = "served", "以有效报告提供（核对服务）"


class VerificationRequest(models.Model):
    """A request to verify a household for one service, by intake, a department or a
    periodic review. ``authorised`` keeps whose authorisation it rested on."""

    INTAKE, DEPARTMENT, PERIODIC = RequestChannel.INTAKE, RequestChannel.DEPARTMENT, RequestChannel.PERIODIC
    COLLECTING, REVIEW, READY = RequestState.COLLECTING, RequestState.REVIEW, RequestState.READY
    ISSUED, SERVED = RequestState.ISSUED, RequestState.SERVED

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="verification_requests")
    service_code = models.CharField("救助事项", max_length=60)
    channel = models.CharField("请求来源", max_length=20, choices=RequestChannel.choices)
    purpose = models.CharField("用途", max_length=200)
    case_ref = models.CharField("案件编号", max_length=60, blank=True)
    requesting_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("核对基准日")
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=RequestState.choices, default=COLLECTING)
    authorised = models.JSONField("授权成员", default=list)
    sources_used = models.JSONField("数据来源", default=list)
    served_from = models.ForeignKey(
        "VerificationReport", null=True, blank=True, on_delete=models.PROTECT, related_name="served_requests"
    )

    class Meta:
        verbose_name = verbose_name_plural = "核对请求"
        ordering = ["-created_at", "-id"]


class SourceRecord(models.Model):
    """One record of a source, from a dataset version or from a task's answer, normalised to
    the person keys and one item. ``fingerprint`` identifies the record across versions (a
    hash of the source and its person keys and reference): review decisions are kept by it."""

    dataset = models.ForeignKey(
        DatasetVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    task = models.ForeignKey(
        "SourceTask", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    source = models.CharField(max_length=40)
    row_no = models.PositiveIntegerField("行号")
    fingerprint = models.CharField(max_length=32)
    id_raw = models.CharField("证件号码（原样）", max_length=40, blank=True)
    id_key = models.CharField("证件号码（18位）", max_length=18, blank=True)
    id_valid = models.BooleanField("号码有效", default=False)
    id_birth = models.CharField(max_length=8, blank=True)
    name = models.CharField("姓名", max_length=60, blank=True)
    name_py = models.CharField(max_length=120, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=200, blank=True)
    item = models.CharField("项目", max_length=20)
    amount = models.DecimalField("金额（元，收入为月均）", max_digits=14, decimal_places=2, null=True)
    floor_area = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    vehicle_purpose = models.CharField(max_length=20, blank=True)
    active = models.BooleanField(default=True)
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)
    record_date = models.DateField(null=True)
    ref = models.CharField("来源编号", max_length=80, blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "来源记录"
        indexes = [
            models.Index(fields=["dataset", "id_key"]),
            # Candidates for probabilistic matching: only records without a valid number.
            models.Index(
                fields=["dataset", "name_py"], condition=models.Q(id_valid=False), name="rec_invalid_py"
            ),
            models.Index(
                fields=["dataset", "birth_date"], condition=models.Q(id_valid=False), name="rec_invalid_birth"
            ),
            models.Index(
                fields=["dataset", "id_birth"], condition=models.Q(id_valid=False), name="rec_invalid_idb"
            ),
            models.Index(
                fields=["dataset", "phone"], condition=models.Q(id_valid=False), name="rec_invalid_phone"
            ),
        ]


class TaskState(models.TextChoices):
    OPEN = "open", "待反馈"
    ANSWERED = "answered", "已反馈"


class SourceTask(models.Model):
    """A query to a data-source unit that has no usable dataset, due in the demo limit of
    working days (``verification.answer_days``)."""

    OPEN, ANSWERED = TaskState.OPEN, TaskState.ANSWERED

    request = models.ForeignKey(VerificationRequest, on_delete=models.PROTECT, related_name="tasks")
    source = models.CharField("数据来源", max_length=40)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="verification_tasks")
    created_on = models.DateField()
    due_on = models.DateField("反馈期限")
    due_warnings = models.JSONField(default=list)
    state = models.CharField(max_length=20, choices=TaskState.choices, default=OPEN)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    no_records = models.BooleanField("查无记录", default=False)
    note = models.CharField(max_length=200, blank=True)
    flag = models.CharField(max_length=20, blank=True)  # due_soon | overdue, once per due date

    class Meta:
        verbose_name = verbose_name_plural = "核对任务"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["unit", "state", "due_on"])]


class MatchKind(models.TextChoices):
    EXACT = "exact", "身份证号码一致"
    FUZZY = "fuzzy", "概率匹配"
    REVIEWED = "reviewed", "核对员确认"


class MatchState(models.TextChoices):
    ACCEPTED = "accepted", "采用"
    PENDING = "pending", "待确认"
    REJECTED = "rejected", "不采用"


class Match(models.Model):
    """A source record found to be a household member's, and how: the ID number (exact), the
    probabilistic model (fuzzy, with its probability and the comparison levels), or an
    officer's decision (reviewed)."""

    EXACT, FUZZY, REVIEWED = MatchKind.EXACT, MatchKind.FUZZY, MatchKind.REVIEWED
    ACCEPTED, PENDING, REJECTED = MatchState.ACCEPTED, MatchState.PENDING, MatchState.REJECTED

    request = models.ForeignKey(VerificationRequest, on_delete=models.CASCADE, related_name="matches")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MatchKind.choices)
    probability = models.FloatField(default=1.0)
    levels = models.JSONField(default=dict)
    state = models.CharField(max_length=20, choices=MatchState.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "record"], name="match_one_per_record")]


class MatchDecision(models.Model):
    """An officer's accept/reject of a probable match, remembered by the record's fingerprint
    so the next run (next month's dataset, a re-verification) does not ask again."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=32)
    accepted = models.BooleanField()
    probability = models.FloatField()
    reason = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "fingerprint"], name="decision_one_per_person_record")
        ]


class VerificationReport(models.Model):
    """The frozen report: ``snapshot`` holds every figure it showed (members, items with source,
    date and match kind, totals, the comparison with the service's thresholds). It is never
    changed once written; a report served again to another unit is a new row pointing at it."""

    request = models.OneToOneField(VerificationRequest, on_delete=models.PROTECT, related_name="report")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="verification_reports")
    service_code = models.CharField(max_length=60)
    as_of = models.DateField("核对基准日")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateField("有效期至")
    eligible = models.BooleanField("符合条件")
    snapshot = models.JSONField()
    digest = models.CharField(max_length=64)
    served_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "核对报告"
        ordering = ["-issued_at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenError("核对报告出具后不得修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError("核对报告不得删除")


class RecipientService(models.Model):
    """Marks a household as currently receiving a service on the strength of a report, until
    the decisions app supplies the list of recipients (see ``selectors.recipient_households``)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    service_code = models.CharField(max_length=60)
    report = models.ForeignKey(VerificationReport, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "service_code"], name="recipient_one_per_service")
        ]


class RecheckRun(models.Model):
    as_of = models.DateField()
    engine = models.CharField(max_length=20)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True)
    households = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    alerts_new = models.PositiveIntegerField(default=0)
    started_by = models.CharField(max_length=150, blank=True)


class ChangeKind(models.TextChoices):
    VEHICLE = "vehicle", "新增机动车辆"
    HOUSE = "house", "新增房产"
    EMPLOYMENT = "employment", "新增就业"
    BUSINESS = "business", "新增市场主体"
    INCOME = "income", "收入超过标准"
    DEATH = "death", "成员死亡"


class ChangeAlert(models.Model):
    """A change found by re-verification, raised once (``key``) on the case for review."""

    VEHICLE, HOUSE, EMPLOYMENT = ChangeKind.VEHICLE, ChangeKind.HOUSE, ChangeKind.EMPLOYMENT
    BUSINESS, INCOME, DEATH = ChangeKind.BUSINESS, ChangeKind.INCOME, ChangeKind.DEATH
    OPEN = "open"
    CLOSED = "closed"

    key = models.CharField(max_length=200, unique=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="verification_alerts")
    service_code = models.CharField(max_length=60)
    report = models.ForeignKey(VerificationReport, on_delete=models.PROTECT, related_name="alerts")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    detail = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict)
    run = models.ForeignKey(RecheckRun, on_delete=models.PROTECT, related_name="alerts")
    raised_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, default=OPEN)

    class Meta:
        verbose_name = verbose_name_plural = "核对变更预警"
        ordering = ["-raised_at", "-id"]
