import datetime

import pytest
from django.utils import timezone

from core.errors import NotFound, QMError
from reports import services
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.registry import Column, ReportData, ReportKind, register, unregister


def run_now(django_capture_on_commit_callbacks, fn, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        job = fn(**kwargs)
    job.refresh_from_db()
    return job


def test_job_goes_queued_running_done_and_keeps_its_file(
    roll, media, changsha_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_create(user=changsha_user, kind="sign-for-sheets", fmt="xlsx")
    assert job.status == JobStatus.QUEUED and job.progress == 0 and not job.file
    assert job.scope == [["city", "430100", job.scope[0][2]]]
    assert len(callbacks) == 1
    callbacks[0]()  # the task (eager) runs the job
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100 and job.attempts == 1
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    assert job.file and job.file.storage.exists(job.file.name) and job.file_size > 0
    assert job.file_name.endswith(".xlsx")
    assert job.summary["rows"] == 3  # 张伟, 李娜, 王芳 (the retired officer receives nothing)
    assert any("花名册" in s for s in job.sources)
    ttl = datetime.timedelta(hours=services.ttl_hours())
    assert abs((job.expires_at - job.finished_at) - ttl) < datetime.timedelta(seconds=1)


def test_ttl_comes_from_settings(settings):
    settings.REPORT_TTL_HOURS = 5
    assert services.ttl_hours() == 5


@pytest.fixture
def broken_kind():
    def collect(user, params, *, progress, now=None):
        raise RuntimeError("数据源不可用 source unavailable")

    register(
        ReportKind(kind="test-broken", title="坏报表", collect=collect, renderers={"pdf": lambda *a: None})
    )
    yield "test-broken"
    unregister("test-broken")


def test_failed_job_says_why_and_can_be_rerun(
    roll, media, province_user, broken_kind, django_capture_on_commit_callbacks
):
    job = run_now(
        django_capture_on_commit_callbacks, services.job_create, user=province_user, kind=broken_kind
    )
    assert job.status == JobStatus.FAILED
    assert "source unavailable" in job.error and job.finished_at and not job.file
    again = run_now(django_capture_on_commit_callbacks, services.job_rerun, user=province_user, job=job)
    assert again.pk != job.pk and again.rerun_of_id == job.pk and again.status == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED  # the old job stays as it was


def test_rerun_of_a_done_job_makes_a_new_file(roll, media, county_user, django_capture_on_commit_callbacks):
    job = run_now(
        django_capture_on_commit_callbacks,
        services.job_create,
        user=county_user,
        kind="sign-for-sheets",
        fmt="xlsx",
    )
    again = run_now(django_capture_on_commit_callbacks, services.job_rerun, user=county_user, job=job)
    assert again.status == JobStatus.DONE and again.file.name != job.file.name
    assert again.parameters == job.parameters and again.format == "xlsx"


def test_rerun_of_a_running_job_is_refused(roll, media, province_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.job_create(user=province_user, kind="sign-for-sheets")
    with pytest.raises(QMError) as exc:
        services.job_rerun(user=province_user, job=job)
    assert exc.value.code == "job_active"


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"kind": "no-such-report"}, "unknown_kind"),
        ({"kind": "sign-for-sheets", "fmt": "docx"}, "bad_format"),
        ({"kind": "sign-for-sheets", "params": {"colour": "red"}}, "bad_params"),
        ({"kind": "sign-for-sheets", "params": {"city": "430121"}}, "bad_params"),  # a county given as city
    ],
)
def test_bad_requests_are_refused_and_write_nothing(roll, province_user, kwargs, code):
    with pytest.raises(QMError) as exc:
        services.job_create(user=province_user, **kwargs)
    assert exc.value.code == code
    assert ReportJob.objects.count() == 0


def test_a_unit_outside_the_scope_is_not_found(roll, changsha_user):
    with pytest.raises(NotFound):
        services.job_create(user=changsha_user, kind="sign-for-sheets", params={"city": "430200"})
    assert ReportJob.objects.count() == 0


