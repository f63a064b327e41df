from django.db import models
from django.utils.translation import gettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("排队中")
    RUNNING = "running", gettext_lazy("生成中")
    DONE = "done", gettext_lazy("已完成")
    FAILED = "failed", gettext_lazy("失败")


# Allowed transitions; running → queued is the one retry after a lost worker.
JOB_TRANSITIONS = {
    JobStatus.QUEUED: {JobStatus.RUNNING, JobStatus.FAILED},
    JobStatus.RUNNING: {JobStatus.DONE, JobStatus.FAILED, JobStatus.QUEUED},
    JobStatus.DONE: set(),
    JobStatus.FAILED: set(),
}


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (xlsx)"
