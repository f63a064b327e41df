from django.conf import settings
from django.db import models

from .choices import Format, JobStatus


def job_file_path(job: "ReportJob", filename: str) -> str:
    return f"reports/{job.queued_at:%Y/%m}/{job.pk or 'new'}/{filename}"


class ReportJob(models.Model):
    """One report request: who asked for what, from which scope, and how far it got. A Celery task fills it."""

    kind = models.CharField("报表类型 kind", max_length=40)
    format = models.CharField("格式 format", max_length=8, choices=Format.choices)
    parameters = models.JSONField("参数 parameters", default=dict, blank=True)
    # the requester's language when asked: the file is rendered in it, one language only
    language = models.CharField("语言 language", max_length=8, choices=settings.LANGUAGES, default="zh-hans")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        verbose_name="请求人 requested by",
    )
    scope = models.JSONField(
        "请求时范围 scope at request",
        default=list,
        blank=True,
        help_text="[[role, unit code, unit name]] of the requester's memberships",
    )
    status = models.CharField(
        "状态 status", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField("进度 progress (%)", default=0)
    progress_message = models.CharField("进度说明 progress message", max_length=200, blank=True)
    file = models.FileField("文件 file", upload_to=job_file_path, max_length=300, blank=True)
    file_name = models.CharField("文件名 file name", max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField("文件大小 file size", null=True, blank=True)
    sources = models.JSONField("数据来源 data sources", default=list, blank=True)
    summary = models.JSONField("摘要 summary", default=dict, blank=True)
    error = models.TextField("错误 error", blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数 attempts", default=0)
    task_id = models.CharField(max_length=64, blank=True)
    rerun_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
        verbose_name="重新生成自 re-run of",
    )
    queued_at = models.DateTimeField("排队时间 queued at", auto_now_add=True)
    started_at = models.DateTimeField("开始时间 started at", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间 finished at", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳 heartbeat", null=True, blank=True)
    expires_at = models.DateTimeField("文件过期 expires at", null=True, blank=True)
    expired = models.BooleanField("文件已清理 file expired", default=False)

    class Meta:
        verbose_name = "报表任务 report job"
        verbose_name_plural = "报表任务 report jobs"
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
