"""A worker killed mid-report (make test-services: PostgreSQL, Redis, real `celery worker` processes). The
job is found dead by its heartbeat and run again by the next worker: done exactly once, with one file, within
3 minutes of that worker starting. A worker that was only stopped (SIGSTOP) and comes back after its job was
handed on notices the lost lease and stops without writing. The test-only kind `test-slow`
(tests/reports/slow_kind.py) runs for a while; the workers judge a job dead after 15 s without heartbeat
(QM_REPORT_DEAD_SECONDS) so the test takes about a minute; production's 120 s adds 105 s to it."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from core.models import ChangeRecord
from reports.choices import JobStatus
from reports.services import job_create, jobs_reap_stale
from tests.reports import slow_kind  # noqa: F401 - the kind, in this process too (job_create validates it)

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEAD_SECONDS = 15
BOUND_SECONDS = 180  # the issue's: done within 3 minutes of a new worker starting


@pytest.fixture
def workers(tmp_path):
    """Start workers on a queue of this test, against the test database, with MEDIA_ROOT under tmp_path;
    each its own process group (the pool's children and the render processes with it)."""
    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL and a broker: make test-services")
    db = connection.settings_dict
    queue = f"qm-killed-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        MEDIA_ROOT=str(tmp_path / "media"),
        QM_REPORT_DEAD_SECONDS=str(DEAD_SECONDS),
        QM_REPORT_HEARTBEAT_SECONDS="2",
        QM_REPORT_PDF_WORKERS="1",
    )
    started = []

    def start(name: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "-P",
                "prefork",
                "-c",
                "1",
                "-n",
                f"{name}-{queue}@%h",
                "--include",
                "tests.reports.slow_kind",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(proc)
        return proc

    old_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield start
    finally:
        app.conf.task_default_queue = old_queue
        for proc in started:
            for sig in (signal.SIGCONT, signal.SIGTERM):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    pass
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _wait(job, until, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if until(job):
            return job
        time.sleep(0.25)
    raise AssertionError(f"{what} not within {seconds} s: {job.status} {job.progress} % {job.error}")


def _files(tmp_path):
    root = tmp_path / "media"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _done_exactly_once(job, tmp_path):
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2 and job.lease_token == ""
    files = _files(tmp_path)
    assert [str(p.relative_to(tmp_path / "media")) for p in files] == [job.file.name]
    assert ChangeRecord.objects.filter(object_id=str(job.pk), note="report done").count() == 1


@pytest.mark.parametrize("restart", ["same name", "other name"])
def test_a_job_whose_worker_is_killed_finishes_once_with_one_file(restart, workers, tmp_path, province_user):
    """`same name`: the killed worker is restarted (systemd, a container's restart policy): it queues its
    predecessor's job at once. `other name`: another worker starts; the job is found by its heartbeat."""
    first = workers("first")
    job = job_create(user=province_user, kind="test-slow", fmt="xlsx", params={"seconds": 30, "step": 0.5})
    _wait(job, lambda j: j.status == JobStatus.RUNNING and j.progress >= 10, 90, "the first worker's start")
    os.killpg(first.pid, signal.SIGKILL)  # kill -9: the worker, its pool child, everything in its group
    first.wait(timeout=10)
    killed_at = time.monotonic()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1  # what the killed worker left
    killed_progress = job.progress

    workers("first" if restart == "same name" else "second")
    started_at = time.monotonic()
    job = _wait(job, lambda j: j.status in (JobStatus.DONE, JobStatus.FAILED), BOUND_SECONDS, "done")
    done_at = time.monotonic()
    _done_exactly_once(job, tmp_path)
    print(
        f"\n{restart}: killed at {killed_progress} %: done {done_at - killed_at:.1f} s after the kill, "
        f"{done_at - started_at:.1f} s after the new worker started (dead after {DEAD_SECONDS} s, job ~30 s)"
    )
    time.sleep(DEAD_SECONDS + 8)  # a late sweep or a second message changes nothing
    job.refresh_from_db()
    _done_exactly_once(job, tmp_path)


def test_a_stopped_worker_that_comes_back_finds_its_lease_lost_and_writes_nothing(
    workers, tmp_path, province_user
):
    first = workers("first")
    job = job_create(user=province_user, kind="test-slow", fmt="xlsx", params={"seconds": 20, "step": 0.5})
    _wait(job, lambda j: j.status == JobStatus.RUNNING and j.progress >= 10, 90, "the first worker's start")
    os.killpg(first.pid, signal.SIGSTOP)  # frozen, not dead: its heartbeat stops
    token = job.lease_token
    workers("second")
    job = _wait(
        job, lambda j: j.attempts == 2 and j.status == JobStatus.RUNNING, BOUND_SECONDS, "the new claim"
    )
    assert job.lease_token != token
    os.killpg(
        first.pid, signal.SIGCONT
    )  # back, mid-collect: its next heartbeat or progress finds the lease gone
    job = _wait(job, lambda j: j.status in (JobStatus.DONE, JobStatus.FAILED), BOUND_SECONDS, "done")
    _done_exactly_once(job, tmp_path)
    deadline = time.monotonic() + 30
    while b"lease lost" not in (tmp_path / "first.log").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert b"lease lost" in (tmp_path / "first.log").read_bytes()
    assert first.poll() is None  # the worker itself goes on taking jobs
    _done_exactly_once(job, tmp_path)


def test_a_long_job_that_writes_no_progress_is_kept_alive_by_its_heartbeat(
    workers, tmp_path, province_user, settings
):
    """40 s without a single progress call (as a long query or one long WeasyPrint document would be), with
    the sweep run every second here against 15 s of allowed silence: the heartbeat thread keeps the job its
    worker's; it runs once."""
    settings.REPORT_DEAD_SECONDS = DEAD_SECONDS
    workers("first")
    job = job_create(
        user=province_user, kind="test-slow", fmt="xlsx", params={"seconds": 40, "step": 1, "quiet": True}
    )
    _wait(job, lambda j: j.status == JobStatus.RUNNING, 90, "the worker's start")
    first_beat = job.heartbeat_at
    deadline = time.monotonic() + BOUND_SECONDS
    while job.status == JobStatus.RUNNING and time.monotonic() < deadline:
        assert jobs_reap_stale() == {"requeued": [], "failed": []}
        time.sleep(1)
        job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 1 and job.finished_at - first_beat > datetime.timedelta(seconds=35)
    assert [str(p.relative_to(tmp_path / "media")) for p in _files(tmp_path)] == [job.file.name]