def _running(job, attempts, minutes_ago):
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=attempts,
        started_at=timezone.now(),
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_stale_running_job_is_retried_once_then_failed(
    roll, media, province_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.job_create(user=province_user, kind="sign-for-sheets", fmt="xlsx")
    _running(job, attempts=1, minutes_ago=1)
    assert services.jobs_reap_stale() == {"requeued": [], "failed": []}  # still fresh: left alone

    _running(job, attempts=1, minutes_ago=120)  # the worker died during attempt 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        out = services.jobs_reap_stale()
    assert out == {"requeued": [job.pk], "failed": []} and len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "重新排队" in job.progress_message

    _running(job, attempts=2, minutes_ago=120)  # …and died again during the retry
    assert services.jobs_reap_stale() == {"requeued": [], "failed": [job.pk]}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "工作进程中断" in job.error and job.finished_at


def test_serve_queues_again_what_a_stopped_run_left_running(
    roll, media, province_user, django_capture_on_commit_callbacks
):
    """`manage.py serve` starts its one worker after this: any job still running lost its worker, however fresh
    its heartbeat; queued jobs are left to their message."""
    with django_capture_on_commit_callbacks(execute=False):
        job = services.job_create(user=province_user, kind="sign-for-sheets", fmt="xlsx")
        waiting = services.job_create(user=province_user, kind="sign-for-sheets", fmt="xlsx")
    _running(job, attempts=1, minutes_ago=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.jobs_requeue_orphans() == {"requeued": [job.pk], "failed": []}
    assert len(callbacks) == 1
    job.refresh_from_db()
    waiting.refresh_from_db()
    assert job.status == JobStatus.QUEUED and waiting.status == JobStatus.QUEUED
    _running(job, attempts=2, minutes_ago=0)  # stopped again during its retry
    assert services.jobs_requeue_orphans() == {"requeued": [], "failed": [job.pk]}


def test_redelivered_task_counts_as_the_retry_then_fails(
    roll, media, province_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.job_create(user=province_user, kind="sign-for-sheets", fmt="xlsx")
    _running(job, attempts=1, minutes_ago=3)  # acks_late: the broker redelivers after the worker died
    done = services.job_run(job_id=job.pk)
    assert done.status == JobStatus.DONE and done.attempts == 2
    other = run_now(django_capture_on_commit_callbacks, services.job_rerun, user=province_user, job=done)
    _running(other, attempts=2, minutes_ago=3)
    assert services.job_run(job_id=other.pk) is None
    other.refresh_from_db()
    assert other.status == JobStatus.FAILED and other.error.startswith("工作进程中断，已重试 1 次")


def test_finished_job_is_not_run_twice(roll, media, province_user, django_capture_on_commit_callbacks):
    job = run_now(
        django_capture_on_commit_callbacks,
        services.job_create,
        user=province_user,
        kind="sign-for-sheets",
        fmt="xlsx",
    )
    assert services.job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.attempts == 1


def test_expired_files_are_deleted_and_the_job_stays(
    roll, media, province_user, django_capture_on_commit_callbacks
):
    job = run_now(
        django_capture_on_commit_callbacks,
        services.job_create,
        user=province_user,
        kind="sign-for-sheets",
        fmt="xlsx",
    )
    name, storage = job.file.name, job.file.storage
    assert services.files_expire() == 0
    assert services.files_expire(now=job.expires_at + datetime.timedelta(minutes=1)) == 1
    job.refresh_from_db()
    assert job.expired and not job.file and not storage.exists(name) and job.status == JobStatus.DONE


def test_report_data_is_plain_and_accepts_in_memory_officers(catalog):
    from personnel.models import Officer, OrgUnit
    from reports.kinds import sign_for

    unit = OrgUnit(pk=1, code="X1", name="测试大队", level="county", path="X1/")
    officers = [
        Officer(
            name="孙悟空",
            gender="M",
            unit_id=1,
            height_cm=175,
            chest_cm=92,
            waist_cm=76,
            head_cm=57,
            foot_mm=252,
        )
    ]
    from assets.kit import active_items

    data = sign_for.build(
        officers,
        {1: unit},
        items=active_items(),
        requested_by="bench",
        requested_at=timezone.now(),
        sources=["内存 in memory"],
        label="测试",
    )
    assert isinstance(data, ReportData) and data.row_count == 1
    row = data.sections[0].rows[0]
    assert row[1:7] == ("孙悟空", "", "175/92A", "175/76A", "255", "57")
    assert row[7] == data.meta["pieces_per_officer"] > 0
    assert all(isinstance(c, Column) for c in data.columns)
