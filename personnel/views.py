"""The roll's pages. They read through personnel.selectors and write through personnel.services /
personnel.importers, exactly as the API does; the only thing here is turning requests into calls."""

import csv
import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from core import scope
from core.errors import Forbidden, NotFound, QMError
from core.history import history_for
from core.pages import is_htmx, page, tr
from core.xlsx_text import csv_safe

from . import privacy, selectors, services
from .choices import IN_POST, STATUS_TRANSITIONS, Gender, Level, OfficerStatus
from .models import Officer, OrgUnit

PAGE_SIZE = 50
STATUS_EN = {
    "serving": "serving",
    "seconded": "seconded",
    "on_leave": "on leave",
    "transferred_out": "transferred out",
    "left": "left",
    "retired": "retired",
}
GENDER_EN = {"M": "male", "F": "female"}
IN_POST_FILTER = "in_post"
MEASUREMENT_LABELS = {
    "height_cm": ("身高", "Height"),
    "chest_cm": ("胸围", "Chest"),
    "waist_cm": ("腰围", "Waist"),
    "head_cm": ("头围", "Head"),
    "foot_mm": ("脚长", "Foot length"),
}
SIZE_LABELS = {
    "top": ("上衣号型", "Top size"),
    "bottom": ("裤子号型", "Trousers size"),
    "shoe_mm": ("鞋号 (mm)", "Shoe size (mm)"),
    "hat_cm": ("帽号 (cm)", "Cap size (cm)"),
}


def status_label(value: str) -> str:
    return tr(OfficerStatus(value).label, STATUS_EN[value])


def gender_label(value: str) -> str:
    return tr(Gender(value).label, GENDER_EN[value])


