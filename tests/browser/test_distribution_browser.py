"""Distribution in a real browser: a city user confirms a shipment with one short line and sees it recorded;
the province dashboard then shows the shortage; a county user issues a kit and the officer's card shows
it; a user of another city gets the 404 page for that shipment. No console errors, no foreign requests."""

import pytest

from assets.catalog import load_catalog
from distribution.models import DiscrepancyCase
from tests.distribution.conftest import bring_to_county, kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shipment(org, province_user):
    load_catalog()
    lines = kit_lines(OfficerFactory(unit=org["430100"]))[:2]
    lines[0]["quantity"], lines[1]["quantity"] = 10, 4
    receive(province_user, org, lines)
    return ship(province_user, org, lines, "430100")


def test_city_confirms_with_a_short_line_and_province_sees_it(
    browser, watched, live_server, changsha_user, province_user, shipment
):
    page, watch = watched
    login(page, live_server, changsha_user)
    page.wait_for_selector("[data-block='shipments_to_confirm']")
    shot(page, "40-city-start")
    page.click(f"text={shipment.number}")
    page.wait_for_selector("[data-testid=confirm-form]")
    first, second = list(shipment.lines.all())
    page.click(f"tr[data-id='{second.pk}'] button.mark")
    page.select_option("#exc-edit select[name=kind]", "missing")
    page.fill("#exc-edit input[name=quantity]", "1")
    page.fill("#exc-edit input[name=note]", "箱子破损少一件")
    page.click("#exc-save")
    page.wait_for_selector(f"[data-exception-line='{second.pk}']")
    shot(page, "41-confirm-form")
    page.click("[data-testid=confirm-review]")
    page.wait_for_selector("[data-testid=confirm-summary]")
    assert page.inner_text("[data-testid=summary-short]") == "1"
    shot(page, "42-confirm-summary")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=receipt]")
    assert page.locator("[data-testid=short-line]").count() == 1
    assert "签收有差异" in page.inner_text("[data-testid=shipment-status]")
    shot(page, "43-confirm-result")
    assert DiscrepancyCase.objects.get(shipment=shipment).quantity == 1

    # the province dashboard shows the shortage, and its figure leads to Changsha's table
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    prov = context.new_page()
    errors = []
    prov.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(prov, live_server, province_user)
    prov.goto(f"{live_server.url}/dashboard/")
    prov.wait_for_selector("[data-chart='chart-distribution'][data-drawn='1'] canvas")
    assert prov.inner_text("[data-testid=distribution-short]") == "1"
    prov.locator("[data-section='distribution']").scroll_into_view_if_needed()
    shot(prov, "44-province-dashboard-distribution")
    prov.goto(f"{live_server.url}/distribution/progress/?city=430100")
    assert prov.locator("tr[data-short='1']").count() == 1
    shot(prov, "45-progress-changsha")
    context.close()
    assert errors == []


def test_other_city_gets_404(watched, live_server, zhuzhou_user, shipment):
    page, watch = watched
    watch.allow("404")
    login(page, live_server, zhuzhou_user)
    resp = page.goto(f"{live_server.url}/distribution/shipments/{shipment.pk}/")
    assert resp.status == 404
    assert page.locator("[data-testid=confirm-form]").count() == 0
    shot(page, "46-other-city-404")


def test_county_issues_a_kit_and_the_card_shows_it(
    watched, live_server, org, province_user, changsha_user, county_user
):
    load_catalog()
    officer = OfficerFactory(unit=org["430121"], name="县级甲")
    bring_to_county(org, province_user, changsha_user, county_user, kit_lines(officer))
    page, watch = watched
    login(page, live_server, county_user)
    page.goto(f"{live_server.url}/distribution/kits/?unit=430121")
    page.wait_for_selector("[data-testid=kit-status]")
    shot(page, "47-county-kits")
    page.click("text=县级甲")
    page.wait_for_selector("[data-testid=issue-one]")
    shot(page, "48-issue-form")
    page.click("[data-testid=issue-submit]")
    page.wait_for_selector("[data-testid=kit-card] tbody tr")
    page.goto(f"{live_server.url}/roll/officers/{officer.pk}/")
    card = page.locator("[data-testid=kit-card] tbody tr")
    assert card.count() >= 1
    shot(page, "49-officer-kit-card")


def test_county_issues_the_whole_unit_with_items_short_and_sees_what_is_outstanding(
    watched, live_server, org, province_user, changsha_user, county_user
):
    """Two officers, stock for one kit with a single cap: the issue goes through, the page shows the result
    and the outstanding list by name (officer, item, size, reason), with no item code anywhere."""
    import re

    from assets.models import ItemType

    load_catalog()
    first = OfficerFactory(unit=org["430121"], name="县级甲")
    OfficerFactory(unit=org["430121"], name="县级乙", chest_cm=110)  # made to measure
    lines = kit_lines(first)
    bring_to_county(org, province_user, changsha_user, county_user, lines)
    page, watch = watched
    login(page, live_server, county_user)
    page.goto(f"{live_server.url}/distribution/kits/?unit=430121")
    page.wait_for_selector("[data-testid=issue-preview]")
    assert "库存" in page.inner_text("[data-testid=preview-short]")
    shot(page, "47a-county-kits-preview")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=issue-all] button[type=submit]")
    page.wait_for_selector("[data-testid=issue-result]")
    result = page.inner_text("[data-testid=result-outstanding]")
    assert "县级乙" in result and "量体定制" in result and "常服上衣（男）" in result
    assert "库存不足" in page.inner_text("[data-testid=outstanding-table]")
    text = page.inner_text("main")
    assert [c for c in ItemType.objects.values_list("code", flat=True) if c in text] == []
    assert not re.search(r"\?mtm|\?missing|mtm×", text)
    shot(page, "47b-county-kits-result")


def test_station_survey_on_a_phone(phone, live_server, org, province_user, make_user):
    import datetime

    from assets import equipment_services
    from assets.equipment_choices import StationClass
    from assets.equipment_demo import load_reference
    from assets.equipment_models import EquipmentType, SurveyEntry
    from tests.assets.equipment_fixtures import add_item

    load_reference()
    types = {t.code: t for t in EquipmentType.objects.all()}
    st = equipment_services.station_create(
        actor=None,
        parent=org["430121"],
        name="星沙服务站",
        station_class=StationClass.SERVICE_STATION,
        address="星沙",
    )
    cam = add_item(st, types["BODYCAM"], "B-CAM-1")
    add_item(st, types["PC"], "B-PC-1")
    equipment_services.survey_open(
        actor=province_user, name="2026年清查", deadline=datetime.date(2099, 1, 31)
    )
    org[st.code] = st
    keeper = make_user("county", st.code)
    page, watch = phone
    login(page, live_server, keeper)
    page.goto(f"{live_server.url}/stations/{st.code}/survey/")
    page.wait_for_selector("[data-testid=survey-form]")
    page.check(f"input[name=condition_{cam.pk}][value=needs_repair]")
    page.fill(f"input[name=note_{cam.pk}]", "镜头裂")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the survey form fits a phone"
    shot(page, "50-station-survey-phone")
    page.click("[data-testid=survey-save]")
    page.wait_for_selector(".messages")
    assert SurveyEntry.objects.get(item=cam).condition == "needs_repair"
