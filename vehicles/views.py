"""The vehicles' pages. They read through vehicles.selectors and write through vehicles.services, exactly as
the API does; the only thing here is turning requests into calls and results into pages."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from core import scope
from core.errors import QMError
from core.history import history_for
from core.i18n import one
from core.pages import page, tr
from personnel.choices import Level
from personnel.models import OrgUnit

from . import selectors, services
from .choices import FundingSource, PolicyKind, VehicleStatus, VehicleType

PAGE_SIZE = 50
PAPER_DAYS = 30  # "expiring": within the reminder's first threshold


def label(text) -> str:
    """A choice label (在用 + in service) in the active language."""
    return one(text)


def choices(enum) -> list[tuple[str, str]]:
    return [(value, label(text)) for value, text in enum.choices]


def paper_state(day: datetime.date | None, today: datetime.date, days: int = PAPER_DAYS) -> str:
    """'' / 'due' / 'overdue' / 'missing' for the colour of a paper's date on the pages."""
    if day is None:
        return "missing"
    if day < today:
        return "overdue"
    return "due" if day <= today + datetime.timedelta(days=days) else ""


def vehicle_row(v, today: datetime.date) -> dict:
    plated = bool(v.plate)
    return {
        "id": v.id,
        "plate": v.plate,
        "vin": v.vin,
        "brand": " ".join(x for x in (v.brand, v.model) if x),
        "type": label(VehicleType(v.vehicle_type).label),
        "unit": v.owning_unit.name,
        "status": v.status,
        "status_label": label(VehicleStatus(v.status).label),
        "compulsory_until": v.compulsory_until,
        "compulsory_state": paper_state(v.compulsory_until, today) if plated else "",
        "inspection_due": v.inspection_due,
        "inspection_state": paper_state(v.inspection_due, today) if plated and v.inspection_due else "",
        "odometer_km": v.odometer_km,
        "driver": v.driver.name if v.driver_id else "",
    }


def city_choices(user) -> list[dict]:
    """The cities the user may filter the vehicles by (their scope)."""
    units = OrgUnit.objects.restrict(user).filter(level=Level.CITY).order_by("code")
    return list(units.values("code", "name"))


