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
