"""Medical assistance settlement (一站式结算, DOMAIN §7 医疗): a settlement file sent by the
medical-insurance agency or a hospital (``SettlementFile``: validated, reported, applied, as every
bulk upload), and one ``SettlementLine`` per hospital stay with the assistance share computed by
the rule and the transfer that pays it to the hospital that advanced it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.payments.models import Institution, InstitutionTransfer
from jiuzhu.registry.models import Household, Person, Unit


class SettlementFile(models.Model):
    """One uploaded settlement file: the good rows kept for the apply step, errors for the report."""

    class State(models.TextChoices):
        VALIDATED = "validated", "已校验，待结算"
        APPLIED = "applied", "已结算"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="经办单位")
    filename = models.CharField("文件名", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.VALIDATED)
    row_count = models.PositiveIntegerField("数据行数", default=0)
    rows = models.JSONField("校验通过的行", default=list)
    errors = models.JSONField("错误", default=list)
    result = models.JSONField("结算结果", default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "医疗救助结算文件"
        ordering = ["-pk"]


class SettlementLine(models.Model):
    """One hospital stay settled: the costs as the file gave them, the group and rule figures it
    was judged on (frozen), the assistance share and the person's own share. A stay (person,
    hospital, admission date) is settled once, whatever file brings it again."""

    class Group(models.TextChoices):
        EXTREME_POVERTY = "extreme_poverty", "特困人员"
        DIBAO = "dibao", "低保对象"
        LOW_INCOME_MARGINAL = "low_income_marginal", "低保边缘家庭成员"

    source = models.ForeignKey(SettlementFile, on_delete=models.PROTECT, related_name="lines")
    row = models.PositiveIntegerField("文件行号")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="medical_settlements")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="medical_settlements")
    hospital = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="settlements", verbose_name="医疗机构"
    )
    admitted_on = models.DateField("入院日期")
    discharged_on = models.DateField("出院日期")
    year = models.PositiveIntegerField("结算年度")  # the discharge's year: the cap's year
    total_cost = models.DecimalField("医疗总费用", max_digits=12, decimal_places=2)
    basic_paid = models.DecimalField("基本医保支付", max_digits=12, decimal_places=2)
    critical_paid = models.DecimalField("大病保险支付", max_digits=12, decimal_places=2)
    out_of_pocket = models.DecimalField("政策范围内个人自付", max_digits=12, decimal_places=2)
    group = models.CharField("救助对象类别", max_length=30, choices=Group.choices)
    rate = models.DecimalField("救助比例", max_digits=5, decimal_places=4)
    deductible = models.DecimalField("本次扣除起付", max_digits=12, decimal_places=2)
    # the share by the group's rate, and what was paid: less when the yearly cap cut it
    due = models.DecimalField("按比例应救助", max_digits=12, decimal_places=2, default=0)
    assistance = models.DecimalField("医疗救助金额（实付）", max_digits=12, decimal_places=2)
    own_share = models.DecimalField("个人负担", max_digits=12, decimal_places=2)
    reason = models.CharField("计算说明", max_length=300)
    transfer = models.ForeignKey(
        InstitutionTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # none when the cap left nothing to pay

    class Meta:
        verbose_name = verbose_name_plural = "医疗救助结算明细"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "hospital", "admitted_on"], name="medical_stay_settled_once"
            ),
        ]
        indexes = [models.Index(fields=["person", "year"], name="medical_line_person_year")]

    @property
    def cut(self):
        """What the yearly cap took off the share by rate (0 when paid in full)."""
        return self.due - self.assistance
