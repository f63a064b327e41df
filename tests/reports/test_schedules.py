import datetime

from django.utils import timezone

from config.celery import app
from reports import tasks
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.schedules import SCHEDULES


def test_declared_schedules_name_registered_tasks():
    import reports.tasks  # noqa: F401 - registers the tasks

    names = {entry["name"] for entry in SCHEDULES}
    assert len(names) == len(SCHEDULES)
    for entry in SCHEDULES:
        assert entry["task"] in app.tasks, entry["task"]
        assert set(entry["crontab"]) <= {"minute", "hour", "day_of_week", "day_of_month", "month_of_year"}


def test_beat_tasks_reap_and_expire(roll, media, province_user, django_capture_on_commit_callbacks):
    from reports.services import job_create

    with django_capture_on_commit_callbacks(execute=True):
        done = job_create(user=province_user, kind="sign-for-sheets", fmt="xlsx")
    with django_capture_on_commit_callbacks(execute=False):
        stuck = job_create(user=province_user, kind="sign-for-sheets", fmt="xlsx")
    old = timezone.now() - datetime.timedelta(days=10)
    ReportJob.objects.filter(pk=stuck.pk).update(status=JobStatus.RUNNING, attempts=2, heartbeat_at=old)
    ReportJob.objects.filter(pk=done.pk).update(expires_at=old)
    assert tasks.reap_stale_report_jobs.delay().get() == {"requeued": [], "failed": [stuck.pk]}
    assert tasks.expire_report_files.delay().get() == 1
    assert ReportJob.objects.get(pk=done.pk).expired
