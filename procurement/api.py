from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy, pgettext_lazy
from ninja import Field, Query, Router, Status

from core.errors import NotFound
from core.i18n import one
from core.pagination import PageParams, page_schema, paginate
from core.schema import Schema
from personnel.selectors import unit_get

from . import ocds, reconciliation, selectors, services
from .choices import Method, PaymentKind, TenderStatus
from .models import Acceptance, Holiday, HolidayYear
from .money import money
from .schemas import (
    AcceptanceIn,
    AcceptanceOut,
    ArriveIn,
    AwardIn,
    AwardOut,
    BidIn,
    BidOut,
    BondIn,
    ContractLineOut,
    ContractOut,
    ContractsFromSnapshotIn,
    ContractsIn,
    DeliveryIn,
    DeliveryOut,
    HolidayIn,
    HolidayOut,
    HolidayYearIn,
    HolidayYearOut,
    LotIn,
    LotOut,
    MilestoneOut,
    MilestonePatch,
    MilestoneSetOut,
    PaymentDocOut,
    PaymentIn,
    PaymentOut,
    ProgressOut,
    ReasonIn,
    ReconciliationOut,
    ReturnedIn,
    ScoreIn,
    SignIn,
    StatusIn,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    TenderIn,
    TenderOut,
    TenderPatch,
    TimelineOut,
    VariationDocOut,
    VariationIn,
    VariationOut,
)

router = Router(tags=["procurement"])


def tender_out(t) -> dict:
    return {
        "id": t.id,
        "title": t.title,
        "reference": t.reference,
        "year": t.year,
        "method": t.method,
        "method_label": one(Method(t.method).label),
        "budget": t.budget,
        "bid_bond": t.bid_bond,
        "procuring_unit": t.procuring_unit.code,
        "agency": t.agency,
        "status": t.status,
        "status_label": one(TenderStatus(t.status).label),
        "target_date": t.target_date,
        "description": t.description,
    }


def lot_out(lot) -> dict:
    return {
        "id": lot.id,
        "tender_id": lot.tender_id,
        "number": lot.number,
        "title": lot.title,
        "budget": lot.budget,
        "item_codes": [i.code for i in lot.items.all()],
        "evaluation_method": lot.evaluation_method,
        "price_weight": lot.price_weight,
    }


def bid_out(b) -> dict:
    return {
        "id": b.id,
        "lot_id": b.lot_id,
        "supplier_id": b.supplier_id,
        "supplier_name": b.supplier.name,
        "price": b.price,
        "other_score": b.other_score,
        "price_score": b.price_score,
        "total_score": b.total_score,
        "rank": b.rank,
        "status": b.status,
        "invalid_reason": b.invalid_reason,
        "submitted_on": b.submitted_on,
    }


def award_out(a) -> dict:
    return {
        "id": a.id,
        "lot_id": a.lot_id,
        "lot_number": a.lot.number,
        "tender_id": a.lot.tender_id,
        "bid_id": a.bid_id,
        "supplier_id": a.supplier_id,
        "supplier_name": a.supplier.name,
        "amount": a.amount,
        "decided_on": a.decided_on,
        "status": a.status,
        "unit_prices": {ap.item.code: ap.unit_price for ap in a.unit_prices.all()},
    }


def contract_out(c) -> dict:
    paid = getattr(c, "paid_total", None)
    if paid is None:
        paid = c.payments.exclude(kind="bond_return").aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    paid = money(paid)
    varied = getattr(c, "variations_total", None)
    if varied is None:
        varied = c.variations.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    varied = money(varied)
    return {
        "id": c.id,
        "number": c.number,
        "award_id": c.award_id,
        "tender_id": c.award.lot.tender_id,
        "buyer": c.buyer.code,
        "buyer_name": c.buyer.name,
        "supplier_id": c.supplier_id,
        "supplier_name": c.supplier.name,
        "status": c.status,
        "snapshot_id": c.snapshot_id,
        "margin_percent": c.margin_percent,
        "total": c.total,
        "variations_total": varied,
        "contracted_total": money(c.total + varied),
        "performance_bond": c.performance_bond,
        "paid": paid,
        "signed_on": c.signed_on,
        "published_on": c.published_on,
        "delivery_due": c.delivery_due,
    }


