"""The distribution pages. They read through distribution.selectors and write through distribution.services,
exactly as the API does; the views only turn requests into calls and results into pages."""

import uuid
from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext

from assets.kit import kit_for
from assets.models import ItemType
from core import scope
from core.by_exception import filter_lines, line_filters, paged_lines
from core.by_exception import number as _int
from core.errors import NotFound, QMError
from core.i18n import one
from core.pages import may_write, page, tr
from personnel.choices import Level
from personnel.models import Officer, OrgUnit

from . import issuing, receipts, selectors, services, transfers
from .choices import CaseOutcome, CaseStatus, RecoveryStatus, ShipmentStatus
from .models import Shipment

OPEN_STATES = (ShipmentStatus.DISPATCHED,)


def label(text) -> str:
    return one(text)


def shipments_url(**params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("distribution:shipments") + (f"?{urlencode(params)}" if params else "")


def progress_url(code: str = "") -> str:
    """A unit's level of the progress drill-down (no code: where the user's starts)."""
    return reverse("distribution:progress_unit", args=[code]) if code else reverse("distribution:progress")


# ---- city: shipments, confirmation, transfers ---------------------------------------------------------------


@page
def shipments(request):
    status = request.GET.get("status", "")
    valid = {v for v, _ in ShipmentStatus.choices}
    if status and status not in valid:
        raise QMError(
            "bad_filter", gettext("状态无效：{status!r}").format(status=status), {"field": "status"}
        )
    qs = selectors.shipments_for(request.user).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    rows = list(qs[:200])
    return render(
        request,
        "distribution/shipments.html",
        {
            "rows": [
                {
                    "s": s,
                    "status_label": label(s.get_status_display()),
                    "source": s.from_location.name,
                    "to_confirm": s.status in OPEN_STATES,
                }
                for s in rows
            ],
            "status": status,
            "statuses": [(v, label(t)) for v, t in ShipmentStatus.choices],
            "can_transfer": bool(_transfer_cities(request.user)),
        },
    )


PAGE_LINES = 500  # shipment lines shown at once (issue 13: never more than 1,000 rows on a page)


def _lines_page(shipment, f: dict) -> dict:
    """One page of the shipment's lines, filtered, grouped by item and version (男/女) with the sizes inside."""
    qs = filter_lines(shipment.lines.select_related("item"), f)
    paged = paged_lines(qs, f, ("item__sort_order", "item__code", "gender", "id"), PAGE_LINES)
    rows = paged.pop("rows")
    groups: list[dict] = []
    for ln in rows:
        key = (ln.item_id, ln.gender)
        if not groups or groups[-1]["key"] != key:
            groups.append(
                {
                    "key": key,
                    "name": receipts.item_name(ln.item, ln.gender),
                    "gender": receipts.gender_name(ln.gender),
                    "rows": [],
                    "quantity": 0,
                }
            )
        groups[-1]["rows"].append({"id": ln.pk, "size": receipts.size_name(ln.size), "quantity": ln.quantity})
        groups[-1]["quantity"] += ln.quantity
    paged["groups"] = groups
    return paged


def _line_items(shipment) -> list[tuple[str, str]]:
    """The items on the shipment, for the item filter: (code, name) — the code stays in the option's value."""
    items = ItemType.objects.filter(pk__in=shipment.lines.values("item")).order_by("sort_order", "code")
    return [(i.code, tr(i.name_zh, i.name_en)) for i in items]


def _exception_rows(plan) -> list[dict]:
    """The review's list of exceptions, in names (item, 男/女, size), never codes."""
    return [
        {
            "name": receipts.item_name(e["ship_line"].item, e["ship_line"].gender),
            "gender": receipts.gender_name(e["ship_line"].gender),
            "size": receipts.size_name(e["ship_line"].size),
            "shipped": e["ship_line"].quantity,
            "kind": e["kind"],
            "kind_label": receipts.kind_label(e["kind"]),
            "quantity": e["quantity"],
            "actual_size": e["size"],
            "note": e["note"],
        }
        for e in plan.exceptions
    ]


def _receipt_context(shipment, receipt) -> dict:
    """What was recorded: totals and the lines that differ (a 3,000-line receipt is not listed in full)."""
    totals = receipt.lines.aggregate(received=Sum("received"), short=Sum("short"), excess=Sum("excess"))
    differ = receipt.lines.filter(Q(short__gt=0) | Q(excess__gt=0)).select_related("item")
    rows = [
        {
            "name": receipts.item_name(r.item, r.gender),
            "gender": receipts.gender_name(r.gender),
            "size": receipts.size_name(r.size),
            "received": r.received if r.shipment_line_id else None,
            "short": r.short,
            "excess": r.excess,
            "reason_label": label(r.get_reason_display()) if r.reason else "",
            "note": r.note,
        }
        for r in differ[:PAGE_LINES]
    ]
    cases = list(shipment.cases.select_related("item").order_by("id")[:PAGE_LINES])
    return {
        "receipt_totals": {k: v or 0 for k, v in totals.items()},
        "receipt_rows": rows,
        "receipt_differ": differ.count() if len(rows) == PAGE_LINES else len(rows),
        "cases": [
            {
                "c": c,
                "name": receipts.item_name(c.item, c.gender),
                "gender": receipts.gender_name(c.gender),
                "size": receipts.size_name(c.size),
                "reason_label": label(c.get_reason_display()),
                "status_label": label(c.get_status_display()),
            }
            for c in cases
        ],
        "photos": list(receipt.photos.all()),
    }


def _may_confirm(user, shipment) -> bool:
    if shipment.status != ShipmentStatus.DISPATCHED:
        return False
    return may_write(services.can_confirm, user, shipment)


@page
def shipment_detail(request, shipment_id: int):
    """A shipment, and for its receiving unit the receipt confirmation by exception: everything is taken as
    received as shipped; the user marks only what differs (the page's script keeps those in one JSON field,
    `exceptions`), reviews the totals and the exceptions, then confirms once. The request never carries a
    field per line; without the script the untouched form confirms everything received."""
    user = request.user
    shipment = selectors.shipment_get(user, shipment_id)
    if request.method == "POST":
        return _confirm_post(request, shipment)
    return _shipment_page(request, shipment)


def _shipment_page(request, shipment, status: int = 200, **extra):
    user = request.user
    receipt = getattr(shipment, "receipt", None) if shipment.status != ShipmentStatus.DISPATCHED else None
    f = line_filters(request)
    ctx = {
        "shipment": shipment,
        "status_label": label(shipment.get_status_display()),
        "receipt": receipt,
        "may_confirm": _may_confirm(user, shipment),
        "kinds": receipts.kind_choices(),
        "f": f,
        "genders": [("M", receipts.gender_name("M")), ("F", receipts.gender_name("F"))],
        "items": _line_items(shipment),
        "exceptions_json": "",
        "note": "",
        **extra,
    }
    if not extra.get("review"):
        ctx["lines"] = _lines_page(shipment, f)
        ctx["totals"] = shipment.lines.aggregate(lines=Count("id"), quantity=Sum("quantity"))
    if receipt:
        ctx.update(_receipt_context(shipment, receipt))
    return render(request, "distribution/shipment.html", ctx, status=status)


def _confirm_post(request, shipment):
    user = request.user
    step = request.POST.get("step", "review")
    raw = request.POST.get("exceptions", "")
    note = request.POST.get("note", "").strip()[:300]
    keep = {"exceptions_json": raw, "note": note}
    if step == "confirm":
        try:
            services.shipment_confirm_exceptions(
                actor=user,
                shipment=shipment,
                exceptions=raw,
                note=note,
                photos=request.FILES.getlist("photos"),
            )
        except QMError as exc:
            if exc.status in (403, 404):
                raise
            shipment.refresh_from_db()
            return _shipment_page(request, shipment, status=exc.status, error=exc.message, **keep)
        messages.success(request, gettext("已签收 {number}").format(number=shipment.number))
        return redirect("distribution:shipment", shipment_id=shipment.pk)
    services.can_confirm(user, shipment)
    if shipment.status != ShipmentStatus.DISPATCHED:
        return redirect("distribution:shipment", shipment_id=shipment.pk)
    if step == "edit":
        return _shipment_page(request, shipment, **keep)
    try:
        plan = receipts.receipt_plan(list(shipment.lines.select_related("item")), raw)
    except QMError as exc:
        return _shipment_page(request, shipment, status=exc.status, error=exc.message, **keep)
    return _shipment_page(
        request,
        shipment,
        review=True,
        plan=plan,
        exception_rows=_exception_rows(plan),
        exceptions_json=plan.as_json(),
        note=note,
    )


def _transfer_cities(user) -> list[OrgUnit]:
    """The cities whose store this user may ship from to their counties."""
    return [
        u
        for u in OrgUnit.objects.restrict(user).filter(level=Level.CITY, is_active=True).order_by("code")
        if scope.has_role(user, scope.CITY, unit=u) or scope.is_province(user)
    ]


@page(roles=(scope.PROVINCE, scope.CITY))
def transfer(request):
    """Transfer to a county: the county's still-needed lines, filled from the city's store (transfers.py); the
    user changes only the lines that differ (the page's script keeps them in one JSON field, `changes`), or
    adds a line; one button creates and dispatches. Without the script the untouched form sends the
    suggestion as it is."""
    user = request.user
    cities = _transfer_cities(user)
    if not cities:
        raise NotFound()
    data = request.POST if request.method == "POST" else request.GET
    city = selectors.unit_get(user, data.get("city") or cities[0].code)
    if city.level != Level.CITY:
        raise NotFound()
    counties = list(OrgUnit.objects.filter(parent=city, level=Level.COUNTY, is_active=True).order_by("code"))
    county = next((c for c in counties if c.code == data.get("to_unit")), None)
    ctx = {
        "city": city,
        "cities": cities,
        "counties": counties,
        "county": county,
        "changes_json": "",
        "note": "",
        "token": uuid.uuid4().hex,
        "items": [(i.code, tr(i.name_zh, i.name_en)) for i in ItemType.objects.filter(is_active=True)],
        "genders": [("M", receipts.gender_name("M")), ("F", receipts.gender_name("F"))],
    }
    if request.method == "POST":
        if county is None:
            ctx["error"] = gettext("请选择本市州的县级机构")
            return render(request, "distribution/transfer.html", ctx, status=400)
        changes = request.POST.get("changes", "")
        note = request.POST.get("note", "").strip()[:300]
        token = request.POST.get("token", "")
        try:
            changes = _with_added_line(request.POST, changes)
            s = services.idempotent(
                actor=user,
                key=f"transfer-page:{token}" if token else None,
                action="transfer_dispatch",
                payload={"city": city.code, "county": county.code, "changes": changes, "note": note},
                fn=lambda: {
                    "id": transfers.transfer_dispatch(
                        actor=user,
                        city=city,
                        county=county,
                        changes=changes,
                        expect=request.POST.get("expect", ""),
                        note=note,
                    ).pk
                },
            )
        except QMError as exc:
            if exc.status in (403, 404):
                raise
            ctx.update(error=exc.message, changes_json=request.POST.get("changes", ""), note=note)
            ctx["suggestion"] = transfers.suggestion(user, city, county)
            ctx["line_items"] = list(
                {ln.item.code: tr(ln.item.name_zh, ln.item.name_en) for ln in ctx["suggestion"].lines}.items()
            )
            return render(request, "distribution/transfer.html", ctx, status=exc.status)
        shipment = Shipment.objects.get(pk=s["id"])
        messages.success(request, gettext("已发运 {number}").format(number=shipment.number))
        return redirect("distribution:shipment", shipment_id=shipment.pk)
    if county is not None:
        ctx["suggestion"] = transfers.suggestion(user, city, county)
        ctx["line_items"] = list(
            {ln.item.code: tr(ln.item.name_zh, ln.item.name_en) for ln in ctx["suggestion"].lines}.items()
        )
    return render(request, "distribution/transfer.html", ctx)


def _with_added_line(post, changes: str):
    """The form's one "add a line" row (it works without the script), added to the script's changes."""
    code = post.get("add_item", "")
    if not code:
        return changes
    rows = transfers.parse_changes(changes)
    rows = [{"item": i.code, "gender": g, "size": s, "quantity": q} for i, g, s, q in rows]
    qty = _int(post.get("add_qty", ""))
    rows.append(
        {
            "item": code,
            "gender": post.get("add_gender", ""),
            "size": post.get("add_size", "").strip() or receipts.ONE_SIZE,
            "quantity": qty if qty is not None else post.get("add_qty", ""),
        }
    )
    return rows


# ---- county: officers and their kit, issue, exchange, return, recoveries ----------------------------------


def _issuing_units(user) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.restrict(user)
        .filter(is_active=True, level__in=[Level.COUNTY, Level.CITY])
        .order_by("path")
    )


