"""Joint conference (联席会议): its officers, meetings with agenda, attendance, minutes and
attachments, and directives (督办事项) assigned to member units and tracked until the convener
accepts their closure. Complaints (投诉) about a case, a unit or a staff member, their
investigation and findings, misconduct recorded against a unit and accountability records
(问责) against staff. The member units themselves and their duties are registry ``Unit`` rows
(``is_conference_member``, ``duties``) synced from the policy file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jiuzhu.common import clock
from jiuzhu.registry.models import Unit


class OfficerPosition(models.TextChoices):
    CONVENER = "convener", "召集人"
    DEPUTY = "deputy", "副召集人"


class ConferenceOfficer(models.Model):
    """The convener (召集人) and the conveners' deputies (副召集人), assignable by the admin.
    An officer acts as convener on the platform whatever his staff role."""

    CONVENER, DEPUTY = OfficerPosition.CONVENER, OfficerPosition.DEPUTY

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.CharField("职务", max_length=20, choices=OfficerPosition.choices)
    title = models.CharField("职务全称", max_length=100, blank=True)
    since = models.DateField("任职日期")
    until = models.DateField("卸任日期", null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "联席会议召集人"
        ordering = ["position", "since", "id"]


class MeetingKind(models.TextChoices):
    QUARTERLY = "quarterly", "季度例会"
    EXTRAORDINARY = "extraordinary", "专题（临时）会议"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "计划召开"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Meeting(models.Model):
    QUARTERLY, EXTRAORDINARY = MeetingKind.QUARTERLY, MeetingKind.EXTRAORDINARY
    PLANNED, HELD, CANCELLED = MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.CANCELLED

    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices, default=QUARTERLY)
    title = models.CharField("会议名称", max_length=200)
    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", null=True, blank=True)
    planned_on = models.DateField("计划日期")
    held_on = models.DateField("召开日期", null=True, blank=True)
    location = models.CharField("地点", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=MeetingStatus.choices, default=PLANNED)
    reason = models.TextField("召开事由", blank=True)  # extraordinary meetings
    minutes = models.TextField("会议纪要", blank=True)
    chaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "联席会议"
        ordering = ["planned_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=models.Q(kind=MeetingKind.QUARTERLY),
                name="supervision_one_quarterly_meeting",
            )
        ]

    def __str__(self):
        return self.title


class AgendaKind(models.TextChoices):
    DIRECTIVES = "directives", "督办事项落实情况"
    FIGURES = "figures", "本期主要指标"
    TOPIC = "topic", "议题"


class AgendaItem(models.Model):
    """One item of a meeting's agenda. ``auto`` items (the open directives, the period's key
    figures) are made by the platform and refreshed until the meeting is held, then frozen:
    the minutes keep what the meeting saw."""

    DIRECTIVES, FIGURES, TOPIC = AgendaKind.DIRECTIVES, AgendaKind.FIGURES, AgendaKind.TOPIC

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    kind = models.CharField(max_length=20, choices=AgendaKind.choices, default=TOPIC)
    auto = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("议题", max_length=200)
    detail = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "会议议程"
        ordering = ["position", "id"]


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    ABSENT = "absent", "缺席"
    DELEGATE = "delegate", "委托出席"


class Attendance(models.Model):
    PRESENT, ABSENT, DELEGATE = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.DELEGATE

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("出席情况", max_length=20, choices=AttendanceStatus.choices)
    attendee = models.CharField("出席人", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议出席情况"
        ordering = ["unit__kind", "unit__sort_order", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="supervision_attendance_once")
        ]


class MeetingAttachment(models.Model):
    """A file of a meeting (minutes signed, slides, reports), checked and stored like intake
    documents (content type by magic bytes, size limit, content-addressed)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attachments")
    title = models.CharField("名称", max_length=100, blank=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "会议附件"
        ordering = ["uploaded_at", "id"]


class DirectiveStatus(models.TextChoices):
    OPEN = "open", "督办中"
    CLOSED = "closed", "已办结"


class Directive(models.Model):
    """A matter decided at a meeting or by the convener (督办事项), assigned to one or more
    units. Each unit's part is an ``Assignment``; the directive is closed when every part is."""

    OPEN, CLOSED = DirectiveStatus.OPEN, DirectiveStatus.CLOSED

    number = models.CharField("督办编号", max_length=20, unique=True)
    title = models.CharField("督办事项", max_length=200)
    detail = models.TextField("具体要求", blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="directives"
    )
    decided_on = models.DateField("交办日期")
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    due_on = models.DateField("办理期限")
    due_warning = models.CharField(max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=DirectiveStatus.choices, default=OPEN)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "督办事项"
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.number} {self.title}"


