from decimal import Decimal

import pytest

from core.errors import QMError
from core.history import history_for
from personnel.services import unit_create
from tests.personnel.factories import OfficerFactory
from vehicles import services
from vehicles.models import OdometerReading, PurchaseEvent, Vehicle

from .conftest import add_compulsory, days, next_plate, valid_vin

pytestmark = pytest.mark.usefixtures("allocation")


# ---- purchases ---------------------------------------------------------------------------------------------


def test_purchase_goes_through_its_stages_with_dates_and_documents(org, make_vehicle, changsha_user):
    p = services.purchase_create(
        actor=changsha_user,
        city=org["430100"],
        title="执法车购置",
        quantity=2,
        stage_date=days(-100),
        budget_amount="470000",
        document="长财预〔2026〕12号",
    )
    assert p.stage == "budget_approved" and p.budget_amount == Decimal("470000.00")
    services.purchase_advance(actor=changsha_user, purchase=p, stage="procurement", date=days(-90))
    with pytest.raises(QMError) as exc:  # the contract's number is required
        services.purchase_advance(actor=changsha_user, purchase=p, stage="contract_signed", date=days(-60))
    assert exc.value.details["field"] == "document"
    with pytest.raises(QMError) as exc:  # no going back in time
        services.purchase_advance(
            actor=changsha_user, purchase=p, stage="contract_signed", date=days(-95), document="HT-1"
        )
    assert exc.value.code == "date_order"
    with pytest.raises(QMError) as exc:  # one step at a time
        services.purchase_advance(actor=changsha_user, purchase=p, stage="delivered", date=days(-50))
    assert exc.value.code == "bad_transition" and exc.value.status == 409
    services.purchase_advance(
        actor=changsha_user,
        purchase=p,
        stage="contract_signed",
        date=days(-60),
        document="HT-1",
        contract_amount="458000",
        supplier="湖南上汽大众",
    )
    services.purchase_advance(actor=changsha_user, purchase=p, stage="delivered", date=days(-40))
    v1 = make_vehicle("430100", purchase=p)
    v2 = make_vehicle("430100", purchase=p, registered=True)
    with pytest.raises(QMError) as exc:  # registered needs every vehicle of the purchase plated
        services.purchase_advance(actor=changsha_user, purchase=p, stage="registered", date=days(-30))
    assert exc.value.code == "vehicles_not_registered"
    services.vehicle_register(actor=changsha_user, vehicle=v1, plate=next_plate(), registered_on=days(-31))
    services.purchase_advance(actor=changsha_user, purchase=p, stage="registered", date=days(-30))
    with pytest.raises(QMError) as exc:
        services.purchase_advance(actor=changsha_user, purchase=p, stage="in_service", date=days(-20))
    assert exc.value.code == "vehicles_not_in_service"
    for v in (v1, v2):
        services.vehicle_update(
            actor=changsha_user, vehicle=v, livery_fitted=True, warning_lights_fitted=True
        )
        services.vehicle_set_status(actor=changsha_user, vehicle=v, status="in_service")
    p = services.purchase_advance(actor=changsha_user, purchase=p, stage="in_service", date=days(-20))
    assert p.stage == "in_service" and p.contract_amount == Decimal("458000.00")
    assert list(PurchaseEvent.objects.filter(purchase=p).values_list("stage", flat=True)) == [
        "budget_approved",
        "procurement",
        "contract_signed",
        "delivered",
        "registered",
        "in_service",
    ]
    assert PurchaseEvent.objects.get(purchase=p, stage="contract_signed").document == "HT-1"
    assert history_for(p).count() == 6


def test_purchase_cancel_only_before_contract_and_scope(org, changsha_user, zhuzhou_user, county_user):
    p = services.purchase_create(
        actor=changsha_user, city=org["430100"], title="x", quantity=1, stage_date=days(-10)
    )
    for user in (zhuzhou_user, county_user):
        with pytest.raises(QMError) as exc:
            services.purchase_advance(actor=user, purchase=p, stage="procurement", date=days(-1))
        assert exc.value.status == 403
    services.purchase_advance(actor=changsha_user, purchase=p, stage="cancelled", date=days(-1), note="流标")
    with pytest.raises(QMError):
        services.purchase_advance(actor=changsha_user, purchase=p, stage="procurement", date=days(-1))
    with pytest.raises(QMError) as exc:
        services.purchase_create(
            actor=changsha_user, city=org["430121"], title="x", quantity=1, stage_date=days(-1)
        )
    assert exc.value.code == "bad_city"
    with pytest.raises(QMError) as exc:
        services.purchase_create(
            actor=changsha_user, city=org["430100"], title="x", quantity=0, stage_date=days(-1)
        )
    assert exc.value.details["field"] == "quantity"


