"""Every write of distribution. All stock moves go through `_post`, which locks the source balances, re-checks
them inside the transaction and refuses any movement that would take a guarded balance below zero.

Entry points other modules call:
- `_book_accepted(goods)` — procurement's acceptance (验收) books the accepted quantities into the delivery's
  destination store (registered as an `on_accepted` hook); the only way supplier stock enters the ledger.
  Every other entry is a typed document listed in `ledger_sources` (opening balances, excess at receipt,
  stocktake gains; returns and recoveries from officers).
- `needed_by_unit()` / selectors.progress_* — the figures pages and reports show.
"""

import datetime
import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from assets.choices import Category
from assets.kit import active_items
from assets.models import ItemType
from assets.sizes import OK, officer_sizes
from core import scope
from core.errors import Conflict, Forbidden, NotFound, QMError
from core.history import build_record, record_change, record_changes, snapshot
from core.i18n import tr
from core.models import ChangeRecord
from personnel.choices import Level, OfficerStatus
from personnel.models import Officer, OrgUnit

from . import issuing, ledger_sources
from .choices import (
    GUARDED,
    PLAN_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    STOCKTAKE_TRANSITIONS,
    CaseOutcome,
    CaseStatus,
    LocationKind,
    MovementKind,
    PlanStatus,
    RecoveryStatus,
    ShipmentStatus,
    ShortReason,
    SignatureKind,
    StocktakeStatus,
)
from .models import (
    AllocationLine,
    AllocationPlan,
    BadgeNumber,
    BadgeSequence,
    DiscrepancyCase,
    IdempotentRequest,
    IssueRecord,
    Location,
    Movement,
    Receipt,
    ReceiptLine,
    ReceiptPhoto,
    RecoveryTask,
    Shipment,
    ShipmentLine,
    StockBalance,
    Stocktake,
    StocktakeLine,
    UnitFlow,
)

Action = ChangeRecord.Action
ONE_SIZE = "-"
LEAVING_ALL = {OfficerStatus.TRANSFERRED_OUT, OfficerStatus.LEFT}  # return uniforms and insignia
LEAVING_INSIGNIA = {OfficerStatus.RETIRED}  # return the insignia (2020 national rules)


# ---- locations -----------------------------------------------------------------------------------------


def _location(key: str, kind: str, name: str, unit=None, officer=None) -> Location:
    loc = Location.objects.filter(key=key).first()
    if loc is not None:
        return loc
    try:
        with transaction.atomic():
            return Location.objects.create(key=key, kind=kind, name=name[:200], unit=unit, officer=officer)
    except IntegrityError:  # created meanwhile by a parallel request
        return Location.objects.get(key=key)


def unit_location(unit: OrgUnit) -> Location:
    """A unit's store; the province unit's store is the provincial store (省级仓库)."""
    label = gettext("省级仓库") if unit.level == Level.PROVINCE else f"{unit.name} 库存"
    return _location(f"unit:{unit.code}", LocationKind.UNIT, label, unit=unit)


def transit_location(unit: OrgUnit) -> Location:
    return _location(f"transit:{unit.code}", LocationKind.TRANSIT, f"在途→{unit.name}", unit=unit)


def discrepancy_location(unit: OrgUnit) -> Location:
    return _location(
        f"discrepancy:{unit.code}", LocationKind.DISCREPANCY, f"{unit.name} 差异待处理", unit=unit
    )


def officer_location(officer: Officer) -> Location:
    return _location(
        f"officer:{officer.pk}", LocationKind.OFFICER, f"{officer.name} ({officer.pk})", officer=officer
    )


def officer_locations(officers: list[Officer]) -> dict[int, Location]:
    """Officer id → location, created in bulk where missing."""
    ids = [o.pk for o in officers]
    have = {loc.officer_id: loc for loc in Location.objects.filter(officer_id__in=ids)}
    missing = [
        Location(key=f"officer:{o.pk}", kind=LocationKind.OFFICER, name=f"{o.name} ({o.pk})"[:200], officer=o)
        for o in officers
        if o.pk not in have
    ]
    if missing:
        Location.objects.bulk_create(missing, batch_size=1000, ignore_conflicts=True)
        have = {loc.officer_id: loc for loc in Location.objects.filter(officer_id__in=ids)}
    return have


def supplier_location(supplier) -> Location:
    """A supplier, given as a procurement Supplier (anything with credit_code/name) or a plain name."""
    if supplier is None or supplier == "":
        raise QMError("bad_supplier", gettext("须指明供应商"), {"field": "supplier"})
    code = getattr(supplier, "credit_code", None) or str(supplier)
    name = getattr(supplier, "name", None) or str(supplier)
    return _location(f"supplier:{code}"[:80], LocationKind.SUPPLIER, f"供应商 {name}")


def written_off_location() -> Location:
    return _location("written_off", LocationKind.WRITTEN_OFF, gettext("核销"))


def adjustment_location() -> Location:
    return _location("adjustment", LocationKind.ADJUSTMENT, pgettext("adjustments", "盘盈盘亏/溢余"))


# ---- the ledger --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    item_id: int
    gender: str
    size: str
    quantity: int
    src: Location
    dst: Location
    kind: str
    officer_unit_id: int | None = None  # for issues/returns: the unit whose issued figure changes
    flow_kind: str | None = None  # for reversals: the kind being reversed
    reverses_id: int | None = None
    note: str = ""


# UnitFlow effects: kind → [(field, which side's unit, sign)]
FLOW_EFFECTS = {
    MovementKind.RECEIVE: [("shipped", "dst", 1), ("received", "dst", 1)],
    MovementKind.DISPATCH: [("shipped", "dst", 1)],
    MovementKind.RECEIPT: [("received", "dst", 1)],
    MovementKind.SHORT: [("short", "dst", 1)],
    MovementKind.EXCESS: [("excess", "dst", 1)],
    MovementKind.ISSUE: [("issued", "officer_unit", 1)],
    MovementKind.RETURN: [("issued", "officer_unit", -1)],
    MovementKind.RECOVERY: [("issued", "officer_unit", -1)],
}


def _flow_deltas(moves: list[Move]) -> dict[tuple, dict[str, int]]:
    deltas: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in moves:
        kind, sign0 = (m.flow_kind, -1) if m.kind == MovementKind.REVERSAL else (m.kind, 1)
        for field, side, sign in FLOW_EFFECTS.get(kind, ()):
            if side == "officer_unit":
                unit_id = m.officer_unit_id
            else:
                unit_id = m.dst.unit_id if sign0 == 1 else m.src.unit_id
            if unit_id is None:
                continue
            deltas[(unit_id, m.item_id, m.gender, m.size)][field] += sign * sign0 * m.quantity
    return deltas


def _officer_held(location_ids: list[int], keys=None) -> dict[tuple, int]:
    """(location id, item id, gender, size) → what officers hold (officers have no StockBalance rows)."""
    held: dict[tuple, int] = defaultdict(int)
    for field, sign in (("to_location_id", 1), ("from_location_id", -1)):
        rows = (
            Movement.objects.filter(**{f"{field}__in": location_ids})
            .values(field, "item_id", "gender", "size")
            .annotate(q=Sum("quantity"))
        )
        for r in rows:
            held[(r[field], r["item_id"], r["gender"], r["size"])] += sign * r["q"]
    return held


