"""Transfer from a city's store to one of its counties (调拨到县级).

The city does not type the transfer line by line. `suggestion` works out what the county still needs and
fills it from what the city holds:

- the basis is the county's lines of the city's approved allocation plan (quantity; the plan keeps the spare
  at the city); with no approved plan, the county's need from the roll (known sizes only: made-to-measure
  items and officers without measurements are not sent by size);
- still needed = max(0, basis − what has already been shipped to the county: dispatched or received, from the
  city or straight from a supplier);
- suggested = min(still needed, the city's store).

The user then changes only the few lines that differ (`changes`: a quantity per item × gender × size, 0
drops a line, a key not in the suggestion adds it). `transfer_dispatch` creates the shipment and dispatches
it in one transaction, so the county never sees a draft and the city's stock never leaves without a
shipment. The page and the API both come here; the request carries only what the user changed."""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext

from assets.models import ItemType
from core import scope
from core.errors import Conflict, NotFound, QMError
from personnel.choices import Level
from personnel.models import OrgUnit

from . import services
from .choices import PlanStatus
from .models import AllocationLine, AllocationPlan, StockBalance, UnitFlow
from .receipts import ONE_SIZE, gender_name, item_name

PLAN, ROLL = "plan", "roll"


def line_name(item: ItemType, gender: str, size: str) -> str:
    """大檐帽（男）56号: an item as users name it (never its code)."""
    name = item_name(item, gender)
    if size == ONE_SIZE:
        return name
    return gettext("{name}{size}号").format(name=name, size=size)


@dataclass
class Line:
    item: ItemType
    gender: str
    size: str
    still_needed: int
    in_stock: int
    quantity: int  # what will be sent: the suggestion, or the user's change
    changed: bool = False

    @property
    def name(self) -> str:
        return item_name(self.item, self.gender)

    @property
    def gender_name(self) -> str:
        return gender_name(self.gender)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.item.code, self.gender, self.size)

    def as_dict(self) -> dict:
        return {
            "item_code": self.item.code,
            "item_name": self.name,
            "gender": self.gender,
            "gender_name": self.gender_name,
            "size": self.size,
            "still_needed": self.still_needed,
            "in_stock": self.in_stock,
            "quantity": self.quantity,
            "changed": self.changed,
        }


