"""Station equipment API, mounted at /api/v1/assets/: stations, equipment types, the standard kit, the
register (with QR labels and Excel import), transfer and disposal requests, condition surveys and gaps."""

import datetime
from decimal import Decimal

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from core import scope, uploads
from core.errors import NotFound, QMError
from core.history import history_for
from core.i18n import one
from core.pagination import PageParams, page_schema, paginate

from . import equipment_importers as importers
from . import equipment_selectors as selectors
from . import equipment_services as services
from .equipment_choices import (
    Condition,
    EquipmentCategory,
    ItemStatus,
    RequestKind,
    RequestStatus,
    StationClass,
)
from .equipment_labels import label_png, label_svg
from .equipment_models import EquipmentItem, SurveyEntry, SurveyPhoto
from .equipment_schemas import (
    ChangeOut,
    ChoiceOut,
    CompareOut,
    DecisionIn,
    DisposalIn,
    EquipmentTypeIn,
    EquipmentTypeOut,
    EquipmentTypePatch,
    FoundIn,
    GapReportOut,
    GapRowOut,
    GradesIn,
    ImportOut,
    ItemDetail,
    ItemIn,
    ItemOut,
    ItemPatch,
    ItemStatusIn,
    KitLineIn,
    KitLineOut,
    NoteIn,
    PhotoOut,
    ProgressOut,
    RequestOut,
    ReturnOut,
    StationDetail,
    StationIn,
    StationOut,
    StationPatch,
    SurveyIn,
    SurveyOut,
    TransferIn,
)

