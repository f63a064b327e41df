"""Each role's journeys on the FULL Hunan demo (9,843 officers, 1,900-line shipments), in Chromium, against a
real server (tests/browser/demo_site.py: seeded once and reused, DEBUG off). Every page a journey opens is
checked: under 1 MB of HTML, a bounded number of queries, and no item code or internal token in what the
user reads. Page times are not asserted here; `make bench` times the same pages."""

import re
import time

import pytest

from tests.browser.conftest import PC, PHONE, shot
from tests.browser.demo_site import Checker, demo_site, item_codes  # noqa: F401 - demo_site is a fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def journey(browser, demo_site):  # noqa: F811
    """open(viewport) → (page, checker); every page's documents are verified when the test ends."""
    opened = []
    codes = item_codes()

    def _open(viewport=PC):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(30_000)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        checker = Checker(page, codes)
        opened.append((context, checker, errors))
        return page, checker

    yield _open
    for context, checker, errors in opened:
        context.close()
        checker.verify()
        assert errors == [], "console errors"


def login(page, site, username: str):
    page.goto(f"{site.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", site.password)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{site.url}/")


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def test_city_confirms_its_largest_shipment_with_two_lines_short(journey, demo_site):  # noqa: F811
    """Hengyang's shipment of about 1,900 lines: found from the start page, two lines marked short (one
    found by the item filter), reviewed, confirmed once; two discrepancy cases appear."""
    page, check = journey()
    login(page, demo_site, "city430400")
    page.wait_for_selector("[data-block='shipments_to_confirm']")
    check.text()
    page.click("[data-block='shipments_to_confirm'] a[href*='/distribution/shipments/']")
    page.wait_for_selector("[data-testid=confirm-form]")
    total_lines = _number(page.inner_text("[data-testid=shipment-totals]").split("·")[0])
    assert total_lines > 1500, "the demo's big shipment"
    assert page.locator("table.lines tr[data-id]").count() <= 1000
    check.text()
    shot(page, "j10-city-big-shipment")

    first = page.locator("table.lines tr[data-id]").first
    first_id = first.get_attribute("data-id")
    first.locator("button.mark").click()
    page.select_option("#exc-edit select[name=kind]", "missing")
    page.fill("#exc-edit input[name=quantity]", "2")
    page.fill("#exc-edit input[name=note]", "外箱破损")
    page.click("#exc-save")
    page.wait_for_selector(f"[data-exception-line='{first_id}']")

    # the second line: found by the item filter (the marks survive the page change)
    options = page.locator("[data-testid=line-filters] select[name=item] option")
    page.select_option(
        "[data-testid=line-filters] select[name=item]",
        options.nth(options.count() - 1).get_attribute("value"),
    )
    page.click("[data-testid=line-filters] button[type=submit]")
    page.wait_for_selector("[data-testid=lines-count]")
    assert "已筛选" in page.inner_text("[data-testid=lines-count]")
    check.text()
    second = page.locator("table.lines tr[data-id]").first
    second_id = second.get_attribute("data-id")
    assert second_id != first_id
    second.locator("button.mark").click()
    page.select_option("#exc-edit select[name=kind]", "damaged")
    page.fill("#exc-edit input[name=quantity]", "1")
    page.click("#exc-save")
    page.wait_for_selector(f"[data-exception-line='{second_id}']")
    assert page.locator("[data-exception-line]").count() == 2

    page.click("[data-testid=confirm-review]")
    page.wait_for_selector("[data-testid=confirm-summary]")
    assert page.inner_text("[data-testid=summary-short]") == "3"
    assert page.locator("[data-testid=summary-exceptions] tbody tr").count() == 2
    check.text()
    shot(page, "j11-city-review")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=receipt]")
    assert _number(page.inner_text("[data-testid=receipt-short]")) == 3
    assert page.locator("[data-testid=cases] li").count() == 2
    check.text()
    shot(page, "j12-city-receipt")


def test_city_transfers_to_a_county_from_what_it_still_needs(journey, demo_site):  # noqa: F811
    """Changsha sends a county its still-needed lines, filled from the city's store, one line changed."""
    page, check = journey()
    login(page, demo_site, "city430100")
    page.goto(f"{demo_site.url}/distribution/transfer/")
    check.text()
    counties = page.locator("[data-testid=transfer-choose] select[name=to_unit] option")
    values = [counties.nth(i).get_attribute("value") for i in range(counties.count())]
    county = next(v for v in values if v and v not in ("430121", "430112", "430181"))  # not yet supplied
    page.select_option("[data-testid=transfer-choose] select[name=to_unit]", county)
    page.click("[data-testid=transfer-choose] button[type=submit]")
    page.wait_for_selector("[data-testid=transfer-form]")
    check.text()
    rows = page.locator("[data-testid=transfer-lines] tbody tr:not(.group)")
    assert 0 < rows.count() <= 1000
    groups = page.locator("[data-testid=transfer-group]")  # one heading per item and cut, with its totals
    assert 0 < groups.count() < rows.count()
    first = groups.first
    assert first.locator("tr.group").count() == 1 and first.locator("input[type=number]").count() >= 1
    before = _number(page.inner_text("[data-testid=transfer-total]"))
    box = rows.first.locator("input[type=number]")
    suggested = int(box.input_value())
    assert suggested > 1
    box.fill(str(suggested - 1))
    assert _number(page.inner_text("[data-testid=transfer-total]")) == before - 1
    assert page.input_value("#transfer-changes").count('"quantity"') == 1  # only the change is posted
    shot(page, "j20-city-transfer")
    page.click("[data-testid=transfer-submit]")
    page.wait_for_selector("[data-testid=shipment-status]")
    assert "已发运" in page.inner_text("[data-testid=shipment-status]")
    assert _number(page.inner_text("[data-testid=shipment-totals]").split("·")[1]) == before - 1
    check.text()


