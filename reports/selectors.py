"""Reads of report jobs: a user sees their own jobs only (another user's job answers 404)."""

from django.utils.translation import gettext

from core.errors import NotFound, QMError

from .choices import JobStatus
from .models import ReportJob


def jobs_for(user, *, kind: str | None = None, status: str | None = None):
    qs = ReportJob.objects.filter(requested_by=user).select_related("requested_by")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def job_get(user, job_id: int) -> ReportJob:
    job = jobs_for(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


def job_downloadable(user, job_id: int) -> ReportJob:
    """My job whose file may be fetched now: not done yet → 409, file deleted after its time → 410."""
    job = job_get(user, job_id)
    if job.status != JobStatus.DONE:
        raise QMError(
            "not_ready",
            gettext("报表尚未生成：{status}").format(status=job.status),
            {"status": job.status},
            status=409,
        )
    if job.expired or not job.file:
        raise QMError("expired", gettext("文件已过期，请重新生成"), status=410)
    return job
