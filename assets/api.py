from django.http import HttpResponse
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from ninja import Query, Router

from core import scope
from core.errors import NotFound
from core.pagination import PageParams, page_schema, paginate
from core.schema import Schema
from personnel import selectors as personnel_selectors

from . import exporters, selectors, services
from .demand import MARGIN_PERCENT, order_lines
from .schemas import (
    CompareOut,
    DemandOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    OfficerSizesOut,
    SkirtsIn,
    SnapshotBrief,
    SnapshotIn,
    SnapshotOut,
    StandardRevisionIn,
    StandardVersionBrief,
    StandardVersionOut,
)

try:  # django-ninja ≥ 1.5 spells a status code this way; older ones take a tuple
    from ninja import Status
except ImportError:  # pragma: no cover

    def Status(status_code, value):  # noqa: N802
        return status_code, value


router = Router(tags=["assets"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _member(request) -> None:
    if not scope.memberships(request.user):
        raise NotFound()


def item_out(item) -> dict:
    return {
        f: getattr(item, f)
        for f in (
            "code",
            "name_zh",
            "name_en",
            "name_men",
            "name_women",
            "category",
            "size_system",
            "qty_per_officer",
            "service_life_years",
            "source",
            "note",
            "sort_order",
            "is_active",
        )
    } | {"is_assumption": item.is_assumption}


def version_out(version) -> dict:
    return {
        "number": version.number,
        "note": version.note,
        "created_by": version.created_by.get_username() if version.created_by_id else None,
        "created_at": version.created_at,
        "lines": selectors.standard_lines(version),
    }


# ---- catalog and standard ----------------------------------------------------------------------------


@router.get("/items", response=list[ItemOut], summary=gettext_lazy("被装品类"))
def item_list(request, include_inactive: bool = False):
    _member(request)
    return [item_out(i) for i in selectors.item_types(include_inactive=include_inactive)]


@router.get("/items/{code}", response=ItemOut)
def item_detail(request, code: str):
    _member(request)
    return item_out(selectors.item_type_get(code))


@router.post("/items", response={201: ItemOut}, summary=gettext_lazy("新增品类"))
def item_create(request, payload: ItemIn):
    item = services.item_type_create(actor=request.user, **payload.dict())
    return Status(201, item_out(item))


@router.patch(
    "/items/{code}",
    response=ItemOut,
    summary=gettext_lazy("修改品类"),
)
def item_patch(request, code: str, payload: ItemPatch):
    item = selectors.item_type_get(code)
    fields = payload.dict(exclude_unset=True)
    reason = fields.pop("reason", "")
    fields = {k: v for k, v in fields.items() if v is not None}
    return item_out(services.item_type_update(actor=request.user, item=item, note=reason, **fields))


@router.get("/standard", response=StandardVersionOut, summary=gettext_lazy("现行配发标准"))
def standard_current(request):
    _member(request)
    return version_out(selectors.standard_version_get())


@router.get("/standard/versions", response=list[StandardVersionBrief])
def standard_versions(request):
    _member(request)
    versions = list(selectors.standard_versions())
    current = versions[0].number if versions else None
    return [
        {
            "number": v.number,
            "note": v.note,
            "created_at": v.created_at,
            "line_count": v.line_count,
            "created_by": v.created_by.get_username() if v.created_by_id else None,
            "is_current": v.number == current,
        }
        for v in versions
    ]


@router.get("/standard/versions/{number}", response=StandardVersionOut)
def standard_version(request, number: int):
    _member(request)
    return version_out(selectors.standard_version_get(number))


@router.post(
    "/standard",
    response={201: StandardVersionOut},
    summary=gettext_lazy("修订配发标准"),
)
def standard_revise(request, payload: StandardRevisionIn):
    changes = [c.dict(exclude_none=True) for c in payload.changes]
    version = services.standard_revise(actor=request.user, changes=changes, note=payload.note)
    return Status(201, version_out(version))


# ---- sizes ---------------------------------------------------------------------------------------------


@router.get(
    "/officers/{officer_id}/sizes",
    response=OfficerSizesOut,
    summary=gettext_lazy("人员号型"),
)
def officer_sizes(request, officer_id: int):
    return selectors.officer_size_report(request.user, officer_id)


@router.put(
    "/officers/{officer_id}/skirts",
    response=OfficerSizesOut,
    summary=gettext_lazy("女警裙装"),
)
def officer_skirts(request, officer_id: int, payload: SkirtsIn):
    officer = personnel_selectors.officer_get(request.user, officer_id)
    services.skirt_choice_set(actor=request.user, officer=officer, skirts=payload.skirts)
    return selectors.size_report(officer)


# ---- demand --------------------------------------------------------------------------------------------


class DemandFilters(Schema):
    city: str | None = None
    margin: int = MARGIN_PERCENT


def _totals(rows) -> dict:
    out = {}
    for r in rows:
        out.setdefault(r["item_code"], {"M": 0, "F": 0})[r["gender"]] += r["quantity"]
    return out


@router.get(
    "/demand",
    response=DemandOut,
    summary=pgettext_lazy("live demand per city × item × gender × size (city staff: their city)", "需求"),
)
def demand(request, filters: Query[DemandFilters]):
    d = selectors.demand_for(request.user, city_code=filters.city, margin_percent=filters.margin)
    rows = d.row_list()
    return {
        "standard_version": d.standard_version,
        "margin_percent": d.margin_percent,
        "city_code": filters.city,
        "officer_count": len(d.officers),
        "totals": _totals(rows),
        "rows": rows,
        "order_lines": d.order_lines(),
        "unknown": d.unknown,
        "made_to_measure": d.made_to_measure,
    }


@router.get(
    "/demand/size-table.xlsx",
    summary=pgettext_lazy("the size table (Excel), live or from ?snapshot=", "号型统计表"),
)
def size_table(request, city: str | None = None, snapshot: int | None = None):
    if snapshot is not None:
        snap = selectors.snapshot_get(request.user, snapshot)
        selectors.check_city(request.user, city)
        rows = selectors.visible_rows(request.user, snap, city)
        title = f"需求快照 #{snap.pk} · 配发标准 v{snap.standard_version.number} · {snap.created_at:%Y-%m-%d %H:%M}"
        name = f"size-table-snapshot-{snap.pk}{'-' + city if city else ''}.xlsx"
    else:
        d = selectors.demand_for(request.user, city_code=city)
        rows = d.row_list()
        title = gettext("实时需求 · 配发标准 第 {number} 版").format(number=d.standard_version)
        name = f"size-table{'-' + city if city else ''}.xlsx"
    data = exporters.size_table_xlsx(rows, title=title, city_code=city)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---- snapshots -----------------------------------------------------------------------------------------


def snapshot_brief(s) -> dict:
    return {
        "id": s.pk,
        "created_at": s.created_at,
        "created_by": s.created_by_name,
        "standard_version": s.standard_version.number,
        "margin_percent": s.margin_percent,
        "officer_count": s.officer_count,
        "note": s.note,
    }


@router.post(
    "/snapshots",
    response={201: SnapshotBrief},
    summary=gettext_lazy("冻结需求"),
)
def snapshot_create(request, payload: SnapshotIn):
    snap = services.snapshot_create(
        actor=request.user, note=payload.note, margin_percent=payload.margin_percent
    )
    return Status(201, snapshot_brief(snap))


@router.get("/snapshots", response=page_schema(SnapshotBrief), summary=pgettext_lazy("snapshots", "需求快照"))
def snapshot_list(request, params: Query[PageParams]):
    return paginate(selectors.snapshots_for(request.user), params, snapshot_brief)


@router.get(
    "/snapshots/compare",
    response=CompareOut,
    summary=pgettext_lazy("what changed from a to b, and which officers caused it", "快照比较"),
)
def snapshot_compare(request, a: int, b: int, city: str | None = None):
    snap_a = selectors.snapshot_get(request.user, a, full=True)
    snap_b = selectors.snapshot_get(request.user, b, full=True)
    return selectors.snapshot_compare(request.user, snap_a, snap_b, city_code=city)


@router.get("/snapshots/{snapshot_id}", response=SnapshotOut)
def snapshot_detail(request, snapshot_id: int, city: str | None = None):
    snap = selectors.snapshot_get(request.user, snapshot_id, full=True)
    rows = selectors.visible_rows(request.user, snap, city)
    return {
        **snapshot_brief(snap),
        "totals": _totals(rows),
        "rows": rows,
        # one city's lines are its share of the provincial order (SIZING.md), read from every city's rows;
        # only that city's lines are shown
        "order_lines": (
            selectors.snapshot_order_lines(snap, city) if city else order_lines(rows, snap.margin_percent)
        ),
        "unknown": selectors.visible_unknown(request.user, snap.unknown, city),
        "made_to_measure": selectors.visible_made_to_measure(request.user, snap.made_to_measure, city),
    }
