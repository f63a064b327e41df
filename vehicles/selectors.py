"""Every read of the vehicles app. Vehicles, purchases and their records start from the user's scope; the
allocation table and the quota history are the province's published allocation, readable by every user
(shared/DESIGN.md: the one exception to scope)."""

import datetime

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from core import scope
from core.errors import NotFound, QMError
from core.i18n import one
from personnel.choices import Level
from personnel.models import OrgUnit

from . import plates
from .choices import PURCHASED_STAGES, STAGE_ORDER, PolicyKind, PurchaseStage, VehicleStatus
from .models import (
    DisposalRequest,
    InsurancePolicy,
    Purchase,
    QuotaException,
    QuotaLine,
    QuotaRecord,
    Vehicle,
)


def allocation_table() -> dict:
    """Per city: quota, exceptions, purchased (vehicles in purchases at contract signed or later),
    registered (vehicles with a plate), in service, gap (quota − in service), held (what the cap counts);
    and the province's totals. Counts are of vehicles that count against the quota, not disposed."""
    cities = list(OrgUnit.objects.filter(level=Level.CITY).order_by("code"))
    total = QuotaRecord.objects.aggregate(t=Sum("total_change"))["t"] or 0
    quotas = dict(QuotaLine.objects.values_list("city_id").annotate(q=Sum("change")))
    extras = dict(
        QuotaException.objects.filter(is_active=True).values_list("city_id").annotate(n=Sum("extra"))
    )
    purchased = dict(
        Purchase.objects.filter(stage__in=PURCHASED_STAGES).values_list("city_id").annotate(n=Sum("quantity"))
    )
    stages: dict[int, set[str]] = {}
    for city_id, stage in Purchase.objects.exclude(stage=PurchaseStage.CANCELLED).values_list(
        "city_id", "stage"
    ):
        stages.setdefault(city_id, set()).add(stage)
    counts = {
        r["owning_unit__city_id"]: r
        for r in Vehicle.objects.filter(counts_against_quota=True)
        .exclude(status=VehicleStatus.DISPOSED)
        .values("owning_unit__city_id")
        .annotate(
            held=Count("id"),
            registered=Count("id", filter=~Q(plate="")),
            in_service=Count("id", filter=Q(status=VehicleStatus.IN_SERVICE)),
        )
    }
    rows = []
    for city in cities:
        c = counts.get(city.pk, {})
        quota = quotas.get(city.pk, 0)
        in_service = c.get("in_service", 0)
        furthest = max(
            stages.get(city.pk, ()), key=lambda s: STAGE_ORDER.index(PurchaseStage(s)), default=None
        )
        rows.append(
            {
                "city_code": city.code,
                "city_name": city.name,
                "quota": quota,
                "exceptions": extras.get(city.pk, 0),
                "purchased": purchased.get(city.pk, 0),
                "registered": c.get("registered", 0),
                "in_service": in_service,
                "gap": quota - in_service,
                "held": c.get("held", 0),
                "purchase_stage": furthest,
                "purchase_stage_label": one(PurchaseStage(furthest).label) if furthest else "",
            }
        )
    allocated = sum(r["quota"] for r in rows)
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("quota", "exceptions", "purchased", "registered", "in_service", "gap", "held")
    }
    return {
        "total": total,
        "allocated": allocated,
        "unallocated": total - allocated,
        "rows": rows,
        "totals": totals,
        "as_of": timezone.now(),
    }


def quota_records():
    return QuotaRecord.objects.prefetch_related("lines__city").order_by("-doc_date", "-id")


def quota_exceptions(user, *, active: bool | None = None):
    qs = QuotaException.objects.restrict(user).select_related("city")
    return qs if active is None else qs.filter(is_active=active)


def city_get(user, code: str) -> OrgUnit:
    """A city in the user's scope (404 otherwise)."""
    unit = scope.get_in_scope_or_404(OrgUnit.objects.all(), user, prefix="", code=code)
    if unit.level != Level.CITY:
        raise QMError("bad_city", gettext("不是市州：{code}").format(code=code), {"field": "city_code"})
    return unit


def unit_get(user, code: str) -> OrgUnit:
    return scope.get_in_scope_or_404(OrgUnit.objects.all(), user, prefix="", code=code)


