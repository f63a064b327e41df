"""Issue 15, part 5: the corps' vehicles never carry a police plate (警), refused at every door with the plate
named; a plate whose office letter is not the owning city's, or from outside Hunan, is saved with a warning,
returned where the vehicle is registered or changed and shown on its record. Chinese by default, English
when the user switched."""

import re

import pytest
from django.utils import translation

from core.errors import QMError
from core.models import ChangeRecord
from vehicles import plates, services
from vehicles.importers import import_vehicles
from vehicles.models import Vehicle

from .conftest import days, valid_vin
from .test_import import row, workbook

pytestmark = pytest.mark.usefixtures("allocation")
CJK = re.compile(r"[\u4e00-\u9fff]")

# (owning unit, plate, expected warning codes)
CASES = [
    ("430100", "湘A12345", []),  # 长沙 湘A
    ("430000", "湘A23456", []),  # the province's own bureau: 湘A
    ("431000", "湘L34567", []),  # 郴州 湘L
    ("431022", "湘L45678", []),  # a county of 郴州 (宜章县): the city's letter
    ("433100", "湘U56789", []),  # 湘西 湘U
    ("430700", "湘J67890", []),  # 常德 湘J (no I in the alphabet of offices)
    ("431000", "湘A22345", ["plate_office_mismatch"]),  # 湘A on a Chenzhou vehicle
    ("430000", "湘B32345", ["plate_office_mismatch"]),  # the province's bureau plates in Changsha only
    ("430200", "湘Z42345", ["plate_office_mismatch"]),  # a letter no Hunan office uses
    ("430100", "粤B52345", ["plate_outside_hunan"]),
    ("430100", "京AD12345", ["plate_outside_hunan"]),  # new-energy, Beijing
]


def test_the_table_is_data_read_once():
    table = plates.offices()
    assert plates.offices() is table  # cached
    assert table["letters"]["430100"] == ("A",) and table["letters"]["430000"] == ("A",)
    assert {c for c, own in table["letters"].items() if "A" in own} == {"430000", "430100"}
    assert len(table["letters"]) == 15  # the province and its 14 cities
    expected = dict(zip("ABCDEFGHJKLMNU", range(14), strict=True))
    assert set(table["cities_of"]) == set(expected)


@pytest.mark.parametrize("unit, plate, codes", CASES)
def test_warnings_by_city(org, unit, plate, codes):
    assert [w["code"] for w in plates.warnings(plate, org[unit].city_code)] == codes


def test_warning_messages_in_both_languages(org):
    (w,) = plates.warnings("湘A22345", "431000")
    assert "湘A·22345" in w["message"] and "长沙市" in w["message"] and "郴州市" in w["message"]
    assert "湘L" in w["message"] and CJK.search(w["message"].replace("湘", "").replace("市", ""))
    with translation.override("en"):
        (w,) = plates.warnings("湘A22345", "431000")
        assert "office letter" in w["message"] and "郴州市" in w["message"]
        (w,) = plates.warnings("粤B52345", "430100")
        assert "outside Hunan" in w["message"]
        (w,) = plates.warnings("湘Z42345", "430200")
        assert "no Hunan city" in w["message"]


@pytest.mark.parametrize("text", ["湘A0023警", "湘A·0023警", "湘L 1234警"])
def test_police_plates_are_refused_naming_the_plate(text):
    assert plates.is_valid(text)  # a valid plate in itself (GA 36)...
    with pytest.raises(plates.PlateError) as exc:
        plates.validate_for_corps(text)  # ...but not on the corps' vehicles
    assert exc.value.code == "police_plate" and "警" in str(exc.value) and "·" in str(exc.value)
    with translation.override("en"), pytest.raises(plates.PlateError) as exc:
        plates.validate_for_corps(text)
    assert "police plate" in str(exc.value) and not CJK.search(
        str(exc.value).replace("湘", "").replace("警", "")
    )


