"""The report centre, the settling of a discrepancy case and the station survey's found items and review, in a
real browser. The report test holds the job back from the (eager) task queue so that the page has to poll:
the bar moves to 40 % and then to done without the page reloading, and the file downloads. No console
errors, no requests to other hosts (the fixtures check)."""

import datetime

import pytest

from assets.catalog import load_catalog
from distribution import services as dist_services
from distribution.models import DiscrepancyCase, Movement
from reports import services as report_services
from reports.models import ReportJob
from reports.registry import kinds as report_kinds
from tests.distribution.conftest import kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

from .conftest import PHONE, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shipped(org, province_user, changsha_user):
    """A shipment to Changsha confirmed with one item missing: one open case."""
    load_catalog()
    lines = kit_lines(OfficerFactory(unit=org["430100"], name="长沙甲"))[:2]
    lines[0]["quantity"], lines[1]["quantity"] = 10, 4
    receive(province_user, org, lines)
    s = ship(province_user, org, lines, "430100")
    first, second = list(s.lines.all())
    dist_services.shipment_confirm(
        actor=changsha_user,
        shipment=s,
        lines=[
            {"line_id": first.pk, "received": 10},
            {"line_id": second.pk, "received": 3, "reason": "missing", "note": "箱子破损少一件"},
        ],
    )
    return s


def test_province_requests_a_report_watches_it_and_downloads_it(
    watched, live_server, province_user, shipped, settings, monkeypatch, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_PDF_WORKERS = 1
    monkeypatch.setattr(report_services, "_enqueue", lambda job: None)  # the test plays the worker below
    page, watch = watched
    login(page, live_server, province_user)
    page.click("nav.mainnav >> text=报表中心")
    page.wait_for_selector("[data-testid=request-form]")
    assert page.locator("[data-kind]").count() == len(report_kinds())  # every registered kind is offered
    assert "被装配发进度表" in page.inner_text("[data-kind=distribution-progress].active")
    page.select_option("select[name=unit]", "430100")
    page.check("input[name=format][value=pdf]")
    shot(page, "60-report-centre")
    page.click("[data-testid=request-submit]")
    page.wait_for_selector("[data-testid=job] [data-status=queued]")
    job = ReportJob.objects.get()
    assert job.kind == "distribution-progress" and job.parameters == {"city": "430100"}
    page.evaluate("window.__stillTheSamePage = true")

    # the worker starts: the bar follows without a reload
    ReportJob.objects.filter(pk=job.pk).update(
        status="running", progress=40, progress_message="汇总 collecting"
    )
    page.wait_for_selector("[data-testid=job] [data-status=running] progress[value='40']", timeout=10_000)
    assert "40%" in page.inner_text("[data-testid=job-percent]")
    shot(page, "61-report-progress")
    report_services.job_run(job_id=job.pk)
    page.wait_for_selector("[data-testid=job] [data-status=done] [data-testid=job-download]", timeout=10_000)
    assert page.evaluate("window.__stillTheSamePage") is True, "updated in place, not reloaded"
    assert page.get_attribute("[data-testid=job] [data-testid=job-status]", "hx-trigger") is None  # stopped
    shot(page, "62-report-done")
    with page.expect_download() as info:
        page.click("[data-testid=job-download]")
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert info.value.suggested_filename.startswith("被装配发进度表-430100")  # named in the job's language

    # the history lists it; a phone sees it as cards
    page.goto(f"{live_server.url}/reports/")
    assert page.locator(f"tr[data-job='{job.pk}'] [data-status=done]").count() == 1
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "63-report-centre-phone")


