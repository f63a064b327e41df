"""Export a tender as an OCDS 1.1 release package and validate it offline against the official schema
(data/ocds-1.1.5, copied from shared/data; every $ref resolved locally, no network)."""

import datetime
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import pgettext
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from core.i18n import zh

from .choices import AwardStatus, ContractStatus, Method, TenderStatus
from .models import Tender

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "ocds-1.1.5"
# An OCID prefix is registered with the Open Contracting Partnership; set OCDS_PREFIX when there is one.
DEFAULT_PREFIX = "ocds-qmhn00"
METHODS = {
    Method.OPEN: "open",
    Method.INVITED: "selective",
    Method.NEGOTIATION: "limited",
    Method.CONSULTATION: "limited",
    Method.QUOTATION: "limited",
    Method.SINGLE_SOURCE: "direct",
}
TENDER_STATUS = {
    TenderStatus.PLANNING: "planning",
    TenderStatus.ACTIVE: "active",
    TenderStatus.EVALUATION: "active",
    TenderStatus.AWARDED: "complete",
    TenderStatus.CONTRACTED: "complete",
    TenderStatus.COMPLETE: "complete",
    TenderStatus.CANCELLED: "cancelled",
}
CONTRACT_STATUS = {
    ContractStatus.DRAFT: "pending",
    ContractStatus.SIGNED: "active",
    ContractStatus.COMPLETE: "terminated",
    ContractStatus.TERMINATED: "cancelled",
}
MILESTONE_TYPES = {
    "intention_published": "preProcurement",
    "plan_filed": "approval",
    "documents_final": "preProcurement",
    "notice_published": "engagement",
    "documents_on_sale": "engagement",
    "documents_sale_end": "engagement",
    "last_clarification": "engagement",
    "bid_opening": "engagement",
    "evaluation_report": "assessment",
    "winner_chosen": "assessment",
    "award_notice": "reporting",
    "challenge_end": "assessment",
    "contract_signed": "approval",
    "contract_published": "reporting",
    "deliveries": "delivery",
    "acceptance": "delivery",
    "distribution_complete": "delivery",
}
TZ = datetime.timezone(datetime.timedelta(hours=8))


def _dt(day: datetime.date | None, hour: int = 9) -> str | None:
    if day is None:
        return None
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ).isoformat()


def _value(amount: Decimal) -> dict:
    return {"amount": float(amount), "currency": "CNY"}


def _org_id(prefix: str, code: str) -> str:
    return f"{prefix}-{code}"


@cache
def _schemas() -> tuple[dict, Registry]:
    package = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text(encoding="utf-8"))
    release = json.loads((SCHEMA_DIR / "release-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        [
            (package["id"], Resource.from_contents(package, default_specification=DRAFT4)),
            (release["id"], Resource.from_contents(release, default_specification=DRAFT4)),
        ]
    )
    return package, registry


def validate(package: dict) -> list[str]:
    """Schema errors of a release package ([] when valid), checked offline."""
    schema, registry = _schemas()
    validator = Draft4Validator(schema, registry=registry, format_checker=FormatChecker())
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in sorted(validator.iter_errors(package), key=lambda e: list(map(str, e.absolute_path)))
    ]


