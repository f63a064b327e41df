"""Every read of procurement, from the user's scope.

Tenders, lots, milestones, awards and suppliers are published information (notices, award notices):
every member reads them. Bids and rule overrides: provincial logistics and auditors with the whole
province. Contracts, deliveries and acceptances: the buyer's subtree, or the delivery's destination.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from core import scope
from core.errors import Forbidden, NotFound

from . import rules
from .choices import TenderStatus
from .models import (
    AcceptanceLine,
    Award,
    Bid,
    Contract,
    ContractVariation,
    ContractVariationLine,
    Delivery,
    DeliveryLine,
    Lot,
    Milestone,
    RuleOverride,
    Supplier,
    Tender,
)
from .workdays import CalendarMissing, WorkCalendar

DUE_SOON_DAYS = 3


def _member(user) -> None:
    if not scope.memberships(user):
        raise NotFound()


def tenders_for(user):
    _member(user)
    return Tender.objects.select_related("procuring_unit").order_by("-year", "id")


def tender_get(user, tender_id: int) -> Tender:
    tender = tenders_for(user).filter(pk=tender_id).first()
    if tender is None:
        raise NotFound()
    return tender


def tender_latest(user) -> Tender:
    """The newest tender (by year, then the last created); 404 when there is none."""
    tender = tenders_for(user).order_by("-year", "-created_at", "-id").first()
    if tender is None:
        raise NotFound(gettext("尚无采购项目"))
    return tender


def lot_get(user, lot_id: int) -> Lot:
    _member(user)
    lot = Lot.objects.select_related("tender").filter(pk=lot_id).first()
    if lot is None:
        raise NotFound()
    return lot


def milestone_get(user, milestone_id: int) -> Milestone:
    _member(user)
    m = Milestone.objects.select_related("tender").filter(pk=milestone_id).first()
    if m is None:
        raise NotFound()
    return m


def suppliers_for(user, q: str | None = None):
    _member(user)
    qs = Supplier.objects.all()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    return qs


def supplier_get(user, supplier_id: int) -> Supplier:
    s = suppliers_for(user).filter(pk=supplier_id).first()
    if s is None:
        raise NotFound()
    return s


def _tender_internals(user, tender: Tender) -> None:
    """Bids and overrides: readable by provincial logistics and auditors whose scope holds the procuring
    unit; others in scope get 403, everyone else 404."""
    if not scope.in_scope(user, tender.procuring_unit) or not scope.memberships(user):
        raise NotFound()
    if not scope.has_role(user, scope.PROVINCE, scope.AUDITOR, unit=tender.procuring_unit):
        raise Forbidden()


def bids_for(user, lot: Lot):
    _tender_internals(user, lot.tender)
    return Bid.objects.filter(lot=lot).select_related("supplier").order_by("rank", "price", "id")


def bid_get(user, bid_id: int) -> Bid:
    bid = Bid.objects.select_related("lot__tender", "supplier").filter(pk=bid_id).first()
    if bid is None:
        raise NotFound()
    _tender_internals(user, bid.lot.tender)
    return bid


def awards_for(user, tender: Tender | None = None):
    _member(user)
    qs = Award.objects.select_related("lot__tender", "supplier").prefetch_related("unit_prices__item")
    return qs.filter(lot__tender=tender) if tender else qs


def award_get(user, award_id: int) -> Award:
    a = awards_for(user).filter(pk=award_id).first()
    if a is None:
        raise NotFound()
    return a


def overrides_for(user, tender: Tender):
    _tender_internals(user, tender)
    return RuleOverride.objects.filter(milestone__tender=tender).select_related("milestone", "actor")


def _with_paid(qs):
    """paid_total (payments other than bond returns) and variations_total (its 补充合同), annotated; the
    variations in a subquery so the two sums never multiply each other's rows."""
    paid = Sum("payments__amount", filter=~Q(payments__kind="bond_return"))
    varied = Subquery(
        ContractVariation.objects.filter(contract=OuterRef("pk"))
        .values("contract")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    zero = Value(Decimal("0.00"))
    return qs.annotate(
        paid_total=Coalesce(paid, zero, output_field=DecimalField()),
        variations_total=Coalesce(varied, zero, output_field=DecimalField()),
    )


def variations_for(contract: Contract):
    """A contract's 补充合同 with their lines (the contract already read in the user's scope)."""
    return contract.variations.prefetch_related("lines__contract_line__item").order_by("signed_on", "id")


def contracts_for(user, *, tender_id: int | None = None, buyer: str | None = None):
    qs = _with_paid(
        scope.restrict(Contract.objects.all(), user, "buyer").select_related(
            "buyer", "supplier", "award__lot__tender"
        )
    )
    if tender_id:
        qs = qs.filter(award__lot__tender_id=tender_id)
    if buyer:
        qs = qs.filter(buyer__code=buyer)
    return qs.order_by("number")


def contract_get(user, contract_id: int) -> Contract:
    return scope.get_in_scope_or_404(
        _with_paid(Contract.objects.select_related("buyer", "supplier", "award__lot__tender")),
        user,
        "buyer",
        pk=contract_id,
    )


def _deliveries_in_scope(user):
    """Deliveries under a contract of the user's subtree or to a store in it."""
    return Delivery.objects.filter(
        scope.scope_q(user, "contract__buyer") | scope.scope_q(user, "destination")
    )


def deliveries_for(user, *, contract_id: int | None = None):
    qs = _deliveries_in_scope(user)
    if contract_id:
        qs = qs.filter(contract_id=contract_id)
    return (
        qs.select_related("contract", "destination", "acceptance")
        .prefetch_related("lines__contract_line__item", "lines__acceptance_line")
        .order_by("id")
    )


def deliveries_waiting(user):
    """Deliveries in scope still to be received or accepted (验收), without their lines: the start page's list."""
    return (
        _deliveries_in_scope(user)
        .filter(status__in=["announced", "arrived"])
        .select_related("contract", "destination")
        .order_by("planned_on", "id")
    )


def delivery_get(user, delivery_id: int, *, lines: bool = True) -> Delivery:
    """A delivery in scope; `lines=False` leaves its lines unloaded (the pages page them, ~2,000 for a city)."""
    qs = (
        deliveries_for(user)
        if lines
        else _deliveries_in_scope(user).select_related("contract__buyer", "destination", "acceptance")
    )
    d = qs.filter(pk=delivery_id).first()
    if d is None:
        raise NotFound()
    return d


def acceptance_line_get(user, line_id: int) -> AcceptanceLine:
    line = AcceptanceLine.objects.select_related("acceptance__delivery").filter(pk=line_id).first()
    if line is None or not deliveries_for(user).filter(pk=line.acceptance.delivery_id).exists():
        raise NotFound()
    return line


# ---- progress ------------------------------------------------------------------------------------------


def contract_progress(contract: Contract) -> dict:
    """Per line (item × gender × size, or officer for made to measure): ordered (the contract line plus what
    its 补充合同 added), of which added, delivered, accepted, rejected, awaiting inspection, outstanding
    (ordered − accepted), rejected goods not yet replaced."""
    lines = list(contract.lines.select_related("item", "officer"))
    added = dict(
        ContractVariationLine.objects.filter(contract_line__contract=contract)
        .values("contract_line_id")
        .annotate(n=Sum("quantity"))
        .values_list("contract_line_id", "n")
    )
    agg = defaultdict(lambda: {"delivered": 0, "accepted": 0, "rejected": 0, "awaiting": 0, "unreplaced": 0})
    dls = DeliveryLine.objects.filter(contract_line__contract=contract).select_related("acceptance_line")
    for dl in dls:
        a = agg[dl.contract_line_id]
        a["delivered"] += dl.quantity
        al = getattr(dl, "acceptance_line", None)
        if al is None:
            a["awaiting"] += dl.quantity
        else:
            a["accepted"] += al.accepted
            a["rejected"] += al.rejected
    for al in AcceptanceLine.objects.filter(
        delivery_line__contract_line__contract=contract, rejected__gt=0
    ).exclude(rejection_status="replaced"):
        replaced = sum(
            r.acceptance_line.accepted for r in al.replacements.all() if hasattr(r, "acceptance_line")
        )
        agg[al.delivery_line.contract_line_id]["unreplaced"] += max(0, al.rejected - replaced)
    rows = []
    totals = dict.fromkeys(
        ("ordered", "added", "delivered", "accepted", "rejected", "awaiting", "outstanding", "unreplaced"), 0
    )
    for ln in lines:
        a = agg[ln.pk]
        ordered = ln.quantity + added.get(ln.pk, 0)
        row = {
            "contract_line_id": ln.pk,
            "kind": ln.kind,
            "item_code": ln.item.code,
            "item_name": ln.item.name_for(ln.gender),
            "gender": ln.gender,
            "size": ln.size,
            "officer_id": ln.officer_id,
            "ordered": ordered,
            "added": added.get(ln.pk, 0),
            **a,
            "outstanding": max(0, ordered - a["accepted"]),
        }
        rows.append(row)
        for k in totals:
            totals[k] += row[k]
    return {"contract_id": contract.pk, "number": contract.number, "lines": rows, "totals": totals}


# ---- the timeline --------------------------------------------------------------------------------------


def timeline(
    tender: Tender, today: datetime.date | None = None, calendar: WorkCalendar | None = None
) -> dict:
    """Planned vs actual per milestone, legal findings on both, the forecast end date from what is done and
    the legal minimums still ahead, the slack to the target date and the critical milestone.

    Forecast of a milestone not done: the latest of today, its planned date pushed by the delay carried
    from the milestones before it, the legal minimum after the forecasts before it, and the previous
    milestone's forecast (a floating milestone: the previous fixed one's). A milestone not done while a later
    one is done is shown as not recorded and constrains nothing."""
    today = today or timezone.localdate()
    calendar = calendar or WorkCalendar()
    milestones = list(tender.milestones.order_by("sequence"))
    overrides = {
        (o.milestone_id, o.rule_code, o.date_kind, o.date)
        for o in RuleOverride.objects.filter(milestone__tender=tender)
    }
    planned = {m.code: (m.actual_date or m.planned_date) for m in milestones}
    planned_only = {m.code: m.planned_date for m in milestones}
    actual = {m.code: m.actual_date for m in milestones}
    warnings: list[dict] = []
    forecast: dict[str, datetime.date] = {}
    delay, anchor, since = 0, None, None
    floating = {d["code"] for d in rules.milestone_defs() if d.get("floating")}
    last_done = max((m.sequence for m in milestones if m.actual_date), default=0)
    critical = None
    out = []
    for m in milestones:
        findings = []
        plan_dates = {**(planned_only if m.actual_date else planned), m.code: m.planned_date}
        for kind, dates in (("planned", plan_dates), ("actual", actual)):
            if (m.planned_date if kind == "planned" else m.actual_date) is None:
                continue
            v, w = rules.check_dates(tender.method, dates, calendar, only=m.code)
            warnings.extend({**x, "milestone": m.code} for x in w)
            for f in v:
                if f.milestone != m.code:
                    continue
                findings.append(
                    {
                        "date_kind": kind,
                        **f.as_dict(),
                        "overridden": (m.pk, f.rule, kind, f.date) in overrides,
                    }
                )
        if not m.actual_date and m.sequence < last_done:
            # a later milestone is done: this one was skipped or its date not recorded; it constrains nothing
            out.append(
                {
                    "id": m.pk,
                    "code": m.code,
                    "sequence": m.sequence,
                    "name": m.name,
                    "planned_date": m.planned_date,
                    "actual_date": None,
                    "forecast_date": None,
                    "slip_days": None,
                    "status": "not_recorded",
                    "note": m.note,
                    "findings": findings,
                }
            )
            continue
        if m.actual_date:
            f_date = m.actual_date
        else:
            candidates = [today]
            if m.planned_date:
                candidates.append(m.planned_date + datetime.timedelta(days=delay))
            try:
                legal = rules.earliest_allowed(tender.method, m.code, forecast, calendar)
            except CalendarMissing as exc:
                legal = None
                warnings.append(
                    {
                        "milestone": m.code,
                        "code": "calendar_missing",
                        "year": exc.year,
                        "message": exc.message,
                    }
                )
            if legal:
                candidates.append(legal)
            floor = anchor if m.code in floating else max(filter(None, (anchor, since)), default=None)
            if floor:
                candidates.append(floor)
            f_date = max(candidates)
            if critical is None and m.planned_date and f_date > m.planned_date:
                critical = m.code
        if m.code in floating:  # floats between the fixed milestones around it; carries no delay
            since = max(filter(None, (since, f_date)))
        else:
            anchor, since = f_date, None
            if m.planned_date:
                delay = max(0, (f_date - m.planned_date).days)
        forecast[m.code] = f_date
        slip = (f_date - m.planned_date).days if m.planned_date else None
        status = (
            "done"
            if m.actual_date
            else (
                "overdue"
                if m.planned_date and m.planned_date < today
                else "due_soon"
                if m.planned_date and (m.planned_date - today).days <= DUE_SOON_DAYS
                else "pending"
            )
        )
        out.append(
            {
                "id": m.pk,
                "code": m.code,
                "sequence": m.sequence,
                "name": m.name,
                "planned_date": m.planned_date,
                "actual_date": m.actual_date,
                "forecast_date": f_date,
                "slip_days": slip,
                "status": status,
                "note": m.note,
                "findings": findings,
            }
        )
    if critical is None:
        critical = next((m.code for m in milestones if not m.actual_date and m.sequence > last_done), None)
    end = forecast.get(milestones[-1].code) if milestones else None
    # Any date of the timeline past the working-day data is flagged, not only the ones a rule counts from:
    # a delivery planned for October of a year entered up to May is as uncertain as a legal period there.
    flagged = {w.get("year") for w in warnings if w.get("code") == "calendar_missing"}
    for row in out:
        for day in (row["planned_date"], row["actual_date"], row["forecast_date"]):
            if day is None or day.year in flagged:
                continue
            exc = calendar.missing(day)
            if exc is not None:
                flagged.add(day.year)
                warnings.append(
                    {
                        "milestone": row["code"],
                        "code": "calendar_missing",
                        "year": exc.year,
                        "message": exc.message,
                    }
                )
    return {
        "tender_id": tender.pk,
        "method": tender.method,
        "target_date": tender.target_date,
        "forecast_end": end,
        "slack_days": (tender.target_date - end).days if end else None,
        "critical_milestone": critical,
        "milestones": out,
        "warnings": _unique(warnings),
        "today": today,
    }


def _unique(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for w in items:
        key = (w.get("code"), w.get("year"), w.get("rule"))
        if key not in seen:
            seen.add(key)
            out.append(w)
    return out


def milestones_to_remind(today: datetime.date) -> tuple[list[Milestone], list[Milestone]]:
    """(due in exactly 3 days, overdue) among open tenders' milestones not yet done."""
    open_tenders = ~Q(tender__status__in=[TenderStatus.COMPLETE, TenderStatus.CANCELLED])
    qs = Milestone.objects.filter(open_tenders, actual_date__isnull=True).select_related("tender")
    due = list(qs.filter(planned_date=today + datetime.timedelta(days=DUE_SOON_DAYS)))
    overdue = list(qs.filter(planned_date__lt=today))
    return due, overdue


def milestones_due(user, today: datetime.date | None = None) -> list[dict]:
    """Milestones of the open tenders the user reads that the timeline finds overdue or due within
    DUE_SOON_DAYS (its statuses, so skipped ones behind a later done milestone are not counted), each with
    its tender: [{**timeline milestone, "tender": Tender}] in tender and legal order."""
    out = []
    open_tenders = tenders_for(user).exclude(status__in=[TenderStatus.COMPLETE, TenderStatus.CANCELLED])
    for tender in open_tenders:
        for m in timeline(tender, today=today)["milestones"]:
            if m["status"] in ("overdue", "due_soon"):
                out.append({**m, "tender": tender})
    return out


# ---- the supplier's packing lists (reports: packing-list) ------------------------------------------------


def packing_contract_lines(tender: Tender, *, lot_number: int | None = None) -> list[dict]:
    """The goods the suppliers pack under a tender: every line of its signed (or completed) contracts under
    active awards, with the quantities of the contract's supplementary contracts (补充合同) added. Plain rows
    [{lot, lot_title, supplier, contract, buyer_code, buyer_level, snapshot_id, kind, item_id, gender, size,
    quantity, officer_id, officer_name, officer_unit_code}] in lot, contract, line order.

    Read as published terms, not from the requester's scope: the report (reports.kinds.packing_list) keeps
    only the destinations in the requester's scope, so a city reads its share of the province's contract."""
    from .choices import AwardStatus, ContractStatus
    from .models import ContractLine, ContractVariationLine

    lines = ContractLine.objects.filter(
        contract__award__lot__tender=tender,
        contract__award__status=AwardStatus.ACTIVE,
        contract__status__in=(ContractStatus.SIGNED, ContractStatus.COMPLETE),
    )
    if lot_number is not None:
        lines = lines.filter(contract__award__lot__number=lot_number)
    extra = dict(
        ContractVariationLine.objects.filter(contract_line__in=lines)
        .values("contract_line_id")
        .annotate(n=Sum("quantity"))
        .values_list("contract_line_id", "n")
        .order_by()
    )
    rows = lines.order_by(
        "contract__award__lot__number", "contract__number", "kind", "item__sort_order", "gender", "size", "id"
    ).values(
        "id",
        "contract__award__lot__number",
        "contract__award__lot__title",
        "contract__supplier__name",
        "contract__number",
        "contract__buyer__code",
        "contract__buyer__level",
        "contract__snapshot_id",
        "kind",
        "item_id",
        "gender",
        "size",
        "quantity",
        "officer_id",
        "officer__name",
        "officer__unit__code",
    )
    return [
        {
            "lot": r["contract__award__lot__number"],
            "lot_title": r["contract__award__lot__title"],
            "supplier": r["contract__supplier__name"],
            "contract": r["contract__number"],
            "buyer_code": r["contract__buyer__code"],
            "buyer_level": r["contract__buyer__level"],
            "snapshot_id": r["contract__snapshot_id"],
            "kind": r["kind"],
            "item_id": r["item_id"],
            "gender": r["gender"],
            "size": r["size"],
            "quantity": r["quantity"] + (extra.get(r["id"]) or 0),
            "officer_id": r["officer_id"],
            "officer_name": r["officer__name"],
            "officer_unit_code": r["officer__unit__code"],
        }
        for r in rows
    ]
