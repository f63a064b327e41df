"""Thin Celery tasks: take ids, call a service."""

from celery import shared_task

from core.context import change_source


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_report_job(job_id: int) -> dict:
    from .services import job_run

    with change_source("task"):
        job = job_run(job_id=job_id)
    return {"job_id": job_id, "status": job.status if job else "skipped"}


@shared_task
def reap_stale_report_jobs() -> dict:
    from .services import jobs_reap_stale

    with change_source("task"):
        return jobs_reap_stale()


@shared_task
def expire_report_files() -> int:
    from .services import files_expire

    with change_source("task"):
        return files_expire()