def line_out(ln) -> dict:
    return {
        "id": ln.id,
        "kind": ln.kind,
        "item_code": ln.item.code,
        "item_name": ln.item.name_for(ln.gender),
        "gender": ln.gender,
        "size": ln.size,
        "demand_quantity": ln.demand_quantity,
        "quantity": ln.quantity,
        "unit_price": ln.unit_price,
        "amount": ln.amount,
        "officer_id": ln.officer_id,
        "measurements": ln.measurements,
    }


def variation_out(v) -> dict:
    return {
        "id": v.id,
        "contract_id": v.contract_id,
        "number": v.number,
        "signed_on": v.signed_on,
        "amount": v.amount,
        "performance_bond": v.performance_bond,
        "legal_basis": v.legal_basis,
        "reason": v.reason,
        "created_at": v.created_at,
        "lines": [
            {
                "id": vl.id,
                "contract_line_id": vl.contract_line_id,
                "item_code": vl.contract_line.item.code,
                "item_name": vl.contract_line.item.name_for(vl.contract_line.gender),
                "gender": vl.contract_line.gender,
                "size": vl.contract_line.size,
                "quantity": vl.quantity,
                "unit_price": vl.unit_price,
                "amount": vl.amount,
            }
            for vl in v.lines.all()
        ],
    }


def delivery_out(d) -> dict:
    acceptance = getattr(d, "acceptance", None) if hasattr(d, "acceptance") else None
    lines = []
    for dl in d.lines.all():
        al = getattr(dl, "acceptance_line", None) if hasattr(dl, "acceptance_line") else None
        lines.append(
            {
                "id": dl.id,
                "contract_line_id": dl.contract_line_id,
                "item_code": dl.contract_line.item.code,
                "gender": dl.contract_line.gender,
                "size": dl.contract_line.size,
                "quantity": dl.quantity,
                "replaces_id": dl.replaces_id,
                "accepted": al.accepted if al else None,
                "rejected": al.rejected if al else None,
                "reason": al.reason if al else "",
                "rejection_status": al.rejection_status if al else "",
            }
        )
    return {
        "id": d.id,
        "number": d.number,
        "contract_id": d.contract_id,
        "destination": d.destination.code,
        "destination_name": d.destination.name,
        "planned_on": d.planned_on,
        "delivered_on": d.delivered_on,
        "status": d.status,
        "note": d.note,
        "certificate_number": acceptance.certificate_number if acceptance else None,
        "lines": lines,
    }


def acceptance_out(a) -> dict:
    lines = list(a.lines.all())
    return {
        "id": a.id,
        "delivery_id": a.delivery_id,
        "inspected_on": a.inspected_on,
        "certificate_number": a.certificate_number,
        "sample_size": a.sample_size,
        "sample_note": a.sample_note,
        "inspectors": a.inspectors,
        "accepted": sum(x.accepted for x in lines),
        "rejected": sum(x.rejected for x in lines),
    }


# ---- suppliers -----------------------------------------------------------------------------------------


class SupplierFilters(PageParams):
    q: str | None = None


@router.get("/suppliers", response=page_schema(SupplierOut), summary=pgettext_lazy("suppliers", "供应商"))
def supplier_list(request, filters: Query[SupplierFilters]):
    return paginate(selectors.suppliers_for(request.user, filters.q), filters)


@router.post("/suppliers", response={201: SupplierOut})
def supplier_create(request, payload: SupplierIn):
    return Status(201, services.supplier_create(actor=request.user, **payload.dict()))


@router.get("/suppliers/{supplier_id}", response=SupplierOut)
def supplier_detail(request, supplier_id: int):
    return selectors.supplier_get(request.user, supplier_id)


@router.patch("/suppliers/{supplier_id}", response=SupplierOut)
def supplier_patch(request, supplier_id: int, payload: SupplierPatch):
    supplier = selectors.supplier_get(request.user, supplier_id)
    return services.supplier_update(actor=request.user, supplier=supplier, **payload.dict(exclude_unset=True))


# ---- tenders, lots, timeline ---------------------------------------------------------------------------


class TenderFilters(PageParams):
    year: int | None = Field(None, ge=1900, le=2200)
    status: str | None = None


@router.get("/tenders", response=page_schema(TenderOut), summary=gettext_lazy("招标项目"))
def tender_list(request, filters: Query[TenderFilters]):
    qs = selectors.tenders_for(request.user)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, filters, tender_out)


