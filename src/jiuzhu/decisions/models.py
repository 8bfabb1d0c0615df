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


class Entitlement(models.Model):
    ACTIVE = "active"
    GRADUAL_EXIT = "gradual_exit"
    ENDED = "ended"
    STATUSES = [(ACTIVE, "享受中"), (GRADUAL_EXIT, "渐退期"), (ENDED, "已终止")]
    PERIODS = [("month", "每月"), ("year", "每学年/每年"), ("once", "一次性")]

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
    amount_period = models.CharField("金额周期", max_length=10, choices=PERIODS, default="month")
    start_month = models.DateField("起始月份")  # always the 1st of a month
    # 1st of the last month owed; before ``start_month`` when it was stopped before its first
    # month (then nothing is owed at all).
    end_month = models.DateField("终止月份（含）", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=STATUSES, default=ACTIVE, db_index=True)
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
