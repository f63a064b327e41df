from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from .choices import Format, JobStatus


def job_file_path(job: "ReportJob", filename: str) -> str:
    return f"reports/{job.queued_at:%Y/%m}/{job.pk or 'new'}/{filename}"


class ReportJob(models.Model):
    """One report request: who asked for what, from which scope, and how far it got. A Celery task fills it."""

    kind = models.CharField(pgettext_lazy("kind", "报表类型"), max_length=40)
    format = models.CharField(gettext_lazy("格式"), max_length=8, choices=Format.choices)
    parameters = models.JSONField(gettext_lazy("参数"), default=dict, blank=True)
    # the requester's language when asked: the file is rendered in it, one language only
    language = models.CharField(
        gettext_lazy("语言"), max_length=8, choices=settings.LANGUAGES, default="zh-hans"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        verbose_name=gettext_lazy("请求人"),
    )
    scope = models.JSONField(
        gettext_lazy("请求时范围"),
        default=list,
        blank=True,
        help_text="[[role, unit code, unit name]] of the requester's memberships",
    )
    status = models.CharField(
        gettext_lazy("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(pgettext_lazy("progress (%)", "进度"), default=0)
    progress_message = models.CharField(gettext_lazy("进度说明"), max_length=200, blank=True)
    file = models.FileField(gettext_lazy("文件"), upload_to=job_file_path, max_length=300, blank=True)
    file_name = models.CharField(gettext_lazy("文件名"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(gettext_lazy("文件大小"), null=True, blank=True)
    sources = models.JSONField(pgettext_lazy("data sources", "数据来源"), default=list, blank=True)
    summary = models.JSONField(gettext_lazy("摘要"), default=dict, blank=True)
    error = models.TextField(pgettext_lazy("error", "错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(gettext_lazy("尝试次数"), default=0)
    task_id = models.CharField(max_length=64, blank=True)
    # the lease of the attempt running the job: set when a worker claims it, cleared when it is queued
    # again; every heartbeat and the final write are conditional on it (services.job_start, LeaseLost)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    # the Celery node name of the worker holding the lease ("celery@host"): when a worker of that name starts
    # again, the holder is dead whatever its last heartbeat says
    lease_holder = models.CharField(max_length=200, blank=True, editable=False)
    rerun_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
        verbose_name=gettext_lazy("重新生成自"),
    )
    queued_at = models.DateTimeField(gettext_lazy("排队时间"), auto_now_add=True)
    started_at = models.DateTimeField(gettext_lazy("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(gettext_lazy("最近心跳"), null=True, blank=True)
    expires_at = models.DateTimeField(gettext_lazy("文件过期"), null=True, blank=True)
    expired = models.BooleanField(gettext_lazy("文件已清理"), default=False)

    class Meta:
        verbose_name = gettext_lazy("报表任务")
        verbose_name_plural = pgettext_lazy("report jobs", "报表任务")
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-queued_at"]),
            models.Index(fields=["status"]),
            models.Index(fields=["expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="reportjob_progress_le_100"),
        ]

    def __str__(self):
        return f"{self.kind}.{self.format} #{self.pk} ({self.status})"

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
