"""采购项目时间表 tender timeline: milestones planned vs actual, the legal checks on both, slippage, the forecast
end date and the slack to the target, and a Gantt chart drawn on the server as SVG (WeasyPrint renders inline
SVG and runs no JavaScript). Data: procurement.selectors (tender_get / tender_latest, timeline).

Tenders and their milestones are published information: every member reads them (--city / --county only
check the requester's scope). PDF: the chart, the milestone table, the legal checks. Excel: the same tables
without the chart."""

import datetime
from html import escape
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext, pgettext

from core.pages import tr
from procurement import selectors as procurement_selectors
from procurement.choices import Method, TenderStatus

from .. import pdf, xlsx
from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import root_units, scope_label
from . import common

KIND = "tender-timeline"
TITLE = "采购项目时间表"
TITLE_EN = "Tender timeline"
STATUS = {
    "done": ("已完成", "done"),
    "overdue": ("已逾期", "overdue"),
    "due_soon": ("即将到期", "due soon"),
    "pending": ("未到期", "pending"),
    "not_recorded": ("未记录", "not recorded"),
}
PLANNED, ACTUAL = ("计划", "planned"), ("实际", "actual")

MILESTONE_COLUMNS = [
    Column("seq", ("序号", "No."), 10, 6, "0"),
    Column("name", ("节点", "Milestone"), 58, 26),
    Column("planned", ("计划日期", "Planned"), 22, 12, "yyyy-mm-dd"),
    Column("actual", ("实际日期", "Actual"), 22, 12, "yyyy-mm-dd"),
    Column("forecast", ("预测日期", "Forecast"), 22, 12, "yyyy-mm-dd"),
    Column("slip", ("偏差(天)", "Slip (days)"), 16, 9, "0"),
    Column("status", ("状态", "Status"), 18, 10),
    Column("checks", ("法定检查", "Legal checks"), 55, 40),
    Column("note", ("备注", "Note"), 54, 30),
]
FINDING_COLUMNS = [
    Column("milestone", ("节点", "Milestone"), 40, 24),
    Column("date_kind", ("日期", "Date"), 14, 8),
    Column("rule", ("规则", "Rule"), 70, 40),
    Column("date", ("日期值", "Value"), 20, 12),
    Column("limit", ("法定界限", "Legal limit"), 20, 12),
    Column("source", ("依据", "Source"), 83, 50),
    Column("overridden", ("已批准例外", "Approved exception"), 30, 14),
]
SUMMARY_COLUMNS = [Column("k", ("项目", "Item"), 60, 24), Column("v", ("内容", "Value"), 217, 70)]


def _finding_text(f: dict) -> str:
    return tr(f["text_zh"], f.get("text_en") or f["text_zh"])


def _warning_text(w: dict) -> str:
    if w.get("code") == "calendar_missing":
        return gettext("缺少 {get} 年的工作日历").format(get=w.get("year"))
    return w.get("message", w.get("code", ""))


class TenderTimelineParams(ParamsBase):
    tender: int | None = None  # a tender's id; default the latest


def _slip(days: int | None) -> str:
    return "" if days is None else (f"+{days}" if days > 0 else str(days))


def _checks(findings: list[dict]) -> str:
    if not findings:
        return gettext("符合")
    return gettext("；").join(
        tr(*(PLANNED if f["date_kind"] == "planned" else ACTUAL))
        + gettext("：")
        + _finding_text(f)
        + (gettext("（已批准例外）") if f["overridden"] else "")
        for f in findings
    )