class AssignmentState(models.TextChoices):
    OPEN = "open", "办理中"
    CLOSURE_REQUESTED = "closure_requested", "已申请办结"
    CLOSED = "closed", "已办结"


class Assignment(models.Model):
    """One unit's part of a directive. The unit reports progress and asks for closure; the
    convener accepts (closed) or sends it back (open again, same due date). While closure is
    requested the clock stops: the unit has done its part until the convener answers."""

    OPEN, CLOSURE_REQUESTED = AssignmentState.OPEN, AssignmentState.CLOSURE_REQUESTED
    CLOSED = AssignmentState.CLOSED

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="directive_assignments")
    lead = models.BooleanField("牵头单位", default=False)
    state = models.CharField("状态", max_length=20, choices=AssignmentState.choices, default=OPEN)
    due_on = models.DateField("办理期限", db_index=True)
    version = models.PositiveIntegerField(default=1)
    # Escalation by ``jiuzhu supervise --tick``: level 1 when overdue, +1 every N working days.
    escalation_level = models.PositiveSmallIntegerField("督办升级次数", default=0)
    escalated_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "督办任务（单位）"
        ordering = ["directive__due_on", "directive_id", "-lead", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "unit"], name="supervision_assignment_once")
        ]

    @property
    def is_overdue(self) -> bool:
        return self.state == self.OPEN and self.due_on < clock.today()


class AssignmentEventKind(models.TextChoices):
    ASSIGNED = "assigned", "交办"
    PROGRESS = "progress", "报告进展"
    CLOSURE_REQUESTED = "closure_requested", "申请办结"
    ACCEPTED = "accepted", "召集人验收办结"
    SENT_BACK = "sent_back", "召集人退回"
    OVERDUE = "overdue", "已超期"
    ESCALATED = "escalated", "督办升级"


