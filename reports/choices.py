from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中 queued"
    RUNNING = "running", "生成中 running"
    DONE = "done", "已完成 done"
    FAILED = "failed", "失败 failed"


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
