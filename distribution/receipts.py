"""Receipt by exception (签收差异): a receiving unit takes a shipment as "received as shipped" and marks only
what differs — short, damaged, a wrong size sent instead, or more than shipped. `receipt_plan` turns those few
exceptions into the per-line receipt that `services.shipment_confirm` books; the page's review step and the
confirmation both use it, so what the user reviewed is what is booked.

Pure: it reads nothing and writes nothing; the caller passes the shipment's lines (with their items)."""

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext

from core.by_exception import parse_marks, whole
from core.errors import QMError
from core.pages import tr

from .choices import ShortReason

ONE_SIZE = "-"
MISSING, DAMAGED, WRONG_SIZE, EXCESS = "missing", "damaged", "wrong_size", "excess"
KINDS = (MISSING, DAMAGED, WRONG_SIZE, EXCESS)
SHORT_REASON = {MISSING: ShortReason.MISSING, DAMAGED: ShortReason.DAMAGED, WRONG_SIZE: ShortReason.WRONG}
MAX_EXCEPTIONS = 5000
MAX_EXCESS = 100_000


def kind_label(kind: str) -> str:
    return {
        MISSING: gettext("短少"),
        DAMAGED: gettext("损坏"),
        WRONG_SIZE: gettext("错发号型"),
        EXCESS: gettext("多收"),
    }.get(kind, kind)


def kind_choices() -> list[tuple[str, str]]:
    return [(k, kind_label(k)) for k in KINDS]


def gender_name(gender: str) -> str:
    return gettext("女") if gender == "F" else gettext("男")


def item_name(item, gender: str) -> str:
    """The item's name for the men's or women's version in the active language (never its code)."""
    return tr(item.name_for(gender), item.name_en)


def size_name(size: str) -> str:
    return gettext("均码") if size == ONE_SIZE else size


def line_label(item, gender: str, size: str) -> str:
    """大檐帽 男 56: how a line is named to users in messages."""
    return f"{item_name(item, gender)} {gender_name(gender)} {size_name(size)}"


@dataclass
class ReceiptPlan:
    lines: list[dict]  # one per shipment line, as services.shipment_confirm takes them
    excess: list[dict]  # goods that arrived without being shipped, as services.shipment_confirm takes them
    exceptions: list[dict] = field(default_factory=list)  # normalised, in the order given, with their line
    shipped: int = 0
    received: int = 0
    short: int = 0
    excess_total: int = 0

    def as_json(self) -> str:
        """The exceptions as the page posts them again, with the names the page shows (ignored when read)."""
        keep = ("line", "kind", "quantity", "size", "note")
        rows = []
        for e in self.exceptions:
            ln = e["ship_line"]
            row = {k: e[k] for k in keep if e.get(k) not in (None, "")}
            row.update(
                name=item_name(ln.item, ln.gender),
                gender=gender_name(ln.gender),
                sz=size_name(ln.size),
                shipped=ln.quantity,
            )
            rows.append(row)
        return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def parse_exceptions(raw) -> list:
    """The exceptions field as posted: a JSON list (empty or missing: everything received as shipped)."""
    return parse_marks(
        raw,
        maximum=MAX_EXCEPTIONS,
        code="bad_exceptions",
        field="exceptions",
        unreadable=gettext("差异内容无法读取，请刷新页面后重新标记"),
        not_list=gettext("差异内容须为列表"),
        too_many=gettext("差异最多 {MAX_EXCEPTIONS} 项").format(MAX_EXCEPTIONS=MAX_EXCEPTIONS),
    )