# ---- the register -------------------------------------------------------------------------------------------


def test_vehicle_create_validates_and_records(org, changsha_user):
    v = services.vehicle_create(
        actor=changsha_user,
        owning_unit=org["430100"],
        vin_code=valid_vin().lower(),
        brand=" 大众 ",
        plate="湘A·D12345",
        purchase_price="229800",
        registered_on=days(-5),
        funding_source="provincial",
        equipment=["示警灯具", " ", "执法记录仪"],
    )
    assert v.plate == "湘AD12345" and v.vin == v.vin.upper() and v.brand == "大众"
    assert v.purchase_price == Decimal("229800.00") and v.equipment == ["示警灯具", "执法记录仪"]
    assert v.inspection_due is not None and history_for(v).first().action == "create"
    cases = [
        ({"vin_code": "1M8GDM9A1KP042788"}, "invalid_vin"),
        ({"vin_code": v.vin}, "duplicate_vin"),
        ({"plate": "湘A1234"}, "invalid_plate"),
        ({"plate": "湘AD12345", "registered_on": days(-1)}, "duplicate_plate"),
        ({"plate": "湘A88881"}, "required"),  # a plate needs its registration date
        ({"purchase_price": "-1"}, "invalid_amount"),
        ({"vehicle_type": "tank"}, "bad_type"),
        ({"status": "disposed"}, "bad_status"),
        ({"status": "in_service"}, "not_ready_for_service"),
        ({"owning_unit": org["430200"]}, "forbidden"),
        ({"purchase_date": days(3)}, "future_date"),
    ]
    n = Vehicle.objects.count()
    for kwargs, code in cases:
        args = {"owning_unit": org["430100"], "vin_code": valid_vin(), "brand": "大众", **kwargs}
        with pytest.raises(QMError) as exc:
            services.vehicle_create(actor=changsha_user, **args)
        assert exc.value.code == code, kwargs
    assert Vehicle.objects.count() == n


def test_status_transitions_and_art73(make_vehicle, changsha_user, county_user):
    v = make_vehicle("430121", actor=changsha_user)
    with pytest.raises(QMError) as exc:
        services.vehicle_set_status(actor=changsha_user, vehicle=v, status="in_service")
    assert exc.value.details["missing"] == ["plate", "livery_fitted", "warning_lights_fitted"]
    services.vehicle_register(actor=changsha_user, vehicle=v, plate=next_plate(), registered_on=days(-3))
    services.vehicle_update(actor=changsha_user, vehicle=v, livery_fitted=True, warning_lights_fitted=True)
    v = services.vehicle_set_status(actor=county_user, vehicle=v, status="in_service")
    with pytest.raises(QMError) as exc:  # lights cannot come off a vehicle in service
        services.vehicle_update(actor=changsha_user, vehicle=v, warning_lights_fitted=False)
    assert exc.value.code == "not_ready_for_service"
    v = services.vehicle_set_status(actor=county_user, vehicle=v, status="under_repair", reason="事故")
    with pytest.raises(QMError) as exc:
        services.vehicle_set_status(actor=county_user, vehicle=v, status="on_order")
    assert exc.value.code == "bad_transition"
    with pytest.raises(QMError) as exc:
        services.vehicle_set_status(actor=changsha_user, vehicle=v, status="disposed")
    assert exc.value.code == "use_disposal"
    assert [r.changes.get("status") for r in history_for(v) if r.action == "status"] == [
        ["in_service", "under_repair"],
        ["on_order", "in_service"],
    ]


