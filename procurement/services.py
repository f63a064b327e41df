"""Every write of procurement. Provincial logistics (role province) writes; each service validates first,
writes all or nothing, and records the change."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from assets.demand import split_margin
from assets.models import ItemType
from core import scope
from core.errors import Conflict, NotFound, QMError
from core.history import build_record, record_change, record_changes, snapshot
from core.i18n import tr
from core.models import ChangeRecord
from personnel.models import Officer, OrgUnit

from . import rules
from .choices import (
    CONTRACT_TRANSITIONS,
    TENDER_TRANSITIONS,
    AwardStatus,
    BidStatus,
    ContractStatus,
    DeliveryStatus,
    EvaluationMethod,
    LineKind,
    Method,
    PaymentKind,
    RejectionStatus,
    TenderStatus,
)
from .models import (
    Acceptance,
    AcceptanceLine,
    Award,
    AwardPrice,
    Bid,
    Contract,
    ContractLine,
    ContractVariation,
    ContractVariationLine,
    Delivery,
    DeliveryLine,
    Lot,
    Milestone,
    Payment,
    RuleOverride,
    Supplier,
    Tender,
)
from .money import line_amount, money, percent_of, price, to_decimal
from .workdays import WorkCalendar

Action = ChangeRecord.Action
UNSET = object()
GENDERS = {"M": "M", "F": "F", "男": "M", "女": "F"}
MTM_SIZE = "定制"


def _require_province(actor) -> None:
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)


def _require_purchaser(actor, contract: Contract) -> None:
    """统采分签: a contract's purchaser acts on it — provincial logistics on every contract, a city's staff on
    their own city's contracts. Out of scope → 404, in scope without the role → 403."""
    if actor is None:
        return
    if not scope.in_scope(actor, contract.buyer):
        raise NotFound()
    scope.require_role(actor, scope.PROVINCE, scope.CITY, unit=contract.buyer)


def _require_receiver(actor, delivery: Delivery) -> None:
    """A delivery is acted on (arrival, 验收, rejected goods returned) by its contract's purchaser (as
    _require_purchaser) or by the staff of the unit that receives it into its store (provincial, city or county
    staff over the destination). Out of both scopes → 404, in scope without either role → 403."""
    if actor is None:
        return
    buyer, destination = delivery.contract.buyer, delivery.destination
    if not scope.in_scope(actor, buyer) and not scope.in_scope(actor, destination):
        raise NotFound()
    if scope.has_role(actor, scope.PROVINCE, scope.CITY, unit=buyer):
        return
    scope.require_role(actor, scope.PROVINCE, scope.CITY, scope.COUNTY, unit=destination)


def _decimal(value, field: str, *, positive: bool = False) -> Decimal:
    try:
        d = to_decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise QMError(
            "invalid_amount", gettext("金额无效：{field}").format(field=field), {"field": field}
        ) from None
    if not d.is_finite() or d < 0 or (positive and d == 0):
        raise QMError(
            "invalid_amount",
            gettext("金额须为{value}：{field}").format(
                value="正数" if positive else "非负数",
                field=field,
                value2="positive" if positive else "zero or more",
            ),
            {"field": field},
        )
    return d


# ---- suppliers -----------------------------------------------------------------------------------------


def credit_code_clean(value: str) -> str:
    """统一社会信用代码 (GB 32100-2015, check character) via python-stdnum."""
    try:
        return uscc.validate(value or "")
    except StdnumError as exc:
        raise QMError(
            "invalid_credit_code",
            gettext("统一社会信用代码无效：{exc}").format(exc=exc),
            {"field": "credit_code", "value": value},
        ) from None


SUPPLIER_FIELDS = {"name", "address", "contact_name", "contact_phone", "contact_email", "is_active"}


def supplier_create(*, actor, name: str, credit_code: str, **fields) -> Supplier:
    _require_province(actor)
    code = credit_code_clean(credit_code)
    bad = set(fields) - SUPPLIER_FIELDS
    if bad:
        raise QMError(
            "unknown_fields",
            gettext("未知字段：{sorted}").format(sorted=", ".join(sorted(bad))),
        )
    if not (name or "").strip():
        raise QMError("required", gettext("名称不能为空"), {"field": "name"})
    if Supplier.objects.filter(credit_code=code).exists():
        raise Conflict(
            "duplicate_credit_code",
            gettext("该统一社会信用代码已登记"),
            {"field": "credit_code"},
        )
    with transaction.atomic():
        supplier = Supplier.objects.create(name=name.strip(), credit_code=code, **fields)
        record_change(actor=actor, obj=supplier, action=Action.CREATE)
    return supplier


def supplier_update(*, actor, supplier: Supplier, **fields) -> Supplier:
    _require_province(actor)
    bad = set(fields) - SUPPLIER_FIELDS
    if bad:
        raise QMError(
            "not_editable",
            pgettext("Not editable: {sorted}", "不可修改的字段：{sorted}").format(
                sorted=", ".join(sorted(bad))
            ),
        )
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        before = snapshot(supplier)
        for key, value in fields.items():
            setattr(supplier, key, value)
        supplier.save()
        record_change(actor=actor, obj=supplier, action=Action.UPDATE, before=before)
    return supplier


# ---- tenders and lots ------------------------------------------------------------------------------------


def _check_bid_bond(bid_bond: Decimal, budget: Decimal) -> None:
    if not rules.ratio_ok("bid_bond_2pct", bid_bond, budget):
        rule = rules.ratio_rule("bid_bond_2pct")
        raise QMError(
            "legal_rule",
            rules.rule_message(rule),
            {
                "field": "bid_bond",
                "rule": rule["code"],
                "source": rule["source"],
                "limit": str(percent_of(budget, rule["max_percent"])),
            },
        )


def tender_create(
    *,
    actor,
    title: str,
    reference: str,
    year: int,
    budget,
    procuring_unit: OrgUnit,
    method: str = Method.OPEN,
    bid_bond=0,
    target_date: datetime.date | None = None,
    agency: str = "",
    description: str = "",
) -> Tender:
    """A tender and its milestones in legal order (dates empty). The bid bond is at most 2% of the budget."""
    _require_province(actor)
    if method not in Method.values:
        raise QMError(
            "bad_method", gettext("未知采购方式：{method}").format(method=method), {"field": "method"}
        )
    budget = _decimal(budget, "budget", positive=True)
    bid_bond = _decimal(bid_bond, "bid_bond")
    _check_bid_bond(bid_bond, budget)
    if not 2000 <= int(year) <= 2100:
        raise QMError("bad_year", gettext("年度无效"), {"field": "year"})
    if Tender.objects.filter(reference=reference).exists():
        raise Conflict(
            "duplicate_reference",
            gettext("项目编号已存在：{reference}").format(reference=reference),
            {"field": "reference"},
        )
    with transaction.atomic():
        tender = Tender.objects.create(
            title=title,
            reference=reference,
            year=year,
            method=method,
            budget=money(budget),
            bid_bond=money(bid_bond),
            procuring_unit=procuring_unit,
            agency=agency,
            description=description,
            target_date=target_date or datetime.date(int(year), 4, 30),
        )
        milestones = [
            Milestone(tender=tender, code=m["code"], sequence=i + 1, name=f"{m['name_zh']} {m['name_en']}")
            for i, m in enumerate(rules.milestone_defs())
        ]
        Milestone.objects.bulk_create(milestones)
        record_change(actor=actor, obj=tender, action=Action.CREATE)
    return tender


TENDER_FIELDS = {"title", "budget", "bid_bond", "target_date", "agency", "description"}


