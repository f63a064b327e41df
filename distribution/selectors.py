"""Every read of distribution, from the user's scope. Progress figures per unit × item × gender × size:

needed       the eligible officers' kits in the unit's subtree (from the roll; sizes not known are counted
             apart under size '?missing' or '?mtm')
allocated    the approved allocation plan's lines for the unit (the city line includes its spare)
shipped      into the unit's store: shipments dispatched to it and supplier deliveries accepted there
             (for the province: the sum over the cities)
in_transit   the unit's in-transit balance;  received, short, excess as confirmed
issued       issued to officers in the subtree, net of returns
outstanding  max(needed − issued, 0) of each unit's own officers, summed over the subtree (a surplus issued in
             one county does not hide a shortfall in another, and a unit's figure is its children's plus its own)
shipped = received + in_transit + short holds on every row (the ledger makes it so).

Every figure adds up the tree: a unit's = the sum of its children's (cities, or counties) + its own (本级,
`own` in the summaries). needed, issued and outstanding count officers, so 本级 is the unit's own staff (and
any station or inactive unit directly under it). allocated and the flows count what was planned for and
reached the unit from outside it (a city from the province, a county from its city), so 本级 is what reached
the unit and was not passed on to a child: the city's own store. Its in transit is negative while more is on
the road from the city to its counties than from the province to the city. The province's flows are the sum
of its cities' (its own store's supplier deliveries are stock, not distribution), so the province's 本级 flows
are 0 and its 本级 row is its own staff's needs and kits and its own allocation lines.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Max, Q
from django.utils import timezone

from assets.kit import active_items
from assets.models import ItemType
from assets.sizes import officer_sizes
from core import scope
from core.errors import NotFound
from personnel.choices import ELIGIBLE, Level
from personnel.models import Officer, OrgUnit

from . import issuing
from .choices import LocationKind, PlanStatus
from .models import (
    AllocationLine,
    AllocationPlan,
    BadgeNumber,
    DiscrepancyCase,
    IdempotentRequest,
    IssueRecord,
    Location,
    Movement,
    OpeningBalance,
    RecoveryTask,
    Shipment,
    StockBalance,
    Stocktake,
    UnitFlow,
)
from .services import _held_by_officers, balance, issue_plan, needed_by_unit

FIELDS = [
    "needed",
    "allocated",
    "shipped",
    "in_transit",
    "received",
    "short",
    "excess",
    "issued",
    "outstanding",
]
CSV_HEADER = ["unit_code", "item_code", "gender", "size", *FIELDS]


# ---- scoped lists -------------------------------------------------------------------------------------------


def shipments_for(user):
    paths = scope.scope_paths(user)
    qs = Shipment.objects.select_related("to_unit", "from_location", "from_location__unit")
    if paths is None:
        return qs
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(to_unit__path__startswith=p) | Q(from_location__unit__path__startswith=p)
    return qs.filter(q)


def shipment_get(user, shipment_id: int) -> Shipment:
    obj = shipments_for(user).filter(pk=shipment_id).first()
    if obj is None:
        raise NotFound()
    return obj


def plans_for(user):
    return scope.restrict(AllocationPlan.objects.select_related("city"), user, "city")


def plan_get(user, plan_id: int) -> AllocationPlan:
    return scope.get_in_scope_or_404(AllocationPlan.objects.select_related("city"), user, "city", pk=plan_id)


def cases_for(user):
    return scope.restrict(DiscrepancyCase.objects.select_related("shipment", "unit", "item"), user)


def case_get(user, case_id: int) -> DiscrepancyCase:
    return scope.get_in_scope_or_404(
        DiscrepancyCase.objects.select_related("shipment", "unit"), user, pk=case_id
    )


def recoveries_for(user):
    return scope.restrict(RecoveryTask.objects.select_related("officer", "unit"), user)


def recovery_get(user, task_id: int) -> RecoveryTask:
    return scope.get_in_scope_or_404(RecoveryTask.objects.select_related("officer", "unit"), user, pk=task_id)


def stocktakes_for(user):
    return scope.restrict(Stocktake.objects.select_related("unit"), user)


def stocktake_get(user, stocktake_id: int) -> Stocktake:
    return scope.get_in_scope_or_404(
        Stocktake.objects.select_related("unit", "location"), user, pk=stocktake_id
    )


def openings_for(user):
    return scope.restrict(OpeningBalance.objects.select_related("unit", "created_by", "decided_by"), user)


def opening_get(user, opening_id: int) -> OpeningBalance:
    return scope.get_in_scope_or_404(
        OpeningBalance.objects.select_related("unit", "created_by", "decided_by"), user, pk=opening_id
    )


def unit_get(user, code: str) -> OrgUnit:
    return scope.get_in_scope_or_404(OrgUnit.objects.all(), user, prefix="", code=code)


def officer_get(user, officer_id: int) -> Officer:
    return scope.get_in_scope_or_404(Officer.objects.select_related("unit"), user, pk=officer_id)


def item_codes() -> dict[int, str]:
    return dict(ItemType.objects.values_list("id", "code"))


def stock_of(user, code: str, *, at: datetime.datetime | None = None) -> list[dict]:
    """A unit's store balance now (from StockBalance) or at a past moment (summed from the ledger)."""
    unit = unit_get(user, code)
    loc = Location.objects.filter(key=f"unit:{unit.code}").first()
    if loc is None:
        return []
    codes = item_codes()
    if at is None:
        rows = [
            ((b.item_id, b.gender, b.size), b.quantity)
            for b in StockBalance.objects.filter(location=loc, quantity__gt=0)
        ]
    else:
        rows = list(balance(loc, at=at).items())
    return sorted(
        ({"item": codes[i], "gender": g, "size": s, "quantity": q} for (i, g, s), q in rows if q),
        key=lambda r: (r["item"], r["gender"], r["size"]),
    )


