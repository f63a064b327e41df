"""The station pages: the stations in scope, a station's page (what the last survey found, what changed since
the one before), the survey form made for a phone, and the gaps list with estimated cost. They call
assets.equipment_selectors and assets.equipment_services only, as the API does."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from core import scope
from core.errors import NotFound, QMError
from core.i18n import one
from core.pages import may_write, page

from . import equipment_selectors as selectors
from . import equipment_services as services
from .equipment_choices import Condition, ReturnStatus, SurveyStatus
from .equipment_models import SurveyEntry


def label(text) -> str:
    return one(text)


def conditions() -> list[tuple[str, str]]:
    return [(v, label(t)) for v, t in Condition.choices]


def open_survey():
    return selectors.surveys().filter(status=SurveyStatus.OPEN).order_by("-id").first()


@page
def index(request):
    """The stations in scope; while a survey is open, each station's return status, filterable (the county's
    "submitted, to confirm" list)."""
    stations = list(selectors.stations_for(request.user)[:300])
    survey = open_survey()
    wanted = request.GET.get("return", "")
    if wanted and wanted not in ReturnStatus.values:
        raise QMError(
            "bad_filter",
            gettext("未知状态：{wanted!r}").format(wanted=wanted),
            {"field": "return"},
        )
    statuses = selectors.return_statuses(survey, stations) if survey else {}
    rows = [
        {
            "s": s,
            "status": statuses.get(s.pk, ""),
            "status_label": status_label(statuses[s.pk]) if survey else "",
        }
        for s in stations
    ]
    if wanted and survey:
        rows = [r for r in rows if r["status"] == wanted]
    return render(
        request,
        "assets/equipment/index.html",
        {
            "stations": stations,
            "rows": rows,
            "survey": survey,
            "wanted": wanted,
            "return_statuses": [(v, label(t)) for v, t in ReturnStatus.choices],
        },
    )


def may_confirm(user, station) -> bool:
    """Whether the page offers confirm / send back: the unit above the station (the service checks again)."""
    return scope.has_role(user, *services.STATION_KEEPERS, unit=station.parent)


def may_grade(user, station, ret: dict) -> bool:
    """Whether the survey page is a form: the user keeps the station (services.can_keep_station) and the
    return is still a draft (the service refuses grades on a submitted one); otherwise it is read-only."""
    return ret["status"] == ReturnStatus.DRAFT and may_write(services.can_keep_station, user, station)


@page
def station(request, code: str):
    """A station: what the last survey found, what changed; while a survey is open, its return — and, once the
    station has submitted it, the county's confirm / send back (services.survey_confirm / survey_send_back, as
    the API's POST …/stations/{code}/confirm and …/send-back)."""
    user = request.user
    st = selectors.station_get(user, code)
    survey = open_survey()
    history = selectors.station_survey_history(st)
    names = dict(conditions())
    for row in history["findings"]:
        row["condition_label"] = names.get(row["condition"], "")
    ctx = {
        "station": st,
        "h": history,
        "survey": survey,
        "counts": [(names[c], n) for c, n in history["counts"].items()],
    }
    if survey is not None:
        ret = selectors.survey_return(user, survey, st)
        for row in ret["entries"]:
            row["condition_label"] = names.get(row["condition"], "—")
        ctx.update(
            ret=ret,
            status_label=status_label(ret["status"]),
            may_review=ret["status"] == ReturnStatus.SUBMITTED and may_confirm(user, st),
            may_write=may_grade(user, st, ret),
        )
    if request.method == "POST":
        action = request.POST.get("action", "")
        note = request.POST.get("note", "").strip()
        try:
            if survey is None:
                raise QMError("no_survey", gettext("目前没有进行中的清查"), status=409)
            if action == "confirm":
                services.survey_confirm(actor=user, survey=survey, station=st, note=note)
                msg = gettext("已确认清查表")
            elif action == "send_back":
                services.survey_send_back(actor=user, survey=survey, station=st, note=note)
                msg = gettext("已退回站所修改")
            else:
                raise QMError("bad_action", gettext("未知操作"), {"field": "action"})
        except QMError as exc:
            if exc.status == 404:
                raise
            ctx.update(error=exc.message, note=note, action=action)
            return render(request, "assets/equipment/station.html", ctx, status=exc.status)
        messages.success(request, msg)
        return redirect("stations:station", code=st.code)
    return render(request, "assets/equipment/station.html", ctx)


