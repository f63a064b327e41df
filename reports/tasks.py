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


@shared_task
def weekly_distribution_digest() -> dict:
    from .digest import digest_queue

    with change_source("task"):
        return digest_queue()


@shared_task(bind=True, max_retries=60, default_retry_delay=30)
def notify_digest_ready(self, job_id: int, key: str) -> str:
    """Notify the digest's recipient once the job is done; retried every 30 s while it is queued or running."""
    from .digest import digest_notify

    with change_source("task"):
        state = digest_notify(job_id=job_id, key=key)
    if state == "pending":
        raise self.retry()
    return state
