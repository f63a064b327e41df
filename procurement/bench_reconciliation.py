"""The reconciliation benchmark (issue 15): `GET /api/v1/procurement/reconciliation` for the whole province on
a warm server, target under 1 s. Data at the demo's size, built in bulk inside a transaction that is rolled
back: 14 city contracts of ~1,900 lines each and the province's own (统采分签) under lot 1, a province contract
of ~25,000 lines under lot 2, a variation per city, two delivery batches per contract (the first accepted
with some rejects, the second awaiting inspection) and payments. The request goes through Django's test
client in this process (URL routing, token auth, middleware, the selector, the schema and JSON), timed after
one warm-up request."""

import datetime
import itertools
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assets.catalog import load_catalog
from assets.models import ItemType
from core.auth import token_issue
from personnel import reference
from personnel.models import OrgUnit
from personnel.services import account_create

from .models import (
    Acceptance,
    AcceptanceLine,
    Award,
    Bid,
    Contract,
    ContractLine,
    ContractVariation,
    ContractVariationLine,
    Delivery,
    DeliveryLine,
    Lot,
    Payment,
    Supplier,
    Tender,
)
from .money import line_amount

TARGET_S = 1.0
D = datetime.date(2027, 3, 1)


def _sizes(n: int) -> list[str]:
    return [f"{h}/{c}{t}" for h in range(150, 200, 5) for c in range(72, 120, 2) for t in "YABC"][:n]


def _contract(award, buyer, number: str, keys, qty, price) -> Contract:
    c = Contract.objects.create(
        award=award,
        buyer=buyer,
        supplier=award.supplier,
        number=number,
        status="signed",
        signed_on=D,
        performance_bond=Decimal("1000.00"),
    )
    lines = [
        ContractLine(
            contract=c,
            item=item,
            gender=g,
            size=s,
            demand_quantity=qty(n),
            quantity=qty(n),
            unit_price=price[item.code],
            amount=line_amount(qty(n), price[item.code]),
        )
        for n, (item, g, s) in enumerate(keys)
    ]
    ContractLine.objects.bulk_create(lines, batch_size=2000)
    c.total = sum((ln.amount for ln in lines), Decimal("0.00"))
    c.save(update_fields=["total"])
    return c


def _perform(c: Contract, n: int) -> None:
    """A variation on a few lines, two delivery batches (the first accepted with rejects, the second not yet
    inspected) and an advance payment."""
    lines = list(
        ContractLine.objects.filter(contract=c).order_by("id").values_list("id", "quantity", "unit_price")
    )
    v = ContractVariation.objects.create(
        contract=c, number=f"BENCH-BC-{n}", signed_on=D, legal_basis="《政府采购法》第四十九条"
    )
    vlines = [
        ContractVariationLine(
            variation=v, contract_line_id=i, quantity=2, unit_price=p, amount=line_amount(2, p)
        )
        for i, _q, p in lines[:50]
    ]
    ContractVariationLine.objects.bulk_create(vlines)
    v.amount = sum((x.amount for x in vlines), Decimal("0.00"))
    v.save(update_fields=["amount"])
    first = Delivery.objects.create(
        contract=c, number=f"BENCH-B-{n}-1", destination=c.buyer, delivered_on=D, status="accepted"
    )
    dls = DeliveryLine.objects.bulk_create(
        [DeliveryLine(delivery=first, contract_line_id=i, quantity=q) for i, q, _p in lines], batch_size=2000
    )
    acc = Acceptance.objects.create(
        delivery=first, inspected_on=D, certificate_number=f"BENCH-YS-{n}", sample_size=10, inspectors="bench"
    )
    AcceptanceLine.objects.bulk_create(
        [
            AcceptanceLine(
                acceptance=acc,
                delivery_line=dl,
                accepted=dl.quantity - (1 if k % 97 == 0 else 0),
                rejected=1 if k % 97 == 0 else 0,
                reason="色差" if k % 97 == 0 else "",
            )
            for k, dl in enumerate(dls)
        ],
        batch_size=2000,
    )
    second = Delivery.objects.create(
        contract=c, number=f"BENCH-B-{n}-2", destination=c.buyer, delivered_on=D, status="arrived"
    )
    DeliveryLine.objects.bulk_create(
        [DeliveryLine(delivery=second, contract_line_id=i, quantity=1) for i, _q, _p in lines[::3]],
        batch_size=2000,
    )
    Payment.objects.create(
        contract=c, kind="advance", amount=(c.total * Decimal("0.3")).quantize(Decimal("0.01")), paid_on=D
    )
    Payment.objects.create(contract=c, kind="bond_return", amount=Decimal("100.00"), paid_on=D)


