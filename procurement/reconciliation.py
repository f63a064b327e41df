"""采购对账 the reconciliation of a tender: budget → award → contracts per buyer (the province's own and each
city's under 统采分签) → delivered → accepted → paid, per lot and per buyer, with the documents behind every
figure. Read-only, from the user's scope: provincial logistics and province-wide auditors see every buyer; a
city's staff only its own contract(s), and the lot and tender totals are then the sums of those rows
(`restricted`). Budgets and awards are published information and shown to every member.

Every figure is a Decimal (money) or an int (pieces) and the totals are the sums of the rows shown, so they
add up exactly. Money per contract:
- original: the contract's total; variations: the 补充合同 amounts; contracted = original + variations;
- delivered, accepted, rejected: Σ quantity × the contract line's unit price, each rounded to the 分 once
  per contract (the quantities are summed in the database per contract and unit price, so the product is
  exact Decimal arithmetic, whatever the database's decimal type); awaiting inspection is given in pieces
  only (delivered − accepted − rejected), as a difference of rounded values could be off by a 分;
- paid: payments except returned performance bonds; outstanding = contracted − paid.
A fixed number of aggregate queries, whatever the number of contracts and lines."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils.translation import gettext

from core import scope
from core.errors import NotFound

from . import selectors
from .choices import AwardStatus, PaymentKind, TenderStatus
from .models import (
    Acceptance,
    AcceptanceLine,
    Award,
    Contract,
    ContractLine,
    ContractVariation,
    ContractVariationLine,
    Delivery,
    DeliveryLine,
    Lot,
    Payment,
    Tender,
)
from .money import ZERO, money

MONEY_FIGURES = (
    "original",
    "variations",
    "contracted",
    "delivered_value",
    "accepted_value",
    "rejected_value",
    "paid",
    "outstanding",
)
COUNT_FIGURES = (
    "contracts",
    "variation_count",
    "contracted_qty",
    "delivered_qty",
    "accepted_qty",
    "rejected_qty",
    "awaiting_qty",
    "deliveries",
    "acceptances",
    "payments",
)
FIGURES = MONEY_FIGURES + COUNT_FIGURES
DOCUMENT_KINDS = ("contracts", "variations", "deliveries", "acceptances", "payments")


def _zero() -> dict:
    return {**dict.fromkeys(MONEY_FIGURES, ZERO), **dict.fromkeys(COUNT_FIGURES, 0)}


def _add(into: dict, figures: dict) -> None:
    for key in FIGURES:
        into[key] += figures[key]


@dataclass
class BuyerRow:
    """One buyer's contracts under one lot."""

    lot_id: int
    buyer_id: int
    buyer_code: str
    buyer_name: str
    buyer_level: str
    contract_ids: list[int] = field(default_factory=list)
    figures: dict = field(default_factory=_zero)


@dataclass
class LotBlock:
    lot: Lot
    budget: Decimal
    award: Decimal  # the lot's active awards together
    award_ids: list[int]
    suppliers: list[str]
    rows: list[BuyerRow]
    totals: dict


@dataclass
class Reconciliation:
    tender: Tender
    restricted: bool  # a part of the province: the totals are the sums of the rows shown only
    lots: list[LotBlock]
    budget: Decimal  # the tender's budget
    lots_budget: Decimal
    award: Decimal
    totals: dict
    lot_id: int | None = None
    city: str | None = None


def current_tender(user) -> Tender:
    """The tender the reconciliation opens on: the newest one still open, else the newest (404 if none)."""
    open_ = (
        selectors.tenders_for(user)
        .exclude(status__in=[TenderStatus.COMPLETE, TenderStatus.CANCELLED])
        .order_by("-year", "-created_at", "-id")
        .first()
    )
    return open_ or selectors.tender_latest(user)


def _city_unit(user, code: str):
    from personnel.models import OrgUnit

    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not scope.in_scope(user, unit):
        raise NotFound(gettext("单位 {code} 不存在或不在您的权限范围内").format(code=code), {"field": "city"})
    return unit


