"""The tender's pages: the list, a tender with its timeline (a Gantt of planned vs actual dates, today's line
and the target), the legal checks, slippage, forecast and slack, and the contracts in the user's scope.
Everything is read through procurement.selectors; nothing is computed here beyond laying it out."""

import datetime

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from core import scope
from core.errors import Forbidden, NotFound, QMError
from core.i18n import one
from core.pages import is_en, page, tr

from . import selectors
from .choices import ContractStatus, Method, TenderStatus

STATUS_LABELS = {
    "done": ("已完成", "done"),
    "overdue": ("已逾期", "overdue"),
    "due_soon": ("即将到期", "due soon"),
    "pending": ("未开始", "pending"),
    "not_recorded": ("未记录", "not recorded"),
}
PLANNED, ACTUAL, FORECAST = 0, 1, 2


def label(text) -> str:
    return one(text)


def tender_url(tender_id: int) -> str:
    return reverse("procurement:tender", args=[tender_id])


@page
def tenders(request):
    rows = [
        {
            "t": t,
            "method": label(Method(t.method).label),
            "status": label(TenderStatus(t.status).label),
        }
        for t in selectors.tenders_for(request.user)
    ]
    return render(request, "procurement/tenders.html", {"nav_key": "tenders", "rows": rows})


def timeline_rows(tl: dict) -> list[dict]:
    rows = []
    for m in tl["milestones"]:
        rows.append(
            {
                **m,
                "label": label(m["name"]),
                "status_label": tr(*STATUS_LABELS.get(m["status"], (m["status"], m["status"]))),
                "critical": m["code"] == tl["critical_milestone"],
                "findings": [
                    {
                        **f,
                        "text": tr(f["text_zh"], f["text_en"]),
                        "kind_label": gettext("计划") if f["date_kind"] == "planned" else gettext("实际"),
                    }
                    for f in m["findings"]
                ],
            }
        )
    return rows


def gantt_spec(tl: dict, link: str = "") -> dict:
    """The Gantt's data for procurement/static/procurement/gantt.js: per milestone a planned bar (from the
    milestone before it to its planned date), an actual bar (to its actual date) or, not yet done, a
    forecast bar (to the timeline's forecast); today's line (the timeline's own "today") and the target."""
    names, bars, links = [], [], []
    prev = {PLANNED: None, ACTUAL: None}

    def iso(day: datetime.date) -> str:
        return day.isoformat()

    for idx, m in enumerate(tl["milestones"]):
        names.append(label(m["name"]))
        links.append(f"{link}#m-{m['code']}" if link else f"#m-{m['code']}")
        planned = m["planned_date"]
        if planned:
            start = min(prev[PLANNED] or planned, planned)
            bars.append(
                {
                    "value": [idx, iso(start), iso(planned), PLANNED],
                    "tip": f"{names[-1]} · {gettext('计划')} {iso(planned)}",
                }
            )
            prev[PLANNED] = planned
        done, end = m["actual_date"], m["actual_date"] or m["forecast_date"]
        if end:
            start = min(prev[ACTUAL] or end, end)
            kind = ACTUAL if done else FORECAST
            what = gettext("实际") if done else gettext("预测")
            slip = m["slip_days"]
            extra = "" if not slip else f" ({'+' if slip > 0 else ''}{slip} {gettext('天')})"
            bars.append(
                {"value": [idx, iso(start), iso(end), kind], "tip": f"{names[-1]} · {what} {iso(end)}{extra}"}
            )
            prev[ACTUAL] = end
    return {
        "names": names,
        "bars": bars,
        "links": links,
        "today": iso(tl["today"]),
        "target": iso(tl["target_date"]),
        "labels": {
            "planned": gettext("计划"),
            "actual": gettext("实际"),
            "forecast": gettext("预测"),
            "today": gettext("今天"),
            "target": gettext("目标"),
        },
        "lang": "en" if is_en() else "zh",
    }


