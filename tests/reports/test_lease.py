"""The lease of a running report job (reports.services: job_start, job_heartbeat, Heartbeat, LeaseLost): two
claims, one wins; a job silent for dead_after is claimed again; the attempt that lost its lease can neither
write progress nor store a file nor fail the job; a worker's start sweeps. Real workers and kill -9:
test_worker_killed.py (make test-services)."""

import dataclasses
import datetime
import time
from types import SimpleNamespace

import pytest
from django.utils import timezone

from core.models import ChangeRecord
from reports import registry, services, tasks
from reports.choices import JobStatus
from reports.models import ReportJob
from tests.reports import slow_kind  # noqa: F401 - registers the test-only kind "test-slow"


def _queued(user, callbacks_fixture, **params):
    with callbacks_fixture(execute=False):
        return services.job_create(user=user, kind="test-slow", fmt="xlsx", params={"seconds": 0, **params})


def _silent(job, seconds):
    ReportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def _files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_two_claims_one_wins(roll, media, province_user, django_capture_on_commit_callbacks):
    job = _queued(province_user, django_capture_on_commit_callbacks)
    first = services.job_start(job_id=job.pk)
    second = services.job_start(job_id=job.pk)  # the same message delivered twice, or a second worker
    assert first is not None and len(first.lease_token) == 32
    assert second is None
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1 and job.lease_token == first.lease_token