@page
def survey_form(request, code: str):
    user = request.user
    st = selectors.station_get(user, code)
    survey = open_survey()
    if survey is None:
        raise QMError("no_survey", gettext("目前没有进行中的清查"), status=404)
    ctx = {
        "station": st,
        "survey": survey,
        "conditions": conditions(),
        "status_label": status_label(selectors.survey_return(user, survey, st)["status"]),
        "types": list(selectors.equipment_types().order_by("code")),
        "found": {},
    }
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "found":
                item = _add_found(request, survey, st)
                messages.success(
                    request, gettext("已登记账外装备 {asset_tag}").format(asset_tag=item.asset_tag)
                )
                return redirect("stations:survey", code=st.code)
            if action == "submit":
                services.survey_submit(
                    actor=user, survey=survey, station=st, note=request.POST.get("note", "")
                )
                messages.success(request, gettext("清查表已提交"))
                return redirect("stations:station", code=st.code)
            # only the items posted: the page's script sends the rows changed, and with "everything as in the
            # last survey" (copy_last) the service fills the rest from that survey
            ret = selectors.survey_return(user, survey, st)
            grades = []
            for row in ret["entries"]:
                cond = request.POST.get(f"condition_{row['item_id']}", "")
                if cond:
                    grades.append(
                        {
                            "item_id": row["item_id"],
                            "condition": cond,
                            "note": request.POST.get(f"note_{row['item_id']}", "").strip(),
                        }
                    )
            photos = {k for k, f in request.FILES.items() if k.startswith("photo_") and f}
            if action == "save" and not grades and not photos:
                messages.info(request, gettext("没有改动"))
                return redirect("stations:survey", code=st.code)
            with transaction.atomic():
                saved = services.survey_grade(
                    actor=user, survey=survey, station=st, grades=grades, copy_last=action == "copy_last"
                )
                entries = {
                    r["item_id"]: r["entry_id"] for r in selectors.survey_return(user, survey, st)["entries"]
                }
                for item_id, entry_id in entries.items():
                    photo = request.FILES.get(f"photo_{item_id}")
                    if photo and entry_id:
                        services.survey_add_photo(
                            actor=user, entry=SurveyEntry.objects.get(pk=entry_id), uploaded=photo
                        )
        except QMError as exc:
            if exc.status == 404:
                raise
            ctx["error"] = exc.message
            ctx["errors"] = exc.details.get("errors", []) if isinstance(exc.details, dict) else []
            ctx.update(_return_context(user, survey, st))
            ctx["posted"] = request.POST
            if action == "found":
                ctx["found"] = {k[6:]: v for k, v in request.POST.items() if k.startswith("found_")}
                ctx["found_open"] = True
            return render(request, "assets/equipment/survey.html", ctx, status=exc.status)
        if action == "copy_last":
            copied = len(saved) - len(grades)
            messages.success(
                request,
                gettext("已按上次清查填写 {copied} 项，另有 {n_grades} 项按您的选择").format(
                    copied=copied, n_grades=len(grades)
                ),
            )
        else:
            messages.success(request, gettext("已保存 {n_grades} 项评定").format(n_grades=len(grades)))
        return redirect("stations:survey", code=st.code)
    ctx.update(_return_context(user, survey, st))
    return render(request, "assets/equipment/survey.html", ctx)


def _return_context(user, survey, station) -> dict:
    """The return as the survey page shows it, and whether it is a form (may_write) or read-only."""
    ret = selectors.survey_return(user, survey, station)
    names = dict(conditions())
    writable = may_grade(user, station, ret)
    last, findings = selectors.last_survey_findings(station, survey) if writable else (None, {})
    for row in ret["entries"]:
        row["condition_label"] = names.get(row["condition"], "—")
        found = findings.get(row["item_id"])
        row["last_condition"] = found.condition if found else ""
        row["last_label"] = names.get(found.condition, "") if found else ""
    to_copy = sum(1 for row in ret["entries"] if row["last_condition"] and not row["condition"])
    return {"ret": ret, "may_write": writable, "last_survey": last, "to_copy": to_copy}


def _add_found(request, survey, station):
    """An item found at the station but not on the register (账外装备): the form's values read as the API's
    FoundIn, then services.survey_add_found (it joins the register and the return, marked found)."""
    post = request.POST
    code = post.get("found_type", "")
    try:
        equipment_type = selectors.equipment_type_get(code) if code else None
    except NotFound:
        equipment_type = None
    if equipment_type is None:
        raise QMError("required", gettext("请选择装备类型"), {"field": "found_type"})
    raw_date = post.get("found_acquired_on", "").strip()
    try:
        acquired_on = datetime.date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise QMError(
            "bad_date",
            gettext("购置日期无效：{raw_date!r}").format(raw_date=raw_date),
            {"field": "found_acquired_on"},
        ) from None
    raw_value = post.get("found_acquired_value", "").strip().replace(",", "")
    try:
        acquired_value = Decimal(raw_value) if raw_value else None
    except InvalidOperation:
        raise QMError(
            "bad_amount",
            gettext("购置金额须为数字：{raw_value!r}").format(raw_value=raw_value),
            {"field": "found_acquired_value"},
        ) from None
    return services.survey_add_found(
        actor=request.user,
        survey=survey,
        station=station,
        equipment_type=equipment_type,
        condition=post.get("found_condition", ""),
        serial_number=post.get("found_serial_number", "").strip(),
        asset_tag=post.get("found_asset_tag", "").strip() or None,
        note=post.get("found_note", "").strip(),
        acquired_on=acquired_on,
        acquired_value=acquired_value,
    ).item


def status_label(status: str) -> str:
    return label(dict(ReturnStatus.choices).get(status, status))


@page
def gaps(request):
    unit = request.GET.get("unit") or None
    rows = selectors.gap_list(request.user, unit_code=unit)
    return render(
        request,
        "assets/equipment/gaps.html",
        {
            "rows": rows[:500],
            "count": len(rows),
            "unit": unit or "",
            "total": sum((r.cost for r in rows), Decimal("0.00")),
            "unit_name": selectors.unit_get(request.user, unit).name if unit else "",
        },
    )
