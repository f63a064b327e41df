"""The tender's pages: list, a tender with its Gantt, legal checks, slippage, forecast and slack, contracts in
scope, the "milestones due" start block and the dashboard's Gantt."""

import datetime
import json
import re

import pytest

from procurement import selectors, services
from tests.procurement.conftest import awarded, catalog, city_contracts, make_supplier, make_tender  # noqa: F401
from tests.procurement.test_timeline import PLAN

pytestmark = pytest.mark.django_db
D = datetime.date
DONE = ("intention_published", "plan_filed", "documents_final", "notice_published")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def tender(make_tender, province_user):
    """The 2026 tender planned in full; the first four milestones done; the last clarification planned too
    late for the law, accepted by the province with a reason."""
    t = make_tender(year=2026)
    ms = {m.code: m for m in t.milestones.all()}
    for code, day in PLAN.items():
        services.milestone_set(actor=province_user, milestone=ms[code], planned_date=day)
    for code in DONE:
        services.milestone_set(
            actor=province_user, milestone=ms[code], actual_date=PLAN[code] + datetime.timedelta(days=1)
        )
    services.milestone_set(
        actor=province_user,
        milestone=ms["last_clarification"],
        planned_date=D(2026, 1, 20),
        override_reason="澄清推迟，已顺延评审安排",
    )
    return t


def gantt(html: str, script_id: str) -> dict:
    return json.loads(
        re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S).group(1)
    )


@pytest.mark.parametrize("path", ["/procurement/", "/procurement/contracts/", "/procurement/tenders/1/"])
def test_anonymous_goes_to_login(browse, path):
    assert browse().get(path)["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["province_user", "changsha_user", "county_user", "auditor_user"])
def test_every_member_reads_the_tender_list_and_page(browse, request, tender, who):
    client = browse(request.getfixturevalue(who))
    listing = text(client.get("/procurement/"))
    assert tender.reference in listing
    assert client.get(f"/procurement/tenders/{tender.id}/").status_code == 200
    assert client.get(f"/procurement/tenders/{tender.id + 999}/").status_code == 404


def test_tender_page_gantt_has_planned_actual_and_forecast_bars_and_the_lines(browse, province_user, tender):
    html = text(browse(province_user).get(f"/procurement/tenders/{tender.id}/"))
    spec = gantt(html, "gantt-tender")
    tl = selectors.timeline(tender)
    kinds = [b["value"][3] for b in spec["bars"]]
    assert kinds.count(0) == 17 and kinds.count(1) == len(DONE) and kinds.count(2) == 17 - len(DONE)
    assert spec["today"] == tl["today"].isoformat()  # the timeline's own "today"
    assert spec["target"] == "2026-04-30"
    assert spec["names"][0] == "采购意向公开" and len(spec["names"]) == 17
    # the notice's actual bar ends on its actual date, the bid opening's forecast bar on the forecast
    rows = {m["code"]: (i, m) for i, m in enumerate(tl["milestones"])}
    idx, notice = rows["notice_published"]
    assert [idx, "2026-01-06"] in [[b["value"][0], b["value"][2]] for b in spec["bars"] if b["value"][3] == 1]
    idx, opening = rows["bid_opening"]
    assert [idx, opening["forecast_date"].isoformat()] in [
        [b["value"][0], b["value"][2]] for b in spec["bars"] if b["value"][3] == 2
    ]
    assert (
        'src="/static/procurement/gantt.js"' in html and 'src="/static/vendor/echarts/echarts.min.js"' in html
    )


def test_tender_page_table_shows_slip_forecast_slack_and_the_legal_checks(browse, province_user, tender):
    tl = selectors.timeline(tender)
    html = text(browse(province_user).get(f"/procurement/tenders/{tender.id}/"))
    table = html.split('data-testid="timeline-table"')[1]
    row = re.search(r'<tr id="m-notice_published".*?</tr>', table, re.S).group(0)
    assert "2026年1月6日" in row and "+1" in row and "已完成" in row
    clar = re.search(r'<tr id="m-last_clarification".*?</tr>', table, re.S).group(0)
    assert "已豁免" in clar and "87号" in clar  # the broken rule, its source, and that it was accepted
    overdue = re.search(r'<tr id="m-bid_opening".*?</tr>', table, re.S).group(0)
    assert "已逾期" in overdue
    summary = html.split('data-testid="timeline-summary"')[1].split("</div>\n</div>")[0]
    assert f'data-testid="slack">{tl["slack_days"]} 天' in summary
    assert "2026年4月30日" in summary
    assert "澄清推迟" in html.split('data-testid="overrides"')[1]  # the province sees the override's reason


def test_city_user_does_not_see_the_rule_overrides(browse, changsha_user, tender):
    html = text(browse(changsha_user).get(f"/procurement/tenders/{tender.id}/"))
    assert 'data-testid="overrides"' not in html and "澄清推迟" not in html
    assert "已豁免" in html  # the published timeline still says the date was accepted


def test_contracts_are_scoped(browse, province_user, changsha_user, county_user, city_contracts):
    cs, zz = city_contracts["430100"].number, city_contracts["430200"].number
    province = text(browse(province_user).get("/procurement/contracts/"))
    assert cs in province and zz in province
    city = text(browse(changsha_user).get("/procurement/contracts/"))
    assert cs in city and zz not in city
    assert cs not in text(browse(county_user).get("/procurement/contracts/"))  # the buyer is the city
    tender_id = city_contracts["430100"].award.lot.tender_id
    assert cs in text(browse(province_user).get(f"/procurement/contracts/?tender={tender_id}"))
    assert cs not in text(browse(province_user).get(f"/procurement/contracts/?tender={tender_id + 99}"))
    assert browse(province_user).get("/procurement/contracts/?tender=abc").status_code == 400


def test_milestones_due_selector_follows_the_timeline(province_user, tender):
    due = selectors.milestones_due(province_user, today=D(2026, 1, 3))
    statuses = {m["code"]: m["status"] for m in due}
    # as of 3 January: the notice (planned 5 January) is done, the documents' sale (5 January) due soon;
    # nothing is overdue that is not done
    assert statuses == {"documents_on_sale": "due_soon"}
    later = selectors.milestones_due(province_user, today=D(2026, 2, 1))
    assert {m["code"] for m in later if m["status"] == "overdue"} >= {"documents_on_sale", "bid_opening"}
    assert all(m["tender"].pk == tender.pk for m in later)


def test_start_block_for_provincial_logistics_only(browse, province_user, changsha_user, tender, monkeypatch):
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: D(2026, 1, 27))
    html = text(browse(province_user).get("/"))
    block = html.split('data-block="milestones_due"')[1].split("</section>")[0]
    figures = dict(
        (label, value)
        for value, label in re.findall(
            r'figure-value">([^<]+)</span>\s*<span class="figure-label">([^<]+)<', block
        )
    )
    expected = selectors.milestones_due(province_user, today=D(2026, 1, 27))
    assert figures["已逾期"] == str(sum(m["status"] == "overdue" for m in expected))
    assert figures["3天内到期"] == str(sum(m["status"] == "due_soon" for m in expected))
    assert int(figures["已逾期"]) >= 1 and int(figures["3天内到期"]) >= 1
    assert f"/procurement/tenders/{tender.id}/#m-" in block
    assert 'data-block="milestones_due"' not in text(browse(changsha_user).get("/"))


