"""The report centre: request any report kind the registry knows, watch its progress bar (a small fragment
polled with htmx until the job is done or failed), download the file, re-run a failed or expired job, and
page through my reports. Reads through reports.selectors, writes through reports.services, as the API does."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.errors import QMError
from core.pages import page, tr
from personnel.models import OrgUnit

from . import forms, selectors, services
from .choices import JobStatus
from .registry import get_kind, kinds

PAGE_SIZE = 20
POLL_SECONDS = 2
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# The order kinds are offered in; a kind registered later comes after these.
ORDER = [
    "distribution-progress",
    "sign-for-sheets",
    "receipt-form",
    "kit-card",
    "size-table",
    "vehicle-allocation",
    "tender-timeline",
    "station-condition",
    "procurement-reconciliation",
    "packing-list",
    "badge-list",
]
NONCES_KEPT = 30


def ordered_kinds() -> list:
    known = kinds()
    names = [k for k in ORDER if k in known] + sorted(k for k in known if k not in ORDER)
    return [known[k] for k in names]


def status_label(status: str) -> str:
    zh, _, en = str(JobStatus(status).label).partition(" ")
    return tr(zh, en or zh)


def describe(jobs) -> dict[int, list[str]]:
    """Each job's parameters as a reader says them: 长沙市, 发运单 #12, …; unit names in one query."""
    codes = {j.parameters.get(k) for j in jobs for k in ("city", "county") if j.parameters.get(k)}
    names = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    out = {}
    for j in jobs:
        parts = []
        for key, value in j.parameters.items():
            if value in (None, False, ""):
                continue
            if key in ("city", "county"):
                parts.append(names.get(value, value))
            elif value is True:
                parts.append(forms.label(key))
            else:
                parts.append(f"{forms.label(key)} #{value}")
        out[j.pk] = parts or [gettext("我的全部范围")]
    return out


def job_rows(jobs) -> list[dict]:
    params = describe(jobs)
    return [
        {
            "job": j,
            "title": forms.kind_title(get_kind(j.kind)) if j.kind in kinds() else j.kind,
            "params": params[j.pk],
            "status_label": status_label(j.status),
            "active": j.status in ACTIVE,
        }
        for j in jobs
    ]


def _remember(request, nonce: str, job_id: int) -> None:
    done = request.session.get("report_nonces", {})
    done[nonce] = job_id
    request.session["report_nonces"] = dict(list(done.items())[-NONCES_KEPT:])


@page
def centre(request):
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    offered = ordered_kinds()
    kind = get_kind(source.get("kind") or offered[0].kind)
    fields = forms.fields_for(user, kind, source)
    fmt = source.get("format") or kind.formats[0]
    status = request.GET.get("status", "")
    if status and status not in JobStatus.values:
        raise QMError(
            "bad_filter", gettext("未知状态：{status!r}").format(status=status), {"field": "status"}
        )
    ctx = {
        "nav_key": "reports",
        "kinds": [(k.kind, forms.kind_title(k), k.about) for k in offered],
        "kind": kind,
        "kind_title": forms.kind_title(kind),
        "fields": fields,
        "fmt": fmt,
        "formats": [(f, forms.FORMAT_LABELS.get(f, f)) for f in kind.formats],
        "status": status,
        "statuses": [(s, status_label(s)) for s in JobStatus.values],
        "nonce": uuid.uuid4().hex,
        "poll": POLL_SECONDS,
    }
    if request.method == "POST":
        nonce = request.POST.get("nonce", "")
        already = request.session.get("report_nonces", {}).get(nonce)
        if already:  # the same form sent twice (a double click, a retried request): the job it made
            return redirect("reports:job", job_id=already)
        try:
            params = forms.params_from(user, fields, request.POST)
            job = services.job_create(user=user, kind=kind.kind, fmt=fmt, params=params)
        except QMError as exc:
            ctx.update(error=exc.message, error_field=forms.error_field(exc))
            ctx.update(_history(request, status))
            return render(request, "reports/centre.html", ctx, status=exc.status)
        if nonce:
            _remember(request, nonce, job.pk)
        messages.success(
            request,
            gettext("已提交报表请求 #{pk}，生成后即可下载").format(pk=job.pk),
        )
        return redirect("reports:job", job_id=job.pk)
    ctx.update(_history(request, status))
    return render(request, "reports/centre.html", ctx)


def _history(request, status: str) -> dict:
    paginator = Paginator(selectors.jobs_for(request.user, status=status or None), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page_obj, "rows": job_rows(list(page_obj)), "total": paginator.count}


@page
def job_detail(request, job_id: int):
    job = selectors.job_get(request.user, job_id)
    reruns = list(selectors.jobs_for(request.user).filter(rerun_of=job).order_by("id"))
    return render(
        request,
        "reports/job.html",
        {
            "nav_key": "reports",
            "row": job_rows([job])[0],
            "job": job,
            "reruns": reruns,
            "poll": POLL_SECONDS,
        },
    )


@page
def job_status(request, job_id: int):
    """The fragment the progress bar polls: it carries the polling attributes only while the job is queued
    or running, so the poll stops by itself once the job is done or failed."""
    job = selectors.job_get(request.user, job_id)
    return render(request, "reports/_job_status.html", {"row": job_rows([job])[0], "poll": POLL_SECONDS})


@page
def job_download(request, job_id: int):
    job = selectors.job_downloadable(request.user, job_id)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)


@require_POST
@page
def job_rerun(request, job_id: int):
    job = selectors.job_get(request.user, job_id)
    try:
        new = services.job_rerun_once(user=request.user, job=job)
    except QMError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return redirect("reports:job", job_id=job.pk)
    messages.success(request, gettext("已重新提交 #{pk}").format(pk=new.pk))
    return redirect("reports:job", job_id=new.pk)


@page
def officer_matches(request):
    """The officers matching what is typed in the kit card's search (htmx swaps them under the input)."""
    query = request.GET.get("officer_q", "")
    return render(
        request,
        "reports/_officer_choices.html",
        {"choices": forms.officer_choices(request.user, query), "value": "", "query": query.strip()},
    )