def tender_update(*, actor, tender: Tender, **fields) -> Tender:
    _require_province(actor)
    bad = set(fields) - TENDER_FIELDS
    if bad:
        raise QMError(
            "not_editable",
            pgettext("Not editable: {sorted}", "不可修改的字段：{sorted}").format(
                sorted=", ".join(sorted(bad))
            ),
        )
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        before = snapshot(tender)
        for key, value in fields.items():
            if key in ("budget", "bid_bond"):
                value = money(_decimal(value, key, positive=key == "budget"))
            setattr(tender, key, value)
        _check_bid_bond(tender.bid_bond, tender.budget)
        lots_total = sum((lot.budget for lot in tender.lots.all()), Decimal(0))
        if lots_total > tender.budget:
            raise QMError(
                "budget_below_lots",
                gettext("预算低于各标包预算之和"),
                {"field": "budget", "lots_total": str(lots_total)},
            )
        tender.save()
        record_change(actor=actor, obj=tender, action=Action.UPDATE, before=before)
    return tender


def tender_set_status(*, actor, tender: Tender, status: str, reason: str = "") -> Tender:
    _require_province(actor)
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        if status not in TenderStatus.values or status not in TENDER_TRANSITIONS[TenderStatus(tender.status)]:
            raise Conflict(
                "bad_transition",
                gettext("状态不能从 {status} 变为：{status2}").format(status=tender.status, status2=status),
                {"field": "status"},
            )
        before = snapshot(tender)
        tender.status = status
        tender.save(update_fields=["status", "updated_at"])
        record_change(actor=actor, obj=tender, action=Action.UPDATE, before=before, note=reason)
    return tender


def lot_create(
    *,
    actor,
    tender: Tender,
    number: int,
    title: str,
    budget,
    item_codes: Iterable[str] = (),
    evaluation_method: str = EvaluationMethod.COMPREHENSIVE,
    price_weight=30,
) -> Lot:
    """A lot (标包). Lot budgets add up to at most the tender's; under 综合评分法 the price weighs at least
    30% for goods (财政部令第87号 第五十五条)."""
    _require_province(actor)
    budget = money(_decimal(budget, "budget", positive=True))
    if evaluation_method not in EvaluationMethod.values:
        raise QMError(
            "bad_evaluation_method",
            gettext("未知评标方法"),
            {"field": "evaluation_method"},
        )
    weight = _decimal(price_weight, "price_weight")
    if evaluation_method == EvaluationMethod.COMPREHENSIVE and not Decimal(30) <= weight <= Decimal(100):
        raise QMError(
            "bad_price_weight",
            gettext("货物项目价格分权重须在30%至100%之间（财政部令第87号 第五十五条）"),
            {"field": "price_weight"},
        )
    codes = list(dict.fromkeys(item_codes))
    items = list(ItemType.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {i.code for i in items})
    if missing:
        raise QMError(
            "unknown_item",
            gettext("未知品类：{missing}").format(missing=", ".join(missing)),
            {"field": "item_codes", "items": missing},
        )
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=tender.pk)
        if tender.lots.filter(number=number).exists():
            raise Conflict(
                "duplicate_lot", gettext("包号已存在：{number}").format(number=number), {"field": "number"}
            )
        used = sum((lot.budget for lot in tender.lots.all()), Decimal(0))
        if used + budget > tender.budget:
            raise QMError(
                "over_budget",
                gettext("标包预算之和超过项目预算：{value} {budget}").format(
                    value=used + budget, budget=tender.budget
                ),
                {"field": "budget"},
            )
        lot = Lot.objects.create(
            tender=tender,
            number=number,
            title=title,
            budget=budget,
            evaluation_method=evaluation_method,
            price_weight=weight,
        )
        lot.items.set(items)
        record_change(actor=actor, obj=lot, action=Action.CREATE, note=f"items: {','.join(codes)}")
    return lot


# ---- the timeline --------------------------------------------------------------------------------------


def _effective(milestones: list[Milestone]) -> dict:
    return {m.code: m.actual_date or m.planned_date for m in milestones}


def milestone_check(
    *, milestone: Milestone, planned_date=UNSET, actual_date=UNSET, calendar: WorkCalendar | None = None
) -> dict:
    """What the legal rules say about these new dates for the milestone, without writing anything:
    {"planned": [violations], "actual": [violations], "warnings": [...]}. A planned date is checked
    against the others' actual dates where done, else their planned ones; an actual date against the
    others' actual dates."""
    calendar = calendar or WorkCalendar()
    tender = milestone.tender
    others = [m for m in tender.milestones.all() if m.pk != milestone.pk]
    out = {"planned": [], "actual": [], "warnings": []}
    if planned_date is not UNSET and planned_date is not None:
        # the plan of a milestone already done is history: compared with the others' plan
        done = milestone.actual_date if actual_date is UNSET else actual_date
        dates = {m.code: m.planned_date for m in others} if done else _effective(others)
        dates[milestone.code] = planned_date
        v, w = rules.check_dates(tender.method, dates, calendar, only=milestone.code)
        out["planned"], out["warnings"] = v, out["warnings"] + w
    if actual_date is not UNSET and actual_date is not None:
        dates = {m.code: m.actual_date for m in others}
        dates[milestone.code] = actual_date
        v, w = rules.check_dates(tender.method, dates, calendar, only=milestone.code)
        out["actual"], out["warnings"] = v, out["warnings"] + w
    return out


def milestone_set(
    *,
    actor,
    milestone: Milestone,
    planned_date=UNSET,
    actual_date=UNSET,
    note=UNSET,
    override_reason: str = "",
    today: datetime.date | None = None,
) -> tuple[Milestone, dict]:
    """Set a milestone's planned and/or actual date. A date that breaks a legal rule is refused naming the
    rule and its source, unless provincial logistics gives an override reason (recorded per rule)."""
    _require_province(actor)
    today = today or timezone.localdate()
    if actual_date not in (UNSET, None) and actual_date > today:
        raise QMError(
            "actual_in_future",
            gettext("实际日期不能晚于今天"),
            {"field": "actual_date"},
        )
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().select_related("tender").get(pk=milestone.pk)
        if milestone.tender.status == TenderStatus.CANCELLED:
            raise Conflict("tender_cancelled", gettext("项目已终止"))
        result = milestone_check(milestone=milestone, planned_date=planned_date, actual_date=actual_date)
        broken = [("planned", f) for f in result["planned"]] + [("actual", f) for f in result["actual"]]
        if broken and not override_reason.strip():
            kind, first = broken[0]
            raise QMError(
                "legal_rule",
                first.message(),
                {
                    "field": f"{kind}_date",
                    "rule": first.rule,
                    "source": first.source,
                    "violations": [{"date_kind": k, **f.as_dict()} for k, f in broken],
                    "hint": gettext("省厅可填写豁免理由"),
                },
            )
        before = snapshot(milestone)
        if planned_date is not UNSET:
            milestone.planned_date = planned_date
        if actual_date is not UNSET:
            milestone.actual_date = actual_date
        if note is not UNSET:
            milestone.note = note or ""
        milestone.save()
        for kind, finding in broken:
            ov = RuleOverride.objects.create(
                milestone=milestone,
                rule_code=finding.rule,
                date_kind=kind,
                date=finding.date,
                reason=override_reason.strip()[:500],
                actor=actor,
            )
            record_change(actor=actor, obj=ov, action=Action.CREATE, note=finding.message()[:500])
        record_change(
            actor=actor,
            obj=milestone,
            action=Action.UPDATE,
            before=before,
            note=f"override: {override_reason}" if broken else "",
        )
    return milestone, {
        "overridden": [{"date_kind": k, **f.as_dict()} for k, f in broken],
        "warnings": result["warnings"],
    }


# ---- bids, evaluation, award ---------------------------------------------------------------------------