OFFICERS_PER_PAGE = 100
OWED_PER_PAGE = 500  # the outstanding list, paged: never more than 1,000 rows on the page
RESULT_ROWS = 1000


def _paged(rows: list, per: int, request, param: str, anchor: str) -> dict:
    """One page of `rows` (1-based page number `param` from the query string, clamped), with its links."""
    pages = max((len(rows) + per - 1) // per, 1)
    n = min(max(_int(request.GET.get(param)) or 1, 1), pages)

    def url(k):
        return "?" + urlencode({**request.GET.dict(), param: k}) + anchor

    return {
        "rows": rows[(n - 1) * per : n * per],
        "page": n,
        "pages": pages,
        "total": len(rows),
        "prev_url": url(n - 1) if n > 1 else "",
        "next_url": url(n + 1) if n < pages else "",
    }


def _owed_row(line) -> dict:
    o, it = line.officer, line.item
    return {
        "officer": o,
        "name": issuing.line_name(it, line.gender),
        "size": issuing.size_label(it, line.size),
        "quantity": issuing.quantity_label(it, line.quantity),
        "reason": line.reason,
        "reason_text": issuing.reason_text(line.reason, o, it.size_system),
    }


def _issue_result(user, key: str, items: dict) -> dict | None:
    """The answer of one issue made from this page (kept with its Idempotency-Key), named for the page."""
    if not key:
        return None
    res = selectors.issue_answer(user, f"kits:{key}", "kit_issue_page")
    if res is None:
        return None
    rows = []
    for r in res.get("outstanding", [])[:RESULT_ROWS]:
        it = items.get(r["item"])
        rows.append(
            {
                "officer": r["officer"],
                "officer_id": r["officer_id"],
                "name": issuing.line_name(it, r["gender"]) if it else r.get("item_name", ""),
                "size": issuing.size_label(it, r["size"]) if it else "",
                "quantity": issuing.quantity_label(it, r["quantity"]) if it else r["quantity"],
                "reason": r["reason"],
                "reason_text": issuing.reason_label(r["reason"]),
            }
        )
    owed = len(res.get("outstanding", []))
    return {
        "summary": _issued_text(res["officers"], res["quantity"], owed),
        "rows": rows,
        "owed": owed,
        "capped": RESULT_ROWS,
    }


def _issued_text(officers: int, quantity: int, owed: int) -> str:
    msg = gettext("已发放 {quantity} 件，共 {officers} 人").format(quantity=quantity, officers=officers)
    if owed:
        msg += gettext("；尚有 {owed} 项未发，见待发清单").format(owed=owed)
    return msg


@page
def kits(request):
    """County issue (发放): before issuing, what the store can give now and what is short, by name; issuing
    gives what is in stock and lists the rest (services.kit_issue); the outstanding list stays on the page."""
    user = request.user
    units = _issuing_units(user)
    code = request.GET.get("unit") or (units[0].code if units else "")
    if not code:
        raise NotFound()
    unit = selectors.unit_get(user, code)
    may_issue = may_write(services.can_issue, user, unit)
    here = f"{reverse('distribution:kits')}?unit={unit.code}"
    if request.method == "POST":
        if not may_issue:
            raise QMError("forbidden", gettext("无权发放"), status=403)
        key = (request.POST.get("key") or "").strip()[:60] or uuid.uuid4().hex
        try:
            chosen = _chosen_officers(request)
            result = services.idempotent(
                actor=user,
                key=f"kits:{key}",
                action="kit_issue_page",
                payload={"unit": unit.code, "officers": sorted(o.pk for o in chosen) if chosen else None},
                fn=lambda: services.kit_issue(actor=user, unit=unit, officers=chosen),
            )
        except QMError as exc:
            if exc.status == 404:
                raise
            if exc.code == "idempotency_conflict":
                messages.error(
                    request,
                    gettext("此表单已提交过；请在刷新后的页面上重新勾选并发放"),
                )
            else:
                messages.error(request, exc.message)
            return redirect(here)
        messages.success(
            request, _issued_text(result["officers"], result["quantity"], len(result["outstanding"]))
        )
        return redirect(f"{here}&{urlencode({'result': key})}#result")
    officers = issuing.officer_order(Officer.objects.eligible().filter(unit=unit))  # the order stock goes in
    preview = selectors.issue_preview(user, unit, officers)
    issuable: dict[int, int] = defaultdict(int)
    for ln in preview.issue:
        issuable[ln.officer.pk] += ln.quantity
    owed_by: dict[int, list] = defaultdict(list)
    for ln in preview.outstanding:
        owed_by[ln.officer.pk].append(ln)
    complete = sum(1 for o in officers if o.pk not in issuable and o.pk not in owed_by)
    shown = _paged(officers, OFFICERS_PER_PAGE, request, "page", "#officers")
    shown["rows"] = [
        {
            "o": o,
            "complete": o.pk not in issuable and o.pk not in owed_by,
            "issuable": issuable.get(o.pk, 0),
            "owed": [_owed_row(ln) for ln in owed_by.get(o.pk, [])],
        }
        for o in shown["rows"]
    ]
    owed = _paged(preview.outstanding, OWED_PER_PAGE, request, "owed", "#outstanding")
    owed["rows"] = [_owed_row(ln) for ln in owed["rows"]]
    reasons = defaultdict(int)
    for ln in preview.outstanding:
        reasons[ln.reason] += 1
    items = {i.code: i for i in ItemType.objects.all()}
    keys = preview.by_key()
    for k in keys:
        k["name"] = issuing.line_name(k["item"], k["gender"], k["size"])
        k["issue_label"] = issuing.quantity_label(k["item"], k["issue"])
        k["short_label"] = issuing.quantity_label(k["item"], k["short"]) if k["short"] else ""
    return render(
        request,
        "distribution/kits.html",
        {
            "unit": unit,
            "units": units,
            "officers": shown,
            "eligible": len(officers),
            "may_issue": may_issue,
            "complete": complete,
            "preview": {
                "now": gettext("本单位库存现可向 {n_officers} 人发放 {quantity} 件").format(
                    n_officers=len(preview.officers), quantity=preview.quantity
                ),
                "after": gettext("发放后仍欠 {n_outstanding} 项").format(
                    n_outstanding=len(preview.outstanding)
                ),
                "officers": len(preview.officers),
                "quantity": preview.quantity,
                "owed": len(preview.outstanding),
                "reasons": [
                    {"code": r, "label": issuing.reason_label(r), "count": reasons[r]}
                    for r in issuing.REASONS
                    if reasons.get(r)
                ],
                "short": [
                    issuing.short_message(s.item, s.gender, s.size, s.available, s.needed)
                    for s in preview.short[:RESULT_ROWS]
                ],
                "keys": keys[:RESULT_ROWS],
            },
            "owed": owed,
            "result": _issue_result(user, request.GET.get("result", ""), items),
            "form_key": uuid.uuid4().hex,
        },
    )


def _chosen_officers(request) -> list[Officer] | None:
    """The officers ticked on the kits page (None: the whole unit). The service checks each is eligible there."""
    if request.POST.get("scope") != "selected":
        return None
    raw = request.POST.getlist("officer")
    ids = [_int(v) for v in raw]
    if not raw or None in ids:
        raise QMError("none_selected", gettext("请勾选要发放的人员"), {"field": "officer"})
    officers = list(Officer.objects.filter(pk__in=ids))
    if len(officers) != len(set(ids)):
        raise QMError("not_eligible", gettext("所选人员不存在"), {"field": "officer"})
    return officers


def _kit_rows(officer):
    card = {(c["item"], c["size"]): c for c in selectors.kit_card(officer)}
    held = {c["item"] for c in card.values()}
    return [
        {
            "code": k.item.code,
            "name": k.name,
            "size": k.size.code or "",
            "status": k.size.status,
            "reason": "" if k.size.code else issuing.reason_text(k.size.status, officer, k.item.size_system),
            "quantity": k.quantity,
            "held": k.item.code in held,
        }
        for k in kit_for(officer)
        if k.quantity
    ]


@page
def officer_kit(request, officer_id: int):
    user = request.user
    officer = selectors.officer_get(user, officer_id)
    may_issue = may_write(services.can_issue, user, officer.unit)
    ctx = {
        "officer": officer,
        "kit": _kit_rows(officer),
        "card": selectors.kit_card(officer),
        "may_issue": may_issue,
        "status": selectors.kit_status([officer])[officer.pk],
    }
    if request.method == "POST":
        if not may_issue:
            raise QMError("forbidden", pgettext("Not allowed to issue", "无权发放"), status=403)
        action = request.POST.get("action", "issue")
        try:
            if action == "issue":
                sizes = {}
                for row in ctx["kit"]:
                    given = request.POST.get(f"size_{row['code']}", "").strip()
                    if given and given != row["size"]:
                        sizes[row["code"]] = given
                result = services.kit_issue(
                    actor=user,
                    unit=officer.unit,
                    officers=[officer],
                    sizes={officer.pk: sizes} if sizes else None,
                )
                msg = gettext("已发放 {quantity} 件").format(quantity=result["quantity"])
                items = {i.code: i for i in ItemType.objects.all()}
                owed = [
                    issuing.line_name(items[r["item"]], r["gender"], r["size"])
                    + gettext("（{reason_text}）").format(reason_text=r["reason_text"])
                    for r in result["outstanding"]
                ]
                if owed:
                    msg += gettext("；未发：") + gettext("、").join(owed)
            elif action == "exchange":
                q = _int(request.POST.get("quantity", "1"))
                services.kit_exchange(
                    actor=user,
                    officer=officer,
                    item=request.POST.get("item", ""),
                    from_size=request.POST.get("from_size", ""),
                    to_size=request.POST.get("to_size", "").strip(),
                    quantity=q if q is not None else -1,
                    note=request.POST.get("note", ""),
                )
                msg = gettext("已调换")
            elif action == "return":
                item, _, size = request.POST.get("line", "").partition("|")
                q = _int(request.POST.get("quantity", "1"))
                services.kit_return(
                    actor=user,
                    officer=officer,
                    lines=[{"item": item, "size": size, "quantity": q if q is not None else -1}],
                    note=request.POST.get("note", ""),
                )
                msg = gettext("已退回")
            else:
                raise QMError("bad_action", gettext("未知操作"), {"field": "action"})
        except QMError as exc:
            if exc.status == 404:
                raise
            ctx["error"] = exc.message
            return render(request, "distribution/officer_kit.html", ctx, status=exc.status)
        messages.success(request, msg)
        return redirect("distribution:officer_kit", officer_id=officer.pk)
    return render(request, "distribution/officer_kit.html", ctx)


@page
def recoveries(request):
    user = request.user
    tasks = list(selectors.recoveries_for(user).filter(status=RecoveryStatus.OPEN).order_by("created_at"))
    if request.method == "POST":
        task = selectors.recovery_get(user, _int(request.POST.get("task")) or 0)
        item, _, rest = request.POST.get("line", "").partition("|")
        gender, _, size = rest.partition("|")
        q = _int(request.POST.get("quantity", ""))
        try:
            services.recovery_record(
                actor=user,
                task=task,
                lines=[
                    {"item": item, "gender": gender, "size": size, "quantity": q if q is not None else -1}
                ],
            )
        except QMError as exc:
            if exc.status == 404:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已记录收回"))
        return redirect("distribution:recoveries")
    items = {
        i.code: i for i in ItemType.objects.filter(code__in={e["item"] for t in tasks for e in t.expected})
    }
    for task in tasks:  # the record form only where the user may record (not for the auditor)
        task.may_write = may_write(services.can_issue, user, task.unit)
        for e in task.expected:  # names, not item codes
            it = items.get(e["item"])
            e["name"] = tr(it.name_for(e["gender"]), it.name_en) if it else e["item"]
    return render(request, "distribution/recoveries.html", {"tasks": tasks})


def location_name(location) -> str:
    """A ledger location as read, in the active language: 省级仓库 / 长沙市…支队 库存 / 在途→… / … 差异待处理 /
    供应商 … / 核销; an officer by name."""
    unit = location.unit.name if location.unit_id else ""
    kind = location.kind
    if kind == "unit":
        return gettext("省级仓库") if location.unit.level == Level.PROVINCE else f"{unit} {gettext('库存')}"
    if kind == "transit":
        return f"{gettext('在途')}→{unit}"
    if kind == "discrepancy":
        return f"{unit} {pgettext('discrepancy account', '差异待处理')}"
    if kind == "supplier":
        return f"{gettext('供应商')} {location.name.removeprefix('供应商 ')}"
    if kind in ("written_off", "adjustment"):
        return label(location.name)
    return location.name


def _case_row(case) -> dict:
    return {
        "c": case,
        "name": case.item.name_for(case.gender),
        "reason_label": label(case.get_reason_display()),
        "status_label": label(case.get_status_display()),
        "outcome_label": label(case.get_outcome_display()) if case.outcome else "",
    }


@page
def cases(request):
    """Discrepancy cases, open (default) or settled; provincial logistics open one to settle it."""
    status = request.GET.get("status", CaseStatus.OPEN)
    if status not in CaseStatus.values:
        raise QMError(
            "bad_filter", gettext("状态无效：{status!r}").format(status=status), {"field": "status"}
        )
    qs = selectors.cases_for(request.user).filter(status=status)
    qs = qs.order_by("-settled_at", "-id") if status == CaseStatus.SETTLED else qs.order_by("-id")
    return render(
        request,
        "distribution/cases.html",
        {
            "rows": [_case_row(c) for c in qs[:200]],
            "status": status,
            "statuses": [(v, label(t)) for v, t in CaseStatus.choices],
            "may_settle": scope.is_province(request.user),
        },
    )


def _settle_sources(user) -> list[OrgUnit]:
    """Where a re-ship may come from: the province's store and the cities in scope (default: the original
    sender, chosen by leaving it empty)."""
    return list(
        OrgUnit.objects.restrict(user)
        .filter(is_active=True, level__in=[Level.PROVINCE, Level.CITY])
        .order_by("path")
    )


@page
def case_detail(request, case_id: int):
    """One case: its line, the shipment and its receipt, and — for provincial logistics while it is open — the
    settle form (re-ship / write off / claim from the supplier), calling distribution.services.case_settle as
    the API's POST /cases/{id}/settle does; once settled, the outcome and the ledger rows it posted."""
    user = request.user
    case = selectors.case_get(user, case_id)
    source = case.shipment.from_location
    ctx = {
        "row": _case_row(case),
        "case": case,
        "shipment": case.shipment,
        "source": source,
        "source_name": location_name(source),
        "source_is_supplier": source.kind == "supplier",
        "may_settle": scope.is_province(user) and case.status == CaseStatus.OPEN,
        "outcomes": [(v, label(t)) for v, t in CaseOutcome.choices],
        "others": [
            _case_row(c)
            for c in selectors.cases_for(user)
            .filter(shipment=case.shipment)
            .exclude(pk=case.pk)
            .order_by("id")
        ],
        "values": {},
    }
    if case.status == CaseStatus.SETTLED:
        ctx["movements"] = [
            {
                "m": m,
                "name": m.item.name_for(m.gender),
                "kind_label": label(m.get_kind_display()),
                "from": location_name(m.from_location),
                "to": location_name(m.to_location),
            }
            for m in selectors.case_movements(case)
        ]
        ctx["reship"] = case.reship
    if ctx["may_settle"]:
        ctx["sources"] = _settle_sources(user)
    if request.method != "POST":
        return render(request, "distribution/case.html", ctx)
    if not scope.is_province(user):
        raise QMError("forbidden", gettext("只有省厅后勤可以处理差异"), status=403)
    values = {k: request.POST.get(k, "").strip() for k in ("outcome", "note", "supplier", "from_unit")}
    ctx["values"] = values
    try:
        from_unit = selectors.unit_get(user, values["from_unit"]) if values["from_unit"] else None
        services.case_settle(
            actor=user,
            case=case,
            outcome=values["outcome"],
            note=values["note"],
            supplier=values["supplier"] or None,
            from_unit=from_unit,
        )
    except QMError as exc:
        if exc.status == 404:
            raise
        ctx["error"] = exc.message
        ctx["error_field"] = exc.details.get("field", "") if isinstance(exc.details, dict) else ""
        return render(request, "distribution/case.html", ctx, status=exc.status)
    messages.success(request, gettext("差异已处理：") + label(CaseOutcome(values["outcome"]).label))
    return redirect("distribution:case", case_id=case.pk)


# ---- progress ---------------------------------------------------------------------------------------------


DETAIL_PAGE_ROWS = 500  # rows of a unit's detail by item × gender × size per page


def gender_word(gender: str) -> str:
    return {"M": gettext("男"), "F": gettext("女")}.get(gender, gettext("通用"))


def size_word(size: str) -> str:
    """A size code as users read it; the roll's placeholders for sizes not known become words."""
    return {
        "?mtm": gettext("量体定制"),
        "?missing": gettext("缺少量体数据"),
        "-": gettext("均码"),
    }.get(size, size)


def _crumbs(user, unit: OrgUnit) -> list[OrgUnit]:
    """The units above `unit` that the user may read, top first (each opens its own progress level)."""
    codes = [c for c in unit.path.strip("/").split("/") if c and c != unit.code]
    above = {u.code: u for u in OrgUnit.objects.restrict(user).filter(code__in=codes)}
    return [above[c] for c in codes if c in above]


def _has_levels(unit: OrgUnit) -> bool:
    return unit.level in (Level.PROVINCE, Level.CITY)


def _progress_root(user) -> list[OrgUnit]:
    """Where the drill-down starts: the province for province-wide users, else the top units of the scope."""
    paths = scope.scope_paths(user)
    if paths is None:
        return list(OrgUnit.objects.filter(level=Level.PROVINCE))
    return list(OrgUnit.objects.restrict(user).filter(path__in=scope._minimal(paths)).order_by("path"))


@page
def progress(request, code: str = ""):
    """The progress drill-down, a summary first: the province's cities, a city's counties, each row with its
    totals and a link one level down, plus 本级 (the unit's own store and staff) so the rows add up to the
    unit's totals. A county opens its detail by item × gender × size. `?city=` is the older address."""
    user = request.user
    city = request.GET.get("city", "")
    if city and not code:
        unit = selectors.unit_get(user, city)
        if unit.level != Level.CITY:
            raise QMError("bad_filter", gettext("city 须为市州代码"), {"field": "city"})
        code = city
    if not code:
        roots = _progress_root(user)
        if not roots:
            raise NotFound()
        if len(roots) > 1:  # several subtrees (e.g. an auditor of two cities): their summaries side by side
            level = [selectors.progress_level(user, r.code) for r in roots]
            children = [{"unit": lv["unit"], **lv["totals"]} for lv in level]
            totals = {f: sum(c[f] for c in children) for f in selectors.FIELDS}
            return _progress_page(request, None, totals, children, None)
        code = roots[0].code
    unit = selectors.unit_get(user, code)
    if not _has_levels(unit):
        return redirect("distribution:progress_detail", code=unit.code)
    level = selectors.progress_level(user, code)
    return _progress_page(request, unit, level["totals"], level["children"], level["own"])


def _progress_page(request, unit, totals, children, own):
    for c in children:
        u = c["unit"]
        c["url"] = (
            reverse("distribution:progress_unit", args=[u.code])
            if _has_levels(u)
            else reverse("distribution:progress_detail", args=[u.code])
        )
    return render(
        request,
        "distribution/progress.html",
        {
            "unit": unit,
            "crumbs": _crumbs(request.user, unit) if unit else [],
            "totals": totals,
            "children": children,
            "own": own if children else None,
            "child_label": (
                gettext("市州")
                if unit is not None and unit.level == Level.PROVINCE
                else pgettext("County agency", "县级单位")
                if unit is not None
                else gettext("单位")
            ),
        },
    )


@page
def progress_detail(request, code: str):
    """One unit's figures by item × gender × size, paged, optionally of one item, with names for codes."""
    user = request.user
    unit = selectors.unit_get(user, code)
    item_raw = request.GET.get("item", "")
    items = list(ItemType.objects.order_by("sort_order", "code"))
    item_id = None
    if item_raw:
        item_id = next((i.pk for i in items if str(i.pk) == item_raw), None)
        if item_id is None:
            raise QMError("bad_filter", gettext("品类无效"), {"field": "item"})
    own = request.GET.get("own") == "1" and _has_levels(unit)
    rows = selectors.progress_detail(user, code, item_id=item_id, own=own)
    page_obj = Paginator(rows, DETAIL_PAGE_ROWS).get_page(request.GET.get("page"))
    shown = []
    for r in page_obj:
        shown.append(
            {
                **r,
                "item_name": receipts.item_name(r["item"], r["gender"]),
                "gender_word": gender_word(r["gender"]),
                "size_word": size_word(r["size"]),
            }
        )
    return render(
        request,
        "distribution/progress_detail.html",
        {
            "unit": unit,
            "crumbs": _crumbs(user, unit),
            "summary_url": reverse("distribution:progress_unit", args=[unit.code])
            if _has_levels(unit)
            else "",
            "rows": shown,
            "page_obj": page_obj,
            "count": len(rows),
            "items": [{"id": i.pk, "name": tr(i.name_zh, i.name_en)} for i in items],
            "item": item_id,
            "own": own,
        },
    )