def movements_for(user, code: str):
    """The ledger rows in or out of a unit's locations (store, in transit, discrepancy), newest first."""
    unit = unit_get(user, code)
    locs = list(Location.objects.filter(unit=unit).values_list("id", flat=True))
    return (
        Movement.objects.filter(Q(from_location_id__in=locs) | Q(to_location_id__in=locs))
        .select_related("item", "from_location", "to_location")
        .order_by("-at", "-id")
    )


# ---- kit card, kit status ----------------------------------------------------------------------------------


def kit_card(officer: Officer) -> list[dict]:
    """个人被装卡: per item and size what the officer holds, when last issued, when due for replacement
    (issue date + the item's service life)."""
    loc = Location.objects.filter(officer=officer).first()
    if loc is None:
        return []
    items = {i.pk: i for i in ItemType.objects.all()}
    held = _held_by_officers([officer.pk]).get(officer.pk, {})
    last = {}
    for m in (
        Movement.objects.filter(to_location=loc).order_by("at").values("item_id", "gender", "size", "at")
    ):
        last[(m["item_id"], m["gender"], m["size"])] = m["at"]
    out = []
    for (item_id, g, s), q in sorted(held.items(), key=lambda kv: (items[kv[0][0]].sort_order, kv[0])):
        if q <= 0:
            continue
        it = items[item_id]
        issued = last.get((item_id, g, s))
        due = None
        if issued is not None:
            d = timezone.localdate(issued)  # the users' day (Asia/Shanghai), not UTC's
            try:
                due = d.replace(year=d.year + it.service_life_years)
            except ValueError:  # 29 February
                due = d.replace(year=d.year + it.service_life_years, day=28)
        out.append(
            {
                "item": it.code,
                "name": it.name_for(g),
                "gender": g,
                "size": s,
                "quantity": q,
                "issued_on": timezone.localdate(issued) if issued else None,
                "due_on": due,
            }
        )
    return out