def bid_submit(
    *, actor, lot: Lot, supplier: Supplier, price_offered, submitted_on: datetime.date | None = None
) -> Bid:
    """Record a bid. A price above the lot's budget makes it invalid (财政部令第87号 第六十三条)."""
    _require_province(actor)
    amount = money(_decimal(price_offered, "price", positive=True))
    if not supplier.is_active:
        raise QMError("supplier_inactive", gettext("供应商已停用"), {"field": "supplier"})
    if Bid.objects.filter(lot=lot, supplier=supplier).exists():
        raise Conflict(
            "duplicate_bid",
            gettext("该供应商已对本包投标"),
            {"field": "supplier"},
        )
    over = amount > lot.budget
    with transaction.atomic():
        bid = Bid.objects.create(
            lot=lot,
            supplier=supplier,
            price=amount,
            submitted_on=submitted_on or timezone.localdate(),
            status=BidStatus.INVALID if over else BidStatus.SUBMITTED,
            invalid_reason=gettext("投标报价超过采购预算（财政部令第87号 第六十三条）") if over else "",
        )
        record_change(actor=actor, obj=bid, action=Action.CREATE)
    return bid


def bid_score(*, actor, bid: Bid, other_score) -> Bid:
    """The panel's technical and commercial score: 0 ≤ score ≤ 100 − the price weight."""
    _require_province(actor)
    score = _decimal(other_score, "other_score")
    cap = Decimal(100) - bid.lot.price_weight
    if score > cap:
        raise QMError(
            "bad_score", gettext("技术商务得分不能超过 {cap}").format(cap=cap), {"field": "other_score"}
        )
    with transaction.atomic():
        before = snapshot(bid)
        bid.other_score = money(score)
        bid.save(update_fields=["other_score", "updated_at"])
        record_change(actor=actor, obj=bid, action=Action.UPDATE, before=before)
    return bid


def bid_invalidate(*, actor, bid: Bid, reason: str) -> Bid:
    _require_province(actor)
    if not reason.strip():
        raise QMError("required", gettext("须填写无效原因"), {"field": "reason"})
    with transaction.atomic():
        before = snapshot(bid)
        bid.status, bid.invalid_reason, bid.rank = BidStatus.INVALID, reason.strip()[:300], None
        bid.save()
        record_change(actor=actor, obj=bid, action=Action.UPDATE, before=before, note=reason)
    return bid


def lot_evaluate(*, actor, lot: Lot) -> list[Bid]:
    """Rank the valid bids. 综合评分法: price score = lowest valid price / price × price weight
    (低价优先法, 财政部令第87号 第五十五条), total = price score + the panel's score, ties to the lower
    price. Lowest price: by price."""
    _require_province(actor)
    with transaction.atomic():
        bids = list(Bid.objects.select_for_update().filter(lot=lot).exclude(status=BidStatus.INVALID))
        if not bids:
            raise QMError("no_valid_bids", gettext("本包没有有效投标"), {"lot": lot.number})
        before = {b.pk: snapshot(b) for b in bids}
        base = min(b.price for b in bids)
        if lot.evaluation_method == EvaluationMethod.COMPREHENSIVE:
            unscored = [b.supplier.name for b in bids if b.other_score is None]
            if unscored:
                raise QMError(
                    "unscored_bids",
                    gettext("尚未评分：{unscored}").format(unscored=", ".join(unscored)),
                    {"suppliers": unscored},
                )
            for b in bids:
                b.price_score = money(base / b.price * lot.price_weight)
                b.total_score = money(b.price_score + b.other_score)
            ordered = sorted(bids, key=lambda b: (-b.total_score, b.price, b.pk))
        else:
            for b in bids:
                b.price_score = b.total_score = None
            ordered = sorted(bids, key=lambda b: (b.price, b.pk))
        for rank, b in enumerate(ordered, start=1):
            b.rank, b.status = rank, BidStatus.VALID
        Bid.objects.bulk_update(ordered, ["price_score", "total_score", "rank", "status"])
        record_changes(
            build_record(actor=actor, obj=b, action=Action.UPDATE, before=before[b.pk], note="evaluation")
            for b in ordered
        )
    return ordered


def award_create(*, actor, lot: Lot, decided_on: datetime.date, bid: Bid | None = None) -> Award:
    """Award the lot to the first-ranked valid bid (or another ranked bid chosen by the purchaser). The award
    is the bid's price and never more than the lot's budget (rule `award_within_budget`)."""
    _require_province(actor)
    with transaction.atomic():
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        if lot.awards.filter(status=AwardStatus.ACTIVE).exists():
            raise Conflict("already_awarded", gettext("本包已定标"), {"lot": lot.number})
        if bid is None:
            bid = lot.bids.filter(status=BidStatus.VALID, rank=1).first()
            if bid is None:
                raise QMError("not_evaluated", gettext("本包尚未评审"), {"lot": lot.number})
        if bid.lot_id != lot.pk or bid.status != BidStatus.VALID or bid.rank is None:
            raise QMError(
                "bad_bid",
                gettext("只能授予本包经评审的有效投标"),
                {"field": "bid"},
            )
        if not rules.ratio_ok("award_within_budget", bid.price, lot.budget):
            rule = rules.ratio_rule("award_within_budget")
            raise QMError(
                "over_budget",
                gettext("中标金额 {amount} 超过第{lot}包预算 {budget}：{rule}").format(
                    amount=bid.price, lot=lot.number, budget=lot.budget, rule=rules.rule_message(rule)
                ),
                {
                    "field": "bid",
                    "rule": rule["code"],
                    "source": rule["source"],
                    "amount": str(bid.price),
                    "budget": str(lot.budget),
                },
            )
        award = Award.objects.create(
            lot=lot, bid=bid, supplier=bid.supplier, amount=bid.price, decided_on=decided_on
        )
        record_change(actor=actor, obj=award, action=Action.CREATE)
    return award


# ---- contracts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    city_code: str
    item: ItemType
    gender: str
    size: str
    quantity: int


def _parse_rows(rows, items: dict[str, ItemType], units: dict[str, OrgUnit]) -> list[_Row]:
    out, seen = [], set()
    for i, row in enumerate(rows, start=1):

        def bad(field, msg, _i=i, _row=row):
            return QMError(
                "bad_row",
                gettext("第{i}行：{field} {msg}").format(i=_i, field=field, msg=msg),
                {"row": _i, "field": field, "value": _row.get(field)},
            )

        if not isinstance(row, dict):
            raise QMError("bad_row", gettext("第{i}行格式错误").format(i=i), {"row": i})
        city = str(row.get("city_code") or "")
        if city not in units:
            raise bad("city_code", gettext("未知市州"))
        item = items.get(str(row.get("item_code") or ""))
        if item is None:
            raise bad("item_code", gettext("未知品类"))
        gender = GENDERS.get(str(row.get("gender") or ""))
        if gender is None:
            raise bad("gender", gettext("性别款式须为 男/女 (M/F)"))
        size = str(row.get("size") or "").strip()
        if not size:
            raise bad("size", gettext("号型为空"))
        qty = row.get("quantity")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise bad("quantity", pgettext("Quantity must be a positive integer", "数量须为正整数"))
        key = (city, item.code, gender, size)
        if key in seen:
            raise bad("size", gettext("重复行"))
        seen.add(key)
        out.append(_Row(city, item, gender, size, qty))
    return out


def _parse_mtm(entries, items: dict[str, ItemType]) -> list[tuple[Officer, ItemType, dict]]:
    out, seen = [], set()
    entries = list(entries)
    officers = Officer.objects.select_related("unit__city").in_bulk(
        [e.get("officer_id") for e in entries if isinstance(e, dict)]
    )
    for i, entry in enumerate(entries, start=1):
        officer = officers.get(entry.get("officer_id")) if isinstance(entry, dict) else None
        if officer is None:
            raise QMError(
                "bad_mtm",
                gettext("定制第{i}行：人员不存在").format(i=i),
                {"row": i, "field": "officer_id"},
            )
        item = items.get(str(entry.get("item_code") or ""))
        if item is None:
            raise QMError(
                "bad_mtm",
                gettext("定制第{i}行：未知品类").format(i=i),
                {"row": i, "field": "item_code"},
            )
        gender = GENDERS.get(str(entry.get("gender") or officer.gender))
        if gender != officer.gender:
            raise QMError(
                "bad_mtm",
                gettext("定制第{i}行：款式与人员性别不符").format(i=i),
                {"row": i, "field": "gender"},
            )
        if (officer.pk, item.code) in seen:
            raise QMError(
                "bad_mtm",
                gettext("定制第{i}行：同一人员同一品类重复").format(i=i),
                {"row": i, "field": "item_code"},
            )
        seen.add((officer.pk, item.code))
        measurements = entry.get("measurements") or {}
        if not isinstance(measurements, dict):
            raise QMError(
                "bad_mtm",
                gettext("定制第{i}行：量体数据格式错误").format(i=i),
                {"row": i, "field": "measurements"},
            )
        out.append((officer, item, {k: str(v) for k, v in measurements.items()}))
    return out


