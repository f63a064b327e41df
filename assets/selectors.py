"""Every read of the catalog, the standard, sizes, demand and snapshots, from the user's scope."""

from collections import Counter, defaultdict

from django.db.models import Count
from django.utils.translation import gettext, gettext_lazy, pgettext

from core import scope
from core.errors import NotFound, QMError
from personnel import selectors as personnel_selectors
from personnel.models import OrgUnit

from . import demand as D
from .kit import current_standard
from .models import DemandSnapshot, ItemType, SkirtChoice, SnapshotRow, StandardVersion
from .sizes import MADE_TO_MEASURE, MISSING, officer_sizes

SYSTEM_LABELS = {
    "top": gettext_lazy("上衣"),
    "bottom": gettext_lazy("下装"),
    "shoe_mm": gettext_lazy("鞋"),
    "hat_cm": gettext_lazy("帽"),
}


# ---- catalog and standard ----------------------------------------------------------------------------


def item_types(*, include_inactive: bool = False):
    qs = ItemType.objects.all()
    return qs if include_inactive else qs.filter(is_active=True)


def item_type_get(code: str) -> ItemType:
    item = ItemType.objects.filter(code=code).first()
    if item is None:
        raise NotFound(gettext("未知品类：{code}").format(code=code))
    return item


def standard_versions():
    return StandardVersion.objects.annotate(line_count=Count("lines")).order_by("-number")


def standard_version_get(number: int | None = None) -> StandardVersion:
    version = current_standard() if number is None else StandardVersion.objects.filter(number=number).first()
    if version is None:
        raise NotFound(
            gettext("配发标准尚未建立")
            if number is None
            else gettext("无此版本：{number}").format(number=number)
        )
    return version


def standard_lines(version: StandardVersion) -> list[dict]:
    return [
        {
            "item_code": ln.item.code,
            "name_zh": ln.item.name_zh,
            "name_men": ln.item.name_men,
            "name_women": ln.item.name_women,
            "size_system": ln.item.size_system,
            "qty_per_officer": ln.qty_per_officer,
            "service_life_years": ln.service_life_years,
            "source": ln.source,
            "is_assumption": ln.source == "assumption",
        }
        for ln in version.lines.select_related("item").order_by("item__sort_order", "item__code")
    ]


# ---- sizes ---------------------------------------------------------------------------------------------


def officer_size_report(user, officer_id: int) -> dict:
    """An officer's current size codes per size system and, for each without one, why: a missing
    measurement (缺少测量, missing measurement) or made to measure. Scoped like the roll."""
    officer = personnel_selectors.officer_get(user, officer_id)
    return size_report(officer)


def size_report(officer) -> dict:
    sizes = officer_sizes(officer)
    skirts = SkirtChoice.objects.filter(officer_id=officer.pk).values_list("skirts", flat=True).first()
    out = {
        "officer_id": officer.pk,
        "name": officer.name,
        "gender": officer.gender,
        "eligible": officer.is_eligible,
        "sizes": [],
        "missing": [],
        "made_to_measure": [],
        "skirts": skirts,
        "complete": True,
    }
    for system, label in SYSTEM_LABELS.items():
        size = sizes[system]
        out["sizes"].append(
            {
                "size_system": system,
                "label": label,
                "code": size.code,
                "status": size.status,
                "reason": size.reason,
            }
        )
        if size.status == MISSING and size.reason not in out["missing"]:
            out["missing"].append(size.reason)
        if size.status == MADE_TO_MEASURE:
            out["made_to_measure"].append(f"{label}: {size.reason}")
        out["complete"] = out["complete"] and size.status != MISSING
    return out


# ---- demand --------------------------------------------------------------------------------------------


def city_codes_for(user) -> list[str] | None:
    """The cities whose demand the user may read: None for the whole province, else the cities of the
    user's units (a county's staff see their own officers only, counted under their city). None (the
    system itself: commands without a user, the benchmark) reads everything."""
    if user is None:
        return None
    paths = scope.scope_paths(user)
    if paths is None:
        return None
    units = OrgUnit.objects.filter(path__in=paths).select_related("city")
    return sorted({u.city_code for u in units})


