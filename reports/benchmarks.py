"""`manage.py bench --only reports`: sign-for sheets for the whole province (9,843 officers) as PDF and Excel,
and the naive PDF (one WeasyPrint document, automatic table layout, the 20 MB system font subset per
document) beside ours at 2,000 rows. Officers are generated in memory (personnel.demo.officer_rows) with the
real units; the data function is the same one the reports use (sign_for.build), so only the DB read is
bypassed; that read (collect) is measured on its own against a scratch set of officers when the DB is empty.
Then the end-to-end figure, what a user runs: `manage.py render_report sign-for-sheets` in a fresh process
(start-up, DB read, render), font cache as after one earlier report, beside the render-only one, and their
ratio (on the scratch officers, or on the demo's roll and its `province` user when the DB holds the demo).

Figures: wall median of the runs, CPU seconds (this process + its render processes), peak RSS per process.
The machine is shared: compare CPU seconds when the wall figures are noisy."""

import os
import resource
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.utils import timezone

N_PROVINCE = 9843
N_COMPARE = 2000
TEMPLATE = "reports/pdf/sign_for_sheets.html"


def _officers(n: int, seed: int = 2026):
    from personnel import reference
    from personnel.demo import officer_rows
    from personnel.models import Officer, OrgUnit

    reference.load_org_tree()
    units = {u.code: u for u in OrgUnit.objects.filter(level__in=["province", "city", "county"])}
    codes = list(units)
    weights = [units[c].authorised_posts or 1 for c in codes]
    officers = []
    for row in officer_rows(n, codes, weights, seed=seed):
        row["unit"] = units[row["unit"]]
        officers.append(Officer(**row))
    officers.sort(key=lambda o: (o.unit.path, o.name))
    by_id = {u.pk: u for u in OrgUnit.objects.all()}
    return officers, by_id


def _data(officers, units):
    from assets.catalog import load_catalog
    from assets.kit import active_items
    from reports.kinds import sign_for

    load_catalog()
    return sign_for.build(
        officers,
        units,
        items=active_items(),
        requested_by="bench",
        requested_at=timezone.now(),
        sources=["benchmark roll (in memory)"],
        label="湖南省",
    )


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


NAIVE_SECTION = """<section style="break-before: page"><h1>{title}</h1><p class="meta">单位：{unit}</p>
<p class="kit">配发内容：{kit}</p><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
<table class="sign"><tr><td>发放人：</td><td>复核人：</td><td>日期：</td></tr></table>
</section>"""


def _naive_html(data) -> str:
    """The same content the naive way: a <table> of 8 cells per row (thead repeated by WeasyPrint), every unit
    in one document, page numbers by CSS counters (running through the document)."""
    from html import escape

    from reports import pdf

    head = "".join(f"<th>{c.label}</th>" for c in data.columns)
    kit = "<br>".join(escape(x) for x in data.meta["kit_lines"])
    parts = []
    for section in data.sections:
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in r) + "</tr>" for r in section.rows
        )
        parts.append(
            NAIVE_SECTION.format(title=data.title, unit=escape(section.title), kit=kit, head=head, rows=rows)
        )
    css = pdf.page_css(title=data.title, unit=data.scope_label, data=data, landscape=True)
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{css}</style></head><body>'
        + "".join(parts)
        + "</body></html>"
    )


def _naive_pdf(data, out: Path) -> None:
    """ONE WeasyPrint document for all units, automatic table layout, the print CSS of the other reports, the
    20 MB system font subset by WeasyPrint, one process."""
    from weasyprint import CSS, HTML

    from reports import pdf

    stylesheets, font_config = pdf._stylesheets(None)  # report.css + the system "Noto Sans CJK SC"
    auto = CSS(string="table { table-layout: auto; }", font_config=font_config)
    doc = HTML(string=_naive_html(data), url_fetcher=pdf.url_fetcher())
    out.write_bytes(doc.write_pdf(stylesheets=[*stylesheets, auto], font_config=font_config))


