"""Screening (查重 · 查漏 · 查不公): runs, the alerts they raise, and department lists.

An alert's ``fingerprint`` names the case (rule + the people/records it is about) so a repeated
run raises only what is new, and a case dismissed as a false positive is never raised again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.registry.models import Household, Person, Unit


class ScreeningRun(models.Model):
    as_of = models.DateField("筛查基准日")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    found = models.JSONField("本次发现（按类型）", default=dict)
    raised = models.JSONField("新增预警（按类型）", default=dict)
    timings = models.JSONField(default=dict)
    inputs = models.JSONField("数据规模", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "筛查运行"
        ordering = ["-started_at"]


class AlertKind(models.TextChoices):
    DUPLICATE = "duplicate", "查重"
    OMISSION = "omission", "查漏"
    UNFAIRNESS = "unfairness", "查不公"


class AlertStatus(models.TextChoices):
    OPEN = "open", "待处理"
    CONFIRMED = "confirmed", "已核实"
    FALSE_POSITIVE = "false_positive", "误报"


class Severity(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class AlertAction(models.TextChoices):
    STOP = "stop", "停发"
    RECOVER = "recover", "追回"
    ADD = "add", "纳入救助"


class Alert(models.Model):
    DUPLICATE, OMISSION, UNFAIRNESS = AlertKind.DUPLICATE, AlertKind.OMISSION, AlertKind.UNFAIRNESS
    OPEN, CONFIRMED, FALSE_POSITIVE = AlertStatus.OPEN, AlertStatus.CONFIRMED, AlertStatus.FALSE_POSITIVE
    STOP, RECOVER, ADD = AlertAction.STOP, AlertAction.RECOVER, AlertAction.ADD

    kind = models.CharField("类型", max_length=20, choices=AlertKind.choices, db_index=True)
    rule = models.CharField("规则", max_length=40, db_index=True)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="alerts", verbose_name="责任单位")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    raised_on = models.DateField("预警日期", db_index=True)
    due_on = models.DateField("处理期限", db_index=True)
    status = models.CharField("状态", max_length=20, choices=AlertStatus.choices, default=OPEN, db_index=True)
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("处理措施", max_length=10, choices=AlertAction.choices, blank=True)
    resolution_note = models.TextField("处理说明", blank=True)
    summary = models.CharField("摘要", max_length=300)
    evidence = models.JSONField("证据", default=dict)
    fingerprint = models.CharField(max_length=200, unique=True)
    run = models.ForeignKey(
        ScreeningRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    last_seen_on = models.DateField("最近一次仍被发现", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "筛查预警"
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["kind", "raised_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.rule} #{self.pk}"


class ListKind(models.TextChoices):
    SEVERE_DISABILITY = "severe_disability", "重度残疾人名单"
    SERIOUS_ILLNESS = "serious_illness", "重特大疾病高额费用名单"
    UNEMPLOYED = "unemployed", "失业登记名单"
    STUDENT = "student", "在校学生名单"
    ELDERLY_ALONE = "elderly_alone", "独居老人名单"
    DISASTER_HIT = "disaster_hit", "受灾人员名单"


class ListState(models.TextChoices):
    VALIDATED = "validated", "已校验待导入"
    APPLIED = "applied", "已导入"
    REPLACED = "replaced", "已被新名单替换"


class DepartmentList(models.Model):
    """One upload of a department's list (重度残疾人、重特大疾病、失业、在校学生、独居老人、受灾人员):
    validated first (invalid rows reported), then applied in one transaction; the applied list
    replaces the department's previous list of the same kind."""

    VALIDATED, APPLIED, REPLACED = ListState.VALIDATED, ListState.APPLIED, ListState.REPLACED

    kind = models.CharField("名单类型", max_length=30, choices=ListKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="提供单位")
    filename = models.CharField("文件名", max_length=200)
    state = models.CharField("状态", max_length=20, choices=ListState.choices, default=VALIDATED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    invalid_rows = models.JSONField("无效行", default=list)
    staged = models.JSONField(default=list)  # valid rows waiting for "apply"

    class Meta:
        verbose_name = verbose_name_plural = "部门名单"
        ordering = ["-uploaded_at"]


class DepartmentListRow(models.Model):
    dept_list = models.ForeignKey(DepartmentList, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField("行号")
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号码（原样）", max_length=30, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门名单人员"