def check_city(user, city_code: str | None) -> None:
    """A city code the user may read (404 outside their scope; 400 if it is not a city's code)."""
    if not scope.memberships(user):
        raise NotFound()
    if city_code:
        allowed = city_codes_for(user)
        if allowed is not None and city_code not in allowed:
            raise NotFound()
        if not OrgUnit.objects.filter(code=city_code, city__code=city_code).exists():
            raise QMError(
                "bad_city",
                gettext("不是市州代码：{city_code}").format(city_code=city_code),
                {"field": "city"},
            )


def demand_for(user, *, city_code: str | None = None, margin_percent: int = D.MARGIN_PERCENT) -> D.Demand:
    """The live demand as the user may see it: the province for provincial staff and auditors, a city's
    own for its staff (another city → 404), a county's officers for county staff."""
    check_city(user, city_code)
    return D.compute(user=user, city_code=city_code, margin_percent=margin_percent)


# ---- snapshots -----------------------------------------------------------------------------------------


def snapshots_for(user):
    if not scope.memberships(user):
        raise NotFound()
    return (
        DemandSnapshot.objects.select_related("standard_version")
        .defer("officers", "made_to_measure", "unknown")
        .order_by("-created_at", "-id")
    )


def snapshot_get(user, snapshot_id: int, *, full: bool = False) -> DemandSnapshot:
    qs = snapshots_for(user)
    if full:
        qs = DemandSnapshot.objects.select_related("standard_version")
    snap = qs.filter(pk=snapshot_id).first()
    if snap is None:
        raise NotFound(gettext("无此快照：{snapshot_id}").format(snapshot_id=snapshot_id))
    return snap


def snapshot_latest(user) -> DemandSnapshot:
    """The newest snapshot (404 when none has been taken yet)."""
    snap = snapshots_for(user).first()
    if snap is None:
        raise NotFound(gettext("尚无需求快照"))
    return snap


def snapshot_rows(snapshot: DemandSnapshot, city_code: str | None = None) -> list[dict]:
    """The frozen rows [{city_code, item_code, gender ('M'/'F'), size, quantity}], sorted; for one city if
    given. What procurement contracts and distribution plans read."""
    qs = SnapshotRow.objects.filter(snapshot=snapshot)
    if city_code:
        qs = qs.filter(city_code=city_code)
    return list(
        qs.order_by("city_code", "item_code", "gender", "size").values(
            "city_code", "item_code", "gender", "size", "quantity"
        )
    )


def snapshot_made_to_measure(snapshot: DemandSnapshot, city_code: str | None = None) -> list[dict]:
    """Per-officer made-to-measure lines: [{officer_id, name, gender, city_code, unit_code, unit_name,
    measurements, items: [{item_code, name, quantity, reason}]}]."""
    rows = DemandSnapshot.objects.filter(pk=snapshot.pk).values_list("made_to_measure", flat=True).first()
    return [r for r in rows or [] if city_code is None or r["city_code"] == city_code]


def snapshot_order_lines(snapshot: DemandSnapshot, city_code: str | None = None) -> list[dict]:
    """Order lines with the snapshot's margin: the province's totals per item × gender × size, or one
    city's (统采分签 contract per city)."""
    return D.order_lines(snapshot_rows(snapshot), snapshot.margin_percent, city_code)


def visible_rows(user, snapshot: DemandSnapshot, city_code: str | None = None) -> list[dict]:
    allowed = city_codes_for(user)
    if city_code and allowed is not None and city_code not in allowed:
        raise NotFound()
    rows = snapshot_rows(snapshot, city_code)
    return rows if allowed is None else [r for r in rows if r["city_code"] in allowed]


def unit_codes_for(user) -> set[str] | None:
    """The units whose officers the user may see by name: None for the whole province."""
    if user is None or scope.scope_paths(user) is None:
        return None
    return set(OrgUnit.objects.restrict(user).values_list("code", flat=True))


def visible_people(user, entries: list[dict]) -> list[dict]:
    """Named lines (made to measure) only for officers of units in the user's scope."""
    units = unit_codes_for(user)
    return entries if units is None else [e for e in entries if e["unit_code"] in units]


