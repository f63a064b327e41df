"""Shared fixtures for the station equipment tests (imported by each test_equipment_* module)."""

import datetime
from decimal import Decimal

import pytest

from assets import equipment_services as services
from assets.equipment_choices import StationClass
from assets.equipment_demo import load_reference
from assets.equipment_models import EquipmentItem, EquipmentType

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def reference(db):
    load_reference()
    return {t.code: t for t in EquipmentType.objects.all()}


@pytest.fixture
def stations(org):
    """Two stations in 长沙县 (430121), one in 浏阳 (430181), one directly under the Changsha detachment,
    one in 渌口 (430212, Zhuzhou)."""

    def make(parent, name, cls=StationClass.SERVICE_STATION):
        return services.station_create(
            actor=None, parent=org[parent], name=name, station_class=cls, address="测试地址"
        )

    return {
        "cs1": make("430121", "长沙县星沙服务站"),
        "cs2": make("430121", "长沙县黄花治超站", StationClass.OVERLOAD_CONTROL),
        "ly": make("430181", "浏阳服务站"),
        "city": make("430100", "长沙高速路政中队", StationClass.HIGHWAY_DETACHMENT),
        "zz": make("430212", "渌口服务站"),
    }


def add_item(
    station,
    etype,
    tag,
    *,
    condition="good",
    status="in_use",
    acquired_on=datetime.date(2024, 1, 1),
    serial="",
    value=Decimal("100.00"),
):
    return EquipmentItem.objects.create(
        asset_tag=tag,
        equipment_type=etype,
        station=station,
        condition=condition,
        status=status,
        acquired_on=acquired_on,
        serial_number=serial,
        acquired_value=value,
    )


@pytest.fixture
def station_user(org, make_user, stations):
    """An account of the station 43012101 itself (county role over the station only)."""
    org[stations["cs1"].code] = stations["cs1"]  # make_user looks units up in the org dict
    return make_user("county", stations["cs1"].code)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
