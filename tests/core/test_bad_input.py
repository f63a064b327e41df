"""Every bad input is a 4xx with the one error shape (issue 16, part 5): the probe's repros, one by one."""

import importlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from core import http_errors
from personnel.models import Officer
from tests.assets.equipment_fixtures import reference, stations  # noqa: F401
from tests.personnel.factories import OfficerFactory
from tests.personnel.rollbook import book, row
from tests.vehicles.conftest import allocation  # noqa: F401

SHAPE = {"code", "message", "details"}


def assert_error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = json.loads(r.content)
    assert set(body) == SHAPE and body["message"]
    if code:
        assert body["code"] == code
    return body


# ---- money -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", ["1e30", "1e20", "100000000000000", "NaN", "Infinity", "1.0000001"])
def test_unbounded_money_is_a_422_not_a_500(api, org, province_user, budget):
    from procurement.models import Tender

    r = api.as_(province_user).post(
        "/procurement/tenders", {"title": "t", "reference": "T-BIG", "year": 2026, "budget": budget}
    )
    body = assert_error(r, 422, "validation_error")
    assert body["details"]["fields"][0]["field"] == "budget"
    assert Tender.objects.count() == 0


def test_money_inside_a_dict_is_bounded_too():
    from procurement.schemas import TenderIn

    with pytest.raises(ValueError):
        TenderIn(title="t", reference="r", year=2026, budget="1e20")
    assert TenderIn(title="t", reference="r", year=2026, budget="99999999999999.99").budget > 0


# ---- pages, years, ids -------------------------------------------------------------------------------


def test_a_huge_page_number_is_a_400_and_a_page_past_the_end_is_empty(api, org, province_user):
    body = assert_error(
        api.as_(province_user).get("/personnel/officers", {"page": "938779501974260608"}), 400
    )
    assert body["code"] == "bad_page" and body["details"]["field"] == "page"
    r = api.as_(province_user).get("/personnel/officers", {"page": 999_999})
    assert r.status_code == 200 and r.json()["items"] == []


def test_a_year_out_of_range_is_a_422(api, org, province_user):
    assert_error(
        api.as_(province_user).get("/procurement/holidays", {"year": 99999}), 422, "validation_error"
    )
    assert_error(api.as_(province_user).get("/procurement/tenders", {"year": 99999}), 422, "validation_error")
    assert api.as_(province_user).get("/procurement/holidays", {"year": 2026}).status_code == 200


def test_an_id_the_database_cannot_hold_is_a_4xx(api, org, province_user):
    r = api.as_(province_user).get("/personnel/officers/99999999999999999999999")
    assert r.status_code in (400, 404) and set(r.json()) == SHAPE


# ---- the API never answers HTML ---------------------------------------------------------------------


def test_an_unknown_api_route_is_json(client, db):
    body = assert_error(client.get("/api/v1/no-such-route/"), 404, "not_found")
    assert body["details"] == {}
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")  # pages keep their page


def test_server_and_request_errors_under_api_are_json():
    factory = RequestFactory()
    api_request, page_request = factory.get("/api/v1/personnel/officers"), factory.get("/roll/")
    assert_error(http_errors.server_error(api_request), 500, "server_error")
    assert_error(http_errors.bad_request(api_request, None), 400, "bad_request")
    assert_error(http_errors.permission_denied(api_request, None), 403, "forbidden")
    assert http_errors.server_error(page_request)["Content-Type"].startswith("text/html")


def test_an_unhandled_error_in_an_api_view_is_json(org, province_user, monkeypatch):
    from django.test import Client

    from core.auth import token_issue
    from personnel import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "officers_for", boom)
    client = Client(raise_request_exception=False)
    token = token_issue(user=province_user, name="test")
    r = client.get("/api/v1/personnel/officers", headers={"Authorization": f"Bearer {token}"})
    assert_error(r, 500, "server_error")


# ---- text lengths ------------------------------------------------------------------------------------