@page
def tender(request, tender_id: int):
    user = request.user
    t = selectors.tender_get(user, tender_id)
    tl = selectors.timeline(t)
    try:
        overrides = list(selectors.overrides_for(user, t))
    except (Forbidden, NotFound):  # overrides: provincial logistics and auditors only; the rest is published
        overrides = None
    return render(
        request,
        "procurement/tender.html",
        {
            "nav_key": "tenders",
            "t": t,
            "method": label(Method(t.method).label),
            "status": label(TenderStatus(t.status).label),
            "tl": tl,
            "rows": timeline_rows(tl),
            "critical": next(
                (label(m["name"]) for m in tl["milestones"] if m["code"] == tl["critical_milestone"]), ""
            ),
            "warnings": tl["warnings"],
            "gantt": gantt_spec(tl),
            "gantt_height": 80 + 34 * len(tl["milestones"]),
            "overrides": overrides,
            "lots": list(t.lots.order_by("number")),
            "awards": list(selectors.awards_for(user, t)),
            "contracts_url": reverse("procurement:contracts") + f"?tender={t.pk}",
        },
    )


@page
def contracts(request):
    """Contracts in the user's scope: the province's all, a city its own (统采分签)."""
    user = request.user
    tender_id = request.GET.get("tender") or None
    if tender_id is not None and not tender_id.isdigit():
        raise QMError("bad_filter", gettext("项目编号应为数字"), {"field": "tender"})
    qs = selectors.contracts_for(user, tender_id=int(tender_id) if tender_id else None)
    rows = [
        {
            "c": c,
            "status": label(ContractStatus(c.status).label),
            "tender": c.award.lot.tender,
            "lot": c.award.lot,
        }
        for c in qs
    ]
    return render(
        request,
        "procurement/contracts.html",
        {
            "nav_key": "contracts",
            "rows": rows,
            "tender": tender_id or "",
            "is_province": scope.scope_paths(user) is None,
        },
    )


# ---- the reconciliation (采购对账) and the documents behind its figures --------------------------------

DOC_PAGE_SIZE = 50


def _int_param(request, field: str) -> int | None:
    value = request.GET.get(field) or None
    if value is not None and not value.isdigit():
        raise QMError("bad_filter", gettext("{field} 应为数字编号").format(field=field), {"field": field})
    return int(value) if value else None


def _code_param(request, field: str) -> str | None:
    value = (request.GET.get(field) or "").strip() or None
    if value is not None and not value.isdigit():
        raise QMError("bad_filter", gettext("{field} 应为单位代码").format(field=field), {"field": field})
    return value


def lot_heading(lot) -> str:
    return gettext("第{number}包 {title}").format(number=lot.number, title=lot.title)


@page
def reconciliation_view(request):
    """Budget → award → contracts per buyer → delivered → accepted → paid, per lot; every figure links to
    the documents behind it. A city sees its own row; its lot and tender totals are then its own."""
    from . import reconciliation as recon

    user = request.user
    tender_id, lot_id, city = (
        _int_param(request, "tender"),
        _int_param(request, "lot"),
        _code_param(request, "city"),
    )
    tender_obj = selectors.tender_get(user, tender_id) if tender_id else recon.current_tender(user)
    rec = recon.reconcile(user, tender=tender_obj, lot_id=lot_id, city=city)
    paths = {k: reverse("procurement:reconciliation_documents", args=[k]) for k in recon.DOCUMENT_KINDS}

    def links(lot_pk: int, buyer: str | None) -> dict:
        query = f"?tender={tender_obj.pk}&lot={lot_pk}" + (f"&buyer={buyer}" if buyer else "")
        return {kind: path + query for kind, path in paths.items()}

    lots = [
        {
            "b": b,
            "heading": lot_heading(b.lot),
            "award_pct": recon.ratio(b.award, b.budget),
            "contracted_pct": recon.ratio(b.totals["contracted"], b.award),
            "links": links(b.lot.pk, city),
            "rows": [{"r": r, "links": links(b.lot.pk, r.buyer_code)} for r in b.rows],
        }
        for b in rec.lots
    ]
    return render(
        request,
        "procurement/reconciliation.html",
        {
            "nav_key": "contracts",
            "rec": rec,
            "t": tender_obj,
            "lots": lots,
            "tenders": list(selectors.tenders_for(user).values("id", "reference", "title")),
            "lot_choices": list(tender_obj.lots.order_by("number").values("id", "number", "title")),
            "is_province": scope.in_scope(user, tender_obj.procuring_unit),
            "cities": _buyers(user) if scope.in_scope(user, tender_obj.procuring_unit) else [],
            "lot": lot_id,
            "city": city or "",
            "award_url": tender_url(tender_obj.pk) + "#lots",
            "report_url": reverse("reports:centre") + "?kind=procurement-reconciliation",
        },
    )


