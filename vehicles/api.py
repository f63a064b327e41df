"""/api/v1/vehicles: the allocation table (every user), quotas, purchases, the register and each vehicle's
papers, mileage, maintenance, transfers and disposal (in scope), and the Excel import."""

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from core.i18n import one

try:  # django-ninja ≥ 1.5 wants an explicit Status for a non-200 answer; older ones take a tuple
    from ninja import Status
except ImportError:  # pragma: no cover

    def Status(status_code, value):  # noqa: N802
        return status_code, value


from django.http import HttpResponse

from core import scope
from core.errors import NotFound, QMError
from core.history import history_for
from core.pagination import PageParams, page_schema, paginate
from personnel.models import Officer

from . import exporters, importers, plates, selectors, services
from .choices import DisposalMethod, PolicyKind, PurchaseStage, QuotaRecordKind, VehicleStatus, VehicleType
from .schemas import (
    AllocationOut,
    AssignIn,
    DecisionIn,
    DisposalIn,
    DisposalOut,
    ImportReport,
    InspectionDueIn,
    InspectionIn,
    InspectionOut,
    MaintenanceIn,
    MaintenanceOut,
    OdometerIn,
    OdometerOut,
    PolicyIn,
    PolicyOut,
    PurchaseDetail,
    PurchaseIn,
    PurchaseOut,
    QuotaExceptionIn,
    QuotaExceptionOut,
    QuotaRecordIn,
    QuotaRecordOut,
    ReasonIn,
    RegisterIn,
    StageIn,
    StatusIn,
    TransferIn,
    TransferOut,
    VehicleDetail,
    VehicleIn,
    VehicleOut,
    VehiclePatch,
)

router = Router(tags=["vehicles"])


# ---- serializers ------------------------------------------------------------------------------------------


def record_out(r) -> dict:
    return {
        "id": r.id,
        "doc_number": r.doc_number,
        "doc_date": r.doc_date,
        "kind": r.kind,
        "kind_label": one(QuotaRecordKind(r.kind).label),
        "reason": r.reason,
        "total_change": r.total_change,
        "total_after": r.total_after,
        "allocated_after": r.allocated_after,
        "created_at": r.created_at,
        "lines": [
            {
                "city_code": ln.city.code,
                "city_name": ln.city.name,
                "change": ln.change,
                "quota_after": ln.quota_after,
            }
            for ln in r.lines.all()
        ],
    }


def exception_out(e) -> dict:
    return {
        "id": e.id,
        "city_code": e.city.code,
        "city_name": e.city.name,
        "extra": e.extra,
        "reason": e.reason,
        "doc_number": e.doc_number,
        "is_active": e.is_active,
        "created_at": e.created_at,
    }


def purchase_out(p) -> dict:
    return {
        "id": p.id,
        "city_code": p.city.code,
        "city_name": p.city.name,
        "title": p.title,
        "quantity": p.quantity,
        "budget_amount": p.budget_amount,
        "contract_amount": p.contract_amount,
        "supplier": p.supplier,
        "stage": p.stage,
        "stage_label": one(PurchaseStage(p.stage).label),
        "stage_date": p.stage_date,
        "remarks": p.remarks,
    }


def vehicle_out(v) -> dict:
    return {
        "id": v.id,
        "plate": v.plate,
        "vin": v.vin,
        "engine_number": v.engine_number,
        "brand": v.brand,
        "model": v.model,
        "vehicle_type": v.vehicle_type,
        "vehicle_type_label": one(VehicleType(v.vehicle_type).label),
        "purchase_date": v.purchase_date,
        "purchase_price": v.purchase_price,
        "funding_source": v.funding_source,
        "purchase_id": v.purchase_id,
        "owning_unit_code": v.owning_unit.code,
        "owning_unit_name": v.owning_unit.name,
        "city_code": v.owning_unit.city_code,
        "station_code": v.station.code if v.station_id else None,
        "driver_id": v.driver_id,
        "driver_name": v.driver.name if v.driver_id else None,
        "status": v.status,
        "status_label": one(VehicleStatus(v.status).label),
        "counts_against_quota": v.counts_against_quota,
        "registered_on": v.registered_on,
        "livery_fitted": v.livery_fitted,
        "warning_lights_fitted": v.warning_lights_fitted,
        "equipment": v.equipment,
        "inspection_due": v.inspection_due,
        "inspection_due_manual": v.inspection_due_manual,
        "compulsory_until": getattr(v, "compulsory_until", None),
        "commercial_until": getattr(v, "commercial_until", None),
        "odometer_km": v.odometer_km,
        "disposed_on": v.disposed_on,
        "remarks": v.remarks,
        "warnings": selectors.plate_warnings(v),
    }


