"""Education assistance as the schools run it (DOMAIN §7 教育): a pupil's enrolment at a school
(an institution payee of the education bureau) at a stage, ended when he leaves or graduates,
and one ``TermGrant`` per pupil and term, paid to the school (an institution transfer) or to
the family (a one-off entitlement paid by the month's roll)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiuzhu.payments.models import Institution, InstitutionTransfer
from jiuzhu.registry.models import Person


class LeftReason(models.TextChoices):
    GRADUATED = "graduated", "毕业"
    LEFT = "left", "退学、转出或不再在读"


class Enrolment(models.Model):
    # registry's school stages that education assistance covers
    STAGES = [
        (code, label)
        for code, label in Person.SchoolStage.choices
        if code not in (Person.SchoolStage.NONE, Person.SchoolStage.POSTGRADUATE)
    ]

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    school = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="pupils", verbose_name="学校"
    )
    stage = models.CharField("学段", max_length=20, choices=STAGES)
    entered_on = models.DateField("入学日期")
    # the year of the stage the pupil was in on ``entered_on`` (a pupil registered in his third
    # primary year is 3): the school year's advance counts from it (``services.stages_advance``)
    year_in_stage = models.PositiveSmallIntegerField("入学时学段年级", default=1)
    left_on = models.DateField("离校日期", null=True, blank=True)
    left_reason = models.CharField("离校原因", max_length=20, choices=LeftReason.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "在校学生"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(left_on__isnull=True),
                name="education_one_open_enrolment",
            )
        ]


class TermGrant(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="grants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="term_grants")
    term = models.DateField("学期（起始月）")
    stage = models.CharField("学段", max_length=20)
    service_code = models.CharField("救助事项", max_length=60)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    to_school = models.BooleanField("拨付学校")
    reason = models.CharField("计算说明", max_length=200)
    transfer = models.ForeignKey(
        InstitutionTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entitlement = models.OneToOneField(
        "decisions.Entitlement", null=True, blank=True, on_delete=models.PROTECT, related_name="term_grant"
    )
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "学期教育资助"
        constraints = [
            models.UniqueConstraint(fields=["person", "term"], name="education_grant_once_per_term")
        ]


class TermReturnState(models.TextChoices):
    VALIDATED = "validated", "已校验待确认"
    APPLIED = "applied", "已确认发放"


class TermReturn(models.Model):
    """A school's term list returned as a workbook (the bureau's export with the column 确认在读
    filled in): checked by the background worker (validate), shown as a report, and applied
    once as the school's confirmation (``services.term_confirm``) only when no row has a
    problem — never half-applied (DOMAIN §6)."""

    VALIDATED, APPLIED = TermReturnState.VALIDATED, TermReturnState.APPLIED

    school = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name="学校")
    term = models.DateField("学期（起始月）")
    filename = models.CharField("文件名", max_length=200)
    row_count = models.PositiveIntegerField("行数", default=0)
    confirmed = models.JSONField("确认在读的人员编号", default=list)
    declined = models.JSONField("学校标为不在读的人员编号", default=list)
    errors = models.JSONField("问题行", default=list)
    state = models.CharField("状态", max_length=20, choices=TermReturnState.choices, default=VALIDATED)
    result = models.JSONField("发放结果", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "学校回传的学期名单"
