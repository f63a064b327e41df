"""`manage.py bench`: distribution's figures. Everything runs inside one transaction that is rolled back at
the end, so the database is left as it was (its own roll of 9,843 officers, stock and ledger are scratch).

1. issue a full kit to every eligible officer of the roll, unit by unit (kit_issue, bulk): ~250,000 rows;
2. the province progress summary: warm (the roll's kit needs cached until the roll changes), after an
   officer's record changed (that unit's needs summed again, then rolled up), and first in a new process
   (every unit summed, every body sized);
3. a ledger of 1,000,000 rows: balance of a location × item × gender × size at a past date, of a whole
   location (every item) from the ledger, and the current balance from the StockBalance summary.
"""

import random
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from assets.catalog import load_catalog
from assets.models import ItemType
from personnel import reference
from personnel.demo import officer_rows
from personnel.models import Membership, Officer, OrgUnit

from . import selectors, services
from .choices import MovementKind
from .models import Movement, StockBalance

ROLL = 9843
LEDGER = 1_000_000


class _Rollback(Exception):
    pass


def _roll(n: int) -> None:
    have = Officer.objects.count()
    if have >= n:
        return
    holders = list(OrgUnit.objects.filter(level__in=["province", "city", "county"]))
    taken = set(Officer.objects.values_list("id_number", flat=True))
    objs = []
    by_code = {u.code: u for u in holders}
    for row in officer_rows(
        n - have, [u.code for u in holders], [max(u.authorised_posts, 1) for u in holders], seed=90417
    ):
        if row["id_number"] in taken:
            continue
        row["unit"] = by_code[row["unit"]]
        objs.append(Officer(**row))
    Officer.objects.bulk_create(objs, batch_size=2000)


def _stock_units(actor) -> int:
    """Put into each unit's store exactly what its eligible officers' kits need (setup, not timed): an opening
    balance per unit, submitted by `actor` and approved by another provincial user, as at go-live."""
    from collections import defaultdict

    from . import opening

    known, _ = services.needed_by_unit()
    units = {u.pk: u for u in OrgUnit.objects.all()}
    code_of = dict(ItemType.objects.values_list("id", "code"))
    per_unit = defaultdict(list)
    for (unit_id, item_id, g, s), q in known.items():
        per_unit[unit_id].append({"item": code_of[item_id], "gender": g, "size": s, "quantity": q})
    approver = get_user_model().objects.create(username=f"bench-approver-{time.time_ns()}")
    Membership.objects.create(user=approver, unit=OrgUnit.objects.get(code="430000"), role="province")
    as_of = timezone.localdate()
    with transaction.atomic():
        for unit_id, lines in per_unit.items():
            op = opening.opening_submit(actor=actor, unit=units[unit_id], as_of=as_of, lines=lines)
            opening.opening_decide(actor=approver, opening=op, approve=True)
    return sum(len(lines) for lines in per_unit.values())


def _issue_all(actor) -> dict:
    units = list(OrgUnit.objects.filter(officers__isnull=False).distinct().order_by("path"))
    total = {"officers": 0, "lines": 0}
    for unit in units:
        res = services.kit_issue(actor=actor, unit=unit)
        total["officers"] += res["officers"]
        total["lines"] += res["lines"]
    return total