def _post(
    moves: list[Move],
    *,
    actor,
    doc_type: str = "",
    doc_id: int | None = None,
    doc_ref: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
    returning: bool = True,
) -> list[Movement]:
    """Write movements. Locks the guarded source balances (select_for_update, in id order), re-checks them
    and refuses the whole batch if any would go negative; keeps StockBalance and UnitFlow in step."""
    if not moves:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_post must run inside transaction.atomic")
    for m in moves:
        if m.quantity <= 0:
            raise QMError(
                "bad_quantity",
                pgettext("Quantity must be positive", "数量须为正整数"),
                {"quantity": m.quantity},
            )
        if m.src.id == m.dst.id:
            raise QMError("bad_move", gettext("起止库位相同"))
        if not ledger_sources.allows(
            doc_type=doc_type, kind=m.kind, source_kind=m.src.kind, reverses_id=m.reverses_id
        ):
            raise QMError(
                "not_a_stock_source",
                gettext(
                    "“{doc_type}”单据不能从{source}记入库存：供应商的货物只能凭合同交货的验收单入库"
                ).format(doc_type=doc_type, source=m.src.name),
                {"doc_type": doc_type, "from": m.src.kind, "kind": m.kind},
            )
    out_need: dict[tuple, int] = defaultdict(int)
    for m in moves:
        if m.src.kind in GUARDED:
            out_need[(m.src.id, m.item_id, m.gender, m.size)] += m.quantity
    src_by_id = {m.src.id: m.src for m in moves}
    officer_srcs = sorted({k[0] for k in out_need if src_by_id[k[0]].kind == LocationKind.OFFICER})
    store_srcs = sorted({k[0] for k in out_need} - set(officer_srcs))
    available: dict[tuple, int] = {}
    balance_rows: dict[tuple, StockBalance] = {}
    if store_srcs:
        items = {k[1] for k in out_need}
        rows = (
            StockBalance.objects.select_for_update()
            .filter(location_id__in=store_srcs, item_id__in=items)
            .order_by("id")
        )
        for b in rows:
            key = (b.location_id, b.item_id, b.gender, b.size)
            balance_rows[key] = b
            available[key] = b.quantity
    if officer_srcs:
        list(Location.objects.select_for_update().filter(pk__in=officer_srcs).order_by("id"))
        available.update(_officer_held(officer_srcs))
    short = []
    for key, need in out_need.items():
        have = available.get(key, 0)
        if need > have:
            short.append(
                {
                    "location": src_by_id[key[0]].name,
                    "item_id": key[1],
                    "gender": key[2],
                    "size": key[3],
                    "available": have,
                    "requested": need,
                }
            )
    if short:
        items = ItemType.objects.in_bulk({s["item_id"] for s in short})
        first_item = items[short[0]["item_id"]]
        for s in short:
            s["item"] = items[s.pop("item_id")].code
        first = short[0]
        loc = src_by_id[next(k[0] for k in out_need if out_need[k] > available.get(k, 0))]
        where = (
            OrgUnit.objects.filter(pk=loc.unit_id).values_list("name", flat=True).first()
            if loc.unit_id
            else Officer.objects.filter(pk=loc.officer_id).values_list("name", flat=True).first()
            if loc.officer_id
            else None
        ) or first["location"]
        what = issuing.short_message(
            first_item, first["gender"], first["size"], first["available"], first["requested"]
        )
        more = len(short) - 1
        raise Conflict(
            "insufficient_stock",
            tr(
                f"库存不足（{where}）：{what}" + (f"；另有 {more} 项不足" if more else ""),
                f"Not enough stock at {where}: {what}" + (f"; {more} more lines short" if more else ""),
            ),
            {"rows": short},
        )
    at = at or timezone.now()
    actor_id = actor.pk if actor is not None else None
    if returning:
        rows = [
            Movement(
                item_id=m.item_id,
                gender=m.gender,
                size=m.size,
                quantity=m.quantity,
                from_location_id=m.src.pk,
                to_location_id=m.dst.pk,
                kind=m.kind,
                doc_type=doc_type,
                doc_id=doc_id,
                doc_ref=doc_ref[:80],
                reverses_id=m.reverses_id,
                actor_id=actor_id,
                at=at,
                note=(m.note or note)[:300],
            )
            for m in moves
        ]
        Movement.objects.bulk_create(rows, batch_size=2000)
    else:
        rows = []
        ref, note = doc_ref[:80], note[:300]
        fast_insert(
            Movement,
            MOVEMENT_COLUMNS,
            [
                (
                    m.item_id,
                    m.gender,
                    m.size,
                    m.quantity,
                    m.src.id,
                    m.dst.id,
                    m.kind,
                    doc_type,
                    doc_id,
                    ref,
                    m.reverses_id,
                    actor_id,
                    at,
                    m.note[:300] if m.note else note,
                )
                for m in moves
            ],
        )
    # balances of guarded store locations (officers' are sums of their few movements)
    delta: dict[tuple, int] = defaultdict(int)
    for m in moves:
        if m.src.kind in GUARDED and m.src.kind != LocationKind.OFFICER:
            delta[(m.src.id, m.item_id, m.gender, m.size)] -= m.quantity
        if m.dst.kind in GUARDED and m.dst.kind != LocationKind.OFFICER:
            delta[(m.dst.id, m.item_id, m.gender, m.size)] += m.quantity
    _apply(
        StockBalance,
        ("location_id", "item_id", "gender", "size"),
        {k: {"quantity": v} for k, v in delta.items() if v},
    )
    _apply(UnitFlow, ("unit_id", "item_id", "gender", "size"), _flow_deltas(moves))
    return rows


VALUE_FIELDS = {StockBalance: ["quantity"], UnitFlow: ["shipped", "received", "short", "excess", "issued"]}


def _apply(model, key_fields, deltas: dict[tuple, dict[str, int]]) -> None:
    """Add deltas to summary rows in one statement per batch: INSERT ... ON CONFLICT (key) DO UPDATE SET
    f = f + excluded.f (SQLite ≥ 3.24 and PostgreSQL), atomic per row, so parallel writers never lose an
    increment."""
    deltas = {k: d for k, d in deltas.items() if any(d.values())}
    if not deltas:
        return
    fields = VALUE_FIELDS[model]
    table = connection.ops.quote_name(model._meta.db_table)
    q = connection.ops.quote_name
    cols = [*key_fields, *fields]
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({', '.join(q(c) for c in key_fields)}) DO UPDATE SET "
        + ", ".join(f"{q(f)} = {table}.{q(f)} + excluded.{q(f)}" for f in fields)
    )
    # a balance's CHECK (≥ 0) is tested on the proposed insert row too, so decrements of balances (rows that
    # exist: _post checked them) are plain UPDATEs
    decrements = {k: d for k, d in deltas.items() if model is StockBalance and d["quantity"] < 0}
    params = [(*k, *(d.get(f, 0) for f in fields)) for k, d in deltas.items() if k not in decrements]
    update = f"UPDATE {table} SET {q('quantity')} = {q('quantity')} + %s WHERE " + " AND ".join(
        f"{q(c)} = %s" for c in key_fields
    )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # one statement per batch, one array parameter per column
            if params:
                cur.execute(
                    sql.replace(
                        f"VALUES ({', '.join(['%s'] * len(cols))})",
                        f"SELECT * FROM {_pg_arrays(model, cols)}",
                        1,
                    ),
                    [list(col) for col in zip(*params, strict=True)],
                )
            if decrements:
                dec = [(*k, d["quantity"]) for k, d in decrements.items()]
                cur.execute(
                    f"UPDATE {table} AS t SET {q('quantity')} = t.{q('quantity')} + v.d FROM "
                    f"{_pg_arrays(model, [*key_fields, 'quantity'])} AS v(location_id, item_id, gender, "
                    f"size, d) WHERE t.location_id = v.location_id AND t.item_id = v.item_id "
                    f"AND t.gender = v.gender AND t.size = v.size",
                    [list(col) for col in zip(*dec, strict=True)],
                )
        else:
            for i in range(0, len(params), 2000):
                cur.executemany(sql, params[i : i + 2000])
            if decrements:
                cur.executemany(update, [(d["quantity"], *k) for k, d in decrements.items()])


MOVEMENT_COLUMNS = [
    "item_id",
    "gender",
    "size",
    "quantity",
    "from_location_id",
    "to_location_id",
    "kind",
    "doc_type",
    "doc_id",
    "doc_ref",
    "reverses_id",
    "actor_id",
    "at",
    "note",
]


def fast_insert(model, columns: list[str], rows: list[tuple]) -> None:
    """executemany of a plain INSERT for big batches (bulk issue, plan lines): several times faster than
    bulk_create, which builds and compiles a model instance per row. Datetimes are adapted for the backend."""
    if not rows:
        return
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if "at" in columns:  # adapt each distinct datetime once (a batch usually shares one)
        n = columns.index("at")
        adapted = {}
        adapt = connection.ops.adapt_datetimefield_value
        rows = [
            (*r[:n], adapted[r[n]] if r[n] in adapted else adapted.setdefault(r[n], adapt(r[n])), *r[n + 1 :])
            for r in rows
        ]
    if connection.vendor == "postgresql":
        # COPY: no SQL to build or parse per row (a 1,000-row INSERT spent most of its time in the driver's
        # placeholder parsing); the id comes from the column default as with INSERT
        with (
            connection.cursor() as cur,
            cur.cursor.copy(
                f"COPY {q(model._meta.db_table)} ({', '.join(q(c) for c in columns)}) FROM STDIN"
            ) as copy,
        ):
            for r in rows:
                copy.write_row(r)
        return
    with connection.cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(sql, rows[i : i + 5000])


def _pg_arrays(model, columns: list[str]) -> str:
    """`unnest(%s::integer[], %s::varchar(20)[], …)` for `columns` of `model`: a whole batch as one array per
    column, so a statement has a handful of parameters whatever its size."""
    types = [f"%s::{model._meta.get_field(c).db_type(connection)}[]" for c in columns]
    return f"unnest({', '.join(types)})"


def balance(
    location: Location,
    *,
    item: ItemType | None = None,
    gender: str | None = None,
    size: str | None = None,
    at: datetime.datetime | None = None,
) -> dict[tuple, int]:
    """(item id, gender, size) → quantity at `location` at time `at` (now when None), summed from the ledger
    (index mv_to_key_at / mv_from_key_at)."""
    flt = Q()
    if item is not None:
        flt &= Q(item=item)
    if gender is not None:
        flt &= Q(gender=gender)
    if size is not None:
        flt &= Q(size=size)
    if at is not None:
        flt &= Q(at__lte=at)
    out: dict[tuple, int] = defaultdict(int)
    for field, sign in (("to_location", 1), ("from_location", -1)):
        for r in (
            Movement.objects.filter(flt, **{field: location})
            .values("item_id", "gender", "size")
            .annotate(q=Sum("quantity"))
            .order_by()
        ):
            out[(r["item_id"], r["gender"], r["size"])] += sign * r["q"]
    return {k: v for k, v in out.items() if v}


