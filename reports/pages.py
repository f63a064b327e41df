"""The reports' part of the pages: the report centre in the menu and the start block "my reports" (running
and ready to download), from reports.selectors."""

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from core import scope
from core.pages import Block, Figure, NavItem

from . import selectors
from .choices import JobStatus

NAV = [NavItem(key="reports", zh="报表中心", en="Reports", url_name="reports:centre", order=90)]


def centre_url(**params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("reports:centre") + (f"?{urlencode(params)}" if params else "")


def start_blocks(request) -> list[Block]:
    user = request.user
    if not scope.memberships(user):
        return []
    mine = selectors.jobs_for(user)
    active = mine.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    ready = mine.filter(status=JobStatus.DONE, expired=False).exclude(file="")
    failed = mine.filter(status=JobStatus.FAILED)
    recent = list(
        mine.filter(
            Q(status__in=(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED))
            | Q(status=JobStatus.DONE, expired=False)
        )[:5]
    )
    from .views import job_rows

    n_active, n_ready, n_failed = active.count(), ready.count(), failed.count()
    figures = [
        Figure(
            zh="排队或生成中",
            en="queued or running",
            value=n_active,
            url=centre_url(),
            tone="warn" if n_active else "",
        ),
        Figure(
            zh="可下载",
            en="ready",
            value=n_ready,
            url=centre_url(status=JobStatus.DONE),
            tone="ok" if n_ready else "",
        ),
    ]
    if n_failed:
        figures.append(
            Figure(
                zh="失败", en="failed", value=n_failed, url=centre_url(status=JobStatus.FAILED), tone="warn"
            )
        )
    return [
        Block(
            key="reports",
            zh="我的报表",
            en="My reports",
            url=centre_url(),
            figures=figures,
            items=[
                {
                    "text": f"#{r['job'].pk} {r['title']}",
                    "url": reverse("reports:job", args=[r["job"].pk]),
                    "meta": f"{r['status_label']} {r['job'].progress}%",
                }
                for r in job_rows(recent)
            ],
        )
    ]