def test_a_failed_report_says_why_and_runs_again(
    watched, live_server, province_user, org, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page, watch = watched
    login(page, live_server, province_user)
    page.goto(f"{live_server.url}/reports/?kind=tender-timeline")
    page.click("[data-testid=request-submit]")  # no tender yet: the job fails and says so
    page.wait_for_selector("[data-testid=job-error]")
    assert "尚无采购项目" in page.inner_text("[data-testid=job-error]")
    shot(page, "64-report-failed")
    first = ReportJob.objects.get()
    page.click("[data-testid=job-rerun]")
    page.wait_for_selector("[data-testid=job-error]")
    assert ReportJob.objects.get(rerun_of=first).status == "failed"


def test_province_settles_a_case(watched, live_server, province_user, changsha_user, shipped):
    page, watch = watched
    case = DiscrepancyCase.objects.get(shipment=shipped)
    login(page, live_server, province_user)
    page.goto(f"{live_server.url}/distribution/cases/")
    page.click(f"tr[data-case='{case.pk}'] [data-testid=case-open]")
    page.wait_for_selector("[data-testid=settle-form]")
    assert page.inner_text("[data-testid=case-quantity]") == "1"
    page.check("input[name=outcome][value=claim]")
    page.fill("[data-testid=settle-supplier]", "供应商甲")
    page.fill("input[name=note]", "供应商同意补偿")
    shot(page, "65-case-settle-form")
    page.once("dialog", lambda dialog: dialog.accept())  # "a settlement cannot be undone" — yes
    page.click("[data-testid=settle-submit]")
    page.wait_for_selector("[data-testid=settle-result]")
    assert "向供应商索赔" in page.inner_text("[data-testid=case-outcome]")
    assert page.locator("[data-testid=case-ledger] tr[data-kind=claim]").count() == 1
    shot(page, "66-case-settled")
    m = Movement.objects.get(doc_type="case", doc_id=case.pk)
    assert m.kind == "claim" and m.quantity == 1
    page.goto(f"{live_server.url}/distribution/cases/?status=settled")
    assert page.locator(f"tr[data-case='{case.pk}']").count() == 1


def test_found_item_on_a_phone_then_the_county_confirms(
    browser, phone, live_server, org, province_user, county_user, make_user
):
    from assets import equipment_services
    from assets.equipment_choices import StationClass
    from assets.equipment_demo import load_reference
    from assets.equipment_models import EquipmentItem, EquipmentType, SurveyReturn
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
    cam = add_item(st, types["BODYCAM"], "F-CAM-1")
    survey = equipment_services.survey_open(
        actor=province_user, name="2026年清查", deadline=datetime.date(2099, 1, 31)
    )
    org[st.code] = st
    keeper = make_user("county", st.code)
    page, watch = phone
    login(page, live_server, keeper)
    page.goto(f"{live_server.url}/stations/{st.code}/survey/")
    page.click("[data-testid=found] summary")
    page.select_option("select[name=found_type]", "PC")
    page.check("input[name=found_condition][value=fair]")
    page.fill("input[name=found_serial_number]", "SN-PC-FOUND")
    page.fill("input[name=found_note]", "库房发现，未登记")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "fits a phone"
    shot(page, "67-survey-found-phone")
    page.click("[data-testid=found-submit]")
    page.wait_for_selector("[data-testid=found-tag]")
    found = EquipmentItem.objects.get(serial_number="SN-PC-FOUND")
    assert found.station == st and found.source == "survey"
    page.check(f"input[name=condition_{cam.pk}][value=good]")
    page.click("[data-testid=survey-save]")
    page.wait_for_selector(".messages")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=survey-submit]")
    page.wait_for_selector("[data-testid=current-return]")
    assert SurveyReturn.objects.get(survey=survey, station=st).status == "submitted"

    # the county sees it waiting, and confirms it
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    office = context.new_page()
    errors = []
    office.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(office, live_server, county_user)
    office.click("[data-block=surveys_open] >> text=已提交待确认")
    office.click(f"tr[data-station='{st.code}'] >> text=审核确认")
    office.wait_for_selector("[data-testid=confirm-return]")
    shot(office, "68-station-review")
    office.once("dialog", lambda dialog: dialog.accept())
    office.click("[data-testid=confirm-return-submit]")
    office.wait_for_selector(".messages")
    assert "县级已确认" in office.inner_text("[data-testid=return-status]")
    context.close()
    assert errors == []
    assert SurveyReturn.objects.get(survey=survey, station=st).status == "confirmed"


def test_province_dashboard_draws_station_gaps(watched, live_server, org, province_user):
    from assets import equipment_services
    from assets.equipment_choices import StationClass
    from assets.equipment_demo import load_reference

    load_reference()
    for parent, name in (("430121", "星沙服务站"), ("430212", "渌口服务站")):
        equipment_services.station_create(
            actor=None,
            parent=org[parent],
            name=name,
            station_class=StationClass.SERVICE_STATION,
            address="测试",
        )
    page, watch = watched
    login(page, live_server, province_user)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("[data-chart='chart-station_gaps'][data-drawn='1'] canvas")
    page.locator("[data-section='station_gaps']").scroll_into_view_if_needed()
    shot(page, "69-dashboard-station-gaps")
    page.click("[data-section='station_gaps'] summary")
    page.click("[data-testid=gaps-by-city] >> text=长沙市交通运输综合行政执法支队")
    page.wait_for_url("**/stations/gaps/?unit=430100")
    assert page.locator("[data-testid=gaps-total]").count() == 1


def test_county_finds_an_officer_and_gets_the_kit_card(
    watched, live_server, org, county_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_catalog()
    officer = OfficerFactory(unit=org["430121"], name="长沙县乙")
    OfficerFactory(unit=org["430200"], name="长沙县乙")  # a namesake in Zhuzhou: never offered
    page, watch = watched
    login(page, live_server, county_user)
    page.goto(f"{live_server.url}/reports/?kind=kit-card")
    page.fill("[data-testid=officer-search]", "长沙县乙")
    page.wait_for_selector(f"[data-testid=officer-choices] [data-officer='{officer.pk}']")
    assert page.locator("[data-testid=officer-choices] input[name=officer]").count() == 1
    shot(page, "70-report-kit-card-search")
    page.click("[data-testid=request-submit]")
    page.wait_for_selector("[data-testid=job] [data-testid=job-download]")
    assert ReportJob.objects.get().parameters == {"officer": officer.pk}
