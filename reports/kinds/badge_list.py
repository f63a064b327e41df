"""胸号清单 the badge-number list for the supplier: per city, one row per officer and badge type (number, name,
unit, gender, badge type, quantity), and first the quantity per badge type, per city and in total.

Badge types are the items of the entitlement standard that carry the officer's number (size system 胸号, e.g.
硬胸号 and 软胸号), each at its quantity per officer. Numbers come from distribution (badge_assign, one
province-wide counter, never reused; distribution.selectors.badge_list); only serving officers (eligible for
issue) are listed. Scope: a city's staff get their city, county staff their county, the province any."""

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext

from assets.kit import current_standard, standard_quantities
from core.pages import tr
from distribution import selectors as distribution
from personnel.models import OrgUnit

from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import root_units, scope_label
from . import _tables

KIND = "badge-list"
TITLE = "胸号清单"
TITLE_EN = "Badge number list"

SUMMARY_COLUMNS = [
    Column("city", ("市州", "City"), 80, 34),
    Column("type", ("胸号类型", "Badge type"), 40, 18),
    Column("each", ("每人数量", "Per officer"), 22, 10, "0"),
    Column("officers", ("人数", "Officers"), 20, 10, "0"),
    Column("men", ("男", "Men"), 20, 10, "0"),
    Column("women", ("女", "Women"), 20, 10, "0"),
    Column("total", ("数量合计", "Quantity"), 24, 12, "0"),
]
LIST_COLUMNS = [
    Column("number", ("胸号", "Badge number"), 26, 12),
    Column("name", ("姓名", "Name"), 30, 12),
    Column("unit", ("单位", "Unit"), 90, 40),
    Column("gender", ("性别", "Gender"), 16, 8),
    Column("type", ("胸号类型", "Badge type"), 40, 18),
    Column("quantity", ("数量", "Quantity"), 20, 10, "0"),
]


class BadgeListParams(ParamsBase):
    pass


def badge_types() -> list[tuple]:
    """(item, quantity per officer) of the standard's items that carry the officer's number."""
    return [(item, q) for item, q in standard_quantities() if item.size_system == "badge_number" and q > 0]


def collect(
    user, params: BadgeListParams, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    roots = root_units(user, params)  # another city → 404, a county given as city → 400
    progress(2, gettext("读取胸号"))
    rows = distribution.badge_list(user, [r.path for r in roots])
    types = badge_types()
    cities = {
        u.code: u.name
        for u in OrgUnit.objects.filter(code__in={r["city_code"] for r in rows}).order_by("path")
    }
    by_city: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_city[r["city_code"]].append(r)
    summary = []
    totals = {item.pk: {"officers": 0, "M": 0, "F": 0} for item, _q in types}
    sections = []
    order = {c: n for n, c in enumerate(cities)}  # the tree's order
    for code in sorted(by_city, key=lambda c: (order.get(c, len(order)), c)):
        officers = by_city[code]
        men = sum(1 for o in officers if o["gender"] == "M")
        women = len(officers) - men
        for item, q in types:
            name = tr(item.name_zh, item.name_en)
            summary.append(
                (cities.get(code, code), name, q, len(officers), men * q, women * q, len(officers) * q)
            )
            t = totals[item.pk]
            t["officers"] += len(officers)
            t["M"] += men * q
            t["F"] += women * q
        listed = [
            (
                o["number"],
                o["name"],
                o["unit_name"],
                _tables.gender_label(o["gender"]),
                _tables.item_name(item, o["gender"]),
                q,
            )
            for o in officers
            for item, q in types
        ]
        name = cities.get(code, code)
        short = name.split("交通运输")[0] or name
        sections.append(
            Section(
                key=code,
                title=name,
                group=short,
                rows=listed,
                header={
                    "columns": LIST_COLUMNS,
                    "sheet": short,
                    "new_page": True,
                    "note": gettext("{n} 人").format(n=len(officers)),
                },
            )
        )
    label = gettext("合计")
    for item, q in types:
        t = totals[item.pk]
        summary.append(
            (label, tr(item.name_zh, item.name_en), q, t["officers"], t["M"], t["F"], t["M"] + t["F"])
        )
    sections.insert(
        0,
        Section(
            key="summary",
            title=gettext("各市州胸号数量"),
            group=gettext("汇总"),
            rows=summary,
            header={"columns": SUMMARY_COLUMNS, "sheet": gettext("汇总"), "totals": len(types)},
        ),
    )
    progress(4, gettext("{n} 个胸号").format(n=len(rows)))
    standard = current_standard()
    sources = [
        gettext("胸号分配，截至 {when}").format(
            when=f"{timezone.localtime(now or timezone.now()):%Y-%m-%d %H:%M}"
        ),
        gettext("配发标准第 {number} 版").format(number=standard.number) if standard else gettext("品类目录"),
    ]
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=scope_label(roots),
        requested_by=user.get_username(),
        requested_at=timezone.localtime(now or timezone.now()),
        sources=sources,
        columns=LIST_COLUMNS,
        sections=sections,
        meta={"badges": len(rows), "types": [item.pk for item, _q in types]},
    )


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=BadgeListParams,
        renderers={"pdf": _tables.render_pdf, "xlsx": _tables.render_xlsx},
        description="供应商胸号清单：胸号、姓名、单位、性别、胸号类型、数量，分市州，并按胸号类型汇总数量",
        description_en="Badge numbers for the supplier: number, name, unit, gender, badge type and quantity, per "
        "city, with the quantity per badge type",
    )
)
