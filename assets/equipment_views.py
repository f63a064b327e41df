"""The station pages: the stations in scope, a station's page (what the last survey found, what changed since
the one before), the survey form made for a phone, and the gaps list with estimated cost. They call
assets.equipment_selectors and assets.equipment_services only, as the API does."""

from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from core.errors import QMError
from core.pages import page, tr

from . import equipment_selectors as selectors
from . import equipment_services as services
from .equipment_choices import Condition, ReturnStatus, SurveyStatus
from .equipment_models import SurveyEntry


def label(text) -> str:
    zh, _, en = str(text).partition(" ")
    return tr(zh, en or zh)


def conditions() -> list[tuple[str, str]]:
    return [(v, label(t)) for v, t in Condition.choices]


def open_survey():
    return selectors.surveys().filter(status=SurveyStatus.OPEN).order_by("-id").first()


@page
def index(request):
    stations = list(selectors.stations_for(request.user)[:300])
    survey = open_survey()
    return render(request, "assets/equipment/index.html", {"stations": stations, "survey": survey})


@page
def station(request, code: str):
    st = selectors.station_get(request.user, code)
    history = selectors.station_survey_history(st)
    names = dict(conditions())
    for row in history["findings"]:
        row["condition_label"] = names.get(row["condition"], "")
    return render(request, "assets/equipment/station.html", {
        "station": st, "h": history, "survey": open_survey(),
        "counts": [(names[c], n) for c, n in history["counts"].items()],
    })


@page
def survey_form(request, code: str):
    user = request.user
    st = selectors.station_get(user, code)
    survey = open_survey()
    if survey is None:
        raise QMError("no_survey", "目前没有进行中的清查 no survey is open", status=404)
    ctx = {"station": st, "survey": survey, "conditions": conditions(),
           "status_label": status_label(selectors.survey_return(user, survey, st)["status"])}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "submit":
                services.survey_submit(actor=user, survey=survey, station=st, note=request.POST.get("note", ""))
                messages.success(request, tr("清查表已提交", "Return submitted"))
                return redirect("stations:station", code=st.code)
            ret = selectors.survey_return(user, survey, st)
            grades = []
            for row in ret["entries"]:
                cond = request.POST.get(f"condition_{row['item_id']}", "")
                if cond:
                    grades.append({"item_id": row["item_id"], "condition": cond,
                                   "note": request.POST.get(f"note_{row['item_id']}", "").strip()})
            with transaction.atomic():
                services.survey_grade(actor=user, survey=survey, station=st, grades=grades)
                entries = {r["item_id"]: r["entry_id"] for r in selectors.survey_return(user, survey, st)["entries"]}
                for item_id, entry_id in entries.items():
                    photo = request.FILES.get(f"photo_{item_id}")
                    if photo and entry_id:
                        services.survey_add_photo(actor=user, entry=SurveyEntry.objects.get(pk=entry_id),
                                                  uploaded=photo)
        except QMError as exc:
            if exc.status == 404:
                raise
            ctx["error"] = exc.message
            ctx["errors"] = exc.details.get("errors", []) if isinstance(exc.details, dict) else []
            ctx["ret"] = selectors.survey_return(user, survey, st)
            ctx["posted"] = request.POST
            return render(request, "assets/equipment/survey.html", ctx, status=exc.status)
        messages.success(request, tr(f"已保存 {len(grades)} 项评定", f"{len(grades)} grades saved"))
        return redirect("stations:survey", code=st.code)
    ctx["ret"] = selectors.survey_return(user, survey, st)
    return render(request, "assets/equipment/survey.html", ctx)


def status_label(status: str) -> str:
    return label(dict(ReturnStatus.choices).get(status, status))


@page
def gaps(request):
    unit = request.GET.get("unit") or None
    rows = selectors.gap_list(request.user, unit_code=unit)
    return render(request, "assets/equipment/gaps.html", {
        "rows": rows[:500], "count": len(rows), "unit": unit or "",
        "total": sum((r.cost for r in rows), Decimal("0.00")),
        "unit_name": selectors.unit_get(request.user, unit).name if unit else "",
    })
