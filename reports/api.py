from django.http import FileResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from ninja import Query, Router, Status

from core.errors import QMError
from core.i18n import one
from core.pagination import PageParams, page_schema, paginate

from . import selectors, services
from .choices import JobStatus
from .registry import kinds
from .schemas import JobIn, JobOut, KindOut

router = Router(tags=["reports"])


def request_language(request) -> str:
    """A program's language is its Accept-Language (the language cookie when it has one), Chinese by
    default: the pages' Chinese-first rule (core.middleware) is for browsers, not for API clients."""
    return translation.get_language_from_request(request)


def job_out(job) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "format": job.format,
        "parameters": job.parameters,
        "status": job.status,
        "status_label": one(JobStatus(job.status).label),
        "progress": job.progress,
        "progress_message": job.progress_message,
        "error": job.error,
        "attempts": job.attempts,
        "requested_by": job.requested_by.get_username(),
        "scope": job.scope,
        "sources": job.sources,
        "summary": job.summary,
        "file_name": job.file_name,
        "file_size": job.file_size,
        "download_url": f"/api/v1/reports/jobs/{job.pk}/download" if job.file and not job.expired else None,
        "rerun_of": job.rerun_of_id,
        "queued_at": job.queued_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "expired": job.expired,
    }


@router.get("/kinds", response=list[KindOut], summary=gettext_lazy("可生成的报表"))
def kind_list(request):
    return [
        {
            "kind": k.kind,
            "title": k.title,
            "formats": k.formats,
            "description": k.about,
            "parameters": k.params.model_json_schema(),
        }
        for k in kinds().values()
    ]


@router.post("/jobs", response={202: JobOut}, summary=gettext_lazy("请求生成报表"))
def job_create(request, payload: JobIn):
    with translation.override(request_language(request)):  # the file is printed in the caller's language
        job = services.job_create(
            user=request.user, kind=payload.kind, fmt=payload.format, params=payload.params
        )
    job.refresh_from_db()
    return Status(202, job_out(job))


class JobFilters(PageParams):
    kind: str | None = None
    status: str | None = None


@router.get("/jobs", response=page_schema(JobOut), summary=gettext_lazy("我的报表任务"))
def job_list(request, filters: Query[JobFilters]):
    if filters.status and filters.status not in JobStatus.values:
        raise QMError(
            "bad_filter",
            gettext("未知状态：{status}").format(status=filters.status),
            {"field": "status"},
        )
    return paginate(
        selectors.jobs_for(request.user, kind=filters.kind, status=filters.status), filters, job_out
    )


@router.get("/jobs/{job_id}", response=JobOut, summary=gettext_lazy("任务状态与进度"))
def job_detail(request, job_id: int):
    return job_out(selectors.job_get(request.user, job_id))


@router.post(
    "/jobs/{job_id}/rerun",
    response={202: JobOut},
    summary=pgettext_lazy("re-run a finished or failed job", "重新生成"),
)
def job_rerun(request, job_id: int):
    with translation.override(request_language(request)):
        job = services.job_rerun(user=request.user, job=selectors.job_get(request.user, job_id))
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.get("/jobs/{job_id}/download", summary=gettext_lazy("下载报表文件"))
def job_download(request, job_id: int):
    job = selectors.job_get(request.user, job_id)
    if job.status != JobStatus.DONE:
        raise QMError(
            "not_ready",
            gettext("报表尚未生成：{status}").format(status=job.status),
            {"status": job.status},
            status=409,
        )
    if job.expired or not job.file:
        raise QMError("expired", gettext("文件已过期，请重新生成"), status=410)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)
