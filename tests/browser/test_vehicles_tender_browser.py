"""The province dashboard in a real browser: the vehicles chart and the tender's Gantt are drawn (a canvas
each), a bar of the vehicles chart opens that city's vehicles, and the tender page draws its own Gantt;
no console errors, no request to another host."""

import datetime
import re

import pytest

from procurement import services as procurement_services
from tests.procurement.conftest import catalog, make_tender  # noqa: F401 (fixtures)
from tests.procurement.test_timeline import PLAN
from tests.vehicles.conftest import add_compulsory, allocation, days, make_vehicle  # noqa: F401 (fixtures)

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def province_data(allocation, make_vehicle, make_tender, province_user):
    for _ in range(3):
        make_vehicle("430100", in_service=True)
    add_compulsory(make_vehicle("430200", in_service=True), starts_on=days(-300), ends_on=days(20))
    make_vehicle("430300")
    tender = make_tender(year=2026)
    ms = {m.code: m for m in tender.milestones.all()}
    for code, day in PLAN.items():
        procurement_services.milestone_set(actor=province_user, milestone=ms[code], planned_date=day)
    for code in (
        "intention_published",
        "plan_filed",
        "documents_final",
        "notice_published",
        "documents_on_sale",
    ):
        procurement_services.milestone_set(
            actor=province_user, milestone=ms[code], actual_date=PLAN[code] + datetime.timedelta(days=1)
        )
    return tender


def test_province_dashboard_draws_vehicles_chart_and_gantt(
    watched, live_server, province_user, province_data
):
    page, watch = watched
    login(page, live_server, province_user)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("[data-chart='chart-vehicles'][data-drawn='1'] canvas")
    page.wait_for_selector("[data-gantt='gantt-dashboard'][data-drawn='1'] canvas")
    vehicles = page.locator("[data-chart='chart-vehicles'] canvas").first.bounding_box()
    gantt = page.locator("[data-gantt='gantt-dashboard'] canvas").first.bounding_box()
    assert vehicles["width"] > 600 and vehicles["height"] > 300
    assert gantt["width"] > 600 and gantt["height"] > 400
    page.locator("[data-section='vehicles']").scroll_into_view_if_needed()
    shot(page, "20-dashboard-vehicles-gantt")
    page.locator("[data-section='vehicles']").screenshot(path=str(_shots() / "21-dashboard-vehicles.png"))
    page.locator("[data-section='tender_gantt']").screenshot(path=str(_shots() / "22-dashboard-gantt.png"))

    # a click on Changsha's quota bar (the first) opens Changsha's vehicles
    bar = page.evaluate("""() => {
        const el = document.querySelector("[data-chart='chart-vehicles']");
        const layout = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData().getItemLayout(0);
        return {x: layout.x + layout.width / 2, y: layout.y + layout.height / 2};
    }""")
    page.locator("[data-chart='chart-vehicles']").click(position=bar)
    page.wait_for_url(re.compile(r"/vehicles/\?city=430100$"))
    assert page.locator("[data-testid=vehicle-count]").inner_text() == "共 3 辆"
    shot(page, "23-vehicles-changsha")

    # the tender's own page draws the same Gantt from its timeline, with the table under it
    page.goto(f"{live_server.url}/procurement/tenders/{province_data.id}/")
    page.wait_for_selector("[data-gantt='gantt-tender'][data-drawn='1'] canvas")
    assert "已逾期" in page.locator("#m-bid_opening").inner_text()
    shot(page, "24-tender")
    assert watch.console_errors == [] and watch.foreign_requests == []


def _shots():
    from .conftest import SHOTS

    SHOTS.mkdir(exist_ok=True)
    return SHOTS
