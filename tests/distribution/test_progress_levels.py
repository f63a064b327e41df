"""The progress drill-down, a summary first: province → cities → counties → one unit's detail. Every level's
rows (children + 本级, the unit's own store and staff) add up to the unit's totals for every figure; the
detail is paged and names items, versions and sizes in words; scope is the user's subtree."""

import re

import pytest

from distribution import selectors as sel
from distribution.models import Movement, UnitFlow
from distribution.selectors import FIELDS
from distribution.views import DETAIL_PAGE_ROWS
from tests.personnel.factories import OfficerFactory

from .conftest import CITY, CSX, LY

pytestmark = pytest.mark.django_db


def check_adds_up(level: dict) -> None:
    for f in FIELDS:
        assert sum(c[f] for c in level["children"]) + level["own"][f] == level["totals"][f], f


def test_city_counties_and_its_own_add_up_to_the_city(changsha_midway, changsha_user, org):
    level = sel.progress_level(changsha_user, CITY)
    check_adds_up(level)
    kids = {c["unit"].code: c for c in level["children"]}
    assert CSX in kids and LY in kids and "430200" not in kids
    per_officer = kids[LY]["needed"]  # 浏阳's one officer: the needs of one kit
    assert per_officer > 0
    own, kit = level["own"], changsha_midway["kit"]
    # the city's own staff: their needs, all issued from the city's store
    assert own["needed"] == 2 * per_officer
    issued_by_city = sum(
        Movement.objects.filter(kind="issue", from_location__key=f"unit:{CITY}").values_list(
            "quantity", flat=True
        )
    )
    assert own["issued"] == issued_by_city > 0  # (badge-number items wait for a number: not all of the kit)
    assert own["outstanding"] == own["needed"] - own["issued"]
    # the city's own store: shipped to it and not passed on (its own two kits and the spare), one short
    assert own["shipped"] == changsha_midway["shipped"] - 3 * kit == 3 * kit
    assert own["short"] == 1 and kids[CSX]["short"] == 0
    assert level["totals"]["received"] == changsha_midway["shipped"] - 1
    # 浏阳's kit has left the city's store and is on the road: the city's own in transit goes below zero
    assert kids[LY]["in_transit"] == kit and level["totals"]["in_transit"] == 0 and own["in_transit"] == -kit
    assert own["received"] == changsha_midway["shipped"] - 1 - 2 * kit
    # outstanding adds up per unit: 长沙县's re-measured officer lacks a jacket, 浏阳's officer a whole kit
    assert kids[CSX]["outstanding"] > 0 and kids[LY]["outstanding"] == per_officer
    assert level["totals"]["outstanding"] == kids[CSX]["outstanding"] + per_officer + own["outstanding"]
    # netted per size over the whole city, 长沙县's old jacket held would cover 浏阳's need: it must not
    rows = sel.progress_detail(changsha_user, CITY)
    assert sum(max(r["needed"] - r["issued"], 0) for r in rows) < level["totals"]["outstanding"]
    assert sum(r["outstanding"] for r in rows) == level["totals"]["outstanding"]
    assert all(own[f] >= 0 for f in FIELDS if f != "in_transit")


def test_province_cities_and_its_own_add_up(changsha_midway, province_user):
    level = sel.progress_level(province_user, "430000")
    check_adds_up(level)
    assert len(level["children"]) == 14
    city = next(c for c in level["children"] if c["unit"].code == CITY)
    for f in ("shipped", "received", "short", "in_transit", "excess"):
        assert level["own"][f] == 0, f  # the province's flows are its cities'
        assert level["totals"][f] == city[f], f
    assert level["own"]["needed"] > 0 and level["own"]["outstanding"] == level["own"]["needed"]


def test_summary_api_and_tree_carry_the_own_row(changsha_midway, changsha_user, api):
    body = api.as_(changsha_user).get(f"/distribution/progress/{CITY}").json()
    for f in FIELDS:
        assert sum(c[f] for c in body["children"]) + body["own"][f] == body["totals"][f], f
    tree = sel.progress_tree(changsha_user, CITY)
    assert tree["unit"]["own"] == body["own"]