def test_odometer_never_decreases(make_vehicle, county_user):
    v = make_vehicle("430121", in_service=True)
    services.odometer_record(actor=county_user, vehicle=v, read_on=days(-30), km=1000)
    services.odometer_record(actor=county_user, vehicle=v, read_on=days(-10), km=3000)
    for read_on, km in [(days(-5), 2999), (days(-30), 999), (days(-20), 3001), (days(-40), 1001)]:
        with pytest.raises(QMError) as exc:
            services.odometer_record(actor=county_user, vehicle=v, read_on=read_on, km=km)
        assert exc.value.code == "odometer_decreasing" and exc.value.details["field"] == "km"
    services.odometer_record(actor=county_user, vehicle=v, read_on=days(-20), km=2000)  # in between is fine
    with pytest.raises(QMError):
        services.odometer_record(actor=county_user, vehicle=v, read_on=days(-1), km=-5)
    v.refresh_from_db()
    assert v.odometer_km == 3000 and OdometerReading.objects.filter(vehicle=v).count() == 3


def test_maintenance_with_odometer(make_vehicle, county_user):
    v = make_vehicle("430121", in_service=True)
    services.odometer_record(actor=county_user, vehicle=v, read_on=days(-30), km=5000)
    with pytest.raises(QMError):  # a lower figure in a maintenance record is refused too, and nothing is kept
        services.maintenance_record(
            actor=county_user, vehicle=v, date=days(-1), kind="service", description="保养", odometer_km=4000
        )
    assert not v.maintenance.exists()
    m = services.maintenance_record(
        actor=county_user,
        vehicle=v,
        date=days(-1),
        kind="repair",
        description="更换刹车片",
        cost="860.5",
        workshop="长沙县4S店",
        odometer_km=5200,
    )
    v.refresh_from_db()
    assert m.cost == Decimal("860.50") and v.odometer_km == 5200
    with pytest.raises(QMError) as exc:
        services.maintenance_record(actor=county_user, vehicle=v, date=days(-1), kind="wash", description="x")
    assert exc.value.code == "bad_kind"


def test_assign_driver_and_station(org, make_vehicle, changsha_user, zhuzhou_user):
    v = make_vehicle("430100")
    driver = OfficerFactory(unit=org["430121"])
    retired = OfficerFactory(unit=org["430121"], status="retired")
    other_city = OfficerFactory(unit=org["430200"])
    station = unit_create(
        actor=None, code="430121S01", name="长沙县黄花治超站", level="station", parent=org["430121"]
    )
    v = services.vehicle_assign(actor=changsha_user, vehicle=v, driver=driver, station=station)
    assert v.driver == driver and v.station == station
    with pytest.raises(QMError) as exc:
        services.vehicle_assign(actor=changsha_user, vehicle=v, driver=retired)
    assert exc.value.details["field"] == "driver_id"
    with pytest.raises(QMError) as exc:  # not in Changsha's scope
        services.vehicle_assign(actor=changsha_user, vehicle=v, driver=other_city)
    assert exc.value.details["field"] == "driver_id"
    with pytest.raises(QMError) as exc:
        services.vehicle_assign(actor=changsha_user, vehicle=v, station=org["430121"])
    assert exc.value.code == "bad_station"
    with pytest.raises(QMError) as exc:
        services.vehicle_assign(actor=zhuzhou_user, vehicle=v, driver=None)
    assert exc.value.status == 403
    v = services.vehicle_assign(actor=changsha_user, vehicle=v, driver=None)
    assert v.driver is None and v.station == station


def test_transfer_within_a_city_and_between_cities(org, make_vehicle, changsha_user, province_user):
    v = make_vehicle("430100")
    driver = OfficerFactory(unit=org["430100"])
    services.vehicle_assign(actor=changsha_user, vehicle=v, driver=driver)
    move = services.vehicle_transfer(actor=changsha_user, vehicle=v, to_unit=org["430121"], reason="下沉县级")
    assert (move.from_unit.code, move.to_unit.code) == ("430100", "430121")
    v.refresh_from_db()
    assert v.owning_unit == org["430121"] and v.driver == driver  # same city keeps the driver
    with pytest.raises(QMError) as exc:
        services.vehicle_transfer(actor=changsha_user, vehicle=v, to_unit=org["430200"], reason="支援株洲")
    assert exc.value.status == 403
    services.vehicle_transfer(
        actor=province_user,
        vehicle=v,
        to_unit=org["430200"],
        reason="支援株洲",
        document="湘交执法〔2026〕11号",
    )
    v.refresh_from_db()
    assert v.owning_unit == org["430200"] and v.driver is None and v.transfers.count() == 2
    assert history_for(v).filter(action="transfer").count() == 2