def kit_status(officers: list[Officer]) -> dict[int, dict]:
    """Per officer: complete, or what is missing (item, size, quantity) against the entitlement standard, each
    with its name (the officer's version) and why it cannot simply be issued by size: `reason` "mtm" (made to
    measure), "missing" (a measurement missing), "no_badge" (no badge number yet), "" (a size is known).
    `size` stays the size code, or the size's status where there is none (the API's field as it was)."""
    items = [i for i in active_items() if i.qty_per_officer > 0]
    held = _held_by_officers([o.pk for o in officers])
    badges = set(
        BadgeNumber.objects.filter(officer_id__in=[o.pk for o in officers]).values_list(
            "officer_id", flat=True
        )
    )
    out = {}
    for o in officers:
        sizes = officer_sizes(o)
        by_item = defaultdict(int)
        for (item_id, _g, _s), q in held.get(o.pk, {}).items():
            by_item[item_id] += q
        missing = []
        for it in items:
            if by_item[it.pk] >= it.qty_per_officer:
                continue
            sz = sizes[it.size_system]
            reason = ""
            if sz.code is None:
                reason = issuing.MTM if sz.status == issuing.MTM else issuing.NO_SIZE
            elif it.size_system == "badge_number" and o.pk not in badges:
                reason = issuing.NO_BADGE
            missing.append(
                {
                    "item": it.code,
                    "name": issuing.line_name(it, o.gender),
                    "gender": o.gender,
                    "size": sz.code or sz.status,
                    "quantity": it.qty_per_officer - by_item[it.pk],
                    "reason": reason,
                    "reason_text": issuing.reason_text(reason, o, it.size_system) if reason else "",
                }
            )
        out[o.pk] = {"complete": not missing, "missing": missing}
    return out


def issue_preview(user, unit: OrgUnit, officers: list[Officer] | None = None) -> issuing.IssuePlan:
    """What an issue from `unit`'s store to its eligible officers (or those given) would give now, and what
    would stay outstanding and why — the service's own rule (services.issue_plan), run on today's stock
    without writing. After an issue this is the unit's outstanding list."""
    if not scope.in_scope(user, unit):
        raise NotFound()
    if officers is None:
        officers = list(Officer.objects.eligible().filter(unit=unit))
    return issue_plan(unit, officers)


def issue_answer(user, key: str, action: str) -> dict | None:
    """The stored answer of one of the user's own issues, by its Idempotency-Key (None if there is none)."""
    req = IdempotentRequest.objects.filter(user=user, key=key[:100], action=action).first()
    return req.response if req is not None and req.response else None


def badge_rows(user) -> list[dict]:
    qs = scope.restrict(BadgeNumber.objects.select_related("officer", "officer__unit"), user, "officer__unit")
    return [
        {
            "number": b.code,
            "name": b.officer.name,
            "unit": b.officer.unit.name,
            "unit_code": b.officer.unit.code,
            "gender": b.officer.gender,
        }
        for b in qs.order_by("number")
    ]


def issues_for(user):
    return scope.restrict(IssueRecord.objects.select_related("officer", "unit"), user)


# ---- progress -----------------------------------------------------------------------------------------------


def _roll_signature() -> tuple:
    o = Officer.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    i = ItemType.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    u = OrgUnit.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    return (o["n"], str(o["t"]), i["n"], str(i["t"]), u["n"], str(u["t"]))


# the roll's kit needs, kept per process: "needed" = (roll signature, rolled-up needs); "units" = (catalog
# signature, {unit id: (officer count, last update, known, unknown)}) so that after a roll change only the
# units whose officers changed are summed again
_NEEDED_MEMO: dict = {}


def _ancestors() -> dict[int, list[int]]:
    """unit id → ids of itself and every unit above it (from the paths)."""
    units = list(OrgUnit.objects.values_list("id", "code", "path"))
    by_code = {code: uid for uid, code, _ in units}
    return {uid: [by_code[c] for c in path.strip("/").split("/") if c in by_code] for uid, _, path in units}