def test_services_refuse_police_plates_and_write_nothing(org, make_vehicle, changsha_user):
    before = (Vehicle.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(QMError) as exc:
        services.vehicle_create(
            actor=changsha_user,
            owning_unit=org["430100"],
            vin_code=valid_vin(),
            brand="大众",
            plate="湘A0023警",
            registered_on=days(-5),
        )
    assert exc.value.code == "police_plate" and exc.value.details["field"] == "plate"
    assert "湘A·0023警" in exc.value.message
    assert (Vehicle.objects.count(), ChangeRecord.objects.count()) == before
    v = make_vehicle("430100")
    with pytest.raises(QMError) as exc:
        services.vehicle_register(actor=changsha_user, vehicle=v, plate="湘A0023警", registered_on=days(-1))
    assert exc.value.code == "police_plate"
    v.refresh_from_db()
    assert v.plate == ""


def test_api_refuses_police_plate_and_warns_on_the_rest(api, org, province_user, changsha_user):
    client = api.as_(province_user)

    def create(unit, plate, **headers):
        return client.post(
            "/vehicles/vehicles",
            {
                "owning_unit": unit,
                "vin": valid_vin(),
                "brand": "大众",
                "plate": plate,
                "registered_on": str(days(-10)),
                "counts_against_quota": False,  # the province's bureau holds no quota
            },
            **headers,
        )

    r = create("431000", "湘A0023警")
    assert r.status_code == 400 and r.json()["code"] == "police_plate" and "湘A·0023警" in r.json()["message"]
    r = create("431000", "湘A0023警", headers={"Accept-Language": "en"})
    assert r.status_code == 400 and "police plate" in r.json()["message"]
    assert not Vehicle.objects.filter(owning_unit__code="431000").exists()
    for unit, plate, codes in CASES:
        r = create(unit, plate)
        assert r.status_code == 201, (plate, r.json())
        assert [w["code"] for w in r.json()["warnings"]] == codes, plate
    r = create("430600", "湘A62345", headers={"Accept-Language": "en"})
    assert r.status_code == 201 and "office letter" in r.json()["warnings"][0]["message"]
    # the record shows it (detail and list), in the reader's language
    v = Vehicle.objects.get(plate="湘A62345")
    body = client.get(f"/vehicles/vehicles/{v.pk}").json()
    assert (
        body["warnings"][0]["code"] == "plate_office_mismatch" and "岳阳市" in body["warnings"][0]["message"]
    )
    listed = client.get("/vehicles/vehicles", {"city": "430600"}).json()["items"]
    assert [w["code"] for w in listed[0]["warnings"]] == ["plate_office_mismatch"]


def test_api_register_and_transfer_return_warnings(api, org, make_vehicle, province_user, changsha_user):
    v = make_vehicle("430100")
    r = api.as_(changsha_user).post(
        f"/vehicles/vehicles/{v.pk}/register", {"plate": "湘A0023警", "registered_on": str(days(-2))}
    )
    assert r.status_code == 400 and r.json()["code"] == "police_plate"
    r = api.as_(changsha_user).post(
        f"/vehicles/vehicles/{v.pk}/register", {"plate": "湘B72345", "registered_on": str(days(-2))}
    )
    assert r.status_code == 200 and [w["code"] for w in r.json()["warnings"]] == ["plate_office_mismatch"]
    ok = make_vehicle("430100", registered=True)  # 湘A
    r = api.as_(province_user).post(
        f"/vehicles/vehicles/{ok.pk}/transfer",
        {"to_unit": "430200", "reason": "调剂", "document": "湘交〔2026〕1号", "date": str(days(-1))},
    )
    assert r.status_code == 201, r.json()
    assert [w["code"] for w in r.json()["warnings"]] == ["plate_office_mismatch"]  # 湘A now in 株洲


def test_a_police_plate_already_on_the_register_is_flagged_on_its_record(
    api, make_vehicle, make_user, changsha_user
):
    v = make_vehicle("431000", registered=True, plate="湘L82345")
    Vehicle.objects.filter(pk=v.pk).update(plate="湘A0023警")  # as the audit found it, before this rule
    assert api.as_(changsha_user).get(f"/vehicles/vehicles/{v.pk}").status_code == 404  # another city's
    v.refresh_from_db()
    codes = [w["code"] for w in plates.warnings(v.plate, v.owning_unit.city_code)]
    assert codes == ["plate_police", "plate_office_mismatch"]
    body = api.as_(make_user("city", "431000")).get(f"/vehicles/vehicles/{v.pk}").json()
    assert [w["code"] for w in body["warnings"]] == codes
    # and it can be re-registered with a proper plate
    services.vehicle_register(actor=None, vehicle=v, plate="湘L92345", registered_on=days(-1))
    v.refresh_from_db()
    assert plates.warnings(v.plate, v.owning_unit.city_code) == []


def test_register_page_refuses_police_plate_and_warns_after_saving(browse, changsha_user):
    client = browse(changsha_user)
    data = {
        "owning_unit": "430100",
        "brand": "大众",
        "registered_on": days(-3).isoformat(),
        "vehicle_type": "small_passenger",
        "counts_against_quota": "1",
    }
    vin = valid_vin()
    r = client.post("/vehicles/register/", {**data, "vin": vin, "plate": "湘A0023警"})
    html = r.content.decode()
    assert (
        r.status_code == 400
        and "湘A·0023警" in html.split('data-testid="register-error"')[1].split("</p>")[0]
    )
    assert not Vehicle.objects.filter(vin=vin).exists()
    r = client.post("/vehicles/register/", {**data, "vin": vin, "plate": "湘D12399"}, follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and Vehicle.objects.filter(vin=vin, plate="湘D12399").exists()
    assert "msg-warning" in html and "衡阳市" in html  # after saving, once
    # and on the record, every time it is opened
    v = Vehicle.objects.get(vin=vin)
    html = client.get(f"/vehicles/{v.pk}/").content.decode()
    assert 'data-testid="plate-warnings"' in html and "衡阳市" in html
    client.cookies["django_language"] = "en"
    html = client.get(f"/vehicles/{v.pk}/").content.decode()
    assert "office letter" in html
    vin2 = valid_vin()
    r = client.post("/vehicles/register/", {**data, "vin": vin2, "plate": "湘A12399"}, follow=True)
    assert 'data-testid="plate-warnings"' not in r.content.decode()


def test_import_refuses_police_plate_by_row_and_warns_per_row(org, changsha_user):
    vins = [valid_vin() for _ in range(3)]
    bad = workbook([row(1, vins[0], "湘A12355"), row(2, vins[1], "湘A0023警")])
    result = import_vehicles(actor=changsha_user, source=bad)
    assert not result.ok and not Vehicle.objects.filter(vin__in=vins).exists()
    (e,) = result.errors
    assert (e["row"], e["column"], e["value"]) == (5, "号牌号码", "湘A0023警") and "警" in e["reason"]
    good = workbook([row(1, vins[0], "湘A12355"), row(2, vins[1], "湘B12356"), row(3, vins[2], "粤B12357")])
    result = import_vehicles(actor=changsha_user, source=good)
    assert result.ok and result.written and result.created == 3  # warnings never refuse the file
    assert [(w["row"], w["column"], w["value"], w["code"]) for w in result.warnings] == [
        (5, "号牌号码", "湘B12356", "plate_office_mismatch"),
        (6, "号牌号码", "粤B12357", "plate_outside_hunan"),
    ]
    assert "株洲市" in result.warnings[0]["message"]
    assert result.as_dict()["warnings"] == result.warnings


def test_import_api_reports_warnings_in_english(api, org, changsha_user):
    vins = [valid_vin() for _ in range(2)]
    data = workbook([row(1, vins[0], "湘A12365"), row(2, vins[1], "湘C12366")])
    r = api.as_(changsha_user).post(
        "/vehicles/import",
        {"file": data, "dry_run": "true"},
        multipart=True,
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["ok"] and not body["written"]
    (w,) = body["warnings"]
    assert w["row"] == 5 and w["code"] == "plate_office_mismatch" and "office letter" in w["message"]


def test_admin_shows_the_warning_and_cannot_set_a_plate(browse, make_vehicle, province_user):
    v = make_vehicle("430300", registered=True, plate="湘A13345")
    province_user.is_staff = True
    province_user.save()
    client = browse(province_user)
    page = client.get(f"/admin/vehicles/vehicle/{v.pk}/change/").content.decode()
    assert "湘潭市" in page and 'name="plate"' not in page
    client.post(
        f"/admin/vehicles/vehicle/{v.pk}/change/", {"plate": "湘A0023警", "remarks": "x", "brand": "大众"}
    )
    v.refresh_from_db()
    assert v.plate == "湘A13345"
