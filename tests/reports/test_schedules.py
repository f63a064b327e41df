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


def test_the_migration_moves_an_old_five_minute_reaper_to_every_minute(db):
    import importlib

    from django.apps import apps as registry
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    migration = importlib.import_module("reports.migrations.0004_reportjob_lease")
    old = CrontabSchedule.objects.create(minute="*/5", hour="*", timezone="Asia/Shanghai")
    task = PeriodicTask.objects.create(
        name=migration.REAPER, task="reports.tasks.reap_stale_report_jobs", crontab=old
    )
    edited = CrontabSchedule.objects.create(minute="*/2", hour="*", timezone="Asia/Shanghai")
    migration.reaper_every_minute(registry, None)
    task.refresh_from_db()
    assert task.crontab.minute == "*" and task.crontab.hour == "*"
    PeriodicTask.objects.filter(pk=task.pk).update(crontab=edited)  # staff chose another: left alone
    migration.reaper_every_minute(registry, None)
    task.refresh_from_db()
    assert task.crontab.minute == "*/2"