def contracts_create_from_snapshot(
    *,
    actor,
    award: Award,
    snapshot,
    unit_prices: dict | None = None,
    per_city: bool = False,
    performance_bond_percent=None,
    delivery_due: datetime.date | None = None,
) -> list[Contract]:
    """Contracts whose lines come from a frozen demand snapshot (assets.DemandSnapshot): its rows for the
    lot's items, its made-to-measure officers one line per officer and item, and its spare margin."""
    from assets.selectors import snapshot_made_to_measure, snapshot_rows

    codes = set(award.lot.items.values_list("code", flat=True))
    rows = [r for r in snapshot_rows(snapshot) if r["item_code"] in codes]
    mtm = [
        {
            "officer_id": entry["officer_id"],
            "item_code": it["item_code"],
            "gender": entry["gender"],
            "measurements": entry.get("measurements") or {},
        }
        for entry in snapshot_made_to_measure(snapshot)
        for it in entry["items"]
        if it["item_code"] in codes
    ]
    return contracts_create_from_demand(
        actor=actor,
        award=award,
        rows=rows,
        made_to_measure=mtm,
        unit_prices=unit_prices,
        per_city=per_city,
        snapshot_id=snapshot.pk,
        margin_percent=snapshot.margin_percent,
        performance_bond_percent=performance_bond_percent,
        delivery_due=delivery_due,
    )


def contracts_create_from_demand(
    *,
    actor,
    award: Award,
    rows: Iterable[dict],
    unit_prices: dict | None = None,
    made_to_measure: Iterable[dict] = (),
    per_city: bool = False,
    snapshot_id: int | None = None,
    margin_percent: int = 3,
    performance_bond_percent=None,
    delivery_due: datetime.date | None = None,
) -> list[Contract]:
    """Contracts under an award with lines from demand rows (city_code, item_code, gender, size, quantity)
    and made-to-measure entries (officer_id, item_code, gender, measurements).

    One province contract: quantities summed per item × gender × size over every city, then the spare
    margin ⌈n × (100+m) / 100⌉ (SIZING.md "Demand"). Per city (统采分签): one contract per city, each city's
    share of that provincial order by largest remainder (never rounded up on its own). Made to measure: one line per officer and item, the entitlement quantity, no
    margin. Amount = quantity × unit price (6 places) rounded to 2; the total is the sum of the lines.

    Money reconciles with the award: each item's unit price is the award's (AwardPrice), fixed by the first
    batch of contracts that uses the item; a later batch may omit it or must give the same price. All the
    original contracts under the award together (those already made and these) stay within the award amount;
    a city's contract is then the award's prices × that city's share of the order."""
    _require_province(actor)
    if award.status != AwardStatus.ACTIVE:
        raise Conflict("award_inactive", gettext("中标已撤销"))
    if not 0 <= int(margin_percent) <= 20:
        raise QMError("bad_margin", gettext("备用比例须在0–20%"), {"field": "margin_percent"})
    rows, made_to_measure = list(rows), list(made_to_measure)
    if snapshot_id is not None:
        from assets.models import DemandSnapshot

        if not DemandSnapshot.objects.filter(pk=snapshot_id).exists():
            raise QMError(
                "bad_snapshot",
                gettext("无此需求快照：{snapshot_id}").format(snapshot_id=snapshot_id),
                {"field": "snapshot_id"},
            )
    if not rows and not made_to_measure:
        raise QMError("no_rows", gettext("没有需求行"), {"field": "rows"})
    lot = award.lot
    lot_codes = set(lot.items.values_list("code", flat=True))
    items = {i.code: i for i in ItemType.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(level__in=["province", "city"])}
    parsed = _parse_rows(rows, items, units)
    mtm = _parse_mtm(made_to_measure, items)
    used = {r.item.code for r in parsed} | {item.code for _, item, _ in mtm}
    outside = sorted(used - lot_codes) if lot_codes else []
    if outside:
        raise QMError(
            "item_not_in_lot",
            gettext("品类不在本包内：{outside}").format(outside=", ".join(outside)),
            {"field": "item_code", "items": outside},
        )
    unit_prices = unit_prices or {}
    given = {
        code: price(_decimal(unit_prices[code], f"unit_prices.{code}", positive=True))
        for code in sorted(used)
        if code in unit_prices
    }
    bond_pct = (
        None
        if performance_bond_percent is None
        else _decimal(performance_bond_percent, "performance_bond_percent")
    )
    if bond_pct is not None and bond_pct > Decimal(rules.ratio_rule("performance_bond_10pct")["max_percent"]):
        rule = rules.ratio_rule("performance_bond_10pct")
        raise QMError(
            "legal_rule",
            rules.rule_message(rule),
            {"field": "performance_bond_percent", "rule": rule["code"], "source": rule["source"]},
        )

    province = next(u for u in units.values() if u.level == "province")
    groups: dict[str, dict] = defaultdict(lambda: {"std": defaultdict(int), "mtm": []})
    for r in parsed:
        buyer = r.city_code if per_city else province.code
        groups[buyer]["std"][(r.item.code, r.gender, r.size)] += r.quantity
    for officer, item, measurements in mtm:
        buyer = officer.unit.city_code if per_city else province.code
        groups[buyer]["mtm"].append((officer, item, measurements))

    # The order per item × gender × size is the provincial quantity with the margin; per city (统采分签) the
    # cities share it by largest remainder (SIZING.md "Demand"), so their lines add up to it exactly.
    by_line: dict[tuple, dict[str, int]] = defaultdict(dict)
    for buyer_code, group in groups.items():
        for key, demand in group["std"].items():
            by_line[key][buyer_code] = demand
    orders = {key: split_margin(cities, margin_percent) for key, cities in by_line.items()}

    tender = lot.tender
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award.pk)
        existing = set(award.contracts.values_list("buyer__code", flat=True))
        clash = sorted(set(groups) & existing)
        if clash:
            raise Conflict(
                "contract_exists",
                gettext("该中标下已有合同：{clash}").format(clash=", ".join(clash)),
                {"buyers": clash},
            )
        prices, new_prices = _award_prices(award, used, given, items)
        contracts = []
        for buyer_code in sorted(groups):
            group = groups[buyer_code]
            contract = Contract.objects.create(
                award=award,
                buyer=units[buyer_code],
                supplier=award.supplier,
                number=f"{tender.reference}-{lot.number}-{buyer_code}",
                snapshot_id=snapshot_id,
                margin_percent=margin_percent,
                delivery_due=delivery_due,
            )
            lines = []
            for (code, gender, size), demand in sorted(group["std"].items()):
                qty = orders[(code, gender, size)][buyer_code]
                lines.append(
                    ContractLine(
                        contract=contract,
                        kind=LineKind.STANDARD,
                        item=items[code],
                        gender=gender,
                        size=size,
                        demand_quantity=demand,
                        quantity=qty,
                        unit_price=prices[code],
                        amount=line_amount(qty, prices[code]),
                    )
                )
            for officer, item, measurements in sorted(group["mtm"], key=lambda t: (t[1].code, t[0].pk)):
                qty = item.qty_per_officer or 1
                lines.append(
                    ContractLine(
                        contract=contract,
                        kind=LineKind.MADE_TO_MEASURE,
                        item=item,
                        gender=officer.gender,
                        size=MTM_SIZE,
                        demand_quantity=qty,
                        quantity=qty,
                        unit_price=prices[item.code],
                        amount=line_amount(qty, prices[item.code]),
                        officer=officer,
                        measurements=measurements,
                    )
                )
            ContractLine.objects.bulk_create(lines, batch_size=1000)
            contract.total = money(sum((ln.amount for ln in lines), Decimal(0)))
            if bond_pct is not None:
                contract.performance_bond = percent_of(contract.total, bond_pct)
            contract.save(update_fields=["total", "performance_bond", "updated_at"])
            record_change(
                actor=actor,
                obj=contract,
                action=Action.CREATE,
                note=f"{len(lines)} lines from demand rows (snapshot {snapshot_id})",
            )
            contracts.append(contract)
        _check_within_award(award, contracts)
        if new_prices:
            AwardPrice.objects.bulk_create(new_prices)
            record_changes(
                build_record(actor=actor, obj=ap, action=Action.CREATE, note="unit price fixed on the award")
                for ap in new_prices
            )
    return contracts