def release_package(tender: Tender, published: datetime.datetime | None = None) -> dict:
    prefix = getattr(settings, "OCDS_PREFIX", DEFAULT_PREFIX)
    published = published or timezone.now()
    ocid = f"{prefix}-{tender.reference}"
    milestones = list(tender.milestones.order_by("sequence"))
    by_code = {m.code: m for m in milestones}
    lots = list(tender.lots.prefetch_related("items", "bids__supplier", "awards__supplier"))
    unit = tender.procuring_unit
    parties: dict[str, dict] = {}

    def party(pid, name, role, identifier=None, contact=None):
        p = parties.setdefault(pid, {"id": pid, "name": name, "roles": []})
        if role not in p["roles"]:
            p["roles"].append(role)
        if identifier:
            p["identifier"] = identifier
        if contact:
            p["contactPoint"] = contact
        return {"id": pid, "name": name}

    buyer = party(_org_id("unit", unit.code), unit.name, "buyer")
    party(_org_id("unit", unit.code), unit.name, "procuringEntity")

    def supplier_ref(s, role):
        contact = {
            k: v
            for k, v in (("name", s.contact_name), ("telephone", s.contact_phone), ("email", s.contact_email))
            if v
        } or None
        return party(
            _org_id("supplier", s.credit_code),
            s.name,
            role,
            {"scheme": "CN-USCC", "id": s.credit_code, "legalName": s.name},
            contact,
        )

    def ms(m):
        return {
            "id": str(m.pk),
            "title": m.name,
            "type": MILESTONE_TYPES.get(m.code, "engagement"),
            "code": m.code,
            "dueDate": _dt(m.planned_date),
            "dateMet": _dt(m.actual_date),
            "status": "met" if m.actual_date else "scheduled",
        }

    def mdate(code, hour=9):
        m = by_code.get(code)
        return _dt((m.actual_date or m.planned_date) if m else None, hour)

    tender_items = [
        {
            "id": f"{lot.number}-{item.code}",
            "description": f"第{lot.number}包 {item.name_zh} {item.name_en}",
            "classification": {"scheme": "QM-ITEM", "id": item.code, "description": item.name_zh},
            "unit": {"name": pgettext("piece", "件")},
        }
        for lot in lots
        for item in lot.items.all()
    ]
    tenderers = {}
    for lot in lots:
        for bid in lot.bids.all():
            tenderers[bid.supplier_id] = supplier_ref(bid.supplier, "tenderer")
    tender_block = {
        "id": tender.reference,
        "title": tender.title,
        "description": tender.description or tender.title,
        "status": TENDER_STATUS[TenderStatus(tender.status)],
        "procuringEntity": buyer,
        "items": tender_items,
        "value": _value(tender.budget),
        "procurementMethod": METHODS[Method(tender.method)],
        "procurementMethodDetails": zh(Method(tender.method).label),
        "mainProcurementCategory": "goods",
        "awardCriteria": "ratedCriteria"
        if any(lot.evaluation_method == "comprehensive" for lot in lots)
        else "priceOnly",
        "awardCriteriaDetails": "; ".join(
            f"第{lot.number}包 {zh(lot.get_evaluation_method_display())}" for lot in lots
        ),
        "tenderPeriod": {
            k: v
            for k, v in (("startDate", mdate("documents_on_sale")), ("endDate", mdate("bid_opening", 10)))
            if v
        },
        "enquiryPeriod": {
            k: v
            for k, v in (
                ("startDate", mdate("documents_on_sale")),
                ("endDate", mdate("last_clarification", 17)),
            )
            if v
        },
        "awardPeriod": {
            k: v
            for k, v in (("startDate", mdate("bid_opening", 10)), ("endDate", mdate("award_notice", 17)))
            if v
        },
        "numberOfTenderers": len(tenderers),
        "tenderers": list(tenderers.values()),
        "milestones": [ms(m) for m in milestones if m.sequence <= by_code["challenge_end"].sequence]
        if "challenge_end" in by_code
        else [ms(m) for m in milestones],
    }
    awards, contracts = [], []
    for lot in lots:
        for award in lot.awards.all():
            lines = _contract_item_totals(award)
            awards.append(
                {
                    "id": str(award.pk),
                    "title": f"第{lot.number}包 {lot.title}",
                    "status": "active" if award.status == AwardStatus.ACTIVE else "cancelled",
                    "date": _dt(award.decided_on),
                    "value": _value(award.amount),
                    "suppliers": [supplier_ref(award.supplier, "supplier")],
                    "items": [
                        {
                            "id": f"{lot.number}-{code}",
                            "description": name,
                            "quantity": qty,
                            "unit": {"name": pgettext("piece", "件")},
                        }
                        for code, name, qty in lines
                    ],
                }
            )
            for contract in award.contracts.select_related("buyer", "supplier").prefetch_related(
                "payments", "variations"
            ):
                variations = list(contract.variations.all())
                cbuyer = party(_org_id("unit", contract.buyer.code), contract.buyer.name, "buyer")
                payee = supplier_ref(contract.supplier, "payee")
                party(cbuyer["id"], cbuyer["name"], "payer")
                deliveries = list(contract.deliveries.select_related("acceptance").order_by("id"))
                amendments = (
                    {
                        "amendments": [
                            {
                                "id": v.number,
                                "date": _dt(v.signed_on),
                                "rationale": "；".join(x for x in (v.legal_basis, v.reason) if x),
                                "description": f"补充合同 {v.number}，金额 {v.amount} 元",
                            }
                            for v in variations
                        ]
                    }
                    if variations
                    else {}
                )
                contracts.append(
                    {
                        "id": contract.number,
                        "awardID": str(award.pk),
                        "title": f"{tender.title} {contract.buyer.name}",
                        "status": CONTRACT_STATUS[ContractStatus(contract.status)],
                        # the contract's value as amended by its 补充合同 (listed in amendments)
                        "value": _value(contract.total + sum((v.amount for v in variations), Decimal(0))),
                        **amendments,
                        "dateSigned": _dt(contract.signed_on),
                        "period": {
                            k: v
                            for k, v in (
                                ("startDate", _dt(contract.signed_on)),
                                ("endDate", _dt(contract.delivery_due, 17)),
                            )
                            if v
                        },
                        "items": _contract_items(contract),
                        "implementation": {
                            "transactions": [
                                {
                                    "id": str(p.pk),
                                    "source": contract.number,
                                    "date": _dt(p.paid_on),
                                    "value": _value(p.amount),
                                    "payer": cbuyer,
                                    "payee": payee,
                                }
                                for p in contract.payments.all()
                                if p.kind != "bond_return"
                            ],
                            "milestones": [
                                {
                                    "id": f"delivery-{d.pk}",
                                    "title": f"交货批次 {d.number}",
                                    "type": "delivery",
                                    "dueDate": _dt(d.planned_on),
                                    "dateMet": _dt(
                                        d.acceptance.inspected_on if hasattr(d, "acceptance") else None
                                    ),
                                    "status": "met" if hasattr(d, "acceptance") else "scheduled",
                                }
                                for d in deliveries
                            ],
                        },
                    }
                )
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{published.strftime('%Y%m%dT%H%M%S')}",
        "date": published.isoformat(),
        "tag": ["tender"]
        + (["award"] if awards else [])
        + (["contract", "implementation"] if contracts else []),
        "initiationType": "tender",
        "language": "zh",
        "parties": list(parties.values()),
        "buyer": buyer,
        "planning": {
            "rationale": tender.description or f"{tender.year}年度制式服装和标志采购",
            "budget": {"description": f"{tender.year}年度预算", "amount": _value(tender.budget)},
            "milestones": [
                ms(m)
                for m in milestones
                if m.code in ("intention_published", "plan_filed", "documents_final")
            ],
        },
        "tender": tender_block,
        "awards": awards,
        "contracts": contracts,
    }
    return {
        "uri": f"{getattr(settings, 'OCDS_BASE_URI', 'https://quartermaster.invalid/ocds')}/{tender.reference}.json",
        "version": "1.1",
        "publishedDate": published.isoformat(),
        "publisher": {"name": unit.name},
        "releases": [release],
    }


