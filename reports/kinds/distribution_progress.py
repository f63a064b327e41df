"""配发进度 distribution progress: the province summary per city (needed, shipped, in transit, received, short,
excess, issued, outstanding) with a bar chart of progress by city (SVG drawn here), then per city its counties
and its rows by item × gender × size. Built on distribution.selectors.progress_tree (progress_summary of a unit
and of its children, in one pass)."""

import datetime
from html import escape

from django.utils import timezone
from django.utils.translation import gettext, pgettext

from assets.models import ItemType
from core.pages import tr
from distribution import selectors as dist
from personnel.choices import Level

from .. import pdf
from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import root_units, scope_label
from . import _tables

KIND = "distribution-progress"
TITLE = "被装配发进度表"
TITLE_EN = "Uniform distribution progress"
FIELDS = ["needed", "shipped", "in_transit", "received", "short", "excess", "issued", "outstanding"]
LABELS = {
    "needed": ("应配", "Needed"),
    "shipped": ("已发运", "Shipped"),
    "in_transit": ("在途", "In transit"),
    "received": ("已签收", "Received"),
    "short": ("短少", "Short"),
    "excess": ("超收", "Excess"),
    "issued": ("已发放", "Issued"),
    "outstanding": ("未发放", "Outstanding"),
}
FIGURE_COLUMNS = [Column(f, LABELS[f], 19, 10, "0") for f in FIELDS]
PCT = Column("pct", ("发放率", "Issued %"), 17, 9)
UNIT_COLUMNS = [
    Column("code", ("代码", "Code"), 20, 10),
    Column("unit", ("单位", "Unit"), 48, 18),
    *FIGURE_COLUMNS,
    PCT,
]
ITEM_COLUMNS = [
    Column("item", ("品类", "Item"), 58, 22),
    Column("gender", ("款式", "Version"), 12, 6),
    Column("size", ("号型", "Size"), 24, 10),
    *FIGURE_COLUMNS,
    PCT,
]


def unit_row(child: dict) -> tuple:
    return (
        child["unit_code"],
        child["unit_name"],
        *(child[f] for f in FIELDS),
        _tables.pct(child["issued"], child["needed"]),
    )


def own_row(summary: dict, label: str) -> tuple:
    """本级: the unit's own store and staff (its figures less its children's), so the children's rows and
    this one add up to the unit's total row for every figure."""
    own = summary["own"]
    return (
        "",
        f"{summary['unit_name']} {label}",
        *(own[f] for f in FIELDS),
        _tables.pct(own["issued"], own["needed"]),
    )


def own_note() -> str:
    return gettext(
        "本级：本单位人员及到达本单位未转发下级的数量（在途为负即正发往下级）；各行加本级即为合计。"
    )


def item_rows(rows: list[dict], items: dict) -> list[tuple]:
    return [
        (
            _tables.item_name(items.get(r["item_code"]), r["gender"], r["item_code"]),
            _tables.gender_label(r["gender"]),
            _tables.size_label(r["size"]),
            *(r[f] for f in FIELDS),
            _tables.pct(r["issued"], r["needed"]),
        )
        for r in rows
    ]


def short_name(name: str) -> str:
    """'长沙市交通运输综合行政执法支队' → '长沙市' for the chart's labels."""
    return name.split("交通运输")[0] or name


