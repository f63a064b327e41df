"""/api/v1/distribution/: the ledger, opening balances, plans, shipments and receipts, cases, issue, badges,
recovery, stocktakes, progress. Supplier stock comes in only by procurement's acceptance (验收); there is no
free-form receipt here. Every write accepts an `Idempotency-Key` header (same key + same body → the same
answer once; same key, other body → 409)."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from core.errors import QMError
from core.i18n import one
from core.pagination import PageParams, paginate

from . import exporters, opening, selectors, services, transfers
from .choices import ShipmentStatus
from .schemas import (
    BadgeAssignIn,
    ConfirmIn,
    DecideIn,
    ExchangeIn,
    IssueIn,
    NoteIn,
    OpeningIn,
    PlanIn,
    ProgressRow,
    ReasonIn,
    ReceiptOut,
    RecoveryIn,
    ReturnIn,
    SettleIn,
    ShipmentIn,
    ShipmentOut,
    StocktakeIn,
    TransferIn,
)

router = Router(tags=["distribution"])


def _once(request, action: str, payload, fn):
    return services.idempotent(
        actor=request.user, key=request.headers.get("Idempotency-Key"), action=action, payload=payload, fn=fn
    )


def _codes():
    return selectors.item_codes()


# ---- presenters -----------------------------------------------------------------------------------------


def shipment_out(s) -> dict:
    codes = _codes()
    return {
        "id": s.id,
        "number": s.number,
        "status": s.status,
        "status_label": one(ShipmentStatus(s.status).label),
        "from_location": s.from_location.name,
        "from_unit": s.from_location.unit.code if s.from_location.unit_id else None,
        "to_unit": s.to_unit.code,
        "to_unit_name": s.to_unit.name,
        "created_at": s.created_at,
        "dispatched_at": s.dispatched_at,
        "received_at": s.received_at,
        "closed_at": s.closed_at,
        "lines": [
            {
                "id": ln.id,
                "item": codes[ln.item_id],
                "gender": ln.gender,
                "size": ln.size,
                "quantity": ln.quantity,
            }
            for ln in s.lines.all()
        ],
    }


def receipt_out(r) -> dict:
    codes = _codes()
    r.shipment.refresh_from_db(fields=["status"])
    return {
        "id": r.id,
        "shipment_id": r.shipment_id,
        "shipment_status": r.shipment.status,
        "confirmed_by": r.confirmed_by.get_username() if r.confirmed_by_id else None,
        "confirmed_at": r.confirmed_at,
        "lines": [
            {
                "line_id": ln.shipment_line_id,
                "item": codes[ln.item_id],
                "gender": ln.gender,
                "size": ln.size,
                "received": ln.received,
                "short": ln.short,
                "excess": ln.excess,
                "reason": ln.reason,
                "note": ln.note,
            }
            for ln in r.lines.all()
        ],
        "photos": [p.file.name for p in r.photos.all()],
        "cases": list(r.shipment.cases.values_list("id", flat=True)),
    }


def plan_out(p, lines: bool = False) -> dict:
    out = {
        "id": p.id,
        "city": p.city.code,
        "version": p.version,
        "status": p.status,
        "spare_share": str(p.spare_share),
        "snapshot_id": p.snapshot_id,
        "note": p.note,
        "created_at": p.created_at,
        "approved_at": p.approved_at,
    }
    if lines:
        codes = _codes()
        out["lines"] = [
            {
                "unit": ln.unit.code,
                "item": codes[ln.item_id],
                "gender": ln.gender,
                "size": ln.size,
                "quantity": ln.quantity,
                "spare": ln.spare,
            }
            for ln in p.lines.select_related("unit").order_by("unit__code", "item_id", "gender", "size")
        ]
    return out


def case_out(c) -> dict:
    return {
        "id": c.id,
        "shipment": c.shipment.number,
        "shipment_id": c.shipment_id,
        "unit": c.unit.code,
        "item": _codes()[c.item_id],
        "gender": c.gender,
        "size": c.size,
        "quantity": c.quantity,
        "reason": c.reason,
        "note": c.note,
        "status": c.status,
        "outcome": c.outcome,
        "reship_id": c.reship_id,
        "settled_at": c.settled_at,
    }


def task_out(t) -> dict:
    return {
        "id": t.id,
        "officer_id": t.officer_id,
        "officer_name": t.officer.name,
        "unit": t.unit.code,
        "reason": t.reason,
        "status": t.status,
        "expected": t.expected,
        "outstanding": services._task_outstanding(t) if t.status == "open" else [],
        "created_at": t.created_at,
        "closed_at": t.closed_at,
        "note": t.note,
    }


def stocktake_out(st) -> dict:
    codes = _codes()
    return {
        "id": st.id,
        "unit": st.unit.code,
        "status": st.status,
        "counted_at": st.counted_at,
        "note": st.note,
        "lines": [
            {
                "item": codes[ln.item_id],
                "gender": ln.gender,
                "size": ln.size,
                "ledger": ln.ledger,
                "counted": ln.counted,
                "difference": ln.counted - ln.ledger,
                "reason": ln.reason,
            }
            for ln in st.lines.all()
        ],
    }


def movement_out(m) -> dict:
    return {
        "id": m.id,
        "at": m.at,
        "kind": m.kind,
        "item": m.item.code,
        "gender": m.gender,
        "size": m.size,
        "quantity": m.quantity,
        "from": m.from_location.name,
        "to": m.to_location.name,
        "doc_type": m.doc_type,
        "doc_ref": m.doc_ref,
        "reverses": m.reverses_id,
        "note": m.note,
    }


# ---- ledger -------------------------------------------------------------------------------------------------


class AtParams(PageParams):
    at: str | None = None


@router.get("/units/{code}/stock", summary=gettext_lazy("库存余额"))
def unit_stock(request, code: str, at: str | None = None):
    moment = None
    if at:
        from django.utils import timezone
        from django.utils.dateparse import parse_date, parse_datetime

        moment = parse_datetime(at + "T23:59:59") if parse_date(at) is not None else parse_datetime(at)
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment is None:
            raise QMError("bad_date", gettext("时间格式无效"), {"field": "at"})
    return {"unit": code, "at": moment, "lines": selectors.stock_of(request.user, code, at=moment)}


@router.get("/units/{code}/movements", summary=gettext_lazy("库存流水"))
def unit_movements(request, code: str, params: Query[PageParams]):
    return paginate(selectors.movements_for(request.user, code), params, movement_out)


@router.post("/movements/{movement_id}/reverse", summary=gettext_lazy("冲正"))
def movement_reverse(request, movement_id: int, payload: NoteIn):
    from .models import Movement

    m = Movement.objects.filter(pk=movement_id).select_related("from_location", "to_location").first()
    if m is None:
        raise QMError("not_found", gettext("不存在"), status=404)
    return _once(
        request,
        "movement_reverse",
        {"id": movement_id, **payload.dict()},
        lambda: movement_out(services.movement_reverse(actor=request.user, movement=m, note=payload.note)),
    )


def opening_out(op) -> dict:
    codes = _codes()
    return {
        "id": op.id,
        "number": op.number,
        "unit": op.unit.code,
        "status": op.status,
        "status_label": one(op.get_status_display()),
        "as_of": op.as_of,
        "note": op.note,
        "created_by": op.created_by.username if op.created_by_id else None,
        "decided_by": op.decided_by.username if op.decided_by_id else None,
        "decided_at": op.decided_at,
        "decision_note": op.decision_note,
        "quantity": sum(ln.quantity for ln in op.lines.all()),
        "lines": [
            {"item": codes[ln.item_id], "gender": ln.gender, "size": ln.size, "quantity": ln.quantity}
            for ln in op.lines.all()
        ],
    }


@router.get("/opening-balances", summary=gettext_lazy("期初余额"))
def opening_list(request, params: Query[PageParams]):
    return paginate(selectors.openings_for(request.user).prefetch_related("lines"), params, opening_out)


@router.get("/opening-balances/{opening_id}", summary=gettext_lazy("期初余额"))
def opening_detail(request, opening_id: int):
    return opening_out(selectors.opening_get(request.user, opening_id))


@router.post("/opening-balances", summary=gettext_lazy("提交期初余额"))
def opening_submit(request, payload: OpeningIn):
    unit = selectors.unit_get(request.user, payload.unit)
    return _once(
        request,
        "opening_submit",
        payload.dict(),
        lambda: opening_out(
            opening.opening_submit(
                actor=request.user,
                unit=unit,
                as_of=payload.as_of,
                lines=[ln.dict() for ln in payload.lines],
                note=payload.note,
            )
        ),
    )


@router.post("/opening-balances/{opening_id}/decide", summary=gettext_lazy("审批期初余额"))
def opening_decide(request, opening_id: int, payload: DecideIn):
    op = selectors.opening_get(request.user, opening_id)
    return _once(
        request,
        "opening_decide",
        {"id": opening_id, **payload.dict()},
        lambda: opening_out(
            opening.opening_decide(actor=request.user, opening=op, approve=payload.approve, note=payload.note)
        ),
    )


# ---- plans --------------------------------------------------------------------------------------------


@router.get("/plans", summary=gettext_lazy("分配方案"))
def plan_list(request, params: Query[PageParams]):
    return paginate(selectors.plans_for(request.user), params, plan_out)


@router.get("/plans/{plan_id}")
def plan_detail(request, plan_id: int):
    return plan_out(selectors.plan_get(request.user, plan_id), lines=True)


@router.post("/plans", summary=gettext_lazy("新版本分配方案"))
def plan_create(request, payload: PlanIn):
    city = selectors.unit_get(request.user, payload.city)
    return _once(
        request,
        "plan_create",
        payload.dict(),
        lambda: plan_out(
            services.plan_build(
                actor=request.user,
                city=city,
                rows=[r.dict() for r in payload.rows],
                spare_share=payload.spare_share,
                snapshot_id=payload.snapshot_id,
                note=payload.note,
            )
        ),
    )


@router.post("/plans/{plan_id}/approve", summary=pgettext_lazy("approve (province)", "批准"))
def plan_approve(request, plan_id: int):
    plan = selectors.plan_get(request.user, plan_id)
    return plan_out(services.plan_approve(actor=request.user, plan=plan))


# ---- shipments ------------------------------------------------------------------------------------------


class ShipmentFilters(PageParams):
    status: str | None = None
    to_unit: str | None = None


@router.get("/shipments", summary=pgettext_lazy("shipments in scope (paginated)", "发运单"))
def shipment_list(request, filters: Query[ShipmentFilters]):
    qs = selectors.shipments_for(request.user).prefetch_related("lines")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.to_unit:
        qs = qs.filter(to_unit__code=filters.to_unit)
    return paginate(qs, filters, shipment_out)


@router.get("/shipments/{shipment_id}", response=ShipmentOut)
def shipment_detail(request, shipment_id: int):
    return shipment_out(selectors.shipment_get(request.user, shipment_id))


@router.post("/shipments", response=ShipmentOut, summary=gettext_lazy("新建发运单"))
def shipment_create(request, payload: ShipmentIn):
    to_unit = selectors.unit_get(request.user, payload.to_unit)
    from_unit = selectors.unit_get(request.user, payload.from_unit)
    plan = selectors.plan_get(request.user, payload.plan_id) if payload.plan_id else None
    return _once(
        request,
        "shipment_create",
        payload.dict(),
        lambda: shipment_out(
            services.shipment_create(
                actor=request.user,
                to_unit=to_unit,
                from_unit=from_unit,
                plan=plan,
                lines=[ln.dict() for ln in payload.lines],
                note=payload.note,
            )
        ),
    )


@router.get("/transfers/suggestion", summary=gettext_lazy("调拨建议"))
def transfer_suggestion(request, from_unit: str, to_unit: str):
    city = selectors.unit_get(request.user, from_unit)
    county = selectors.unit_get(request.user, to_unit)
    return transfers.suggestion(request.user, city, county).as_dict()


@router.post(
    "/transfers",
    response=ShipmentOut,
    summary=pgettext_lazy("create and dispatch a city → county transfer", "调拨到县级"),
)
def transfer_create(request, payload: TransferIn):
    city = selectors.unit_get(request.user, payload.from_unit)
    county = selectors.unit_get(request.user, payload.to_unit)
    return _once(
        request,
        "transfer_dispatch",
        payload.dict(),
        lambda: shipment_out(
            transfers.transfer_dispatch(
                actor=request.user,
                city=city,
                county=county,
                changes=[ln.dict() for ln in payload.changes],
                lines=[ln.dict() for ln in payload.lines] if payload.lines is not None else None,
                expect=payload.expect,
                note=payload.note,
            )
        ),
    )


@router.post(
    "/shipments/{shipment_id}/dispatch", response=ShipmentOut, summary=pgettext_lazy("dispatch", "发运")
)
def shipment_dispatch(request, shipment_id: int):
    s = selectors.shipment_get(request.user, shipment_id)
    return shipment_out(services.shipment_dispatch(actor=request.user, shipment=s))


@router.post("/shipments/{shipment_id}/cancel", response=ShipmentOut, summary=gettext_lazy("取消草稿"))
def shipment_cancel(request, shipment_id: int, payload: ReasonIn):
    s = selectors.shipment_get(request.user, shipment_id)
    return shipment_out(services.shipment_cancel(actor=request.user, shipment=s, reason=payload.reason))


@router.post(
    "/shipments/{shipment_id}/confirm",
    response=ReceiptOut,
    summary=pgettext_lazy(
        "confirm receipt (JSON); the same body again → the same answer, another → 409", "签收"
    ),
)
def shipment_confirm(request, shipment_id: int, payload: ConfirmIn):
    s = selectors.shipment_get(request.user, shipment_id)
    return receipt_out(
        services.shipment_confirm(
            actor=request.user,
            shipment=s,
            lines=[ln.dict() for ln in payload.lines],
            excess=[e.dict() for e in payload.excess],
            note=payload.note,
        )
    )


@router.post(
    "/shipments/{shipment_id}/confirm-with-photos",
    response=ReceiptOut,
    summary=gettext_lazy("签收并上传照片"),
)
def shipment_confirm_multipart(
    request, shipment_id: int, data: Form[str], photos: File[list[UploadedFile]] = None
):
    s = selectors.shipment_get(request.user, shipment_id)
    try:
        body = ConfirmIn(**json.loads(data))
    except Exception as exc:  # malformed JSON or schema
        raise QMError(
            "bad_data",
            gettext("data 字段不是有效的签收内容：{exc}").format(exc=exc)[:300],
            {"field": "data"},
        ) from None
    for f in photos or []:
        if not (f.content_type or "").startswith("image/") or f.size > 10 * 2**20:
            raise QMError(
                "bad_photo",
                gettext("照片须为图片且不超过10MB：{name}").format(name=f.name),
                {"field": "photos"},
            )
    return receipt_out(
        services.shipment_confirm(
            actor=request.user,
            shipment=s,
            lines=[ln.dict() for ln in body.lines],
            excess=[e.dict() for e in body.excess],
            note=body.note,
            photos=photos or [],
        )
    )


@router.get("/shipments/{shipment_id}/receipt", response=ReceiptOut)
def shipment_receipt(request, shipment_id: int):
    s = selectors.shipment_get(request.user, shipment_id)
    if not hasattr(s, "receipt"):
        raise QMError("not_found", gettext("尚未签收"), status=404)
    return receipt_out(s.receipt)


@router.post("/shipments/{shipment_id}/close", response=ShipmentOut, summary=gettext_lazy("关闭"))
def shipment_close(request, shipment_id: int):
    s = selectors.shipment_get(request.user, shipment_id)
    return shipment_out(services.shipment_close(actor=request.user, shipment=s))


# ---- discrepancy cases -------------------------------------------------------------------------------


class CaseFilters(PageParams):
    status: str | None = None


@router.get("/cases", summary=gettext_lazy("差异处理"))
def case_list(request, filters: Query[CaseFilters]):
    qs = selectors.cases_for(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, filters, case_out)


@router.post(
    "/cases/{case_id}/settle",
    summary=pgettext_lazy("settle: reship / write_off / claim (province)", "处理差异"),
)
def case_settle(request, case_id: int, payload: SettleIn):
    case = selectors.case_get(request.user, case_id)
    from_unit = selectors.unit_get(request.user, payload.from_unit) if payload.from_unit else None
    return case_out(
        services.case_settle(
            actor=request.user,
            case=case,
            outcome=payload.outcome,
            note=payload.note,
            supplier=payload.supplier,
            from_unit=from_unit,
        )
    )


# ---- issue to officers -------------------------------------------------------------------------------


def _issue(request, code, body: IssueIn, sheet=None):
    unit = selectors.unit_get(request.user, code)
    officers = None
    if body.officer_ids is not None:
        officers = [selectors.officer_get(request.user, oid) for oid in body.officer_ids]
    return _once(
        request,
        "kit_issue",
        {"unit": code, **body.dict(), "sheet": getattr(sheet, "name", None)},
        lambda: services.kit_issue(
            actor=request.user,
            unit=unit,
            officers=officers,
            sizes=body.sizes,
            signature=body.signature,
            signed_on=body.signed_on,
            sheet=sheet,
        ),
    )


@router.post(
    "/units/{code}/issue",
    summary=pgettext_lazy(
        "issue kits (acknowledgement): what is in stock goes out, the rest is listed as outstanding", "发放"
    ),
    description="Answers `officers`, `lines`, `quantity`, `outstanding` (per officer and item: `item` code, "
    "`item_name`, `gender`, `size`, `quantity`, `reason` short / mtm / missing / no_badge, `reason_text`) and "
    "`short` (per item × gender × size: `available`, `needed`, `message`). A repeat issues nothing more; "
    "with the same Idempotency-Key it gets the first answer again.",
)
def kit_issue(request, code: str, payload: IssueIn):
    return _issue(request, code, payload)


@router.post(
    "/units/{code}/issue-with-sheet",
    summary=gettext_lazy("发放并上传签领表"),
)
def kit_issue_sheet(request, code: str, data: Form[str], sheet: File[UploadedFile]):
    try:
        body = IssueIn(**{"signature": "sheet", **json.loads(data)})
    except Exception as exc:
        raise QMError(
            "bad_data", gettext("data 字段无效：{exc}").format(exc=exc)[:300], {"field": "data"}
        ) from None
    return _issue(request, code, body, sheet=sheet)


@router.get("/units/{code}/kit-status", summary=gettext_lazy("人员配发情况"))
def unit_kit_status(request, code: str, params: Query[PageParams]):
    from personnel.models import Officer

    unit = selectors.unit_get(request.user, code)
    page = paginate(Officer.objects.eligible().filter(unit=unit).order_by("id"), params)
    status = selectors.kit_status(page["items"])
    page["items"] = [{"officer_id": o.pk, "name": o.name, **status[o.pk]} for o in page["items"]]
    return page


@router.get("/officers/{officer_id}/kit", summary=gettext_lazy("个人被装卡"))
def officer_kit(request, officer_id: int):
    o = selectors.officer_get(request.user, officer_id)
    badge = getattr(o, "badge", None)
    return {
        "officer_id": o.pk,
        "name": o.name,
        "unit": o.unit.code,
        "badge_number": badge.code if badge else None,
        "card": selectors.kit_card(o),
        **selectors.kit_status([o])[o.pk],
    }


@router.post("/officers/{officer_id}/exchange", summary=pgettext_lazy("exchange a size", "调换"))
def officer_exchange(request, officer_id: int, payload: ExchangeIn):
    o = selectors.officer_get(request.user, officer_id)
    return _once(
        request,
        "kit_exchange",
        {"officer": officer_id, **payload.dict()},
        lambda: {
            "movements": [
                m.pk for m in services.kit_exchange(actor=request.user, officer=o, **payload.dict())
            ]
        },
    )


@router.post("/officers/{officer_id}/return", summary=pgettext_lazy("return items to the unit", "退回"))
def officer_return(request, officer_id: int, payload: ReturnIn):
    o = selectors.officer_get(request.user, officer_id)
    return _once(
        request,
        "kit_return",
        {"officer": officer_id, **payload.dict()},
        lambda: {
            "movements": [
                m.pk
                for m in services.kit_return(
                    actor=request.user,
                    officer=o,
                    lines=[ln.dict() for ln in payload.lines],
                    note=payload.note,
                )
            ]
        },
    )


# ---- badges ----------------------------------------------------------------------------------------------


@router.post("/badges/assign", summary=gettext_lazy("分配胸号"))
def badge_assign(request, payload: BadgeAssignIn):
    unit = selectors.unit_get(request.user, payload.unit) if payload.unit else None
    return {"assigned": services.badge_assign(actor=request.user, unit=unit)}


@router.get("/badges/export", summary=gettext_lazy("胸号清单"))
def badge_export(request, format: str = "csv"):
    rows = selectors.badge_rows(request.user)
    if format == "csv":
        resp = HttpResponse(exporters.badge_csv(rows), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = 'attachment; filename="badges.csv"'
        return resp
    if format == "xlsx":
        resp = HttpResponse(
            exporters.badge_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        resp["Content-Disposition"] = 'attachment; filename="badges.xlsx"'
        return resp
    raise QMError("bad_format", gettext("格式须为 csv 或 xlsx"), {"field": "format"})


# ---- recovery ----------------------------------------------------------------------------------------


class TaskFilters(PageParams):
    status: str | None = None


@router.get("/recoveries", summary=gettext_lazy("收回任务"))
def recovery_list(request, filters: Query[TaskFilters]):
    qs = selectors.recoveries_for(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, filters, task_out)


@router.post("/recoveries/{task_id}/record", summary=gettext_lazy("登记收回"))
def recovery_record(request, task_id: int, payload: RecoveryIn):
    task = selectors.recovery_get(request.user, task_id)
    return _once(
        request,
        "recovery_record",
        {"task": task_id, **payload.dict()},
        lambda: task_out(
            services.recovery_record(
                actor=request.user, task=task, lines=[ln.dict() for ln in payload.lines], note=payload.note
            )
        ),
    )


@router.post("/recoveries/{task_id}/close", summary=gettext_lazy("结案"))
def recovery_close(request, task_id: int, payload: NoteIn):
    task = selectors.recovery_get(request.user, task_id)
    return task_out(services.recovery_close(actor=request.user, task=task, note=payload.note))


# ---- stocktakes -------------------------------------------------------------------------------------


@router.get("/stocktakes", summary=gettext_lazy("盘点"))
def stocktake_list(request, params: Query[PageParams]):
    return paginate(selectors.stocktakes_for(request.user).prefetch_related("lines"), params, stocktake_out)


@router.post("/stocktakes", summary=gettext_lazy("提交盘点"))
def stocktake_submit(request, payload: StocktakeIn):
    unit = selectors.unit_get(request.user, payload.unit)
    return _once(
        request,
        "stocktake_submit",
        payload.dict(),
        lambda: stocktake_out(
            services.stocktake_submit(
                actor=request.user, unit=unit, lines=[ln.dict() for ln in payload.lines], note=payload.note
            )
        ),
    )


@router.post("/stocktakes/{stocktake_id}/decide", summary=gettext_lazy("审批盘点"))
def stocktake_decide(request, stocktake_id: int, payload: DecideIn):
    st = selectors.stocktake_get(request.user, stocktake_id)
    return stocktake_out(
        services.stocktake_decide(
            actor=request.user, stocktake=st, approve=payload.approve, note=payload.note
        )
    )


# ---- progress ------------------------------------------------------------------------------------------


@router.get(
    "/progress/{code}", summary=pgettext_lazy("progress of a unit: totals, rows, children", "配发进度")
)
def progress_summary(request, code: str):
    return selectors.progress_summary(request.user, code)


@router.get(
    "/progress",
    response=list[ProgressRow],
    summary=gettext_lazy("配发进度表"),
)
def progress_rows(request, city: str | None = None, format: str = "json"):
    rows = selectors.progress_rows(selectors.progress_units(request.user, city))
    if format == "csv":
        return HttpResponse(exporters.progress_csv(rows), content_type="text/csv; charset=utf-8")
    if format != "json":
        raise QMError("bad_format", gettext("格式须为 csv 或 json"), {"field": "format"})
    return rows