def _award_prices(
    award: Award, used: set[str], given: dict[str, Decimal], items: dict[str, ItemType]
) -> tuple[dict[str, Decimal], list[AwardPrice]]:
    """The unit price of each item used: the award's where fixed (a different price given is refused), else
    the price given, which becomes the award's (returned unsaved)."""
    fixed = {ap.item.code: ap.unit_price for ap in award.unit_prices.select_related("item")}
    prices, new = {}, []
    for code in sorted(used):
        item = items[code]
        if code in fixed:
            if code in given and given[code] != fixed[code]:
                raise QMError(
                    "price_not_award",
                    gettext(
                        "{item}：单价 {given} 与中标单价 {fixed} 不一致（同一中标下各合同单价相同）"
                    ).format(item=tr(item.name_zh, item.name_en), given=given[code], fixed=fixed[code]),
                    {
                        "field": "unit_prices",
                        "item": code,
                        "given": str(given[code]),
                        "award_price": str(fixed[code]),
                    },
                )
            prices[code] = fixed[code]
        elif code in given:
            prices[code] = given[code]
            new.append(AwardPrice(award=award, item=item, unit_price=given[code]))
        else:
            raise QMError(
                "missing_price",
                gettext("缺少单价：{item}").format(item=tr(item.name_zh, item.name_en)),
                {"field": "unit_prices", "item": code},
            )
    return prices, new


def _check_within_award(award: Award, contracts: list[Contract]) -> None:
    """The original contracts under an award (those made before and these) together ≤ the award amount."""
    ids = [c.pk for c in contracts]
    before = award.contracts.exclude(pk__in=ids).aggregate(s=Sum("total"))["s"] or Decimal("0.00")
    new = money(sum((c.total for c in contracts), Decimal(0)))
    if before + new > award.amount:
        raise QMError(
            "over_award",
            gettext("合同金额合计 {total} 超过中标金额 {award}（已有合同 {before}，本次 {new}）").format(
                total=money(before + new), award=award.amount, before=money(before), new=new
            ),
            {
                "field": "rows",
                "award": str(award.amount),
                "existing": str(money(before)),
                "new": str(new),
            },
        )


def contract_set_bond(*, actor, contract: Contract, performance_bond) -> Contract:
    """The performance bond is at most 10% of the contract (政府采购法实施条例 第四十八条)."""
    _require_purchaser(actor, contract)
    bond = money(_decimal(performance_bond, "performance_bond"))
    if not rules.ratio_ok("performance_bond_10pct", bond, contract.total):
        rule = rules.ratio_rule("performance_bond_10pct")
        raise QMError(
            "legal_rule",
            rules.rule_message(rule),
            {
                "field": "performance_bond",
                "rule": rule["code"],
                "source": rule["source"],
                "limit": str(percent_of(contract.total, rule["max_percent"])),
            },
        )
    with transaction.atomic():
        before = snapshot(contract)
        contract.performance_bond = bond
        contract.save(update_fields=["performance_bond", "updated_at"])
        record_change(actor=actor, obj=contract, action=Action.UPDATE, before=before)
    return contract


def contract_sign(
    *, actor, contract: Contract, signed_on: datetime.date, published_on: datetime.date | None = None
) -> Contract:
    """Sign: within 30 days of the award notice, published within 2 working days (rules data)."""
    _require_purchaser(actor, contract)
    tender = contract.award.lot.tender
    notice = tender.milestones.filter(code="award_notice").values_list("actual_date", flat=True).first()
    dates = {"award_notice": notice, "contract_signed": signed_on, "contract_published": published_on}
    violations, _warnings = rules.check_dates(tender.method, dates, WorkCalendar())
    if violations:
        raise QMError(
            "legal_rule",
            violations[0].message(),
            {"field": "signed_on", "rule": violations[0].rule, "source": violations[0].source},
        )
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if ContractStatus.SIGNED not in CONTRACT_TRANSITIONS[ContractStatus(contract.status)]:
            raise Conflict("bad_transition", gettext("合同不能签订"))
        before = snapshot(contract)
        contract.status, contract.signed_on, contract.published_on = (
            ContractStatus.SIGNED,
            signed_on,
            published_on,
        )
        contract.save()
        record_change(actor=actor, obj=contract, action=Action.UPDATE, before=before)
    return contract


def payment_record(
    *, actor, contract: Contract, kind: str, amount, paid_on: datetime.date, note: str = ""
) -> Payment:
    """Payments never add up to more than the contract total; a returned bond at most the bond."""
    _require_purchaser(actor, contract)
    if kind not in PaymentKind.values:
        raise QMError("bad_kind", gettext("未知付款类型：{kind}").format(kind=kind), {"field": "kind"})
    amount = money(_decimal(amount, "amount", positive=True))
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status not in (ContractStatus.SIGNED, ContractStatus.COMPLETE):
            raise Conflict("not_signed", gettext("合同未签订"))
        payments = list(contract.payments.all())
        # the contract's total and bond include its 补充合同 (contract_variation_create)
        varied = contract.variations.aggregate(amount=Sum("amount"), bond=Sum("performance_bond"))
        if kind == PaymentKind.BOND_RETURN:
            returned = sum((p.amount for p in payments if p.kind == kind), Decimal(0))
            bond = contract.performance_bond + (varied["bond"] or 0)
            if returned + amount > bond:
                raise QMError(
                    "over_bond",
                    gettext("退还金额超过履约保证金（{value} > {bond}）").format(
                        value=returned + amount, bond=bond
                    ),
                    {"field": "amount", "bond": str(bond)},
                )
        else:
            paid = sum((p.amount for p in payments if p.kind != PaymentKind.BOND_RETURN), Decimal(0))
            total = contract.total + (varied["amount"] or 0)
            if paid + amount > total:
                raise QMError(
                    "over_total",
                    gettext("付款累计超过合同金额（含补充合同）（{value} > {total}）").format(
                        value=paid + amount, total=total
                    ),
                    {"field": "amount", "total": str(total)},
                )
        payment = Payment.objects.create(
            contract=contract, kind=kind, amount=amount, paid_on=paid_on, note=note
        )
        record_change(actor=actor, obj=payment, action=Action.CREATE)
    return payment


# ---- supplementary contracts (补充合同) ------------------------------------------------------------------