def policy_out(p) -> dict:
    return {
        "id": p.id,
        "vehicle_id": p.vehicle_id,
        "kind": p.kind,
        "kind_label": one(PolicyKind(p.kind).label),
        "insurer": p.insurer,
        "policy_number": p.policy_number,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "premium": p.premium,
        "is_active": p.is_active,
    }


def transfer_out(t, warnings: list | None = None) -> dict:
    return {
        "warnings": warnings or [],
        "id": t.id,
        "vehicle_id": t.vehicle_id,
        "from_unit_code": t.from_unit.code,
        "to_unit_code": t.to_unit.code,
        "date": t.date,
        "reason": t.reason,
        "document": t.document,
    }


def disposal_out(d) -> dict:
    return {
        "id": d.id,
        "vehicle_id": d.vehicle_id,
        "plate": d.vehicle.plate,
        "vin": d.vehicle.vin,
        "method": d.method,
        "reason": d.reason,
        "status": d.status,
        "requested_by": d.requested_by.username if d.requested_by_id else None,
        "requested_at": d.requested_at,
        "decided_by": d.decided_by.username if d.decided_by_id else None,
        "decided_at": d.decided_at,
        "decision_note": d.decision_note,
        "document": d.document,
    }


def _vehicle(request, vehicle_id: int):
    return selectors.vehicle_get(request.user, vehicle_id)


def _reload(request, v):
    return selectors.vehicle_get(request.user, v.pk)


# ---- allocation and quotas ------------------------------------------------------------------------------


@router.get(
    "/allocation",
    response=AllocationOut,
    tags=["vehicles · quotas"],
    summary=gettext_lazy("车辆编制与配备情况"),
)
def allocation(request):
    # The province's published allocation: the one read that does not start from the user's scope.
    return selectors.allocation_table()


@router.get(
    "/quota-records",
    response=page_schema(QuotaRecordOut),
    tags=["vehicles · quotas"],
    summary=gettext_lazy("编制变更记录"),
)
def quota_record_list(request, params: Query[PageParams]):
    return paginate(selectors.quota_records(), params, record_out)


@router.post(
    "/quota-records",
    response={201: QuotaRecordOut},
    tags=["vehicles · quotas"],
    summary=gettext_lazy("新增编制文件"),
)
def quota_record_create(request, payload: QuotaRecordIn):
    data = payload.dict()
    record = services.quota_record_create(
        actor=request.user,
        doc_number=data["doc_number"],
        doc_date=data["doc_date"],
        kind=data["kind"],
        reason=data["reason"],
        total_change=data["total_change"],
        lines=data["lines"],
    )
    return Status(201, record_out(selectors.quota_records().get(pk=record.pk)))


@router.get("/quota-exceptions", response=page_schema(QuotaExceptionOut), tags=["vehicles · quotas"])
def quota_exception_list(request, params: Query[PageParams], active: bool | None = None):
    return paginate(selectors.quota_exceptions(request.user, active=active), params, exception_out)


@router.post(
    "/quota-exceptions",
    response={201: QuotaExceptionOut},
    tags=["vehicles · quotas"],
    summary=pgettext_lazy("let a city hold vehicles beyond its quota (provincial logistics)", "超编例外"),
)
def quota_exception_create(request, payload: QuotaExceptionIn):
    scope.require_role(request.user, scope.PROVINCE)
    city = selectors.city_get(request.user, payload.city_code)
    exc = services.quota_exception_grant(
        actor=request.user,
        city=city,
        extra=payload.extra,
        reason=payload.reason,
        doc_number=payload.doc_number,
    )
    return Status(201, exception_out(exc))