def needed_rolled() -> dict[int, dict[tuple, int]]:
    """unit id → {(item id, gender, size): needed} over the unit's whole subtree, from the roll (sizes not
    known under '?missing' / '?mtm'). Kept in memory until the roll, the catalog or the org tree changes (their
    counts and last updates), so a progress page does not recompute 10,000 kits; after a change only the units
    whose officers changed (count or last update) are summed again, then everything is rolled up."""
    sig = _roll_signature()
    hit = _NEEDED_MEMO.get("needed")
    if hit is not None and hit[0] == sig:
        return hit[1]
    catalog = sig[2:4]
    now = {
        uid: (n, str(t))
        for uid, n, t in Officer.objects.values("unit_id")
        .annotate(n=Count("id"), t=Max("updated_at"))
        .values_list("unit_id", "n", "t")
        .order_by()
    }
    memo = _NEEDED_MEMO.get("units")
    units = memo[1] if memo is not None and memo[0] == catalog else {}
    stale = [uid for uid, st in now.items() if units.get(uid, (None, None))[:2] != st]
    if stale:
        known, unknown = needed_by_unit(None if len(stale) > len(now) // 2 else stale)
        fresh: dict[int, tuple[dict, dict]] = {uid: ({}, {}) for uid in stale}
        for key, q in known.items():
            if key[0] in fresh:
                fresh[key[0]][0][key] = q
        for key, q in unknown.items():
            if key[0] in fresh:
                fresh[key[0]][1][key] = q
        units = {uid: v for uid, v in units.items() if uid in now}
        units.update({uid: (*now[uid], *fresh[uid]) for uid in stale})
    _NEEDED_MEMO["units"] = (catalog, units)
    known_all, unknown_all = {}, {}
    for _n, _t, k, u in units.values():
        known_all.update(k)
        unknown_all.update(u)
    out = _roll_up(known_all, unknown_all, _ancestors())
    _NEEDED_MEMO["needed"] = (sig, out)
    return out


def _roll_up(known: dict, unknown: dict, anc: dict[int, list[int]]) -> dict[int, dict[tuple, int]]:
    """Each unit's own needs, then the units deepest first, each added into its parent: every key is added
    once per level it climbs, and a parent's dict is shared by its many children's overlapping keys."""
    own: dict[int, dict[tuple, int]] = defaultdict(dict)
    for (unit_id, item_id, g, s), q in known.items():
        own[unit_id][(item_id, g, s)] = q
    for (unit_id, item_id, g, status), q in unknown.items():
        mine, key = own[unit_id], (item_id, g, f"?{status}")
        mine[key] = mine.get(key, 0) + q
    rolled: dict[int, dict[tuple, int]] = {}
    for uid in sorted(anc, key=lambda u: len(anc[u]), reverse=True):
        acc = rolled.get(uid)
        mine = own.get(uid)
        if mine:
            if acc is None:
                acc = rolled[uid] = dict(mine)
            else:
                for k, q in mine.items():
                    acc[k] = acc.get(k, 0) + q
        if acc is None:
            continue
        chain = anc[uid]
        if len(chain) > 1 and chain[-1] == uid:
            parent = rolled.get(chain[-2])
            if parent is None:
                rolled[chain[-2]] = dict(acc)
            else:
                for k, q in acc.items():
                    parent[k] = parent.get(k, 0) + q
    return rolled


def _issued_outstanding(
    units: list[OrgUnit],
) -> tuple[dict[int, dict[tuple, int]], dict[int, dict[tuple, int]]]:
    """(issued, outstanding): unit id → {(item id, gender, size): quantity} for the units given, over each
    unit's subtree, from one read of the units' own issued figures. issued: what the subtree's officers were
    issued, net of returns; outstanding: max(needed − issued, 0) of each unit's own officers, summed over the
    subtree, so that it adds up like the other figures (a surplus in one county does not hide a shortfall in
    another). Each unit's own needs come from needed_rolled()'s memo."""
    wanted = {u.pk for u in units}
    anc = _ancestors()
    if "units" not in _NEEDED_MEMO:  # the rolled-up needs were kept without the per-unit ones: sum them again
        _NEEDED_MEMO.pop("needed", None)
        needed_rolled()
    own_needs = _NEEDED_MEMO["units"][1]
    issued: dict[int, dict[tuple, int]] = {uid: {} for uid in wanted}
    outstanding: dict[int, dict[tuple, int]] = {uid: {} for uid in wanted}
    into_issued: dict[int, list[dict]] = {}

    def targets(unit_id: int) -> list[dict]:
        t = into_issued.get(unit_id)
        if t is None:
            t = into_issued[unit_id] = [issued[a] for a in anc.get(unit_id, ()) if a in wanted]
        return t

    qs = UnitFlow.objects.exclude(issued=0)
    if not any(u.level == Level.PROVINCE for u in units):
        q_sub = Q(pk__in=[])
        for u in units:
            q_sub |= Q(unit__path__startswith=u.path)
        qs = qs.filter(q_sub)
    own_issued: dict[int, dict[tuple, int]] = defaultdict(dict)
    for unit_id, i, g, s, q in qs.values_list("unit_id", "item_id", "gender", "size", "issued"):
        key = (i, g, s)
        own_issued[unit_id][key] = q
        for t in targets(unit_id):
            t[key] = t.get(key, 0) + q
    for uid, (_n, _t, known, unknown) in own_needs.items():
        into = [outstanding[a] for a in anc.get(uid, ()) if a in wanted]
        if not into:
            continue
        mine = own_issued.get(uid, {})
        own: dict[tuple, int] = defaultdict(int)
        for (_u, item_id, g, size), q in known.items():
            own[(item_id, g, size)] += q
        for (_u, item_id, g, status), q in unknown.items():
            own[(item_id, g, f"?{status}")] += q
        for key, n in own.items():
            o = n - mine.get(key, 0)
            if o > 0:
                for t in into:
                    t[key] = t.get(key, 0) + o
    return issued, outstanding


def _progress_parts(units: list[OrgUnit]) -> dict[str, tuple]:
    """unit code → (needed, issued, flows, in transit, allocated, outstanding), each keyed by (item id, gender,
    size)."""
    wanted = {u.pk for u in units}
    province_ids = [u.pk for u in units if u.level == Level.PROVINCE]
    city_ids = set(OrgUnit.objects.filter(level=Level.CITY).values_list("id", flat=True))
    needed = needed_rolled()
    issued, outstanding = _issued_outstanding(units)
    # flow figures: the unit's own; the province's are the sum over its cities (its own store's deliveries
    # from suppliers are stock, not distribution: counting them too would make the province row more than the
    # sum of its cities)
    sources = wanted | (city_ids if province_ids else set())
    flow_sources = sources - set(province_ids)

    def targets(unit_id):
        out = [unit_id] if unit_id in wanted else []
        if unit_id in city_ids:
            out += province_ids
        return out

    own = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    for unit_id, item_id, g, s, shipped, received, short, excess in (
        UnitFlow.objects.filter(unit_id__in=flow_sources)
        .exclude(shipped=0, received=0, short=0, excess=0)
        .values_list("unit_id", "item_id", "gender", "size", "shipped", "received", "short", "excess")
    ):
        for t in targets(unit_id):
            row = own[t][(item_id, g, s)]
            row[0] += shipped
            row[1] += received
            row[2] += short
            row[3] += excess
    transit = defaultdict(lambda: defaultdict(int))
    for unit_id, item_id, g, s, q in StockBalance.objects.filter(
        location__kind=LocationKind.TRANSIT, location__unit_id__in=flow_sources, quantity__gt=0
    ).values_list("location__unit_id", "item_id", "gender", "size", "quantity"):
        for t in targets(unit_id):
            transit[t][(item_id, g, s)] += q
    allocated = defaultdict(lambda: defaultdict(int))
    for unit_id, item_id, g, s, q, sp in AllocationLine.objects.filter(
        plan__status=PlanStatus.APPROVED, unit_id__in=sources
    ).values_list("unit_id", "item_id", "gender", "size", "quantity", "spare"):
        for t in targets(unit_id):
            allocated[t][(item_id, g, s)] += q + sp
    return {
        u.code: (
            needed.get(u.pk, {}),
            issued.get(u.pk, {}),
            own.get(u.pk, {}),
            transit.get(u.pk, {}),
            allocated.get(u.pk, {}),
            outstanding.get(u.pk, {}),
        )
        for u in units
    }


def _totals(parts) -> dict:
    """The figures of one unit summed over items, straight from its parts (no per-key rows)."""
    need, iss, flow, tr, alloc, out = parts
    t = {
        "needed": sum(need.values()),
        "allocated": sum(alloc.values()),
        "in_transit": sum(tr.values()),
        "issued": sum(iss.values()),
        "outstanding": sum(out.values()),
    }
    for n, f in enumerate(("shipped", "received", "short", "excess")):
        t[f] = sum(v[n] for v in flow.values())
    return {f: t[f] for f in FIELDS}


def progress(units: list[OrgUnit]) -> dict[str, dict[tuple, dict]]:
    """unit code → {(item code, gender, size): figures} for each unit given (see the module docstring)."""
    codes = item_codes()
    parts = _progress_parts(units)
    return {unit.code: _rows(parts[unit.code], codes) for unit in units}


def _key_rows(parts) -> dict[tuple, dict]:
    """{(item id, gender, size): figures} of one unit, the keys with any figure."""
    need, iss, flow, tr, alloc, out = parts
    rows = {}
    for key in {*need, *iss, *flow, *tr, *alloc}:
        f = flow.get(key, (0, 0, 0, 0))
        r = {
            "needed": need.get(key, 0),
            "allocated": alloc.get(key, 0),
            "shipped": f[0],
            "in_transit": tr.get(key, 0),
            "received": f[1],
            "short": f[2],
            "excess": f[3],
            "issued": iss.get(key, 0),
            "outstanding": out.get(key, 0),
        }
        if any(r.values()):
            rows[key] = r
    return rows


def _rows(parts, codes) -> dict[tuple, dict]:
    return {(codes[k[0]], k[1], k[2]): r for k, r in _key_rows(parts).items()}


def progress_units(user, city_code: str | None = None) -> list[OrgUnit]:
    """The province, its cities and counties the user may read (or one city and its counties)."""
    qs = OrgUnit.objects.restrict(user).filter(
        is_active=True, level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY]
    )
    if city_code:
        city = unit_get(user, city_code)
        qs = qs.filter(path__startswith=city.path)
    return list(qs.order_by("path"))