def _buyers(user) -> list[dict]:
    from personnel.models import OrgUnit

    return list(
        OrgUnit.objects.filter(level__in=["province", "city"]).order_by("code").values("code", "name")
    )


DOC_TITLES = {
    "contracts": ("合同", "Contracts"),
    "variations": ("补充合同", "Supplementary contracts"),
    "deliveries": ("交货批次", "Deliveries"),
    "acceptances": ("验收单", "Acceptance certificates"),
    "payments": ("付款", "Payments"),
}


@page
def reconciliation_documents(request, kind: str):
    """The documents behind a reconciliation figure, in scope, filtered to tender × lot × buyer, paged."""
    from django.core.paginator import Paginator

    from . import reconciliation as recon
    from .choices import DeliveryStatus, PaymentKind

    user = request.user
    if kind not in recon.DOCUMENT_KINDS:
        raise NotFound()
    tender_id, lot_id = _int_param(request, "tender"), _int_param(request, "lot")
    buyer = _code_param(request, "buyer")
    tender_obj = selectors.tender_get(user, tender_id) if tender_id else None
    qs = recon.documents(user, kind, tender_id=tender_id, lot_id=lot_id, buyer=buyer)
    page_obj = Paginator(qs, DOC_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for d in page_obj:
        if kind == "contracts":
            rows.append({"d": d, "status": label(ContractStatus(d.status).label)})
        elif kind == "deliveries":
            rows.append({"d": d, "status": label(DeliveryStatus(d.status).label)})
        elif kind == "payments":
            rows.append({"d": d, "kind": label(PaymentKind(d.kind).label)})
        else:
            rows.append({"d": d})
    lot_obj = tender_obj.lots.filter(pk=lot_id).first() if tender_obj and lot_id else None
    query = "?" + "&".join(
        f"{k}={v}" for k, v in (("tender", tender_id), ("lot", lot_id), ("buyer", buyer)) if v
    )
    back = reverse("procurement:reconciliation") + (f"?tender={tender_id}" if tender_id else "")
    return render(
        request,
        "procurement/reconciliation_documents.html",
        {
            "nav_key": "contracts",
            "kind": kind,
            "title": tr(*DOC_TITLES[kind]),
            "rows": rows,
            "page_obj": page_obj,
            "t": tender_obj,
            "lot_obj": lot_obj,
            "buyer": buyer or "",
            "buyer_name": _buyer_name(buyer),
            "back": back,
            "tabs": [
                {
                    "kind": k,
                    "label": tr(*DOC_TITLES[k]),
                    "url": reverse("procurement:reconciliation_documents", args=[k]) + query,
                }
                for k in recon.DOCUMENT_KINDS
            ],
        },
    )


def _buyer_name(code: str | None) -> str:
    if not code:
        return ""
    from personnel.models import OrgUnit

    return OrgUnit.objects.filter(code=code).values_list("name", flat=True).first() or code
