"""The demand's pages: demand per city (scoped), the size table download, snapshots and their comparison."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from assets import services
from assets.models import DemandSnapshot
from personnel import services as personnel_services
from tests.assets.conftest import catalog, roll  # noqa: F401 (fixtures: the hand-made roll of tests/assets)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def city_rows(html: str) -> dict[str, list[str]]:
    table = html.split('data-testid="demand-cities"')[1].split("</table>")[0]
    out = {}
    for code, body in re.findall(r'<tr data-city="(\d+)">(.*?)</tr>', table, re.S):
        out[code] = re.findall(r'class="n[^"]*">([^<]+)<', body)
    return out


@pytest.fixture
def snapshots(roll, province_user):
    """Snapshot 1; then 戊 (Zhuzhou) gets his waist measured and 甲 (Changsha) leaves; snapshot 2."""
    first = services.snapshot_create(actor=province_user, note="招标前")
    personnel_services.officer_update(actor=None, officer=roll["e"], waist_cm=Decimal(80))
    personnel_services.officer_set_status(actor=None, officer=roll["a"], status="left", reason="辞职")
    second = services.snapshot_create(actor=province_user, note="签约前")
    return first, second


@pytest.mark.parametrize(
    "path",
    ["/demand/", "/demand/size-table.xlsx", "/demand/snapshots/", "/demand/snapshots/compare/?a=1&b=2"],
)
def test_anonymous_goes_to_login(browse, path):
    assert browse().get(path)["Location"].startswith("/login/")


def test_province_sees_every_city(browse, province_user, roll):
    html = text(browse(province_user).get("/demand/"))
    rows = city_rows(html)
    # officers counted: Changsha 甲 乙 壬 丙 己 (county officers count under their city), the bureau 丁, Zhuzhou 戊
    assert {code: cells[0] for code, cells in rows.items()} == {"430000": "1", "430100": "5", "430200": "1"}
    assert rows["430200"][2] == "1"  # 戊's garments: size unknown
    assert rows["430100"][3] == "1"  # 己: made to measure
    assert 'href="/demand/size-table.xlsx"' in html


def test_city_sees_own_city_only_and_another_city_is_404(browse, changsha_user, roll):
    client = browse(changsha_user)
    html = text(client.get("/demand/"))
    assert list(city_rows(html)) == ["430100"]
    assert "戊" not in html  # Zhuzhou's officer with an unknown size is not named
    assert "己" in html.split('data-testid="demand-mtm"')[1]
    assert client.get("/demand/?city=430200").status_code == 404
    assert client.get("/demand/?city=430100").status_code == 200


def test_county_sees_its_officers_only(browse, county_user, roll):
    rows = city_rows(text(browse(county_user).get("/demand/")))
    assert rows == {"430100": rows["430100"]} and rows["430100"][0] == "2"  # 乙 and 丙


def test_city_page_lists_items_by_gender(browse, province_user, roll):
    html = text(browse(province_user).get("/demand/?city=430200"))
    items = html.split('data-testid="demand-items"')[1].split("</table>")[0]
    rows = {
        code: cells
        for code, cells in re.findall(
            r'<td class="mono">([A-Z-]+)</td>((?:<td class="n">[^<]*</td>)+)', items
        )
    }
    # 戊 (a man): sized shoes (1 pair of each) and 6 arm badges; his garments are unknown, so not rows here
    assert re.findall(r">([^<]+)<", rows["SHOES-LEATHER"]) == ["1", "0", "1"]
    assert re.findall(r">([^<]+)<", rows["INS-ARMBAND"]) == ["6", "0", "6"]
    assert "DRESS-JACKET" not in rows
    assert "戊" in html.split('data-testid="demand-unknown"')[1]
    assert 'href="/demand/size-table.xlsx?city=430200"' in html


def test_bad_city_code_is_a_clear_400(browse, province_user, roll):
    response = browse(province_user).get("/demand/?city=430121")
    assert response.status_code == 400 and "不是市州代码" in text(response)


def test_size_table_downloads_for_the_users_scope(browse, changsha_user, province_user, roll):
    response = browse(province_user).get("/demand/size-table.xlsx?city=430100")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="size-table-430100.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 2  # men and women apart
    assert browse(changsha_user).get("/demand/size-table.xlsx?city=430200").status_code == 404


def test_snapshot_list_and_its_size_table(browse, changsha_user, snapshots):
    first, second = snapshots
    client = browse(changsha_user)
    html = text(client.get("/demand/snapshots/"))
    table = html.split('data-testid="snapshot-table"')[1]
    assert "招标前" in table and "签约前" in table
    assert f"size-table.xlsx?snapshot={first.id}" in table
    assert 'data-testid="compare-form"' in html
    assert client.get(f"/demand/size-table.xlsx?snapshot={first.id}").status_code == 200


def test_compare_names_the_officers_who_caused_each_change(browse, province_user, snapshots):
    first, second = snapshots
    html = text(browse(province_user).get(f"/demand/snapshots/compare/?a={first.id}&b={second.id}"))
    table = html.split('data-testid="compare-table"')[1]
    assert "戊" in table and "新计入" not in table  # 戊 was counted before, only his garments were unknown
    assert "甲" in table and "不再计入" in table
    assert "株洲" in table and "长沙" in table
    delta = re.search(r'data-testid="total-delta">([^<]+)<', html).group(1)
    assert delta != "0"


def test_compare_is_scoped_to_the_users_city(browse, changsha_user, snapshots):
    first, second = snapshots
    html = text(browse(changsha_user).get(f"/demand/snapshots/compare/?a={first.id}&b={second.id}"))
    table = html.split('data-testid="compare-table"')[1]
    assert "甲" in table and "戊" not in table and "株洲" not in table


@pytest.mark.parametrize("query, status", [("?a=1", 400), ("?a=x&b=1", 400), ("?a=1&b=99999", 404)])
def test_compare_bad_input(browse, province_user, snapshots, query, status):
    first, _second = snapshots
    response = browse(province_user).get("/demand/snapshots/compare/" + query.replace("a=1", f"a={first.id}"))
    assert response.status_code == status
    assert DemandSnapshot.objects.count() == 2
