"""Fixtures for the vehicles tests: VINs computed here (independently of vehicles.vin), plates, a quota
allocation and a helper that puts a vehicle on the register through the services."""

import datetime
import itertools
import random

import pytest
from django.utils import timezone

from vehicles import services
from vehicles.choices import PolicyKind, QuotaRecordKind

# GB 16735 / ISO 3779, written out again here so the tests do not trust the code they test.
_VALUES = dict(zip("0123456789", range(10), strict=True)) | {
    "A": 1,
    "B": 2,
    "C": 3,
    "D": 4,
    "E": 5,
    "F": 6,
    "G": 7,
    "H": 8,
    "J": 1,
    "K": 2,
    "L": 3,
    "M": 4,
    "N": 5,
    "P": 7,
    "R": 9,
    "S": 2,
    "T": 3,
    "U": 4,
    "V": 5,
    "W": 6,
    "X": 7,
    "Y": 8,
    "Z": 9,
}
_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
_serial = itertools.count(1)


def valid_vin(prefix: str = "LSVAU2180", serial: int | None = None) -> str:
    """A 17-character VIN with the right check character at position 9."""
    serial = next(_serial) if serial is None else serial
    body = (prefix + "N2" + f"{serial:06d}")[:17]
    body = body[:8] + "0" + body[9:]
    total = sum(_VALUES[c] * w for c, w in zip(body, _WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[9:]


_plate_serial = itertools.count(10001)


def next_plate(letter: str = "A") -> str:
    return f"湘{letter}{next(_plate_serial) % 100000:05d}"


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


ALLOCATION = {
    "430100": 12,
    "430200": 8,
    "430300": 6,
    "430400": 11,
    "430500": 10,
    "430600": 9,
    "430700": 9,
    "430800": 5,
    "430900": 8,
    "431000": 11,
    "431100": 9,
    "431200": 11,
    "431300": 7,
    "433100": 6,
}


@pytest.fixture
def allocation(org):
    """The 122 posts allocated across the 14 cities (system actor)."""
    return services.quota_record_create(
        actor=None,
        doc_number="湘交执法〔2025〕18号",
        doc_date=days(-300),
        kind=QuotaRecordKind.ALLOCATION,
        reason="分配 allocation",
        total_change=122,
        lines=[{"city_code": c, "quota": q} for c, q in ALLOCATION.items()],
    )


@pytest.fixture
def small_quota(org):
    """Total 5: Changsha 2, Zhuzhou 1."""
    return services.quota_record_create(
        actor=None,
        doc_number="TEST-1",
        doc_date=days(-100),
        kind=QuotaRecordKind.ALLOCATION,
        reason="test",
        total_change=5,
        lines=[{"city_code": "430100", "quota": 2}, {"city_code": "430200", "quota": 1}],
    )


@pytest.fixture
def make_vehicle(org):
    def _make(
        unit_code: str = "430100",
        *,
        actor=None,
        plate: str | None = None,
        registered: bool = False,
        in_service: bool = False,
        **fields,
    ):
        defaults = {"brand": "大众", "model": "途观L", "vehicle_type": "small_passenger"}
        defaults.update(fields)
        if (registered or in_service) and plate is None:
            plate = next_plate()
        if registered or in_service:
            defaults.setdefault("registered_on", days(-60))
        if in_service:
            defaults.update(livery_fitted=True, warning_lights_fitted=True)
        v = services.vehicle_create(
            actor=actor,
            owning_unit=org[unit_code],
            vin_code=valid_vin(),
            plate=plate or "",
            status="in_service" if in_service else "on_order",
            **defaults,
        )
        return v

    return _make


def add_compulsory(vehicle, *, starts_on, ends_on, number=None):
    return services.policy_add(
        actor=None,
        vehicle=vehicle,
        kind=PolicyKind.COMPULSORY,
        insurer="人保财险",
        policy_number=number or f"PDZA{random.randrange(10**12)}",
        starts_on=starts_on,
        ends_on=ends_on,
    )