def _variation_lines(contract: Contract, lines) -> list[tuple[ContractLine, int]]:
    """[(contract line, quantity)]: this contract's lines, each once, positive integer quantities."""
    if not lines:
        raise QMError("no_lines", gettext("补充合同明细为空"), {"field": "lines"})
    contract_lines = {cl.pk: cl for cl in contract.lines.select_related("item")}
    out, seen = [], set()
    for i, line in enumerate(lines, start=1):
        line_id = line.get("contract_line_id") if isinstance(line, dict) else None
        cl = contract_lines.get(line_id)
        if cl is None:
            raise QMError(
                "bad_line",
                gettext("第{i}行：不是本合同的明细").format(i=i),
                {"row": i, "field": "contract_line_id"},
            )
        if cl.pk in seen:
            raise QMError(
                "bad_line",
                gettext("第{i}行：同一合同明细重复").format(i=i),
                {"row": i, "field": "contract_line_id"},
            )
        seen.add(cl.pk)
        qty = line.get("quantity")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise QMError(
                "bad_line",
                gettext("第{i}行：数量须为正整数").format(i=i),
                {"row": i, "field": "quantity"},
            )
        out.append((cl, qty))
    return out


def _same_variation(existing: ContractVariation, contract, signed_on, wanted, reason, bond) -> bool:
    lines = {vl.contract_line_id: vl.quantity for vl in existing.lines.all()}
    return (
        existing.contract_id == contract.pk
        and existing.signed_on == signed_on
        and lines == {cl.pk: qty for cl, qty in wanted}
        and existing.reason == reason
        and (bond is None or existing.performance_bond == bond)
    )


def contract_variation_create(
    *,
    actor,
    contract: Contract,
    number: str,
    signed_on: datetime.date,
    lines: list[dict],
    reason: str = "",
    performance_bond=None,
) -> ContractVariation:
    """A 补充合同 (《政府采购法》第四十九条): more of a contract's own goods at its unit prices, signed by the
    contract's purchaser (the province, or the city for its own contract) while the contract is being
    performed (signed, not complete or terminated), on or after the contract's signing. Lines
    (contract_line_id, quantity) are this contract's lines; amount = Σ quantity × unit price. All variations
    of a contract together stay ≤ 10 % of its original total (rule `variation_10pct`, cumulative). The
    variation's performance bond is at most 10 % of its amount; when not given it takes the contract's own
    bond rate (same terms). Idempotent on `number`: the same number with the same content returns the
    variation already signed, with other content it is refused (409)."""
    _require_purchaser(actor, contract)
    number = (number or "").strip()
    if not number:
        raise QMError("required", gettext("须填写补充合同编号"), {"field": "number"})
    if len(number) > 60:
        raise QMError("too_long", gettext("补充合同编号不超过60字"), {"field": "number"})
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise QMError("too_long", gettext("追加理由不超过300字"), {"field": "reason"})
    bond = None if performance_bond is None else money(_decimal(performance_bond, "performance_bond"))
    wanted = _variation_lines(contract, lines)
    rule = rules.ratio_rule("variation_10pct")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        existing = ContractVariation.objects.filter(number=number).first()
        if existing is not None:
            if _same_variation(existing, contract, signed_on, wanted, reason, bond):
                return existing
            raise Conflict(
                "duplicate_number",
                gettext("补充合同编号已存在且内容不同：{number}").format(number=number),
                {"field": "number"},
            )
        if contract.status != ContractStatus.SIGNED:
            raise Conflict(
                "not_performing",
                gettext("只有履行中（已签订）的合同可以签订补充合同"),
                {"field": "contract", "status": contract.status},
            )
        if signed_on < contract.signed_on:
            raise QMError(
                "bad_date",
                gettext("补充合同签订日期 {signed_on} 早于原合同签订日期 {contract_signed_on}").format(
                    signed_on=signed_on.isoformat(), contract_signed_on=contract.signed_on.isoformat()
                ),
                {"field": "signed_on"},
            )
        objs = [
            ContractVariationLine(
                contract_line=cl,
                quantity=qty,
                unit_price=cl.unit_price,
                amount=line_amount(qty, cl.unit_price),
            )
            for cl, qty in wanted
        ]
        amount = money(sum((o.amount for o in objs), Decimal(0)))
        added = contract.variations.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
        if not rules.ratio_ok("variation_10pct", added + amount, contract.total):
            limit = percent_of(contract.total, rule["max_percent"])
            raise QMError(
                "legal_rule",
                gettext(
                    "补充合同累计金额超限：原合同金额 {original}，已签补充合同 {added}，本次 {amount}，"
                    "累计上限 {limit}。{rule}"
                ).format(
                    original=contract.total,
                    added=money(added),
                    amount=amount,
                    limit=limit,
                    rule=rules.rule_message(rule),
                ),
                {
                    "field": "lines",
                    "rule": rule["code"],
                    "source": rule["source"],
                    "original": str(contract.total),
                    "added": str(money(added)),
                    "amount": str(amount),
                    "limit": str(limit),
                },
            )
        if bond is None:
            bond = (
                percent_of(amount, contract.performance_bond * 100 / contract.total)
                if contract.total
                else Decimal("0.00")
            )
        if not rules.ratio_ok("performance_bond_10pct", bond, amount):
            bond_rule = rules.ratio_rule("performance_bond_10pct")
            raise QMError(
                "legal_rule",
                rules.rule_message(bond_rule),
                {
                    "field": "performance_bond",
                    "rule": bond_rule["code"],
                    "source": bond_rule["source"],
                    "limit": str(percent_of(amount, bond_rule["max_percent"])),
                },
            )
        variation = ContractVariation.objects.create(
            contract=contract,
            number=number,
            signed_on=signed_on,
            amount=amount,
            performance_bond=bond,
            legal_basis=rule["source"],
            reason=reason,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        for obj in objs:
            obj.variation = variation
        ContractVariationLine.objects.bulk_create(objs)
        record_change(
            actor=actor,
            obj=variation,
            action=Action.CREATE,
            note=f"{len(objs)} lines, {amount} (contract {contract.number}, {contract.total})",
        )
    return variation


# ---- deliveries and acceptance -------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedGoods:
    """Goods that passed 验收 and become stock at `destination` (what the stock ledger books)."""

    acceptance_line_id: int
    item: ItemType
    gender: str
    size: str
    quantity: int
    destination: OrgUnit
    contract_id: int
    delivery_id: int
    certificate_number: str
    accepted_on: datetime.date
    officer_id: int | None  # made-to-measure goods are for this officer
    actor: object = None  # who recorded the acceptance, so the ledger rows are attributed to them


_accept_hooks: list[Callable[[list[AcceptedGoods]], None]] = []


def on_accepted(func):
    """The stock ledger registers here: func(goods: list[AcceptedGoods]) is called inside the acceptance's
    transaction (a failure undoes the acceptance), with accepted quantities only — never rejected ones."""
    _accept_hooks.append(func)
    return func


def _after_accepted(goods: list[AcceptedGoods]) -> None:
    if goods:
        for hook in _accept_hooks:
            hook(goods)


def _line_balances(contract_line_ids) -> dict[int, dict]:
    """Per contract line: added by variations (补充合同), delivered, accepted, rejected (accepted + rejected
    known only after 验收)."""
    out = defaultdict(lambda: {"added": 0, "delivered": 0, "accepted": 0, "rejected": 0})
    for line_id, added in (
        ContractVariationLine.objects.filter(contract_line_id__in=contract_line_ids)
        .values("contract_line_id")
        .annotate(n=Sum("quantity"))
        .values_list("contract_line_id", "n")
    ):
        out[line_id]["added"] = added
    for dl in DeliveryLine.objects.filter(contract_line_id__in=contract_line_ids).select_related(
        "acceptance_line"
    ):
        b = out[dl.contract_line_id]
        b["delivered"] += dl.quantity
        al = getattr(dl, "acceptance_line", None)
        if al is not None:
            b["accepted"] += al.accepted
            b["rejected"] += al.rejected
    return out


def delivery_outstanding(contract: Contract, item_codes=None) -> list[dict]:
    """What the supplier still owes on each of a contract's lines — ordered + 补充合同 − (delivered − rejected)
    — as delivery lines [{contract_line_id, quantity}]: a batch of everything still owed, or of some items'.
    Four grouped queries whatever the contract's size (a province contract has ~25,000 lines)."""
    lines = contract.lines.all()
    if item_codes:
        lines = lines.filter(item__code__in=list(item_codes))
    added = dict(
        ContractVariationLine.objects.filter(contract_line__contract=contract)
        .values("contract_line_id")
        .annotate(n=Sum("quantity"))
        .values_list("contract_line_id", "n")
    )
    delivered = dict(
        DeliveryLine.objects.filter(delivery__contract=contract)
        .values("contract_line_id")
        .annotate(n=Sum("quantity"))
        .values_list("contract_line_id", "n")
    )
    rejected = dict(
        AcceptanceLine.objects.filter(delivery_line__delivery__contract=contract)
        .values("delivery_line__contract_line_id")
        .annotate(n=Sum("rejected"))
        .values_list("delivery_line__contract_line_id", "n")
    )
    out = []
    for pk, qty in lines.order_by("id").values_list("pk", "quantity"):
        owed = qty + added.get(pk, 0) - (delivered.get(pk, 0) - rejected.get(pk, 0))
        if owed > 0:
            out.append({"contract_line_id": pk, "quantity": owed})
    return out


def _check_destination(contract: Contract, destination: OrgUnit) -> None:
    """Where a supplier may deliver: the provincial store (any contract), or a city or county agency in the
    buyer's subtree — a province contract any city or county, a city's contract that city or its counties.
    The receiving unit accepts the goods (验收) and they become its stock."""
    buyer = contract.buyer
    if destination.level == "province":
        return
    if destination.level not in ("city", "county") or not destination.is_active:
        raise QMError(
            "bad_destination",
            gettext("交货地点须为省级仓库、市州或县级执法机构"),
            {"field": "destination"},
        )
    if buyer.level != "province" and not destination.path.startswith(buyer.path):
        raise QMError(
            "bad_destination",
            gettext("市州合同只能交货至省级仓库、本市州或其县级执法机构"),
            {"field": "destination"},
        )


def delivery_create(
    *,
    actor,
    contract: Contract,
    number: str,
    destination: OrgUnit,
    lines: list[dict],
    planned_on: datetime.date | None = None,
    delivered_on: datetime.date | None = None,
    note: str = "",
) -> Delivery:
    """A delivery batch to the provincial store, the buyer city's store or a county agency in the buyer's
    subtree (see _check_destination), accepted (验收) there before it is stock. A line
    (contract_line_id, quantity, replaces_id) may not bring more than is still owed: ordered − (delivered −
    rejected); a replacement names the rejected acceptance line it replaces."""
    _require_purchaser(actor, contract)
    contract.refresh_from_db(fields=["status"])
    if contract.status != ContractStatus.SIGNED:
        raise Conflict("not_signed", gettext("合同未签订或已结束"))
    _check_destination(contract, destination)
    if not lines:
        raise QMError("no_lines", gettext("交货明细为空"), {"field": "lines"})
    if Delivery.objects.filter(number=number).exists():
        raise Conflict(
            "duplicate_number", gettext("批次号已存在：{number}").format(number=number), {"field": "number"}
        )
    contract_lines = {cl.pk: cl for cl in contract.lines.all()}
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=contract.pk)
        balances = _line_balances(list(contract_lines))
        replaced_open = {}
        wanted = defaultdict(int)
        objs = []
        for i, line in enumerate(lines, start=1):
            cl = contract_lines.get(line.get("contract_line_id"))
            if cl is None:
                raise QMError(
                    "bad_line",
                    gettext("第{i}行：不是本合同的明细").format(i=i),
                    {"row": i, "field": "contract_line_id"},
                )
            qty = line.get("quantity")
            if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
                raise QMError(
                    "bad_line",
                    gettext("第{i}行：数量须为正整数").format(i=i),
                    {"row": i, "field": "quantity"},
                )
            replaces = None
            if line.get("replaces_id"):
                replaces = (
                    AcceptanceLine.objects.select_related("delivery_line")
                    .filter(pk=line["replaces_id"], delivery_line__contract_line=cl, rejected__gt=0)
                    .first()
                )
                if replaces is None:
                    raise QMError(
                        "bad_line",
                        gettext("第{i}行：替换对象不是本明细的不合格品").format(i=i),
                        {"row": i, "field": "replaces_id"},
                    )
                if replaces.pk not in replaced_open:
                    sent = sum(r.quantity for r in replaces.replacements.all())
                    replaced_open[replaces.pk] = replaces.rejected - sent
                if qty > replaced_open[replaces.pk]:
                    raise QMError(
                        "over_replacement",
                        gettext("第{i}行：替换数量超过待换数量（{value}）").format(
                            i=i, value=replaced_open[replaces.pk]
                        ),
                        {"row": i, "field": "quantity"},
                    )
                replaced_open[replaces.pk] -= qty
            wanted[cl.pk] += qty
            b = balances[cl.pk]
            # ordered = the contract line + what its 补充合同 added
            owed = cl.quantity + b["added"] - (b["delivered"] - b["rejected"])
            if wanted[cl.pk] > owed:
                raise QMError(
                    "over_delivery",
                    gettext("第{i}行：{name_for} {size} 超过合同未交数量（{owed}）").format(
                        i=i,
                        name_for=cl.item.name_for(cl.gender),
                        size=cl.size,
                        owed=owed,
                        name_en=cl.item.name_en,
                    ),
                    {"row": i, "field": "quantity", "owed": owed},
                )
            objs.append(DeliveryLine(contract_line=cl, quantity=qty, replaces=replaces))
        delivery = Delivery.objects.create(
            contract=contract,
            number=number,
            destination=destination,
            planned_on=planned_on,
            delivered_on=delivered_on,
            note=note,
            status=DeliveryStatus.ARRIVED if delivered_on else DeliveryStatus.ANNOUNCED,
        )
        for obj in objs:
            obj.delivery = delivery
        DeliveryLine.objects.bulk_create(objs)
        record_change(actor=actor, obj=delivery, action=Action.CREATE, note=f"{len(objs)} lines")
    return delivery


