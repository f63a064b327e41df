"""The vehicles' pages: the allocation table for everyone, the vehicles in scope, a vehicle's page, the
register form (errors on the form, nothing written), papers expiring, the start block and the dashboard."""

import json
import re

import pytest

from core import pages
from core.models import ChangeRecord
from tests.vehicles.conftest import (  # noqa: F401 (fixtures)
    add_compulsory,
    allocation,
    days,
    make_vehicle,
    next_plate,
    small_quota,
    valid_vin,
)
from vehicles import services
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def fleet(allocation, make_vehicle):
    """Changsha: one in service (insured to 10 days ahead), one on order; Zhuzhou: one in service, uninsured."""
    cs = make_vehicle("430100", in_service=True, brand="比亚迪")
    add_compulsory(cs, starts_on=days(-355), ends_on=days(10))
    services.odometer_record(actor=None, vehicle=cs, read_on=days(-5), km=12345)
    services.maintenance_record(actor=None, vehicle=cs, date=days(-3), kind="service", description="更换机油")
    cs_order = make_vehicle("430121", brand="长城")
    zz = make_vehicle("430200", in_service=True, brand="吉利")
    return {"cs": cs, "cs_order": cs_order, "zz": zz}


@pytest.mark.parametrize("path", ["/vehicles/", "/vehicles/papers/", "/vehicles/register/", "/vehicles/1/"])
def test_anonymous_goes_to_login(browse, path):
    response = browse().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_city_user_sees_every_citys_allocation_but_only_own_vehicles(browse, changsha_user, fleet):
    html = text(browse(changsha_user).get("/vehicles/"))
    table = html.split('data-testid="allocation-table"')[1].split("</table>")[0]
    # the published exception: all 14 cities' quotas, Zhuzhou's included
    assert table.count("data-city=") == 14
    zz_row = re.search(r'data-city="430200">(.*?)</tr>', table, re.S).group(1)
    assert re.findall(r'class="n">(\d+)<', zz_row)[0] == "8"  # Zhuzhou's quota
    assert 'data-own="1" data-city="430100"' in table
    assert 'href="/vehicles/?city=430200"' not in table  # no link into another city's list
    listing = html.split('data-testid="vehicle-table"')[1]
    assert fleet["cs"].plate in listing and "长城" in listing
    assert fleet["zz"].plate not in listing and "吉利" not in listing
    assert "共 2 辆" in html


def test_city_user_cannot_open_another_citys_vehicle_or_list(browse, changsha_user, fleet):
    client = browse(changsha_user)
    response = client.get(f"/vehicles/{fleet['zz'].id}/")
    assert response.status_code == 404 and fleet["zz"].plate not in text(response)
    assert client.get("/vehicles/?city=430200").status_code == 404
    assert client.get(f"/vehicles/{fleet['cs'].id}/").status_code == 200


def test_county_user_sees_own_vehicles_only(browse, county_user, fleet):
    client = browse(county_user)
    html = text(client.get("/vehicles/"))
    assert "长城" in html and fleet["cs"].plate not in html.split('data-testid="vehicle-table"')[1]
    assert client.get(f"/vehicles/{fleet['cs'].id}/").status_code == 404
    assert client.get(f"/vehicles/{fleet['cs_order'].id}/").status_code == 200
    assert client.get("/vehicles/register/").status_code == 403  # registering: city and province staff


def test_province_filters_by_city(browse, province_user, fleet):
    html = text(browse(province_user).get("/vehicles/?city=430200"))
    listing = html.split('data-testid="vehicle-table"')[1]
    assert fleet["zz"].plate in listing and fleet["cs"].plate not in listing
    assert 'href="/vehicles/?city=430200"' in html


def test_bad_filter_is_a_clear_400(browse, province_user, fleet):
    response = browse(province_user).get("/vehicles/?status=flying")
    assert response.status_code == 400 and "未知状态" in text(response)


