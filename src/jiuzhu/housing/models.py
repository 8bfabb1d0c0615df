"""Housing assistance as the housing bureau runs it (DOMAIN §7 住房; 社会救助暂行办法 第三十八条):
three options a household holds at most one of — rent subsidy (a monthly entitlement),
public rental housing (a place on the waiting list by priority and date, then an allocated
flat) and rural dilapidated-house renovation (inspection, grade, staged payments)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.registry.models import Household, Unit


class WaitingEntry(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", "轮候中"
        ALLOCATED = "allocated", "已配租"
        WITHDRAWN = "withdrawn", "已退出轮候"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="rental_waiting")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="住房保障部门")
    priority = models.PositiveSmallIntegerField("优先级（1 为最优先）")
    applied_on = models.DateField("登记轮候日期")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.WAITING)
    allocated_on = models.DateField("配租日期", null=True, blank=True)
    flat = models.CharField("配租房源", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "公租房轮候"
        ordering = ["priority", "applied_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                # State.WAITING, State.ALLOCATED: Meta does not see the model's own names
                condition=models.Q(state__in=("waiting", "allocated")),
                name="housing_one_open_waiting_entry",
            )
        ]


class Renovation(models.Model):
    class Grade(models.TextChoices):
        C = "C", "C级危房"
        D = "D", "D级危房"

    class State(models.TextChoices):
        INSPECTED = "inspected", "已鉴定"
        STARTED = "started", "已开工验收"
        COMPLETED = "completed", "已竣工验收"

    household = models.OneToOneField(Household, on_delete=models.PROTECT, related_name="renovation")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="住房保障部门")
    grade = models.CharField("危险性鉴定等级", max_length=1, choices=Grade.choices)
    inspected_on = models.DateField("鉴定日期")
    inspector = models.CharField("鉴定人", max_length=50)
    amount = models.DecimalField("补助金额（元）", max_digits=10, decimal_places=2)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.INSPECTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "农村危房改造"


class RenovationStage(models.Model):
    class Kind(models.TextChoices):
        START = "start", "开工验收"
        COMPLETION = "completion", "竣工验收"

    renovation = models.ForeignKey(Renovation, on_delete=models.PROTECT, related_name="stages")
    kind = models.CharField("阶段", max_length=20, choices=Kind.choices)
    inspected_on = models.DateField("验收日期")
    inspector = models.CharField("验收人", max_length=50)
    amount = models.DecimalField("拨付金额（元）", max_digits=10, decimal_places=2)
    entitlement = models.OneToOneField(
        "decisions.Entitlement", on_delete=models.PROTECT, related_name="renovation_stage"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "危房改造分期拨付"
        constraints = [models.UniqueConstraint(fields=["renovation", "kind"], name="housing_stage_once")]