def test_insurance_policies(make_vehicle, county_user):
    v = make_vehicle("430121", registered=True)
    add_compulsory(v, starts_on=days(-200), ends_on=days(165), number="PDZA001")
    with pytest.raises(QMError) as exc:
        add_compulsory(v, starts_on=days(100), ends_on=days(465), number="PDZA002")
    assert exc.value.code == "overlapping_policy"
    with pytest.raises(QMError) as exc:
        add_compulsory(make_vehicle("430121"), starts_on=days(1), ends_on=days(300), number="PDZA001")
    assert exc.value.code == "duplicate_policy"
    with pytest.raises(QMError) as exc:
        add_compulsory(v, starts_on=days(10), ends_on=days(10), number="PDZA003")
    assert exc.value.details["field"] == "ends_on"
    renewal = add_compulsory(v, starts_on=days(165), ends_on=days(530), number="PDZA004")
    services.policy_add(
        actor=county_user,
        vehicle=v,
        kind="commercial",
        insurer="人保财险",
        policy_number="PDAA01",
        starts_on=days(-200),
        ends_on=days(165),
        premium="3200",
    )
    services.policy_cancel(actor=county_user, policy=renewal, reason="录入错误")
    renewal.refresh_from_db()
    assert not renewal.is_active and v.policies.count() == 3  # kept on record


def test_disposal_needs_province_approval(make_vehicle, changsha_user, province_user, auditor_user):
    v = make_vehicle("430100", in_service=True)
    with pytest.raises(QMError) as exc:
        services.disposal_request(actor=auditor_user, vehicle=v, method="scrap", reason="x")
    assert exc.value.status == 403
    req = services.disposal_request(actor=changsha_user, vehicle=v, method="scrap", reason="达到报废标准")
    with pytest.raises(QMError) as exc:
        services.disposal_request(actor=changsha_user, vehicle=v, method="auction", reason="x")
    assert exc.value.code == "disposal_pending"
    with pytest.raises(QMError) as exc:
        services.disposal_decide(actor=changsha_user, request=req, approve=True)
    assert exc.value.status == 403
    with pytest.raises(QMError) as exc:
        services.disposal_decide(actor=province_user, request=req, approve=False)
    assert exc.value.details["field"] == "note"
    services.disposal_decide(actor=province_user, request=req, approve=False, note="里程未达标准")
    v.refresh_from_db()
    assert v.status == "in_service"
    req2 = services.disposal_request(actor=changsha_user, vehicle=v, method="auction", reason="事故")
    services.disposal_decide(actor=province_user, request=req2, approve=True, document="湘财资〔2026〕3号")
    with pytest.raises(QMError) as exc:
        services.disposal_decide(actor=province_user, request=req2, approve=False, note="x")
    assert exc.value.code == "already_decided"
    v.refresh_from_db()
    assert v.status == "disposed" and v.disposed_on is not None and Vehicle.objects.filter(pk=v.pk).exists()
    for call in (
        lambda: services.odometer_record(actor=changsha_user, vehicle=v, read_on=days(0), km=10),
        lambda: services.vehicle_update(actor=changsha_user, vehicle=v, remarks="x"),
        lambda: services.disposal_request(actor=changsha_user, vehicle=v, method="scrap", reason="x"),
    ):
        with pytest.raises(QMError) as exc:
            call()
        assert exc.value.code == "disposed"


def test_register_plate_unique_and_future_date(make_vehicle, changsha_user):
    a = make_vehicle("430100", registered=True)
    b = make_vehicle("430100")
    with pytest.raises(QMError) as exc:
        services.vehicle_register(actor=changsha_user, vehicle=b, plate=a.plate, registered_on=days(-1))
    assert exc.value.code == "duplicate_plate"
    with pytest.raises(QMError) as exc:
        services.vehicle_register(actor=changsha_user, vehicle=b, plate=next_plate(), registered_on=days(1))
    assert exc.value.code == "future_date"
    b.refresh_from_db()
    assert b.plate == ""