def test_vehicle_page_shows_papers_odometer_and_maintenance(browse, changsha_user, fleet):
    v = fleet["cs"]
    html = text(browse(changsha_user).get(f"/vehicles/{v.id}/"))
    assert v.plate in html and v.vin in html
    papers = html.split('data-testid="papers"')[1]
    assert "人保财险" in papers and "paper-due" in papers  # insured for 10 more days: flagged
    assert "12,345" in html.split('data-testid="odometer"')[1]
    assert "更换机油" in html.split('data-testid="maintenance"')[1]
    assert 'data-testid="history"' in html


def test_papers_page_lists_due_and_overdue(browse, province_user, fleet):
    html = text(browse(province_user).get("/vehicles/papers/"))
    due = html.split('data-testid="papers-due"')[1]
    overdue = html.split('data-testid="papers-overdue"')[1].split('data-testid="papers-due"')[0]
    assert fleet["cs"].plate in due and fleet["zz"].plate not in due
    assert fleet["zz"].plate in overdue  # plated, no compulsory policy
    assert fleet["cs_order"].vin not in html  # not plated: no papers yet
    assert browse(province_user).get("/vehicles/papers/?days=abc").status_code == 400


def test_papers_page_is_scoped(browse, changsha_user, fleet):
    html = text(browse(changsha_user).get("/vehicles/papers/"))
    assert fleet["cs"].plate in html and fleet["zz"].plate not in html


def test_start_block_counts_papers_in_scope(browse, changsha_user, province_user, fleet):
    def block(user):
        html = text(browse(user).get("/"))
        part = html.split('data-block="papers_expiring"')[1].split("</section>")[0]
        return dict(
            (label, value)
            for value, label in re.findall(
                r'figure-value">([^<]+)</span>\s*<span class="figure-label">([^<]+)<', part
            )
        )

    assert block(changsha_user) == {"30天内到期": "1", "已过期或无交强险": "0"}
    assert block(province_user) == {"30天内到期": "1", "已过期或无交强险": "1"}
    order = [b.key for b in pages.collect_start_blocks(type("R", (), {"user": province_user})())]
    assert order.index("papers_expiring") > order.index("roll")


def test_register_form_registers_through_the_service(browse, changsha_user, allocation):
    client = browse(changsha_user)
    assert 'data-testid="register-link"' in text(client.get("/vehicles/"))
    page = client.get("/vehicles/register/")
    assert page.status_code == 200 and 'value="430121"' in text(page) and 'value="430200"' not in text(page)
    vin = valid_vin()
    plate = next_plate()
    response = client.post(
        "/vehicles/register/",
        {
            "owning_unit": "430100",
            "vin": vin,
            "brand": "大众",
            "model": "途观L",
            "vehicle_type": "small_passenger",
            "plate": plate,
            "registered_on": days(-10).isoformat(),
            "purchase_price": "189000.50",
            "funding_source": "provincial",
            "counts_against_quota": "1",
        },
    )
    v = Vehicle.objects.get(vin=vin)
    assert response.status_code == 302 and response["Location"] == f"/vehicles/{v.id}/"
    assert v.plate == plate and str(v.purchase_price) == "189000.50" and v.inspection_due is not None
    assert ChangeRecord.objects.filter(object_id=str(v.id), actor=changsha_user).exists()
    assert "已登记" in text(client.get(response["Location"]))


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"vin": "LSVAU2180N2000001"}, "vin", "车辆识别代号无效"),
        ({"plate": "湘A12"}, "plate", "号牌号码无效"),
        ({"registered_on": ""}, "registered_on", "注册登记日期"),
        ({"registered_on": "27/11/2026"}, "registered_on", "日期格式"),
        ({"purchase_price": "-5"}, "purchase_price", "金额"),
        ({"brand": ""}, "brand", "品牌"),
        ({"owning_unit": ""}, "owning_unit", "所属单位"),
    ],
)
def test_register_errors_are_shown_on_the_form_and_change_nothing(
    browse,
    changsha_user,
    allocation,
    change,
    field,
    message,
):
    vin = valid_vin()
    data = {
        "owning_unit": "430100",
        "vin": vin,
        "brand": "大众",
        "plate": next_plate(),
        "registered_on": days(-1).isoformat(),
        "vehicle_type": "small_passenger",
        "counts_against_quota": "1",
        **change,
    }
    before = (Vehicle.objects.count(), ChangeRecord.objects.count())
    response = browse(changsha_user).post("/vehicles/register/", data)
    html = text(response)
    assert response.status_code == 400
    assert message in html.split('data-testid="register-error"')[1].split("</p>")[0]
    # the field the error names is marked, and only that one
    assert re.search(rf'<label class="has-error">[^<]*<(input|select)[^>]*name="{field}"', html)
    assert html.count('class="has-error"') == 1
    assert f'value="{data["brand"]}"' in html or field == "brand"  # what was typed is kept
    assert (Vehicle.objects.count(), ChangeRecord.objects.count()) == before


