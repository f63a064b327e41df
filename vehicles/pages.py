"""The vehicles' part of the pages: menu entries, the "papers expiring" start block and the province
dashboard's allocation chart (quota vs purchased vs in service per city)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from core import scope
from core.pages import Block, Figure, NavItem, Section

from . import selectors
from .views import PAPER_DAYS, short_name, vehicles_url

# One menu entry: papers expiring and the register form are a click away on the vehicles page (and the
# papers on the start page), which keeps the menu short enough for a phone.
NAV = [NavItem(key="vehicles", zh="车辆", en="Vehicles", url_name="vehicles:index", order=60)]


def start_blocks(request) -> list[Block]:
    user = request.user
    if not scope.memberships(user):
        return []
    today = timezone.localdate()
    due = selectors.vehicles_for(user, papers="due", days=PAPER_DAYS, today=today).count()
    overdue = selectors.vehicles_for(user, papers="overdue", today=today).count()
    papers_url = reverse("vehicles:papers")
    return [
        Block(
            key="papers_expiring",
            zh="证照到期",
            en="Papers expiring",
            url=papers_url,
            figures=[
                Figure(
                    zh="30天内到期",
                    en="Due within 30 days",
                    value=due,
                    url=vehicles_url(papers="due"),
                    tone="warn" if due else "ok",
                    note=gettext("交强险或检验"),
                ),
                Figure(
                    zh="已过期或无交强险",
                    en="Out of date or uninsured",
                    value=overdue,
                    url=vehicles_url(papers="overdue"),
                    tone="warn" if overdue else "ok",
                ),
            ],
        )
    ]


def dashboard_sections(request) -> list[Section]:
    """Province-wide users only: the allocation by city, each bar opening that city's vehicles."""
    if scope.scope_paths(request.user) is None and scope.memberships(request.user):
        return [allocation_section()]
    return []


def allocation_section() -> Section:
    table = selectors.allocation_table()
    rows = table["rows"]
    for row in rows:
        row["short_name"] = short_name(row["city_name"])
        row["list_url"] = vehicles_url(city=row["city_code"])
    chart = {
        "animation": False,  # drawn at once: the figures are read, not watched
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [r["short_name"] for r in rows],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "name": gettext("辆"), "minInterval": 1},
        "series": [
            {
                "name": pgettext("Quota", "编制数"),
                "type": "bar",
                "data": [r["quota"] for r in rows],
                "itemStyle": {"color": "#b8c4d6"},
            },
            {
                "name": gettext("已购置"),
                "type": "bar",
                "data": [r["purchased"] for r in rows],
                "itemStyle": {"color": "#6c9bd2"},
            },
            {
                "name": gettext("在用"),
                "type": "bar",
                "data": [r["in_service"] for r in rows],
                "itemStyle": {"color": "#1f5fa8"},
            },
        ],
    }
    title = gettext("车辆配备（按市州）")
    return Section(
        key="vehicles",
        zh=title,
        en=title,
        template="vehicles/dashboard_allocation.html",
        context={"table": table},
        chart=chart,
        links=[r["list_url"] for r in rows],
        chart_height=380,
        order=40,
    )
