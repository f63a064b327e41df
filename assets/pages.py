"""The demand's part of the pages: its menu entry (the snapshots are linked from the demand page)."""

from django.urls import reverse

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
    figures = [Figure(zh="未提交站所", en="stations not handed in", value=left, tone="warn" if left else "ok",
                      url=f"{url}?return=draft", note=f"{survey.name} · {survey.deadline.isoformat()}")]
    if _above_a_station(request.user):  # the units that confirm returns (a station's own account does not)
        waiting = summary["submitted"]
        figures.append(Figure(zh="已提交待确认", en="submitted, to confirm", value=waiting,
                              tone="warn" if waiting else "ok", url=f"{url}?return=submitted"))
    return [Block(key="surveys_open", zh="装备清查待填报", en="Surveys open", url=url, figures=figures)]


def _above_a_station(user) -> bool:
    from personnel.choices import Level
    from personnel.models import OrgUnit

    paths = [path for _role, path in scope.memberships(user)]
    return OrgUnit.objects.filter(path__in=paths).exclude(level=Level.STATION).exists()