@router.post("/tenders", response={201: TenderOut})
def tender_create(request, payload: TenderIn):
    data = payload.dict()
    data["procuring_unit"] = unit_get(request.user, data["procuring_unit"])
    return Status(201, tender_out(services.tender_create(actor=request.user, **data)))


@router.get("/tenders/{tender_id}", response=TenderOut)
def tender_detail(request, tender_id: int):
    return tender_out(selectors.tender_get(request.user, tender_id))


@router.patch("/tenders/{tender_id}", response=TenderOut)
def tender_patch(request, tender_id: int, payload: TenderPatch):
    tender = selectors.tender_get(request.user, tender_id)
    return tender_out(
        services.tender_update(actor=request.user, tender=tender, **payload.dict(exclude_unset=True))
    )


@router.post("/tenders/{tender_id}/status", response=TenderOut)
def tender_status(request, tender_id: int, payload: StatusIn):
    tender = selectors.tender_get(request.user, tender_id)
    return tender_out(
        services.tender_set_status(
            actor=request.user, tender=tender, status=payload.status, reason=payload.reason
        )
    )


@router.get(
    "/tenders/{tender_id}/timeline",
    response=TimelineOut,
    summary=gettext_lazy("时间线：计划与实际、法定期限、预测完成与余量"),
)
def tender_timeline(request, tender_id: int):
    return selectors.timeline(selectors.tender_get(request.user, tender_id))


@router.get("/tenders/{tender_id}/ocds", response=dict, summary="OCDS 1.1 release package")
def tender_ocds(request, tender_id: int):
    return ocds.release_package(selectors.tender_get(request.user, tender_id))


@router.get("/tenders/{tender_id}/lots", response=list[LotOut])
def lot_list(request, tender_id: int):
    tender = selectors.tender_get(request.user, tender_id)
    return [lot_out(lot) for lot in tender.lots.prefetch_related("items")]


@router.post("/tenders/{tender_id}/lots", response={201: LotOut})
def lot_create(request, tender_id: int, payload: LotIn):
    tender = selectors.tender_get(request.user, tender_id)
    return Status(201, lot_out(services.lot_create(actor=request.user, tender=tender, **payload.dict())))


@router.get("/lots/{lot_id}", response=LotOut)
def lot_detail(request, lot_id: int):
    return lot_out(selectors.lot_get(request.user, lot_id))


@router.get("/tenders/{tender_id}/milestones", response=list[MilestoneOut])
def milestone_list(request, tender_id: int):
    return list(selectors.tender_get(request.user, tender_id).milestones.order_by("sequence"))


@router.patch(
    "/milestones/{milestone_id}",
    response=MilestoneSetOut,
    summary=gettext_lazy("设定计划/实际日期（违反法定期限将被拒绝，省厅可填写豁免理由）"),
)
def milestone_patch(request, milestone_id: int, payload: MilestonePatch):
    milestone = selectors.milestone_get(request.user, milestone_id)
    data = payload.dict(exclude_unset=True)
    kwargs = {k: data[k] for k in ("planned_date", "actual_date", "note") if k in data}
    milestone, info = services.milestone_set(
        actor=request.user, milestone=milestone, override_reason=data.get("override_reason", ""), **kwargs
    )
    return {"milestone": milestone, **info}


@router.post(
    "/milestones/{milestone_id}/check",
    response=dict,
    summary=gettext_lazy("试算：该日期是否违反法定期限（不写入）"),
)
def milestone_check(request, milestone_id: int, payload: MilestonePatch):
    milestone = selectors.milestone_get(request.user, milestone_id)
    data = payload.dict(exclude_unset=True)
    result = services.milestone_check(
        milestone=milestone, **{k: data[k] for k in ("planned_date", "actual_date") if k in data}
    )
    return {
        "planned": [f.as_dict() for f in result["planned"]],
        "actual": [f.as_dict() for f in result["actual"]],
        "warnings": result["warnings"],
    }


@router.get("/tenders/{tender_id}/overrides", response=list[dict])
def override_list(request, tender_id: int):
    tender = selectors.tender_get(request.user, tender_id)
    return [
        {
            "id": o.id,
            "milestone": o.milestone.code,
            "rule": o.rule_code,
            "date_kind": o.date_kind,
            "date": o.date.isoformat(),
            "reason": o.reason,
            "actor": o.actor.get_username() if o.actor else None,
            "at": o.created_at.isoformat(),
        }
        for o in selectors.overrides_for(request.user, tender)
    ]