@router.post(
    "/quota-exceptions/{exception_id}/revoke", response=QuotaExceptionOut, tags=["vehicles · quotas"]
)
def quota_exception_revoke(request, exception_id: int, payload: ReasonIn):
    exc = selectors.quota_exception_get(request.user, exception_id)
    return exception_out(
        services.quota_exception_revoke(actor=request.user, exception=exc, reason=payload.reason)
    )


# ---- purchases --------------------------------------------------------------------------------------------


@router.get("/purchases", response=page_schema(PurchaseOut), tags=["vehicles · purchases"])
def purchase_list(request, params: Query[PageParams], city: str | None = None, stage: str | None = None):
    return paginate(selectors.purchases_for(request.user, city_code=city, stage=stage), params, purchase_out)


def _purchase_detail(p) -> dict:
    return {
        **purchase_out(p),
        "vehicles": p.vehicles.count(),
        "events": [
            {
                "stage": e.stage,
                "stage_label": one(PurchaseStage(e.stage).label),
                "date": e.date,
                "document": e.document,
                "note": e.note,
            }
            for e in p.events.all()
        ],
    }


@router.post(
    "/purchases",
    response={201: PurchaseDetail},
    tags=["vehicles · purchases"],
    summary=gettext_lazy("新建购置（预算批复）"),
)
def purchase_create(request, payload: PurchaseIn):
    city = selectors.city_get(request.user, payload.city_code)
    p = services.purchase_create(
        actor=request.user,
        city=city,
        title=payload.title,
        quantity=payload.quantity,
        stage_date=payload.stage_date,
        budget_amount=payload.budget_amount,
        document=payload.document,
        remarks=payload.remarks,
    )
    return Status(201, _purchase_detail(p))


@router.get("/purchases/{purchase_id}", response=PurchaseDetail, tags=["vehicles · purchases"])
def purchase_detail(request, purchase_id: int):
    return _purchase_detail(selectors.purchase_get(request.user, purchase_id))


@router.post(
    "/purchases/{purchase_id}/stage",
    response=PurchaseDetail,
    tags=["vehicles · purchases"],
    summary=gettext_lazy("推进购置阶段"),
)
def purchase_stage(request, purchase_id: int, payload: StageIn):
    p = selectors.purchase_get(request.user, purchase_id)
    p = services.purchase_advance(
        actor=request.user,
        purchase=p,
        stage=payload.stage,
        date=payload.date,
        document=payload.document,
        note=payload.note,
        contract_amount=payload.contract_amount,
        supplier=payload.supplier,
    )
    return _purchase_detail(selectors.purchase_get(request.user, p.pk))


# ---- the register -----------------------------------------------------------------------------------------


class VehicleFilters(PageParams):
    city: str | None = None
    unit: str | None = None
    status: str | None = None
    vehicle_type: str | None = None
    q: str | None = None
    papers: str | None = None
    days: int = 30


@router.get(
    "/vehicles",
    response=page_schema(VehicleOut),
    tags=["vehicles · register"],
    summary=pgettext_lazy("the register (scoped; papers=due|overdue)", "车辆登记簿"),
)
def vehicle_list(request, filters: Query[VehicleFilters]):
    qs = selectors.vehicles_for(
        request.user,
        city_code=filters.city,
        unit_code=filters.unit,
        status=filters.status,
        vehicle_type=filters.vehicle_type,
        q=filters.q,
        papers=filters.papers,
        days=filters.days,
    )
    return paginate(qs, filters, vehicle_out)


def _officer(request, officer_id: int | None):
    if officer_id is None:
        return None
    officer = Officer.objects.restrict(request.user).select_related("unit").filter(pk=officer_id).first()
    if officer is None:
        raise QMError(
            "bad_driver",
            gettext("驾驶员不存在或不在您的范围内"),
            {"field": "driver_id"},
        )
    return officer