def _fill_ledger(target: int) -> tuple:
    """Synthetic movements between 300 unit/officer locations until the ledger holds `target` rows."""
    have = Movement.objects.count()
    need = max(target - have, 0)
    rng = random.Random(7)
    items = list(ItemType.objects.values_list("id", flat=True))
    locs = [services.unit_location(u) for u in OrgUnit.objects.all()[:150]]
    locs += list(services.officer_locations(list(Officer.objects.all()[:150])).values())
    sizes = ["165/84A", "170/88A", "175/92A", "180/96A", "185/100A", "250", "255", "260", "-"]
    start = timezone.now() - timezone.timedelta(days=400)
    rows = []
    for n in range(need):
        a, b = rng.sample(locs, 2)
        at = start + timezone.timedelta(seconds=n * 30)
        rows.append(
            (
                rng.choice(items),
                rng.choice("MF"),
                rng.choice(sizes),
                rng.randint(1, 5),
                a.pk,
                b.pk,
                MovementKind.ADJUSTMENT,
                "bench",
                None,
                "",
                None,
                None,
                at,
                "",
            )
        )
        if len(rows) == 50_000:
            services.fast_insert(Movement, services.MOVEMENT_COLUMNS, rows)
            rows = []
    services.fast_insert(Movement, services.MOVEMENT_COLUMNS, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {Movement._meta.db_table}")
    return locs, items, sizes, start


def _progress_pages(bench, actor) -> None:
    """The progress drill-down as users open it (roll needs cached): each page rendered by the view, its
    size and rows beside the server time."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")  # a host settings.ALLOWED_HOSTS lets in
    client.force_login(actor)
    city = OrgUnit.objects.filter(level="city").order_by("code").first()
    county = OrgUnit.objects.filter(parent=city, level="county").order_by("code").first()
    pages = [
        ("progress: province summary", "/distribution/progress/"),
        ("progress: a city's counties", f"/distribution/progress/{city.code}/"),
        ("progress: the province's detail, page 1", "/distribution/progress/430000/items/"),
        ("progress: a county's detail, page 1", f"/distribution/progress/{county.code}/items/"),
    ]
    for name, url in pages:
        client.get(url)  # the roll's needs kept, as after any earlier page
        body = {}

        def get(url=url, body=body):
            body["html"] = client.get(url).content

        r = bench.measure(get, runs=3)
        html = body["html"]
        if b'data-testid="progress' not in html:
            bench.say(f"  {url}: not the progress page ({html[:200]!r})")
        bench.report(
            name,
            f"median {r['median'] * 1000:.0f} ms, {len(html) / 1024:,.0f} KB, {html.count(b'<tr')} rows",
            "target < 2 s, < 1 MB, < 1,000 rows",
        )


def run(bench) -> None:
    bench.header(f"distribution ({connection.vendor})")
    roll = 1500 if bench.quick else ROLL
    ledger = 100_000 if bench.quick else LEDGER
    try:
        with transaction.atomic():
            reference.load_org_tree()
            load_catalog()
            _roll(roll)
            User = get_user_model()
            actor = User.objects.create(username=f"bench-distribution-{time.time_ns()}")
            Membership.objects.create(user=actor, unit=OrgUnit.objects.get(code="430000"), role="province")
            services.badge_assign(actor=actor)
            eligible = Officer.objects.eligible().count()
            t0 = time.perf_counter()
            stock_rows = _stock_units(actor)
            bench.say(
                f"  setup: {eligible} eligible officers, {stock_rows} stock lines in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            before = Movement.objects.count()
            t0, c0 = time.perf_counter(), time.process_time()
            res = _issue_all(actor)
            secs, cpu = time.perf_counter() - t0, time.process_time() - c0
            rows = Movement.objects.count() - before
            bench.report(
                f"issue full kit to {res['officers']} officers ({rows:,} rows)",
                f"{secs:.1f} s wall, {cpu:.1f} s CPU ({rows / secs:,.0f} rows/s)",
                "target < 30 s",
            )
            problems = services.ledger_verify() if bench.quick else []
            if problems:
                bench.say(f"  ledger_verify: {problems[:3]}")

            def summary():
                return selectors.progress_summary(actor, "430000")

            edited = iter(Officer.objects.eligible().order_by("?")[:20])

            def roll_changed():  # one officer's record saved (a measurement corrected): their unit is summed again
                cache.clear()
                next(edited).save()

            def new_process():  # nothing known yet: every unit summed, every body sized
                cache.clear()
                selectors._NEEDED_MEMO.clear()
                services._BODY_SIZES.clear()

            first = bench.measure(summary, runs=3, setup=new_process)
            changed = bench.measure(summary, runs=5, setup=roll_changed)
            warm = bench.measure(summary, runs=5)
            bench.report(
                "province progress summary, roll needs cached",
                f"median {warm['median'] * 1000:.0f} ms",
                "target < 200 ms",
            )
            bench.report(
                "province progress summary, first call after an officer's record changed",
                f"median {changed['median'] * 1000:.0f} ms",
                "target < 200 ms",
            )
            bench.report(
                "province progress summary, first call in a new process",
                f"median {first['median'] * 1000:.0f} ms",
                "(every body sized once)",
            )

            _progress_pages(bench, actor)

            t0 = time.perf_counter()
            locs, items, sizes, start = _fill_ledger(ledger)
            total = Movement.objects.count()
            bench.say(f"  ledger filled to {total:,} rows in {time.perf_counter() - t0:.1f} s")
            rng = random.Random(3)
            keys = [
                (rng.choice(locs), rng.choice(items), rng.choice("MF"), rng.choice(sizes)) for _ in range(30)
            ]
            item_objs = {i.pk: i for i in ItemType.objects.all()}
            mid = start + timezone.timedelta(days=200)
            it = iter(keys * 10)

            def one_key():
                loc, item, g, s = next(it)
                services.balance(loc, item=item_objs[item], gender=g, size=s, at=mid)

            r = bench.measure(one_key, runs=15)
            bench.report(
                f"balance loc×item×gender×size at a past date ({total:,} rows)",
                f"median {r['median'] * 1000:.1f} ms",
                "target < 200 ms (index mv_to/from_key_at)",
            )
            it2 = iter(locs * 3)
            r = bench.measure(lambda: services.balance(next(it2)), runs=9)
            bench.report(
                f"balance of a whole location, now, from the ledger ({total:,} rows)",
                f"median {r['median'] * 1000:.1f} ms",
                "target < 200 ms",
            )
            store = services.unit_location(OrgUnit.objects.get(code="430121"))
            r = bench.measure(lambda: list(StockBalance.objects.filter(location=store)), runs=9)
            bench.report(
                "current balance of a store from StockBalance", f"median {r['median'] * 1000:.1f} ms", ""
            )
            raise _Rollback
    except _Rollback:
        pass