# ---- bids and awards -----------------------------------------------------------------------------------


@router.get("/lots/{lot_id}/bids", response=list[BidOut])
def bid_list(request, lot_id: int):
    lot = selectors.lot_get(request.user, lot_id)
    return [bid_out(b) for b in selectors.bids_for(request.user, lot)]


@router.post("/lots/{lot_id}/bids", response={201: BidOut})
def bid_create(request, lot_id: int, payload: BidIn):
    lot = selectors.lot_get(request.user, lot_id)
    supplier = selectors.supplier_get(request.user, payload.supplier_id)
    return Status(
        201,
        bid_out(
            services.bid_submit(
                actor=request.user,
                lot=lot,
                supplier=supplier,
                price_offered=payload.price,
                submitted_on=payload.submitted_on,
            )
        ),
    )


@router.post("/bids/{bid_id}/score", response=BidOut)
def bid_score(request, bid_id: int, payload: ScoreIn):
    bid = selectors.bid_get(request.user, bid_id)
    return bid_out(services.bid_score(actor=request.user, bid=bid, other_score=payload.other_score))


@router.post("/bids/{bid_id}/invalidate", response=BidOut)
def bid_invalidate(request, bid_id: int, payload: ReasonIn):
    bid = selectors.bid_get(request.user, bid_id)
    return bid_out(services.bid_invalidate(actor=request.user, bid=bid, reason=payload.reason))


@router.post("/lots/{lot_id}/evaluate", response=list[BidOut], summary=gettext_lazy("评审排名"))
def lot_evaluate(request, lot_id: int):
    lot = selectors.lot_get(request.user, lot_id)
    return [bid_out(b) for b in services.lot_evaluate(actor=request.user, lot=lot)]


@router.post("/lots/{lot_id}/award", response={201: AwardOut})
def award_create(request, lot_id: int, payload: AwardIn):
    lot = selectors.lot_get(request.user, lot_id)
    bid = selectors.bid_get(request.user, payload.bid_id) if payload.bid_id else None
    return Status(
        201,
        award_out(services.award_create(actor=request.user, lot=lot, decided_on=payload.decided_on, bid=bid)),
    )


@router.get("/awards", response=list[AwardOut])
def award_list(request, tender: int | None = None):
    t = selectors.tender_get(request.user, tender) if tender else None
    return [award_out(a) for a in selectors.awards_for(request.user, t)]


@router.get("/awards/{award_id}", response=AwardOut)
def award_detail(request, award_id: int):
    return award_out(selectors.award_get(request.user, award_id))


# ---- contracts -----------------------------------------------------------------------------------------


@router.post(
    "/awards/{award_id}/contracts",
    response={201: list[ContractOut]},
    summary=gettext_lazy("由需求行生成合同（全省一份或统采分签）"),
)
def contracts_create(request, award_id: int, payload: ContractsIn):
    award = selectors.award_get(request.user, award_id)
    data = payload.dict()
    contracts = services.contracts_create_from_demand(
        actor=request.user,
        award=award,
        rows=data["rows"],
        made_to_measure=data["made_to_measure"],
        unit_prices=data["unit_prices"],
        per_city=data["per_city"],
        snapshot_id=data["snapshot_id"],
        margin_percent=data["margin_percent"],
        performance_bond_percent=data["performance_bond_percent"],
        delivery_due=data["delivery_due"],
    )
    return Status(201, [contract_out(c) for c in contracts])


@router.post(
    "/awards/{award_id}/contracts/from-snapshot",
    response={201: list[ContractOut]},
    summary=gettext_lazy("由需求快照生成合同"),
)
def contracts_create_from_snapshot(request, award_id: int, payload: ContractsFromSnapshotIn):
    from assets.selectors import snapshot_get

    award = selectors.award_get(request.user, award_id)
    snap = snapshot_get(request.user, payload.snapshot_id)
    contracts = services.contracts_create_from_snapshot(
        actor=request.user,
        award=award,
        snapshot=snap,
        unit_prices=payload.unit_prices,
        per_city=payload.per_city,
        performance_bond_percent=payload.performance_bond_percent,
        delivery_due=payload.delivery_due,
    )
    return Status(201, [contract_out(c) for c in contracts])