def _cumulative(profiler, keys: dict[str, tuple[str, str]]) -> dict[str, float]:
    """Cumulative seconds of each named function ({key: (file suffix, function name)}) in a cProfile run."""
    import pstats

    cum = dict.fromkeys(keys, 0.0)
    for (file, _line, name), (_cc, _nc, _tt, seconds, _callers) in pstats.Stats(profiler).stats.items():
        for key, (suffix, fn) in keys.items():
            if name == fn and file.endswith(suffix):
                cum[key] += seconds
    return cum


def _profile(bench, data) -> None:
    """Where the CPU goes in one render document (the first batch of units, as render_pdf makes it; cProfile,
    in this process): the share of each phase."""
    import cProfile

    from django.template.loader import render_to_string

    from reports import pdf
    from reports.kinds import sign_for

    run = pdf.batches(data.sections, max_rows=1000, parts=2)[0]
    sections = [data.sections[i] for i in run]
    rows = sum(len(s.rows) for s in sections)
    font = pdf.subset_font(pdf.report_chars(data) + pdf.template_chars(TEMPLATE), sign_for.PDF_FACE)
    args = {"font_path": str(font) if font else None, "face": sign_for.PDF_FACE, "css": "sign_for.css"}
    pdf.html_to_pdf("warm-up</p>", **args)
    profiler = cProfile.Profile()
    c0 = time.process_time()
    profiler.enable()
    html = render_to_string(TEMPLATE, sign_for._batch_context(data, sections))
    pdf.html_to_pdf(html, **args)
    profiler.disable()
    total = time.process_time() - c0
    keys = {
        "html": ("django/template/loader.py", "render_to_string"),
        "styles": ("weasyprint/css/__init__.py", "get_all_computed_styles"),
        "boxes": ("weasyprint/formatting_structure/build.py", "build_formatting_structure"),
        "render": ("weasyprint/document.py", "_render"),
        "draw": ("weasyprint/draw/__init__.py", "draw_page"),
        "write": ("weasyprint/document.py", "write_pdf"),
    }
    cum = _cumulative(profiler, keys)
    profiled = sum(cum[k] for k in ("html", "render", "write")) or 1e-9
    phases = [
        ("HTML (Django template, rows in Python)", cum["html"]),
        ("style computation", cum["styles"]),
        ("box building", cum["boxes"]),
        ("layout and pagination", cum["render"] - cum["styles"] - cum["boxes"]),
        ("drawing", cum["draw"]),
        ("PDF writing (fonts, streams)", cum["write"] - cum["draw"]),
    ]
    bench.report(
        f"profile: one document, {len(sections)} units, {rows} rows",
        f"{total * 1000 / max(rows, 1):.2f} ms CPU/row",
        f"{total:.2f} s CPU (under cProfile)",
    )
    for label, seconds in phases:
        bench.report(f"  {label}", f"{100 * seconds / profiled:.0f}%")


