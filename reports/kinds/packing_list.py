"""装箱单 packing lists for the suppliers: what goes to each city, or to each county-level unit, from the
contract lines of a tender: item, gender, size and quantity, and the made-to-measure pieces by officer with their
unit. Per lot (each lot its supplier).

The rule (README, Reports → Report kinds):
- a city's list is its own contract's lines (统采分签); under a province contract, each line is split over the
  cities by the contract's demand snapshot city rows for that item × gender × size (largest remainder, ties to
  the smaller code: the split SIZING.md gives per-city contracts, so both ways give the same figures);
- a county's list is its share of its city's list: each line split over the city's county-level units by the
  snapshot's officers of each unit (a station counts with its county; officers of the city's own detachment
  are the city's own list, 本级), by largest remainder; so the counties' lists add up to the city's exactly;
- supplementary contracts (补充合同) add to their lines; made-to-measure lines go, by name, to the officer's
  city and unit;
- only signed (or completed) contracts under active awards count.
Scope: a city's staff get their city (or its counties), county staff their county, the province any.
"""

import datetime
from collections import Counter, defaultdict
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext

from assets import demand as D
from assets.models import DemandSnapshot, ItemType
from core.errors import QMError
from core.pages import tr
from personnel.choices import Level
from personnel.models import OrgUnit
from procurement import selectors as procurement
from procurement.choices import LineKind

from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import root_units, scope_label
from . import _tables

KIND = "packing-list"
TITLE = "装箱单"
TITLE_EN = "Packing list"

SUMMARY_COLUMNS = [
    Column("unit", ("收货单位", "Consignee"), 80, 36),
    Column("lot", ("标包", "Lot"), 16, 8),
    Column("supplier", ("供应商", "Supplier"), 70, 30),
    Column("standard", ("按号型件数", "Sized pieces"), 26, 12, "0"),
    Column("mtm", ("量体定制件数", "Made-to-measure pieces"), 30, 14, "0"),
    Column("total", ("合计", "Total"), 22, 10, "0"),
]
LINE_COLUMNS = [
    Column("no", ("序号", "No."), 14, 6, "0"),
    Column("item", ("品名", "Item"), 90, 36),
    Column("gender", ("性别", "Gender"), 16, 8),
    Column("size", ("号型", "Size"), 36, 14),
    Column("quantity", ("数量", "Quantity"), 24, 10, "0"),
]
MTM_COLUMNS = [
    Column("no", ("序号", "No."), 14, 6, "0"),
    Column("name", ("姓名", "Name"), 30, 12),
    Column("unit", ("单位", "Unit"), 80, 34),
    Column("item", ("品名", "Item"), 70, 30),
    Column("gender", ("性别", "Gender"), 16, 8),
    Column("quantity", ("数量", "Quantity"), 24, 10, "0"),
]


class PackingParams(ParamsBase):
    tender: int | None = None  # the tender's id; default the latest
    lot: int | None = None  # a lot number; default every lot
    per: Literal["city", "county"] = "city"  # a list per city, or per county-level unit