def test_a_job_silent_for_dead_after_is_claimed_again_with_a_new_lease(
    roll, media, province_user, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_DEAD_SECONDS = 120
    job = _queued(province_user, django_capture_on_commit_callbacks)
    first = services.job_start(job_id=job.pk)
    _silent(job, 119)
    assert services.job_start(job_id=job.pk) is None  # still alive by its heartbeat
    _silent(job, 121)
    second = services.job_start(job_id=job.pk)
    assert second is not None and second.lease_token != first.lease_token and second.attempts == 2
    assert services.job_heartbeat(job_id=job.pk, token=first.lease_token) is False
    assert services.job_heartbeat(job_id=job.pk, token=second.lease_token) is True


def test_the_reaper_takes_the_lease_and_the_old_attempt_cannot_finish(
    roll, media, province_user, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_DEAD_SECONDS = 60
    job = _queued(province_user, django_capture_on_commit_callbacks)
    old = services.job_start(job_id=job.pk)
    _silent(job, 61)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.jobs_reap_stale() == {"requeued": [job.pk], "failed": []}
    assert len(callbacks) == 1  # a new message for the job
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.lease_token == ""

    # the old attempt was only slow: its heartbeat, its progress and its end all find the lease gone
    assert services.job_heartbeat(job_id=job.pk, token=old.lease_token) is False
    progress = services._progress_writer(old)
    with pytest.raises(services.LeaseLost):
        progress(50, "still here")
    with pytest.raises(services.LeaseLost):
        services._render_and_store(old, services.no_progress)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.progress == 0 and not job.file and _files(media) == []

    # the new message runs it: done once, one file
    done = services.job_run(job_id=job.pk)
    assert done.status == JobStatus.DONE and done.attempts == 2 and done.lease_token == ""
    assert [p.name for p in _files(media)] == [done.file.name.rsplit("/", 1)[1]]
    assert ChangeRecord.objects.filter(object_id=str(job.pk), note="report done").count() == 1


def test_an_attempt_whose_job_is_taken_mid_run_stops_and_stores_nothing(
    roll, media, province_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """While the first attempt is in collect, the job is judged dead and claimed by another worker: the first
    attempt's next progress raises LeaseLost; job_run answers None, and the job stays the new holder's."""
    settings.REPORT_DEAD_SECONDS = 60
    job = _queued(province_user, django_capture_on_commit_callbacks, seconds=0.2, step=0.1)
    taken = {}
    collect = slow_kind.collect

    def collect_and_lose(user, params, *, progress, now=None):
        progress(1, "first step")
        _silent(job, 61)
        taken["new"] = services.job_start(job_id=job.pk)  # a new worker claims it
        return collect(user, params, progress=progress, now=now)

    kind = dataclasses.replace(registry.get_kind("test-slow"), collect=collect_and_lose)
    monkeypatch.setitem(registry._KINDS, "test-slow", kind)
    assert services.job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.lease_token == taken["new"].lease_token
    assert job.attempts == 2 and not job.file and _files(media) == []


def test_the_failure_of_an_attempt_that_lost_its_lease_is_not_written(
    roll, media, province_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORT_DEAD_SECONDS = 60
    job = _queued(province_user, django_capture_on_commit_callbacks)
    old = services.job_start(job_id=job.pk)
    _silent(job, 61)
    new = services.job_start(job_id=job.pk)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "render_to_path", broken)
    with pytest.raises(services.LeaseLost):
        services._render_and_store(old, services.no_progress)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.error == "" and job.lease_token == new.lease_token


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_while_the_job_runs_and_notices_a_lost_lease(
    roll, media, province_user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "_enqueue", lambda job: None)  # autocommit here: no message, no eager run
    job = _queued(province_user, django_capture_on_commit_callbacks)
    claimed = services.job_start(job_id=job.pk)
    _silent(job, 600)
    beat = services.Heartbeat(job_id=job.pk, token=claimed.lease_token, every=0.05)
    beat.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.heartbeat_at > timezone.now() - datetime.timedelta(seconds=5):
                break
            time.sleep(0.05)
        assert job.heartbeat_at > timezone.now() - datetime.timedelta(seconds=5)  # it beats
        assert not beat.lost.is_set()
        ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, lease_token="")  # reaped
        assert beat.lost.wait(10)
        progress = services._progress_writer(claimed, beat)
        with pytest.raises(services.LeaseLost):
            progress(60, "back")
    finally:
        beat.stop()
    assert not beat.is_alive()


def test_a_worker_start_sweeps_dead_jobs(
    roll, media, province_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORT_DEAD_SECONDS = 60
    job = _queued(province_user, django_capture_on_commit_callbacks)
    services.job_start(job_id=job.pk, holder="celery@gone")
    _silent(job, 61)
    later = []
    monkeypatch.setattr(tasks.reap_stale_report_jobs, "apply_async", lambda **kw: later.append(kw))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.reap_at_worker_start(sender=SimpleNamespace(hostname="celery@other"))
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.lease_holder == "" and len(callbacks) == 1
    assert later == []  # nothing left running to watch


def test_a_restarted_worker_queues_its_predecessors_jobs_at_once_and_watches_the_others(
    roll, media, province_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A worker's node name is unique among live workers: one starting under the name that holds a lease is
    its holder's restart, so the job is queued again without waiting for its heartbeat to go stale. A job held
    by another node with a fresh heartbeat is left alone, and swept when it could be dead."""
    settings.REPORT_DEAD_SECONDS = 120
    mine = _queued(province_user, django_capture_on_commit_callbacks)
    other = _queued(province_user, django_capture_on_commit_callbacks)
    services.job_start(job_id=mine.pk, holder="celery@w1")
    services.job_start(job_id=other.pk, holder="celery@w2")
    _silent(other, 30)
    later = []
    monkeypatch.setattr(tasks.reap_stale_report_jobs, "apply_async", lambda **kw: later.append(kw))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.reap_at_worker_start(sender=SimpleNamespace(hostname="celery@w1"))
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == JobStatus.QUEUED and mine.lease_token == "" and len(callbacks) == 1
    assert other.status == JobStatus.RUNNING and other.lease_holder == "celery@w2"
    assert len(later) == 1 and 88 <= later[0]["countdown"] <= 92  # 120 s after its last heartbeat
    assert services.jobs_requeue_of_holder(holder="") == {"requeued": [], "failed": []}
