"""Issue to officers (县级发放): who gets what now, and what stays outstanding and why.

`plan` is the one rule, used by `services.kit_issue` (against the store's balances locked in its transaction)
and by the kits page's preview (against the balances as they are): each officer is owed the entitlement
standard minus what they hold of each item (any size); the store's stock goes to the officers in name order
(then id), item by item, as far as it reaches, so the same request on the same stock always gives the same
result. What cannot be issued stays outstanding with its reason:

- ``short``: not enough of that item in that size in the store (possibly part of the quantity);
- ``mtm``: made to measure (量体定制) — no standard size fits;
- ``missing``: a measurement the size needs is not recorded;
- ``no_badge``: a badge-number item, but no badge number has been assigned yet.

Pure: it reads nothing and writes nothing; the caller passes officers, items, holdings and stock. The label
helpers name items as users do (大檐帽 56号), never by their codes."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext

from assets.sizes import MADE_TO_MEASURE, MISSING, officer_sizes
from core.i18n import is_en, tr

from .receipts import ONE_SIZE

SHORT, MTM, NO_SIZE, NO_BADGE = "short", MADE_TO_MEASURE, MISSING, "no_badge"
REASONS = (SHORT, MTM, NO_SIZE, NO_BADGE)
# the measurements each size system is computed from (assets/sizes.py)
NEEDS = {
    "top": ("height_cm", "chest_cm", "waist_cm"),
    "bottom": ("height_cm", "chest_cm", "waist_cm"),
    "shoe_mm": ("foot_mm",),
    "hat_cm": ("head_cm",),
}
MEASUREMENT = {
    "height_cm": ("身高", "height"),
    "chest_cm": ("胸围", "chest"),
    "waist_cm": ("腰围", "waist"),
    "head_cm": ("头围", "head"),
    "foot_mm": ("脚长", "foot length"),
}


# ---- how users name things --------------------------------------------------------------------------------


def measure_word(item) -> str:
    """The Chinese counting word for an item (the catalogue has none): 顶 caps, 双 shoes, 条 trousers, 件 else."""
    if item.category == "headwear":
        return "顶"
    if item.category == "footwear":
        return "双"
    if item.size_system == "bottom":
        return "条"
    return "件"


def size_label(item, size: str | None) -> str:
    """56号 for caps and shoes, 175/92A for garments, nothing for one-size items."""
    if not size or size == ONE_SIZE:
        return ""
    if item.size_system in ("hat_cm", "shoe_mm"):
        return gettext("{size}号").format(size=size)
    return size


WOMEN_NOTE_EN = re.compile(r"^(?P<base>[^(]+?)\s*\(women:\s*(?P<women>[^)]+)\)$")


def english_name(item, gender: str) -> str:
    """The catalogue's English name for one version: 'peaked cap (women: rolled-brim cap)' → 'peaked cap' for
    men, 'rolled-brim cap' for women."""
    m = WOMEN_NOTE_EN.match(item.name_en or "")
    if not m:
        return item.name_en or item.name_for(gender)
    return m["women"] if gender == "F" else m["base"]


def line_name(item, gender: str, size: str | None = None) -> str:
    """大檐帽56号 / 常服上衣（男） 175/92A / peaked cap (men's), size 56: an item in the officer's version."""
    sz = size_label(item, size)
    if is_en():
        name = f"{english_name(item, gender)} ({'women' if gender == 'F' else 'men'}'s)"
        return f"{name}, {sz}" if sz else name
    name = item.name_for(gender)
    if not sz:
        return name
    return f"{name} {sz}" if "/" in sz else f"{name}{sz}"


def quantity_label(item, n: int) -> str:
    return tr(f"{n} {measure_word(item)}", str(n))


def reason_label(reason: str) -> str:
    return {
        SHORT: gettext("库存不足"),
        MTM: gettext("量体定制"),
        NO_SIZE: gettext("缺少测量数据"),
        NO_BADGE: gettext("未分配胸号"),
    }.get(reason, reason)


def missing_measurements(officer, size_system: str) -> list[str]:
    """The measurements this size needs that the officer's record lacks (shoes also go by the EU size)."""
    names = [f for f in NEEDS.get(size_system, ()) if getattr(officer, f, None) is None]
    if "foot_mm" in names and getattr(officer, "shoe_eu", None) is not None:
        names.remove("foot_mm")
    return names


def reason_text(reason: str, officer=None, size_system: str = "") -> str:
    """量体定制 / 缺少测量：胸围、腰围 / measurements missing: chest, waist."""
    if reason == NO_SIZE and officer is not None:
        names = missing_measurements(officer, size_system)
        if names:
            return tr(
                "缺少测量：" + "、".join(MEASUREMENT[n][0] for n in names),
                "measurements missing: " + ", ".join(MEASUREMENT[n][1] for n in names),
            )
    return reason_label(reason)


def short_message(item, gender: str, size: str, available: int, needed: int) -> str:
    """大檐帽 56号 库存 5 顶，需 10 顶."""
    name = line_name(item, gender, size)
    return gettext("{name} 库存 {quantity_label}，需 {quantity_label2}").format(
        name=name,
        quantity_label=quantity_label(item, available),
        quantity_label2=quantity_label(item, needed),
        available=available,
        needed=needed,
    )


# ---- the plan ---------------------------------------------------------------------------------------------


@dataclass
class Line:
    officer: object
    item: object
    gender: str
    size: str | None
    quantity: int
    reason: str = ""  # "" for a line issued now, else one of REASONS

    def as_dict(self) -> dict:
        """The line as the API and the stored result carry it: codes as codes, names beside them."""
        o, it = self.officer, self.item
        return {
            "officer_id": o.pk,
            "officer": o.name,
            "item": it.code,
            "item_name": line_name(it, self.gender),
            "gender": self.gender,
            "size": self.size,
            "quantity": self.quantity,
            "reason": self.reason,
            "reason_text": reason_text(self.reason, o, it.size_system),
        }


@dataclass
class Short:
    item: object
    gender: str
    size: str
    available: int
    needed: int

    def as_dict(self) -> dict:
        return {
            "item": self.item.code,
            "item_name": line_name(self.item, self.gender),
            "gender": self.gender,
            "size": self.size,
            "available": self.available,
            "needed": self.needed,
            "message": short_message(self.item, self.gender, self.size, self.available, self.needed),
        }


@dataclass
class IssuePlan:
    issue: list[Line] = field(default_factory=list)
    outstanding: list[Line] = field(default_factory=list)
    short: list[Short] = field(default_factory=list)  # per item × gender × size: in stock vs. needed

    @property
    def officers(self) -> list[int]:
        return sorted({ln.officer.pk for ln in self.issue})

    @property
    def quantity(self) -> int:
        return sum(ln.quantity for ln in self.issue)

    def by_key(self) -> list[dict]:
        """Per item × gender × size: what goes out now and what stays outstanding for want of stock."""
        rows: dict[tuple, dict] = {}
        for ln in self.issue + [x for x in self.outstanding if x.reason == SHORT]:
            key = (ln.item.sort_order, ln.item.code, ln.gender, ln.size)
            row = rows.setdefault(
                key, {"item": ln.item, "gender": ln.gender, "size": ln.size, "issue": 0, "short": 0}
            )
            row["issue" if not ln.reason else "short"] += ln.quantity
        return [rows[k] for k in sorted(rows)]


def officer_order(officers) -> list:
    """The order in which officers get stock: by name, then id — the same every time."""
    return sorted(officers, key=lambda o: (o.name, o.pk))


def plan(
    officers,
    items,
    held: dict[int, dict[tuple, int]],
    stock: dict[tuple, int],
    badges: set[int],
    overrides: dict[int, dict[str, str]] | None = None,
) -> IssuePlan:
    """`held` {officer id: {(item id, gender, size): qty}}, `stock` {(item id, gender, size): qty} of the
    issuing store, `badges` the officer ids with a badge number, `overrides` {officer id: {item code: size}}."""
    overrides = overrides or {}
    left = defaultdict(int, stock)
    needed: dict[tuple, int] = defaultdict(int)
    out = IssuePlan()
    for o in officer_order(officers):
        sizes = officer_sizes(o)
        by_item: dict[int, int] = defaultdict(int)
        for (item_id, _g, _s), q in held.get(o.pk, {}).items():
            by_item[item_id] += q
        over = overrides.get(o.pk, {})
        for it in items:
            todo = it.qty_per_officer - by_item[it.pk]
            if todo <= 0:
                continue
            sz = sizes[it.size_system]
            size = over.get(it.code) or sz.code
            if size is None:
                reason = MTM if sz.status == MADE_TO_MEASURE else NO_SIZE
                out.outstanding.append(Line(o, it, o.gender, None, todo, reason))
                continue
            if it.size_system == "badge_number" and o.pk not in badges:
                out.outstanding.append(Line(o, it, o.gender, size, todo, NO_BADGE))
                continue
            key = (it.pk, o.gender, size)
            needed[key] += todo
            take = min(todo, max(left[key], 0))
            if take:
                left[key] -= take
                out.issue.append(Line(o, it, o.gender, size, take))
            if todo > take:
                out.outstanding.append(Line(o, it, o.gender, size, todo - take, SHORT))
    items_by_id = {it.pk: it for it in items}
    out.short = [
        Short(items_by_id[k[0]], k[1], k[2], stock.get(k, 0), n)
        for k, n in sorted(needed.items(), key=lambda kv: (items_by_id[kv[0][0]].sort_order, kv[0]))
        if n > stock.get(k, 0)
    ]
    return out
