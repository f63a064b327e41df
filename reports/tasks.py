"""Thin Celery tasks: take ids, call a service."""

import logging

from celery import shared_task
from celery.signals import worker_ready

from core.context import change_source

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def run_report_job(self, job_id: int) -> dict:
    from .services import job_run

    with change_source("task"):
        job = job_run(job_id=job_id, heartbeat=not self.request.is_eager, holder=self.request.hostname or "")
    return {"job_id": job_id, "status": job.status if job else "skipped"}


@shared_task
def reap_stale_report_jobs() -> dict:
    from .services import jobs_reap_stale

    with change_source("task"):
        return jobs_reap_stale()


@worker_ready.connect
def reap_at_worker_start(sender=None, **_kwargs) -> None:
    """A worker starting (often the one replacing a killed worker) queues again at once the jobs its
    predecessor of the same node name held, sweeps the dead ones, and sweeps once more when the first job
    still running could be judged dead by its heartbeat, without waiting for the beat."""
    from .services import jobs_reap_stale, jobs_requeue_of_holder, next_dead_in

    try:
        with change_source("task"):
            out = jobs_requeue_of_holder(holder=getattr(sender, "hostname", "") or "")
            swept = jobs_reap_stale()
        out = {key: out[key] + swept[key] for key in out}
        if out["requeued"] or out["failed"]:
            log.warning("report jobs left by a dead worker: %s", out)
        wait = next_dead_in()
        if wait is not None:
            reap_stale_report_jobs.apply_async(countdown=int(wait) + 2)
    except Exception:  # the worker starts anyway; the beat's sweep comes within a minute
        log.exception("report jobs: the sweep at worker start failed")
    finally:
        from django.db import connection

        if (
            not connection.in_atomic_block
        ):  # the worker's main process: no connection left for its pool's forks
            connection.close()


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
