"""站所装备状况 station condition: per city, county and station the condition counts of the equipment on the
books (good, fair, needs repair, unserviceable) and the gaps against the standard kit with the estimated cost;
then the station × type gaps. Built on assets.equipment_selectors (items_for, gap_list) only."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from assets import equipment_selectors as eq
from assets.equipment_choices import ON_BOOKS, Condition, StationClass
from core.pages import tr
from personnel.choices import Level
from personnel.models import OrgUnit

from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import root_units, scope_label
from . import _tables, common

KIND = "station-condition"
TITLE = "站所装备状况表"
TITLE_EN = "Station equipment condition"
CONDITIONS = [Condition.GOOD, Condition.FAIR, Condition.NEEDS_REPAIR, Condition.UNSERVICEABLE]
MONEY = "#,##0.00"
FIGURES = [
    Column("good", ("完好", "Good"), 13, 8, "0"),
    Column("fair", ("基本完好", "Fair"), 15, 9, "0"),
    Column("repair", ("待修", "Repair"), 13, 8, "0"),
    Column("broken", ("报废", "Broken"), 13, 8, "0"),
    Column("required", ("标准配备", "Standard"), 15, 9, "0"),
    Column("serviceable", ("可用", "Usable"), 13, 8, "0"),
    Column("need", ("缺口", "Need"), 13, 8, "0"),
    Column("cost", ("估算金额(元)", "Cost (yuan)"), 26, 14, MONEY),
]
UNIT_COLUMNS = [
    Column("level", ("层级", "Level"), 14, 8),
    Column("unit", ("单位", "Unit"), 70, 30),
    Column("stations", ("站所数", "Stations"), 14, 8, "0"),
    *FIGURES,
]
STATION_COLUMNS = [
    Column("county", ("县级单位", "County"), 44, 22),
    Column("station", ("站所", "Station"), 56, 26),
    Column("class", ("类别", "Class"), 26, 12),
    *FIGURES,
]
GAP_COLUMNS = [
    Column("station", ("站所", "Station"), 56, 26),
    Column("type", ("装备", "Equipment"), 44, 20),
    Column("required", ("标准", "Standard"), 13, 7, "0"),
    Column("serviceable", ("可用", "Usable"), 13, 7, "0"),
    Column("repair", ("待修", "Repair"), 13, 7, "0"),
    Column("broken", ("报废", "Broken"), 13, 7, "0"),
    Column("past", ("超期", "Past life"), 13, 7, "0"),
    Column("need", ("缺口", "Need"), 13, 7, "0"),
    Column("price", ("单价(元)", "Price (yuan)"), 22, 12, MONEY),
    Column("cost", ("金额(元)", "Cost (yuan)"), 24, 14, MONEY),
    Column("reason", ("说明", "Why"), 52, 40),
]


class StationParams(ParamsBase):
    pass


def gap_reason(g) -> str:
    """Why a station needs a type, in the report's language (the selector's own text glues both)."""
    if g.priority == 0:
        return gettext("达标")
    if g.priority == 1:
        return gettext("无可用{type_name}（标准 {required}）").format(
            type_name=g.type_name, required=g.required
        )
    parts = []
    if g.shortage:
        parts.append(gettext("缺 {shortage}").format(shortage=g.shortage))
    if g.renewal:
        parts.append(gettext("超期 {renewal}").format(renewal=g.renewal))
    if g.oldest_acquired_on:
        day = g.oldest_acquired_on.isoformat()
        parts.append(gettext("最早购置 {day}").format(day=day))
    return gettext("；").join(parts)


def _blank() -> dict:
    return {
        "good": 0,
        "fair": 0,
        "repair": 0,
        "broken": 0,
        "required": 0,
        "serviceable": 0,
        "need": 0,
        "cost": Decimal("0.00"),
        "stations": set(),
    }


def _add(acc: dict, fig: dict, station_id: int) -> None:
    for k in ("good", "fair", "repair", "broken", "required", "serviceable", "need"):
        acc[k] += fig[k]
    acc["cost"] += fig["cost"]
    acc["stations"].add(station_id)


def _figs(acc: dict) -> tuple:
    return (
        acc["good"],
        acc["fair"],
        acc["repair"],
        acc["broken"],
        acc["required"],
        acc["serviceable"],
        acc["need"],
        acc["cost"],
    )


def collect(
    user, params: StationParams, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    roots = root_units(user, params)
    when = now or timezone.now()
    today = timezone.localtime(when).date()
    per_station: dict[int, dict] = defaultdict(_blank)
    gaps = []
    for root in roots:
        progress(1, gettext("读取 ") + root.name)
        for station_id in eq.stations_for(user, unit_code=root.code).values_list("id", flat=True):
            per_station[station_id]  # every active station is listed, with or without equipment
        for r in (
            eq.items_for(user, unit_code=root.code)
            .filter(status__in=ON_BOOKS)
            .values("station_id", "condition")
            .annotate(n=Count("id"))
            .order_by()
        ):
            key = {
                Condition.GOOD: "good",
                Condition.FAIR: "fair",
                Condition.NEEDS_REPAIR: "repair",
                Condition.UNSERVICEABLE: "broken",
            }[r["condition"]]
            per_station[r["station_id"]][key] += r["n"]
        for g in eq.gap_list(user, unit_code=root.code, only_needs=False, today=today):
            fig = per_station[g.station_id]
            fig["required"] += g.required
            fig["serviceable"] += min(g.serviceable, g.required)
            fig["need"] += g.need
            fig["cost"] += g.cost
            if g.need:
                gaps.append(g)
    stations = {s.pk: s for s in OrgUnit.objects.filter(pk__in=per_station).select_related("parent", "city")}
    order = sorted(stations.values(), key=lambda s: s.path)
    cities: dict[int, dict] = defaultdict(_blank)
    counties: dict[int, dict] = defaultdict(_blank)
    total = _blank()
    by_city: dict[int, list] = defaultdict(list)
    for s in order:
        fig = per_station[s.pk]
        county = s.parent if s.parent and s.parent.level == Level.COUNTY else None
        _add(cities[s.city_id], fig, s.pk)
        _add(total, fig, s.pk)
        if county:
            _add(counties[county.pk], fig, s.pk)
        by_city[s.city_id].append(
            (
                county.name if county else gettext("（市州直属）"),
                s.name,
                common.choice_label(StationClass(s.station_class).label) if s.station_class else "—",
                *_figs(fig),
            )
        )
    names = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[*cities, *counties])}
    summary = []
    for city_id in sorted(cities, key=lambda c: names[c].path):
        acc = cities[city_id]
        summary.append((gettext("市州"), names[city_id].name, len(acc["stations"]), *_figs(acc)))
        for county_id in sorted(
            (c for c in counties if names[c].city_id == city_id), key=lambda c: names[c].path
        ):
            cacc = counties[county_id]
            summary.append(
                (pgettext("county", "县级"), names[county_id].name, len(cacc["stations"]), *_figs(cacc))
            )
    summary.append((gettext("合计"), scope_label(roots), len(total["stations"]), *_figs(total)))
    sections = [
        Section(
            key="summary",
            title=gettext("各市州、县级单位汇总"),
            group=gettext("汇总"),
            rows=summary,
            header={"columns": UNIT_COLUMNS, "sheet": gettext("汇总"), "totals": 1},
        )
    ]
    for city_id in sorted(by_city, key=lambda c: names[c].path):
        name = names[city_id].name
        short = name.split("交通运输")[0] or name
        sections.append(
            Section(
                key=names[city_id].code,
                title=gettext("{name} 各站所").format(name=name),
                group=short,
                rows=by_city[city_id],
                header={"columns": STATION_COLUMNS, "sheet": short, "new_page": True},
            )
        )
    gaps.sort(key=eq.priority_key)
    sections.append(
        Section(
            key="gaps",
            title=gettext("缺口明细（按优先级）"),
            group=pgettext("Gaps", "缺口"),
            rows=[
                (
                    g.station_name,
                    g.type_name,
                    g.required,
                    g.serviceable,
                    g.needs_repair,
                    g.unserviceable,
                    g.serviceable_past_life,
                    g.need,
                    g.unit_price,
                    g.cost,
                    gap_reason(g),
                )
                for g in gaps
            ],
            header={
                "columns": GAP_COLUMNS,
                "sheet": gettext("缺口明细"),
                "new_page": True,
                "note": gettext("估算金额合计 {cost:,.2f} 元").format(cost=total["cost"]),
            },
        )
    )
    progress(4, gettext("{n_stations} 个站所").format(n_stations=len(stations)))
    sources = [
        gettext("装备台账，截至 {isoformat}").format(isoformat=today.isoformat()),
        gettext("站所装备配备标准"),
        gettext("金额 = 缺口 × 单价"),
    ]
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=scope_label(roots),
        requested_by=user.get_username(),
        requested_at=when,
        sources=sources,
        columns=UNIT_COLUMNS + STATION_COLUMNS[:3] + GAP_COLUMNS,
        sections=sections,
        meta={
            "total_cost": total["cost"],
            "labels": "市州县级合计（市州直属）无数据估算金额合计元达标无可用标准缺超期最早购置",
        },
    )


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=StationParams,
        renderers={"pdf": _tables.render_pdf, "xlsx": _tables.render_xlsx},
        description="各站所装备状况与对标缺口及估算金额",
        description_en="Each station's equipment condition, the gaps against its standard kit and their estimated cost",
    )
)
