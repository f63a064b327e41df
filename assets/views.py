"""The demand's pages: demand per city (scoped), the size table to download, snapshots and their
comparison. Everything is read through assets.selectors and written out by assets.exporters, exactly as
the API does."""

from collections import Counter

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from core import scope
from core.errors import QMError
from core.pages import page, tr
from personnel.choices import Level
from personnel.models import OrgUnit

from . import exporters, selectors
from .demand import standard_items
from .kit import SKIRT_CODE, SKIRT_NAME, SKIRT_NAME_EN

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GENDERS = {"M": ("男", "men"), "F": ("女", "women")}


def city_names() -> dict[str, str]:
    """The demand's "cities": the 14 cities and the province's bureau (430000, its own city)."""
    units = OrgUnit.objects.filter(level__in=(Level.PROVINCE, Level.CITY))
    return dict(units.values_list("code", "name"))


def short_name(name: str) -> str:
    return name.replace("交通运输综合行政执法", "")


def demand_url(**params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("assets:demand") + (f"?{urlencode(params)}" if params else "")


def _item_names(items) -> dict[str, dict]:
    names = {
        i.code: {"M": i.name_men or i.name_zh, "F": i.name_women or i.name_zh, "zh": i.name_zh} for i in items
    }
    names[SKIRT_CODE] = {"M": SKIRT_NAME, "F": SKIRT_NAME, "zh": tr(SKIRT_NAME, SKIRT_NAME_EN)}
    return names


@page
def demand(request):
    """Province: one row per city, each opening the city's items; a city (or ?city=): its items by gender,
    the officers whose size is unknown and the made-to-measure lines, named as far as the user's scope."""
    user = request.user
    city = request.GET.get("city") or None
    d = selectors.demand_for(user, city_code=city)
    names = city_names()
    per_city = Counter()
    for (c, _item, _g, _s), q in d.rows.items():
        per_city[c] += q
    officers = Counter(p["city"] for p in d.officers)
    unknown = selectors.visible_unknown(user, d.unknown, city)
    mtm = selectors.visible_made_to_measure(user, d.made_to_measure, city)
    unknown_people = Counter()
    for entry in d.unknown:
        for o in entry["officers"]:
            unknown_people[(o["city_code"], o["id"])] += 1
    unknown_by_city = Counter(c for c, _id in unknown_people)
    mtm_by_city = Counter(e["city_code"] for e in d.made_to_measure)
    cities = [
        {
            "code": c,
            "name": short_name(names.get(c, c)),
            "officers": officers[c],
            "pieces": per_city[c],
            "unknown": unknown_by_city[c],
            "mtm": mtm_by_city[c],
            "url": demand_url(city=c),
        }
        for c in sorted(officers)
    ]
    item_names = _item_names(d.items)
    totals = d.totals()
    order = [i.code for i in d.items]
    if SKIRT_CODE in totals:
        order.insert(order.index("TROUSERS") + 1 if "TROUSERS" in order else len(order), SKIRT_CODE)
    items = [
        {
            "code": code,
            "name": item_names[code]["zh"],
            "M": totals[code]["M"],
            "F": totals[code]["F"],
            "total": totals[code]["M"] + totals[code]["F"],
        }
        for code in order
        if code in totals
    ]
    whole = scope.scope_paths(user) is None
    return render(
        request,
        "assets/demand.html",
        {
            "nav_key": "demand",
            "city": city or "",
            "city_name": names.get(city, "") if city else "",
            "whole": whole,
            "d": d,
            "cities": cities,
            "totals": {
                "officers": sum(c["officers"] for c in cities),
                "pieces": sum(c["pieces"] for c in cities),
                "unknown": sum(c["unknown"] for c in cities),
                "mtm": sum(c["mtm"] for c in cities),
            },
            "items": items,
            "unknown": unknown,
            "mtm": mtm,
            "xlsx_url": reverse("assets:size_table") + (f"?{urlencode({'city': city})}" if city else ""),
        },
    )


@page
def size_table(request):
    """号型统计表 (Excel), live or from ?snapshot=, for the user's scope; as GET /api/v1/assets/demand/size-table.xlsx."""
    user = request.user
    city = request.GET.get("city") or None
    snapshot = request.GET.get("snapshot") or None
    if snapshot is not None:
        snap = selectors.snapshot_get(user, _int(snapshot, "snapshot"))
        selectors.check_city(user, city)
        rows = selectors.visible_rows(user, snap, city)
        title = f"需求快照 #{snap.pk} · 配发标准 v{snap.standard_version.number} · {snap.created_at:%Y-%m-%d %H:%M}"
        name = f"size-table-snapshot-{snap.pk}{'-' + city if city else ''}.xlsx"
    else:
        d = selectors.demand_for(user, city_code=city)
        rows = d.row_list()
        title = gettext("实时需求 · 配发标准 第 {number} 版").format(number=d.standard_version)
        name = f"size-table{'-' + city if city else ''}.xlsx"
    response = HttpResponse(exporters.size_table_xlsx(rows, title=title, city_code=city), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _int(raw: str, field: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise QMError(
            "bad_filter", gettext("{field} 应为快照编号").format(field=field), {"field": field}
        ) from None


@page
def snapshots(request):
    user = request.user
    paginator = Paginator(selectors.snapshots_for(user), 50)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "assets/snapshots.html",
        {
            "nav_key": "demand",
            "page_obj": page_obj,
            "snapshots": list(page_obj),
            "all": list(selectors.snapshots_for(user).values("id", "created_at", "note")[:200]),
        },
    )


@page
def snapshot_compare(request):
    """What changed from snapshot a to b per city × item × gender × size, and the officers who caused it."""
    user = request.user
    a_raw, b_raw = request.GET.get("a"), request.GET.get("b")
    if not a_raw or not b_raw:
        raise QMError("required", gettext("请选择两个快照"), {"field": "a" if not a_raw else "b"})
    city = request.GET.get("city") or None
    a = selectors.snapshot_get(user, _int(a_raw, "a"), full=True)
    b = selectors.snapshot_get(user, _int(b_raw, "b"), full=True)
    if city:
        selectors.check_city(user, city)
    result = selectors.snapshot_compare(user, a, b, city_code=city)
    names = city_names()
    item_names = {}
    for version in {a.standard_version, b.standard_version}:
        item_names.update(_item_names(standard_items(version)))
    changes = [
        {
            **c,
            "city_name": short_name(names.get(c["city_code"], c["city_code"])),
            "item_name": item_names.get(c["item_code"], {}).get(c["gender"], c["item_code"]),
            "gender_label": tr(*GENDERS[c["gender"]]),
        }
        for c in result["changes"]
    ]
    return render(
        request,
        "assets/compare.html",
        {
            "nav_key": "demand",
            "a": a,
            "b": b,
            "result": result,
            "changes": changes,
            "city": city or "",
            "increase": sum(c["delta"] for c in changes if c["delta"] > 0),
            "decrease": sum(c["delta"] for c in changes if c["delta"] < 0),
        },
    )