def split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` shared in proportion to the weights by largest remainder (ties to the smaller key); the parts
    add up to `total` exactly. Keys with no weight get nothing; parts of 0 are left out."""
    whole = sum(weights.values())
    if whole <= 0:
        raise ValueError("no weights")
    parts = {k: total * w // whole for k, w in weights.items() if w > 0}
    left = total - sum(parts.values())
    for k in sorted(parts, key=lambda k: (-(total * weights[k] % whole), k))[:left]:
        parts[k] += 1
    return {k: n for k, n in parts.items() if n}


class Units:
    """The org tree in memory (a few hundred rows): where a unit's goods go."""

    def __init__(self):
        self.by_code = {u.code: u for u in OrgUnit.objects.select_related("city")}
        self.by_pk = {u.pk: u for u in self.by_code.values()}

    def city_of(self, code: str) -> str:
        u = self.by_code.get(code)
        return u.city_code if u is not None else code

    def destination(self, code: str) -> str:
        """The county-level unit an officer's unit belongs to: the county itself, a station's county, or the
        city (province) itself for its own detachment and the stations directly under it."""
        u = self.by_code.get(code)
        while u is not None and u.level == Level.STATION and u.parent_id:
            u = self.by_pk.get(u.parent_id)
        if u is None:
            return code
        return u.code if u.level in (Level.COUNTY, Level.CITY, Level.PROVINCE) else u.city_code


def _snapshot(snapshot_id: int | None, cache: dict) -> DemandSnapshot:
    key = snapshot_id or "latest"
    if key not in cache:
        qs = DemandSnapshot.objects.select_related("standard_version")
        snap = qs.filter(pk=snapshot_id).first() if snapshot_id else qs.order_by("-created_at", "-id").first()
        if snap is None:
            raise QMError(
                "no_snapshot",
                gettext("合同没有需求快照，无法按市州、县级分配数量"),
                {"field": "tender"},
            )
        cache[key] = snap
    return cache[key]


def _weights(snap: DemandSnapshot, units: Units, cache: dict) -> tuple[dict, dict]:
    """From the snapshot's officers: ({(item, gender, size): {city: n}}, {(city, item, gender, size): {unit:
    n}}) — the city rows (as SnapshotRow holds them) and each county-level unit's share of them."""
    if snap.pk not in cache:
        items = D.standard_items(snap.standard_version)
        cities: dict[tuple, Counter] = defaultdict(Counter)
        counties: dict[tuple, Counter] = defaultdict(Counter)
        dest = {}
        for p in snap.officers:
            unit = p["unit"]
            if unit not in dest:
                dest[unit] = units.destination(unit)
            for code, g, size, qty in D.officer_lines(p, items):
                if size is None:
                    continue
                cities[(code, g, size)][p["city"]] += qty
                counties[(p["city"], code, g, size)][dest[unit]] += qty
        cache[snap.pk] = (cities, counties)
    return cache[snap.pk]


def _lists(lines: list[dict], units: Units, items: dict, per: str) -> tuple[dict, dict, list[str]]:
    """({(lot, destination): Counter{(item_id, gender, size): n}}, {(lot, destination): [mtm line]}, notes)."""
    snaps: dict = {}
    weights: dict = {}
    std: dict[tuple, Counter] = defaultdict(Counter)
    mtm: dict[tuple, list] = defaultdict(list)
    used: dict[int, DemandSnapshot] = {}
    for ln in lines:
        lot = ln["lot"]
        if ln["kind"] == LineKind.MADE_TO_MEASURE:
            unit = ln["officer_unit_code"]
            where = units.destination(unit) if per == "county" else units.city_of(unit)
            mtm[(lot, where)].append(ln)
            continue
        key = (items[ln["item_id"]].code, ln["gender"], ln["size"])
        line_key = (ln["item_id"], ln["gender"], ln["size"])
        buyer = units.city_of(ln["buyer_code"])
        if ln["buyer_level"] == Level.PROVINCE:
            snap = _snapshot(ln["snapshot_id"], snaps)
            used[snap.pk] = snap
            by_city = _weights(snap, units, weights)[0].get(key)
            shares = split(ln["quantity"], by_city) if by_city else {buyer: ln["quantity"]}
        else:
            shares = {buyer: ln["quantity"]}
        for city, n in shares.items():
            if per == "county":
                snap = _snapshot(ln["snapshot_id"], snaps)
                used[snap.pk] = snap
                by_unit = _weights(snap, units, weights)[1].get((city, *key))
                for unit, k in (split(n, by_unit) if by_unit else {city: n}).items():
                    std[(lot, unit)][line_key] += k
            else:
                std[(lot, city)][line_key] += n
    made = [
        gettext("需求快照 #{pk}（{made}）").format(
            pk=s.pk, made=f"{timezone.localtime(s.created_at):%Y-%m-%d %H:%M}"
        )
        for s in sorted(used.values(), key=lambda s: s.pk)
    ]
    return std, mtm, made


def _in(unit: OrgUnit | None, roots: list[OrgUnit]) -> bool:
    return unit is not None and any(unit.path.startswith(r.path) for r in roots)


def collect(
    user, params: PackingParams, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    roots = root_units(user, params)  # another city → 404, a county given as city → 400
    per = "county" if params.county or any(r.level == Level.COUNTY for r in roots) else params.per
    tender = (
        procurement.tender_get(user, params.tender)
        if params.tender is not None
        else procurement.tender_latest(user)
    )
    progress(2, gettext("读取合同明细"))
    lines = procurement.packing_contract_lines(tender, lot_number=params.lot)
    units = Units()
    items = {i.pk: i for i in ItemType.objects.all()}
    std, mtm, snapshots = _lists(lines, units, items, per)
    suppliers = {ln["lot"]: ln["supplier"] for ln in lines}
    contracts = sorted({ln["contract"] for ln in lines})
    progress(4, gettext("{n} 条合同明细").format(n=len(lines)))

    keys = sorted(
        (k for k in {*std, *mtm} if _in(units.by_code.get(k[1]), roots)),
        key=lambda k: (units.by_code[k[1]].path, k[0]),
    )
    summary, sections = [], []
    total_std = total_mtm = 0
    for lot, code in keys:
        unit = units.by_code[code]
        name = unit.name
        if per == "county" and unit.level != Level.COUNTY:
            name = gettext("{name}（本级）").format(name=unit.name)
        lot_label = gettext("第{lot}包").format(lot=lot)
        rows = sorted(
            std.get((lot, code), {}).items(),
            key=lambda kv: (items[kv[0][0]].sort_order, items[kv[0][0]].code, kv[0][1], kv[0][2]),
        )
        std_rows = [
            (n, _tables.item_name(items[i], g), _tables.gender_label(g), _tables.size_label(s), q)
            for n, ((i, g, s), q) in enumerate(rows, 1)
        ]
        named = sorted(
            mtm.get((lot, code), []),
            key=lambda ln: (ln["officer_unit_code"], ln["officer_name"], items[ln["item_id"]].sort_order),
        )
        mtm_rows = [
            (
                n,
                ln["officer_name"],
                units.by_code[ln["officer_unit_code"]].name,
                _tables.item_name(items[ln["item_id"]], ln["gender"]),
                _tables.gender_label(ln["gender"]),
                ln["quantity"],
            )
            for n, ln in enumerate(named, 1)
        ]
        n_std, n_mtm = sum(q for *_r, q in std_rows), sum(ln["quantity"] for ln in named)
        total_std, total_mtm = total_std + n_std, total_mtm + n_mtm
        summary.append((name, lot_label, suppliers[lot], n_std, n_mtm, n_std + n_mtm))
        short = unit.name.split("交通运输")[0] or unit.name
        title = f"{name} · {lot_label} · {suppliers[lot]}"
        sections.append(
            Section(
                key=f"{code}-{lot}",
                title=title,
                group=short,
                rows=std_rows,
                header={
                    "columns": LINE_COLUMNS,
                    "sheet": f"{short} {lot_label}",
                    "new_page": True,
                    "note": gettext("按号型 {n} 件").format(n=n_std),
                    "unit_code": code,
                    "lot": lot,
                },
            )
        )
        if mtm_rows:
            sections.append(
                Section(
                    key=f"{code}-{lot}-mtm",
                    title=gettext("{title} · 量体定制").format(title=title),
                    group=short,
                    rows=mtm_rows,
                    header={
                        "columns": MTM_COLUMNS,
                        "sheet": gettext("{name} 定制").format(name=f"{short} {lot_label}"),
                        "note": gettext("量体定制 {n} 件，按人员").format(n=n_mtm),
                        "unit_code": code,
                        "lot": lot,
                    },
                )
            )
    summary.append((gettext("合计"), "", "", total_std, total_mtm, total_std + total_mtm))
    sections.insert(
        0,
        Section(
            key="summary",
            title=gettext("各收货单位件数"),
            group=gettext("汇总"),
            rows=summary,
            header={"columns": SUMMARY_COLUMNS, "sheet": gettext("汇总"), "totals": 1},
        ),
    )
    rule = (
        gettext("县级数量按需求快照中各县级单位人员所占份额分配（最大余数法），各县合计等于市州数量")
        if per == "county"
        else gettext("省级合同按需求快照各市州数量分配（最大余数法）")
    )
    sources = [
        gettext("采购项目 {reference}").format(reference=tender.reference),
        gettext("已签订合同 {n} 份（含补充合同）").format(n=len(contracts)),
        *snapshots,
        rule,
    ]
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=scope_label(roots),
        requested_by=user.get_username(),
        requested_at=timezone.localtime(now or timezone.now()),
        sources=sources,
        columns=SUMMARY_COLUMNS,
        sections=sections,
        meta={"tender": tender.pk, "per": per, "contracts": contracts, "total": total_std + total_mtm},
    )


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=PackingParams,
        renderers={"pdf": _tables.render_pdf, "xlsx": _tables.render_xlsx},
        description="供应商装箱单：按合同明细分市州或分县级单位列出品名、性别、号型、数量，量体定制按人员列出",
        description_en="Packing lists for the suppliers from the contract lines, per city or per county: item, "
        "gender, size and quantity, made-to-measure pieces by officer",
    )
)
