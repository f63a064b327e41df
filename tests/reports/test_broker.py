import time

import pytest
from celery.result import AsyncResult

from reports.choices import JobStatus
from reports.services import job_create


@pytest.mark.broker
def test_a_report_job_goes_through_the_broker(broker, roll, province_user):
    # transactional_db: the job row is committed, so the worker (another process) sees it
    job = job_create(user=province_user, kind="sign-for-sheets", fmt="xlsx")
    deadline = time.time() + 120
    job.refresh_from_db()
    while job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and time.time() < deadline:
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.task_id and job.summary["rows"] == 4
    assert job.file.storage.exists(job.file.name)
    if broker:
        assert AsyncResult(job.task_id).get(timeout=30) == {"job_id": job.pk, "status": "done"}
