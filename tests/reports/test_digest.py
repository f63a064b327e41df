import datetime

import pytest

from core.models import Notification
from reports import digest, tasks
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.schedules import SCHEDULES
from tests.distribution.conftest import confirm_all, kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

from .conftest import pdf_pages_text

MONDAY = datetime.datetime(2026, 11, 23, 0, 5, tzinfo=datetime.UTC)  # ISO week 2026-W48


@pytest.fixture
def data(org, catalog, province_user, changsha_user):
    officer = OfficerFactory(unit=org["430121"], name="王芳")
    receive(province_user, org, kit_lines(officer))
    confirm_all(changsha_user, ship(province_user, org, kit_lines(officer), "430100"))


def test_declared_weekly_monday_8():
    entry = next(e for e in SCHEDULES if e["task"] == "reports.tasks.weekly_distribution_digest")
    assert entry["crontab"] == {"minute": "0", "hour": "8", "day_of_week": "1"}


def test_digest_renders_and_notifies_once_per_week(
    data, province_user, changsha_user, auditor_user, media, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(digest.timezone, "now", lambda: MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.weekly_distribution_digest()
    assert result["week"] == "2026-W48" and len(result["jobs"]) == 1
    job = ReportJob.objects.get(pk=result["jobs"][0])
    assert job.requested_by == province_user and job.kind == "distribution-progress"
    assert job.status == JobStatus.DONE
    text = "".join(pdf_pages_text(job.file.read()))
    assert "被装配发进度表" in text and "长沙市" in text
    note = Notification.objects.get(user=province_user)
    assert note.link == f"/reports/jobs/{job.pk}/" and "2026-W48" in note.title
    assert not Notification.objects.filter(user__in=[changsha_user, auditor_user]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.weekly_distribution_digest()  # same week: nothing new
    assert again["jobs"] == [] and again["skipped"] == 1
    assert ReportJob.objects.count() == 1 and Notification.objects.count() == 1

    monkeypatch.setattr(digest.timezone, "now", lambda: MONDAY + datetime.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        nxt = tasks.weekly_distribution_digest()
    assert nxt["week"] == "2026-W49" and len(nxt["jobs"]) == 1
    assert Notification.objects.filter(user=province_user).count() == 2


def test_pending_job_is_not_notified_and_queued_job_is_reused(
    data, province_user, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = digest.digest_queue(now=MONDAY)
    job_id = first["jobs"][0]
    assert digest.digest_notify(job_id=job_id, key=digest.dedupe_key(MONDAY)) == "pending"
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        second = digest.digest_queue(now=MONDAY + datetime.timedelta(hours=1))
    assert second["jobs"] == [job_id]  # the week's job is reused, not queued twice
    ReportJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error="磁盘已满 disk full")
    assert digest.digest_notify(job_id=job_id, key=digest.dedupe_key(MONDAY)) == "failed"
    assert "磁盘已满" in Notification.objects.get(user=province_user).body