def delivery_arrive(*, actor, delivery: Delivery, delivered_on: datetime.date) -> Delivery:
    _require_receiver(actor, delivery)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != DeliveryStatus.ANNOUNCED:
            raise Conflict("bad_transition", gettext("该批次已到货"))
        before = snapshot(delivery)
        delivery.delivered_on, delivery.status = delivered_on, DeliveryStatus.ARRIVED
        delivery.save()
        record_change(actor=actor, obj=delivery, action=Action.UPDATE, before=before)
    return delivery


def acceptance_record(
    *,
    actor,
    delivery: Delivery,
    inspected_on: datetime.date,
    certificate_number: str,
    sample_size: int,
    inspectors: str,
    lines: list[dict],
    sample_note: str = "",
) -> Acceptance:
    """验收 of an arrived batch: every line gets accepted + rejected = delivered, a reason for any rejection.
    Only the accepted quantities reach the stock ledger (on_accepted hooks); rejected goods wait to be
    returned to the supplier and replaced."""
    _require_receiver(actor, delivery)
    if delivery.status == DeliveryStatus.ANNOUNCED or delivery.delivered_on is None:
        raise Conflict("not_arrived", gettext("批次尚未到货"))
    if inspected_on < delivery.delivered_on:
        raise QMError("bad_date", gettext("验收日期早于到货日期"), {"field": "inspected_on"})
    if not certificate_number.strip():
        raise QMError("required", gettext("须填写验收单号"), {"field": "certificate_number"})
    if not inspectors.strip():
        raise QMError("required", gettext("须填写验收人员"), {"field": "inspectors"})
    dlines = {dl.pk: dl for dl in delivery.lines.select_related("contract_line__item", "replaces")}
    total = sum(dl.quantity for dl in dlines.values())
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or not 1 <= sample_size <= total:
        raise QMError(
            "bad_sample",
            gettext("抽样数量须在1至{total}之间").format(total=total),
            {"field": "sample_size"},
        )
    results = {}
    for i, line in enumerate(lines, start=1):
        dl = dlines.get(line.get("delivery_line_id"))
        if dl is None or dl.pk in results:
            raise QMError(
                "bad_line",
                gettext("第{i}行：不是本批次的明细或重复").format(i=i),
                {"row": i, "field": "delivery_line_id"},
            )
        acc, rej = line.get("accepted", 0), line.get("rejected", 0)
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in (acc, rej)):
            raise QMError(
                "bad_line",
                gettext("第{i}行：数量须为非负整数").format(i=i),
                {"row": i, "field": "accepted"},
            )
        if acc + rej != dl.quantity:
            raise QMError(
                "bad_line",
                gettext("第{i}行：合格{acc}+不合格{rej}≠到货{quantity}").format(
                    i=i, acc=acc, rej=rej, quantity=dl.quantity
                ),
                {"row": i, "field": "accepted"},
            )
        reason = (line.get("reason") or "").strip()
        if rej and not reason:
            raise QMError(
                "bad_line",
                gettext("第{i}行：不合格须写明原因").format(i=i),
                {"row": i, "field": "reason"},
            )
        results[dl.pk] = (acc, rej, reason)
    missing = sorted(set(dlines) - set(results))
    if missing:
        raise QMError(
            "lines_missing",
            gettext("每一行都须有验收结果"),
            {"field": "lines", "delivery_line_ids": missing},
        )
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if Acceptance.objects.filter(delivery=delivery).exists():
            raise Conflict("already_accepted", gettext("该批次已验收"))
        if Acceptance.objects.filter(certificate_number=certificate_number.strip()).exists():
            raise Conflict(
                "duplicate_certificate",
                gettext("验收单号已存在"),
                {"field": "certificate_number"},
            )
        acceptance = Acceptance.objects.create(
            delivery=delivery,
            inspected_on=inspected_on,
            certificate_number=certificate_number.strip(),
            sample_size=sample_size,
            sample_note=sample_note,
            inspectors=inspectors.strip(),
            actor=actor,
        )
        alines = [
            AcceptanceLine(
                acceptance=acceptance,
                delivery_line=dlines[pk],
                accepted=acc,
                rejected=rej,
                reason=reason[:300],
                rejection_status=RejectionStatus.AWAITING_RETURN if rej else RejectionStatus.NONE,
            )
            for pk, (acc, rej, reason) in results.items()
        ]
        AcceptanceLine.objects.bulk_create(alines)
        before = snapshot(delivery)
        delivery.status = DeliveryStatus.ACCEPTED
        delivery.save(update_fields=["status", "updated_at"])
        record_change(
            actor=actor,
            obj=acceptance,
            action=Action.CREATE,
            note=f"accepted {sum(a.accepted for a in alines)}, rejected {sum(a.rejected for a in alines)}",
        )
        record_change(actor=actor, obj=delivery, action=Action.UPDATE, before=before)
        _settle_replacements(
            [dlines[a.delivery_line_id].replaces for a in alines if dlines[a.delivery_line_id].replaces_id],
            actor,
        )
        goods = [
            AcceptedGoods(
                acceptance_line_id=a.pk,
                item=dlines[a.delivery_line_id].contract_line.item,
                gender=dlines[a.delivery_line_id].contract_line.gender,
                size=dlines[a.delivery_line_id].contract_line.size,
                quantity=a.accepted,
                destination=delivery.destination,
                contract_id=delivery.contract_id,
                delivery_id=delivery.pk,
                certificate_number=acceptance.certificate_number,
                accepted_on=inspected_on,
                officer_id=dlines[a.delivery_line_id].contract_line.officer_id,
                actor=actor,
            )
            for a in alines
            if a.accepted > 0
        ]
        _after_accepted(goods)
    return acceptance


