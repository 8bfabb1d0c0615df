"""Disaster events and what hangs on them (DOMAIN §7 受灾): the event declared by the
emergency-management unit, the affected households registered from village lists (one
``VillageList`` upload: validated, reported, applied), and the transitional living aid kept as a
person-days ledger (``TransitionalAid`` per household, ``TransitionalDays`` per settled month,
each month paid as a one-off entitlement through the payment rolls)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.registry.models import Household, Person, ProgrammeFact, Unit


class DisasterEvent(models.Model):
    class Kind(models.TextChoices):
        FLOOD = "flood", "洪涝"
        TYPHOON = "typhoon", "台风"
        EARTHQUAKE = "earthquake", "地震"
        LANDSLIDE = "landslide", "地质灾害"
        DROUGHT = "drought", "干旱"
        SNOW = "snow", "低温雨雪冰冻"
        FIRE = "fire", "森林火灾"
        OTHER = "other", "其他"

    class Level(models.TextChoices):
        I = "I", "Ⅰ级响应"  # noqa: E741 - the level is named I in the national plan
        II = "II", "Ⅱ级响应"
        III = "III", "Ⅲ级响应"
        IV = "IV", "Ⅳ级响应"

    name = models.CharField("灾害名称", max_length=100)
    kind = models.CharField("灾害种类", max_length=20, choices=Kind.choices)
    occurred_on = models.DateField("发生日期")
    level = models.CharField("响应级别", max_length=4, choices=Level.choices)
    towns = models.ManyToManyField(Unit, related_name="disaster_events", verbose_name="受灾镇街")
    areas = models.CharField("受灾村（社区）", max_length=500, blank=True)
    fund = models.DecimalField("救灾资金（元）", max_digits=14, decimal_places=2)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="主管单位")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "灾害事件"
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(fund__gte=0), name="disaster_fund_not_negative")
        ]

    def __str__(self):
        return self.name


class VillageList(models.Model):
    """One uploaded village list: validated rows kept for the apply step, errors for the report."""

    class State(models.TextChoices):
        VALIDATED = "validated", "已校验，待导入"
        APPLIED = "applied", "已导入"

    event = models.ForeignKey(DisasterEvent, on_delete=models.PROTECT, related_name="lists")
    filename = models.CharField("文件名", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.VALIDATED)
    row_count = models.PositiveIntegerField("数据行数", default=0)
    rows = models.JSONField("校验通过的行", default=list)
    errors = models.JSONField("错误", default=list)
    result = models.JSONField("导入结果", default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "受灾家庭名单"
        ordering = ["-pk"]


class AffectedHousehold(models.Model):
    """A household registered as affected by the event (a row of a village list). Its damage
    (persons affected, persons displaced, the house) is the household's disaster fact in the
    registry (``fact``, recorded by the registration), the one record the rules, the window's
    pre-check and screening read (``decisions.frames.registry_facts``); this row keeps what is
    the event's own business: the list row, the village, the payee, the crop and casualty
    figures of the event's report, and the transitional-aid ledger hanging on it."""

    class Damage(models.TextChoices):
        NONE = "none", "住房未受损"
        GENERAL = "general", "一般损坏"
        SEVERE = "severe", "严重损坏"
        DESTROYED = "destroyed", "倒塌"

    event = models.ForeignKey(DisasterEvent, on_delete=models.PROTECT, related_name="households")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="disasters")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="登记人（户主）"
    )  # the person named on the village list: the payee of the household's aid
    source = models.ForeignKey(VillageList, on_delete=models.PROTECT, related_name="households")
    row = models.PositiveIntegerField("名单行号")
    village = models.CharField("村（社区）", max_length=100)
    fact = models.OneToOneField(
        ProgrammeFact, on_delete=models.PROTECT, related_name="disaster_registration", verbose_name="受灾情况"
    )
    crop_loss_mu = models.DecimalField("农作物受灾面积（亩）", max_digits=10, decimal_places=2, default=0)
    deaths = models.PositiveIntegerField("死亡人数", default=0)
    injuries = models.PositiveIntegerField("受伤人数", default=0)
    new_household = models.BooleanField("登记时新建家庭", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "受灾家庭"
        constraints = [
            models.UniqueConstraint(fields=["event", "household"], name="disaster_household_once_per_event")
        ]

    @property
    def persons(self) -> int:
        return self.fact.data.get("persons_affected", 0)

    @property
    def displaced(self) -> int:
        return self.fact.data.get("persons_displaced", 0)

    @property
    def house_damage(self) -> str:
        return self.fact.data.get("house_damage", self.Damage.NONE)

    def get_house_damage_display(self) -> str:
        return dict(self.Damage.choices).get(self.house_damage, "")


class TransitionalAid(models.Model):
    """Transitional living aid of one household: ``persons`` × days × ``daily_rate`` from
    ``start_on`` for at most ``max_days`` days, or until ``end_on`` (resettled)."""

    affected = models.OneToOneField(AffectedHousehold, on_delete=models.PROTECT, related_name="aid")
    persons = models.PositiveIntegerField("安置人数")
    daily_rate = models.DecimalField("救助标准（元/人·天）", max_digits=8, decimal_places=2)
    max_days = models.PositiveIntegerField("最长天数")
    start_on = models.DateField("起始日期")
    end_on = models.DateField("终止日期（含）", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "过渡期生活救助"


class TransitionalDays(models.Model):
    """The person-days of one household in one month, paid as a one-off entitlement."""

    aid = models.ForeignKey(TransitionalAid, on_delete=models.PROTECT, related_name="months")
    month = models.DateField("月份")
    first_day = models.DateField("起")
    last_day = models.DateField("止")
    days = models.PositiveIntegerField("天数")
    person_days = models.PositiveIntegerField("人·天")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    entitlement = models.OneToOneField(
        "decisions.Entitlement", on_delete=models.PROTECT, related_name="disaster_days"
    )
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    settled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "过渡期生活救助人天台账"
        constraints = [models.UniqueConstraint(fields=["aid", "month"], name="disaster_days_once_per_month")]