def visible_unknown(user, unknown: list[dict], city_code: str | None = None) -> list[dict]:
    """Unknown sizes per item, keeping only officers of units in the user's scope (and of city_code)."""
    units = unit_codes_for(user)
    out = []
    for entry in unknown:
        officers = [
            o
            for o in entry["officers"]
            if (units is None or o["unit_code"] in units) and (not city_code or o["city_code"] == city_code)
        ]
        if len(officers) == len(entry["officers"]):
            out.append(entry)
        elif officers:
            qty = {"M": 0, "F": 0}
            for o in officers:
                qty[o["gender"]] += o["quantity"]
            out.append({**entry, "officers": officers, "quantity": qty, "officer_count": len(officers)})
    return out


def visible_made_to_measure(user, entries: list[dict], city_code: str | None = None) -> list[dict]:
    return [e for e in visible_people(user, entries) if not city_code or e["city_code"] == city_code]


def _items_of(version: StandardVersion) -> list[D.StandardItem]:
    return D.standard_items(version)


def _reason(pa: dict | None, pb: dict | None, same_standard: bool) -> str:
    if pa is None:
        return gettext("新计入")
    if pb is None:
        return gettext("不再计入")
    if pa["city"] != pb["city"]:
        return gettext("调动 {city} → {city2}").format(city=pa["city"], city2=pb["city"])
    if pa.get("skirts") != pb.get("skirts"):
        return gettext("裙装选择变化")
    if any(pa[s] != pb[s] for s in D.MEASURED):
        return gettext("号型变化")
    return gettext("配发标准变化") if not same_standard else pgettext("changed", "变化")


def snapshot_compare(user, a: DemandSnapshot, b: DemandSnapshot, *, city_code: str | None = None) -> dict:
    """What changed from snapshot a to b per city × item × gender × size, and which officers caused it
    (their contribution under each snapshot's own standard version)."""
    allowed = city_codes_for(user)
    if city_code and allowed is not None and city_code not in allowed:
        raise NotFound()
    items_a, items_b = _items_of(a.standard_version), _items_of(b.standard_version)
    same_standard = a.standard_version_id == b.standard_version_id
    pa = {p["id"]: p for p in a.officers}
    pb = {p["id"]: p for p in b.officers}
    by_key: dict[tuple, list] = defaultdict(list)
    for oid in pa.keys() | pb.keys():
        x, y = pa.get(oid), pb.get(oid)
        if same_standard and x is not None and y is not None and x == y:
            continue
        ca = D.officer_contributions(x, items_a) if x else Counter()
        cb = D.officer_contributions(y, items_b) if y else Counter()
        if ca == cb:
            continue
        who = y or x
        for key in ca.keys() | cb.keys():
            delta = cb.get(key, 0) - ca.get(key, 0)
            if delta:
                by_key[key].append(
                    {
                        "officer_id": oid,
                        "name": who["name"],
                        "delta": delta,
                        "reason": _reason(x, y, same_standard),
                    }
                )
    rows_a = {
        (r["city_code"], r["item_code"], r["gender"], r["size"]): r["quantity"] for r in snapshot_rows(a)
    }
    rows_b = {
        (r["city_code"], r["item_code"], r["gender"], r["size"]): r["quantity"] for r in snapshot_rows(b)
    }
    changes = []
    for key in sorted(rows_a.keys() | rows_b.keys()):
        before, after = rows_a.get(key, 0), rows_b.get(key, 0)
        if before == after:
            continue
        city, item, g, size = key
        if (city_code and city != city_code) or (allowed is not None and city not in allowed):
            continue
        officers = sorted(by_key.get(key, []), key=lambda o: (o["name"], o["officer_id"]))
        changes.append(
            {
                "city_code": city,
                "item_code": item,
                "gender": g,
                "size": size,
                "before": before,
                "after": after,
                "delta": after - before,
                "officers": officers,
            }
        )
    return {
        "a": a.pk,
        "b": b.pk,
        "standard_a": a.standard_version.number,
        "standard_b": b.standard_version.number,
        "changes": changes,
        "total_delta": sum(c["delta"] for c in changes),
    }
