"""KPI snapshots (precomputed per month and unit, refreshed by ``jiuzhu kpis --refresh``) and
the evaluator's manual items of a performance evaluation (绩效评价)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiuzhu.registry.models import Unit


class KpiSnapshot(models.Model):
    """The intake and coverage figures of one month for one unit (``unit`` null: the city).
    ``data`` holds additive counts and histograms so that months merge into any whole-month
    period (see ``kpis.merge``)."""

    month = models.DateField("月份")  # the 1st
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "指标快照"
        constraints = [
            models.UniqueConstraint(fields=["month", "unit"], name="performance_snapshot_month_unit")
        ]
        indexes = [models.Index(fields=["month"])]


class ManualItem(models.Model):
    """A manual indicator's points for one unit and period, entered by the evaluator with the
    evidence relied on. The latest entry for (unit, period, indicator) counts."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="被评价单位")
    start = models.DateField("评价期起")
    end = models.DateField("评价期止")
    indicator = models.CharField("指标", max_length=40)
    points = models.DecimalField("得分", max_digits=5, decimal_places=2)
    evidence = models.TextField("佐证材料说明")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "绩效评价人工评分"
        ordering = ["-entered_at", "-id"]
        indexes = [models.Index(fields=["unit", "start", "end"])]


class MonitoredHousehold(models.Model):
    """A household of the low-income population under dynamic monitoring (DOMAIN §3): the
    policy rules, run over every registry household by ``jiuzhu kpis --monitor``, find it
    eligible for dibao or extreme-poverty support, low-income marginal or in rigid-expenditure
    hardship. Coverage divides recipients by these households' living members (together with
    those who applied or receive)."""

    household = models.OneToOneField(
        "registry.Household", on_delete=models.CASCADE, related_name="+", verbose_name="家庭"
    )
    town = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    status = models.CharField("监测类别", max_length=30)  # the first service code the rules grant
    persons = models.PositiveIntegerField("在世成员数")
    as_of = models.DateField("监测日期")

    class Meta:
        verbose_name = verbose_name_plural = "低收入人口监测家庭"
        indexes = [models.Index(fields=["town"])]