@dataclass
class Suggestion:
    city: OrgUnit
    county: OrgUnit
    basis: str  # PLAN or ROLL
    plan: AllocationPlan | None
    lines: list[Line] = field(default_factory=list)  # what the county still needs, in item order
    short: int = 0  # still needed but not in the city's store

    @property
    def total(self) -> int:
        return sum(ln.quantity for ln in self.lines)

    @property
    def groups(self) -> list[dict]:
        """The lines grouped by item and cut (款式), in item order, each group with its totals: the page shows
        one heading per item, so a county's few hundred sizes read as its two dozen items."""
        out: list[dict] = []
        for ln in self.lines:
            if not out or out[-1]["key"] != (ln.item.code, ln.gender):
                out.append(
                    {
                        "key": (ln.item.code, ln.gender),
                        "item_code": ln.item.code,
                        "name": ln.name,
                        "gender_name": ln.gender_name,
                        "lines": [],
                        "still_needed": 0,
                        "in_stock": 0,
                        "quantity": 0,
                    }
                )
            group = out[-1]
            group["lines"].append(ln)
            group["still_needed"] += ln.still_needed
            group["in_stock"] += ln.in_stock
            group["quantity"] += ln.quantity
        return out

    @property
    def still_needed(self) -> int:
        return sum(ln.still_needed for ln in self.lines)

    @property
    def digest(self) -> str:
        """What the suggestion was when the user saw it: the page sends it back, so a suggestion that moved in
        between (another dispatch, a new plan) is shown again instead of being sent unseen."""
        raw = json.dumps(
            [self.basis, self.plan.pk if self.plan else None, [(*ln.key, ln.quantity) for ln in self.lines]]
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {
            "from_unit": self.city.code,
            "to_unit": self.county.code,
            "basis": self.basis,
            "plan_id": self.plan.pk if self.plan else None,
            "plan_version": self.plan.version if self.plan else None,
            "digest": self.digest,
            "still_needed": self.still_needed,
            "quantity": self.total,
            "short": self.short,
            "lines": [ln.as_dict() for ln in self.lines],
        }


def check_route(actor, city: OrgUnit, county: OrgUnit) -> None:
    """The city's own staff (or the province) ship from the city's store to one of its active counties: the
    shipments' one route rule (services.check_route)."""
    if not scope.in_scope(actor, city):
        raise NotFound()
    if city.level != Level.CITY:
        raise QMError("bad_route", gettext("发货方须为市州"), {"field": "from_unit"})
    services.check_route(actor, county, from_unit=city)


def _city_stock(city: OrgUnit) -> dict[tuple[int, str, str], int]:
    return {
        (i, g, s): q
        for i, g, s, q in StockBalance.objects.filter(
            location__key=f"unit:{city.code}", quantity__gt=0
        ).values_list("item_id", "gender", "size", "quantity")
    }


def _basis(city: OrgUnit, county: OrgUnit) -> tuple[str, AllocationPlan | None, dict[tuple, int]]:
    plan = AllocationPlan.objects.filter(city=city, status=PlanStatus.APPROVED).order_by("-version").first()
    if plan is not None:
        need = {
            (i, g, s): q
            for i, g, s, q in AllocationLine.objects.filter(
                plan=plan, unit=county, quantity__gt=0
            ).values_list("item_id", "gender", "size", "quantity")
        }
        return PLAN, plan, need
    units = list(OrgUnit.objects.filter(path__startswith=county.path).values_list("id", flat=True))
    known, _unknown = services.needed_by_unit(units)
    need: dict[tuple, int] = {}
    for (_unit, i, g, s), q in known.items():
        need[(i, g, s)] = need.get((i, g, s), 0) + q
    return ROLL, None, need


def suggestion(actor, city: OrgUnit, county: OrgUnit) -> Suggestion:
    """What the county still needs, filled from the city's store (see the module docstring)."""
    check_route(actor, city, county)
    basis, plan, need = _basis(city, county)
    shipped = {
        (i, g, s): q
        for i, g, s, q in UnitFlow.objects.filter(unit=county, shipped__gt=0).values_list(
            "item_id", "gender", "size", "shipped"
        )
    }
    stock = _city_stock(city)
    items = {i.pk: i for i in ItemType.objects.filter(pk__in={k[0] for k in need})}
    out = Suggestion(city=city, county=county, basis=basis, plan=plan)
    for key in sorted(need, key=lambda k: (items[k[0]].sort_order, items[k[0]].code, k[1], k[2])):
        still = max(0, need[key] - shipped.get(key, 0))
        if not still:
            continue
        have = stock.get(key, 0)
        out.short += max(0, still - have)
        out.lines.append(
            Line(items[key[0]], key[1], key[2], still_needed=still, in_stock=have, quantity=min(still, have))
        )
    return out


def parse_changes(raw) -> list[tuple[ItemType, str, str, int]]:
    """The user's changes ([{item, gender, size, quantity}], or their JSON) → parsed lines; each bad row named."""
    if raw in (None, "", []):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
        if not isinstance(raw, list):
            raise QMError("bad_changes", gettext("调拨改动格式无效"), {"field": "changes"})
    if len(raw) > 5000:
        raise QMError("too_many_changes", gettext("改动超过 5000 行"), {"field": "changes"})
    parsed = services.parse_lines(raw, field="changes", allow_zero=True)
    if len(parsed) < len(raw):  # parse_lines merges repeats; a change sets a quantity, it does not add one
        raise QMError(
            "duplicate_change",
            gettext("同一品类号型改动了两次"),
            {"field": "changes"},
        )
    return parsed


def apply_changes(s: Suggestion, changes) -> Suggestion:
    """The suggestion with the user's changes: a line's quantity set, 0 drops it, a new key adds a line."""
    by_key = {(ln.item.pk, ln.gender, ln.size): ln for ln in s.lines}
    stock = None
    for item, gender, size, qty in parse_changes(changes):
        ln = by_key.get((item.pk, gender, size))
        if ln is None:
            if stock is None:
                stock = _city_stock(s.city)
            ln = Line(
                item, gender, size, still_needed=0, in_stock=stock.get((item.pk, gender, size), 0), quantity=0
            )
            s.lines.append(ln)
            by_key[(item.pk, gender, size)] = ln
        ln.quantity, ln.changed = qty, True
    return s


def _check_stock(lines: list[Line]) -> None:
    for n, ln in enumerate(lines, start=1):
        if ln.quantity > ln.in_stock:
            raise Conflict(
                "insufficient_stock",
                gettext("{line_name}：本市库存 {in_stock} 件，需 {quantity} 件").format(
                    line_name=line_name(ln.item, ln.gender, ln.size),
                    in_stock=ln.in_stock,
                    quantity=ln.quantity,
                ),
                {
                    "field": "quantity",
                    "row": n,
                    "item": ln.item.code,
                    "gender": ln.gender,
                    "size": ln.size,
                    "available": ln.in_stock,
                    "requested": ln.quantity,
                },
            )


def transfer_dispatch(
    *,
    actor,
    city: OrgUnit,
    county: OrgUnit,
    changes=None,
    lines=None,
    expect: str = "",
    note: str = "",
):
    """Create and dispatch a transfer in one transaction: the suggestion with `changes`, or exactly `lines`
    (API callers who computed them). `expect`: the digest of the suggestion the user saw; if it moved, nothing
    is sent (409 suggestion_changed) and the page shows the new one."""
    check_route(actor, city, county)
    with transaction.atomic():
        # one transfer out of a city's store at a time: the suggestion is read and sent under the same lock
        OrgUnit.objects.select_for_update().filter(pk=city.pk).first()
        if lines is not None:
            stock = _city_stock(city)
            chosen = [
                Line(i, g, sz, still_needed=0, in_stock=stock.get((i.pk, g, sz), 0), quantity=q)
                for i, g, sz, q in services.parse_lines(lines)
            ]
        else:
            s = suggestion(actor, city, county)
            if expect and s.digest != expect:
                raise Conflict(
                    "suggestion_changed",
                    gettext("县级尚需数量已变化（可能刚有调拨发出），请核对后重新提交"),
                    {"field": "expect"},
                )
            chosen = [ln for ln in apply_changes(s, changes).lines if ln.quantity > 0]
        if not chosen:
            raise QMError(
                "no_lines",
                gettext("没有要调拨的物资：县级已无尚需，或全部改为 0"),
                {"field": "lines"},
            )
        _check_stock(chosen)
        shipment = services.shipment_create(
            actor=actor,
            from_unit=city,
            to_unit=county,
            lines=[
                {"item": ln.item, "gender": ln.gender, "size": ln.size, "quantity": ln.quantity}
                for ln in chosen
            ],
            note=note,
        )
        return services.shipment_dispatch(actor=actor, shipment=shipment)
