"""Demand per city × item × gender × size, exactly as assets/data/SIZING.md ("Demand").

Computed from the database in one query: eligible officers fetched with .values(), each officer's sizes
computed once, officers counted per (city, gender, size system, size) and then multiplied by each item's
quantity in the standard. What has no size (a missing measurement, or made to measure) is not a row: it
is reported apart, per item with the officers' names (unknown), or per officer with the measurements and
the items (made to measure, which become per-officer contract lines).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext

from core import scope
from core.errors import QMError
from personnel.models import Officer

from . import sizes as S
from .kit import SKIRT_CODE, SKIRT_ITEM, SKIRT_NAME, current_standard, split_skirts
from .models import StandardVersion

MARGIN_PERCENT = 3
SYSTEMS = ("top", "bottom", "shoe_mm", "hat_cm", "none", "badge_number")
MEASURED = ("top", "bottom", "shoe_mm", "hat_cm")
GENDER_LABEL = {"M": "男", "F": "女"}
MEASUREMENTS = ("height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm", "shoe_eu")
OFFICER_FIELDS = (
    "id",
    "name",
    "gender",
    "unit__code",
    "unit__name",
    "unit__city__code",
    *MEASUREMENTS,
    "skirt_choice__skirts",
)


def with_margin(n: int, percent: int = MARGIN_PERCENT) -> int:
    """⌈n × (100 + percent) / 100⌉ in integer arithmetic: 100 → 103, 101 → 105 at 3%."""
    if n < 0 or percent < 0:
        raise QMError("bad_margin", gettext("数量与备用比例不能为负"))
    return -(-n * (100 + percent) // 100)


@dataclass(frozen=True)
class StandardItem:
    code: str
    name_zh: str
    name_men: str
    name_women: str
    size_system: str
    quantity: int
    sort_order: int

    def name_for(self, gender: str) -> str:
        return self.name_women if gender == "F" else self.name_men


def standard_items(version: StandardVersion | None) -> list[StandardItem]:
    """The items in force in a version (quantity > 0), in catalog order. Without any version yet, the
    catalog's active items."""
    if version is None:
        from .models import ItemType

        return [
            StandardItem(
                i.code, i.name_zh, i.name_men, i.name_women, i.size_system, i.qty_per_officer, i.sort_order
            )
            for i in ItemType.objects.filter(is_active=True, qty_per_officer__gt=0)
        ]
    rows = version.lines.filter(qty_per_officer__gt=0).values_list(
        "item__code",
        "item__name_zh",
        "item__name_men",
        "item__name_women",
        "item__size_system",
        "qty_per_officer",
        "item__sort_order",
    )
    return sorted((StandardItem(*r) for r in rows), key=lambda i: (i.sort_order, i.code))


def _plain(value):
    return None if value is None else str(value)


def officer_profile(row: dict) -> dict:
    """One officer as the demand sees them (JSON-able; kept in snapshots): where they count, their size
    per measured system (None when there is none) and why not."""
    sizes = S.sizes_for(
        row["gender"],
        row["height_cm"],
        row["chest_cm"],
        row["waist_cm"],
        row["head_cm"],
        S.foot_length(row["foot_mm"], row["shoe_eu"]),
    )
    profile = {
        "id": row["id"],
        "name": row["name"],
        "gender": row["gender"],
        "city": row["unit__city__code"] or row["unit__code"],
        "unit": row["unit__code"],
        "skirts": row["skirt_choice__skirts"],
    }
    for system in MEASURED:
        size = sizes[system]
        profile[system] = size.code
        if not size.known:
            profile.setdefault("why", {})[system] = [size.status, size.reason]
    if "why" in profile:  # the unit's name and the measurements go with the officers reported apart
        profile["unit_name"] = row["unit__name"]
        profile["m"] = {k: _plain(row[k]) for k in MEASUREMENTS}
    return profile


def size_of(profile: dict, system: str) -> str | None:
    return profile[system] if system in MEASURED else S.ONE_SIZE


def officer_lines(profile: dict, items: list[StandardItem]) -> list[tuple[str, str, str | None, int]]:
    """(item_code, gender, size or None, quantity) of one officer's entitlement, skirts split out."""
    out = []
    g = profile["gender"]
    for item in items:
        size = size_of(profile, item.size_system)
        if item.code == SKIRT_ITEM:
            trousers, k = split_skirts(g, item.quantity, profile["skirts"])
            if trousers:
                out.append((item.code, g, size, trousers))
            if k:
                out.append((SKIRT_CODE, g, size, k))
        else:
            out.append((item.code, g, size, item.quantity))
    return out