class ContractFilters(PageParams):
    tender: int | None = None
    lot: int | None = None
    buyer: str | None = None


@router.get("/contracts", response=page_schema(ContractOut), summary=gettext_lazy("合同（本单位范围）"))
def contract_list(request, filters: Query[ContractFilters]):
    qs = selectors.contracts_for(request.user, tender_id=filters.tender, buyer=filters.buyer)
    if filters.lot:
        qs = qs.filter(award__lot_id=filters.lot)
    return paginate(qs, filters, contract_out)


@router.get("/contracts/{contract_id}", response=ContractOut)
def contract_detail(request, contract_id: int):
    return contract_out(selectors.contract_get(request.user, contract_id))


@router.get("/contracts/{contract_id}/lines", response=list[ContractLineOut])
def contract_lines(request, contract_id: int):
    contract = selectors.contract_get(request.user, contract_id)
    return [line_out(ln) for ln in contract.lines.select_related("item")]


@router.get(
    "/contracts/{contract_id}/progress",
    response=ProgressOut,
    summary=gettext_lazy("履约进度：订购、到货、合格、不合格、未交"),
)
def contract_progress(request, contract_id: int):
    return selectors.contract_progress(selectors.contract_get(request.user, contract_id))


@router.post("/contracts/{contract_id}/sign", response=ContractOut)
def contract_sign(request, contract_id: int, payload: SignIn):
    contract = selectors.contract_get(request.user, contract_id)
    return contract_out(services.contract_sign(actor=request.user, contract=contract, **payload.dict()))


@router.post("/contracts/{contract_id}/bond", response=ContractOut)
def contract_bond(request, contract_id: int, payload: BondIn):
    contract = selectors.contract_get(request.user, contract_id)
    return contract_out(
        services.contract_set_bond(
            actor=request.user, contract=contract, performance_bond=payload.performance_bond
        )
    )


@router.get(
    "/contracts/{contract_id}/variations",
    response=list[VariationOut],
    summary=pgettext_lazy("contract variations", "补充合同"),
)
def variation_list(request, contract_id: int):
    contract = selectors.contract_get(request.user, contract_id)
    return [variation_out(v) for v in selectors.variations_for(contract)]


@router.post(
    "/contracts/{contract_id}/variations",
    response={201: VariationOut},
    summary=gettext_lazy("签订补充合同（同一编号重发返回原补充合同）"),
)
def variation_create(request, contract_id: int, payload: VariationIn):
    contract = selectors.contract_get(request.user, contract_id)
    data = payload.dict()
    variation = services.contract_variation_create(actor=request.user, contract=contract, **data)
    variation = selectors.variations_for(contract).get(pk=variation.pk)
    return Status(201, variation_out(variation))


@router.get("/contracts/{contract_id}/payments", response=list[PaymentOut])
def payment_list(request, contract_id: int):
    return list(selectors.contract_get(request.user, contract_id).payments.all())


@router.post("/contracts/{contract_id}/payments", response={201: PaymentOut})
def payment_create(request, contract_id: int, payload: PaymentIn):
    contract = selectors.contract_get(request.user, contract_id)
    return Status(201, services.payment_record(actor=request.user, contract=contract, **payload.dict()))


# ---- deliveries and acceptance -------------------------------------------------------------------------


class DeliveryFilters(PageParams):
    contract: int | None = None
    tender: int | None = None
    lot: int | None = None
    buyer: str | None = None


def _by_contract(qs, prefix: str, tender: int | None, lot: int | None, buyer: str | None):
    """A list of a contract's documents narrowed to a tender, a lot and a buyer (the reconciliation's
    drill-down)."""
    if tender:
        qs = qs.filter(**{f"{prefix}award__lot__tender_id": tender})
    if lot:
        qs = qs.filter(**{f"{prefix}award__lot_id": lot})
    if buyer:
        qs = qs.filter(**{f"{prefix}buyer__code": buyer})
    return qs