def test_a_32000_character_remark_in_a_vehicle_import_is_a_row_error(api, org, province_user, allocation):
    from tests.vehicles.conftest import valid_vin
    from tests.vehicles.test_import import row as vehicle_row
    from tests.vehicles.test_import import workbook
    from vehicles.models import Vehicle

    data = workbook([vehicle_row(1, valid_vin(), 备注="备" * 32_000)]).getvalue()
    r = api.as_(province_user).post(
        "/vehicles/import", {"file": SimpleUploadedFile("cars.xlsx", data)}, multipart=True
    )
    body = assert_error(r, 400, "import_rejected")
    (error,) = body["details"]["errors"]
    assert (
        error["row"] == 4
        and error["column"] == "备注"
        and "500" in error["reason"]
        and "32000" in error["reason"]
    )
    assert len(error["value"]) < 30 and Vehicle.objects.count() == 0


# ---- names -------------------------------------------------------------------------------------------

ZWSP, RLO = "\u200b", "\u202e"


def test_the_roll_import_refuses_invisible_characters_and_emoji_in_names(org, changsha_user):
    from personnel.services import roll_import

    rows = [
        row(1, **{"姓名": f"王{ZWSP}伟"}),
        row(2, **{"姓名": f"李{RLO}四"}),
        row(3, **{"姓名": "张三😀"}),
        row(4, **{"姓名": "𠮷伟"}),  # CJK Extension B: a real surname character
        row(5, **{"姓名": "  赵  六 "}),
    ]
    report = roll_import(actor=changsha_user, file=book(rows), filename="roll.xlsx", dry_run=True)
    bad = {(e.row, e.code) for e in report.errors}
    assert bad == {(4, "bad_name"), (5, "bad_name"), (6, "bad_name")}
    reasons = " ".join(e.reason for e in report.errors)
    assert "U+200B" in reasons and "U+202E" in reasons and "U+1F600" in reasons
    ok = roll_import(actor=changsha_user, file=book([rows[3], rows[4]]), filename="roll.xlsx")
    assert not ok.errors
    assert set(Officer.objects.values_list("name", flat=True)) == {"𠮷伟", "赵六"}
    again = roll_import(actor=changsha_user, file=book([rows[3], rows[4]]), filename="roll.xlsx")
    assert (again.created, again.updated) == (0, 0)


def test_the_officer_api_trims_names_and_refuses_format_characters(api, org, changsha_user):
    officer = OfficerFactory(unit=org["430121"], name="王伟")
    path = f"/personnel/officers/{officer.pk}"
    body = assert_error(api.as_(changsha_user).patch(path, {"name": f"王{RLO}伟"}), 422, "bad_name")
    assert body["details"]["field"] == "name" and "U+202E" in body["message"]
    r = api.as_(changsha_user).patch(path, {"name": "  𠮷 伟 "})
    assert r.status_code == 200 and r.json()["name"] == "𠮷伟"


def test_the_migration_stores_names_as_every_door_now_does(org):
    migration = importlib.import_module("personnel.migrations.0003_normalise_officer_names")
    from personnel.importers import clean_name

    for typed in ["王  伟", " 李四 ", "𠮷 伟", "Ayxam  Tursun", "欧阳·娜娜"]:
        assert migration.stored_form(typed) == clean_name(typed)
    assert migration.stored_form(f"张{ZWSP}三{RLO}") == "张三"

    officer = OfficerFactory(unit=org["430121"], name=f" 张{ZWSP}三 ")
    from django.apps import apps as global_apps

    migration.normalise(global_apps, None)
    officer.refresh_from_db()
    assert officer.name == "张三"


def test_a_long_note_in_an_equipment_import_is_a_row_error_not_a_silent_cut(reference, stations, county_user):
    import io

    from openpyxl import Workbook

    from assets.equipment_importers import COLUMNS, import_inventory
    from assets.equipment_models import EquipmentItem
    from core.errors import QMError

    wb = Workbook()
    wb.active.append([h for h, _k, _r in COLUMNS])
    wb.active.append(
        [stations["cs1"].code, "IMP-L1", "BODYCAM", "SN-L1", None, None, "完好", "在用", "备" * 32_000]
    )
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(QMError) as exc:
        import_inventory(actor=county_user, unit=stations["cs1"].parent, data=out.getvalue())
    (error,) = exc.value.details["errors"]
    assert (error["row"], error["column"]) == (2, "备注") and "300" in error["reason"]
    assert EquipmentItem.objects.count() == 0