def collect(
    user,
    params: TenderTimelineParams,
    *,
    progress: Progress = no_progress,
    now: datetime.datetime | None = None,
) -> ReportData:
    roots = root_units(user, params)
    tender = (
        procurement_selectors.tender_get(user, params.tender)
        if params.tender is not None
        else procurement_selectors.tender_latest(user)
    )
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    progress(2, gettext("读取项目 ") + tender.reference)
    tl = procurement_selectors.timeline(tender, today=today)
    names = {m["code"]: common.choice_label(m["name"]) for m in tl["milestones"]}
    milestones = [
        (
            m["sequence"],
            names[m["code"]],
            m["planned_date"],
            m["actual_date"],
            m["forecast_date"],
            m["slip_days"],
            tr(*STATUS[m["status"]]) if m["status"] in STATUS else m["status"],
            _checks(m["findings"]),
            m["note"],
        )
        for m in tl["milestones"]
    ]
    findings = [
        (
            names[m["code"]],
            tr(*(PLANNED if f["date_kind"] == "planned" else ACTUAL)),
            _finding_text(f),
            f["date"],
            f["limit"] or "",
            f["source"],
            gettext("是") if f["overridden"] else gettext("否"),
        )
        for m in tl["milestones"]
        for f in m["findings"]
    ]
    slack = tl["slack_days"]
    summary = [
        (
            gettext("项目"),
            gettext("{title}（{reference}）").format(title=tender.title, reference=tender.reference),
        ),
        (
            gettext("采购方式"),
            common.choice_label(dict(Method.choices).get(tender.method, tender.method)),
        ),
        (
            gettext("状态"),
            common.choice_label(dict(TenderStatus.choices).get(tender.status, tender.status)),
        ),
        (pgettext("Procuring unit", "采购人"), tender.procuring_unit.name),
        (gettext("预算（元）"), tender.budget),
        (pgettext("Target date", "完成目标"), tl["target_date"]),
        (gettext("预测完成"), tl["forecast_end"] or "—"),
        (
            gettext("余量（天）"),
            "—" if slack is None else (f"{slack}" if slack >= 0 else f"{slack}" + gettext("（将超期）")),
        ),
        (gettext("关键节点"), names.get(tl["critical_milestone"], "—")),
        (gettext("统计日"), today),
        *((pgettext("Warning", "提示"), _warning_text(w)) for w in tl["warnings"]),
    ]
    sections = [
        Section(key="summary", title=gettext("一、项目概况"), rows=summary),
        Section(
            key="milestones",
            title=gettext("二、节点计划与实际"),
            rows=milestones,
            header={"note": gettext("偏差 = 实际（未完成取预测）− 计划，正数为滞后")},
        ),
        Section(
            key="findings",
            title=gettext("三、法定期限检查"),
            rows=findings,
            header={"note": gettext("没有违反法定期限的日期") if not findings else ""},
        ),
    ]
    updated = max([tender.updated_at, *(m.updated_at for m in tender.milestones.all())])
    updated_at = f"{timezone.localtime(updated):%Y-%m-%d %H:%M}"
    sources = [
        gettext("采购项目 {reference}，节点更新于 {updated_at}").format(
            reference=tender.reference, updated_at=updated_at
        ),
        gettext("统计日 {today:%Y-%m-%d}").format(today=today),
    ]
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=scope_label(roots),
        requested_by=user.get_username(),
        requested_at=timezone.localtime(now),
        sources=sources,
        columns=MILESTONE_COLUMNS,
        sections=sections,
        meta={"tender": tender.pk, "tender_title": tender.title, "timeline": tl},
    )


# ---- the Gantt chart -----------------------------------------------------------------------------------

WIDTH, LABEL_W, RIGHT_W, ROW_H, TOP, BOTTOM = 1000, 150, 80, 20, 34, 40
COLORS = {"planned": "#9e9e9e", "done": "#2e7d32", "late": "#c62828", "forecast": "#1565c0"}


def _x(day: datetime.date, lo: datetime.date, span: int) -> float:
    return round(LABEL_W + 10 + (day - lo).days / span * (WIDTH - LABEL_W - RIGHT_W), 1)