router = Router(tags=["station equipment"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_write(user) -> None:
    """Auditors (and anyone without a writing role) get 403 before any lookup of what to write."""
    scope.require_role(user, *scope.WRITE_ROLES)


def _choices(cls) -> list[dict]:
    return [{"value": c.value, "label": c.label} for c in cls]


def change_out(record) -> dict:
    return {
        "id": record.id,
        "action": record.action,
        "changes": record.changes,
        "note": record.note,
        "actor": record.actor_name,
        "source": record.source,
        "at": record.created_at,
    }


def station_out(unit, items_on_books: int | None = None) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "parent_code": unit.parent.code if unit.parent_id else "",
        "parent_name": unit.parent.name if unit.parent_id else "",
        "city_code": unit.city_code,
        "station_class": unit.station_class,
        "station_class_label": one(StationClass(unit.station_class).label)
        if unit.station_class in StationClass.values
        else "",
        "address": unit.address,
        "is_active": unit.is_active,
        "items_on_books": items_on_books
        if items_on_books is not None
        else getattr(unit, "items_on_books", 0),
    }


def type_out(t) -> dict:
    return {
        "id": t.id,
        "code": t.code,
        "name": t.name,
        "name_en": t.name_en,
        "category": t.category,
        "category_label": one(EquipmentCategory(t.category).label),
        "unit_price": t.unit_price,
        "service_life_years": t.service_life_years,
        "spec": t.spec,
        "is_active": t.is_active,
    }


def kit_out(line) -> dict:
    t = line.equipment_type
    return {
        "id": line.id,
        "station_class": line.station_class,
        "station_class_label": one(StationClass(line.station_class).label),
        "equipment_type": t.code,
        "equipment_type_name": t.name,
        "quantity": line.quantity,
        "unit_price": t.unit_price,
        "line_cost": services.money(line.quantity * t.unit_price),
        "note": line.note,
    }


def item_out(item, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    t = item.equipment_type
    age = round((today - item.acquired_on).days / 365.25, 1) if item.acquired_on else None
    return {
        "id": item.id,
        "asset_tag": item.asset_tag,
        "equipment_type": t.code,
        "equipment_type_name": t.name,
        "category": t.category,
        "serial_number": item.serial_number,
        "station_code": item.station.code,
        "station_name": item.station.name,
        "acquired_on": item.acquired_on,
        "acquired_value": item.acquired_value,
        "age_years": age,
        "past_service_life": age is not None and age >= t.service_life_years,
        "condition": item.condition,
        "condition_label": one(Condition(item.condition).label),
        "status": item.status,
        "status_label": one(ItemStatus(item.status).label),
        "source": item.source,
        "note": item.note,
    }


def request_out(user, r) -> dict:
    return {
        "id": r.id,
        "kind": r.kind,
        "kind_label": one(RequestKind(r.kind).label),
        "item_id": r.item_id,
        "asset_tag": r.item.asset_tag,
        "equipment_type_name": r.item.equipment_type.name,
        "from_station": r.from_station.code,
        "to_station": r.to_station.code if r.to_station_id else None,
        "approval_unit": r.approval_unit.code,
        "approval_unit_name": r.approval_unit.name,
        "reason": r.reason,
        "status": r.status,
        "status_label": one(RequestStatus(r.status).label),
        "requested_by": r.requested_by.username if r.requested_by_id else None,
        "decided_by": r.decided_by.username if r.decided_by_id else None,
        "decided_at": r.decided_at,
        "decision_note": r.decision_note,
        "received_at": r.received_at,
        "created_at": r.created_at,
        "can_decide": r.status == RequestStatus.PENDING
        and services.can_approve(user, r)
        and r.requested_by_id != user.pk,
    }


def gap_out(row) -> dict:
    return {
        "station_code": row.station_code,
        "station_name": row.station_name,
        "station_class": row.station_class,
        "equipment_type": row.type_code,
        "equipment_type_name": row.type_name,
        "unit_price": row.unit_price,
        **{
            k: getattr(row, k)
            for k in (
                "required",
                "serviceable",
                "serviceable_past_life",
                "needs_repair",
                "unserviceable",
                "oldest_acquired_on",
                "shortage",
                "renewal",
                "replacement",
                "additional",
                "need",
                "cost",
                "priority",
                "reason",
            )
        },
    }


def survey_out(s) -> dict:
    return {
        "id": s.id,
        "name": s.name,
        "opened_on": s.opened_on,
        "deadline": s.deadline,
        "status": s.status,
        "closed_on": s.closed_on,
        "note": s.note,
        "summary": s.summary,
    }


# ---- reference: choices --------------------------------------------------------------------------


@router.get("/equipment/choices", response=dict[str, list[ChoiceOut]], summary=gettext_lazy("站所装备选项"))
def equipment_choices(request):
    return {
        "station_class": _choices(StationClass),
        "category": _choices(EquipmentCategory),
        "condition": _choices(Condition),
        "status": _choices(ItemStatus),
    }


# ---- stations ------------------------------------------------------------------------------------


class StationFilters(PageParams):
    unit: str | None = None
    station_class: str | None = None


@router.get("/stations", response=page_schema(StationOut), summary=pgettext_lazy("stations (scoped)", "站所"))
def station_list(request, filters: Query[StationFilters]):
    qs = selectors.stations_for(request.user, unit_code=filters.unit, station_class=filters.station_class)
    return paginate(qs, filters, station_out)


@router.post("/stations", response={201: StationOut}, summary=gettext_lazy("新增站所"))
def station_create(request, payload: StationIn):
    _require_write(request.user)
    parent = selectors.unit_get(request.user, payload.parent)
    unit = services.station_create(
        actor=request.user,
        parent=parent,
        name=payload.name,
        station_class=payload.station_class,
        address=payload.address,
        code=payload.code,
    )
    return Status(201, station_out(unit, 0))


@router.get(
    "/stations/{code}",
    response=StationDetail,
    summary=gettext_lazy("站所页：台账、标准配置缺口、最近清查与变化"),
)
def station_detail(request, code: str):
    station = selectors.station_get(request.user, code)
    items = EquipmentItem.objects.filter(station=station)
    by_condition = {c: 0 for c in Condition.values}
    by_status = {s: 0 for s in ItemStatus.values}
    for cond, status in items.values_list("condition", "status"):
        by_status[status] += 1
        if status not in (ItemStatus.DISPOSED, ItemStatus.TRANSFERRED):
            by_condition[cond] += 1
    kit = selectors.gap_rows([station])
    kit.sort(key=selectors.priority_key)
    surveys = selectors.station_survey_history(station)
    current = None
    open_survey = selectors.surveys().filter(status="open").first()
    if open_survey is not None:
        ret = selectors.survey_return(request.user, open_survey, station)
        current = {
            "id": open_survey.pk,
            "name": open_survey.name,
            "deadline": open_survey.deadline,
            "return_status": ret["status"],
            "items_on_books": ret["items_on_books"],
            "graded": ret["graded"],
        }
    return {
        **station_out(station, sum(by_condition.values())),
        "current_survey": current,
        "counts_by_condition": by_condition,
        "counts_by_status": by_status,
        "kit": [gap_out(r) for r in kit],
        "need_cost": services.money(sum((r.cost for r in kit), Decimal(0))),
        "last_survey": surveys["last_survey"],
        "previous_survey": surveys["previous_survey"],
        "last_survey_counts": surveys["counts"],
        "last_survey_findings": surveys["findings"],
        "changes_since_previous": surveys["changes"],
        "history": [change_out(r) for r in history_for(station)[:50]],
    }


@router.patch("/stations/{code}", response=StationOut)
def station_patch(request, code: str, payload: StationPatch):
    _require_write(request.user)
    station = selectors.station_get(request.user, code)
    station = services.station_update(actor=request.user, station=station, **payload.dict(exclude_unset=True))
    return station_out(
        station, EquipmentItem.objects.filter(station=station, status__in=("in_use", "in_repair")).count()
    )


# ---- equipment types and the standard kit ----------------------------------------------------------


@router.get(
    "/equipment/types", response=list[EquipmentTypeOut], summary=pgettext_lazy("equipment types", "装备类型")
)
def type_list(request, include_inactive: bool = False):
    return [type_out(t) for t in selectors.equipment_types(include_inactive=include_inactive)]


@router.post("/equipment/types", response={201: EquipmentTypeOut})
def type_create(request, payload: EquipmentTypeIn):
    t = services.equipment_type_create(actor=request.user, **payload.dict())
    return Status(201, type_out(t))


@router.patch("/equipment/types/{code}", response=EquipmentTypeOut)
def type_patch(request, code: str, payload: EquipmentTypePatch):
    _require_write(request.user)
    t = selectors.equipment_type_get(code)
    return type_out(
        services.equipment_type_update(
            actor=request.user, equipment_type=t, **payload.dict(exclude_unset=True)
        )
    )


@router.get("/equipment/kits", response=list[KitLineOut], summary=gettext_lazy("标准配置"))
def kit_list(request, station_class: str | None = None, include_zero: bool = False):
    return [
        kit_out(line) for line in selectors.kit_lines(station_class=station_class, include_zero=include_zero)
    ]


@router.put(
    "/equipment/kits/{station_class}/{type_code}",
    response=KitLineOut,
    summary=gettext_lazy("设置标准配置数量"),
)
def kit_set(request, station_class: str, type_code: str, payload: KitLineIn):
    _require_write(request.user)
    t = selectors.equipment_type_get(type_code)
    line = services.kit_line_set(
        actor=request.user,
        station_class=station_class,
        equipment_type=t,
        quantity=payload.quantity,
        note=payload.note,
    )
    return kit_out(line)


@router.get(
    "/equipment/kits/history", response=page_schema(ChangeOut), summary=gettext_lazy("标准配置变更记录")
)
def kit_history(request, params: Query[PageParams]):
    from django.contrib.contenttypes.models import ContentType

    from core.models import ChangeRecord

    from .equipment_models import StandardKitLine

    qs = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(StandardKitLine))
    return paginate(qs, params, change_out)


# ---- the register --------------------------------------------------------------------------------


class ItemFilters(PageParams):
    unit: str | None = None
    equipment_type: str | None = None
    condition: str | None = None
    status: str | None = None
    asset_tag: str | None = None
    q: str | None = None


@router.get("/equipment/items", response=page_schema(ItemOut), summary=gettext_lazy("装备台账"))
def item_list(request, filters: Query[ItemFilters]):
    qs = selectors.items_for(
        request.user,
        unit_code=filters.unit,
        equipment_type=filters.equipment_type,
        condition=filters.condition,
        status=filters.status,
        q=filters.q,
        asset_tag=filters.asset_tag,
    )
    today = timezone.localdate()
    return paginate(qs, filters, lambda i: item_out(i, today))


@router.post("/equipment/items", response={201: ItemOut}, summary=gettext_lazy("登记装备"))
def item_create(request, payload: ItemIn):
    _require_write(request.user)
    station = selectors.station_get(request.user, payload.station)
    t = selectors.equipment_type_get(payload.equipment_type)
    data = payload.dict(exclude={"station", "equipment_type"})
    return Status(
        201, item_out(services.item_create(actor=request.user, station=station, equipment_type=t, **data))
    )


@router.get("/equipment/items/import-template", summary=gettext_lazy("导入模板"))
def item_import_template(request):
    response = HttpResponse(importers.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="equipment-import-template.xlsx"'
    return response


@router.post(
    "/equipment/items/import",
    response=ImportOut,
    summary=gettext_lazy("从 Excel 导入站所或县级机构的装备台账"),
)
def item_import(request, unit: Form[str], file: File[UploadedFile], dry_run: Form[bool] = False):
    _require_write(request.user)
    target = selectors.unit_get(request.user, unit)
    data = uploads.read_bounded(file, uploads.EQUIPMENT)
    return importers.import_inventory(actor=request.user, unit=target, data=data, dry_run=dry_run)


@router.get("/equipment/items/{item_id}", response=ItemDetail)
def item_detail(request, item_id: int):
    item = selectors.item_get(request.user, item_id)
    out = item_out(item)
    out["history"] = [change_out(r) for r in history_for(item)]
    out["requests"] = [
        request_out(request.user, r) for r in selectors.requests_for(request.user).filter(item=item)
    ]
    out["surveys"] = [
        {
            "survey_id": e.survey_return.survey_id,
            "survey_name": e.survey_return.survey.name,
            "condition": e.condition,
            "note": e.note,
            "found": e.found,
        }
        for e in SurveyEntry.objects.filter(item=item)
        .select_related("survey_return__survey")
        .order_by("-survey_return__survey__opened_on")
    ]
    return out


@router.patch("/equipment/items/{item_id}", response=ItemOut)
def item_patch(request, item_id: int, payload: ItemPatch):
    _require_write(request.user)
    item = selectors.item_get(request.user, item_id)
    return item_out(services.item_update(actor=request.user, item=item, **payload.dict(exclude_unset=True)))


@router.post("/equipment/items/{item_id}/status", response=ItemOut, summary=gettext_lazy("送修/恢复在用"))
def item_status(request, item_id: int, payload: ItemStatusIn):
    _require_write(request.user)
    item = selectors.item_get(request.user, item_id)
    return item_out(
        services.item_set_status(actor=request.user, item=item, status=payload.status, reason=payload.reason)
    )


@router.get("/equipment/items/{item_id}/label", summary=gettext_lazy("二维码标签"))
def item_label(request, item_id: int, format: str = "svg"):
    item = selectors.item_get(request.user, item_id)
    if format == "svg":
        return HttpResponse(label_svg(item), content_type="image/svg+xml")
    if format == "png":
        return HttpResponse(label_png(item), content_type="image/png")
    raise QMError("bad_format", gettext("格式应为 svg 或 png"), {"field": "format"})


@router.post(
    "/equipment/items/{item_id}/transfer", response={201: RequestOut}, summary=gettext_lazy("申请调拨")
)
def item_transfer(request, item_id: int, payload: TransferIn):
    _require_write(request.user)
    item = selectors.item_get(request.user, item_id)
    to_station = selectors.station_get(request.user, payload.to_station)
    r = services.transfer_request(actor=request.user, item=item, to_station=to_station, reason=payload.reason)
    return Status(201, request_out(request.user, selectors.request_get(request.user, r.pk)))


@router.post(
    "/equipment/items/{item_id}/dispose", response={201: RequestOut}, summary=gettext_lazy("申请报废")
)
def item_dispose(request, item_id: int, payload: DisposalIn):
    _require_write(request.user)
    item = selectors.item_get(request.user, item_id)
    r = services.disposal_request(actor=request.user, item=item, reason=payload.reason)
    return Status(201, request_out(request.user, selectors.request_get(request.user, r.pk)))


# ---- transfer and disposal requests ----------------------------------------------------------------


class RequestFilters(PageParams):
    status: str | None = None
    kind: str | None = None
    to_decide: bool = False


@router.get("/equipment/requests", response=page_schema(RequestOut), summary=gettext_lazy("调拨与报废申请"))
def request_list(request, filters: Query[RequestFilters]):
    qs = selectors.requests_for(
        request.user, status=filters.status, kind=filters.kind, to_decide=filters.to_decide
    )
    return paginate(qs, filters, lambda r: request_out(request.user, r))


def _decision(name):
    def view(request, request_id: int, payload: DecisionIn):
        _require_write(request.user)
        r = selectors.request_get(request.user, request_id)
        getattr(services, f"request_{name}")(actor=request.user, request=r, note=payload.note)
        return request_out(request.user, selectors.request_get(request.user, request_id))

    view.__name__ = f"request_{name}"
    return view


for _name, _summary in (
    ("approve", gettext_lazy("批准")),
    ("reject", gettext_lazy("驳回")),
    ("cancel", gettext_lazy("撤回")),
    ("receive", gettext_lazy("接收调拨")),
):
    router.post(f"/equipment/requests/{{request_id}}/{_name}", response=RequestOut, summary=_summary)(
        _decision(_name)
    )


# ---- surveys ------------------------------------------------------------------------------------


@router.get(
    "/equipment/surveys", response=list[SurveyOut], summary=pgettext_lazy("condition surveys", "装备清查")
)
def survey_list(request):
    return [survey_out(s) for s in selectors.surveys()]


@router.post("/equipment/surveys", response={201: SurveyOut}, summary=gettext_lazy("发起清查"))
def survey_open(request, payload: SurveyIn):
    s = services.survey_open(
        actor=request.user, name=payload.name, deadline=payload.deadline, note=payload.note
    )
    return Status(201, survey_out(s))


@router.get("/equipment/surveys/compare", response=CompareOut, summary=gettext_lazy("两次清查对比"))
def survey_compare(request, base: int, target: int, unit: str | None = None):
    return selectors.survey_compare(
        request.user, selectors.survey_get(base), selectors.survey_get(target), unit_code=unit
    )


@router.get("/equipment/surveys/{survey_id}", response=SurveyOut)
def survey_detail(request, survey_id: int):
    return survey_out(selectors.survey_get(survey_id))


@router.post("/equipment/surveys/{survey_id}/close", response=SurveyOut, summary=gettext_lazy("结束清查"))
def survey_close(request, survey_id: int, payload: NoteIn):
    return survey_out(
        services.survey_close(actor=request.user, survey=selectors.survey_get(survey_id), note=payload.note)
    )


@router.get(
    "/equipment/surveys/{survey_id}/progress",
    response=ProgressOut,
    summary=gettext_lazy("清查进度"),
)
def survey_progress(request, survey_id: int, unit: str | None = None):
    return selectors.survey_progress(request.user, selectors.survey_get(survey_id), unit_code=unit)


@router.get(
    "/equipment/surveys/{survey_id}/stations/{code}", response=ReturnOut, summary=gettext_lazy("站所清查表")
)
def survey_return(request, survey_id: int, code: str):
    station = selectors.station_get(request.user, code)
    return selectors.survey_return(request.user, selectors.survey_get(survey_id), station)


@router.post(
    "/equipment/surveys/{survey_id}/stations/{code}/grades",
    response=ReturnOut,
    summary=gettext_lazy("评定装备状况"),
)
def survey_grade(request, survey_id: int, code: str, payload: GradesIn):
    _require_write(request.user)
    station = selectors.station_get(request.user, code)
    survey = selectors.survey_get(survey_id)
    services.survey_grade(
        actor=request.user,
        survey=survey,
        station=station,
        grades=[g.dict() for g in payload.grades],
        copy_last=payload.copy_last,
    )
    return selectors.survey_return(request.user, survey, station)


@router.post(
    "/equipment/surveys/{survey_id}/stations/{code}/found",
    response={201: ReturnOut},
    summary=gettext_lazy("登记清查发现的账外装备"),
)
def survey_found(request, survey_id: int, code: str, payload: FoundIn):
    _require_write(request.user)
    station = selectors.station_get(request.user, code)
    survey = selectors.survey_get(survey_id)
    t = selectors.equipment_type_get(payload.equipment_type)
    services.survey_add_found(
        actor=request.user,
        survey=survey,
        station=station,
        equipment_type=t,
        **payload.dict(exclude={"equipment_type"}),
    )
    return Status(201, selectors.survey_return(request.user, survey, station))


def _return_action(name):
    def view(request, survey_id: int, code: str, payload: NoteIn):
        _require_write(request.user)
        station = selectors.station_get(request.user, code)
        survey = selectors.survey_get(survey_id)
        getattr(services, f"survey_{name}")(
            actor=request.user, survey=survey, station=station, note=payload.note
        )
        return selectors.survey_return(request.user, survey, station)

    view.__name__ = f"survey_{name}"
    return view


for _name, _summary in (
    ("submit", gettext_lazy("站所提交")),
    ("confirm", gettext_lazy("县级确认")),
    ("send_back", gettext_lazy("退回修改")),
):
    router.post(
        f"/equipment/surveys/{{survey_id}}/stations/{{code}}/{_name.replace('_', '-')}",
        response=ReturnOut,
        summary=_summary,
    )(_return_action(_name))


def _entry_in_scope(user, entry_id: int) -> SurveyEntry:
    entry = scope.get_in_scope_or_404(
        SurveyEntry.objects.select_related("survey_return__station", "survey_return__survey"),
        user,
        "survey_return__station",
        pk=entry_id,
    )
    return entry


def photo_out(p) -> dict:
    return {
        "id": p.id,
        "entry_id": p.entry_id,
        "content_type": p.content_type,
        "size": p.size,
        "url": f"/api/v1/assets/equipment/survey-photos/{p.id}",
    }


@router.post(
    "/equipment/survey-entries/{entry_id}/photos", response={201: PhotoOut}, summary=gettext_lazy("上传照片")
)
def survey_photo_add(request, entry_id: int, file: File[UploadedFile]):
    _require_write(request.user)
    entry = _entry_in_scope(request.user, entry_id)
    return Status(201, photo_out(services.survey_add_photo(actor=request.user, entry=entry, uploaded=file)))


@router.get("/equipment/survey-entries/{entry_id}/photos", response=list[PhotoOut])
def survey_photo_list(request, entry_id: int):
    entry = _entry_in_scope(request.user, entry_id)
    return [photo_out(p) for p in entry.photos.all()]


@router.get("/equipment/survey-photos/{photo_id}", summary=gettext_lazy("照片文件"))
def survey_photo_file(request, photo_id: int):
    photo = scope.get_in_scope_or_404(
        SurveyPhoto.objects.all(), request.user, "entry__survey_return__station", pk=photo_id
    )
    try:
        return FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    except FileNotFoundError:
        raise NotFound(gettext("照片文件缺失")) from None


# ---- gaps ---------------------------------------------------------------------------------------


@router.get(
    "/equipment/gaps",
    response=GapReportOut,
    summary=gettext_lazy("缺口与需求汇总"),
)
def gap_report(request, unit: str | None = None):
    return selectors.gap_report(request.user, unit_code=unit)


@router.get("/equipment/gaps/export", summary=gettext_lazy("需求清单"))
def gap_export(request, unit: str | None = None):
    from .equipment_exporters import gaps_workbook

    report = selectors.gap_report(request.user, unit_code=unit)
    rows = selectors.gap_list(request.user, unit_code=unit)
    response = HttpResponse(gaps_workbook(report, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="equipment-needs-{report["unit_code"]}.xlsx"'
    return response


class GapFilters(PageParams):
    unit: str | None = None
    include_met: bool = False


@router.get(
    "/equipment/gaps/rows",
    response=page_schema(GapRowOut),
    summary=gettext_lazy("按优先级排列的站所×类型需求"),
)
def gap_rows(request, filters: Query[GapFilters]):
    rows = selectors.gap_list(request.user, unit_code=filters.unit, only_needs=not filters.include_met)
    return paginate(_Rows(rows), filters, gap_out)


class _Rows(list):
    """A computed list that paginate() can count."""

    def count(self):  # noqa: D401
        return len(self)