def unit_any(code: str) -> OrgUnit:
    """Any unit by code (a transfer's destination may lie outside a city user's scope; the service decides)."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound()
    return unit


def purchases_for(user, *, city_code: str | None = None, stage: str | None = None) -> QuerySet:
    qs = Purchase.objects.restrict(user).select_related("city")
    if city_code:
        qs = qs.filter(city__code=city_code)
    if stage:
        if stage not in PurchaseStage.values:
            raise QMError("bad_filter", gettext("未知阶段：{stage}").format(stage=stage), {"field": "stage"})
        qs = qs.filter(stage=stage)
    return qs


def purchase_get(user, purchase_id: int) -> Purchase:
    return scope.get_in_scope_or_404(
        Purchase.objects.select_related("city"), user, prefix="city", pk=purchase_id
    )


def _with_papers(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        compulsory_until=Max(
            "policies__ends_on", filter=Q(policies__kind=PolicyKind.COMPULSORY, policies__is_active=True)
        ),
        commercial_until=Max(
            "policies__ends_on", filter=Q(policies__kind=PolicyKind.COMMERCIAL, policies__is_active=True)
        ),
    )


PAPER_FILTERS = ("due", "overdue")


def vehicles_for(
    user,
    *,
    city_code: str | None = None,
    unit_code: str | None = None,
    status: str | None = None,
    vehicle_type: str | None = None,
    q: str | None = None,
    papers: str | None = None,
    days: int = 30,
    today: datetime.date | None = None,
) -> QuerySet:
    """Vehicles in scope. papers=due: a paper (compulsory insurance, inspection) runs out within `days`;
    papers=overdue: one has run out (or a registered vehicle has no compulsory policy)."""
    qs = _with_papers(
        Vehicle.objects.restrict(user).select_related(
            "owning_unit", "owning_unit__city", "station", "driver", "purchase"
        )
    )
    if city_code:
        qs = qs.filter(owning_unit__city__code=city_code)
    if unit_code:
        unit = unit_get(user, unit_code)
        qs = qs.filter(owning_unit__path__startswith=unit.path)
    if status:
        if status not in VehicleStatus.values:
            raise QMError(
                "bad_filter", gettext("未知状态：{status}").format(status=status), {"field": "status"}
            )
        qs = qs.filter(status=status)
    if vehicle_type:
        qs = qs.filter(vehicle_type=vehicle_type)
    if q:
        text = q.strip().upper().replace("·", "")
        qs = qs.filter(
            Q(plate__contains=text)
            | Q(vin__startswith=text)
            | Q(vin__endswith=text)
            | Q(brand__contains=q.strip())
            | Q(model__contains=q.strip())
        )
    if papers:
        if papers not in PAPER_FILTERS:
            raise QMError(
                "bad_filter",
                gettext("papers 取值 due 或 overdue，不能为 {papers}").format(papers=papers),
                {"field": "papers"},
            )
        today = today or timezone.localdate()
        qs = qs.exclude(status=VehicleStatus.DISPOSED).exclude(plate="")
        if papers == "overdue":
            qs = qs.filter(
                Q(compulsory_until__lt=today) | Q(compulsory_until__isnull=True) | Q(inspection_due__lt=today)
            )
        else:
            limit = today + datetime.timedelta(days=days)
            qs = qs.filter(
                Q(compulsory_until__range=(today, limit)) | Q(inspection_due__range=(today, limit))
            )
    return qs


def vehicle_get(user, vehicle_id: int) -> Vehicle:
    return scope.get_in_scope_or_404(
        _with_papers(
            Vehicle.objects.select_related(
                "owning_unit", "owning_unit__city", "station", "driver", "purchase"
            )
        ),
        user,
        prefix="owning_unit",
        pk=vehicle_id,
    )


def policy_get(user, policy_id: int) -> InsurancePolicy:
    return scope.get_in_scope_or_404(
        InsurancePolicy.objects.select_related("vehicle__owning_unit"),
        user,
        prefix="vehicle__owning_unit",
        pk=policy_id,
    )


def disposals_for(user, *, status: str | None = None) -> QuerySet:
    qs = DisposalRequest.objects.restrict(user).select_related(
        "vehicle", "vehicle__owning_unit", "requested_by", "decided_by"
    )
    return qs.filter(status=status) if status else qs


def disposal_get(user, request_id: int) -> DisposalRequest:
    return scope.get_in_scope_or_404(
        DisposalRequest.objects.select_related("vehicle__owning_unit"),
        user,
        prefix="vehicle__owning_unit",
        pk=request_id,
    )


def quota_exception_get(user, exception_id: int) -> QuotaException:
    return scope.get_in_scope_or_404(
        QuotaException.objects.select_related("city"), user, prefix="city", pk=exception_id
    )


def plate_warnings(vehicle) -> list[dict]:
    """The plate's warnings for this vehicle's owning city (plates.warnings): what the doors return after a
    registration or a change, and what the vehicle's record shows."""
    return plates.warnings(vehicle.plate, vehicle.owning_unit.city_code)