def test_register_beyond_the_quota_is_refused_on_the_form(browse, changsha_user, small_quota, make_vehicle):
    make_vehicle("430100")
    make_vehicle("430100")
    before = Vehicle.objects.count()
    response = browse(changsha_user).post(
        "/vehicles/register/",
        {"owning_unit": "430100", "vin": valid_vin(), "brand": "大众", "counts_against_quota": "1"},
    )
    assert response.status_code == 409 and "超出编制" in text(response)
    assert Vehicle.objects.count() == before


def test_register_for_another_citys_unit_is_404_and_writes_nothing(browse, changsha_user, allocation):
    response = browse(changsha_user).post(
        "/vehicles/register/", {"owning_unit": "430200", "vin": valid_vin(), "brand": "大众"}
    )
    assert response.status_code == 404 and Vehicle.objects.count() == 0


def test_auditor_reads_but_may_not_register(browse, auditor_user, fleet):
    client = browse(auditor_user)
    assert client.get("/vehicles/").status_code == 200
    assert client.get(f"/vehicles/{fleet['zz'].id}/").status_code == 200
    assert client.get("/vehicles/register/").status_code == 403
    assert (
        client.post(
            "/vehicles/register/", {"owning_unit": "430100", "vin": valid_vin(), "brand": "x"}
        ).status_code
        == 403
    )
    assert 'data-testid="register-link"' not in text(client.get("/vehicles/"))


def test_province_dashboard_charts_quota_purchased_and_in_service(browse, province_user, fleet):
    html = text(browse(province_user).get("/dashboard/"))
    spec = json.loads(
        re.search(r'<script id="chart-vehicles" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    names = [s["name"] for s in spec["option"]["series"]]
    assert names == ["编制数", "已购置", "在用"]
    cities = spec["option"]["xAxis"]["data"]
    cs = cities.index("长沙市支队")
    assert spec["option"]["series"][0]["data"][cs] == 12
    assert spec["option"]["series"][2]["data"][cs] == 1
    assert spec["links"][cs] == "/vehicles/?city=430100"
    assert len(spec["links"]) == 14


def test_city_dashboard_has_no_province_vehicle_chart(browse, changsha_user, fleet):
    assert 'id="chart-vehicles"' not in text(browse(changsha_user).get("/dashboard/"))


def test_english_labels(browse, changsha_user, fleet):
    client = browse(changsha_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = text(client.get("/vehicles/"))
    assert "Quotas and vehicles by city" in html and "in service" in html.lower()


def test_vehicle_list_queries_do_not_grow_with_rows(
    browse,
    province_user,
    fleet,
    make_vehicle,
    django_assert_max_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browse(province_user)
    with CaptureQueriesContext(connection) as few:
        client.get("/vehicles/")
    for _ in range(4):
        make_vehicle("430300", in_service=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/vehicles/")