def test_province_drills_down_and_gets_the_province_sign_for_sheets(journey, demo_site, tmp_path):  # noqa: F811
    """Dashboard → progress summary (cities, then a city's counties, then one county's detail, the rows adding
    up to the totals) → the province's sign-for sheets requested, watched while a worker renders them, then
    downloaded and read."""
    from pypdf import PdfReader

    page, check = journey()
    login(page, demo_site, "province")
    page.goto(f"{demo_site.url}/dashboard/")
    check.text()
    page.click("[data-testid=progress-link]")
    page.wait_for_selector("[data-testid=progress]")
    check.text()
    cities = page.locator("[data-testid=progress] tbody tr[data-unit]")
    assert cities.count() == 14

    def column_sum(col: int) -> tuple[int, int]:
        rows = page.locator("[data-testid=progress] tbody tr")
        total = sum(
            _number(rows.nth(i).locator("td").nth(col).inner_text() or "0") for i in range(rows.count())
        )
        return total, _number(page.locator("[data-testid=progress-total] td").nth(col - 1).inner_text())

    parts, total = column_sum(1)  # needed: the cities and the province's own add up to the total
    assert parts == total > 0
    shot(page, "j30-province-progress")
    page.click("[data-testid=progress] tbody tr[data-unit='430100'] a")
    page.wait_for_selector("[data-testid=progress-own]")
    check.text()
    parts, total = column_sum(1)
    assert parts == total > 0
    page.click("[data-testid=progress] tbody tr[data-unit='430121'] a")
    page.wait_for_selector("[data-testid=progress-detail]")
    assert page.locator("[data-testid=progress-detail] tbody tr").count() <= 1000
    check.text()
    shot(page, "j31-county-detail")

    page.goto(f"{demo_site.url}/reports/?kind=sign-for-sheets")
    page.wait_for_selector("[data-testid=request-form]")
    check.text()
    page.check("input[name=format][value=pdf]")
    started = time.monotonic()
    page.click("[data-testid=request-submit]")
    page.wait_for_selector("[data-testid=job] [data-status]")
    assert time.monotonic() - started < 10, "the request returns at once; a worker renders"
    page.wait_for_selector("[data-testid=job] [data-status=done] [data-testid=job-download]", timeout=300_000)
    check.text()
    shot(page, "j32-sign-for-done")
    with page.expect_download(timeout=60_000) as info:
        page.click("[data-testid=job-download]")
    path = tmp_path / "sign-for.pdf"
    info.value.save_as(path)
    reader = PdfReader(path)
    assert len(reader.pages) > 100  # every unit of the province
    first = reader.pages[0].extract_text()
    assert "签" in first and re.search(r"[\u4e00-\u9fff]{2,}", first)


def test_county_issues_the_whole_unit_with_some_items_short(journey, demo_site):  # noqa: F811
    """A Xiangtan county (the city confirmed its delivery; no county supplied yet) gets its still-needed lines
    less one piece, confirms them, issues
    to the whole unit: what is in stock goes out, the one piece short (and any made-to-measure item) stays
    outstanding and is listed by officer, item name, size and reason."""
    page, check = journey()
    login(page, demo_site, "city430300")
    page.goto(f"{demo_site.url}/distribution/transfer/")
    counties = page.locator("[data-testid=transfer-choose] select[name=to_unit] option")
    values = [counties.nth(i).get_attribute("value") for i in range(counties.count())]
    county = [v for v in values if v][0]
    page.select_option("[data-testid=transfer-choose] select[name=to_unit]", county)
    page.click("[data-testid=transfer-choose] button[type=submit]")
    page.wait_for_selector("[data-testid=transfer-form]")
    box = page.locator("[data-testid=transfer-lines] tbody tr:not(.group)").first.locator(
        "input[type=number]"
    )
    box.fill(str(int(box.input_value()) - 1))
    page.click("[data-testid=transfer-submit]")
    page.wait_for_selector("[data-testid=shipment-status]")
    shipment_url = page.url

    page, check = journey()
    login(page, demo_site, f"county{county}")
    page.goto(shipment_url)
    page.wait_for_selector("[data-testid=confirm-form]")
    page.click("[data-testid=confirm-review]")
    page.wait_for_selector("[data-testid=confirm-summary]")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=receipt]")

    page.goto(f"{demo_site.url}/distribution/kits/?unit={county}")
    page.wait_for_selector("[data-testid=issue-preview]")
    preview = check.text()
    short = page.inner_text("[data-testid=preview-short]")  # e.g. 卷檐帽54号 库存 2 顶，需 3 顶
    assert re.search(r"库存 \d+ \S+，需 \d+", short), "one piece was held back"
    shot(page, "j30-county-kits-preview")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=issue-all] button[type=submit]")
    page.wait_for_selector("[data-testid=issue-result]")
    check.text()
    assert "已发放" in page.inner_text("[data-testid=result-summary]")
    assert _number(page.inner_text("[data-testid=result-summary]").split("件")[0]) > 0
    owed = page.locator("[data-testid=result-outstanding] tbody tr[data-reason=short]")
    assert owed.count() >= 1
    row = owed.first.inner_text()
    assert "库存不足" in row and re.search(r"[\u4e00-\u9fff]", row)
    table = page.locator("[data-testid=outstanding-table] tbody tr")
    assert 0 < table.count() <= 1000
    assert page.locator("[data-testid=outstanding-table] tbody tr[data-reason=short]").count() >= 1
    assert "量体定制" in preview or "缺少测量" in preview or "未分配胸号" in preview
    shot(page, "j31-county-kits-result")


