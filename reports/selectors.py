"""Reads of report jobs: a user sees their own jobs only (another user's job answers 404)."""

from core.errors import NotFound

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