def _station(request, code: str | None):
    return selectors.unit_get(request.user, code) if code else None


def _purchase(request, purchase_id: int | None):
    if purchase_id is None:
        return None
    try:
        return selectors.purchase_get(request.user, purchase_id)
    except NotFound:
        raise QMError("bad_purchase", gettext("购置项目不存在"), {"field": "purchase_id"}) from None


@router.post(
    "/vehicles",
    response={201: VehicleOut},
    tags=["vehicles · register"],
    summary=pgettext_lazy("put a vehicle on the register", "登记车辆"),
)
def vehicle_create(request, payload: VehicleIn):
    data = payload.dict()
    unit = selectors.unit_get(request.user, data.pop("owning_unit"))
    station = _station(request, data.pop("station"))
    driver = _officer(request, data.pop("driver_id"))
    data["purchase"] = _purchase(request, data.pop("purchase_id"))
    v = services.vehicle_create(
        actor=request.user,
        owning_unit=unit,
        vin_code=data.pop("vin"),
        brand=data.pop("brand"),
        plate=data.pop("plate"),
        station=station,
        driver=driver,
        status=data.pop("status"),
        inspection_due=data.pop("inspection_due"),
        **data,
    )
    return Status(201, vehicle_out(_reload(request, v)))


@router.get("/vehicles/{vehicle_id}", response=VehicleDetail, tags=["vehicles · register"])
def vehicle_detail(request, vehicle_id: int):
    v = _vehicle(request, vehicle_id)
    return {
        **vehicle_out(v),
        "history": [
            {
                "action": r.action,
                "changes": r.changes,
                "note": r.note,
                "actor": r.actor_name,
                "source": r.source,
                "at": r.created_at,
            }
            for r in history_for(v)
        ],
    }


@router.patch("/vehicles/{vehicle_id}", response=VehicleOut, tags=["vehicles · register"])
def vehicle_patch(request, vehicle_id: int, payload: VehiclePatch):
    v = _vehicle(request, vehicle_id)
    data = payload.dict(exclude_unset=True)
    if "purchase_id" in data:
        data["purchase"] = _purchase(request, data.pop("purchase_id"))
    v = services.vehicle_update(actor=request.user, vehicle=v, **data)
    return vehicle_out(_reload(request, v))


@router.post(
    "/vehicles/{vehicle_id}/register",
    response=VehicleOut,
    tags=["vehicles · register"],
    summary=gettext_lazy("上牌"),
)
def vehicle_register(request, vehicle_id: int, payload: RegisterIn):
    v = services.vehicle_register(
        actor=request.user,
        vehicle=_vehicle(request, vehicle_id),
        plate=payload.plate,
        registered_on=payload.registered_on,
    )
    return vehicle_out(_reload(request, v))


@router.post("/vehicles/{vehicle_id}/status", response=VehicleOut, tags=["vehicles · register"])
def vehicle_status(request, vehicle_id: int, payload: StatusIn):
    v = services.vehicle_set_status(
        actor=request.user,
        vehicle=_vehicle(request, vehicle_id),
        status=payload.status,
        reason=payload.reason,
    )
    return vehicle_out(_reload(request, v))


@router.post(
    "/vehicles/{vehicle_id}/assign",
    response=VehicleOut,
    tags=["vehicles · register"],
    summary=gettext_lazy("指派驾驶员与驻站"),
)
def vehicle_assign(request, vehicle_id: int, payload: AssignIn):
    v = _vehicle(request, vehicle_id)
    data = payload.dict(exclude_unset=True)
    kwargs = {}
    if "driver_id" in data:
        kwargs["driver"] = _officer(request, data["driver_id"])
    if "station" in data:
        kwargs["station"] = _station(request, data["station"])
    v = services.vehicle_assign(actor=request.user, vehicle=v, **kwargs)
    return vehicle_out(_reload(request, v))


# ---- transfers ----------------------------------------------------------------------------------------------