@router.get("/deliveries", response=page_schema(DeliveryOut), summary=gettext_lazy("交货批次（本单位范围）"))
def delivery_list(request, filters: Query[DeliveryFilters]):
    qs = selectors.deliveries_for(request.user, contract_id=filters.contract)
    qs = _by_contract(qs, "contract__", filters.tender, filters.lot, filters.buyer)
    return paginate(qs, filters, delivery_out)


@router.post("/contracts/{contract_id}/deliveries", response={201: DeliveryOut})
def delivery_create(request, contract_id: int, payload: DeliveryIn):
    contract = selectors.contract_get(request.user, contract_id)
    data = payload.dict()
    destination = unit_get(request.user, data.pop("destination"))
    delivery = services.delivery_create(
        actor=request.user, contract=contract, destination=destination, **data
    )
    return Status(201, delivery_out(delivery))


@router.get("/deliveries/{delivery_id}", response=DeliveryOut)
def delivery_detail(request, delivery_id: int):
    return delivery_out(selectors.delivery_get(request.user, delivery_id))


@router.post("/deliveries/{delivery_id}/arrive", response=DeliveryOut)
def delivery_arrive(request, delivery_id: int, payload: ArriveIn):
    delivery = selectors.delivery_get(request.user, delivery_id)
    return delivery_out(
        services.delivery_arrive(actor=request.user, delivery=delivery, delivered_on=payload.delivered_on)
    )


@router.post(
    "/deliveries/{delivery_id}/acceptance", response={201: AcceptanceOut}, summary=gettext_lazy("验收")
)
def acceptance_create(request, delivery_id: int, payload: AcceptanceIn):
    delivery = selectors.delivery_get(request.user, delivery_id)
    acceptance = services.acceptance_record(actor=request.user, delivery=delivery, **payload.dict())
    return Status(201, acceptance_out(acceptance))


@router.get("/acceptances", response=list[AcceptanceOut])
def acceptance_list(
    request,
    contract: int | None = None,
    tender: int | None = None,
    lot: int | None = None,
    buyer: str | None = None,
):
    deliveries = _by_contract(
        selectors.deliveries_for(request.user, contract_id=contract), "contract__", tender, lot, buyer
    )
    qs = Acceptance.objects.filter(delivery__in=deliveries).prefetch_related("lines").order_by("id")
    return [acceptance_out(a) for a in qs]


@router.get("/acceptances/{acceptance_id}", response=AcceptanceOut)
def acceptance_detail(request, acceptance_id: int):
    a = Acceptance.objects.filter(
        pk=acceptance_id, delivery__in=selectors.deliveries_for(request.user)
    ).first()
    if a is None:
        raise NotFound()
    return acceptance_out(a)


@router.post(
    "/acceptance-lines/{line_id}/returned",
    response=dict,
    summary=gettext_lazy("不合格品已退回供应商"),
)
def rejection_returned(request, line_id: int, payload: ReturnedIn):
    line = selectors.acceptance_line_get(request.user, line_id)
    line = services.rejection_mark_returned(
        actor=request.user, acceptance_line=line, returned_on=payload.returned_on
    )
    return {
        "id": line.id,
        "rejection_status": line.rejection_status,
        "returned_on": line.returned_on.isoformat(),
    }


# ---- the reconciliation (采购对账) and the documents behind its figures --------------------------------

API = "/api/v1/procurement"


def _documents(tender_id: int, lot_id: int, buyer: str | None, award_ids: list[int]) -> dict:
    query = f"?tender={tender_id}&lot={lot_id}" + (f"&buyer={buyer}" if buyer else "")
    return {
        "award": [f"{API}/awards/{a}" for a in award_ids],
        **{kind: f"{API}/{kind}{query}" for kind in reconciliation.DOCUMENT_KINDS},
    }


def reconciliation_out(rec) -> dict:
    tid = rec.tender.pk
    return {
        "tender_id": tid,
        "reference": rec.tender.reference,
        "title": rec.tender.title,
        "restricted": rec.restricted,
        "budget": rec.budget,
        "lots_budget": rec.lots_budget,
        "award": rec.award,
        "totals": rec.totals,
        "lots": [
            {
                "lot_id": b.lot.pk,
                "number": b.lot.number,
                "title": b.lot.title,
                "budget": b.budget,
                "award": b.award,
                "award_ids": b.award_ids,
                "suppliers": b.suppliers,
                "award_of_budget_percent": reconciliation.ratio(b.award, b.budget),
                "contracted_of_award_percent": reconciliation.ratio(b.totals["contracted"], b.award),
                "totals": b.totals,
                "documents": _documents(tid, b.lot.pk, rec.city, b.award_ids),
                "rows": [
                    {
                        "buyer": r.buyer_code,
                        "buyer_name": r.buyer_name,
                        "buyer_level": r.buyer_level,
                        "contract_ids": r.contract_ids,
                        "figures": r.figures,
                        "documents": _documents(tid, b.lot.pk, r.buyer_code, b.award_ids),
                    }
                    for r in b.rows
                ],
            }
            for b in rec.lots
        ],
    }