def cells(html: str, marker: str) -> list[list[str]]:
    """The cells' text of every <tr> whose opening tag contains `marker`."""
    out = []
    for tr in re.findall(r"<tr([^>]*)>(.*?)</tr>", html, re.S):
        if marker in tr[0]:
            out.append(
                [
                    re.sub(r"<[^>]+>", "", c).strip()
                    for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr[1], re.S)
                ]
            )
    return out


def figures(row: list[str]) -> list[int]:
    return [int(c.replace(",", "")) for c in row[1:]]


def test_city_page_rows_add_up_and_open_one_level_down(changsha_midway, browse, changsha_user):
    resp = browse(changsha_user).get(f"/distribution/progress/{CITY}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    kids = cells(html, "data-unit=")
    (own,) = cells(html, 'data-testid="progress-own"')
    (total,) = cells(html, 'data-testid="progress-total"')
    assert len(kids) >= 2 and own[0].startswith("本级")
    for n in range(len(FIELDS)):
        assert sum(figures(k)[n] for k in kids) + figures(own)[n] == figures(total)[n], FIELDS[n]
    assert f'href="/distribution/progress/{CSX}/items/"' in html  # a county opens its detail
    assert 'href="/distribution/progress/430000/"' not in html  # no link above the city's scope
    assert f'href="/distribution/progress/{CITY}/items/"' in html


def test_province_start_page_is_the_summary(changsha_midway, browse, province_user):
    html = browse(province_user).get("/distribution/progress/").content.decode()
    assert len(cells(html, "data-unit=")) == 14 and 'data-testid="progress-own"' in html
    assert f'href="/distribution/progress/{CITY}/"' in html and "省本级" in html
    dash = browse(province_user).get("/dashboard/").content.decode()
    link = re.search(r'<a href="([^"]+)" data-testid="progress-link"', dash)
    assert link and link.group(1) == "/distribution/progress/"  # the dashboard's 进度表 opens the summary
    en = browse(province_user)
    en.cookies["django_language"] = "en"
    assert "Province's own" in en.get("/distribution/progress/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_detail_names_items_versions_and_sizes(changsha_midway, browse, county_user, org):
    OfficerFactory(unit=org[CSX], height_cm=210)  # made to measure
    OfficerFactory(unit=org[CSX], chest_cm=None, head_cm=None)  # measurements missing
    html = browse(county_user).get(f"/distribution/progress/{CSX}/items/").content.decode()
    body = html[html.index('data-testid="progress-detail"') :]
    assert "常服上衣（男）" in body and "<td>男</td>" in body
    assert "量体定制" in body and "缺少量体数据" in body
    assert "?mtm" not in html and "?missing" not in html and "DRESS-JACKET" not in html
    assert "<td>M</td>" not in body and "<td>F</td>" not in body
    # a county has no level below: its summary address opens the detail
    assert browse(county_user).get(f"/distribution/progress/{CSX}/").url.endswith(f"/{CSX}/items/")


def test_detail_item_filter(changsha_midway, browse, changsha_user, org):
    from assets.models import ItemType

    jacket = ItemType.objects.get(code="DRESS-JACKET")
    html = browse(changsha_user).get(f"/distribution/progress/{CITY}/items/", {"item": jacket.pk}).content
    rows = cells(html.decode(), "")
    names = {r[0] for r in rows if len(r) == 12 and r[0] != "品类"}
    assert names == {"常服上衣（男）"}
    assert (
        browse(changsha_user).get(f"/distribution/progress/{CITY}/items/", {"item": "x"}).status_code == 400
    )


def test_city_user_cannot_open_another_city(changsha_midway, browse, changsha_user, county_user):
    c = browse(changsha_user)
    for url in (
        "/distribution/progress/430200/",
        "/distribution/progress/430200/items/",
        "/distribution/progress/430000/",
    ):
        assert c.get(url).status_code == 404, url
    assert c.get("/distribution/progress/?city=430200").status_code == 404
    assert browse(county_user).get(f"/distribution/progress/{CITY}/").status_code == 404
    # a city user's start page is their city
    html = c.get("/distribution/progress/").content.decode()
    assert "长沙" in html and "株洲" not in html and len(cells(html, "data-unit=")) >= 2


def test_every_level_stays_small_with_a_big_unit(changsha_midway, browse, province_user, org):
    """长沙县 given over 3,500 rows by item × size (its flows written straight to the summary table: the page's size
    is under test, not the ledger): no page of the drill-down has 1,000 rows or 1 MB."""
    from assets.models import ItemType

    items = list(ItemType.objects.all()[:30])
    UnitFlow.objects.bulk_create(
        UnitFlow(unit=org[CSX], item=it, gender=g, size=f"{150 + n}/{60 + n}X", shipped=2, received=2)
        for it in items
        for g in ("M", "F")
        for n in range(80)
    )
    assert len(sel.progress_detail(province_user, CSX)) >= 3500
    c = browse(province_user)
    pages = ["/distribution/progress/", f"/distribution/progress/{CITY}/"]
    pages += [f"/distribution/progress/{code}/items/" for code in ("430000", CITY, CSX)]
    pages += [f"/distribution/progress/{CSX}/items/?page=7"]
    for url in pages:
        resp = c.get(url)
        assert resp.status_code == 200, url
        html = resp.content
        assert len(html) < 1_000_000 and html.count(b"<tr") < 1000, url
    last = c.get(f"/distribution/progress/{CSX}/items/?page=7").content.decode()
    assert 'rel="prev"' in last and len(cells(last, "")) <= DETAIL_PAGE_ROWS + 1


def test_own_detail_adds_up_to_the_own_row(changsha_midway, browse, changsha_user):
    level = sel.progress_level(changsha_user, CITY)
    rows = sel.progress_detail(changsha_user, CITY, own=True)
    for f in FIELDS:
        assert sum(r[f] for r in rows) == level["own"][f], f
    html = browse(changsha_user).get(f"/distribution/progress/{CITY}/").content.decode()
    assert f'href="/distribution/progress/{CITY}/items/?own=1"' in html  # the 本级 row opens its detail
    page = browse(changsha_user).get(f"/distribution/progress/{CITY}/items/", {"own": "1"}).content.decode()
    shown = [r for r in cells(page, "") if len(r) == 12 and r[0] != "品类"]
    assert len(shown) == len(rows) and "本级" in page


def test_a_user_of_two_cities_starts_from_both(changsha_midway, browse, make_user, org):
    from personnel.models import Membership

    auditor = make_user("auditor", CITY)
    Membership.objects.create(user=auditor, unit=org["430200"], role="auditor")
    html = browse(auditor).get("/distribution/progress/").content.decode()
    rows = cells(html, "data-unit=")
    assert [r[0][:3] for r in rows] == ["长沙市", "株洲市"] and 'data-testid="progress-own"' not in html
    (total,) = cells(html, 'data-testid="progress-total"')
    for n in range(len(FIELDS)):
        assert figures(rows[0])[n] + figures(rows[1])[n] == figures(total)[n], FIELDS[n]
    assert browse(auditor).get("/distribution/progress/430000/").status_code == 404


def test_pages_take_a_bounded_number_of_queries(changsha_midway, browse, province_user, org):
    """The number of queries does not grow with the units or the rows (cities, counties, 500 detail rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = browse(province_user)
    counts = {}
    for url in (
        "/distribution/progress/",
        f"/distribution/progress/{CITY}/",
        "/distribution/progress/430000/items/",
        f"/distribution/progress/{CITY}/items/?own=1",
    ):
        c.get(url)  # the roll's needs kept, as after any earlier page
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    assert max(counts.values()) <= 25, counts
