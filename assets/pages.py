"""The demand's part of the pages: its menu entry (the snapshots are linked from the demand page)."""

from django.urls import reverse
from django.utils.translation import gettext, pgettext

from core import scope
from core.errors import NotFound
from core.pages import Block, Figure, NavItem

from . import equipment_selectors
from .equipment_choices import SurveyStatus

NAV = [
    NavItem(key="demand", zh="被装需求", en="Uniform demand", url_name="assets:demand", order=40),
]


# ---- station equipment (assets/equipment_views.py, mounted at /stations/) ----------------------------------

NAV.append(NavItem(key="stations", zh="站所装备", en="Stations", url_name="stations:index", order=70))


def start_blocks(request):
    """Surveys open: the stations in scope whose return is not handed in yet."""
    if not scope.memberships(request.user):
        return []
    survey = equipment_selectors.surveys().filter(status=SurveyStatus.OPEN).order_by("-id").first()
    if survey is None:
        return []
    try:
        summary = equipment_selectors.survey_progress(request.user, survey)["summary"]
    except NotFound:  # a user without a unit sees no block
        return []
    left = summary["draft"]
    url = reverse("stations:index")
    figures = [
        Figure(
            zh="未提交站所",
            en="stations not handed in",
            value=left,
            tone="warn" if left else "ok",
            url=f"{url}?return=draft",
            note=f"{survey.name} · {survey.deadline.isoformat()}",
        )
    ]
    if _above_a_station(request.user):  # the units that confirm returns (a station's own account does not)
        waiting = summary["submitted"]
        figures.append(
            Figure(
                zh="已提交待确认",
                en="submitted, to confirm",
                value=waiting,
                tone="warn" if waiting else "ok",
                url=f"{url}?return=submitted",
            )
        )
    return [Block(key="surveys_open", zh="装备清查待填报", en="Surveys open", url=url, figures=figures)]


def _above_a_station(user) -> bool:
    from personnel.choices import Level
    from personnel.models import OrgUnit

    paths = [path for _role, path in scope.memberships(user)]
    return OrgUnit.objects.filter(path__in=paths).exclude(level=Level.STATION).exists()


def dashboard_sections(request):
    """Province-wide users: station equipment gaps per city (estimated cost and stations lacking required
    items), each bar opening that city's gaps list."""
    from core.pages import Section

    user = request.user
    if not (scope.scope_paths(user) is None and scope.memberships(user)):
        return []
    report = equipment_selectors.gap_report(user)
    if not report["stations"]:  # no station registered yet: nothing to draw
        return []
    rows = sorted(report["children"], key=lambda c: c["unit_code"])
    for r in rows:
        r["url"] = f"{reverse('stations:gaps')}?unit={r['unit_code']}"
        r["short_name"] = r["unit_name"].replace("交通运输综合行政执法", "")
    chart = {
        "animation": False,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [r["short_name"] for r in rows],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": [
            {"type": "value", "name": gettext("万元")},
            {"type": "value", "name": pgettext("stations", "站所"), "minInterval": 1},
        ],
        "series": [
            {
                "name": gettext("估算费用（万元）"),
                "type": "bar",
                "data": [round(float(r["cost"]) / 10000, 1) for r in rows],
                "itemStyle": {"color": "#1f5fa8"},
            },
            {
                "name": gettext("缺必配装备的站所"),
                "type": "bar",
                "yAxisIndex": 1,
                "data": [r["stations_without_required"] for r in rows],
                "itemStyle": {"color": "#c0392b"},
            },
        ],
    }
    return [
        Section(
            key="station_gaps",
            zh="站所装备缺口（按市州）",
            en="Station equipment gaps by city",
            template="assets/equipment/dashboard_gaps.html",
            context={"report": report, "rows": rows},
            chart=chart,
            links=[r["url"] for r in rows],
            chart_height=360,
            order=50,
        )
    ]
