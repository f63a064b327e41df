"""The weekly distribution digest (beat: Monday 08:00): each provincial logistics account gets the province
distribution-progress report rendered as a job (the normal queue) and, once it is done, a notification linking
to the download. Once per account and ISO week, however often beat or a retry runs it."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.models import Notification
from core.notifications import notify
from core.scope import PROVINCE
from personnel.choices import Level

from .choices import Format, JobStatus
from .models import ReportJob

KIND = "distribution-progress"
NOTIFY_KIND = "report_digest"


def week_tag(at: datetime.datetime) -> str:
    year, week, _ = timezone.localtime(at).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(at: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(at)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    return local.replace(
        year=monday.year, month=monday.month, day=monday.day, hour=0, minute=0, second=0, microsecond=0
    )


def dedupe_key(at: datetime.datetime) -> str:
    return f"reports:digest:{week_tag(at)}"


def recipients():
    """Active users with an active province-role membership of the province unit (provincial logistics)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role=PROVINCE,
            memberships__unit__level=Level.PROVINCE,
        )
        .distinct()
        .order_by("pk")
    )


def digest_queue(*, now: datetime.datetime | None = None) -> dict:
    """Queue this week's report for every recipient not yet notified (reusing a digest job already queued this
    week), and have each notified when its job is done."""
    from .services import job_create
    from .tasks import notify_digest_ready

    now = now or timezone.now()
    key = dedupe_key(now)
    queued, skipped = [], 0
    for user in recipients():
        if Notification.objects.filter(user=user, dedupe_key=key).exists():
            skipped += 1
            continue
        job = (
            ReportJob.objects.filter(
                requested_by=user, kind=KIND, format=Format.PDF, parameters={}, queued_at__gte=week_start(now)
            )
            .exclude(status=JobStatus.FAILED)
            .order_by("-queued_at")
            .first()
        )
        with transaction.atomic():
            if job is None:
                job = job_create(user=user, kind=KIND, fmt=Format.PDF)
            job_id = job.pk
            transaction.on_commit(lambda job_id=job_id: notify_digest_ready.delay(job_id, key))
        queued.append(job_id)
    return {"week": week_tag(now), "jobs": queued, "skipped": skipped}


def digest_notify(*, job_id: int, key: str) -> str:
    """'sent' when the job is done (notification with the download link), 'failed' when it failed (the
    notification says why and where to re-run), 'pending' while it is queued or running."""
    job = ReportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        return "missing"
    week = key.rsplit(":", 1)[-1]
    if job.status == JobStatus.DONE:
        notify(
            user=job.requested_by,
            kind=NOTIFY_KIND,
            title=gettext("每周配发进度 {week}").format(week=week),
            body=gettext("全省被装配发进度表已生成（{file_name}）").format(file_name=job.file_name),
            link=f"/reports/jobs/{job.pk}/",
            dedupe_key=key,
        )  # the report centre's page: download, re-run
        return "sent"
    if job.status == JobStatus.FAILED:
        notify(
            user=job.requested_by,
            kind=NOTIFY_KIND,
            title=gettext("每周配发进度生成失败 {week}").format(week=week),
            body=gettext("{error}；可重新生成").format(error=job.error),
            link=f"/reports/jobs/{job.pk}/",
            dedupe_key=key,
        )
        return "failed"
    return "pending"