def test_auditor_reads_everything_and_is_offered_no_write(journey, demo_site):  # noqa: F811
    """The auditor (read-only, whole province): the pages a writer acts on show no form that writes, and an
    officer's masked ID number comes with a masked birth date."""
    page, check = journey()
    login(page, demo_site, "auditor")
    check.text()
    page.goto(f"{demo_site.url}/roll/")
    check.text()
    page.locator("table a[href*='/roll/officers/']").first.click()
    page.wait_for_load_state()
    text = check.text()
    assert "****-**-**" in text  # the birth date is the masked part of the ID number
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text.split("身份证号")[-1][:80])
    page.goto(f"{demo_site.url}/distribution/")
    check.text()
    page.locator("a[href*='/distribution/shipments/']").first.click()
    page.wait_for_load_state()
    check.text()
    assert page.locator("[data-testid=confirm-form]").count() == 0
    page.goto(f"{demo_site.url}/distribution/kits/?unit=430121")
    check.text()
    assert page.locator("[data-testid=issue-all]").count() == 0
    page.goto(f"{demo_site.url}/stations/?return=draft")
    check.text()
    page.locator("[data-testid=stations] tr[data-station] a").first.click()
    page.wait_for_load_state()
    station_code = page.url.rstrip("/").split("/")[-1]
    page.goto(f"{demo_site.url}/stations/{station_code}/survey/")
    check.text()
    assert page.locator("[data-testid=survey-read-only]").count() == 1
    assert page.locator("main form[method=post] button[type=submit]").count() == 0
    shot(page, "j50-auditor-survey")


def _change_condition(page, item: str) -> None:
    """Grade an item otherwise than it stands (the demo's last survey may already say needs repair)."""
    radios = page.locator(f"input[name=condition_{item}]")
    choice = next(radios.nth(i) for i in range(radios.count()) if not radios.nth(i).is_checked())
    choice.check()


def test_station_survey_on_a_phone(journey, demo_site):  # noqa: F811
    """A county keeper on a phone opens a station whose return is in progress, takes everything as in the
    last survey with one item changed; the page fits the screen and the post carries only that item."""
    page, check = journey(PHONE)
    login(page, demo_site, "county430181")  # 浏阳市: two stations' returns in progress in the demo
    page.goto(f"{demo_site.url}/stations/?return=draft")
    check.text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("[data-testid=stations] a[href$='/survey/']").first.click()
    page.wait_for_selector("[data-testid=survey-form]")
    check.text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "j60-survey-phone")
    if page.locator("[data-testid=copy-last-submit]").count():
        item = page.locator("[data-testid=survey-form] [data-item]").first.get_attribute("data-item")
        _change_condition(page, item)
        with page.expect_request(lambda r: r.method == "POST") as posted:
            page.click("[data-testid=copy-last-submit]")
        names = re.findall(
            r'name="([^"]+)"', (posted.value.post_data_buffer or b"").decode("utf-8", "replace")
        )
        assert sorted(names) == sorted(["csrfmiddlewaretoken", "action", f"condition_{item}", f"note_{item}"])
    else:  # every item graded already: a change posts only that item
        item = page.locator("[data-testid=survey-form] [data-item]").first.get_attribute("data-item")
        _change_condition(page, item)
        with page.expect_request(lambda r: r.method == "POST") as posted:
            page.click("[data-testid=survey-save]")
        names = re.findall(
            r'name="([^"]+)"', (posted.value.post_data_buffer or b"").decode("utf-8", "replace")
        )
        assert f"condition_{item}" in names and len(names) <= 6
    page.wait_for_selector(".messages")
    check.text()
    shot(page, "j61-survey-saved-phone")