def _scenario(say) -> dict:
    reference.load_org_tree()
    load_catalog()
    province = OrgUnit.objects.get(level="province")
    cities = list(OrgUnit.objects.filter(level="city").order_by("code"))
    items = list(ItemType.objects.order_by("sort_order", "code"))
    price = {i.code: Decimal("100.123457") + n for n, i in enumerate(items)}
    tender = Tender.objects.create(
        title="对账基准测试",
        reference="BENCH-RECON",
        year=2027,
        budget=Decimal("90000000"),
        procuring_unit=province,
        target_date=datetime.date(2027, 4, 30),
        status="contracted",
    )
    supplier = Supplier.objects.create(name="bench", credit_code="91430100MA4L0002XA")
    awards = []
    for number in (1, 2):
        lot = Lot.objects.create(
            tender=tender, number=number, title=f"bench {number}", budget=Decimal("45000000")
        )
        bid = Bid.objects.create(lot=lot, supplier=supplier, price=Decimal("40000000"))
        awards.append(
            Award.objects.create(lot=lot, bid=bid, supplier=supplier, amount=bid.price, decided_on=D)
        )
    per_city = max(1, 1900 // (2 * len(items)) + 1)
    city_keys = list(itertools.product(items, "MF", _sizes(per_city)))[:1900]
    province_keys = list(itertools.product(items, "MF", _sizes(25000 // (2 * len(items)) + 1)))[:25000]
    contracts = []
    t0 = time.perf_counter()
    for n, unit in enumerate([province, *cities]):
        contracts.append(
            _contract(
                awards[0],
                unit,
                f"BENCH-HT-1-{unit.code}",
                city_keys,
                lambda k, n=n: 5 + (k * 7 + n) % 40,
                price,
            )
        )
    contracts.append(
        _contract(awards[1], province, "BENCH-HT-2-430000", province_keys, lambda k: 3 + k % 25, price)
    )
    for n, c in enumerate(contracts):
        _perform(c, n)
    user = account_create(
        actor=None, username="bench-recon", password="bench-pw-123", unit=province, role="province"
    )
    say(
        f"  (scenario: {len(contracts)} contracts, {ContractLine.objects.filter(contract__in=contracts).count():,} "
        f"lines, {DeliveryLine.objects.filter(delivery__contract__in=contracts).count():,} delivery lines, "
        f"built in {time.perf_counter() - t0:.0f} s)"
    )
    return {"tender": tender, "user": user}


def run(bench) -> None:
    bench.header("procurement: the reconciliation through the API (warm, whole province)")
    with transaction.atomic():
        s = _scenario(bench.say)
        client = Client(HTTP_HOST="127.0.0.1")  # a host the settings allow (outside the test runner)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=s['user'], name='bench')}"}
        path = f"/api/v1/procurement/reconciliation?tender={s['tender'].pk}"
        warm = client.get(path, **auth)
        assert warm.status_code == 200, warm.content[:300]
        times = []
        for _ in range(max(3, bench.runs) if not bench.quick else 1):
            t0 = time.perf_counter()
            r = client.get(path, **auth)
            times.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as ctx:
            client.get(path, **auth)
        median = statistics.median(times)
        bench.report(
            "GET /procurement/reconciliation, province (15+1 contracts)",
            f"{median * 1000:.0f} ms median of {len(times)}, {len(ctx.captured_queries)} q, {len(r.content) / 1024:.0f} KB",
            f"< {TARGET_S:.0f} s: {'ok' if median < TARGET_S else 'OVER'}",
        )
        # the pages built on it (session login; target < 2 s server time like every page, < 1 MB)
        client.force_login(s["user"])
        big = Contract.objects.get(number="BENCH-HT-2-430000")
        for label, page in (
            (
                "page /procurement/reconciliation/, province",
                f"/procurement/reconciliation/?tender={s['tender'].pk}",
            ),
            ("page: the 25,000-line contract, lines page 1", f"/procurement/contracts/{big.pk}/"),
            ("page: its lines, last page", f"/procurement/contracts/{big.pk}/?page=125"),
        ):
            client.get(page)
            times = []
            for _ in range(max(3, bench.runs) if not bench.quick else 1):
                t0 = time.perf_counter()
                r = client.get(page)
                times.append(time.perf_counter() - t0)
            bench.report(
                label,
                f"{statistics.median(times) * 1000:.0f} ms, {len(r.content) / 1024:.0f} KB",
                "< 2 s, < 1 MB",
            )
        transaction.set_rollback(True)
