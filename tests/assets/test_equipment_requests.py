"""Transfers between stations and disposal: who requests, who approves (the level above), nothing deleted."""

import pytest

from assets import equipment_services as services
from assets.equipment_models import EquipmentItem, EquipmentRequest
from core.errors import QMError
from core.history import history_for

from .equipment_fixtures import add_item, reference, station_user, stations  # noqa: F401


@pytest.fixture
def item(reference, stations):
    return add_item(stations["cs1"], reference["BODYCAM"], "R-CAM-1", serial="SN-R-1")


def _raises(code_or_status, fn, **kw):
    with pytest.raises(QMError) as exc:
        fn(**kw)
    assert code_or_status in (exc.value.code, exc.value.status), exc.value.as_dict()
    return exc.value


def test_transfer_inside_a_county_approved_by_the_city(
    item,
    stations,
    county_user,
    changsha_user,
    zhuzhou_user,
    province_user,
    auditor_user,
):
    _raises(
        403, services.transfer_request, actor=auditor_user, item=item, to_station=stations["cs2"], reason="x"
    )
    _raises(
        "required",
        services.transfer_request,
        actor=county_user,
        item=item,
        to_station=stations["cs2"],
        reason=" ",
    )
    _raises(
        "same_station",
        services.transfer_request,
        actor=county_user,
        item=item,
        to_station=stations["cs1"],
        reason="x",
    )
    req = services.transfer_request(
        actor=county_user, item=item, to_station=stations["cs2"], reason="调剂余缺"
    )
    assert req.approval_unit.code == "430100" and req.status == "pending"
    _raises("pending_request", services.disposal_request, actor=county_user, item=item, reason="again")
    _raises(403, services.request_approve, actor=county_user, request=req)  # the requester's level
    _raises(403, services.request_approve, actor=zhuzhou_user, request=req)  # another city
    _raises(403, services.request_approve, actor=auditor_user, request=req)
    services.request_approve(actor=changsha_user, request=req, note="同意")
    item.refresh_from_db()
    assert item.station == stations["cs2"] and item.status == "transferred"
    _raises("bad_transition", services.request_approve, actor=province_user, request=req)
    # in transit: the receiving side confirms
    services.request_receive(actor=county_user, request=req)
    item.refresh_from_db()
    req.refresh_from_db()
    assert item.status == "in_use" and req.status == "received" and req.received_by == county_user
    actions = [r.action for r in history_for(item)]
    assert actions[:2] == ["status", "transfer"]
    assert history_for(item)[1].changes["station"] == [stations["cs1"].pk, stations["cs2"].pk]


def test_transfer_between_counties_goes_to_the_city_and_between_cities_to_the_province(
    item, stations, changsha_user, province_user, make_user
):
    req = services.transfer_request(actor=changsha_user, item=item, to_station=stations["ly"], reason="x")
    assert req.approval_unit.code == "430100"
    _raises(403, services.request_approve, actor=changsha_user, request=req)  # not one's own request
    other_city_staff = make_user("city", "430100")
    services.request_approve(actor=other_city_staff, request=req)
    _raises("not_on_books", services.disposal_request, actor=changsha_user, item=item, reason="在途")
    services.request_receive(actor=changsha_user, request=req)
    req2 = services.transfer_request(
        actor=province_user,
        item=EquipmentItem.objects.get(pk=item.pk),
        to_station=stations["zz"],
        reason="支援株洲",
    )
    assert req2.approval_unit.code == "430000"
    _raises(403, services.request_approve, actor=changsha_user, request=req2)
    # a station directly under a city detachment: its disposal goes to the province
    city_item = add_item(stations["city"], item.equipment_type, "R-CITY-1")
    req3 = services.disposal_request(actor=changsha_user, item=city_item, reason="损坏")
    assert req3.approval_unit.code == "430000"


