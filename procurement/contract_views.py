"""The contract pages of 统采分签: a contract (lines, totals, payments, deliveries) with its sign and payment
forms, and a delivery with its arrival and its 验收 by exception. City staff act on their own city's contracts
and on deliveries to their store, provincial logistics on all of them, the auditor reads (no write controls:
`core.pages.may_write` runs the services' own permission rule). They read through procurement.selectors and
write through procurement.services; forms carry a page token so a resubmitted form records nothing twice."""

import datetime
import uuid
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from assets.models import ItemType
from core import scope
from core.by_exception import filter_lines, line_filters, paged_lines
from core.by_exception import number as _int
from core.errors import QMError
from core.i18n import one
from core.pages import may_write, page, tr
from distribution.receipts import gender_name, item_name
from distribution.services import idempotent

from . import acceptances, selectors, services
from .choices import ContractStatus, DeliveryStatus, PaymentKind, RejectionStatus
from .models import AcceptanceLine, DeliveryLine

PAGE_LINES = 500  # lines shown at once: a city's contract has ~1,900 (issue 13: never over 1,000 on a page)


def contract_url(contract_id: int) -> str:
    return reverse("procurement:contract", args=[contract_id])


def delivery_url(delivery_id: int) -> str:
    return reverse("procurement:delivery", args=[delivery_id])


