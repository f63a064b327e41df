"""Opening balances (期初余额): what a unit's store held when the system went live. The unit's own staff (or
provincial logistics) submit it; provincial logistics approve it — never the person who submitted it — and
only then it is posted to the ledger (adjustments account → the unit's store, kind `opening`). One per unit;
all lines or none; sending the same balance again answers the same document."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core import scope
from core.errors import Conflict, Forbidden, NotFound, QMError
from core.history import record_change, snapshot
from core.models import ChangeRecord
from personnel.choices import Level
from personnel.models import OrgUnit

from .choices import OPENING_TRANSITIONS, MovementKind, OpeningStatus
from .models import OpeningBalance, OpeningBalanceLine

Action = ChangeRecord.Action


def can_submit(actor, unit: OrgUnit) -> None:
    """The unit's own staff or provincial logistics; out of scope → 404, others → 403."""
    if actor is None:
        return
    if not scope.in_scope(actor, unit):
        raise NotFound()
    if scope.is_province(actor):
        return
    for role, path in scope.memberships(actor):
        if role in (scope.CITY, scope.COUNTY) and path == unit.path:
            return
    raise Forbidden(gettext("期初余额由本单位或省级后勤提交"))


def can_decide(actor, opening: OpeningBalance) -> None:
    """Provincial logistics approve, and not the one who submitted."""
    if not scope.in_scope(actor, opening.unit):
        raise NotFound()
    if not scope.is_province(actor):
        raise Forbidden(gettext("期初余额须由省级后勤审批"))
    if actor.pk == opening.created_by_id:
        raise Forbidden(gettext("期初余额不能由提交人本人审批"))


def _payload(unit: OrgUnit, as_of: datetime.date, parsed) -> str:
    from .services import _hash

    return _hash(
        {
            "unit": unit.code,
            "as_of": as_of.isoformat(),
            "lines": sorted([i.code, g, s, q] for i, g, s, q in parsed),
        }
    )


def opening_submit(*, actor, unit: OrgUnit, as_of: datetime.date, lines, note: str = "") -> OpeningBalance:
    """Submit a unit's opening balance: [{item, gender, size, quantity > 0}], each bad row named by its number,
    nothing written if any is bad. A unit has one opening balance (a rejected one may be submitted again);
    the same balance sent again answers the document already submitted."""
    from .services import parse_lines

    can_submit(actor, unit)
    if unit.level not in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        raise QMError("bad_unit", gettext("站所没有库存，期初余额记在县级"), {"field": "unit"})
    if not isinstance(as_of, datetime.date):
        raise QMError("bad_date", gettext("须填写盘点日期"), {"field": "as_of"})
    if as_of > timezone.localdate():
        raise QMError("bad_date", gettext("盘点日期不能晚于今天"), {"field": "as_of"})
    parsed = parse_lines(lines)
    digest = _payload(unit, as_of, parsed)
    with transaction.atomic():
        OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
        current = (
            OpeningBalance.objects.filter(unit=unit)
            .exclude(status=OpeningStatus.REJECTED)
            .order_by("-id")
            .first()
        )
        if current is not None:
            if current.payload_hash == digest:
                return current
            raise Conflict(
                "opening_exists",
                gettext("{unit} 已有期初余额 {number}（{status}）").format(
                    unit=unit.name, number=current.number, status=current.get_status_display()
                ),
                {"field": "unit", "opening_id": current.pk},
            )
        n = OpeningBalance.objects.filter(unit=unit).count() + 1
        opening = OpeningBalance.objects.create(
            unit=unit,
            number=f"QC{unit.code}-{n:02d}",
            as_of=as_of,
            payload_hash=digest,
            note=(note or "")[:300],
            created_by=actor,
        )
        OpeningBalanceLine.objects.bulk_create(
            [
                OpeningBalanceLine(opening=opening, item=i, gender=g, size=s, quantity=q)
                for i, g, s, q in parsed
            ],
            batch_size=1000,
        )
        record_change(
            actor=actor,
            obj=opening,
            action=Action.CREATE,
            after={"unit": unit.code, "as_of": as_of.isoformat(), "lines": len(parsed)},
            note=f"{len(parsed)} lines, {sum(q for *_, q in parsed)} pieces",
        )
    return opening


def opening_decide(*, actor, opening: OpeningBalance, approve: bool, note: str = "") -> OpeningBalance:
    """Approve (the lines are posted: adjustments account → the unit's store, one ledger document) or reject
    (a reason is required). Deciding the same way again changes nothing."""
    from .services import Move, _check, _post, adjustment_location, unit_location

    can_decide(actor, opening)
    new = OpeningStatus.POSTED if approve else OpeningStatus.REJECTED
    if not approve and not (note or "").strip():
        raise QMError("note_required", gettext("驳回须说明原因"), {"field": "note"})
    with transaction.atomic():
        op = OpeningBalance.objects.select_for_update().select_related("unit").get(pk=opening.pk)
        if op.status == new:
            return op
        _check(OPENING_TRANSITIONS, op.status, new)
        if approve:
            src, dst = adjustment_location(), unit_location(op.unit)
            _post(
                [
                    Move(ln.item_id, ln.gender, ln.size, ln.quantity, src, dst, MovementKind.OPENING)
                    for ln in op.lines.all()
                ],
                actor=actor,
                doc_type="opening",
                doc_id=op.pk,
                doc_ref=op.number,
                note=note or gettext("期初余额"),
                returning=False,
            )
        before = snapshot(op, ["status"])
        op.status, op.decided_by, op.decided_at = new, actor, timezone.now()
        op.decision_note = (note or "")[:300]
        op.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_change(
            actor=actor,
            obj=op,
            action=Action.STATUS,
            before=before,
            after=snapshot(op, ["status"]),
            note=note,
        )
    return op