def progress_rows(units: list[OrgUnit]) -> list[dict]:
    """The CSV/JSON rows: one per unit × item × gender × size, ordered."""
    data = progress(units)
    order = {i.code: (i.sort_order, i.code) for i in ItemType.objects.all()}
    out = []
    for unit in units:
        rows = data[unit.code]
        for key in sorted(rows, key=lambda k: (order.get(k[0], (0, k[0])), k[1], k[2])):
            out.append(
                {"unit_code": unit.code, "item_code": key[0], "gender": key[1], "size": key[2], **rows[key]}
            )
    return out


def _children(user, units: list[OrgUnit]) -> list[OrgUnit]:
    """The active city and county units directly under `units`, in the user's scope, by code."""
    return list(
        OrgUnit.objects.restrict(user)
        .filter(parent__in=units, is_active=True, level__in=[Level.CITY, Level.COUNTY])
        .order_by("code")
    )


def own_figures(totals: dict, children: list[dict]) -> dict:
    """本级: the unit's figures less its children's, so that children + 本级 = the unit for every figure (see
    the module docstring for what that is, figure by figure)."""
    return {f: totals[f] - sum(c[f] for c in children) for f in FIELDS}


def _summary(unit: OrgUnit, children: list[OrgUnit], parts: dict, codes: dict) -> dict:
    rows = _rows(parts[unit.code], codes)
    totals = _totals(parts[unit.code])
    kids = [{"unit_code": c.code, "unit_name": c.name, **_totals(parts[c.code])} for c in children]
    return {
        "unit_code": unit.code,
        "unit_name": unit.name,
        "level": unit.level,
        "totals": totals,
        "rows": [{"item_code": k[0], "gender": k[1], "size": k[2], **v} for k, v in sorted(rows.items())],
        "children": kids,
        "own": own_figures(totals, kids),
    }