def _settle_replacements(originals: list[AcceptanceLine], actor) -> None:
    """A rejected line is replaced once accepted replacements cover what was rejected."""
    for original in {o.pk: o for o in originals}.values():
        original = AcceptanceLine.objects.select_for_update().get(pk=original.pk)
        accepted = sum(al.accepted for al in AcceptanceLine.objects.filter(delivery_line__replaces=original))
        if accepted >= original.rejected and original.rejection_status != RejectionStatus.REPLACED:
            before = snapshot(original)
            original.rejection_status = RejectionStatus.REPLACED
            original.save(update_fields=["rejection_status"])
            record_change(actor=actor, obj=original, action=Action.UPDATE, before=before)


def rejection_mark_returned(
    *, actor, acceptance_line: AcceptanceLine, returned_on: datetime.date
) -> AcceptanceLine:
    """Rejected goods handed back to the supplier (they never entered stock)."""
    _require_receiver(actor, acceptance_line.acceptance.delivery)
    with transaction.atomic():
        line = AcceptanceLine.objects.select_for_update().get(pk=acceptance_line.pk)
        if line.rejection_status != RejectionStatus.AWAITING_RETURN:
            raise Conflict("bad_transition", gettext("该行没有待退回的不合格品"))
        if returned_on < line.acceptance.inspected_on:
            raise QMError("bad_date", gettext("退回日期早于验收日期"), {"field": "returned_on"})
        before = snapshot(line)
        line.rejection_status, line.returned_on = RejectionStatus.RETURNED, returned_on
        line.save(update_fields=["rejection_status", "returned_on"])
        record_change(actor=actor, obj=line, action=Action.UPDATE, before=before)
    return line


# ---- working-day calendar ------------------------------------------------------------------------------


def holiday_set(*, actor, date: datetime.date, kind: str, name: str = "", source: str = ""):
    """Add or change a holiday / make-up working day (years after the chinese-calendar data)."""
    from .choices import HolidayKind
    from .models import Holiday

    _require_province(actor)
    if kind not in HolidayKind.values:
        raise QMError(
            "bad_kind",
            gettext("类型须为 holiday 或 workday"),
            {"field": "kind"},
        )
    with transaction.atomic():
        existing = Holiday.objects.select_for_update().filter(date=date).first()
        before = snapshot(existing) if existing else None
        holiday, _ = Holiday.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name, "source": source}
        )
        record_change(
            actor=actor, obj=holiday, action=Action.UPDATE if existing else Action.CREATE, before=before
        )
    return holiday


def holiday_year_set(*, actor, year: int, source: str, covers_until: datetime.date | None = None):
    """Record where a year's working-day data comes from (the State Council notice) and the last day it covers
    (31 December unless given): dates after it raise calendar_missing instead of counting as weekdays."""
    from .models import HolidayYear

    _require_province(actor)
    if not 2000 <= year <= 2100:
        raise QMError("out_of_range", gettext("年度应在2000–2100之间"), {"field": "year"})
    source = (source or "").strip()
    if not source:
        raise QMError(
            "required", gettext("须填写依据（如国务院办公厅关于放假安排的通知）"), {"field": "source"}
        )
    if len(source) > 300:
        raise QMError("too_long", gettext("依据不超过300字"), {"field": "source"})
    covers_until = covers_until or datetime.date(year, 12, 31)
    if covers_until.year != year:
        raise QMError(
            "out_of_range",
            gettext("数据截至日期应在{year}年内").format(year=year),
            {"field": "covers_until"},
        )
    with transaction.atomic():
        existing = HolidayYear.objects.select_for_update().filter(year=year).first()
        before = snapshot(existing) if existing else None
        row, _ = HolidayYear.objects.update_or_create(
            year=year, defaults={"source": source, "covers_until": covers_until, "created_by": actor}
        )
        record_change(
            actor=actor, obj=row, action=Action.UPDATE if existing else Action.CREATE, before=before
        )
    return row
