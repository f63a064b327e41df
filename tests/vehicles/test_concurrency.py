"""The quota cap holds under concurrent registrations (PostgreSQL: rows really lock)."""

import threading

import pytest
from django.db import connection

from core.errors import QMError
from vehicles import services
from vehicles.models import Vehicle

from .conftest import days, valid_vin


@pytest.mark.postgres
def test_two_cities_staff_racing_for_the_last_slot(transactional_db, org):
    from personnel import reference

    reference.load_org_tree()
    services.quota_record_create(
        actor=None,
        doc_number="C-1",
        doc_date=days(-1),
        kind="allocation",
        reason="x",
        total_change=3,
        lines=[{"city_code": "430100", "quota": 3}],
    )
    services.vehicle_create(actor=None, owning_unit=org["430100"], vin_code=valid_vin(), brand="大众")
    services.vehicle_create(actor=None, owning_unit=org["430100"], vin_code=valid_vin(), brand="大众")
    barrier = threading.Barrier(4)
    outcomes = []
    vins = [valid_vin() for _ in range(4)]

    def register(number):
        try:
            barrier.wait()
            services.vehicle_create(actor=None, owning_unit=org["430121"], vin_code=number, brand="长城")
            outcomes.append("ok")
        except QMError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in vins]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "over_quota", "over_quota", "over_quota"]
    assert Vehicle.objects.count() == 3