def field_label(name: str) -> str:
    """An officer field's verbose name (姓名 + name) in the active language."""
    try:
        verbose = str(Officer._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
    zh, _, en = verbose.partition(" ")
    return tr(zh, en[:1].upper() + en[1:]) if en else verbose


def status_choices() -> list[tuple[str, str]]:
    return [(IN_POST_FILTER, gettext("在岗人员（在岗、借调、离岗）"))] + [
        (s.value, status_label(s.value)) for s in OfficerStatus
    ]


def unit_choices(user, levels: tuple[str, ...] | None = None) -> list[dict]:
    """The units in scope, indented by depth, for the filter."""
    units = selectors.units_for(user).order_by("path")
    if levels:
        units = units.filter(level__in=levels)
    units = list(units.values("code", "name", "path"))
    top = min((u["path"].count("/") for u in units), default=0)
    return [
        {"code": u["code"], "name": u["name"], "indent": "\u3000" * (u["path"].count("/") - top)}
        for u in units
    ]


def officer_row(user, officer, full_id: bool | None = None) -> dict:
    full = services.can_see_full_id(user, officer.unit) if full_id is None else full_id
    return {
        "id": officer.id,
        "name": officer.name,
        "gender": gender_label(officer.gender),
        **privacy.identity(officer, full=full),
        "certificate_number": officer.certificate_number,
        "unit": officer.unit.name,
        "post": officer.post,
        "status": officer.status,
        "status_label": status_label(officer.status),
        "missing": [tr(*MEASUREMENT_LABELS[m]) for m in selectors.missing_measurements(officer)],
    }


def _page_rows(request, qs):
    paginator = Paginator(qs, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = [officer_row(request.user, o) for o in page_obj]
    shown = [(o.pk, o.unit) for o, row in zip(page_obj, rows, strict=True) if row["birth_date"] is not None]
    privacy.record_disclosures(request.user, shown, door="page", where=privacy.request_where(request))
    return page_obj, rows


@page
def officer_list(request):
    user = request.user
    unit_code = request.GET.get("unit") or None
    status = request.GET.get("status") or None
    text = (request.GET.get("q") or "").strip()
    if status and status != IN_POST_FILTER and status not in OfficerStatus.values:
        raise QMError("bad_filter", gettext("未知状态 {status}").format(status=status), {"field": "status"})
    qs = selectors.officers_for(
        user, unit_code=unit_code, q=text or None, status=None if status == IN_POST_FILTER else status
    )
    if status == IN_POST_FILTER:
        qs = qs.filter(status__in=IN_POST)
    if unit_code and request.GET.get("own") == "1":  # the unit's own staff, not its subtree
        qs = qs.filter(unit__code=unit_code)
    page_obj, rows = _page_rows(request, qs)
    context = {
        "nav_key": "roll",
        "rows": rows,
        "page_obj": page_obj,
        "q": text,
        "unit": unit_code or "",
        "status": status or "",
        "units": unit_choices(user),
        "statuses": status_choices(),
        "own": request.GET.get("own") == "1",
    }
    template = "personnel/_officer_results.html" if is_htmx(request) else "personnel/officer_list.html"
    return render(request, template, context)


@page
def officer_detail(request, officer_id: int):
    officer = selectors.officer_get(request.user, officer_id)
    return render(request, "personnel/officer_detail.html", _detail_context(request, officer))


MEASURE_FORM = ("height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm", "measured_on")


@page
def officer_measure(request, officer_id: int):
    """Record an officer's measurements (roll keepers: province, city) through services.officer_update.
    The form shows the current values; what is submitted is what is saved (a cleared box clears it).
    A value that is not a number, out of range or not allowed changes nothing and says why."""
    officer = selectors.officer_get(request.user, officer_id)
    if request.method != "POST":
        return redirect("personnel:officer", officer_id=officer.id)
    if not services.can_keep_roll(request.user, officer.unit):
        raise Forbidden()
    values, form = {}, {name: (request.POST.get(name) or "").strip() for name in MEASURE_FORM}
    try:
        for name, raw in form.items():
            values[name] = _parse_measurement(name, raw)
        changed = {k: v for k, v in values.items() if v != getattr(officer, k)}
        if changed:
            services.officer_update(actor=request.user, officer=officer, **changed)
    except QMError as exc:
        context = _detail_context(request, officer)
        context.update(measure_error=exc.message, measure_form=form)
        return render(request, "personnel/officer_detail.html", context, status=400)
    messages.success(request, gettext("测量数据已保存") if changed else gettext("没有变化"))
    return redirect("personnel:officer", officer_id=officer.id)


@page
def officer_status(request, officer_id: int):
    """Change the officer's status (services.officer_set_status: allowed transitions, history, hooks)."""
    officer = selectors.officer_get(request.user, officer_id)
    if request.method != "POST":
        return redirect("personnel:officer", officer_id=officer.id)
    status = request.POST.get("status") or ""
    try:
        updated = services.officer_set_status(
            actor=request.user,
            officer=officer,
            status=status,
            reason=(request.POST.get("reason") or "").strip(),
        )
    except QMError as exc:
        return _detail_with_error(request, officer, "status_error", exc)
    messages.success(
        request,
        gettext("状态已改为{label}").format(
            label=OfficerStatus(updated.status).label, value=STATUS_EN[updated.status]
        ),
    )
    return redirect("personnel:officer", officer_id=officer.id)


@page
def officer_transfer(request, officer_id: int):
    """Move the officer to another unit in scope (services.officer_transfer decides who may)."""
    officer = selectors.officer_get(request.user, officer_id)
    if request.method != "POST":
        return redirect("personnel:officer", officer_id=officer.id)
    code = request.POST.get("to_unit") or ""
    try:
        if not code:
            raise QMError("required", gettext("请选择调入单位"), {"field": "to_unit"})
        to_unit = selectors.unit_get(request.user, code)
        updated = services.officer_transfer(
            actor=request.user,
            officer=officer,
            to_unit=to_unit,
            reason=(request.POST.get("reason") or "").strip(),
        )
    except QMError as exc:
        return _detail_with_error(request, officer, "transfer_error", exc)
    if updated.unit_id == officer.unit_id:
        messages.info(request, gettext("已在该单位，没有变化"))
    else:
        messages.success(request, gettext("已调至{name}").format(name=updated.unit.name))
    return redirect("personnel:officer", officer_id=officer.id)


def _detail_with_error(request, officer, key: str, exc: QMError):
    if isinstance(exc, NotFound):
        raise exc
    context = _detail_context(request, officer)
    context[key] = exc.message
    return render(request, "personnel/officer_detail.html", context, status=exc.status)


def _parse_measurement(name: str, raw: str):
    from assets.sizes import foot_mm_from_input

    if raw == "":
        return None
    label = tr(*MEASUREMENT_LABELS.get(name, ("测量日期", "Measured on")))
    if name == "measured_on":
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise QMError(
                "invalid",
                f"{label}: {gettext('日期格式应为 2026-11-27')}",
                {"field": name},
            ) from None
    try:
        value = Decimal(raw)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise QMError("invalid", f"{label}: {gettext('应为数字')} ({raw})", {"field": name}) from None
    if name == "foot_mm":
        try:
            return foot_mm_from_input(value)
        except ValueError as exc:
            raise QMError("invalid", f"{label}: {exc}", {"field": name}) from None
    return value


def _detail_context(request, officer) -> dict:
    from assets.sizes import officer_sizes
    from distribution.selectors import kit_card

    user = request.user
    full = privacy.shown_in_full(user, officer, door="page", where=request.path)
    sizes = officer_sizes(officer)
    size_rows = [
        {
            "label": tr(*SIZE_LABELS[key]),
            "code": sizes[key].code,
            "status": sizes[key].status,
            "reason": sizes[key].reason,
        }
        for key in SIZE_LABELS
    ]
    measurements = [
        {
            "label": tr(*MEASUREMENT_LABELS[name]),
            "value": getattr(officer, name),
            "unit": "mm" if name == "foot_mm" else "cm",
        }
        for name in MEASUREMENT_LABELS
    ]
    records = list(history_for(officer))
    unit_ids = {v for r in records for v in r.changes.get("unit", []) if v}
    unit_names = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    history = []
    for record in records:
        changes = []
        for field, (before, after) in record.changes.items():
            if field == "id":
                continue
            if field in privacy.IDENTITY_FIELDS:
                before, after = privacy.redact_changes({field: [before, after]}, full=full)[field]
            elif field == "unit":
                before, after = unit_names.get(before, before), unit_names.get(after, after)
            elif field == "status":
                before, after = (status_label(v) if v else v for v in (before, after))
            elif field == "gender":
                before, after = (gender_label(v) if v else v for v in (before, after))
            changes.append(
                {
                    "field": field_label(field),
                    "before": None if before == "" else before,
                    "after": None if after == "" else after,
                }
            )
        history.append(
            {
                "at": record.created_at,
                "actor": record.actor_name,
                "action": record.get_action_display(),
                "note": record.note,
                "source": record.source,
                "changes": changes,
            }
        )
    return {
        "kit_card": kit_card(officer),
        "nav_key": "roll",
        "officer": officer,
        "row": officer_row(user, officer, full),
        "reads_accesses": scope.has_role(user, scope.PROVINCE, scope.AUDITOR),
        "sizes": size_rows,
        "measurements": measurements,
        "history": history,
        "missing": [tr(*MEASUREMENT_LABELS[m]) for m in selectors.missing_measurements(officer)],
        "can_keep_roll": services.can_keep_roll(user, officer.unit),
        "next_statuses": [
            (s.value, status_label(s.value))
            for s in OfficerStatus
            if s in STATUS_TRANSITIONS[OfficerStatus(officer.status)]
        ],
        "transfer_units": [
            u for u in unit_choices(user, levels=(Level.CITY, Level.COUNTY)) if u["code"] != officer.unit.code
        ],
        # an officer measured now: the date box starts at today, the measurer may change it
        "measure_form": {
            name: "" if getattr(officer, name) is None else str(getattr(officer, name))
            for name in MEASURE_FORM
        }
        | ({"measured_on": timezone.localdate().isoformat()} if officer.measured_on is None else {}),
    }


@page
def lacking(request):
    """Who still lacks measurements: a summary per unit and the names, filterable by unit."""
    user = request.user
    unit_code = request.GET.get("unit") or None
    qs = selectors.officers_lacking_measurements(user, unit_code=unit_code)
    page_obj, rows = _page_rows(request, qs)
    by_unit = list(
        qs.order_by("unit__path").values("unit__code", "unit__name", "unit__path").annotate(count=Count("id"))
    )
    return render(
        request,
        "personnel/lacking.html",
        {
            "nav_key": "lacking",
            "rows": rows,
            "page_obj": page_obj,
            "unit": unit_code or "",
            "units": unit_choices(user),
            "by_unit": by_unit,
            "total": page_obj.paginator.count,
        },
    )


@page
def data_accesses(request):
    """The record of full ID numbers shown outside the officers' unit chain (《个人信息保护法》), for provincial
    logistics and auditors, in their scope, newest first; filter by officer or by user."""
    officer_id = request.GET.get("officer") or None
    username = (request.GET.get("user") or "").strip()
    if officer_id is not None and not officer_id.isdigit():
        raise QMError("bad_filter", gettext("人员编号应为数字"), {"field": "officer"})
    qs = privacy.accesses_for(
        request.user, officer_id=int(officer_id) if officer_id else None, username=username or None
    )
    paginator = Paginator(qs, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    officer = None
    if officer_id:
        officer = selectors.officers_for(request.user).filter(pk=int(officer_id)).first()
    return render(
        request,
        "personnel/data_accesses.html",
        {
            "nav_key": "data_accesses",
            "rows": [privacy.access_out(r) for r in page_obj],
            "page_obj": page_obj,
            "officer": officer,
            "user_filter": username,
        },
    )


# ---- roll upload -----------------------------------------------------------------------------------
# The import itself is personnel.services.roll_import(actor=, file=, filename=, dry_run=) → a report with
# .errors [(row, column, value, reason)], .created, .updated, .unchanged, .not_in_sheet. The page checks
# first (dry run), shows the report row by row, and imports only when asked to.

UPLOAD_ERRORS_KEY = "qm_roll_upload_errors"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _error_rows(errors) -> list[dict]:
    out = []
    for e in errors or []:
        if isinstance(e, dict):
            out.append({k: e.get(k, "") for k in ("row", "column", "value", "reason")})
        else:
            row, column, value, reason = (getattr(e, k, "") for k in ("row", "column", "value", "reason"))
            out.append({"row": row, "column": column, "value": value, "reason": reason})
    return out


def _count(report, name) -> int:
    value = getattr(report, name, 0)
    return len(value) if isinstance(value, list | tuple | set) else int(value or 0)


@page(roles=(scope.PROVINCE, scope.CITY))
def roll_upload(request):
    context = {"nav_key": "roll_upload"}
    if request.method == "GET" and request.GET.get("errors") == "csv":
        return _errors_csv(request)
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = request.POST.get("action") != "import"
        if upload is None:
            context["problem"] = gettext("请选择一个 Excel 文件。")
        elif upload.size > MAX_UPLOAD_BYTES:
            context["problem"] = gettext("文件超过 20 MB。")
        else:
            try:
                report = services.roll_import(
                    actor=request.user, file=upload, filename=upload.name, dry_run=dry_run
                )
            except QMError as exc:
                context["problem"] = exc.message
                errors = _error_rows(exc.details.get("errors") if isinstance(exc.details, dict) else None)
            else:
                errors = _error_rows(getattr(report, "errors", []))
                context["report"] = {
                    "created": _count(report, "created"),
                    "updated": _count(report, "updated"),
                    "unchanged": _count(report, "unchanged"),
                    "not_in_sheet": _count(report, "not_in_sheet"),
                }
            context.update(errors=errors, dry_run=dry_run, filename=upload.name)
            request.session[UPLOAD_ERRORS_KEY] = errors[:5000]
    return render(request, "personnel/upload.html", context)


def _errors_csv(request):
    errors = request.session.get(UPLOAD_ERRORS_KEY) or []
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roll-errors.csv"'
    response.write("\ufeff")  # so Excel opens the Chinese text as UTF-8
    writer = csv.writer(response)
    writer.writerow([pgettext("row", "行"), gettext("列"), gettext("值"), gettext("原因")])
    for e in errors:
        writer.writerow([e["row"], csv_safe(e["column"]), csv_safe(e["value"]), csv_safe(e["reason"])])
    return response