def receipt_plan(ship_lines, exceptions) -> ReceiptPlan:
    """Every shipment line received as shipped, except the exceptions [{line, kind, quantity, size, note}]:
    - missing / damaged: `quantity` of the line did not arrive in good order (short, with that reason);
    - wrong_size: `quantity` of the line came as size `size` instead (short "wrong" on the line, and the
      size that really came booked as excess, as DESIGN.md's ledger rule says);
    - excess: `quantity` more than shipped of the line's item and size.
    At most one exception per line; a short one takes at most what was shipped. Each bad exception raises a
    QMError naming the line (item name, 男/女, size), the field and the reason; nothing is half-applied."""
    exceptions = parse_exceptions(exceptions)
    by_id = {ln.pk: ln for ln in ship_lines}
    short_of: dict[int, tuple[int, str, str]] = {}
    excess: list[dict] = []
    normalised: list[dict] = []
    seen: set[int] = set()
    for n, raw in enumerate(exceptions, start=1):
        if not isinstance(raw, dict):
            raise QMError(
                "bad_exception",
                gettext("第{n}项差异格式无效").format(n=n),
                {"row": n, "field": "exceptions"},
            )
        line_id = whole(raw.get("line"))
        ln = by_id.get(line_id)
        if ln is None:
            raise QMError(
                "bad_line",
                gettext("第{n}项差异：所指的行不在本发运单中").format(n=n),
                {"row": n, "field": "line", "line_id": raw.get("line")},
            )
        label = line_label(ln.item, ln.gender, ln.size)
        where = {"row": n, "line_id": ln.pk, "item": ln.item.code, "gender": ln.gender, "size": ln.size}
        if ln.pk in seen:
            raise QMError(
                "duplicate_line",
                gettext("{label}：同一行只能标记一项差异").format(label=label),
                {**where, "field": "line"},
            )
        seen.add(ln.pk)
        kind = raw.get("kind")
        if kind not in KINDS:
            raise QMError(
                "bad_kind",
                gettext("{label}：差异类型须为短少、损坏、错发号型或多收").format(label=label),
                {**where, "field": "kind"},
            )
        qty = whole(raw.get("quantity"))
        top = MAX_EXCESS if kind == EXCESS else ln.quantity
        if qty is None or not 1 <= qty <= top:
            raise QMError(
                "bad_quantity",
                gettext("{label}：{kind_label}数量须为 1–{top} 的整数").format(
                    label=label, kind_label=kind_label(kind), top=top
                ),
                {**where, "field": "quantity"},
            )
        note = str(raw.get("note") or "").strip()[:300]
        actual = ""
        if kind == WRONG_SIZE:
            actual = str(raw.get("size") or "").strip()
            if ln.item.size_system in ("none", "badge_number"):
                raise QMError(
                    "bad_size",
                    gettext("{label}：该品类只有一种规格，不会错发号型").format(label=label),
                    {**where, "field": "size"},
                )
            if not actual or len(actual) > 20 or actual == ONE_SIZE or actual == ln.size:
                raise QMError(
                    "bad_size",
                    gettext("{label}：请填写实际收到的号型（与发运号型不同）").format(label=label),
                    {**where, "field": "size"},
                )
        entry = {"line": ln.pk, "kind": kind, "quantity": qty, "size": actual, "note": note, "ship_line": ln}
        normalised.append(entry)
        if kind == EXCESS:
            excess.append(
                {"item": ln.item.code, "gender": ln.gender, "size": ln.size, "quantity": qty, "note": note}
            )
            continue
        short_of[ln.pk] = (qty, SHORT_REASON[kind].value, note)
        if kind == WRONG_SIZE:
            excess.append(
                {"item": ln.item.code, "gender": ln.gender, "size": actual, "quantity": qty, "note": note}
            )
    lines = []
    shipped = received = 0
    for ln in ship_lines:
        short, reason, note = short_of.get(ln.pk, (0, "", ""))
        got = ln.quantity - short
        lines.append({"line_id": ln.pk, "received": got, "reason": reason, "note": note})
        shipped += ln.quantity
        received += got
    return ReceiptPlan(
        lines=lines,
        excess=excess,
        exceptions=normalised,
        shipped=shipped,
        received=received,
        short=shipped - received,
        excess_total=sum(e["quantity"] for e in excess),
    )