def _contract_item_totals(award) -> list[tuple[str, str, int]]:
    from django.db.models import Sum

    rows = (
        award.contracts.values("lines__item__code", "lines__item__name_zh")
        .annotate(q=Sum("lines__quantity"))
        .order_by("lines__item__code")
    )
    return [
        (r["lines__item__code"], r["lines__item__name_zh"], r["q"]) for r in rows if r["lines__item__code"]
    ]


def _contract_items(contract) -> list[dict]:
    """One OCDS item per item type × gender version (sizes summed: the size breakdown stays in the
    contract's lines), with the unit price."""
    from django.db.models import Max, Sum

    from assets.models import ItemType

    rows = list(
        contract.lines.values("item_id", "gender")
        .annotate(q=Sum("quantity"), p=Max("unit_price"))
        .order_by("item_id", "gender")
    )
    items = ItemType.objects.in_bulk({r["item_id"] for r in rows})
    return [
        {
            "id": f"{items[r['item_id']].code}-{r['gender']}",
            "description": items[r["item_id"]].name_for(r["gender"]),
            "classification": {
                "scheme": "QM-ITEM",
                "id": items[r["item_id"]].code,
                "description": items[r["item_id"]].name_zh,
            },
            "quantity": r["q"],
            "unit": {"name": pgettext("piece", "件"), "value": _value(r["p"])},
        }
        for r in rows
    ]


def export_json(tender: Tender) -> str:
    return json.dumps(release_package(tender), ensure_ascii=False, indent=2)
