"""Procurement figures: contracts from ~25,000 demand rows (统采分签 and one province contract), the
timeline with its legal checks and forecast, and the OCDS export with offline validation. Everything is
created inside one transaction that is rolled back: the database is left as it was."""

import datetime
import itertools
from decimal import Decimal

from django.db import transaction

from assets.catalog import load_catalog
from assets.models import ItemType
from personnel import reference
from personnel.models import OrgUnit

from . import ocds, selectors, services
from .workdays import WorkCalendar

TOPS = [f"{h}/{c}{t}" for h in range(160, 190, 5) for c in range(84, 108, 4) for t in "YABC"]


def _rows(n_sizes: int) -> list[dict]:
    cities = list(OrgUnit.objects.filter(level__in=["province", "city"]).values_list("code", flat=True))
    items = list(ItemType.objects.values_list("code", flat=True))
    return [
        {"city_code": c, "item_code": i, "gender": g, "size": s, "quantity": 1 + (hash((c, i, s)) % 40)}
        for c, i, g, s in itertools.product(cities, items, "MF", TOPS[:n_sizes])
    ]


def _rolled_back(fn):
    def run():
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)

    return run


def run(bench) -> None:
    bench.header("procurement")
    with transaction.atomic():
        reference.load_org_tree()
        load_catalog()
        province = OrgUnit.objects.get(level="province")
        tender = services.tender_create(
            actor=None,
            title="bench",
            reference="BENCH-PROC",
            year=2026,
            budget=Decimal("90000000"),
            procuring_unit=province,
        )
        codes = list(ItemType.objects.values_list("code", flat=True))
        lot = services.lot_create(
            actor=None, tender=tender, number=1, title="all", budget=Decimal("90000000"), item_codes=codes
        )
        supplier = services.supplier_create(actor=None, name="bench", credit_code="91430100MA4L0001XA")
        bid = services.bid_submit(actor=None, lot=lot, supplier=supplier, price_offered=Decimal("80000000"))
        services.bid_score(actor=None, bid=bid, other_score=60)
        services.lot_evaluate(actor=None, lot=lot)
        award = services.award_create(actor=None, lot=lot, decided_on=datetime.date(2026, 2, 2))
        rows = _rows(4 if bench.quick else 32)
        prices = dict.fromkeys(codes, Decimal("99.123456"))

        for per_city in (True, False):
            r = bench.measure(
                _rolled_back(
                    lambda per_city=per_city: services.contracts_create_from_demand(
                        actor=None, award=award, rows=rows, unit_prices=prices, per_city=per_city
                    )
                )
            )
            label = "per city" if per_city else "one province contract"
            bench.report(
                f"contracts from {len(rows):,} demand rows, {label}",
                f"{r['median']:.2f} s, {len(rows) / r['median']:,.0f} rows/s",
                "< 10 s for the province's demand",
            )

        day = datetime.date(2025, 12, 1)
        cal = WorkCalendar()
        for m in tender.milestones.order_by("sequence"):
            m.planned_date = day
            m.save()
            day = cal.add_working_days(day, 6)
        r = bench.measure(lambda: selectors.timeline(tender, today=datetime.date(2026, 1, 20)))
        bench.report(
            "timeline: 17 milestones, legal checks, forecast", f"{r['median'] * 1000:.0f} ms", "< 200 ms"
        )

        services.contracts_create_from_demand(
            actor=None, award=award, rows=rows, unit_prices=prices, per_city=True
        )
        r = bench.measure(lambda: ocds.release_package(tender))
        package = ocds.release_package(tender)
        bench.report("OCDS release package (15 contracts)", f"{r['median']:.2f} s", "< 2 s")
        r = bench.measure(lambda: ocds.validate(package))
        bench.report(
            "OCDS offline validation", f"{r['median']:.2f} s, {len(ocds.validate(package))} errors", "< 2 s"
        )
        transaction.set_rollback(True)
    _reconciliation(bench)


def _reconciliation(bench) -> None:
    from . import bench_reconciliation

    bench_reconciliation.run(bench)
