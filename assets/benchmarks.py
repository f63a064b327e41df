"""Demand and snapshot timings (make bench): the province's 9,843 officers × 26 items from the database,
and how the time grows from 10k to 100k officers. Everything is created inside one transaction that is
rolled back, so the database is left as it was (officers already there are set aside the same way)."""

import statistics
import time

from django.db import transaction

from personnel import reference
from personnel.demo import officer_rows
from personnel.models import Officer, OrgUnit

from . import demand, selectors, services
from .catalog import load_catalog

PROVINCE = 9_843
GROWTH = (10_000, 25_000, 50_000, 100_000)
QUICK_GROWTH = (10_000, 20_000)


class _Rollback(Exception):
    pass


def _timed(bench, fn, runs=None) -> tuple[float, float]:
    """(wall, CPU) medians. The CPU time is reported too because the bench machine is shared: under load
    the wall time grows while the CPU time stays what the work costs."""
    cpu = []

    def wrapped():
        t0 = time.process_time()
        fn()
        cpu.append(time.process_time() - t0)

    wall = bench.measure(wrapped, runs=runs)["median"]
    return wall, statistics.median(cpu)


def _add_officers(rows, units) -> None:
    objs = []
    for r in rows:
        objs.append(Officer(**{**r, "unit": units[r["unit"]]}))
    Officer.objects.bulk_create(objs, batch_size=2000)


def run(bench) -> None:
    from .equipment_benchmarks import run as run_equipment

    _run_demand(bench)
    run_equipment(bench)


def _run_demand(bench) -> None:
    bench.header("assets: demand and snapshots")
    try:
        with transaction.atomic():
            _run(bench)
            raise _Rollback
    except _Rollback:
        pass


def _run(bench) -> None:
    reference.load_org_tree()
    load_catalog()
    services.standard_ensure(actor=None)
    # set aside whatever roll is there (rolled back at the end)
    Officer.objects.exclude(certificate_number="").update(certificate_number="")
    units = {u.code: u for u in OrgUnit.objects.filter(level__in=["province", "city", "county"])}
    codes = sorted(units)
    weights = [max(units[c].authorised_posts, 1) for c in codes]
    growth = QUICK_GROWTH if bench.quick else GROWTH
    rows = iter(officer_rows(max(growth), codes, weights=weights, seed=2026))
    _add_officers((next(rows) for _ in range(PROVINCE)), units)
    eligible = Officer.objects.eligible().count()
    bench.say(
        f"  roll: {PROVINCE} officers, {eligible} eligible; items in the standard: "
        f"{len(demand.standard_items(services.current_standard()))}"
    )

    wall, cpu = _timed(bench, lambda: demand.compute())
    peak = bench.measure(lambda: demand.compute(), runs=1, memory=True)["peak_mb"]  # traced: slower, apart
    d = demand.compute()
    bench.report(
        f"demand, province ({PROVINCE:,} officers) from the DB",
        f"{wall:.3f} s (CPU {cpu:.3f} s; {len(d.rows):,} rows, peak {peak:.0f} MB)",
        "target < 1 s",
    )
    wall, cpu = _timed(bench, lambda: demand.compute(city_code="430100"))
    bench.report("demand, one city (Changsha)", f"{wall:.3f} s (CPU {cpu:.3f} s)", "")
    snaps = []
    wall, cpu = _timed(bench, lambda: snaps.append(services.snapshot_create(actor=None)))
    bench.report("snapshot, province", f"{wall:.3f} s (CPU {cpu:.3f} s)", "target < 3 s")
    a, b = snaps[0], snaps[-1]
    wall, cpu = _timed(bench, lambda: selectors.snapshot_compare(None, a, b))
    bench.report("compare two snapshots (every officer)", f"{wall:.3f} s (CPU {cpu:.3f} s)", "")
    wall, cpu = _timed(bench, lambda: selectors.snapshot_rows(a))
    bench.report("snapshot_rows (all cities)", f"{wall:.3f} s (CPU {cpu:.3f} s)", "")

    bench.say("  growth (demand / snapshot, medians):")
    have = PROVINCE
    first = None
    for n in growth:
        _add_officers((next(rows) for _ in range(n - have)), units)
        have = n
        md, cd = _timed(bench, lambda: demand.compute())
        ms, cs = _timed(bench, lambda: services.snapshot_create(actor=None), runs=1 if n > 50_000 else None)
        first = first or (n, cd)
        ratio = (cd / first[1]) / (n / first[0])
        bench.report(
            f"  {n:>7,} officers",
            f"demand {md:.2f} s (CPU {cd:.2f}) · snapshot {ms:.2f} s (CPU {cs:.2f})",
            f"CPU/officer ×{ratio:.2f} vs {first[0]:,}",
        )