def officer_contributions(profile: dict, items: list[StandardItem]) -> Counter:
    """{(city, item, gender, size): quantity} this officer adds to the size-table rows."""
    c = Counter()
    for code, g, size, qty in officer_lines(profile, items):
        if size is not None:
            c[(profile["city"], code, g, size)] += qty
    return c


@dataclass
class Demand:
    standard_version: int | None
    standard_version_id: int | None
    items: list[StandardItem]
    rows: dict = field(default_factory=dict)  # (city, item, gender, size) → quantity
    made_to_measure: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    officers: list = field(default_factory=list)
    margin_percent: int = MARGIN_PERCENT

    def row_list(self, city_code: str | None = None) -> list[dict]:
        return [
            {"city_code": c, "item_code": i, "gender": g, "size": s, "quantity": q}
            for (c, i, g, s), q in sorted(self.rows.items())
            if city_code is None or c == city_code
        ]

    def totals(self) -> dict:
        """{item_code: {"M": n, "F": n}} of the rows (made to measure and unknown not included)."""
        out = defaultdict(lambda: {"M": 0, "F": 0})
        for (_c, i, g, _s), q in self.rows.items():
            out[i][g] += q
        return dict(out)

    def order_lines(self, city_code: str | None = None) -> list[dict]:
        return order_lines(self.row_list(), self.margin_percent, city_code)