def progress_level(user, code: str) -> dict:
    """One level of the progress drill-down, totals only (no rows by item): the unit, its totals, its children
    in the user's scope (the province's cities, a city's counties) with theirs, and 本级 (`own`), such that
    children + own = totals for every figure. {"unit": OrgUnit, "totals", "children": [{"unit": OrgUnit,
    **figures}], "own"}."""
    unit = unit_get(user, code)
    kids = _children(user, [unit])
    parts = _progress_parts([unit, *kids])
    totals = _totals(parts[unit.code])
    children = [{"unit": c, **_totals(parts[c.code])} for c in kids]
    return {"unit": unit, "totals": totals, "children": children, "own": own_figures(totals, children)}


def progress_detail(user, code: str, *, item_id: int | None = None, own: bool = False) -> list[dict]:
    """One unit's figures by item × gender × size (its whole subtree; with `own`, its 本级: the unit's less its
    children's, key by key, so these rows add up to progress_level's `own`), in catalog order, optionally of
    one item: [{"item": ItemType, "gender", "size", **figures}]."""
    unit = unit_get(user, code)
    if own:
        kids = _children(user, [unit])
        parts = _progress_parts([unit, *kids])
        rows = _key_rows(parts[unit.code])
        for kid in kids:
            for key, r in _key_rows(parts[kid.code]).items():
                mine = rows.setdefault(key, dict.fromkeys(FIELDS, 0))
                for f in FIELDS:
                    mine[f] -= r[f]
        rows = {k: r for k, r in rows.items() if any(r.values())}
    else:
        rows = _key_rows(_progress_parts([unit])[unit.code])
    items = {i.pk: i for i in ItemType.objects.all()}
    keys = [k for k in rows if item_id is None or k[0] == item_id]
    keys.sort(key=lambda k: (items[k[0]].sort_order, items[k[0]].code, k[1], _size_order(k[2])))
    return [{"item": items[k[0]], "gender": k[1], "size": k[2], **rows[k]} for k in keys]