def contracts_in(
    user,
    *,
    tender_id: int,
    lot_id: int | None = None,
    buyer: str | None = None,
    contract_id: int | None = None,
):
    """The contracts of a tender the user reads (by buyer), optionally of one lot, one buyer, one contract."""
    qs = scope.restrict(Contract.objects.filter(award__lot__tender_id=tender_id), user, "buyer")
    if contract_id:
        qs = qs.filter(pk=contract_id)
    if lot_id:
        qs = qs.filter(award__lot_id=lot_id)
    if buyer:
        qs = qs.filter(buyer__code=buyer)
    return qs


def reconcile(
    user,
    *,
    tender: Tender | None = None,
    lot_id: int | None = None,
    city: str | None = None,
    contract_id: int | None = None,
) -> Reconciliation:
    """The reconciliation of `tender` (default: current_tender) in the user's scope; `lot_id` one lot,
    `city` one buyer (a city's code, or the province's 430000 for its own contract), `contract_id` one
    contract (its page's figures)."""
    tender = tender or current_tender(user)
    lots = list(Lot.objects.filter(tender=tender).order_by("number"))
    if lot_id is not None:
        lots = [lot for lot in lots if lot.pk == lot_id]
        if not lots:
            raise NotFound(gettext("标包不存在：{lot}").format(lot=lot_id), {"field": "lot"})
    if city:
        _city_unit(user, city)
    awards = defaultdict(lambda: {"amount": ZERO, "ids": [], "suppliers": []})
    for a in (
        Award.objects.filter(lot__in=[lot.pk for lot in lots], status=AwardStatus.ACTIVE)
        .order_by("id")
        .values("id", "lot_id", "amount", "supplier__name")
    ):
        entry = awards[a["lot_id"]]
        entry["amount"] += a["amount"]
        entry["ids"].append(a["id"])
        entry["suppliers"].append(a["supplier__name"])

    contracts = contracts_in(user, tender_id=tender.pk, lot_id=lot_id, buyer=city, contract_id=contract_id)
    ids = contracts.values("pk")
    per_contract: dict[int, dict] = {}
    info: dict[int, dict] = {}
    for c in contracts.values(
        "id", "award__lot_id", "buyer_id", "buyer__code", "buyer__name", "buyer__level", "total"
    ).order_by("id"):
        info[c["id"]] = c
        figs = per_contract[c["id"]] = _zero()
        figs["contracts"] = 1
        figs["original"] = c["total"]

    def each(qs, key):
        for r in qs:
            figs = per_contract.get(r[key])
            if figs is not None:
                yield figs, r

    for figs, r in each(
        ContractLine.objects.filter(contract__in=ids)
        .order_by()
        .values("contract_id")
        .annotate(q=Sum("quantity")),
        "contract_id",
    ):
        figs["contracted_qty"] += r["q"] or 0
    for figs, r in each(
        ContractVariation.objects.filter(contract__in=ids)
        .order_by()
        .values("contract_id")
        .annotate(s=Sum("amount"), n=Count("id")),
        "contract_id",
    ):
        figs["variations"] += r["s"] or ZERO
        figs["variation_count"] += r["n"]
    for figs, r in each(
        ContractVariationLine.objects.filter(variation__contract__in=ids)
        .order_by()
        .values("variation__contract_id")
        .annotate(q=Sum("quantity")),
        "variation__contract_id",
    ):
        figs["contracted_qty"] += r["q"] or 0

    # Quantities per contract and unit price (exact integers), delivered and inspected in one pass over the
    # delivery lines (an acceptance line is one-to-one with its delivery line); priced here in Decimal.
    raw = defaultdict(lambda: dict.fromkeys(("delivered", "accepted", "rejected"), Decimal(0)))
    for figs, r in each(
        # filtered on the delivery's contract (a delivery line's contract line is of that contract): SQLite then
        # walks the delivery lines once instead of looking them up per contract line, 2–3× faster
        DeliveryLine.objects.filter(delivery__contract__in=ids)
        .order_by()
        .values("delivery__contract_id", "contract_line__unit_price")
        .annotate(q=Sum("quantity"), a=Sum("acceptance_line__accepted"), r=Sum("acceptance_line__rejected")),
        "delivery__contract_id",
    ):
        price, cid = r["contract_line__unit_price"], r["delivery__contract_id"]
        q, a, rej = r["q"] or 0, r["a"] or 0, r["r"] or 0
        figs["delivered_qty"] += q
        figs["accepted_qty"] += a
        figs["rejected_qty"] += rej
        raw[cid]["delivered"] += q * price
        raw[cid]["accepted"] += a * price
        raw[cid]["rejected"] += rej * price
    for figs, r in each(
        Delivery.objects.filter(contract__in=ids)
        .order_by()
        .values("contract_id")
        .annotate(n=Count("id"), a=Count("acceptance")),
        "contract_id",
    ):
        figs["deliveries"] += r["n"]
        figs["acceptances"] += r["a"]
    for figs, r in each(
        Payment.objects.filter(contract__in=ids)
        .exclude(kind=PaymentKind.BOND_RETURN)
        .order_by()
        .values("contract_id")
        .annotate(s=Sum("amount"), n=Count("id")),
        "contract_id",
    ):
        figs["paid"] += r["s"] or ZERO
        figs["payments"] += r["n"]

    for cid, figs in per_contract.items():
        values = raw.get(cid)
        if values:
            figs["delivered_value"] = money(values["delivered"])
            figs["accepted_value"] = money(values["accepted"])
            figs["rejected_value"] = money(values["rejected"])
        figs["original"] = money(figs["original"])
        figs["variations"] = money(figs["variations"])
        figs["paid"] = money(figs["paid"])
        figs["contracted"] = figs["original"] + figs["variations"]
        figs["outstanding"] = figs["contracted"] - figs["paid"]
        figs["awaiting_qty"] = figs["delivered_qty"] - figs["accepted_qty"] - figs["rejected_qty"]

    rows: dict[tuple[int, int], BuyerRow] = {}
    for cid, c in info.items():
        key = (c["award__lot_id"], c["buyer_id"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = BuyerRow(
                lot_id=c["award__lot_id"],
                buyer_id=c["buyer_id"],
                buyer_code=c["buyer__code"],
                buyer_name=c["buyer__name"],
                buyer_level=c["buyer__level"],
            )
        row.contract_ids.append(cid)
        _add(row.figures, per_contract[cid])

    blocks, tender_totals = [], _zero()
    for lot in lots:
        lot_rows = sorted(
            (r for r in rows.values() if r.lot_id == lot.pk),
            key=lambda r: (r.buyer_level != "province", r.buyer_code),
        )
        totals = _zero()
        for r in lot_rows:
            _add(totals, r.figures)
        _add(tender_totals, totals)
        a = awards[lot.pk]
        blocks.append(
            LotBlock(
                lot=lot,
                budget=lot.budget,
                award=money(a["amount"]),
                award_ids=a["ids"],
                suppliers=a["suppliers"],
                rows=lot_rows,
                totals=totals,
            )
        )
    return Reconciliation(
        tender=tender,
        restricted=not scope.in_scope(user, tender.procuring_unit) or bool(city),
        lots=blocks,
        budget=tender.budget,
        lots_budget=sum((b.budget for b in blocks), ZERO),
        award=sum((b.award for b in blocks), ZERO),
        totals=tender_totals,
        lot_id=lot_id,
        city=city or None,
    )


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole in percent, one decimal (None when whole is 0)."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


# ---- the documents behind a figure -----------------------------------------------------------------------


def documents(
    user,
    kind: str,
    *,
    tender_id: int | None = None,
    lot_id: int | None = None,
    buyer: str | None = None,
    contract_id: int | None = None,
):
    """The documents behind a figure, in the user's scope (by the contract's buyer): `kind` is one of
    DOCUMENT_KINDS, filtered to a tender, a lot, a buyer (unit code) and/or a contract."""
    if kind not in DOCUMENT_KINDS:
        raise NotFound()
    selectors.tenders_for(user)  # members only
    where = scope.scope_q(user, "contract__buyer") if kind != "contracts" else scope.scope_q(user, "buyer")
    prefix = "" if kind == "contracts" else "contract__"
    # Per-document sums as correlated subqueries on the lines' foreign-key index: a GROUP BY over the joined
    # lines made SQLite aggregate every delivery line of the province (0.8 s for one contract's deliveries).
    if kind == "variations":
        qs = ContractVariation.objects.select_related("contract__buyer", "contract__award__lot").annotate(
            line_count=_per(ContractVariationLine, "variation", Count("id")),
            quantity=_per(ContractVariationLine, "variation", Sum("quantity")),
        )
    elif kind == "deliveries":
        qs = Delivery.objects.select_related("contract__buyer", "destination", "acceptance").annotate(
            line_count=_per(DeliveryLine, "delivery", Count("id")),
            quantity=_per(DeliveryLine, "delivery", Sum("quantity")),
        )
    elif kind == "acceptances":
        qs = Acceptance.objects.select_related("delivery__contract__buyer", "delivery__destination").annotate(
            accepted=_per(AcceptanceLine, "acceptance", Sum("accepted")),
            rejected=_per(AcceptanceLine, "acceptance", Sum("rejected")),
        )
        prefix = "delivery__contract__"
        where = scope.scope_q(user, "delivery__contract__buyer")
    elif kind == "payments":
        qs = Payment.objects.select_related("contract__buyer")
    else:
        # a subquery too: a join on the lines would multiply contracts_for's sum of payments
        qs = selectors.contracts_for(user).annotate(line_count=_per(ContractLine, "contract", Count("id")))
    qs = qs.filter(where)
    if tender_id:
        qs = qs.filter(**{f"{prefix}award__lot__tender_id": tender_id})
    if lot_id:
        qs = qs.filter(**{f"{prefix}award__lot_id": lot_id})
    if buyer:
        qs = qs.filter(**{f"{prefix}buyer__code": buyer})
    if contract_id:
        qs = qs.filter(
            **({"pk": contract_id} if kind == "contracts" else {f"{prefix.rstrip('_')}_id": contract_id})
        )
    return qs.order_by("pk" if kind != "contracts" else "number")


def _per(model, fk: str, aggregate):
    """A correlated subquery: `aggregate` over the `model` rows whose `fk` is the outer row."""
    rows = model.objects.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(v=aggregate)
    return Subquery(rows.values("v"))


def contract_lines(contract: Contract):
    """A contract's lines in the contract's order (the caller pages it; line_flows adds the figures of a page)."""
    return contract.lines.select_related("item").order_by(
        "kind", "item__sort_order", "gender", "size", "officer_id", "id"
    )


def line_flows(line_ids: list[int]) -> dict[int, dict]:
    """Added by supplementary contracts, delivered, accepted and rejected per contract line of a page (one
    query for the variations, one for the deliveries and their inspection)."""
    out = defaultdict(lambda: {"varied": 0, "delivered": 0, "accepted": 0, "rejected": 0})
    for r in (
        ContractVariationLine.objects.filter(contract_line_id__in=line_ids)
        .order_by()
        .values("contract_line_id")
        .annotate(q=Sum("quantity"))
    ):
        out[r["contract_line_id"]]["varied"] = r["q"] or 0
    for r in (
        DeliveryLine.objects.filter(contract_line_id__in=line_ids)
        .order_by()
        .values("contract_line_id")
        .annotate(q=Sum("quantity"), a=Sum("acceptance_line__accepted"), r=Sum("acceptance_line__rejected"))
    ):
        out[r["contract_line_id"]].update(delivered=r["q"] or 0, accepted=r["a"] or 0, rejected=r["r"] or 0)
    return out