@router.post(
    "/vehicles/{vehicle_id}/transfer",
    response={201: TransferOut},
    tags=["vehicles · transfers"],
    summary=pgettext_lazy("move the vehicle to another unit", "调拨"),
)
def vehicle_transfer(request, vehicle_id: int, payload: TransferIn):
    v = _vehicle(request, vehicle_id)
    to_unit = selectors.unit_any(payload.to_unit)
    station = selectors.unit_any(payload.station) if payload.station else None
    move = services.vehicle_transfer(
        actor=request.user,
        vehicle=v,
        to_unit=to_unit,
        reason=payload.reason,
        document=payload.document,
        date=payload.date,
        station=station,
    )
    # the plate against the receiving city (the vehicle may now be outside the user's own scope)
    return Status(201, transfer_out(move, plates.warnings(v.plate, move.to_unit.city_code)))


@router.get("/vehicles/{vehicle_id}/transfers", response=list[TransferOut], tags=["vehicles · transfers"])
def vehicle_transfers(request, vehicle_id: int):
    v = _vehicle(request, vehicle_id)
    return [transfer_out(t) for t in v.transfers.select_related("from_unit", "to_unit")]


# ---- insurance and inspection ------------------------------------------------------------------------------


@router.get("/vehicles/{vehicle_id}/insurance", response=list[PolicyOut], tags=["vehicles · insurance"])
def policy_list(request, vehicle_id: int):
    return [policy_out(p) for p in _vehicle(request, vehicle_id).policies.all()]


@router.post(
    "/vehicles/{vehicle_id}/insurance",
    response={201: PolicyOut},
    tags=["vehicles · insurance"],
    summary=gettext_lazy("登记保单（交强险/商业险）"),
)
def policy_add(request, vehicle_id: int, payload: PolicyIn):
    p = services.policy_add(actor=request.user, vehicle=_vehicle(request, vehicle_id), **payload.dict())
    return Status(201, policy_out(p))


@router.post("/insurance/{policy_id}/cancel", response=PolicyOut, tags=["vehicles · insurance"])
def policy_cancel(request, policy_id: int, payload: ReasonIn):
    p = services.policy_cancel(
        actor=request.user, policy=selectors.policy_get(request.user, policy_id), reason=payload.reason
    )
    return policy_out(p)


@router.get(
    "/vehicles/{vehicle_id}/inspections", response=list[InspectionOut], tags=["vehicles · inspections"]
)
def inspection_list(request, vehicle_id: int):
    return list(_vehicle(request, vehicle_id).inspections.all())


@router.post(
    "/vehicles/{vehicle_id}/inspections",
    response={201: InspectionOut},
    tags=["vehicles · inspections"],
    summary=gettext_lazy("登记检验"),
)
def inspection_add(request, vehicle_id: int, payload: InspectionIn):
    record = services.inspection_record(
        actor=request.user, vehicle=_vehicle(request, vehicle_id), **payload.dict()
    )
    return Status(201, record)


@router.put(
    "/vehicles/{vehicle_id}/inspection-due",
    response=VehicleOut,
    tags=["vehicles · inspections"],
    summary=gettext_lazy("修改检验有效期至"),
)
def inspection_due_set(request, vehicle_id: int, payload: InspectionDueIn):
    v = services.vehicle_set_inspection_due(
        actor=request.user, vehicle=_vehicle(request, vehicle_id), due=payload.due, reason=payload.reason
    )
    return vehicle_out(_reload(request, v))


# ---- maintenance and odometer ------------------------------------------------------------------------------


@router.get(
    "/vehicles/{vehicle_id}/maintenance",
    response=list[MaintenanceOut],
    tags=["vehicles · maintenance"],
)
def maintenance_list(request, vehicle_id: int):
    return list(_vehicle(request, vehicle_id).maintenance.all())


@router.post(
    "/vehicles/{vehicle_id}/maintenance",
    response={201: MaintenanceOut},
    tags=["vehicles · maintenance"],
)
def maintenance_add(request, vehicle_id: int, payload: MaintenanceIn):
    record = services.maintenance_record(
        actor=request.user, vehicle=_vehicle(request, vehicle_id), **payload.dict()
    )
    return Status(201, record)