def _size_order(size: str) -> tuple:
    """Known sizes first, in order, then made to measure and measurements missing."""
    return (size.startswith("?"), size)


def progress_summary(user, code: str) -> dict:
    """One unit's progress: totals and rows by item × gender × size, plus its children's totals."""
    unit = unit_get(user, code)
    children = _children(user, [unit])
    return _summary(unit, children, _progress_parts([unit, *children]), item_codes())


def progress_tree(user, code: str) -> dict:
    """progress_summary of `code` and of each of its children (e.g. the province and every city), from ONE
    _progress_parts pass over the unit, its children and their children, instead of one pass (5 queries and
    the ancestors' map) per unit: {"unit": summary, "children": {child code: summary}}, each summary exactly
    what progress_summary returns. Read-only; added for the distribution-progress report."""
    unit = unit_get(user, code)
    kids = _children(user, [unit])
    grandkids = _children(user, kids)
    parts = _progress_parts([unit, *kids, *grandkids])
    codes = item_codes()
    under: dict[int, list[OrgUnit]] = defaultdict(list)
    for g in grandkids:
        under[g.parent_id].append(g)
    return {
        "unit": _summary(unit, kids, parts, codes),
        "children": {k.code: _summary(k, under[k.pk], parts, codes) for k in kids},
    }


def badge_numbers(officer_ids) -> dict[int, str]:
    """{officer id: badge number '000123'} for the officers who have one (settings
    REPORT_BADGE_NUMBER_PROVIDER = "distribution.selectors.badge_numbers" for the sign-for sheets). The caller
    has already restricted the officers to its scope; one query per 5,000 ids."""
    ids = list(officer_ids)
    out: dict[int, str] = {}
    for i in range(0, len(ids), 5000):
        for oid, number in BadgeNumber.objects.filter(officer_id__in=ids[i : i + 5000]).values_list(
            "officer_id", "number"
        ):
            out[oid] = f"{number:06d}"
    return out


def case_movements(case: DiscrepancyCase) -> list[Movement]:
    """The ledger rows a case's settlement posted (write-off or claim), oldest first; a re-ship's own
    dispatch rows belong to the new shipment."""
    return list(
        Movement.objects.filter(doc_type="case", doc_id=case.pk)
        .select_related("item", "from_location__unit", "to_location__unit")
        .order_by("at", "id")
    )


def badge_list(user, paths: list[str]) -> list[dict]:
    """The badge numbers (胸号) of the eligible officers in the user's scope under the given unit paths (a
    number stays with an officer who left, but no badge is made for them), for the supplier's list (reports: badge-list): [{number '000123', officer_id, name, gender 'M'/'F', unit_code,
    unit_name, city_code}], by number. One query."""
    qs = (
        scope.restrict(BadgeNumber.objects.all(), user, "officer__unit")
        .filter(officer__status__in=ELIGIBLE)
        .exclude(officer__certificate_number="")
    )  # badges are made for serving officers only
    q = Q()
    for p in paths:
        q |= Q(officer__unit__path__startswith=p)
    rows = (
        qs.filter(q)
        .order_by("number")
        .values_list(
            "number",
            "officer_id",
            "officer__name",
            "officer__gender",
            "officer__unit__code",
            "officer__unit__name",
            "officer__unit__city__code",
        )
    )
    return [
        {
            "number": f"{n:06d}",
            "officer_id": oid,
            "name": name,
            "gender": g,
            "unit_code": ucode,
            "unit_name": uname,
            "city_code": city or ucode,
        }
        for n, oid, name, g, ucode, uname, city in rows
    ]