def movement_reverse(*, actor, movement: Movement, note: str) -> Movement:
    """Correct a movement by a reversing row (to → from, same quantity); a movement is reversed once."""
    scope.require_role(actor, scope.PROVINCE)
    if not note.strip():
        raise QMError("note_required", gettext("冲正须说明原因"), {"field": "note"})
    if movement.kind == MovementKind.REVERSAL:
        raise QMError("bad_reversal", gettext("冲正记录不能再冲正"))
    with transaction.atomic():
        if Movement.objects.filter(reverses=movement).exists():
            raise Conflict("already_reversed", gettext("该记录已冲正"))
        src, dst = movement.to_location, movement.from_location
        officer_unit_id = None
        if movement.kind in (MovementKind.ISSUE, MovementKind.RETURN, MovementKind.RECOVERY):
            officer_unit_id = (
                movement.from_location.unit_id
                if movement.kind == MovementKind.ISSUE
                else movement.to_location.unit_id
            )
        rows = _post(
            [
                Move(
                    movement.item_id,
                    movement.gender,
                    movement.size,
                    movement.quantity,
                    src,
                    dst,
                    MovementKind.REVERSAL,
                    officer_unit_id=officer_unit_id,
                    flow_kind=movement.kind,
                    reverses_id=movement.pk,
                )
            ],
            actor=actor,
            doc_type=movement.doc_type,
            doc_id=movement.doc_id,
            doc_ref=movement.doc_ref,
            note=note,
        )
    return rows[0]


# ---- input lines ---------------------------------------------------------------------------------------------


def _items_by_code() -> dict[str, ItemType]:
    return {i.code: i for i in ItemType.objects.filter(is_active=True)}


def parse_lines(
    lines, *, field: str = "lines", allow_zero: bool = False
) -> list[tuple[ItemType, str, str, int]]:
    """[{item (code), gender, size, quantity}] → [(item, gender, size, quantity)], merged per key. Each bad row
    raises a QMError naming the row and field."""
    if not lines:
        raise QMError("no_lines", gettext("至少一行"), {"field": field})
    items = _items_by_code()
    merged: dict[tuple, int] = {}
    order = []
    for n, raw in enumerate(lines, start=1):
        row = raw if isinstance(raw, dict) else raw.dict()
        code = row.get("item") or row.get("item_code")
        item = items.get(code) if isinstance(code, str) else code if isinstance(code, ItemType) else None
        if item is None:
            raise QMError(
                "bad_item",
                gettext("第{n}行 未知品类：{code!r}").format(n=n, code=code),
                {"row": n, "field": "item"},
            )
        gender = row.get("gender")
        if gender not in ("M", "F"):
            raise QMError(
                "bad_gender",
                gettext("第{n}行 款式须为 M 或 F").format(n=n),
                {"row": n, "field": "gender"},
            )
        size = str(row.get("size") or "").strip()
        if not size or len(size) > 20:
            raise QMError("bad_size", gettext("第{n}行 号型无效").format(n=n), {"row": n, "field": "size"})
        if item.size_system in ("none", "badge_number") and size != ONE_SIZE:
            raise QMError(
                "bad_size",
                gettext("第{n}行 {name_zh} 为单一规格，号型应为 '-'").format(
                    n=n, name_zh=item.name_zh, name_en=item.name_en
                ),
                {"row": n, "field": "size"},
            )
        qty = row.get("quantity")
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 0 or (qty == 0 and not allow_zero):
            raise QMError(
                "bad_quantity",
                gettext("第{n}行 数量无效：{qty!r}").format(n=n, qty=qty),
                {"row": n, "field": "quantity"},
            )
        key = (item, gender, size)
        if key not in merged:
            order.append(key)
            merged[key] = 0
        merged[key] += qty
    return [(k[0], k[1], k[2], merged[k]) for k in order]


