"""Caseload imports (存量导入) and change requests for verified facts (变更申请).

An **import batch** is one uploaded file (xlsx, CSV or a zip of CSVs): validated row by row,
matched against the registry, reported, approved by a second person, applied in one
transaction. The validated rows wait on disk (parquet, ``stored_dir``) between the steps;
the database keeps the report, the possible duplicates an officer decides, and the
entitlements whose imported amount the rules do not confirm.

A **change request** is a proposed change to a verified fact of a household (members,
incomes, assets, disability and illness, bank account, address, town, split and merge):
raised by staff, the applicant at the window or a data source, applied only by a second
person of the right scope, with the effects on entitlements shown before and kept after.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.registry.models import Household, Person, Unit


class ImportBatch(models.Model):
    class State(models.TextChoices):
        VALIDATED = "validated", "已校验待审核"
        APPROVED = "approved", "已批准，正在导入"
        APPLIED = "applied", "已导入"
        FAILED = "failed", "导入失败（未写入任何数据）"
        REJECTED = "rejected", "已退回"

    original_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    stored_dir = models.CharField(max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField("数据日期")
    state = models.CharField(
        "状态", max_length=20, choices=State.choices, default=State.VALIDATED, db_index=True
    )
    rows = models.JSONField("各表行数", default=dict)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误", default=list)
    summary = models.JSONField("比对结果", default=dict)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField("审核意见", blank=True)
    job_id = models.CharField(max_length=64, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField("导入结果", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "存量导入批次"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"存量导入 #{self.pk}（{self.original_name}）"

    @property
    def open_duplicates(self) -> int:
        return self.duplicates.filter(decision=ImportDuplicate.Decision.UNDECIDED).count()


class ImportDuplicate(models.Model):
    """A person of the file who looks like a registry person with another ID number (found by
    the linkage engine): an officer decides whether they are the same person."""

    class Decision(models.TextChoices):
        UNDECIDED = "", "待确认"
        SAME = "same", "同一人（不新增）"
        NEW = "new", "不同人（新增）"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="duplicates")
    row = models.PositiveIntegerField("行号")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField("匹配概率")
    levels = models.JSONField("比对依据", default=dict)
    decision = models.CharField(
        "结论", max_length=10, choices=Decision.choices, blank=True, default=Decision.UNDECIDED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "疑似重复人员"
        ordering = ["row", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "id_number"], name="import_duplicate_once")]


class ImportedEntitlement(models.Model):
    """An entitlement the import created, with what the rules say about it on the apply
    date. A differing amount (or an ineligible household) is flagged and a review opened;
    the amount itself is never changed by the import."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="entitlements")
    entitlement = models.OneToOneField(
        "decisions.Entitlement", on_delete=models.PROTECT, related_name="imported"
    )
    rule_eligible = models.BooleanField("规则测算符合条件", null=True)
    rule_amount = models.DecimalField("规则测算金额", max_digits=12, decimal_places=2, null=True)
    flagged = models.BooleanField("金额与规则不一致", default=False, db_index=True)
    review = models.ForeignKey(
        "decisions.Review", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "导入的待遇"


class ChangeRequest(models.Model):
    class Kind(models.TextChoices):
        BIRTH = "birth", "出生（增加成员）"
        MOVE_IN = "move_in", "迁入或结婚（增加成员）"
        MOVE_OUT = "move_out", "迁出或结婚（成员迁往其他家庭）"
        DEATH = "death", "成员死亡"
        MEMBER_FACTS = "member_facts", "残疾、疾病、劳动能力等"
        INCOME = "income", "收入变化"
        ASSET = "asset", "资产变化"
        BANK_ACCOUNT = "bank_account", "银行账户变更"
        ADDRESS = "address", "住址、联系电话变更"
        MOVE_TOWN = "move_town", "迁往其他镇街"
        SPLIT = "split", "分户"
        MERGE = "merge", "合户"

    class Channel(models.TextChoices):
        CLERK = "clerk", "窗口工作人员"
        CASEWORKER = "caseworker", "镇街经办人员"
        WINDOW = "window", "申请人到窗口申报"
        DATA_SOURCE = "data_source", "数据比对"

    class State(models.TextChoices):
        PENDING = "pending", "待复核"
        APPLIED = "applied", "已生效"
        REJECTED = "rejected", "已退回"

    kind = models.CharField("变更事项", max_length=20, choices=Kind.choices)
    channel = models.CharField("提出方式", max_length=20, choices=Channel.choices)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="change_requests")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="change_requests"
    )
    town = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="镇街")
    payload = models.JSONField("变更内容", default=dict)
    before = models.JSONField("变更前", default=dict)
    summary = models.CharField("摘要", max_length=300)
    reason = models.TextField("变更原因", blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    # a data source's record (e.g. a police death record): raised once per record
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    source_detail = models.JSONField(default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField("复核意见", blank=True)
    effects = models.JSONField("对待遇的影响（生效时）", default=list, blank=True)
    result = models.JSONField("生效结果", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更申请"
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["town", "state"])]

    def __str__(self):
        return f"变更申请 #{self.pk}（{self.get_kind_display()}）"


class ChangeDocument(models.Model):
    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField("材料名称", max_length=100)
    path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "变更证明材料"
        ordering = ["id"]
