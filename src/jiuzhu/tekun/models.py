"""Support for persons in extreme poverty as civil affairs runs it (DOMAIN §7 特困; 社会救助暂行办法
第十五条、第十九条): support institutions (an institution payee of kind support_institution) with
their beds, the residents placed in them by their own choice (centralised support, whose
monthly amounts are paid to the institution, never to the person), and the funeral benefit paid
once on a supported person's death to whoever arranged the funeral."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.payments.models import Institution, InstitutionTransfer
from jiuzhu.registry.models import Person


class SupportHome(models.Model):
    institution = models.OneToOneField(
        Institution, on_delete=models.PROTECT, related_name="support_home", verbose_name="供养服务机构"
    )
    beds = models.PositiveIntegerField("床位数")

    class Meta:
        verbose_name = verbose_name_plural = "供养服务机构床位"


class LeftReason(models.TextChoices):
    """Why a resident left a support home."""

    DIED = "died", "死亡"
    HOME = "home", "转为分散供养"
    MOVED = "moved", "转到其他机构"


class Placement(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="support_placements")
    home = models.ForeignKey(SupportHome, on_delete=models.PROTECT, related_name="placements")
    entered_on = models.DateField("入住日期")
    left_on = models.DateField("离开日期", null=True, blank=True)
    left_reason = models.CharField("离开原因", max_length=20, choices=LeftReason.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "集中供养入住"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(left_on__isnull=True), name="tekun_one_open_placement"
            )
        ]


class FuneralBenefit(models.Model):
    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="funeral_benefit", verbose_name="死亡人员"
    )
    service_code = models.CharField("救助事项", max_length=60)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办理机构",
    )
    transfer = models.ForeignKey(
        InstitutionTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entitlement = models.OneToOneField(
        "decisions.Entitlement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funeral_benefit",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "特困人员丧葬补助"