def vehicles_url(**params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("vehicles:index") + (f"?{urlencode(params)}" if params else "")


def short_name(name: str) -> str:
    return name.replace("交通运输综合行政执法", "")


@page
def index(request):
    """The allocation table for every city (published to everyone) and the vehicles in the user's scope."""
    user = request.user
    today = timezone.localdate()
    city = request.GET.get("city") or None
    status = request.GET.get("status") or None
    papers = request.GET.get("papers") or None
    text = (request.GET.get("q") or "").strip()
    if city:
        selectors.city_get(user, city)  # another city's list: 404, like its vehicles
    qs = selectors.vehicles_for(
        user, city_code=city, status=status, q=text or None, papers=papers, days=PAPER_DAYS, today=today
    ).order_by("owning_unit__path", "plate", "id")
    paginator = Paginator(qs, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    table = selectors.allocation_table()
    cities = city_choices(user)
    listable = {c["code"] for c in cities}
    own = (
        None
        if scope.scope_paths(user) is None
        else set(OrgUnit.objects.restrict(user).values_list("city__code", flat=True))
    )
    for row in table["rows"]:
        row["short_name"] = short_name(row["city_name"])
        row["own"] = own is not None and row["city_code"] in own
        row["stage_label"] = label(row["purchase_stage_label"]) if row["purchase_stage_label"] else "—"
        row["list_url"] = vehicles_url(city=row["city_code"]) if row["city_code"] in listable else ""
    return render(
        request,
        "vehicles/index.html",
        {
            "nav_key": "vehicles",
            "table": table,
            "rows": [vehicle_row(v, today) for v in page_obj],
            "page_obj": page_obj,
            "total": paginator.count,
            "city": city or "",
            "status": status or "",
            "papers": papers or "",
            "q": text,
            "cities": cities,
            "statuses": choices(VehicleStatus),
            "can_register": scope.has_role(user, *services.REGISTER_ROLES),
            "today": today,
        },
    )


@page
def detail(request, vehicle_id: int):
    """A vehicle: details, papers (policies, inspections), odometer, maintenance, transfers, history."""
    v = selectors.vehicle_get(request.user, vehicle_id)
    today = timezone.localdate()
    policies = [
        {
            "kind": label(PolicyKind(p.kind).label),
            "insurer": p.insurer,
            "number": p.policy_number,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "premium": p.premium,
            "is_active": p.is_active,
            "state": paper_state(p.ends_on, today) if p.is_active else "",
        }
        for p in v.policies.all()
    ]
    history = [
        {
            "at": r.created_at,
            "actor": r.actor_name,
            "action": r.get_action_display(),
            "note": r.note,
            "changes": [(k, b, a) for k, (b, a) in r.changes.items() if k not in ("id", "updated_at")],
        }
        for r in history_for(v)
    ]
    return render(
        request,
        "vehicles/detail.html",
        {
            "nav_key": "vehicles",
            "v": v,
            "row": vehicle_row(v, today),
            "funding": label(FundingSource(v.funding_source).label) if v.funding_source else "—",
            "policies": policies,
            "inspections": list(v.inspections.all()),
            "odometer": list(v.odometer_readings.all()[:20]),
            "maintenance": [{"r": m, "kind": label(m.get_kind_display())} for m in v.maintenance.all()[:50]],
            "transfers": list(v.transfers.select_related("from_unit", "to_unit")),
            "history": history,
            "today": today,
            "plate_warnings": selectors.plate_warnings(v),
        },
    )


REGISTER_FIELDS = (
    "owning_unit",
    "vin",
    "plate",
    "registered_on",
    "brand",
    "model",
    "vehicle_type",
    "engine_number",
    "purchase_date",
    "purchase_price",
    "funding_source",
    "remarks",
)
CHECKBOXES = ("livery_fitted", "warning_lights_fitted", "counts_against_quota")
FIELD_LABELS = {
    "owning_unit": ("所属单位", "Owning unit"),
    "vin": ("车辆识别代号", "VIN"),
    "plate": ("号牌号码", "Plate"),
    "registered_on": ("注册登记日期", "Registration date"),
    "brand": ("品牌", "Brand"),
    "model": ("型号", "Model"),
    "vehicle_type": ("车辆类型", "Vehicle type"),
    "engine_number": ("发动机号", "Engine number"),
    "purchase_date": ("购置日期", "Purchase date"),
    "purchase_price": ("购置价格（元）", "Purchase price (yuan)"),
    "funding_source": ("资金来源", "Funding source"),
    "remarks": ("备注", "Remarks"),
}


def _date(form: dict, name: str) -> datetime.date | None:
    raw = form.get(name) or ""
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise QMError(
            "invalid",
            f"{tr(*FIELD_LABELS[name])}: {gettext('日期格式应为 2026-11-27')}",
            {"field": name},
        ) from None


def register_units(user) -> list[dict]:
    """Agencies (province, city, county) in scope where the user may register vehicles."""
    units = (
        OrgUnit.objects.restrict(user)
        .filter(level__in=(Level.PROVINCE, Level.CITY, Level.COUNTY), is_active=True)
        .order_by("path")
    )
    return [
        {"code": u.code, "name": u.name, "indent": "\u3000" * (u.path.count("/") - 1)}
        for u in units
        if scope.has_role(user, *services.REGISTER_ROLES, unit=u)
    ]


@page(roles=services.REGISTER_ROLES)
def register(request):
    """Put a vehicle on the register (services.vehicle_create): an error is shown on the form, beside the
    field it names, and nothing is written."""
    user = request.user
    form = {name: (request.POST.get(name) or "").strip() for name in REGISTER_FIELDS}
    checks = {name: request.POST.get(name) == "1" for name in CHECKBOXES}
    error, status = None, 200
    if request.method == "POST":
        try:
            if not form["owning_unit"]:
                raise QMError("required", gettext("请选择所属单位"), {"field": "owning_unit"})
            unit = selectors.unit_get(user, form["owning_unit"])
            fields = {k: form[k] for k in ("model", "engine_number", "remarks")}
            fields.update(
                vehicle_type=form["vehicle_type"] or VehicleType.SMALL_PASSENGER,
                registered_on=_date(form, "registered_on"),
                purchase_date=_date(form, "purchase_date"),
                purchase_price=form["purchase_price"] or None,
                funding_source=form["funding_source"],
                **checks,
            )
            v = services.vehicle_create(
                actor=user,
                owning_unit=unit,
                vin_code=form["vin"],
                brand=form["brand"],
                plate=form["plate"],
                **fields,
            )
        except QMError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, gettext("已登记 {value}").format(value=v.plate or v.vin))
            for w in selectors.plate_warnings(v):  # saved, but the plate looks wrong for this city
                messages.warning(request, w["message"])
            return redirect("vehicles:detail", vehicle_id=v.id)
    elif request.method == "GET":
        checks["counts_against_quota"] = True
        form["vehicle_type"] = VehicleType.SMALL_PASSENGER
    field = (error.details or {}).get("field", "") if error else ""
    return render(
        request,
        "vehicles/register.html",
        {
            "nav_key": "vehicles",
            "form": form,
            "checks": checks,
            "error": error.message if error else "",
            "error_field": {"vin_code": "vin", "driver_id": "driver"}.get(field, field),
            "units": register_units(user),
            "types": choices(VehicleType),
            "fundings": choices(FundingSource),
        },
        status=status,
    )


@page
def papers(request):
    """Papers running out within the days asked (30 by default) and those already out."""
    user = request.user
    today = timezone.localdate()
    try:
        days = int(request.GET.get("days") or PAPER_DAYS)
    except ValueError:
        raise QMError("bad_filter", gettext("天数应为整数"), {"field": "days"}) from None
    if not 1 <= days <= 366:
        raise QMError("bad_filter", gettext("天数应在 1–366 之间"), {"field": "days"})
    due = selectors.vehicles_for(user, papers="due", days=days, today=today)
    overdue = selectors.vehicles_for(user, papers="overdue", today=today)
    return render(
        request,
        "vehicles/papers.html",
        {
            "nav_key": "vehicles",
            "days": days,
            "due": [vehicle_row(v, today) for v in due[:500]],
            "overdue": [vehicle_row(v, today) for v in overdue[:500]],
            "due_count": due.count(),
            "overdue_count": overdue.count(),
            "today": today,
        },
    )
