"""验收 by exception: the receiving unit takes every line of an arrived delivery as accepted in full and marks
only the lines with rejects (quantity and reason). `acceptance_plan` turns those few marks into the per-line
result that `services.acceptance_record` books; the page's review step and the confirmation both use it, so
what the user reviewed is what is recorded.

Pure: it reads nothing and writes nothing; the caller passes the delivery's lines (with contract line, item
and officer)."""

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext

from core.by_exception import parse_marks, whole
from core.errors import QMError
from distribution.receipts import gender_name, item_name

MAX_REJECTS = 5000


def size_label(contract_line) -> str:
    """The size as users read it: a made-to-measure line names its officer instead."""
    if contract_line.officer_id:
        return gettext("定制：{name}").format(name=contract_line.officer.name)
    return contract_line.size


def line_label(dl) -> str:
    """冬执勤服 男 175/92A: how a delivery line is named in messages (never the item code)."""
    cl = dl.contract_line
    return f"{item_name(cl.item, cl.gender)} {gender_name(cl.gender)} {size_label(cl)}"


@dataclass
class AcceptancePlan:
    lines: list[dict]  # one per delivery line, as services.acceptance_record takes them
    rejects: list[dict] = field(default_factory=list)  # normalised, in the order given, with their line
    delivered: int = 0
    accepted: int = 0
    rejected: int = 0

    def as_json(self) -> str:
        """The marks as the page posts them again, with the names the page shows (ignored when read)."""
        rows = []
        for r in self.rejects:
            dl = r["delivery_line"]
            cl = dl.contract_line
            rows.append(
                {
                    "line": dl.pk,
                    "rejected": r["rejected"],
                    "reason": r["reason"],
                    "name": item_name(cl.item, cl.gender),
                    "gender": gender_name(cl.gender),
                    "sz": size_label(cl),
                    "delivered": dl.quantity,
                }
            )
        return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def parse_rejects(raw) -> list:
    """The rejects field as posted: a JSON list (empty or missing: every line accepted in full)."""
    return parse_marks(
        raw,
        maximum=MAX_REJECTS,
        code="bad_rejects",
        field="rejects",
        unreadable=gettext("不合格标记无法读取，请刷新页面后重新标记"),
        not_list=gettext("不合格标记须为列表"),
        too_many=gettext("不合格标记最多 {n} 项").format(n=MAX_REJECTS),
    )


def acceptance_plan(delivery_lines, rejects) -> AcceptancePlan:
    """Every delivery line accepted in full, except the marked ones [{line, rejected, reason}]: `rejected` of
    the line (1 to what was delivered) fail inspection, for `reason`. One mark per line. A bad mark raises a
    QMError naming the line (item name, 男/女, size), the field and the reason; nothing is half-applied."""
    rejects = parse_rejects(rejects)
    by_id = {dl.pk: dl for dl in delivery_lines}
    marked: dict[int, tuple[int, str]] = {}
    normalised: list[dict] = []
    for n, raw in enumerate(rejects, start=1):
        if not isinstance(raw, dict):
            raise QMError(
                "bad_reject",
                gettext("第{n}项不合格标记格式无效").format(n=n),
                {"row": n, "field": "rejects"},
            )
        dl = by_id.get(whole(raw.get("line")))
        if dl is None:
            raise QMError(
                "bad_line",
                gettext("第{n}项不合格标记：所指的行不在本批次中").format(n=n),
                {"row": n, "field": "line", "line_id": raw.get("line")},
            )
        cl = dl.contract_line
        label = line_label(dl)
        where = {"row": n, "line_id": dl.pk, "item": cl.item.code, "gender": cl.gender, "size": cl.size}
        if dl.pk in marked:
            raise QMError(
                "duplicate_line",
                gettext("{label}：同一行只能标记一次").format(label=label),
                {**where, "field": "line"},
            )
        qty = whole(raw.get("rejected"))
        if qty is None or not 1 <= qty <= dl.quantity:
            raise QMError(
                "bad_quantity",
                gettext("{label}：不合格数量须为 1–{top} 的整数").format(label=label, top=dl.quantity),
                {**where, "field": "rejected"},
            )
        reason = str(raw.get("reason") or "").strip()
        if not reason:
            raise QMError(
                "reason_required",
                gettext("{label}：不合格须写明原因").format(label=label),
                {**where, "field": "reason"},
            )
        reason = reason[:300]
        marked[dl.pk] = (qty, reason)
        normalised.append({"delivery_line": dl, "rejected": qty, "reason": reason})
    lines, delivered, rejected = [], 0, 0
    for dl in delivery_lines:
        rej, reason = marked.get(dl.pk, (0, ""))
        lines.append(
            {"delivery_line_id": dl.pk, "accepted": dl.quantity - rej, "rejected": rej, "reason": reason}
        )
        delivered += dl.quantity
        rejected += rej
    return AcceptancePlan(
        lines=lines,
        rejects=normalised,
        delivered=delivered,
        accepted=delivered - rejected,
        rejected=rejected,
    )
