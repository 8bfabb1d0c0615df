"""Employment assistance as the human-resources and social-security unit runs it (DOMAIN §7
就业): the unemployment registration of a person able to work, the job offers made to him
with his answer, the duty letter when he refuses suitable work three times in a row without
good reason, the outcome (employed) and the training and post subsidies.

The offers are the one record of refusals: the dibao rules read the count through the
registry's programme facts (``jiuzhu.registry.programme_facts``), never a second table."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.payments.models import Institution, InstitutionTransfer
from jiuzhu.registry.models import Person, Unit


class EndedReason(models.TextChoices):
    EMPLOYED = "employed", "已就业"
    WITHDRAWN = "withdrawn", "注销登记"


class Registration(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="job_registrations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="登记单位")
    registered_on = models.DateField("失业登记日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    ended_reason = models.CharField("结束原因", max_length=20, choices=EndedReason.choices, blank=True)
    employer = models.CharField("就业单位", max_length=100, blank=True)
    monthly_wage = models.DecimalField("月工资（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "失业登记"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(ended_on__isnull=True),
                name="employment_one_open_registration",
            )
        ]


class OfferKind(models.TextChoices):
    JOB = "job", "推荐岗位"
    PUBLIC_POST = "public_post", "公益性岗位"


class OfferAnswer(models.TextChoices):
    PENDING = "pending", "待答复"
    ACCEPTED = "accepted", "接受"
    REFUSED = "refused", "拒绝"


class Offer(models.Model):
    JOB, PUBLIC_POST = OfferKind.JOB, OfferKind.PUBLIC_POST
    PENDING, ACCEPTED, REFUSED = OfferAnswer.PENDING, OfferAnswer.ACCEPTED, OfferAnswer.REFUSED

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField("岗位类型", max_length=20, choices=OfferKind.choices, default=JOB)
    employer = models.CharField("用人单位", max_length=100)
    position = models.CharField("岗位", max_length=100)
    monthly_wage = models.DecimalField("月工资（元）", max_digits=10, decimal_places=2)
    offered_on = models.DateField("推荐日期")
    answer = models.CharField("答复", max_length=20, choices=OfferAnswer.choices, default=PENDING)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    refusal_reason = models.CharField("拒绝理由", max_length=200, blank=True)
    good_reason = models.BooleanField("拒绝理由正当", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "岗位推荐"
        ordering = ["offered_on", "pk"]


class DutyLetter(models.Model):
    """The employment-duty notice (就业义务告知书): frozen content, drawn as PDF like the
    decision letters (``decisions.letters.pdf``)."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="duty_letters")
    last_offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="duty_letter")
    number = models.CharField("文号", max_length=40, unique=True)
    content = models.JSONField()
    issued_on = models.DateField("发出日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "就业义务告知书"

    def get_kind_display(self) -> str:
        return "就业义务告知书"


class SubsidyKind(models.TextChoices):
    TRAINING = "training", "职业培训补贴"
    POST = "post", "公益性岗位补贴"


class Subsidy(models.Model):
    TRAINING, POST = SubsidyKind.TRAINING, SubsidyKind.POST
    SERVICE: dict[str, str] = {TRAINING: "employment_training", POST: "employment_public_post"}

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="subsidies")
    kind = models.CharField("补贴类型", max_length=20, choices=SubsidyKind.choices)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    start_month = models.DateField("起始月份")
    employer = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="用人单位",
    )
    transfer = models.ForeignKey(
        InstitutionTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entitlement = models.OneToOneField(
        "decisions.Entitlement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employment_subsidy",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "就业补贴"
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind", "start_month"], name="employment_subsidy_once_per_month"
            )
        ]