def _months(lo: datetime.date, hi: datetime.date) -> list[datetime.date]:
    out, d = [], datetime.date(lo.year, lo.month, 1)
    while d <= hi:
        if d >= lo:
            out.append(d)
        d = datetime.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def gantt_svg(tl: dict) -> str:
    """The timeline as an SVG Gantt chart: per milestone a grey bar for the planned span (from the milestone
    before it) and a coloured bar for the actual span (green done on time, red late) or the forecast (blue,
    red when it slips), planned date ◇, actual ●, forecast ○; vertical lines for today and the target."""
    ms = tl["milestones"]
    days = [d for m in ms for d in (m["planned_date"], m["actual_date"], m["forecast_date"]) if d]
    days += [d for d in (tl["today"], tl["target_date"]) if d]
    if not days:
        return ""
    lo, hi = min(days) - datetime.timedelta(days=3), max(days) + datetime.timedelta(days=3)
    span = max(1, (hi - lo).days)
    height = TOP + ROW_H * len(ms) + BOTTOM
    family = f"'{pdf.SUBSET_FAMILY}', '{pdf.FONT_FAMILY}'"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {WIDTH} {height}" '
        f'width="277mm" height="{277 * height / WIDTH:.1f}mm" font-family="{family}" font-size="9">'
    ]
    bottom = TOP + ROW_H * len(ms)
    for month in _months(lo, hi):
        x = _x(month, lo, span)
        out.append(
            f'<line x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{bottom}" stroke="#ddd" stroke-width="0.6"/>'
            f'<text x="{x + 2}" y="{TOP - 10}" fill="#555">{month:%Y-%m}</text>'
        )
    prev_plan = prev_real = None
    for i, m in enumerate(ms):
        y = TOP + i * ROW_H
        if i % 2:
            out.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW_H}" fill="#f6f6f6"/>')
        name = common.choice_label(m["name"])
        out.append(f'<text x="4" y="{y + 13}">{m["sequence"]}. {escape(name[: int(gettext("12"))])}</text>')
        plan, real = m["planned_date"], m["actual_date"] or m["forecast_date"]
        if plan:
            start = prev_plan or plan
            x1, x2 = _x(min(start, plan), lo, span), _x(plan, lo, span)
            out.append(
                f'<rect class="planned" x="{x1}" y="{y + 4}" width="{max(1.5, x2 - x1)}" height="5" '
                f'fill="{COLORS["planned"]}"/>'
            )
            out.append(
                f'<path d="M{x2} {y + 2.5} l4 4 l-4 4 l-4 -4 z" fill="#fff" stroke="#555" stroke-width="0.8"/>'
            )
            prev_plan = plan
        if real:
            late = m["slip_days"] is not None and m["slip_days"] > 0
            kind = "late" if late else ("done" if m["actual_date"] else "forecast")
            start = prev_real or real
            x1, x2 = _x(min(start, real), lo, span), _x(real, lo, span)
            opacity = "1" if m["actual_date"] else "0.55"
            out.append(
                f'<rect class="{kind}" x="{x1}" y="{y + 11}" width="{max(1.5, x2 - x1)}" height="5" '
                f'fill="{COLORS[kind]}" fill-opacity="{opacity}"/>'
            )
            fill = COLORS[kind] if m["actual_date"] else "#fff"
            out.append(
                f'<circle cx="{x2}" cy="{y + 13.5}" r="3" fill="{fill}" stroke="{COLORS[kind]}" '
                f'stroke-width="1"/>'
            )
            if m["slip_days"]:
                out.append(
                    f'<text x="{x2 + 5}" y="{y + 17}" font-size="7.5" fill="{COLORS[kind]}">'
                    f"{_slip(m['slip_days'])}{pgettext(' d', '天')}</text>"
                )
            prev_real = real
    for day, label, color, dash in (
        (tl["today"], gettext("今天"), "#c62828", "4 3"),
        (tl["target_date"], gettext("目标"), "#000", ""),
    ):
        if day:
            x = _x(day, lo, span)
            out.append(
                f'<line class="marker" x1="{x}" y1="{TOP - 4}" x2="{x}" y2="{bottom + 4}" stroke="{color}" '
                f'stroke-width="1.2"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>'
                f'<text x="{x + 2}" y="{bottom + 14}" fill="{color}">{label} {day:%m-%d}</text>'
            )
    legend_y = height - 8
    items = [
        ("planned", gettext("计划")),
        ("done", pgettext("done", "实际")),
        ("late", gettext("滞后")),
        ("forecast", gettext("预测")),
    ]
    for n, (kind, label) in enumerate(items):
        x = LABEL_W + 10 + n * 150
        out.append(
            f'<rect x="{x}" y="{legend_y - 6}" width="18" height="5" fill="{COLORS[kind]}"/>'
            f'<text x="{x + 22}" y="{legend_y}">{label}</text>'
        )
    out.append("</svg>")
    return "".join(out)


SECTION_COLUMNS = {"summary": SUMMARY_COLUMNS, "milestones": MILESTONE_COLUMNS, "findings": FINDING_COLUMNS}
SHEETS = {
    "summary": ("概况", "Summary"),
    "milestones": ("节点", "Milestones"),
    "findings": ("法定检查", "Legal checks"),
}


def render_pdf(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    tables = []
    for s in data.sections:
        t = common.pdf_table(s, SECTION_COLUMNS[s.key])
        if s.key == "milestones":
            for row in t["rows"]:  # 偏差 with its sign
                value, col = row["cells"][5]
                row["cells"][5] = (_slip(int(value)) if value else value, col)
        tables.append(t)
    common.render_document(
        data,
        "reports/pdf/tender_timeline.html",
        out,
        progress,
        tables=tables,
        chart=gantt_svg(data.meta["timeline"]),
    )


def render_xlsx(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    wb = xlsx.new_workbook()
    header = common.print_header(data)
    for s in data.sections:
        ws = wb.create_sheet(tr(*SHEETS[s.key]))
        xlsx.write_table(ws, SECTION_COLUMNS[s.key], s.rows, print_header=header)
    common.write_about(wb, data, (gettext("项目"), data.meta["tender_title"]))
    wb.save(out)


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=TenderTimelineParams,
        renderers={"pdf": render_pdf, "xlsx": render_xlsx},
        description="节点计划与实际、法定期限检查、偏差、预测完成与余量、甘特图（默认最新采购项目）",
        description_en="Milestones planned and actual, legal deadlines checked, slippage, forecast and float, "
        "a Gantt chart (the latest tender unless another is chosen)",
    )
)