def bar_chart(children: list[dict]) -> str:
    """Horizontal bars per unit: received and issued as a share of needed (SVG, drawn on the server)."""
    if not children:
        return ""
    row_h, label_w, bar_w, top = 16, 90, 420, 22
    height = top + row_h * len(children) + 8
    width = label_w + bar_w + 70
    # the report's font subset first (the system collection would be embedded whole)
    font = f"font-family=\"'{pdf.SUBSET_FAMILY}', '{pdf.FONT_FAMILY}'\" font-size=\"8\""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * 0.75:.0f}pt" height="{height * 0.75:.0f}pt"'
        f' viewBox="0 0 {width} {height}">',
        f'<rect x="{label_w}" y="4" width="10" height="8" fill="#9ecae1"/>'
        f'<text x="{label_w + 14}" y="11" {font}>{gettext("已签收/应配")}</text>'
        f'<rect x="{label_w + 150}" y="4" width="10" height="8" fill="#08519c"/>'
        f'<text x="{label_w + 164}" y="11" {font}>{gettext("已发放/应配")}</text>',
    ]
    for n, c in enumerate(children):
        y = top + n * row_h
        need = c["needed"] or 0
        rec = min(1.0, c["received"] / need) if need else 0.0
        iss = min(1.0, c["issued"] / need) if need else 0.0
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 10}" text-anchor="end" {font}>{escape(short_name(c["unit_name"]))}</text>'
            f'<rect x="{label_w}" y="{y + 1}" width="{bar_w}" height="12" fill="#f0f0f0"/>'
            f'<rect x="{label_w}" y="{y + 1}" width="{bar_w * rec:.1f}" height="12" fill="#9ecae1"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w * iss:.1f}" height="6" fill="#08519c"/>'
            f'<text x="{label_w + bar_w + 4}" y="{y + 10}" {font}>{_tables.pct(c["issued"], need)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def collect(
    user, params: ParamsBase, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    roots = root_units(user, params)
    items = {i.code: i for i in ItemType.objects.all()}
    sections: list[Section] = []
    chart_children: list[dict] = []
    for root in roots:
        progress(1, gettext("汇总 ") + root.name)
        tree = dist.progress_tree(user, root.code)  # the root and its cities in one pass
        top = tree["unit"]
        totals_row = (
            "",
            gettext("{unit_name} 合计").format(unit_name=top["unit_name"]),
            *(top["totals"][f] for f in FIELDS),
            _tables.pct(top["totals"]["issued"], top["totals"]["needed"]),
        )
        if root.level == Level.PROVINCE:
            cities = top["children"]
            chart_children += cities
            # the province's own staff (its flows are its cities', so only needs, allocation and kits)
            own = [own_row(top, gettext("省本级"))] if any(top["own"].values()) else []
            sections.append(
                Section(
                    key=root.code,
                    title=gettext("{name} 各市州汇总").format(name=root.name),
                    group=gettext("汇总"),
                    rows=[*(unit_row(c) for c in cities), *own, totals_row],
                    header={
                        "columns": UNIT_COLUMNS,
                        "sheet": gettext("汇总"),
                        "chart": True,
                        "totals": 1,
                        "note": gettext("品类×款式×号型明细见本报表的电子表格或各市州的报表"),
                    },
                )
            )
            details = [c["unit_code"] for c in cities]
        else:
            details = [root.code]
        for n, code in enumerate(details, 1):
            city = top if code == root.code else tree["children"][code]
            if city["children"]:
                chart_children += [] if root.level == Level.PROVINCE else city["children"]
                sections.append(
                    Section(
                        key=f"{code}-units",
                        title=gettext("{unit_name} 各县级单位").format(unit_name=city["unit_name"]),
                        group=city["unit_name"],
                        rows=[
                            *(unit_row(c) for c in city["children"]),
                            own_row(city, pgettext("own", "本级")),
                            (
                                "",
                                gettext("{unit_name} 合计").format(unit_name=city["unit_name"]),
                                *(city["totals"][f] for f in FIELDS),
                                _tables.pct(city["totals"]["issued"], city["totals"]["needed"]),
                            ),
                        ],
                        header={
                            "columns": UNIT_COLUMNS,
                            "sheet": short_name(city["unit_name"]) + gettext("-县级"),
                            "new_page": True,
                            "note": own_note(),
                            "totals": 1,
                            "chart": root.level != Level.PROVINCE,
                        },
                    )
                )
            sections.append(
                Section(
                    key=f"{code}-items",
                    title=gettext("{unit_name} 品类×款式×号型").format(unit_name=city["unit_name"]),
                    group=city["unit_name"],
                    rows=item_rows(city["rows"], items),
                    header={
                        "columns": ITEM_COLUMNS,
                        "sheet": short_name(city["unit_name"]),
                        "new_page": not city["children"],
                        # the province PDF stays a summary (26,000 detail rows would take minutes to lay
                        # out): the detail is in its Excel and in each city's PDF
                        "pdf": root.level != Level.PROVINCE,
                    },
                )
            )
            progress(2 + int(3 * n / max(1, len(details))), f"{city['unit_name']}")
    svg = bar_chart(chart_children)
    for s in sections:
        if s.header.pop("chart", False):
            s.header["svg"] = svg
            break
    when = now or timezone.now()
    sources = [
        gettext("配发台账，截至 {localtime:%Y-%m-%d %H:%M}").format(localtime=timezone.localtime(when)),
        gettext("应配：人员花名册 × 配发标准"),
    ]
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=scope_label(roots),
        requested_by=user.get_username(),
        requested_at=when,
        sources=sources,
        columns=UNIT_COLUMNS + ITEM_COLUMNS[:3],
        sections=sections,
        meta={
            "chart_labels": "已签收/应配 已发放/应配 合计 各市州汇总 各县级单位 "
            "品类×款式×号型 男女通用缺少量体数据量体定制 无数据 品类×款式×号型明细见本报表的文件或各市州的报表"
        },
    )


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        renderers={"pdf": _tables.render_pdf, "xlsx": _tables.render_xlsx},
        description="各市州汇总与进度图，市州明细到县与品类×款式×号型",
        description_en="A summary per city with a chart; each city's counties and its detail by item, version and size",
    )
)
