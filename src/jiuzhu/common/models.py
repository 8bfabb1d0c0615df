"""Holiday calendar entered by an admin, and the append-only access log."""

from django.conf import settings
from django.db import models


class HolidayYear(models.Model):
    """A year whose holiday list an admin has entered and declared complete. Once a year is
    here, its ``HolidayDay`` rows decide (they override chinese-calendar)."""

    year = models.PositiveIntegerField("年份", unique=True)
    complete = models.BooleanField("已完整录入", default=True)
    note = models.CharField("依据（国务院办公厅通知文号等）", max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日年度"
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class HolidayDay(models.Model):
    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "调休上班", default=False, help_text="勾选表示周末调休上班；不勾选表示放假"
    )
    name = models.CharField("名称", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {'上班' if self.is_workday else '放假'} {self.name}"


class AppendOnlyError(Exception):
    pass


class AccessLog(models.Model):
    """Who read or exported which personal record, when and why. Append-only: rows are never
    updated or deleted (model guard here; supervisors read it in the audit view)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=40, blank=True)
    unit_code = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20)  # view | export | search | serve
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    household_code = models.CharField(max_length=40, blank=True, db_index=True)
    purpose = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("access log rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("access log rows are append-only")


class TrainingClock(models.Model):
    """The platform's date on a demo or training site (``settings.TRAINING_SITE``): days added
    to the real date so a trainer can take a case past a 7-day notice in one sitting. One row;
    never read on a production site (``jiuzhu.common.clock``)."""

    days = models.IntegerField("向后拨动天数", default=0)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    moved_at = models.DateTimeField("拨动时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "培训时钟"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    """A piece of work run by the background worker (an upload's validation, a screening run,
    an export): who started it, how far it is and what came of it. ``jiuzhu.common.jobs``
    creates, runs and reports on these; the page ``/jobs/<id>/`` and ``GET /api/jobs/{id}``
    show them."""

    QUEUED, RUNNING, DONE, FAILED = JobState.QUEUED, JobState.RUNNING, JobState.DONE, JobState.FAILED

    kind = models.CharField("类型", max_length=60)
    title = models.CharField("名称", max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField("参数", default=dict)
    state = models.CharField("状态", max_length=10, choices=JobState.choices, default=QUEUED, db_index=True)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", null=True, blank=True)
    message = models.CharField("进度说明", max_length=200, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    error = models.JSONField("错误", null=True, blank=True)  # {"code", "field", "message"}
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    # Which worker runs it ("host:pid") and when it last said so (start, each progress report):
    # a job left running by a killed worker is found by these (``jobs.recover_stale``).
    worker = models.CharField("执行进程", max_length=120, blank=True)
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="重新排队自"
    )
    # Queued by ``jobs.enqueue_once``: at most one such job of a kind waits or runs at a time.
    once = models.BooleanField("同类仅一个", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(once=True, state__in=[JobState.QUEUED, JobState.RUNNING]),
                name="job_once_per_kind_waiting",
            )
        ]

    def __str__(self):
        return f"{self.title} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (self.DONE, self.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == self.DONE else None
        return min(100, self.done * 100 // self.total)


class IdempotentResponse(models.Model):
    """The first answer to an API request sent with an ``Idempotency-Key`` header, replayed
    when the same user sends the same key again (``common.idempotency``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    body_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]