def split_margin(by_city: dict[str, int], percent: int = MARGIN_PERCENT) -> dict[str, int]:
    """SIZING.md "Demand" (统采分签): one line's provincial order ⌈N × (100+m) / 100⌉ shared by the cities in
    proportion to their quantities n_c. The spare s = order − N: each city first gets ⌊s × n_c / N⌋, the
    pieces left go one each to the largest remainders (s × n_c mod N), ties to the smaller city code. The
    cities' quantities add up to the provincial order exactly. {city: n_c} → {city: n_c + its share}."""
    total = sum(by_city.values())
    if total == 0:
        return dict(by_city)
    spare = with_margin(total, percent) - total
    share = {c: spare * n // total for c, n in by_city.items()}
    left = spare - sum(share.values())
    for c in sorted(by_city, key=lambda c: (-(spare * by_city[c] % total), c))[:left]:
        share[c] += 1
    return {c: n + share[c] for c, n in by_city.items()}


def order_lines(
    rows: list[dict], margin_percent: int = MARGIN_PERCENT, city_code: str | None = None
) -> list[dict]:
    """Per item × gender × size: the demand and the order with the margin. Without a city, the provincial
    order of the rows given. With one, that city's contract lines (统采分签): its share of the provincial order
    of the rows given (split_margin), so pass every city's rows; the cities' lines add up to the province's."""
    by_line: dict[tuple, Counter] = defaultdict(Counter)
    for r in rows:
        by_line[(r["item_code"], r["gender"], r["size"])][r["city_code"]] += r["quantity"]
    out = []
    for (i, g, s), cities in sorted(by_line.items()):
        if city_code is None:
            n = sum(cities.values())
            order = with_margin(n, margin_percent)
        else:
            n = cities.get(city_code, 0)
            if not n:
                continue
            order = split_margin(dict(cities), margin_percent)[city_code]
        out.append({"item_code": i, "gender": g, "size": s, "quantity": n, "order_quantity": order})
    return out


def eligible_officers(*, user=None, city_code: str | None = None):
    qs = Officer.objects.eligible()
    if user is not None:
        qs = scope.restrict(qs, user)
    if city_code:
        qs = qs.filter(unit__city__code=city_code)
    return qs


def compute(
    *,
    user=None,
    city_code: str | None = None,
    standard: StandardVersion | None = None,
    margin_percent: int = MARGIN_PERCENT,
    officers_qs=None,
) -> Demand:
    """The demand of the eligible officers (in the user's scope, of one city if given) under a version of
    the standard (default the current one)."""
    if margin_percent < 0 or margin_percent > 100:
        raise QMError("bad_margin", gettext("备用比例须在 0–100 之间"), {"field": "margin"})
    standard = standard or current_standard()
    items = standard_items(standard)
    qs = officers_qs if officers_qs is not None else eligible_officers(user=user, city_code=city_code)
    profiles = [officer_profile(r) for r in qs.order_by().values(*OFFICER_FIELDS)]
    profiles.sort(key=lambda p: (p["city"], p["unit"], p["name"], p["id"]))
    demand = Demand(
        standard_version=standard.number if standard else None,
        standard_version_id=standard.pk if standard else None,
        items=items,
        officers=profiles,
        margin_percent=margin_percent,
    )
    aggregate(demand)
    return demand


def aggregate(demand: Demand) -> None:
    """Fill rows, unknown and made_to_measure from demand.officers and demand.items."""
    items = demand.items
    by_system: dict[str, Counter] = {s: Counter() for s in SYSTEMS}
    skirts = Counter()
    cities = Counter()
    skirt_qty = next((i.quantity for i in items if i.code == SKIRT_ITEM), 0)
    troubled = []
    for p in demand.officers:
        city, g = p["city"], p["gender"]
        cities[(city, g)] += 1
        for system in MEASURED:
            code = p[system]
            if code is not None:
                by_system[system][(city, g, code)] += 1
        if g == "F" and p["skirts"] and p["bottom"] is not None:
            skirts[(city, p["bottom"])] += split_skirts(g, skirt_qty, p["skirts"])[1]
        if "why" in p:
            troubled.append(p)
    for (city, g), n in cities.items():
        by_system["none"][(city, g, S.ONE_SIZE)] = n
        by_system["badge_number"][(city, g, S.ONE_SIZE)] = n
    rows = {}
    for item in items:
        q = item.quantity
        for (city, g, size), n in by_system[item.size_system].items():
            rows[(city, item.code, g, size)] = q * n
        if item.code == SKIRT_ITEM:
            for (city, size), k in skirts.items():
                key = (city, item.code, "F", size)
                rows[key] -= k
                if not rows[key]:
                    del rows[key]
                rows[(city, SKIRT_CODE, "F", size)] = k
    demand.rows = rows
    demand.unknown, demand.made_to_measure = reported_apart(troubled, items)


def _name(code: str, gender: str, names: dict) -> str:
    return SKIRT_NAME if code == SKIRT_CODE else names[code].name_for(gender)


def reported_apart(troubled: list[dict], items: list[StandardItem]) -> tuple[list, list]:
    """(unknown per item with the officers' names, made-to-measure lines per officer)."""
    names = {i.code: i for i in items}
    systems = {i.code: i.size_system for i in items}
    systems[SKIRT_CODE] = "bottom"
    unknown: dict[str, dict] = {}
    mtm = []
    for p in troubled:
        why = p["why"]
        lines = []
        for code, g, size, qty in officer_lines(p, items):
            if size is not None:
                continue
            status, reason = why[systems[code]]
            if status == S.MADE_TO_MEASURE:
                lines.append(
                    {"item_code": code, "name": _name(code, g, names), "quantity": qty, "reason": reason}
                )
            else:
                entry = unknown.setdefault(
                    code, {"item_code": code, "quantity": {"M": 0, "F": 0}, "officers": []}
                )
                entry["quantity"][g] += qty
                entry["officers"].append(
                    {
                        "id": p["id"],
                        "name": p["name"],
                        "gender": g,
                        "city_code": p["city"],
                        "unit_code": p["unit"],
                        "unit_name": p["unit_name"],
                        "quantity": qty,
                        "reason": reason,
                    }
                )
        if lines:
            mtm.append(
                {
                    "officer_id": p["id"],
                    "name": p["name"],
                    "gender": p["gender"],
                    "city_code": p["city"],
                    "unit_code": p["unit"],
                    "unit_name": p["unit_name"],
                    "measurements": p["m"],
                    "items": lines,
                }
            )
    order = {i.code: n for n, i in enumerate(items)}
    order[SKIRT_CODE] = order.get(SKIRT_ITEM, 0) + 0.5
    unknown_list = []
    for code in sorted(unknown, key=lambda c: order[c]):
        entry = unknown[code]
        entry["name"] = SKIRT_NAME if code == SKIRT_CODE else names[code].name_zh
        entry["officer_count"] = len(entry["officers"])
        unknown_list.append(entry)
    return unknown_list, mtm