class ReconFilters(Schema):
    tender: int | None = None
    lot: int | None = None
    city: str | None = None


@router.get(
    "/reconciliation",
    response=ReconciliationOut,
    summary=gettext_lazy("采购对账：预算、中标、各采购人合同、到货、验收、付款"),
)
def reconciliation_get(request, filters: Query[ReconFilters]):
    tender = selectors.tender_get(request.user, filters.tender) if filters.tender else None
    rec = reconciliation.reconcile(request.user, tender=tender, lot_id=filters.lot, city=filters.city)
    return reconciliation_out(rec)


class DocumentFilters(PageParams):
    tender: int | None = None
    lot: int | None = None
    buyer: str | None = None
    contract: int | None = None


def _doc_filters(filters: DocumentFilters) -> dict:
    return {
        "tender_id": filters.tender,
        "lot_id": filters.lot,
        "buyer": filters.buyer,
        "contract_id": filters.contract,
    }


def variation_doc_out(v) -> dict:
    return {
        "id": v.id,
        "number": v.number,
        "contract_id": v.contract_id,
        "contract_number": v.contract.number,
        "buyer": v.contract.buyer.code,
        "buyer_name": v.contract.buyer.name,
        "lot_id": v.contract.award.lot_id,
        "signed_on": v.signed_on,
        "amount": v.amount,
        "performance_bond": v.performance_bond,
        "legal_basis": v.legal_basis,
        "reason": v.reason,
        "line_count": v.line_count,
        "quantity": v.quantity or 0,
    }


def payment_doc_out(p) -> dict:
    return {
        "id": p.id,
        "contract_id": p.contract_id,
        "contract_number": p.contract.number,
        "buyer": p.contract.buyer.code,
        "buyer_name": p.contract.buyer.name,
        "kind": p.kind,
        "kind_label": one(PaymentKind(p.kind).label),
        "amount": p.amount,
        "paid_on": p.paid_on,
        "note": p.note,
    }


@router.get(
    "/variations", response=page_schema(VariationDocOut), summary=gettext_lazy("补充合同（本单位范围）")
)
def variation_documents(request, filters: Query[DocumentFilters]):
    qs = reconciliation.documents(request.user, "variations", **_doc_filters(filters))
    return paginate(qs, filters, variation_doc_out)


@router.get("/payments", response=page_schema(PaymentDocOut), summary=gettext_lazy("付款（本单位范围）"))
def payment_all_list(request, filters: Query[DocumentFilters]):
    qs = reconciliation.documents(request.user, "payments", **_doc_filters(filters))
    return paginate(qs, filters, payment_doc_out)


# ---- working-day calendar ------------------------------------------------------------------------------


@router.get("/holidays", response=list[HolidayOut], summary=gettext_lazy("节假日调整"))
def holiday_list(request, year: int | None = Query(None, ge=1900, le=2200)):
    selectors.tenders_for(request.user)  # members only
    qs = Holiday.objects.all()
    return list(qs.filter(date__year=year) if year else qs)


@router.get("/holiday-years", response=list[HolidayYearOut], summary=gettext_lazy("工作日数据年度"))
def holiday_year_list(request):
    selectors.tenders_for(request.user)  # members only
    return list(HolidayYear.objects.all())


@router.post("/holiday-years", response={201: HolidayYearOut}, summary=gettext_lazy("录入工作日数据年度"))
def holiday_year_set(request, payload: HolidayYearIn):
    return Status(201, services.holiday_year_set(actor=request.user, **payload.dict()))


@router.post("/holidays", response={201: HolidayOut})
def holiday_set(request, payload: HolidayIn):
    return Status(201, services.holiday_set(actor=request.user, **payload.dict()))