@router.get("/vehicles/{vehicle_id}/odometer", response=list[OdometerOut], tags=["vehicles · odometer"])
def odometer_list(request, vehicle_id: int):
    return list(_vehicle(request, vehicle_id).odometer_readings.all())


@router.post(
    "/vehicles/{vehicle_id}/odometer",
    response={201: OdometerOut},
    tags=["vehicles · odometer"],
    summary=gettext_lazy("登记里程（不可减少）"),
)
def odometer_add(request, vehicle_id: int, payload: OdometerIn):
    record = services.odometer_record(
        actor=request.user, vehicle=_vehicle(request, vehicle_id), **payload.dict()
    )
    return Status(201, record)


# ---- disposal --------------------------------------------------------------------------------------------------


@router.post(
    "/vehicles/{vehicle_id}/disposal",
    response={201: DisposalOut},
    tags=["vehicles · disposal"],
    summary=gettext_lazy("申请处置"),
)
def disposal_request(request, vehicle_id: int, payload: DisposalIn):
    if payload.method not in DisposalMethod.values:
        raise QMError(
            "bad_method",
            gettext("未知处置方式：{method}").format(method=payload.method),
            {"field": "method"},
        )
    d = services.disposal_request(
        actor=request.user,
        vehicle=_vehicle(request, vehicle_id),
        method=payload.method,
        reason=payload.reason,
    )
    return Status(201, disposal_out(d))


@router.get("/disposals", response=page_schema(DisposalOut), tags=["vehicles · disposal"])
def disposal_list(request, params: Query[PageParams], status: str | None = None):
    return paginate(selectors.disposals_for(request.user, status=status), params, disposal_out)


@router.post(
    "/disposals/{request_id}/approve",
    response=DisposalOut,
    tags=["vehicles · disposal"],
    summary=gettext_lazy("批准处置"),
)
def disposal_approve(request, request_id: int, payload: DecisionIn):
    d = services.disposal_decide(
        actor=request.user,
        request=selectors.disposal_get(request.user, request_id),
        approve=True,
        **payload.dict(),
    )
    return disposal_out(selectors.disposal_get(request.user, d.pk))


@router.post(
    "/disposals/{request_id}/reject",
    response=DisposalOut,
    tags=["vehicles · disposal"],
    summary=gettext_lazy("驳回处置"),
)
def disposal_reject(request, request_id: int, payload: DecisionIn):
    d = services.disposal_decide(
        actor=request.user,
        request=selectors.disposal_get(request.user, request_id),
        approve=False,
        note=payload.note,
        document=payload.document,
    )
    return disposal_out(selectors.disposal_get(request.user, d.pk))


# ---- import --------------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/import-template",
    tags=["vehicles · import"],
    summary=pgettext_lazy("the import template (.xlsx)", "导入模板"),
)
def import_template(request):
    return _xlsx(exporters.template_workbook(), "vehicle-import-template.xlsx")


@router.get(
    "/export",
    tags=["vehicles · import"],
    summary=gettext_lazy("导出登记簿"),
)
def vehicle_export(request, filters: Query[VehicleFilters]):
    qs = selectors.vehicles_for(
        request.user,
        city_code=filters.city,
        unit_code=filters.unit,
        status=filters.status,
        vehicle_type=filters.vehicle_type,
        q=filters.q,
        papers=filters.papers,
        days=filters.days,
    )
    return _xlsx(exporters.register_workbook(qs), "vehicles.xlsx")


@router.post(
    "/import",
    response={200: ImportReport},
    tags=["vehicles · import"],
    summary=gettext_lazy("从 Excel 导入车辆"),
)
def vehicle_import(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    scope.require_role(request.user, *services.REGISTER_ROLES)
    result = importers.import_vehicles(actor=request.user, source=file, dry_run=dry_run)
    if not result.ok:
        raise QMError(
            "import_rejected",
            gettext("导入被拒绝，共{n_errors}处错误，未写入任何数据").format(n_errors=len(result.errors)),
            result.as_dict(),
        )
    return result.as_dict()