def _hash(payload) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def idempotent(*, actor, key: str | None, action: str, payload, fn):
    """Run fn() once per (user, Idempotency-Key): a resend with the same payload gets the stored answer, the
    same key with a different payload or action is refused with 409. Without a key, fn() just runs."""
    if not key:
        return fn()
    digest = _hash(payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                req = IdempotentRequest.objects.create(
                    key=key[:100], user=actor, action=action, payload_hash=digest
                )
        except IntegrityError:
            req = IdempotentRequest.objects.select_for_update().get(user=actor, key=key[:100])
            if req.action != action or req.payload_hash != digest:
                raise Conflict(
                    "idempotency_conflict",
                    gettext("该幂等键已用于不同的请求"),
                    {"field": "Idempotency-Key"},
                ) from None
            return req.response
        result = fn()
        req.response = json.loads(json.dumps(result, default=str))
        req.save(update_fields=["response"])
        return req.response


# ---- supplier stock: only what an acceptance certificate accepted --------------------------------------------


def _receive_accepted(*, actor, acceptance_id: int, goods) -> list[Movement]:
    """The posting step of `_book_accepted`: the accepted goods of one acceptance certificate (验收单) go from
    the contract's supplier into the delivery's destination store. Checked against the certificate itself:
    every line must be one of its acceptance lines with exactly the accepted quantity and destination, so
    nothing but what was accepted can come in this way. Once per certificate."""
    from procurement.models import Acceptance

    acceptance = (
        Acceptance.objects.select_related("delivery__destination", "delivery__contract__supplier")
        .filter(pk=acceptance_id)
        .first()
    )
    if acceptance is None:
        raise QMError("not_accepted", gettext("没有这张验收单"), {"field": "acceptance"})
    delivery = acceptance.delivery
    accepted = {
        al.pk: al
        for al in acceptance.lines.select_related("delivery_line__contract_line").filter(accepted__gt=0)
    }
    for n, g in enumerate(goods, start=1):
        al = accepted.get(g.acceptance_line_id)
        cl = al.delivery_line.contract_line if al else None
        if (
            al is None
            or al.accepted != g.quantity
            or g.destination.pk != delivery.destination_id
            or (cl.item_id, cl.gender, cl.size) != (g.item.pk, g.gender, g.size)
        ):
            raise QMError(
                "not_accepted",
                gettext("第{n}行 不是验收单 {certificate} 的合格品").format(
                    n=n, certificate=acceptance.certificate_number
                ),
                {"row": n, "field": "acceptance_line"},
            )
    if Movement.objects.filter(doc_type="acceptance", doc_id=acceptance.pk).exists():
        raise Conflict(
            "already_booked",
            gettext("验收单 {certificate} 已入库").format(certificate=acceptance.certificate_number),
            {"field": "acceptance"},
        )
    src = supplier_location(delivery.contract.supplier)
    dst = unit_location(delivery.destination)
    moves = [Move(g.item.pk, g.gender, g.size, g.quantity, src, dst, MovementKind.RECEIVE) for g in goods]
    at = timezone.now()
    return _post(
        moves,
        actor=actor,
        doc_type="acceptance",
        doc_id=acceptance.pk,
        doc_ref=acceptance.certificate_number,
        note=f"验收入库 {acceptance.certificate_number}",
        at=at,
    )


# ---- demand → needed (from the roll) ----------------------------------------------------------------------


_BODY_SIZES: dict[
    tuple, dict
] = {}  # measurements → {size system: (code or None, status)}; the rules are code


def _body_sizes(body: tuple) -> dict:
    """The sizes of one body (gender, height, chest, waist, head, foot mm, EU shoe size), kept for the process:
    sizing depends on the measurements only, so a roll change recomputes just the bodies not seen before."""
    sizes = _BODY_SIZES.get(body)
    if sizes is None:
        if len(_BODY_SIZES) > 200_000:
            _BODY_SIZES.clear()
        b = _Body(body[0], *(None if v is None else Decimal(str(v)) for v in body[1:]))
        sizes = _BODY_SIZES[body] = {
            k: (s.code if s.status == OK else None, s.status) for k, s in officer_sizes(b).items()
        }
    return sizes


@dataclass(frozen=True, slots=True)
class _Body:
    gender: str
    height_cm: Decimal | None
    chest_cm: Decimal | None
    waist_cm: Decimal | None
    head_cm: Decimal | None
    foot_mm: Decimal | None
    shoe_eu: Decimal | None


def needed_by_unit(unit_ids: list[int] | None = None) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """What the eligible officers' kits add up to, from the roll, in bulk:
    ({(unit id, item id, gender, size): qty}, {(unit id, item id, gender, status): qty} for sizes not known
    — missing measurements or made to measure — counted apart)."""
    qs = Officer.objects.eligible()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    fields = ("unit_id", "gender", "height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm", "shoe_eu")
    # the measurements as the database gives them: turning 50,000 values into Decimals only to look up a body
    # seen before was a third of the time; a body is converted once, when first sized
    sql, params = qs.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    per_system: dict[tuple, int] = defaultdict(int)
    for row in rows:
        for system, code_status in _body_sizes(row[1:]).items():
            per_system[(row[0], row[1], system, code_status)] += 1
    known: dict[tuple, int] = defaultdict(int)
    unknown: dict[tuple, int] = defaultdict(int)
    items = active_items()
    by_system = defaultdict(list)
    for it in items:
        if it.qty_per_officer > 0:
            by_system[it.size_system].append((it.pk, it.qty_per_officer))
    for (unit_id, gender, system, (code, status)), n in per_system.items():
        for item_id, qty in by_system.get(system, ()):
            if code is None:
                unknown[(unit_id, item_id, gender, status)] += n * qty
            else:
                known[(unit_id, item_id, gender, code)] += n * qty
    return dict(known), dict(unknown)


# ---- allocation plans -----------------------------------------------------------------------------------------


def plan_build(
    *, actor, city: OrgUnit, rows, spare_share: Decimal, snapshot_id: int | None = None, note: str = ""
) -> AllocationPlan:
    """A new draft version of a city's allocation: the city's demand rows (a snapshot's rows: city_code,
    item_code, gender, size, quantity; with only `snapshot_id`, that snapshot's rows for the city) plus ⌈quantity × spare_share⌉ spare kept at the city; the county lines
    split the city's need by the roll of each county (no spare)."""
    scope.require_role(actor, scope.PROVINCE)
    if city.level not in (Level.CITY, Level.PROVINCE):
        raise QMError("bad_unit", gettext("分配方案按市州编制"), {"field": "city"})
    if snapshot_id is not None:
        from assets.models import DemandSnapshot
        from assets.selectors import snapshot_rows

        snap = DemandSnapshot.objects.filter(pk=snapshot_id).first()
        if snap is None:
            raise QMError(
                "bad_snapshot",
                gettext("无此需求快照：{snapshot_id}").format(snapshot_id=snapshot_id),
                {"field": "snapshot_id"},
            )
        rows = list(rows) or snapshot_rows(snap, city.code)
    spare_share = Decimal(str(spare_share))
    if not Decimal(0) <= spare_share <= Decimal("0.5"):
        raise QMError("bad_spare", gettext("备用比例须在 0–50% 之间"), {"field": "spare_share"})
    mine = []
    for n, r in enumerate(rows, start=1):
        if not isinstance(r, dict) or r.get("city_code") is None:
            raise QMError("bad_row", gettext("第{n}行 缺少").format(n=n), {"row": n})
        if r["city_code"] == city.code:
            mine.append(
                {
                    "item": r.get("item_code"),
                    "gender": r.get("gender"),
                    "size": r.get("size"),
                    "quantity": r.get("quantity"),
                }
            )
    if not mine:
        raise QMError("no_lines", gettext("需求中没有{name}的行").format(name=city.name), {"field": "rows"})
    parsed = parse_lines(mine, field="rows")
    counties = list(OrgUnit.objects.filter(parent=city, level=Level.COUNTY, is_active=True))
    known, _ = needed_by_unit([c.pk for c in counties]) if counties else ({}, {})
    with transaction.atomic():
        last = AllocationPlan.objects.select_for_update().filter(city=city).order_by("-version").first()
        plan = AllocationPlan.objects.create(
            city=city,
            version=(last.version + 1) if last else 1,
            spare_share=spare_share,
            snapshot_id=snapshot_id,
            note=note[:300],
            created_by=actor,
        )
        lines = [(plan.pk, city.pk, i.pk, g, s, q, math.ceil(q * spare_share)) for i, g, s, q in parsed]
        lines += [
            (plan.pk, unit_id, item_id, g, s, q, 0) for (unit_id, item_id, g, s), q in known.items() if q > 0
        ]
        fast_insert(
            AllocationLine, ["plan_id", "unit_id", "item_id", "gender", "size", "quantity", "spare"], lines
        )
        record_change(actor=actor, obj=plan, action=Action.CREATE, note=f"{len(lines)} lines")
    return plan


def plan_approve(*, actor, plan: AllocationPlan) -> AllocationPlan:
    """Provincial logistics approve a draft; the version approved before it is superseded."""
    scope.require_role(actor, scope.PROVINCE)
    with transaction.atomic():
        plan = AllocationPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == PlanStatus.APPROVED:
            return plan
        _check(PLAN_TRANSITIONS, plan.status, PlanStatus.APPROVED)
        for old in AllocationPlan.objects.select_for_update().filter(
            city=plan.city, status=PlanStatus.APPROVED
        ):
            before = snapshot(old, ["status"])
            old.status = PlanStatus.SUPERSEDED
            old.save(update_fields=["status"])
            record_change(actor=actor, obj=old, action=Action.STATUS, before=before)
        before = snapshot(plan, ["status"])
        plan.status = PlanStatus.APPROVED
        plan.approved_by = actor
        plan.approved_at = timezone.now()
        plan.save(update_fields=["status", "approved_by", "approved_at"])
        record_change(
            actor=actor, obj=plan, action=Action.STATUS, before=before, after=snapshot(plan, ["status"])
        )
    return plan


def _check(transitions, current, new):
    if new not in transitions[current]:
        raise Conflict(
            "bad_transition",
            gettext("状态不能从 {current} 变为 {new}").format(current=current, new=new),
            {"field": "status", "from": current, "to": new},
        )


# ---- shipments ----------------------------------------------------------------------------------------------


def _next_number(prefix: str) -> str:
    today = timezone.localdate().strftime("%Y%m%d")
    n = Shipment.objects.filter(number__startswith=f"{prefix}{today}").count() + 1
    while True:
        number = f"{prefix}{today}-{n:04d}"
        if not Shipment.objects.filter(number=number).exists():
            return number
        n += 1


def check_route(actor, to_unit: OrgUnit, *, from_unit: OrgUnit | None) -> None:
    """The one rule of who ships where, for every door (a draft shipment, a city's transfer to a county):
    the provincial store → a city (province staff); a city → one of its active counties (that city's staff or
    the province). Counties do not ship. Suppliers do not ship here: their goods come as a procurement
    delivery to the store, city or county that accepts them (验收), which books them."""
    if from_unit is None:
        raise QMError(
            "bad_source",
            gettext("须指明发货单位；供应商的货物经合同交货和验收入库"),
            {"field": "from_unit"},
        )
    if from_unit.level == Level.PROVINCE:
        if to_unit.level != Level.CITY:
            raise QMError("bad_route", gettext("省级仓库发往市州"), {"field": "to_unit"})
        scope.require_role(actor, scope.PROVINCE)
        return
    if from_unit.level != Level.CITY:
        raise QMError("bad_route", gettext("县级机构不发运"), {"field": "from_unit"})
    if not scope.in_scope(actor, from_unit):
        raise NotFound()
    if to_unit.level != Level.COUNTY or to_unit.parent_id != from_unit.pk or not to_unit.is_active:
        raise QMError("bad_route", gettext("市州发往本市州的县级机构"), {"field": "to_unit"})
    scope.require_role(actor, scope.PROVINCE, scope.CITY, unit=from_unit)


def shipment_create(
    *,
    actor,
    to_unit: OrgUnit,
    lines,
    from_unit: OrgUnit | None = None,
    plan: AllocationPlan | None = None,
    note: str = "",
) -> Shipment:
    """A draft shipment: provincial store → a city (province staff), or a city → one of its counties (that
    city's staff). A supplier's goods are not shipped here: they are a procurement delivery, accepted (验收)
    where they arrive."""
    check_route(actor, to_unit, from_unit=from_unit)
    src = unit_location(from_unit)
    if plan is not None and plan.city_id != to_unit.city_id:
        raise QMError("bad_plan", gettext("分配方案不属于收货市州"), {"field": "plan"})
    parsed = parse_lines(lines)
    with transaction.atomic():
        shipment = Shipment.objects.create(
            number=_next_number("FY"),
            from_location=src,
            to_unit=to_unit,
            plan=plan,
            note=note[:300],
            created_by=actor,
        )
        ShipmentLine.objects.bulk_create(
            [ShipmentLine(shipment=shipment, item=i, gender=g, size=s, quantity=q) for i, g, s, q in parsed]
        )
        record_change(actor=actor, obj=shipment, action=Action.CREATE, note=f"{len(parsed)} lines")
    return shipment


def _lock_shipment(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_for_update().select_related("to_unit", "from_location").get(pk=shipment.pk)


def _can_ship(actor, shipment: Shipment) -> None:
    src_unit = shipment.from_location.unit
    if src_unit is not None and src_unit.level == Level.CITY:
        scope.require_role(actor, scope.PROVINCE, scope.CITY, unit=src_unit)
    else:
        scope.require_role(actor, scope.PROVINCE)


def shipment_dispatch(*, actor, shipment: Shipment) -> Shipment:
    """draft → dispatched: the lines leave the source (refused if it does not hold them) and go in transit
    to the destination. Dispatching a dispatched shipment again changes nothing."""
    _can_ship(actor, shipment)
    with transaction.atomic():
        shipment = _lock_shipment(shipment)
        if shipment.status == ShipmentStatus.DISPATCHED:
            return shipment
        _check(SHIPMENT_TRANSITIONS, shipment.status, ShipmentStatus.DISPATCHED)
        dst = transit_location(shipment.to_unit)
        moves = [
            Move(
                ln.item_id,
                ln.gender,
                ln.size,
                ln.quantity,
                shipment.from_location,
                dst,
                MovementKind.DISPATCH,
            )
            for ln in shipment.lines.all()
        ]
        _post(
            moves,
            actor=actor,
            doc_type="shipment",
            doc_id=shipment.pk,
            doc_ref=shipment.number,
            returning=False,
        )
        _set_status(actor, shipment, ShipmentStatus.DISPATCHED, dispatched_at=timezone.now())
    return shipment


def shipment_cancel(*, actor, shipment: Shipment, reason: str = "") -> Shipment:
    _can_ship(actor, shipment)
    with transaction.atomic():
        shipment = _lock_shipment(shipment)
        if shipment.status == ShipmentStatus.CANCELLED:
            return shipment
        _check(SHIPMENT_TRANSITIONS, shipment.status, ShipmentStatus.CANCELLED)
        _set_status(actor, shipment, ShipmentStatus.CANCELLED, note=reason)
    return shipment


def _set_status(actor, shipment, status, note: str = "", **fields):
    before = snapshot(shipment, ["status"])
    shipment.status = status
    for k, v in fields.items():
        setattr(shipment, k, v)
    shipment.save(update_fields=["status", *fields])
    record_change(
        actor=actor,
        obj=shipment,
        action=Action.STATUS,
        before=before,
        after=snapshot(shipment, ["status"]),
        note=note,
    )


def can_confirm(actor, shipment: Shipment) -> None:
    """Only the destination's own staff (or provincial logistics) confirm; out of scope → 404."""
    if not scope.in_scope(actor, shipment.to_unit):
        raise NotFound()
    if scope.is_province(actor):
        return
    for role, path in scope.memberships(actor):
        if role in (scope.CITY, scope.COUNTY) and path == shipment.to_unit.path:
            return
    raise Forbidden(gettext("只有收货单位可签收"))


def _confirm_payload(lines, excess, note) -> dict:
    def norm(rows):
        out = []
        for r in rows or []:
            r = r if isinstance(r, dict) else r.dict()
            out.append({k: r.get(k) for k in sorted(r) if k != "photos"})
        return out

    return {"lines": norm(lines), "excess": norm(excess), "note": note or ""}


def shipment_confirm(*, actor, shipment: Shipment, lines, excess=(), note: str = "", photos=()) -> Receipt:
    """Receipt confirmation (签收), atomic and idempotent. `lines`: one per shipment line
    {line_id, received, reason, note} — received ≤ shipped; a difference needs a reason (missing, damaged,
    wrong); `excess`: goods that arrived without being shipped {item, gender, size, quantity, note}, booked as
    what they really are. The same payload sent again returns the first receipt; another payload → 409."""
    can_confirm(actor, shipment)
    return _confirm(actor, shipment, lambda _ship_lines: _confirm_payload(lines, excess, note), note, photos)


def shipment_confirm_exceptions(
    *, actor, shipment: Shipment, exceptions, note: str = "", photos=()
) -> Receipt:
    """Receipt confirmation by exception: every line received as shipped except `exceptions` (see
    distribution.receipts.receipt_plan: missing, damaged, wrong size, excess), booked exactly as
    shipment_confirm books the equivalent per-line receipt (same payload, so the same idempotency: the same
    exceptions sent again return the first receipt; others → 409). Validated once, on the locked shipment's
    lines; all or nothing."""
    from .receipts import receipt_plan

    can_confirm(actor, shipment)

    def build(ship_lines):
        plan = receipt_plan(ship_lines, exceptions)
        return _confirm_payload(plan.lines, plan.excess, note)

    return _confirm(actor, shipment, build, note, photos, with_items=True)


def _confirm(actor, shipment: Shipment, build, note, photos, with_items: bool = False) -> Receipt:
    with transaction.atomic():
        shipment = _lock_shipment(shipment)
        existing = Receipt.objects.filter(shipment=shipment).first()
        lines_qs = shipment.lines.select_related("item") if with_items else shipment.lines.all()
        ship_lines = {ln.pk: ln for ln in lines_qs}
        try:
            payload = build(list(ship_lines.values()))
        except QMError:
            if existing is None:
                raise
            payload = None
        digest = _hash(payload) if payload is not None else ""
        if existing is not None:
            if existing.payload_hash == digest:
                return existing
            raise Conflict(
                "already_confirmed",
                gettext("该发运单已签收且内容不同"),
                {"receipt_id": existing.pk},
            )
        if shipment.status != ShipmentStatus.DISPATCHED:
            raise Conflict(
                "bad_transition",
                gettext("发运单状态为 {status}，不能签收").format(status=shipment.status),
                {"field": "status"},
            )
        seen = {}
        for n, raw in enumerate(payload["lines"], start=1):
            line_id = raw.get("line_id")
            if line_id not in ship_lines:
                raise QMError(
                    "bad_line",
                    gettext("第{n}行 不是本发运单的行").format(n=n),
                    {"row": n, "field": "line_id"},
                )
            if line_id in seen:
                raise QMError("duplicate_line", gettext("第{n}行 重复").format(n=n), {"row": n})
            received = raw.get("received")
            ln = ship_lines[line_id]
            if (
                not isinstance(received, int)
                or isinstance(received, bool)
                or not 0 <= received <= ln.quantity
            ):
                raise QMError(
                    "bad_quantity",
                    gettext("第{n}行 实收数量须在 0–{quantity}").format(n=n, quantity=ln.quantity),
                    {"row": n, "field": "received"},
                )
            reason = raw.get("reason") or ""
            if received < ln.quantity and reason not in ShortReason.values:
                raise QMError(
                    "reason_required",
                    gettext("第{n}行 差异须说明原因（短少、损坏或错发）").format(n=n),
                    {"row": n, "field": "reason"},
                )
            if received == ln.quantity:
                reason = ""
            seen[line_id] = (received, reason, (raw.get("note") or "")[:300])
        missing = [ln_id for ln_id in ship_lines if ln_id not in seen]
        if missing:
            raise QMError("lines_missing", gettext("须逐行签收"), {"line_ids": missing})
        excess_parsed = parse_lines(payload["excess"], field="excess") if payload["excess"] else []
        receipt = Receipt.objects.create(
            shipment=shipment, payload_hash=digest, confirmed_by=actor, note=(note or "")[:300]
        )
        unit = shipment.to_unit
        transit, disc, dest = transit_location(unit), discrepancy_location(unit), unit_location(unit)
        moves, rlines, cases = [], [], []
        for ln_id, (received, reason, lnote) in seen.items():
            ln = ship_lines[ln_id]
            short = ln.quantity - received
            if received:
                moves.append(
                    Move(ln.item_id, ln.gender, ln.size, received, transit, dest, MovementKind.RECEIPT)
                )
            if short:
                moves.append(
                    Move(
                        ln.item_id,
                        ln.gender,
                        ln.size,
                        short,
                        transit,
                        disc,
                        MovementKind.SHORT,
                        note=f"{reason} {lnote}",
                    )
                )
                cases.append(
                    DiscrepancyCase(
                        shipment=shipment,
                        unit=unit,
                        item_id=ln.item_id,
                        gender=ln.gender,
                        size=ln.size,
                        quantity=short,
                        reason=reason,
                        note=lnote,
                    )
                )
            rlines.append(
                ReceiptLine(
                    receipt=receipt,
                    shipment_line=ln,
                    item_id=ln.item_id,
                    gender=ln.gender,
                    size=ln.size,
                    received=received,
                    short=short,
                    reason=reason,
                    note=lnote,
                )
            )
        adj = adjustment_location() if excess_parsed else None
        excess_notes = {n: (r.get("note") or "")[:300] for n, r in enumerate(payload["excess"])}
        for n, (item, g, s, q) in enumerate(excess_parsed):
            moves.append(Move(item.pk, g, s, q, adj, dest, MovementKind.EXCESS, note=excess_notes.get(n, "")))
            rlines.append(
                ReceiptLine(
                    receipt=receipt, item=item, gender=g, size=s, excess=q, note=excess_notes.get(n, "")
                )
            )
        _post(
            moves,
            actor=actor,
            doc_type="shipment",
            doc_id=shipment.pk,
            doc_ref=shipment.number,
            returning=False,
        )
        ReceiptLine.objects.bulk_create(rlines, batch_size=1000)
        DiscrepancyCase.objects.bulk_create(cases)
        for f in photos:
            ReceiptPhoto.objects.create(receipt=receipt, file=f)
        status = ShipmentStatus.DISCREPANT if cases or excess_parsed else ShipmentStatus.RECEIVED
        _set_status(actor, shipment, status, received_at=timezone.now())
        record_change(actor=actor, obj=receipt, action=Action.CREATE)
    return receipt


def shipment_close(*, actor, shipment: Shipment) -> Shipment:
    """received → closed by the destination or province; a shipment with discrepancies closes when its
    cases are all settled."""
    can_confirm(actor, shipment)
    with transaction.atomic():
        shipment = _lock_shipment(shipment)
        if shipment.status == ShipmentStatus.CLOSED:
            return shipment
        _check(SHIPMENT_TRANSITIONS, shipment.status, ShipmentStatus.CLOSED)
        if shipment.cases.filter(status=CaseStatus.OPEN).exists():
            raise Conflict("cases_open", gettext("尚有未处理的差异"))
        _set_status(actor, shipment, ShipmentStatus.CLOSED, closed_at=timezone.now())
    return shipment


def case_settle(
    *,
    actor,
    case: DiscrepancyCase,
    outcome: str,
    note: str = "",
    supplier=None,
    from_unit: OrgUnit | None = None,
) -> DiscrepancyCase:
    """Provincial logistics settle a shortage: write it off, claim it from the supplier (the short goods go
    back to the supplier's account), or re-ship (the short goods are written off and a new shipment of the
    same quantity is dispatched from `from_unit` — default the original source). Each outcome is ledger rows;
    the shipment closes when its last case is settled."""
    scope.require_role(actor, scope.PROVINCE)
    if outcome not in CaseOutcome.values:
        raise QMError(
            "bad_outcome", gettext("未知处理方式：{outcome}").format(outcome=outcome), {"field": "outcome"}
        )
    with transaction.atomic():
        case = DiscrepancyCase.objects.select_for_update().select_related("shipment", "unit").get(pk=case.pk)
        if case.status == CaseStatus.SETTLED:
            if case.outcome == outcome:
                return case
            raise Conflict("already_settled", gettext("该差异已处理"), {"outcome": case.outcome})
        if (
            outcome == CaseOutcome.RESHIP
            and from_unit is None
            and case.shipment.from_location.unit_id is None
        ):
            # a shipment from a supplier, from before suppliers delivered only through procurement
            raise QMError(
                "from_unit_required",
                gettext("须指明补发的发货单位；供应商补货经合同交货和验收入库"),
                {"field": "from_unit"},
            )
        disc = discrepancy_location(case.unit)
        key = (case.item_id, case.gender, case.size)
        if outcome == CaseOutcome.CLAIM:
            original = case.shipment.from_location
            dst = supplier_location(supplier) if supplier else original
            if dst.kind != LocationKind.SUPPLIER:
                raise QMError(
                    "supplier_required",
                    gettext("须指明索赔的供应商"),
                    {"field": "supplier"},
                )
            moves = [Move(*key, case.quantity, disc, dst, MovementKind.CLAIM)]
        else:
            moves = [Move(*key, case.quantity, disc, written_off_location(), MovementKind.WRITE_OFF)]
        _post(moves, actor=actor, doc_type="case", doc_id=case.pk, doc_ref=case.shipment.number, note=note)
        if outcome == CaseOutcome.RESHIP:
            src_unit = from_unit or case.shipment.from_location.unit
            line = [
                {
                    "item": ItemType.objects.get(pk=case.item_id),
                    "gender": case.gender,
                    "size": case.size,
                    "quantity": case.quantity,
                }
            ]
            reship = shipment_create(
                actor=actor,
                to_unit=case.unit,
                lines=line,
                from_unit=src_unit,
                note=gettext("补发：{shipment}").format(shipment=case.shipment),
            )
            shipment_dispatch(actor=actor, shipment=reship)
            case.reship = reship
        before = snapshot(case, ["status", "outcome"])
        case.status, case.outcome = CaseStatus.SETTLED, outcome
        case.settled_by, case.settled_at, case.settle_note = actor, timezone.now(), note[:300]
        case.save()
        record_change(
            actor=actor,
            obj=case,
            action=Action.STATUS,
            before=before,
            after=snapshot(case, ["status", "outcome"]),
            note=note,
        )
        shipment = _lock_shipment(case.shipment)
        if (
            shipment.status == ShipmentStatus.DISCREPANT
            and not shipment.cases.filter(status=CaseStatus.OPEN).exists()
        ):
            _set_status(
                actor, shipment, ShipmentStatus.CLOSED, closed_at=timezone.now(), note="差异已全部处理"
            )
    return case


# ---- issue to officers -------------------------------------------------------------------------------------


def can_issue(actor, unit: OrgUnit) -> None:
    """Issue, exchange, return and recovery at a unit: its own staff or those above it (out of scope →
    404, a read-only role → 403). Pages ask it through core.pages.may_write to show their forms."""
    if actor is None:
        return
    if not scope.in_scope(actor, unit):
        raise NotFound()
    scope.require_role(actor, scope.PROVINCE, scope.CITY, scope.COUNTY, unit=unit)


def _held_by_officers(officer_ids: list[int]) -> dict[int, dict[tuple, int]]:
    """officer id → {(item id, gender, size): quantity held}."""
    locs = {loc.pk: loc.officer_id for loc in Location.objects.filter(officer_id__in=officer_ids)}
    out: dict[int, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    if not locs:
        return out
    for (loc_id, item_id, g, s), q in _officer_held(list(locs)).items():
        if q:
            out[locs[loc_id]][(item_id, g, s)] += q
    return out


def _store_stock(unit: OrgUnit, item_ids, *, lock: bool = False) -> dict[tuple, int]:
    """(item id, gender, size) → what the unit's store holds (from StockBalance); locked for the transaction
    when `lock` (in id order, as `_post` locks them)."""
    qs = StockBalance.objects.filter(location__key=f"unit:{unit.code}", item_id__in=item_ids, quantity__gt=0)
    if lock:
        qs = qs.select_for_update(of=("self",)).order_by("id")
    return {(b.item_id, b.gender, b.size): b.quantity for b in qs}


def issue_plan(
    unit: OrgUnit,
    officers: list[Officer],
    overrides: dict[int, dict[str, str]] | None = None,
    items: list[ItemType] | None = None,
    *,
    lock: bool = False,
) -> issuing.IssuePlan:
    """What `kit_issue` would issue from `unit`'s store to `officers` now, and what would stay outstanding
    (distribution.issuing.plan). Reads only; the kits page previews with it, kit_issue runs it locked."""
    if items is None:
        items = [i for i in active_items() if i.qty_per_officer > 0]
    ids = [o.pk for o in officers]
    held = _held_by_officers(ids)
    badges = set(BadgeNumber.objects.filter(officer_id__in=ids).values_list("officer_id", flat=True))
    stock = _store_stock(unit, [i.pk for i in items], lock=lock)
    return issuing.plan(officers, items, held, stock, badges, overrides)


def issue_result(p: issuing.IssuePlan, moves: int | None = None) -> dict:
    """The answer of an issue, the same at every door: counts, then what stays outstanding (per officer, item,
    size, reason) and, per item × size, what the store lacked. Codes stay codes; names come beside them."""
    outstanding = [ln.as_dict() for ln in p.outstanding]
    return {
        "officers": len(p.officers),
        "lines": len(p.issue) if moves is None else moves,
        "quantity": p.quantity,
        "outstanding": outstanding,
        "short": [s.as_dict() for s in p.short],
        # the earlier answer's field: what had no size or badge number (also in outstanding)
        "skipped": [
            {"officer_id": r["officer_id"], "item": r["item"], "reason": r["reason_text"]}
            for r in outstanding
            if r["reason"] != issuing.SHORT
        ],
    }


def kit_issue(
    *,
    actor,
    unit: OrgUnit,
    officers: list[Officer] | None = None,
    sizes: dict[int, dict[str, str]] | None = None,
    signature: str = SignatureKind.ACK,
    signed_on: datetime.date | None = None,
    sheet=None,
) -> dict:
    """Issue kit from `unit`'s store to its eligible officers (all of them when `officers` is None): each gets
    what the entitlement standard gives, in their sizes (`sizes` {officer id: {item code: size}} overrides
    per item), minus what they already hold, so a repeat issues nothing more. Issues what the store holds
    and no more: where it is short, officers in name order get the stock first and the rest stays
    outstanding, as do items without a size (made to measure, a measurement missing) and badges without a
    badge number; all of it is listed in the answer (`issue_result`), nothing is refused as a whole. One
    transaction; records the signature per officer who received something."""
    can_issue(actor, unit)
    if signature not in SignatureKind.values:
        raise QMError(
            "bad_signature",
            gettext("签收方式须为签领表（sheet）或本人确认（ack）"),
            {"field": "signature"},
        )
    if signature == SignatureKind.SHEET and not sheet:
        raise QMError("sheet_required", gettext("须上传签领表"), {"field": "sheet"})
    signed_on = signed_on or timezone.localdate()
    if signed_on > timezone.localdate():
        raise QMError("bad_date", gettext("签收日期不能晚于今天"), {"field": "signed_on"})
    eligible = Officer.objects.eligible().filter(unit=unit)
    if officers is None:
        chosen = list(eligible)
    else:
        ids = [o.pk for o in officers]
        chosen = list(eligible.filter(pk__in=ids))
        if len(chosen) != len(set(ids)):
            bad = sorted(set(ids) - {o.pk for o in chosen})
            raise QMError(
                "not_eligible",
                gettext("所选人员不属于本单位或不符合配发条件（{n_bad} 人）").format(n_bad=len(bad)),
                {"field": "officers", "officer_ids": bad},
            )
    sizes = sizes or {}
    items = [i for i in active_items() if i.qty_per_officer > 0]
    by_code = {i.code: i for i in items}
    for oid, over in sizes.items():
        for code, size in over.items():
            if code not in by_code:
                raise QMError(
                    "bad_item",
                    pgettext("unknown item: {code}", "未知品类：{code}").format(code=code),
                    {"field": "sizes", "officer_id": oid},
                )
            if not size or len(str(size)) > 20:
                raise QMError(
                    "bad_size",
                    gettext("{name_for} 的号型无效").format(
                        name_for=by_code[code].name_for("M"), name_en=by_code[code].name_en
                    ),
                    {"field": "sizes", "officer_id": oid, "item": code},
                )
    with transaction.atomic():
        # lock the officers so two parallel issues to the same officer cannot both see an empty kit, then the
        # store's balances so the plan is made on the stock that will really be there
        list(
            Officer.objects.select_for_update()
            .filter(pk__in=[o.pk for o in chosen])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        p = issue_plan(unit, chosen, sizes, items, lock=True)
        src = unit_location(unit)
        issued = {ln.officer.pk: ln.officer for ln in p.issue}
        locs = officer_locations([issued[k] for k in sorted(issued)]) if issued else {}
        moves = [
            Move(
                ln.item.pk,
                ln.gender,
                ln.size,
                ln.quantity,
                src,
                locs[ln.officer.pk],
                MovementKind.ISSUE,
                officer_unit_id=unit.pk,
            )
            for ln in p.issue
        ]
        _post(
            moves,
            actor=actor,
            doc_type="issue",
            doc_ref=f"{unit.code}-{signed_on.isoformat()}",
            returning=False,
        )
        now = timezone.now()
        lines_of = Counter(ln.officer.pk for ln in p.issue)
        owed_of = Counter(ln.officer.pk for ln in p.outstanding)
        records = [
            IssueRecord(
                officer_id=oid, unit=unit, signature=signature, signed_on=signed_on, actor=actor, at=now
            )
            for oid in p.officers
        ]
        if sheet and records:
            first = records[0]
            first.sheet.save(getattr(sheet, "name", "sheet.pdf"), sheet, save=False)
            for r in records[1:]:
                r.sheet = first.sheet.name
        IssueRecord.objects.bulk_create(records, batch_size=1000)
        record_changes(
            build_record(
                actor=actor,
                obj=r,
                action=Action.CREATE,
                after={
                    "officer": r.officer_id,
                    "unit": unit.pk,
                    "signature": r.signature,
                    "signed_on": signed_on.isoformat(),
                    "sheet": r.sheet.name or "",
                    "lines": lines_of[r.officer_id],
                    "outstanding": owed_of[r.officer_id],
                },
            )
            for r in records
        )
    return issue_result(p, len(moves))


def _officer_unit_check(actor, officer: Officer) -> None:
    can_issue(actor, officer.unit)


def kit_exchange(
    *, actor, officer: Officer, item: str, from_size: str, to_size: str, quantity: int = 1, note: str = ""
) -> list[Movement]:
    """调换: the officer returns `quantity` of `item` in `from_size` to the unit's store and receives the same
    quantity in `to_size` from it — refused if they do not hold it or the store lacks the new size."""
    _officer_unit_check(actor, officer)
    parsed = parse_lines(
        [
            {"item": item, "gender": officer.gender, "size": from_size, "quantity": quantity},
            {"item": item, "gender": officer.gender, "size": to_size, "quantity": quantity},
        ]
    )
    if len(parsed) != 2:
        raise QMError("same_size", gettext("新旧号型相同"), {"field": "to_size"})
    (it, g, s_from, q), (_it, _g, s_to, _q) = parsed
    with transaction.atomic():
        off_loc = officer_location(officer)
        store = unit_location(officer.unit)
        rows = _post(
            [
                Move(
                    it.pk, g, s_from, q, off_loc, store, MovementKind.RETURN, officer_unit_id=officer.unit_id
                ),
                Move(it.pk, g, s_to, q, store, off_loc, MovementKind.ISSUE, officer_unit_id=officer.unit_id),
            ],
            actor=actor,
            doc_type="exchange",
            doc_id=officer.pk,
            note=note or gettext("调换"),
        )
        rec = IssueRecord.objects.create(
            officer=officer,
            unit=officer.unit,
            signature=SignatureKind.ACK,
            signed_on=timezone.localdate(),
            kind="exchange",
            actor=actor,
        )
        record_change(
            actor=actor,
            obj=rec,
            action=Action.CREATE,
            after={"officer": officer.pk, "kind": "exchange"},
            note=f"{it.code} {s_from}→{s_to} ×{q}",
        )
    return rows


def kit_return(
    *,
    actor,
    officer: Officer,
    lines,
    note: str = "",
    kind: str = MovementKind.RETURN,
    doc_type: str = "return",
    doc_id: int | None = None,
) -> list[Movement]:
    """The officer hands items back to their unit's store; never more than they hold."""
    _officer_unit_check(actor, officer)
    parsed = parse_lines(
        [
            {
                **(r if isinstance(r, dict) else r.dict()),
                "gender": (r if isinstance(r, dict) else r.dict()).get("gender") or officer.gender,
            }
            for r in lines
        ]
    )
    with transaction.atomic():
        off_loc = officer_location(officer)
        store = unit_location(officer.unit)
        return _post(
            [
                Move(i.pk, g, s, q, off_loc, store, kind, officer_unit_id=officer.unit_id)
                for i, g, s, q in parsed
            ],
            actor=actor,
            doc_type=doc_type,
            doc_id=doc_id or officer.pk,
            note=note,
        )


# ---- badge numbers -------------------------------------------------------------------------------------------


def badge_assign(*, actor, unit: OrgUnit | None = None) -> int:
    """Give every eligible officer without one (in `unit`'s subtree, or the province) the next badge numbers.
    Numbers come from one locked counter and are never handed out again. Returns how many were assigned."""
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    qs = Officer.objects.eligible().filter(badge__isnull=True).order_by("unit__path", "id")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    with transaction.atomic():
        BadgeSequence.objects.get_or_create(name="province")
        seq = BadgeSequence.objects.select_for_update().get(name="province")
        ids = list(qs.values_list("id", flat=True))
        if not ids:
            return 0
        start = seq.last
        BadgeNumber.objects.bulk_create(
            [BadgeNumber(officer_id=oid, number=start + n) for n, oid in enumerate(ids, start=1)],
            batch_size=1000,
        )
        seq.last = start + len(ids)
        seq.save(update_fields=["last"])
        record_change(
            actor=actor,
            obj=seq,
            action=Action.UPDATE,
            before={"last": start},
            after={"last": seq.last},
            note=f"assigned {len(ids)} badge numbers",
        )
    return len(ids)


# ---- recovery ------------------------------------------------------------------------------------------------


def _categories_for(status: str) -> set[str] | None:
    if status in LEAVING_ALL:
        return {c.value for c in Category}
    if status in LEAVING_INSIGNIA:
        return {Category.INSIGNIA.value}
    return None


def recovery_open(*, officer: Officer) -> RecoveryTask | None:
    """After a status change: an officer who left (调出/离职) owes back everything, a retiree the insignia.
    Opens one task listing what they hold of those categories (none if they hold nothing)."""
    cats = _categories_for(officer.status)
    if cats is None:
        return None
    with transaction.atomic():
        if RecoveryTask.objects.filter(officer=officer, status=RecoveryStatus.OPEN).exists():
            return None
        held = _held_by_officers([officer.pk]).get(officer.pk, {})
        cat_of = dict(ItemType.objects.values_list("id", "category"))
        code_of = dict(ItemType.objects.values_list("id", "code"))
        expected = [
            {"item": code_of[i], "gender": g, "size": s, "quantity": q}
            for (i, g, s), q in sorted(held.items())
            if q > 0 and cat_of[i] in cats
        ]
        if not expected:
            return None
        task = RecoveryTask.objects.create(
            officer=officer, unit=officer.unit, reason=officer.status, expected=expected
        )
        record_change(actor=None, obj=task, action=Action.CREATE)
    return task


def _on_status_change(officer):
    recovery_open(officer=officer)


def register_hooks():
    from personnel.services import _status_hooks, on_status_change
    from procurement.services import _accept_hooks, on_accepted

    if _on_status_change not in _status_hooks:
        on_status_change(_on_status_change)
    if _book_accepted not in _accept_hooks:
        on_accepted(_book_accepted)


def _book_accepted(goods) -> None:
    """procurement's 验收 → the stock ledger: accepted quantities only, supplier → the delivery's destination,
    one ledger document per acceptance certificate (inside the acceptance's transaction). The acceptance
    service has already checked who may accept; the posting step checks the goods against the certificate."""
    from procurement.models import Acceptance

    groups: dict[str, list] = {}
    for g in goods:
        groups.setdefault(g.certificate_number, []).append(g)
    ids = dict(
        Acceptance.objects.filter(certificate_number__in=list(groups)).values_list("certificate_number", "id")
    )
    for certificate, batch in groups.items():
        if certificate not in ids:
            raise QMError("not_accepted", gettext("没有这张验收单"), {"field": "acceptance"})
        _receive_accepted(actor=batch[0].actor, acceptance_id=ids[certificate], goods=batch)


def _task_outstanding(task: RecoveryTask) -> list[dict]:
    held = _held_by_officers([task.officer_id]).get(task.officer_id, {})
    ids = dict(ItemType.objects.values_list("code", "id"))
    out = []
    for e in task.expected:
        q = min(e["quantity"], held.get((ids[e["item"]], e["gender"], e["size"]), 0))
        if q > 0:
            out.append({**e, "quantity": q})
    return out


def recovery_record(*, actor, task: RecoveryTask, lines, note: str = "") -> RecoveryTask:
    """Record items handed back on a recovery task (ledger rows officer → the task's unit store); the task is
    done when nothing expected is still held."""
    can_issue(actor, task.unit)
    with transaction.atomic():
        task = RecoveryTask.objects.select_for_update().select_related("officer", "unit").get(pk=task.pk)
        if task.status != RecoveryStatus.OPEN:
            raise Conflict("task_done", gettext("收回任务已完成"))
        parsed = parse_lines(lines)
        expected = {(e["item"], e["gender"], e["size"]) for e in task.expected}
        for n, (i, g, s, _q) in enumerate(parsed, start=1):
            if (i.code, g, s) not in expected:
                raise QMError(
                    "not_expected",
                    gettext("第{n}行 不在收回清单中").format(n=n),
                    {"row": n, "field": "item"},
                )
        off_loc = officer_location(task.officer)
        store = unit_location(task.unit)
        _post(
            [
                Move(i.pk, g, s, q, off_loc, store, MovementKind.RECOVERY, officer_unit_id=task.unit_id)
                for i, g, s, q in parsed
            ],
            actor=actor,
            doc_type="recovery",
            doc_id=task.pk,
            note=note,
        )
        if not _task_outstanding(task):
            _task_done(actor, task, note)
    return task


def recovery_close(*, actor, task: RecoveryTask, note: str) -> RecoveryTask:
    """Close a task with items still out (lost, not returned): those are written off, with the reason."""
    can_issue(actor, task.unit)
    if not note.strip():
        raise QMError("note_required", gettext("须说明未收回原因"), {"field": "note"})
    with transaction.atomic():
        task = RecoveryTask.objects.select_for_update().select_related("officer", "unit").get(pk=task.pk)
        if task.status != RecoveryStatus.OPEN:
            return task
        rest = _task_outstanding(task)
        if rest:
            ids = dict(ItemType.objects.values_list("code", "id"))
            off_loc = officer_location(task.officer)
            _post(
                [
                    Move(
                        ids[e["item"]],
                        e["gender"],
                        e["size"],
                        e["quantity"],
                        off_loc,
                        written_off_location(),
                        MovementKind.WRITE_OFF,
                    )
                    for e in rest
                ],
                actor=actor,
                doc_type="recovery",
                doc_id=task.pk,
                note=note,
            )
        _task_done(actor, task, note)
    return task


def _task_done(actor, task, note):
    before = snapshot(task, ["status"])
    task.status, task.closed_at, task.note = RecoveryStatus.DONE, timezone.now(), note[:300]
    task.save(update_fields=["status", "closed_at", "note"])
    record_change(
        actor=actor, obj=task, action=Action.STATUS, before=before, after=snapshot(task, ["status"])
    )


# ---- stocktake --------------------------------------------------------------------------------------------


def stocktake_submit(*, actor, unit: OrgUnit, lines, note: str = "") -> Stocktake:
    """盘点: the unit's staff count its store; each counted line is compared with the ledger; a difference
    needs a reason. Lines not counted are not touched. Approved by the level above (stocktake_decide)."""
    can_issue(actor, unit)
    if unit.level == Level.STATION:
        raise QMError("bad_unit", gettext("站所无库存"), {"field": "unit"})
    raw = [r if isinstance(r, dict) else r.dict() for r in lines or []]
    parsed = parse_lines([{**r, "quantity": r.get("counted")} for r in raw], allow_zero=True)
    reasons = {}
    for n, r in enumerate(raw, start=1):
        reasons[(r.get("item"), r.get("gender"), str(r.get("size") or "").strip())] = (
            n,
            (r.get("reason") or "")[:200],
        )
    loc = unit_location(unit)
    ledger = {(b.item_id, b.gender, b.size): b.quantity for b in StockBalance.objects.filter(location=loc)}
    with transaction.atomic():
        st = Stocktake.objects.create(location=loc, unit=unit, created_by=actor, note=note[:300])
        rows = []
        for item, g, s, counted in parsed:
            n, reason = reasons.get((item.code, g, s), (0, ""))
            have = ledger.get((item.pk, g, s), 0)
            if counted != have and not reason.strip():
                raise QMError(
                    "reason_required",
                    gettext("第{n}行 账实不符须说明原因").format(n=n),
                    {"row": n, "field": "reason"},
                )
            rows.append(
                StocktakeLine(
                    stocktake=st, item=item, gender=g, size=s, ledger=have, counted=counted, reason=reason
                )
            )
        StocktakeLine.objects.bulk_create(rows)
        record_change(actor=actor, obj=st, action=Action.CREATE, note=f"{len(rows)} lines")
    return st


def can_decide_stocktake(actor, st: Stocktake) -> None:
    """The level above approves: a county's count its city (or province), a city's the province, the
    provincial store's another provincial user than the one who counted."""
    if not scope.in_scope(actor, st.unit):
        raise NotFound()
    unit = st.unit
    if unit.level == Level.COUNTY:
        if scope.is_province(actor) or scope.has_role(actor, scope.CITY, unit=unit.parent):
            return
    elif unit.level == Level.CITY:
        if scope.is_province(actor):
            return
    elif scope.is_province(actor) and actor.pk != st.created_by_id:
        return
    raise Forbidden(gettext("盘点须由上级审批"))


def stocktake_decide(*, actor, stocktake: Stocktake, approve: bool, note: str = "") -> Stocktake:
    """Approve (differences posted as adjustment rows: surplus from, deficit to the adjustments account) or
    reject. Refused if the store no longer holds what a deficit takes."""
    can_decide_stocktake(actor, stocktake)
    new = StocktakeStatus.APPROVED if approve else StocktakeStatus.REJECTED
    with transaction.atomic():
        st = Stocktake.objects.select_for_update().select_related("location", "unit").get(pk=stocktake.pk)
        if st.status == new:
            return st
        _check(STOCKTAKE_TRANSITIONS, st.status, new)
        if approve:
            adj = adjustment_location()
            moves = []
            for ln in st.lines.all():
                diff = ln.counted - ln.ledger
                if diff > 0:
                    moves.append(
                        Move(
                            ln.item_id,
                            ln.gender,
                            ln.size,
                            diff,
                            adj,
                            st.location,
                            MovementKind.ADJUSTMENT,
                            note=ln.reason,
                        )
                    )
                elif diff < 0:
                    moves.append(
                        Move(
                            ln.item_id,
                            ln.gender,
                            ln.size,
                            -diff,
                            st.location,
                            adj,
                            MovementKind.ADJUSTMENT,
                            note=ln.reason,
                        )
                    )
            _post(moves, actor=actor, doc_type="stocktake", doc_id=st.pk, doc_ref=f"PD{st.pk}", note=note)
        before = snapshot(st, ["status"])
        st.status, st.decided_by, st.decided_at = new, actor, timezone.now()
        st.save(update_fields=["status", "decided_by", "decided_at"])
        record_change(
            actor=actor,
            obj=st,
            action=Action.STATUS,
            before=before,
            after=snapshot(st, ["status"]),
            note=note,
        )
    return st


# ---- checks ------------------------------------------------------------------------------------------------


def ledger_verify() -> list[str]:
    """Recompute every summary from the ledger; returns the differences found (empty when all agree)."""
    problems = []
    bal: dict[tuple, int] = defaultdict(int)
    kinds = dict(Location.objects.values_list("id", "kind"))
    units = dict(Location.objects.values_list("id", "unit_id"))
    for m in Movement.objects.values(
        "from_location_id", "to_location_id", "item_id", "gender", "size", "quantity"
    ):
        bal[(m["to_location_id"], m["item_id"], m["gender"], m["size"])] += m["quantity"]
        bal[(m["from_location_id"], m["item_id"], m["gender"], m["size"])] -= m["quantity"]
    stored = {(b.location_id, b.item_id, b.gender, b.size): b.quantity for b in StockBalance.objects.all()}
    for key, q in bal.items():
        if kinds[key[0]] in GUARDED and q < 0:
            problems.append(f"negative balance {key}: {q}")
        if kinds[key[0]] in GUARDED and kinds[key[0]] != LocationKind.OFFICER and stored.get(key, 0) != q:
            problems.append(f"StockBalance {key}: stored {stored.get(key, 0)} ledger {q}")
    for f in UnitFlow.objects.all():
        transit = [loc for loc, u in units.items() if u == f.unit_id and kinds[loc] == LocationKind.TRANSIT]
        in_transit = sum(bal.get((t, f.item_id, f.gender, f.size), 0) for t in transit)
        if f.shipped != f.received + in_transit + f.short:
            problems.append(
                f"unit {f.unit_id} {f.item_id} {f.gender} {f.size}: shipped {f.shipped} ≠ received "
                f"{f.received} + in transit {in_transit} + short {f.short}"
            )
    return problems
