"""A minimal report centre: my report jobs (status, progress bar, download) and a request for the sign-for
sheets of a unit of mine. It calls reports.services / reports.selectors only; the reports app owns the
jobs, this page just shows them until the reports module brings its own page."""

from django.contrib import messages
from django.shortcuts import redirect, render

from core.errors import QMError
from core.pages import page, tr
from personnel.choices import Level
from personnel.models import OrgUnit


@page
def report_centre(request):
    from reports import selectors, services

    user = request.user
    units = list(OrgUnit.objects.restrict(user).filter(is_active=True, level__in=[Level.CITY, Level.COUNTY])
                 .order_by("path")[:200])
    ctx = {"units": units, "unit": request.GET.get("unit", "")}
    if request.method == "POST":
        code = request.POST.get("unit", "")
        unit = next((u for u in units if u.code == code), None)
        fmt = request.POST.get("format", "pdf")
        try:
            if unit is None:
                raise QMError("bad_unit", "请选择单位 choose a unit", {"field": "unit"})
            key = "city" if unit.level == Level.CITY else "county"
            job = services.job_create(user=user, kind="sign-for-sheets", fmt=fmt, params={key: unit.code})
        except QMError as exc:
            if exc.status == 404:
                raise
            ctx["error"] = exc.message
            ctx["jobs"] = list(selectors.jobs_for(user)[:50])
            return render(request, "core/reports.html", ctx, status=exc.status)
        messages.success(request, tr(f"已提交报表请求 #{job.pk}", f"Report #{job.pk} requested"))
        return redirect("core:reports")
    ctx["jobs"] = list(selectors.jobs_for(user)[:50])
    return render(request, "core/reports.html", ctx)