class AssignmentEvent(models.Model):
    """One step of an assignment: progress reported, closure asked, accepted, sent back,
    escalated. Append-only."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=AssignmentEventKind.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField()
    at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办任务办理记录"
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("assignment events are append-only")
        super().save(*args, **kwargs)


class ComplaintKind(models.TextChoices):
    REFUSED_ACCEPTANCE = "refused_acceptance", "拒绝受理"
    OVERDUE = "overdue", "超期未办"
    UNFAIR = "unfair", "不公正对待（优亲厚友等）"
    DATA_LEAK = "data_leak", "泄露个人信息"
    OTHER = "other", "其他"


class ComplaintSubject(models.TextChoices):
    CASE = "case", "救助申请（查询码）"
    UNIT = "unit", "单位"
    STAFF = "staff", "工作人员"


class ComplaintState(models.TextChoices):
    OPEN = "open", "待办理"
    INVESTIGATING = "investigating", "调查中"
    CLOSED = "closed", "已办结"


class ComplaintFinding(models.TextChoices):
    CONFIRMED = "confirmed", "反映问题属实"
    NOT_CONFIRMED = "not_confirmed", "反映问题不属实"


class Complaint(models.Model):
    """A complaint (投诉) by anyone (public page) or staff about a case (by its tracking code),
    a unit or a staff member. Routed to the supervising unit, due after the resolution limit
    in working days, investigated and closed with findings."""

    CASE, UNIT, STAFF = ComplaintSubject.CASE, ComplaintSubject.UNIT, ComplaintSubject.STAFF
    OPEN, INVESTIGATING, CLOSED = ComplaintState.OPEN, ComplaintState.INVESTIGATING, ComplaintState.CLOSED
    CONFIRMED, NOT_CONFIRMED = ComplaintFinding.CONFIRMED, ComplaintFinding.NOT_CONFIRMED

    code = models.CharField("查询码", max_length=10, unique=True)
    kind = models.CharField("投诉类别", max_length=30, choices=ComplaintKind.choices)
    subject = models.CharField("投诉对象类型", max_length=10, choices=ComplaintSubject.choices)
    tracking_code = models.CharField("涉及申请查询码", max_length=10, blank=True)
    application = models.ForeignKey(
        "intake.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name="被投诉单位",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff_name = models.CharField("被投诉人员", max_length=50, blank=True)
    description = models.TextField("投诉内容")
    complainant_name = models.CharField("投诉人姓名", max_length=50, blank=True)
    complainant_phone = models.CharField("投诉人电话", max_length=20, blank=True)
    public = models.BooleanField("经公众页面提交", default=False)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField(default=timezone.now)
    lodged_on = models.DateField("投诉日期")
    handling_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="complaints_handled", verbose_name="办理单位"
    )
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    due_on = models.DateField("办理期限", db_index=True)
    state = models.CharField("状态", max_length=20, choices=ComplaintState.choices, default=OPEN)
    version = models.PositiveIntegerField(default=1)
    finding = models.CharField("调查结论", max_length=20, choices=ComplaintFinding.choices, blank=True)
    findings = models.TextField("调查结果", blank=True)
    reply = models.TextField("答复投诉人", blank=True)
    closed_on = models.DateField(null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "投诉"
        ordering = ["-lodged_at", "-id"]

    def __str__(self):
        return self.code


class ComplaintNote(models.Model):
    """An investigation note. Append-only."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField("调查记录")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "投诉调查记录"
        ordering = ["at", "id"]


class Misconduct(models.Model):
    """Confirmed misconduct of a unit, from a complaint found true; read by the performance
    evaluation through ``selectors.misconduct_for`` (deduction points per kind)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="misconduct")
    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="misconduct")
    kind = models.CharField(max_length=30, choices=ComplaintKind.choices)
    found_on = models.DateField("认定日期", db_index=True)
    points = models.DecimalField("扣分", max_digits=5, decimal_places=2)
    summary = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题认定（单位）"
        ordering = ["-found_on", "-id"]


class AccountabilityKind(models.TextChoices):
    CRITICISM = "criticism", "批评教育"
    ADMONITION = "admonition", "诫勉谈话"
    WARNING = "warning", "警告"
    DEMERIT = "demerit", "记过"
    MAJOR_DEMERIT = "major_demerit", "记大过"
    DEMOTION = "demotion", "降级"
    DISMISSAL_FROM_POST = "dismissal_from_post", "撤职"
    EXPULSION = "expulsion", "开除"


class AccountabilityRecord(models.Model):
    """Accountability (问责) of a staff member for confirmed misconduct: what, decided by
    whom, when. Visible to supervisors."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="accountability")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff_name = models.CharField("被问责人", max_length=50)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("问责方式", max_length=30, choices=AccountabilityKind.choices)
    decided_by = models.CharField("决定机关", max_length=100)
    decided_on = models.DateField("决定日期")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "问责记录"
        ordering = ["-decided_on", "-id"]


class PublicAttempt(models.Model):
    """A public action (a complaint lodged, a failed look-up), kept to throttle per client."""

    LODGE, LOOKUP = "lodge", "lookup"
    ip = models.GenericIPAddressField()
    kind = models.CharField(max_length=10)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ip", "kind", "at"])]