def _timed(bench, fn, runs):
    """(median wall, median CPU s, peak RSS MB of this process, of any child)."""
    cpu = []

    def wrapped():
        c0 = _cpu()
        fn()
        cpu.append(_cpu() - c0)

    m = bench.measure(wrapped, runs=runs)
    cpu.sort()
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return m["median"], cpu[len(cpu) // 2], self_mb, child_mb


def run(bench) -> None:
    from reports import pdf
    from reports.kinds import sign_for

    n = 1500 if bench.quick else N_PROVINCE
    n_compare = 500 if bench.quick else N_COMPARE
    bench.header(
        f"reports: sign-for sheets (签领表), {n} officers, {pdf.pdf_workers()} render processes, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    officers, units = _officers(n)
    t0 = time.perf_counter()
    data = _data(officers, units)
    bench.report(
        "data (sizes, kit, sections) in memory",
        f"{time.perf_counter() - t0:.2f} s",
        f"{data.row_count} rows, {len(data.sections)} units",
    )
    with tempfile.TemporaryDirectory(prefix="qm-bench-") as tmp:
        tmp = Path(tmp)
        # the font subset is cached by content: build it once, untimed, like a warm server
        pdf.subset_font(pdf.report_chars(data) + pdf.template_chars(TEMPLATE), sign_for.PDF_FACE)

        out = tmp / "province.pdf"
        wall, cpu, self_mb, child_mb = _timed(bench, lambda: sign_for.render_pdf(data, out), bench.runs)
        bench.report(
            f"PDF province ({data.row_count} rows), ours",
            f"{wall:.1f} s wall, {cpu:.0f} s CPU",
            "target < 30 s",
        )
        bench.report(
            "  CPU per row (all processes)", f"{1000 * cpu / data.row_count:.2f} ms", "was 13.5 ms (table)"
        )
        bench.report(
            "  peak RSS per process (parent / render child)",
            f"{self_mb:.0f} MB / {child_mb:.0f} MB",
            "target < 500 MB",
        )
        bench.report("  file", f"{out.stat().st_size / 2**20:.1f} MB", "one font subset, stored once")

        small = _data(officers[:n_compare], units)
        naive_out, ours_out = tmp / "naive.pdf", tmp / "ours.pdf"
        naive, naive_cpu, _, _ = _timed(bench, lambda: _naive_pdf(small, naive_out), min(bench.runs, 2))
        ours, ours_cpu, _, _ = _timed(bench, lambda: sign_for.render_pdf(small, ours_out), bench.runs)
        bench.report(
            f"PDF {small.row_count} rows naive (one document, auto layout)",
            f"{naive:.1f} s wall, {naive_cpu:.0f} s CPU",
        )
        bench.report(f"PDF {small.row_count} rows ours", f"{ours:.1f} s wall, {ours_cpu:.0f} s CPU")
        bench.report(
            "  ratio naive / ours",
            f"{naive / ours:.1f}× wall, {naive_cpu / max(ours_cpu, 0.01):.1f}× CPU",
            "target ≥ 4×",
        )

        xlsx_out = tmp / "province.xlsx"
        m = bench.measure(lambda: sign_for.render_xlsx(data, xlsx_out))  # untraced: tracemalloc doubles it
        bench.report(
            f"Excel province ({data.row_count} rows, write-only)", f"{m['median']:.2f} s", "target < 3 s"
        )
        _profile(bench, data)
        _real_path(bench, officers, tmp, render=(wall, cpu, data.row_count), excel=m["median"])
    _in_fresh_process(bench, n)


def _in_fresh_process(bench, n: int) -> None:
    """The table reports in a freshly started process (multiprocessing "spawn"): its peak memory is its own,
    not the sign-for run's above, nor the other way round."""
    import multiprocessing

    bench.stdout.flush()
    child = multiprocessing.get_context("spawn").Process(
        target=_table_child, args=(bench.runs, bench.quick, n)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError("the benchmark's child process failed (see above)")


def _table_child(runs: int, quick: bool, n: int) -> None:
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management.base import OutputWrapper

    from core.bench import Bench
    from core.context import set_source

    set_source("cli")
    _table_reports(Bench(runs=runs, stdout=OutputWrapper(sys.stdout), quick=quick), n)


@contextmanager
def _scratch_roll(officers):
    """The benchmark's officers written to the (empty) scratch DB, committed so another process reads them too,
    with a provincial user; removed afterwards. Yields the user."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from core.models import ChangeRecord
    from personnel.models import Membership, Officer, OrgUnit

    User = get_user_model()
    with transaction.atomic():
        Officer.objects.bulk_create(officers, batch_size=1000)
        user = User.objects.create(username="bench-reports-province")
        Membership.objects.create(user=user, unit=OrgUnit.objects.get(code="430000"), role="province")
    try:
        yield user
    finally:
        Officer.objects.filter(pk__in=[o.pk for o in officers if o.pk]).delete()
        Membership.objects.filter(user=user).delete()
        ChangeRecord.objects.filter(actor=user).delete()
        user.delete()


def _real_path(bench, officers, tmp: Path, *, render: tuple[float, float, int], excel: float) -> None:
    """The DB read (collect) and Excel through render_to_path, on officers written to the scratch DB and removed
    afterwards; then the end-to-end PDF on them. When the database already holds a roll (we do not touch real
    data), the Excel figure is skipped and the end-to-end one runs on that roll as its `province` user (the demo
    `make run` leaves)."""
    from django.contrib.auth import get_user_model

    from personnel.models import Officer
    from reports.services import render_to_path

    if Officer.objects.exists():
        bench.report("real path (DB read + Excel)", "skipped: the database has a roll", "use a scratch DB")
        user = get_user_model().objects.filter(username="province", is_active=True).first()
        if user is None:
            bench.report("end to end (render_report)", "skipped: a roll but no `province` user")
        else:
            _read_vs_write(bench, user, excel)
            _end_to_end(bench, user.get_username(), tmp, render=render)
        return
    with _scratch_roll(officers) as user:
        t0 = time.perf_counter()
        data = render_to_path(user=user, kind="sign-for-sheets", fmt="xlsx", params={}, out=tmp / "real.xlsx")
        bench.report(
            f"real path: DB read + Excel ({data.row_count} eligible)",
            f"{time.perf_counter() - t0:.2f} s",
            "target < 3 s",
        )
        _read_vs_write(bench, user, excel)
        _end_to_end(bench, user.get_username(), tmp, render=render)


def _read_vs_write(bench, user, excel: float) -> None:
    """The DB read alone (sign_for.collect as `user`: the roll, badge numbers, kit), medians of bench.runs,
    beside the Excel write above (`excel`, seconds) and their ratio."""
    from reports.kinds import sign_for

    params = sign_for.SignForParams()
    holder = {}
    wall, cpu, _, _ = _timed(bench, lambda: holder.update(data=sign_for.collect(user, params)), bench.runs)
    bench.report(
        f"data read: collect ({holder['data'].row_count} rows) vs Excel write",
        f"{wall:.2f} s wall, {cpu:.2f} s CPU; Excel {excel:.2f} s",
        f"ratio {wall / max(excel, 1e-9):.2f}, target ≤ 1.0",
    )


def _end_to_end(bench, username: str, tmp: Path, *, render: tuple[float, float, int]) -> None:
    """What a user runs: `manage.py render_report sign-for-sheets --user USERNAME` in a fresh process (start-up,
    the DB read and the render, all its processes), after one untimed run so the font subset is cached as it is
    after an earlier report. Printed beside the render-only figure (`render`: wall, CPU, rows) and their ratio;
    per row as well when the rows differ (the demo's roll has fewer eligible officers than the benchmark's). On a
    shared machine the wall ratio swings with the load between the two runs: the CPU ratio is the one to trust."""
    import re
    import subprocess
    import sys

    from django.conf import settings

    out = tmp / "end-to-end.pdf"
    cmd = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "render_report", "sign-for-sheets"]
    cmd += ["--user", username, "--out", str(out)]

    def once() -> tuple[float, float, int]:
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode:
            raise RuntimeError(f"render_report failed: {done.stderr[-2000:]}")
        rows = int(re.search(r": (\d+) rows", done.stdout).group(1))
        return wall, (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime), rows

    once()  # the font subset of these characters is now cached, as after one earlier report
    runs = sorted(once() for _ in range(bench.runs))
    wall, _, rows = runs[len(runs) // 2]
    cpu = sorted(r[1] for r in runs)[len(runs) // 2]
    r_wall, r_cpu, r_rows = render
    bench.report(
        f"PDF end to end: render_report, fresh process ({rows} rows)",
        f"{wall:.1f} s wall, {cpu:.0f} s CPU",
        f"render only {r_wall:.1f} s wall, {r_cpu:.0f} s CPU ({r_rows} rows); --user {username}",
    )
    ratio = f"{wall / r_wall:.2f}× wall, {cpu / max(r_cpu, 0.01):.2f}× CPU"
    if rows != r_rows:
        scale = max(r_rows, 1) / max(rows, 1)
        ratio += f"; per row {wall * scale / r_wall:.2f}× wall, {cpu * scale / max(r_cpu, 0.01):.2f}× CPU"
    bench.report("  ratio end to end / render only", ratio, "target ≤ 1.30× (start-up and data ≤ 30 %)")


# ---- the other large reports: distribution progress, station condition, size table ---------------------------

SCENARIO_CITY = "430100"  # 长沙: its city report (per county, item × gender × size) is timed on its own


def _scenario(officers, *, say=print) -> dict:
    """A province midway through a distribution, written through the real services (call inside a transaction
    that is rolled back): the roll (`officers`, unsaved) in the DB, the stock received at the provincial store,
    a shipment to every city (ten confirmed, one of them short; the others in transit), the confirmed cities
    passing stock on to their counties and half of those counties issuing kits to their officers; the station
    equipment register (the demo's stations and items) and a demand snapshot of the roll."""
    from collections import defaultdict

    from django.contrib.auth import get_user_model

    from assets import services as asset_services
    from assets.catalog import load_catalog
    from assets.equipment_demo import seed_equipment
    from distribution import services as svc
    from personnel.models import Membership, Officer, OrgUnit
    from procurement.demo import accept_goods

    load_catalog()
    asset_services.standard_ensure(actor=None)
    Officer.objects.bulk_create(officers, batch_size=2000)
    user = get_user_model().objects.create(username=f"bench-reports-{time.time_ns()}")
    province = OrgUnit.objects.get(code="430000")
    Membership.objects.create(user=user, unit=province, role="province")
    units = {u.pk: u for u in OrgUnit.objects.all()}
    known, _ = svc.needed_by_unit()
    code_of = {i.pk: c for c, i in svc._items_by_code().items()}
    per_city, per_unit = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
    for (unit_id, item_id, g, s), q in known.items():
        key = (code_of[item_id], g, s)
        per_city[units[unit_id].city_id or unit_id][key] += q
        per_unit[unit_id][key] += q

    def lines(qty):
        return [
            {"item": i, "gender": g, "size": s, "quantity": q}
            for (i, g, s), q in sorted(qty.items())
            if q > 0
        ]

    total = defaultdict(int)
    for qty in per_city.values():
        for k, q in qty.items():
            total[k] += q
    t0 = time.perf_counter()
    accept_goods(
        actor=user,
        unit=province,
        lines=[{**ln, "quantity": ln["quantity"] + 10} for ln in lines(total)],
        certificate="BENCH-YS-1",
    )
    svc.badge_assign(actor=user)
    cities = sorted(
        (u for u in units.values() if u.level == "city" and per_city.get(u.pk)), key=lambda u: u.code
    )
    issued = confirmed = 0
    for n, city in enumerate(cities):
        s = svc.shipment_dispatch(
            actor=user,
            shipment=svc.shipment_create(
                actor=user, from_unit=province, to_unit=city, lines=lines(per_city[city.pk])
            ),
        )
        if n >= 10:
            continue  # in transit
        conf = [{"line_id": ln.pk, "received": ln.quantity} for ln in s.lines.order_by("-quantity", "id")]
        if n == 1:  # a shortage on the largest line
            conf[0].update(received=conf[0]["received"] - 5, reason="missing", note="carton torn")
        svc.shipment_confirm(actor=user, shipment=s, lines=conf)
        confirmed += 1
        counties = sorted(
            (u for u in units.values() if u.parent_id == city.pk and per_unit.get(u.pk)), key=lambda u: u.code
        )
        for k, county in enumerate(counties):
            cs = svc.shipment_dispatch(
                actor=user,
                shipment=svc.shipment_create(
                    actor=user, from_unit=city, to_unit=county, lines=lines(per_unit[county.pk])
                ),
            )
            svc.shipment_confirm(
                actor=user,
                shipment=cs,
                lines=[{"line_id": ln.pk, "received": ln.quantity} for ln in cs.lines.all()],
            )
            if k % 2 == 0 and n < 6:
                issued += svc.kit_issue(actor=user, unit=county)["officers"]
    say(
        f"  setup: {len(cities)} cities shipped, {confirmed} confirmed (one short), kits issued to {issued} "
        f"officers ({time.perf_counter() - t0:.1f} s)"
    )
    t0 = time.perf_counter()
    eq = seed_equipment(seed=2026)
    snap = asset_services.snapshot_create(actor=None, note="bench")
    say(
        f"  setup: {eq['stations']} stations, {eq['items']} equipment items, demand snapshot #{snap.pk} "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    return {"user": user, "city": SCENARIO_CITY, "snapshot": snap}


class _Rollback(Exception):
    pass


TABLE_CASES = [  # kind, params, label, target
    ("distribution-progress", {}, "distribution progress, province", "target < 3 s"),
    (
        "distribution-progress",
        {"city": SCENARIO_CITY},
        "(detail)",
        "",
    ),
    ("station-condition", {}, "station condition, province", ""),
    ("size-table", {}, "size table, province (total + 14 cities)", ""),
]


def _table_html(data) -> str:
    """The city progress report the way it was rendered before (one document, a WeasyPrint table per section:
    a box per cell, fixed table layout, thead repeated), for the comparison."""
    from html import escape

    from reports import pdf
    from reports.kinds import _tables

    parts = [f"<h1>{escape(data.title)}</h1>"]
    for section in data.sections:
        if section.header.get("pdf") is False:
            continue
        cols = _tables.section_columns(data, section)
        colgroup = "".join(f'<col style="width:{c.width_mm}mm">' for c in cols)
        head = "".join(f"<th>{escape(c.label)}</th>" for c in cols)
        parts.append(
            f"<h2>{escape(section.title)}</h2>{section.header.get('svg', '')}<table><colgroup>{colgroup}"
            f"</colgroup><thead><tr>{head}</tr></thead><tbody>{_tables.rows_html(cols, section.rows)}"
            "</tbody></table>"
        )
    css = pdf.page_css(title=data.title, unit=data.scope_label, data=data, landscape=True)
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{css}</style></head><body>'
        + "".join(parts)
        + "</body></html>"
    )


def _table_profile(bench, data) -> None:
    """Where the CPU goes in the new path, one process (cProfile): the share of each phase."""
    import cProfile
    import io

    from reports import textgrid
    from reports.kinds import _tables

    profiler = cProfile.Profile()
    c0 = time.process_time()
    profiler.enable()
    textgrid.render(data, _tables.pdf_parts(data), io.BytesIO(), workers=1)
    profiler.disable()
    total = time.process_time() - c0
    keys = {
        "paginate": ("reports/textgrid.py", "paginate"),
        "font": ("reports/pdf.py", "subset_font"),
        "html": ("django/template/loader.py", "render_to_string"),
        "styles": ("weasyprint/css/__init__.py", "get_all_computed_styles"),
        "boxes": ("weasyprint/formatting_structure/build.py", "build_formatting_structure"),
        "render": ("weasyprint/document.py", "_render"),
        "draw": ("weasyprint/draw/__init__.py", "draw_page"),
        "write": ("weasyprint/document.py", "write_pdf"),
        "merge": ("reports/pdf.py", "_merge"),
    }
    cum = _cumulative(profiler, keys)
    profiled = sum(cum[k] for k in ("paginate", "font", "html", "render", "write", "merge")) or 1e-9
    phases = [
        ("pagination and text lines (Python)", cum["paginate"]),
        ("font subset", cum["font"]),
        ("HTML (Django template)", cum["html"]),
        ("style computation", cum["styles"]),
        ("box building", cum["boxes"]),
        ("layout", cum["render"] - cum["styles"] - cum["boxes"]),
        ("drawing", cum["draw"]),
        ("PDF writing", cum["write"] - cum["draw"]),
        ("merge (pypdf)", cum["merge"]),
    ]
    bench.report(
        f"profile: city report, one process, {data.row_count} rows", f"{total:.2f} s CPU (under cProfile)"
    )
    for label, seconds in phases:
        bench.report(f"  {label}", f"{100 * seconds / profiled:.0f}%")


def _table_reports(bench, n: int) -> None:
    """The table reports on a province midway through a distribution (_scenario), in a transaction rolled back
    at the end: data collection, PDF and Excel through the real path (render_to_path: validate, collect in the
    user's scope, render), medians of bench.runs after one untimed run (font subset cached, like a warm
    server); the city report the old way (WeasyPrint tables) beside it; a profile."""
    from django.db import transaction

    from personnel.models import Officer, OrgUnit
    from reports import pdf
    from reports.registry import get_kind
    from reports.services import render_to_path

    bench.header(
        f"reports: distribution progress, station condition, size table; {pdf.pdf_workers()} render "
        f"processes, load average {os.getloadavg()[0]:.1f}"
    )
    if Officer.objects.exists() or OrgUnit.objects.filter(level="station").exists():
        bench.report("table reports", "skipped: the database has a roll or stations", "use a scratch DB")
        return
    try:
        with transaction.atomic(), tempfile.TemporaryDirectory(prefix="qm-bench-") as tmp:
            officers, _units = _officers(n)
            ctx = _scenario(officers, say=bench.say)
            user = ctx["user"]
            city_data = None
            for kind, params, label, target in TABLE_CASES:
                report = get_kind(kind)
                parsed = report.parse_params(params)
                data = report.collect(user, parsed)
                c_wall, c_cpu, _, _ = _timed(bench, lambda: report.collect(user, parsed), bench.runs)  # noqa: B023
                for fmt in ("pdf", "xlsx"):
                    out = Path(tmp) / f"{kind}.{fmt}"
                    render_to_path(user=user, kind=kind, fmt=fmt, params=params, out=out)  # warm-up
                    wall, cpu, self_mb, child_mb = _timed(
                        bench,
                        lambda: render_to_path(user=user, kind=kind, fmt=fmt, params=params, out=out),  # noqa: B023
                        bench.runs,
                    )
                    size = out.stat().st_size / 1024
                    if fmt == "pdf":
                        from pypdf import PdfReader

                        pages = len(PdfReader(out).pages)
                        bench.report(
                            f"{label}: PDF ({data.row_count} rows, {pages} pages)",
                            f"{wall:.2f} s wall, {cpu:.2f} s CPU",
                            target,
                        )
                        bench.report(
                            "  of which data collection",
                            f"{c_wall:.2f} s wall, {c_cpu:.2f} s CPU",
                            f"{size:.0f} KB; peak RSS {self_mb:.0f} / {child_mb:.0f} MB",
                        )
                    else:
                        bench.report(
                            f"{label}: Excel", f"{wall:.2f} s wall, {cpu:.2f} s CPU", f"{size:.0f} KB"
                        )
                if params.get("city"):
                    city_data = data
            if city_data is not None:
                html = _table_html(city_data)
                font = pdf.subset_font(pdf.report_chars(city_data) + html)
                out = Path(tmp) / "old.pdf"
                wall, cpu, _, _ = _timed(
                    bench, lambda: out.write_bytes(pdf.html_to_pdf(html, font_path=str(font))), 1
                )
                bench.report(
                    "  the city report the old way (WeasyPrint tables, one run)",
                    f"{wall:.1f} s wall, {cpu:.1f} s CPU",
                )
                _table_profile(bench, city_data)
            raise _Rollback
    except _Rollback:
        pass