def test_disposal_reject_then_approve(item, county_user, changsha_user):
    req = services.disposal_request(actor=county_user, item=item, reason="进水损坏")
    _raises("required", services.request_reject, actor=changsha_user, request=req, note="")
    services.request_reject(actor=changsha_user, request=req, note="先送修")
    req.refresh_from_db()
    assert req.status == "rejected" and req.decided_by == changsha_user
    item.refresh_from_db()
    assert item.status == "in_use"
    req = services.disposal_request(actor=county_user, item=item, reason="维修无价值")
    services.request_approve(actor=changsha_user, request=req)
    item.refresh_from_db()
    assert item.status == "disposed"
    _raises("disposed", services.item_update, actor=county_user, item=item, note="x")
    _raises("not_on_books", services.disposal_request, actor=county_user, item=item, reason="again")
    _raises("bad_transition", services.item_set_status, actor=county_user, item=item, status="in_use")
    assert EquipmentItem.objects.filter(pk=item.pk).exists()  # nothing deleted
    assert EquipmentRequest.objects.filter(item=item).count() == 2


def test_cancel_and_repair_status(item, county_user, changsha_user):
    req = services.disposal_request(actor=county_user, item=item, reason="x")
    services.request_cancel(actor=county_user, request=req, note="误报")
    _raises("bad_transition", services.request_approve, actor=changsha_user, request=req)
    services.item_set_status(actor=county_user, item=item, status="in_repair", reason="送修")
    _raises("bad_transition", services.item_set_status, actor=county_user, item=item, status="transferred")
    item.refresh_from_db()
    assert item.status == "in_repair"
    services.item_set_status(actor=county_user, item=item, status="in_use")
    assert [r.changes.get("status") for r in history_for(item)][:2] == [
        ["in_repair", "in_use"],
        ["in_use", "in_repair"],
    ]


def test_item_create_validates(reference, stations, county_user, zhuzhou_user):
    import datetime
    from decimal import Decimal

    s = stations["cs1"]
    first = services.item_create(
        actor=county_user,
        station=s,
        equipment_type=reference["PC"],
        serial_number="PC-1",
        acquired_on=datetime.date(2024, 1, 2),
        acquired_value=Decimal("5499.5"),
    )
    assert first.asset_tag == f"{s.code}-PC-001" and first.acquired_value == Decimal("5499.50")
    _raises(
        "duplicate_serial",
        services.item_create,
        actor=county_user,
        station=s,
        equipment_type=reference["PC"],
        serial_number="PC-1",
    )
    _raises(
        "duplicate_asset_tag",
        services.item_create,
        actor=county_user,
        station=s,
        equipment_type=reference["PC"],
        asset_tag=first.asset_tag,
    )
    _raises(
        "future_date",
        services.item_create,
        actor=county_user,
        station=s,
        equipment_type=reference["PC"],
        acquired_on=datetime.date(2999, 1, 1),
    )
    _raises(
        "bad_value",
        services.item_create,
        actor=county_user,
        station=s,
        equipment_type=reference["PC"],
        acquired_value=Decimal("-1"),
    )
    _raises(
        "bad_condition",
        services.item_create,
        actor=county_user,
        station=s,
        equipment_type=reference["PC"],
        condition="new",
    )
    _raises(403, services.item_create, actor=zhuzhou_user, station=s, equipment_type=reference["PC"])
    assert EquipmentItem.objects.count() == 1


def test_approvers_are_notified_once(item, county_user, changsha_user, django_capture_on_commit_callbacks):
    from core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        req = services.disposal_request(actor=county_user, item=item, reason="损坏")
    note = Notification.objects.get(user=changsha_user, kind="equipment_request")
    assert "R-CAM-1" in note.title and note.dedupe_key == f"equipment_request:{req.pk}"
    assert not Notification.objects.filter(user=county_user).exists()
    assert services.notify_approvers(req.pk) == 0  # already told


def test_a_station_account_cannot_request(item, stations, station_user):
    _raises(403, services.disposal_request, actor=station_user, item=item, reason="x")
    _raises(
        403, services.transfer_request, actor=station_user, item=item, to_station=stations["cs2"], reason="x"
    )
    # but it keeps its own register
    services.item_update(actor=station_user, item=item, note="柜内")
