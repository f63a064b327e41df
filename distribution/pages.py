"""The distribution's part of the pages: menu entries, the start blocks (shipments to confirm, kits to issue,
open cases) and the province dashboard's progress chart by city."""

from django.urls import reverse
from django.utils.translation import pgettext

from core import scope
from core.pages import Block, Figure, NavItem, Section, tr
from personnel.choices import Level
from personnel.models import Officer, OrgUnit

from . import selectors
from .choices import CaseStatus, ShipmentStatus
from .views import progress_url, shipments_url

NAV = [
    NavItem(
        key="shipments",
        zh="发运单",
        en="Shipments",
        url_name="distribution:shipments",
        roles=(scope.PROVINCE, scope.CITY, scope.COUNTY, scope.AUDITOR),
        order=30,
    ),
    NavItem(
        key="kits",
        zh="被装发放",
        en="Kit issue",
        url_name="distribution:kits",
        roles=(scope.COUNTY, scope.CITY),
        order=32,
    ),
]


def _receiving_paths(user) -> list[str]:
    return [path for role, path in scope.memberships(user) if role in (scope.CITY, scope.COUNTY)]


def start_blocks(request) -> list[Block]:
    user = request.user
    if not scope.memberships(user):
        return []
    blocks = []
    if scope.is_province(user) or scope.has_role(user, scope.CITY, scope.COUNTY):
        qs = selectors.shipments_for(user).filter(status=ShipmentStatus.DISPATCHED)
        if not scope.is_province(user):
            qs = qs.filter(to_unit__path__in=_receiving_paths(user))
        rows = list(qs.order_by("dispatched_at")[:5])
        n = qs.count()
        blocks.append(
            Block(
                key="shipments_to_confirm",
                zh="待签收发运",
                en="Shipments to confirm",
                url=shipments_url(status=ShipmentStatus.DISPATCHED),
                figures=[
                    Figure(
                        zh="待签收",
                        en="to confirm",
                        value=n,
                        tone="warn" if n else "ok",
                        url=shipments_url(status=ShipmentStatus.DISPATCHED),
                    )
                ],
                items=[
                    {
                        "text": f"{s.number} → {s.to_unit.name}",
                        "url": reverse("distribution:shipment", args=[s.pk]),
                    }
                    for s in rows
                ],
            )
        )
    if scope.has_role(user, scope.COUNTY):
        units = list(OrgUnit.objects.restrict(user).filter(level=Level.COUNTY, is_active=True))
        officers = list(Officer.objects.eligible().filter(unit__in=units))
        status = selectors.kit_status(officers)
        todo = sum(1 for o in officers if not status[o.pk]["complete"])
        url = reverse("distribution:kits") + (f"?unit={units[0].code}" if units else "")
        blocks.append(
            Block(
                key="kits_to_issue",
                zh="待发放被装",
                en="Kits to issue",
                url=url,
                figures=[
                    Figure(
                        zh="未配齐人员",
                        en="officers without their full kit",
                        value=todo,
                        tone="warn" if todo else "ok",
                        url=url,
                    )
                ],
            )
        )
    if scope.is_province(user):
        n = selectors.cases_for(user).filter(status=CaseStatus.OPEN).count()
        url = reverse("distribution:cases")
        blocks.append(
            Block(
                key="cases_open",
                zh="待处理差异",
                en="Discrepancy cases open",
                url=url,
                order=25,
                figures=[
                    Figure(zh="待处理案件", en="open cases", value=n, tone="warn" if n else "ok", url=url)
                ],
            )
        )
    return blocks


def short_name(name: str) -> str:
    return name.replace("交通运输综合行政执法", "")


def dashboard_sections(request) -> list[Section]:
    """Province-wide users: distribution progress by city, each bar opening that city's progress table. A
    city's users: their city by county, each bar opening that county's officers and their kit."""
    user = request.user
    if not (scope.scope_paths(user) is None and scope.memberships(user)):
        return _city_sections(user)
    province = OrgUnit.objects.filter(level=Level.PROVINCE).first()
    if province is None:
        return []
    summary = selectors.progress_summary(user, province.code)
    rows = [c for c in summary["children"]]
    fields = [
        ("needed", "需求", "Needed", "#b8c4d6"),
        ("shipped", "已发运", "Shipped", "#6c9bd2"),
        ("received", "已签收", "Received", "#1f5fa8"),
        ("short", "短少", "Short", "#c0392b"),
        ("issued", "已发放", "Issued", "#2e8b57"),
    ]
    chart = _bars(rows, fields)
    for r in rows:
        r["url"] = progress_url(r["unit_code"])
    return [
        Section(
            key="distribution",
            zh="配发进度（按市州）",
            en="Distribution progress by city",
            template="distribution/dashboard_progress.html",
            context={"totals": summary["totals"], "rows": rows},
            chart=chart,
            links=[r["url"] for r in rows],
            chart_height=380,
            order=20,
        )
    ]


def _city_sections(user) -> list[Section]:
    cities = list(
        OrgUnit.objects.restrict(user).filter(level=Level.CITY, is_active=True).order_by("code")[:2]
    )
    if len(cities) != 1:  # a county's or station's account, or several cities: no by-county chart
        return []
    city = cities[0]
    summary = selectors.progress_summary(user, city.code)
    rows = summary["children"]
    fields = [
        ("needed", "需求", "Needed", "#b8c4d6"),
        ("received", "已签收", "Received", "#1f5fa8"),
        ("short", "短少", "Short", "#c0392b"),
        ("issued", "已发放", "Issued", "#2e8b57"),
    ]
    for r in rows:
        r["url"] = reverse("distribution:kits") + f"?unit={r['unit_code']}"
    chart = _bars(rows, fields)
    return [
        Section(
            key="distribution",
            zh=f"{short_name(city.name)}配发进度（按县级单位）",
            en="Distribution progress by county",
            template="distribution/dashboard_progress.html",
            context={"totals": summary["totals"], "rows": rows, "city": city.code},
            chart=chart,
            links=[r["url"] for r in rows],
            chart_height=340,
            order=20,
        )
    ]


def _bars(rows: list[dict], fields: list[tuple]) -> dict:
    """The ECharts option of the progress dashboards: a group of bars per unit, one per figure in `fields`
    ((key, 中文, English, colour)), units by their short names."""
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [short_name(r["unit_name"]) for r in rows],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "name": pgettext("pieces", "件"), "minInterval": 1},
        "series": [
            {"name": tr(zh, en), "type": "bar", "data": [r[f] for r in rows], "itemStyle": {"color": c}}
            for f, zh, en, c in fields
        ],
    }