def test_province_dashboard_shows_the_gantt_linking_to_the_tender(
    browse, province_user, changsha_user, tender
):
    html = text(browse(province_user).get("/dashboard/"))
    assert 'data-section="tender_gantt"' in html
    spec = gantt(html, "gantt-dashboard")
    assert spec["links"][0] == f"/procurement/tenders/{tender.id}/#m-intention_published"
    assert 'data-gantt="gantt-dashboard"' in html
    assert 'data-section="tender_gantt"' not in text(browse(changsha_user).get("/dashboard/"))


def test_english_switch(browse, province_user, tender):
    client = browse(province_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = text(client.get(f"/procurement/tenders/{tender.id}/"))
    spec = gantt(html, "gantt-tender")
    assert spec["names"][0] == "purchase intention published" and spec["lang"] == "en"
    assert "Milestones, legal checks and slippage" in html


def test_a_date_past_the_working_day_data_is_flagged_on_the_tender_page(browse, province_user, tender):
    """2027 entered up to 31 May only: distribution planned for October is flagged calendar_missing on the
    timeline and on the page, in words, instead of being counted as a weekday."""
    from procurement.models import HolidayYear

    HolidayYear.objects.create(year=2027, source="通知（上半年）", covers_until=D(2027, 5, 31))
    m = tender.milestones.get(code="distribution_complete")
    m.planned_date = D(2027, 10, 8)
    m.save(update_fields=["planned_date"])
    t = selectors.timeline(tender, today=D(2026, 1, 1))
    flagged = [w for w in t["warnings"] if w["code"] == "calendar_missing"]
    assert [(w["year"], w["milestone"]) for w in flagged] == [(2027, "distribution_complete")]
    html = text(browse(province_user).get(f"/procurement/tenders/{tender.id}/"))
    section = html[html.index('data-testid="timeline-warnings"') :]
    assert "2027年工作日数据只录入至 2027-05-31" in section[:2000]
