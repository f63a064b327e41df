"""A city user's roll, another city's officer, the province dashboard's chart, English, a phone."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_user_sees_only_own_roll_and_opens_an_officer(watched, live_server, changsha_user, people):
    page, _watch = watched
    page.goto(f"{live_server.url}/roll/")
    assert page.url.startswith(f"{live_server.url}/login/")  # not logged in yet
    shot(page, "01-login")
    login(page, live_server, changsha_user)
    assert page.locator("[data-block=roll]").is_visible()
    assert page.title().startswith("首页")
    shot(page, "02-start-city")

    page.click("nav.mainnav >> text=花名册")
    page.wait_for_url(re.compile(r"/roll/$"))
    table = page.locator("[data-testid=officer-table]")
    names = table.locator("tbody tr td:first-child").all_inner_texts()
    assert sorted(names) == sorted(["长沙甲", "长沙县乙", "未测丙"])
    assert "株洲丁" not in page.content()
    shot(page, "03-roll-city")

    page.click("text=未测丙")
    page.wait_for_url(re.compile(rf"/roll/officers/{people['cs_unmeasured'].id}/$"))
    assert page.locator("[data-testid=officer-name]").inner_text().startswith("未测丙")
    assert "胸围" in page.locator("[data-testid=missing]").inner_text()
    assert page.locator("[data-testid=id-number]").inner_text() == people["cs_unmeasured"].id_number
    shot(page, "04-officer")


def test_roll_search_updates_the_results_in_place(watched, live_server, changsha_user, people):
    page, _watch = watched
    login(page, live_server, changsha_user)
    page.goto(f"{live_server.url}/roll/")
    page.evaluate("window.__samePage = true")
    page.fill("input[name=q]", "长沙县")
    page.locator("[data-testid=officer-table] tbody tr").first.wait_for()
    # a locator wait, not wait_for_function: the page's CSP forbids the eval Playwright would compile it with
    expect(page.locator("[data-testid=officer-table] tbody tr")).to_have_count(1)
    assert page.locator("[data-testid=officer-table] tbody tr td:first-child").inner_text() == "长沙县乙"
    assert page.evaluate("window.__samePage") is True  # htmx swapped the results, no reload
    page.wait_for_url(re.compile(r"q=%E9%95%BF%E6%B2%99%E5%8E%BF"))  # and the address keeps the search
    shot(page, "05-roll-search")


def test_search_after_the_session_ended_goes_to_the_login_page_not_into_the_table(
    watched, live_server, changsha_user, people
):
    page, _watch = watched
    login(page, live_server, changsha_user)
    page.goto(f"{live_server.url}/roll/")
    page.context.clear_cookies()  # the session ends (expired, or logged out in another tab)
    page.fill("input[name=q]", "长沙县")
    page.wait_for_url(re.compile(r"/login/\?next=%2Froll%2F"))
    assert page.locator("input[name=password]").count() == 1
    assert page.locator("[data-testid=officer-table]").count() == 0  # a whole page, not a fragment
    page.fill("input[name=username]", changsha_user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{live_server.url}/roll/")  # back where the user was


def test_another_citys_officer_is_the_404_page(watched, live_server, changsha_user, people):
    page, watch = watched
    watch.allow("status of 404")
    login(page, live_server, changsha_user)
    response = page.goto(f"{live_server.url}/roll/officers/{people['zz'].id}/")
    assert response.status == 404
    assert page.locator("[data-testid=not-found]").is_visible()
    assert "株洲丁" not in page.content()
    shot(page, "06-not-found")


def test_province_dashboard_draws_the_staffing_chart(watched, live_server, province_user, people):
    page, watch = watched
    login(page, live_server, province_user)
    page.click("nav.mainnav >> text=看板")
    page.wait_for_url(re.compile(r"/dashboard/$"))
    page.wait_for_selector("[data-chart='chart-staffing'][data-drawn='1'] canvas")
    box = page.locator("[data-chart='chart-staffing'] canvas").first.bounding_box()
    assert box["width"] > 600 and box["height"] > 400
    assert page.locator("h1").inner_text() == "全省看板"
    shot(page, "07-dashboard-province")

    # the figure in the table opens the list behind it, with the same number
    row = page.locator("[data-testid=staffing-table] tr", has_text="长沙市支队")
    figure = row.locator("td").nth(2).inner_text()
    row.locator("td").nth(2).locator("a").click()
    page.wait_for_url(re.compile(r"/roll/\?unit=430100&status=in_post"))
    assert page.locator("[data-testid=result-count]").inner_text() == f"共 {figure} 人"
    assert watch.console_errors == [] and watch.foreign_requests == []


def test_switch_to_english_and_back(watched, live_server, changsha_user, people):
    page, _watch = watched
    login(page, live_server, changsha_user)
    page.goto(f"{live_server.url}/roll/")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    assert page.url.endswith("/roll/")
    assert page.locator("h1").inner_text() == "Roll"
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "What is waiting for me"
    shot(page, "08-start-english")
    page.click("[data-testid=lang-zh]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "我的待办"


@pytest.mark.parametrize(
    "path", ["/", "/roll/", "/roll/missing-measurements/", "/dashboard/", "/roll/upload/"]
)
def test_pages_fit_a_phone(phone, live_server, changsha_user, people, path):
    page, _watch = phone
    login(page, live_server, changsha_user)
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is wider than the phone by {overflow}px"
    name = path.strip("/").replace("/", "-") or "start"
    shot(page, f"phone-{name}")


def test_city_user_measures_an_officer_from_the_missing_list(watched, live_server, changsha_user, people):
    page, _watch = watched
    login(page, live_server, changsha_user)
    page.click("nav.mainnav >> text=缺测量")
    assert page.locator("[data-testid=lacking-total]").inner_text() == "共 1 人待测量"
    shot(page, "09-missing-measurements")
    page.click("[data-testid=lacking-table] >> text=未测丙")
    page.click("text=录入或修改测量数据")
    page.fill("input[name=chest_cm]", "92")
    shot(page, "10-measure-form")
    page.click("[data-testid=measure-save]")
    page.wait_for_url(re.compile(rf"/roll/officers/{people['cs_unmeasured'].id}/$"))
    assert "测量数据已保存" in page.locator(".messages").inner_text()
    assert page.locator("[data-testid=missing]").count() == 0
    assert "175/92A" in page.locator("[data-testid=sizes]").inner_text()
    page.click("nav.mainnav >> text=缺测量")
    assert page.locator("[data-testid=lacking-total]").inner_text() == "共 0 人待测量"


def test_status_change_asks_first_and_is_recorded(watched, live_server, changsha_user, people):
    page, _watch = watched
    login(page, live_server, changsha_user)
    page.goto(f"{live_server.url}/roll/officers/{people['cs'].id}/")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.select_option("select[name=status]", "on_leave")
    page.locator("[data-testid=roll-actions] input[name=reason]").first.fill("病假")
    page.click("[data-testid=status-save]")
    assert questions == ["确认变更此人员的状态？"]
    people["cs"].refresh_from_db()
    assert people["cs"].status == "serving"  # dismissed: nothing sent

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=status-save]")
    page.wait_for_selector(".messages")
    assert "状态已改为离岗" in page.locator(".messages").inner_text()
    assert "病假" in page.locator("[data-testid=history]").inner_text()
    shot(page, "11-officer-status-changed")