def _date(value, field: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise QMError(
            "bad_date", gettext("日期无效：{value}").format(value=value[:20]), {"field": field}
        ) from None


def _required_date(value, field: str, name: str) -> datetime.date:
    day = _date(value, field)
    if day is None:
        raise QMError("required", gettext("须填写{name}").format(name=name), {"field": field})
    return day


def _groups(rows, line_of, row_of) -> list[dict]:
    """Rows grouped by item and version (男/女), the sizes inside: how the lists read."""
    groups: list[dict] = []
    for r in rows:
        cl = line_of(r)
        key = (cl.item_id, cl.gender)
        if not groups or groups[-1]["key"] != key:
            groups.append(
                {
                    "key": key,
                    "name": item_name(cl.item, cl.gender),
                    "gender": gender_name(cl.gender),
                    "rows": [],
                }
            )
        groups[-1]["rows"].append(row_of(r))
    return groups


def _items_of(qs) -> list[tuple[str, str]]:
    """The items on a contract or delivery, for the item filter: (code, name); the code stays in the value."""
    items = ItemType.objects.filter(pk__in=qs).order_by("sort_order", "code")
    return [(i.code, tr(i.name_zh, i.name_en)) for i in items]


GENDERS = (("M", "男"), ("F", "女"))


def _genders() -> list[tuple[str, str]]:
    return [(v, gender_name(v)) for v, _ in GENDERS]


# ---- a contract ----------------------------------------------------------------------------------------


def _contract_lines(contract, f: dict) -> dict:
    """One page of the contract's lines with ordered, delivered, accepted and rejected per line."""
    qs = filter_lines(contract.lines.select_related("item", "officer"), f)
    paged = paged_lines(qs, f, ("kind", "item__sort_order", "item__code", "gender", "size", "id"), PAGE_LINES)
    ids = [ln.pk for ln in paged["rows"]]
    delivered = dict(
        DeliveryLine.objects.filter(contract_line_id__in=ids)
        .values("contract_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("contract_line_id", "q")
    )
    checked = {
        r["delivery_line__contract_line_id"]: r
        for r in AcceptanceLine.objects.filter(delivery_line__contract_line_id__in=ids)
        .values("delivery_line__contract_line_id")
        .annotate(a=Sum("accepted"), r=Sum("rejected"))
    }

    def row(ln):
        c = checked.get(ln.pk, {})
        return {
            "id": ln.pk,
            "size": acceptances.size_label(ln),
            "ordered": ln.quantity,
            "unit_price": ln.unit_price,
            "amount": ln.amount,
            "delivered": delivered.get(ln.pk, 0),
            "accepted": c.get("a") or 0,
            "rejected": c.get("r") or 0,
        }

    paged["groups"] = _groups(paged.pop("rows"), lambda ln: ln, row)
    return paged


def _contract_page(request, contract, status: int = 200, **extra):
    user = request.user
    f = line_filters(request)
    deliveries = list(
        contract.deliveries.select_related("destination", "acceptance")
        .annotate(
            n=Count("lines"),
            qty=Sum("lines__quantity"),
            accepted=Sum("lines__acceptance_line__accepted"),
            rejected=Sum("lines__acceptance_line__rejected"),
        )
        .order_by("id")
    )
    ordered = contract.lines.aggregate(n=Count("id"), q=Sum("quantity"))
    variations = list(contract.variations.annotate(qty=Sum("lines__quantity")).order_by("signed_on", "id"))
    varied = sum((v.amount for v in variations), Decimal(0))
    payments = list(contract.payments.order_by("paid_on", "id"))
    may_act = may_write(services._require_purchaser, user, contract)
    status_value = ContractStatus(contract.status)
    ctx = {
        "nav_key": "contracts",
        "c": contract,
        "status_label": one(status_value.label),
        "lot": contract.award.lot,
        "tender": contract.award.lot.tender,
        "totals": {
            "lines": ordered["n"] or 0,
            "ordered": (ordered["q"] or 0) + sum(v.qty or 0 for v in variations),
            "variations": varied,
            "contracted": contract.total + varied,
            "delivered": sum(d.qty or 0 for d in deliveries),
            "accepted": sum(d.accepted or 0 for d in deliveries),
            "rejected": sum(d.rejected or 0 for d in deliveries),
            "paid": contract.paid_total,
            "unpaid": contract.total + varied - contract.paid_total,
        },
        "deliveries": [
            {"d": d, "status_label": one(DeliveryStatus(d.status).label), "url": delivery_url(d.pk)}
            for d in deliveries
        ],
        "variations": variations,
        "payments": [{"p": p, "kind_label": one(PaymentKind(p.kind).label)} for p in payments],
        "may_sign": may_act and status_value == ContractStatus.DRAFT,
        "may_pay": may_act and status_value in (ContractStatus.SIGNED, ContractStatus.COMPLETE),
        "may_bond": may_act and status_value in (ContractStatus.DRAFT, ContractStatus.SIGNED),
        "may_deliver": may_act and status_value == ContractStatus.SIGNED,
        "destinations": _destinations(contract) if may_act and status_value == ContractStatus.SIGNED else [],
        "kinds": [(v, one(t)) for v, t in PaymentKind.choices],
        "lines": _contract_lines(contract, f),
        "f": f,
        "items": _items_of(contract.lines.values("item")),
        "genders": _genders(),
        "token": uuid.uuid4().hex,
        "form": {},
        **extra,
    }
    return render(request, "procurement/contract.html", ctx, status=status)


def _destinations(contract) -> list[tuple[str, str]]:
    """Where this contract's goods may be delivered (the service's rule decides): the provincial store, and the
    buyer's own store and its county agencies (a province contract: every city and county agency)."""
    from personnel.models import OrgUnit

    units = OrgUnit.objects.filter(is_active=True, level__in=("city", "county")).order_by("path")
    if contract.buyer.level != "province":
        units = units.filter(path__startswith=contract.buyer.path)
    province = OrgUnit.objects.filter(level="province").first()
    return [(u.code, u.name) for u in ([province] if province else []) + list(units)]


def _owed(contract, items: list[str]) -> list[dict]:
    """The batch's lines: what is still owed on the contract, or on the items ticked (read when the batch is
    recorded, so a resent form gets the batch it recorded the first time)."""
    lines = services.delivery_outstanding(contract, item_codes=items or None)
    if not lines:
        raise QMError("nothing_owed", gettext("所选品类已无未交数量"), {"field": "items"})
    return lines


@page
def delivery_create_page(request, contract_id: int):
    """POST: the purchaser records a supplier's delivery batch — everything still owed on the contract, or on
    the items ticked — to one store; lines whose goods differ are then marked at 验收, by exception. The form
    posts a few fields whatever the contract's size; the page token makes a double click record one batch."""
    from personnel.models import OrgUnit

    user = request.user
    contract = selectors.contract_get(user, contract_id)
    if request.method != "POST":
        return redirect(contract_url(contract.pk))
    services._require_purchaser(user, contract)  # the service's own rule, before what it would refuse later
    form = request.POST.dict()
    items = sorted(set(request.POST.getlist("items")))
    try:
        number = request.POST.get("number", "").strip()
        if not number:
            raise QMError("required", gettext("须填写批次号"), {"field": "number"})
        planned_on = _date(request.POST.get("planned_on"), "planned_on")
        delivered_on = _date(request.POST.get("delivered_on"), "delivered_on")
        destination = OrgUnit.objects.filter(code=request.POST.get("destination", "")).first()
        if destination is None:
            raise QMError("bad_destination", gettext("请选择交货地点"), {"field": "destination"})
    except QMError as exc:
        return _contract_page(request, contract, status=exc.status, error=exc.message, form=form)
    token = request.POST.get("token", "")
    try:
        result = idempotent(
            actor=user,
            key=f"delivery_create-page:{token}" if token else None,
            action="delivery_create",
            payload={
                "contract": contract.pk,
                "number": number,
                "destination": destination.code,
                "items": items,
                "planned_on": planned_on,
                "delivered_on": delivered_on,
            },
            fn=lambda: {
                "id": services.delivery_create(
                    actor=user,
                    contract=contract,
                    number=number,
                    destination=destination,
                    lines=_owed(contract, items),
                    planned_on=planned_on,
                    delivered_on=delivered_on,
                ).pk
            },
        )
    except QMError as exc:
        if exc.status in (403, 404):
            raise
        return _contract_page(request, contract, status=exc.status, error=exc.message, form=form)
    messages.success(request, gettext("已登记交货批次 {number}").format(number=number))
    return redirect(delivery_url(result["id"]))


@page
def contract_detail(request, contract_id: int):
    """A contract in the user's scope: its lines (paged, searched by item name, 男/女, size), totals, payments
    and deliveries; for its purchaser the sign form (while a draft) and the payment form (once signed)."""
    return _contract_page(request, selectors.contract_get(request.user, contract_id))


def _posted(request, contract, fn, action: str, payload: dict, done: str):
    """Run a contract write once per page token; an error the user can act on re-renders the page with the
    message and what they typed (nothing changed); out of scope / no role: the 404 / 403 page."""
    token = request.POST.get("token", "")
    try:
        idempotent(
            actor=request.user,
            key=f"{action}-page:{token}" if token else None,
            action=action,
            payload={"contract": contract.pk, **payload},
            fn=fn,
        )
    except QMError as exc:
        if exc.status in (403, 404):
            raise
        contract = selectors.contract_get(request.user, contract.pk)
        return _contract_page(
            request, contract, status=exc.status, error=exc.message, form=request.POST.dict(), token=token
        )
    messages.success(request, done)
    return redirect(contract_url(contract.pk))


@page
def contract_sign(request, contract_id: int):
    """POST: the purchaser signs (签订日期, optional 公告日期); the legal deadlines are the service's."""
    user = request.user
    contract = selectors.contract_get(user, contract_id)
    if request.method != "POST":
        return redirect(contract_url(contract.pk))
    try:
        signed_on = _required_date(request.POST.get("signed_on"), "signed_on", gettext("签订日期"))
        published_on = _date(request.POST.get("published_on"), "published_on")
    except QMError as exc:
        return _contract_page(
            request, contract, status=exc.status, error=exc.message, form=request.POST.dict()
        )
    return _posted(
        request,
        contract,
        lambda: {
            "id": services.contract_sign(
                actor=user, contract=contract, signed_on=signed_on, published_on=published_on
            ).pk
        },
        "contract_sign",
        {"signed_on": signed_on, "published_on": published_on},
        gettext("已签订合同 {number}").format(number=contract.number),
    )


@page
def payment_create(request, contract_id: int):
    """POST: the purchaser records a payment (kind, amount, date, note); the service keeps the total within
    the contract. The page token makes a double click record one payment."""
    user = request.user
    contract = selectors.contract_get(user, contract_id)
    if request.method != "POST":
        return redirect(contract_url(contract.pk))
    kind = request.POST.get("kind", "")
    amount = request.POST.get("amount", "").strip()
    note = request.POST.get("note", "").strip()[:200]
    try:
        paid_on = _required_date(request.POST.get("paid_on"), "paid_on", gettext("支付日期"))
    except QMError as exc:
        return _contract_page(
            request, contract, status=exc.status, error=exc.message, form=request.POST.dict()
        )
    return _posted(
        request,
        contract,
        lambda: {
            "id": services.payment_record(
                actor=user, contract=contract, kind=kind, amount=amount, paid_on=paid_on, note=note
            ).pk
        },
        "payment_record",
        {"kind": kind, "amount": amount, "paid_on": paid_on, "note": note},
        gettext("已记录付款 {amount} 元").format(amount=amount),
    )


@page
def contract_bond(request, contract_id: int):
    """POST: the purchaser sets the performance bond (履约保证金, at most 10 % of the contract: the service's
    rule)."""
    user = request.user
    contract = selectors.contract_get(user, contract_id)
    if request.method != "POST":
        return redirect(contract_url(contract.pk))
    bond = request.POST.get("performance_bond", "").strip()
    return _posted(
        request,
        contract,
        lambda: {"id": services.contract_set_bond(actor=user, contract=contract, performance_bond=bond).pk},
        "contract_set_bond",
        {"performance_bond": bond},
        gettext("已设定履约保证金 {amount} 元").format(amount=bond),
    )


# ---- a delivery: arrival and 验收 by exception -----------------------------------------------------------


def _delivery_lines(delivery, f: dict, *, marking: bool) -> dict:
    qs = filter_lines(
        delivery.lines.select_related("contract_line__item", "contract_line__officer", "acceptance_line"),
        f,
        prefix="contract_line__",
    )
    paged = paged_lines(
        qs,
        f,
        ("contract_line__kind", "contract_line__item__sort_order", "contract_line__gender", "id"),
        PAGE_LINES,
    )

    def row(dl):
        al = getattr(dl, "acceptance_line", None)
        return {
            "id": dl.pk,
            "size": acceptances.size_label(dl.contract_line),
            "quantity": dl.quantity,
            "accepted": al.accepted if al else None,
            "rejected": al.rejected if al else None,
            "reason": al.reason if al else "",
        }

    paged["groups"] = _groups(paged.pop("rows"), lambda dl: dl.contract_line, row)
    paged["marking"] = marking
    return paged


def _acceptance_context(acceptance) -> dict:
    """What was recorded: totals, and the lines with rejects (few) with their return status."""
    totals = acceptance.lines.aggregate(accepted=Sum("accepted"), rejected=Sum("rejected"))
    rejected = list(
        acceptance.lines.filter(rejected__gt=0)
        .select_related("delivery_line__contract_line__item", "delivery_line__contract_line__officer")
        .order_by("id")[:PAGE_LINES]
    )
    return {
        "acceptance_totals": {k: v or 0 for k, v in totals.items()},
        "rejected_rows": [
            {
                "al": al,
                "name": item_name(al.delivery_line.contract_line.item, al.delivery_line.contract_line.gender),
                "gender": gender_name(al.delivery_line.contract_line.gender),
                "size": acceptances.size_label(al.delivery_line.contract_line),
                "status_label": one(RejectionStatus(al.rejection_status).label)
                if al.rejection_status
                else "",
                "awaiting_return": al.rejection_status == RejectionStatus.AWAITING_RETURN,
            }
            for al in rejected
        ],
    }


def _delivery_page(request, delivery, status: int = 200, **extra):
    user = request.user
    f = line_filters(request)
    acceptance = getattr(delivery, "acceptance", None) if delivery.status == DeliveryStatus.ACCEPTED else None
    may_act = may_write(services._require_receiver, user, delivery)
    may_accept = may_act and delivery.status == DeliveryStatus.ARRIVED
    totals = delivery.lines.aggregate(lines=Count("id"), quantity=Sum("quantity"))
    ctx = {
        "nav_key": "contracts",
        "d": delivery,
        "c": delivery.contract,
        # a county receiving goods under its city's contract sees the delivery, not the contract
        "contract_url": contract_url(delivery.contract_id)
        if scope.in_scope(user, delivery.contract.buyer)
        else "",
        "status_label": one(DeliveryStatus(delivery.status).label),
        "totals": {k: v or 0 for k, v in totals.items()},
        "acceptance": acceptance,
        "may_arrive": may_act and delivery.status == DeliveryStatus.ANNOUNCED,
        "may_accept": may_accept,
        "may_return": may_act,
        "f": f,
        "items": _items_of(delivery.lines.values("contract_line__item")),
        "genders": _genders(),
        "token": uuid.uuid4().hex,
        "rejects_json": "",
        "form": {
            "inspected_on": (delivery.delivered_on or datetime.date.today()).isoformat(),
            "certificate_number": f"YS-{delivery.number}",
            "sample_size": min(totals["quantity"] or 1, 10),
            "inspectors": user.get_full_name() or user.get_username(),
            "sample_note": "",
            "delivered_on": datetime.date.today().isoformat(),
        },
        "today": datetime.date.today().isoformat(),
        **extra,
    }
    if not ctx.get("review"):
        ctx["lines"] = _delivery_lines(delivery, f, marking=may_accept)
    if acceptance:
        ctx.update(_acceptance_context(acceptance))
    return render(request, "procurement/delivery.html", ctx, status=status)


@page
def delivery_detail(request, delivery_id: int):
    """A delivery to the user's store or under their contract. Announced: its receiver records the arrival
    date. Arrived: 验收 by exception — every line is taken as accepted in full, the user marks only the lines
    with rejects (the page's script keeps them in one JSON field, `rejects`), reviews the totals and the
    rejected lines, then confirms once. The request never carries a field per line; without the script the
    untouched form records everything accepted. Accepted: the certificate, its totals and rejected lines."""
    user = request.user
    delivery = selectors.delivery_get(user, delivery_id, lines=False)
    if request.method != "POST":
        return _delivery_page(request, delivery)
    step = request.POST.get("step", "review")
    if step == "arrive":
        return _arrive_post(request, delivery)
    if step == "returned":
        return _returned_post(request, delivery)
    return _accept_post(request, delivery, step)


def _arrive_post(request, delivery):
    user = request.user
    token = request.POST.get("token", "")
    try:
        day = _required_date(request.POST.get("delivered_on"), "delivered_on", gettext("到货日期"))
        idempotent(
            actor=user,
            key=f"delivery-arrive-page:{token}" if token else None,
            action="delivery_arrive",
            payload={"delivery": delivery.pk, "delivered_on": day},
            fn=lambda: {"id": services.delivery_arrive(actor=user, delivery=delivery, delivered_on=day).pk},
        )
    except QMError as exc:
        if exc.status in (403, 404):
            raise
        delivery = selectors.delivery_get(user, delivery.pk, lines=False)
        return _delivery_page(request, delivery, status=exc.status, error=exc.message)
    messages.success(request, gettext("已记录到货 {number}").format(number=delivery.number))
    return redirect(delivery_url(delivery.pk))


def _returned_post(request, delivery):
    """A rejected line handed back to the supplier (one small form per rejected line, they are few)."""
    user = request.user
    line = selectors.acceptance_line_get(user, _int(request.POST.get("line")) or 0)
    if line.acceptance.delivery_id != delivery.pk:
        raise QMError("bad_line", gettext("该行不属于本批次"), {"field": "line"})
    try:
        day = _required_date(request.POST.get("returned_on"), "returned_on", gettext("退回日期"))
        services.rejection_mark_returned(actor=user, acceptance_line=line, returned_on=day)
    except QMError as exc:
        if exc.status in (403, 404):
            raise
        return _delivery_page(request, delivery, status=exc.status, error=exc.message)
    messages.success(request, gettext("已记录退回供应商"))
    return redirect(delivery_url(delivery.pk))


ACCEPT_FIELDS = ("inspected_on", "certificate_number", "sample_size", "inspectors", "sample_note")


def _accept_post(request, delivery, step: str):
    user = request.user
    services._require_receiver(user, delivery)
    raw = request.POST.get("rejects", "")
    form = {k: request.POST.get(k, "").strip() for k in ACCEPT_FIELDS}
    token = request.POST.get("token", "") or uuid.uuid4().hex
    keep = {"rejects_json": raw, "form": form, "token": token}
    acceptance = getattr(delivery, "acceptance", None) if delivery.status == DeliveryStatus.ACCEPTED else None
    if acceptance is not None:
        if step == "confirm" and acceptance.certificate_number == form["certificate_number"]:
            return redirect(delivery_url(delivery.pk))  # the same certificate again: already recorded
        return _delivery_page(
            request,
            delivery,
            status=409,
            error=gettext("该批次已验收：{number}").format(number=acceptance.certificate_number),
        )
    if delivery.status != DeliveryStatus.ARRIVED:
        return _delivery_page(request, delivery, status=409, error=gettext("批次尚未到货"))
    if step == "edit":
        return _delivery_page(request, delivery, **keep)
    dlines = list(
        delivery.lines.select_related("contract_line__item", "contract_line__officer").order_by("id")
    )
    try:
        plan = acceptances.acceptance_plan(dlines, raw)
        inspected_on = _required_date(form["inspected_on"], "inspected_on", gettext("验收日期"))
        sample_size = _int(form["sample_size"])
        if sample_size is None:
            raise QMError("bad_sample", gettext("抽样数量须为整数"), {"field": "sample_size"})
        if step == "confirm":
            idempotent(
                actor=user,
                key=f"acceptance-page:{token}",
                action="acceptance_record",
                payload={"delivery": delivery.pk, **form, "lines": plan.lines},
                fn=lambda: {
                    "id": services.acceptance_record(
                        actor=user,
                        delivery=delivery,
                        inspected_on=inspected_on,
                        certificate_number=form["certificate_number"],
                        sample_size=sample_size,
                        inspectors=form["inspectors"],
                        sample_note=form["sample_note"][:300],
                        lines=plan.lines,
                    ).pk
                },
            )
            messages.success(
                request,
                gettext("已验收：合格 {accepted}，不合格 {rejected}").format(
                    accepted=plan.accepted, rejected=plan.rejected
                ),
            )
            return redirect(delivery_url(delivery.pk))
    except QMError as exc:
        if exc.status in (403, 404):
            raise
        delivery = selectors.delivery_get(user, delivery.pk, lines=False)
        return _delivery_page(request, delivery, status=exc.status, error=exc.message, **keep)
    return _delivery_page(
        request,
        delivery,
        review=True,
        plan=plan,
        reject_rows=[
            {
                "name": item_name(
                    r["delivery_line"].contract_line.item, r["delivery_line"].contract_line.gender
                ),
                "gender": gender_name(r["delivery_line"].contract_line.gender),
                "size": acceptances.size_label(r["delivery_line"].contract_line),
                "delivered": r["delivery_line"].quantity,
                "rejected": r["rejected"],
                "reason": r["reason"],
            }
            for r in plan.rejects
        ],
        rejects_json=plan.as_json(),
        form=form,
        token=token,
    )
