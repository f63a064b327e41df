from ninja import Query, Router

from core.errors import QMError
from core.history import history_for
from core.pagination import PageParams, page_schema, paginate

from . import selectors, services
from .choices import OfficerStatus
from .ids import mask
from .schemas import OfficerDetail, OfficerOut, OfficerPatch, StatusIn, TransferIn, UnitNode, UnitOut

router = Router(tags=["personnel 人员"])


def officer_out(user, officer) -> dict:
    full = services.can_see_full_id(user, officer.unit)
    return {
        "id": officer.id, "name": officer.name, "gender": officer.gender,
        "id_number": officer.id_number if full else mask(officer.id_number),
        "birth_date": officer.birth_date, "certificate_number": officer.certificate_number,
        "unit_code": officer.unit.code, "unit_name": officer.unit.name, "city_code": officer.unit.city_code,
        "post": officer.post, "status": officer.status, "status_label": OfficerStatus(officer.status).label,
        "height_cm": officer.height_cm, "chest_cm": officer.chest_cm, "waist_cm": officer.waist_cm,
        "head_cm": officer.head_cm, "foot_mm": officer.foot_mm, "shoe_eu": officer.shoe_eu,
        "measured_on": officer.measured_on, "phone": officer.phone, "remarks": officer.remarks,
    }


def change_out(record) -> dict:
    return {"id": record.id, "action": record.action, "changes": record.changes, "note": record.note,
            "actor": record.actor_name, "source": record.source, "at": record.created_at}


@router.get("/units", response=list[UnitNode], summary="单位树与编制、到位 org tree with staffing")
def unit_tree(request):
    return selectors.unit_tree(request.user)


@router.get("/units/{code}", response=UnitOut)
def unit_detail(request, code: str):
    unit = selectors.unit_get(request.user, code)
    return {"code": unit.code, "name": unit.name, "level": unit.level,
            "parent_code": unit.parent.code if unit.parent_id else None, "city_code": unit.city_code,
            "authorised_posts": unit.authorised_posts, "station_class": unit.station_class,
            "address": unit.address}


class OfficerFilters(PageParams):
    unit: str | None = None
    status: str | None = None
    q: str | None = None
    eligible: bool | None = None


@router.get("/officers", response=page_schema(OfficerOut), summary="花名册 officers (paginated, scoped)")
def officer_list(request, filters: Query[OfficerFilters]):
    if filters.status and filters.status not in OfficerStatus.values:
        raise QMError("bad_filter", f"未知状态 unknown status {filters.status}", {"field": "status"})
    qs = selectors.officers_for(request.user, unit_code=filters.unit, status=filters.status, q=filters.q,
                                eligible=filters.eligible)
    return paginate(qs, filters, lambda o: officer_out(request.user, o))


@router.get("/officers/{officer_id}", response=OfficerDetail)
def officer_detail(request, officer_id: int):
    officer = selectors.officer_get(request.user, officer_id)
    out = officer_out(request.user, officer)
    out["history"] = [change_out(r) for r in history_for(officer)]
    return out


@router.patch("/officers/{officer_id}", response=OfficerOut)
def officer_patch(request, officer_id: int, payload: OfficerPatch):
    officer = selectors.officer_get(request.user, officer_id)
    officer = services.officer_update(actor=request.user, officer=officer, **payload.dict(exclude_unset=True))
    return officer_out(request.user, officer)


@router.post("/officers/{officer_id}/transfer", response=OfficerOut)
def officer_transfer(request, officer_id: int, payload: TransferIn):
    officer = selectors.officer_get(request.user, officer_id)
    to_unit = selectors.unit_get(request.user, payload.to_unit)
    officer = services.officer_transfer(actor=request.user, officer=officer, to_unit=to_unit,
                                        reason=payload.reason)
    return officer_out(request.user, officer)


@router.post("/officers/{officer_id}/status", response=OfficerOut)
def officer_status(request, officer_id: int, payload: StatusIn):
    officer = selectors.officer_get(request.user, officer_id)
    officer = services.officer_set_status(actor=request.user, officer=officer, status=payload.status,
                                          reason=payload.reason)
    return officer_out(request.user, officer)
