"""PostgreSQL only (make test-services): parallel requests, each thread on its own connection."""

import threading

import pytest
from django.db import connection

from core.errors import QMError
from distribution import services as svc
from distribution.models import Movement, Receipt, StockBalance
from tests.personnel.factories import OfficerFactory

from .conftest import kit_lines, receive, ship

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def parallel(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = ("ok", fn(i))
        except QMError as exc:
            results[i] = (exc.status, exc.code)
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            results[i] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_twenty_parallel_confirmations_have_one_effect(org, catalog, province_user, changsha_user):
    assert connection.vendor == "postgresql"
    lines = [
        {"item": "DRESS-JACKET", "gender": "M", "size": "175/92A", "quantity": 10},
        {"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 4},
    ]
    receive(province_user, org, lines)
    s = ship(province_user, org, lines, "430100")
    payload_a = [{"line_id": ln.pk, "received": ln.quantity} for ln in s.lines.all()]
    payload_b = [{"line_id": ln.pk, "received": ln.quantity - 1, "reason": "missing"} for ln in s.lines.all()]

    def confirm(i):
        return svc.shipment_confirm(
            actor=changsha_user, shipment=s, lines=payload_a if i < 14 else payload_b
        ).pk

    results = parallel(20, confirm)
    assert Receipt.objects.count() == 1
    oks = [r for r in results if r[0] == "ok"]
    conflicts = [r for r in results if r[0] == 409]
    assert len(oks) + len(conflicts) == 20, results
    assert len({r[1] for r in oks}) == 1  # every success is the same receipt
    assert Movement.objects.filter(kind__in=["receipt", "short"]).count() in (2, 4)
    assert svc.ledger_verify() == []


def test_twenty_parallel_issues_never_overdraw_a_county(
    org, catalog, province_user, changsha_user, county_user
):
    officers = [OfficerFactory(unit=org["430121"]) for _ in range(20)]
    receive(province_user, org, kit_lines(officers[0], 5))
    from .conftest import confirm_all

    confirm_all(changsha_user, ship(province_user, org, kit_lines(officers[0], 5), "430100"))
    confirm_all(county_user, ship(changsha_user, org, kit_lines(officers[0], 5), "430121", frm="430100"))

    def issue(i):
        return svc.kit_issue(actor=county_user, unit=org["430121"], officers=[officers[i]])["officers"]

    results = parallel(20, issue)
    # every request succeeds; five officers get a kit, the others find the store empty and are owed theirs
    assert all(r[0] == "ok" for r in results), results
    assert sorted(r[1] for r in results) == [0] * 15 + [1] * 5, results
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    store = svc.unit_location(org["430121"])
    jacket = StockBalance.objects.get(location=store, item__code="DRESS-JACKET")
    assert jacket.quantity == 0
    assert svc.ledger_verify() == []
