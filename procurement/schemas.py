import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy
from ninja import Field

from core.schema import Schema


class SupplierIn(Schema):
    name: str
    credit_code: str = Field(description=gettext_lazy("统一社会信用代码,"))
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


class SupplierPatch(Schema):
    name: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    is_active: bool | None = None


class SupplierOut(Schema):
    id: int
    name: str
    credit_code: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    is_active: bool


class TenderIn(Schema):
    title: str
    reference: str
    year: int
    method: str = "open"
    budget: Decimal
    bid_bond: Decimal = Decimal(0)
    procuring_unit: str = "430000"
    target_date: datetime.date | None = None
    agency: str = ""
    description: str = ""


class TenderPatch(Schema):
    title: str | None = None
    budget: Decimal | None = None
    bid_bond: Decimal | None = None
    target_date: datetime.date | None = None
    agency: str | None = None
    description: str | None = None


class StatusIn(Schema):
    status: str
    reason: str = ""


class TenderOut(Schema):
    id: int
    title: str
    reference: str
    year: int
    method: str
    method_label: str
    budget: Decimal
    bid_bond: Decimal
    procuring_unit: str
    agency: str
    status: str
    status_label: str
    target_date: datetime.date
    description: str


class LotIn(Schema):
    number: int
    title: str
    budget: Decimal
    item_codes: list[str] = []
    evaluation_method: str = "comprehensive"
    price_weight: Decimal = Decimal(30)


class LotOut(Schema):
    id: int
    tender_id: int
    number: int
    title: str
    budget: Decimal
    item_codes: list[str]
    evaluation_method: str
    price_weight: Decimal


class MilestoneOut(Schema):
    id: int
    code: str
    sequence: int
    name: str
    planned_date: datetime.date | None
    actual_date: datetime.date | None
    note: str


class MilestonePatch(Schema):
    planned_date: datetime.date | None = None
    actual_date: datetime.date | None = None
    note: str | None = None
    override_reason: str = Field("", description=gettext_lazy("省厅豁免理由:"))


class MilestoneSetOut(Schema):
    milestone: MilestoneOut
    overridden: list[dict]
    warnings: list[dict]


class TimelineMilestone(Schema):
    id: int
    code: str
    sequence: int
    name: str
    planned_date: datetime.date | None
    actual_date: datetime.date | None
    forecast_date: datetime.date | None
    slip_days: int | None
    status: str
    note: str
    findings: list[dict]


class TimelineOut(Schema):
    tender_id: int
    method: str
    today: datetime.date
    target_date: datetime.date
    forecast_end: datetime.date | None
    slack_days: int | None
    critical_milestone: str | None
    milestones: list[TimelineMilestone]
    warnings: list[dict]


class BidIn(Schema):
    supplier_id: int
    price: Decimal
    submitted_on: datetime.date | None = None


class ScoreIn(Schema):
    other_score: Decimal


class ReasonIn(Schema):
    reason: str


class BidOut(Schema):
    id: int
    lot_id: int
    supplier_id: int
    supplier_name: str
    price: Decimal
    other_score: Decimal | None
    price_score: Decimal | None
    total_score: Decimal | None
    rank: int | None
    status: str
    invalid_reason: str
    submitted_on: datetime.date


class AwardIn(Schema):
    decided_on: datetime.date
    bid_id: int | None = None


class AwardOut(Schema):
    id: int
    lot_id: int
    lot_number: int
    tender_id: int
    bid_id: int
    supplier_id: int
    supplier_name: str
    amount: Decimal
    decided_on: datetime.date
    status: str
    unit_prices: dict[str, Decimal] = Field(
        description="the award's unit price per item code, fixed by the first contracts made from it"
    )


class DemandRow(Schema):
    city_code: str
    item_code: str
    gender: str = Field(description="男/女 or M/F")
    size: str
    quantity: int


class MadeToMeasureIn(Schema):
    officer_id: int
    item_code: str
    gender: str | None = None
    measurements: dict = {}


class ContractsIn(Schema):
    rows: list[DemandRow]
    made_to_measure: list[MadeToMeasureIn] = []
    unit_prices: dict[str, Decimal] = Field(
        {}, description="per item code; may be omitted for items whose price the award already fixes"
    )
    per_city: bool = False
    snapshot_id: int | None = None
    margin_percent: int = 3
    performance_bond_percent: Decimal | None = None
    delivery_due: datetime.date | None = None


class ContractsFromSnapshotIn(Schema):
    snapshot_id: int
    unit_prices: dict[str, Decimal] = Field(
        {}, description="per item code; may be omitted for items whose price the award already fixes"
    )
    per_city: bool = False
    performance_bond_percent: Decimal | None = None
    delivery_due: datetime.date | None = None


class ContractOut(Schema):
    id: int
    number: str
    award_id: int
    tender_id: int
    buyer: str
    buyer_name: str
    supplier_id: int
    supplier_name: str
    status: str
    snapshot_id: int | None
    margin_percent: int
    total: Decimal = Field(description="the original contract's amount")
    variations_total: Decimal = Field(description="the sum of its supplementary contracts (补充合同)")
    contracted_total: Decimal = Field(description="total + variations_total: what payments may reach")
    performance_bond: Decimal
    paid: Decimal
    signed_on: datetime.date | None
    published_on: datetime.date | None
    delivery_due: datetime.date | None


class ContractLineOut(Schema):
    id: int
    kind: str
    item_code: str
    item_name: str
    gender: str
    size: str
    demand_quantity: int
    quantity: int
    unit_price: Decimal
    amount: Decimal
    officer_id: int | None
    measurements: dict


class VariationLineIn(Schema):
    contract_line_id: int
    quantity: int


class VariationIn(Schema):
    number: str
    signed_on: datetime.date
    lines: list[VariationLineIn]
    reason: str = ""
    performance_bond: Decimal | None = Field(
        None, description="at most 10 % of the variation; omitted: the contract's own bond rate"
    )


class VariationLineOut(Schema):
    id: int
    contract_line_id: int
    item_code: str
    item_name: str
    gender: str
    size: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


class VariationOut(Schema):
    id: int
    contract_id: int
    number: str
    signed_on: datetime.date
    amount: Decimal
    performance_bond: Decimal
    legal_basis: str
    reason: str
    created_at: datetime.datetime
    lines: list[VariationLineOut]


class SignIn(Schema):
    signed_on: datetime.date
    published_on: datetime.date | None = None


class BondIn(Schema):
    performance_bond: Decimal


class PaymentIn(Schema):
    kind: str
    amount: Decimal
    paid_on: datetime.date
    note: str = ""


class PaymentOut(Schema):
    id: int
    kind: str
    amount: Decimal
    paid_on: datetime.date
    note: str


class DeliveryLineIn(Schema):
    contract_line_id: int
    quantity: int
    replaces_id: int | None = None


class DeliveryIn(Schema):
    number: str
    destination: str = Field(
        description="unit code: 430000 (provincial store), the buyer city or a county agency in the buyer's subtree"
    )
    planned_on: datetime.date | None = None
    delivered_on: datetime.date | None = None
    note: str = ""
    lines: list[DeliveryLineIn]


class ArriveIn(Schema):
    delivered_on: datetime.date


class DeliveryLineOut(Schema):
    id: int
    contract_line_id: int
    item_code: str
    gender: str
    size: str
    quantity: int
    replaces_id: int | None
    accepted: int | None
    rejected: int | None
    reason: str
    rejection_status: str


class DeliveryOut(Schema):
    id: int
    number: str
    contract_id: int
    destination: str
    destination_name: str
    planned_on: datetime.date | None
    delivered_on: datetime.date | None
    status: str
    note: str
    certificate_number: str | None
    lines: list[DeliveryLineOut]


class AcceptanceLineIn(Schema):
    delivery_line_id: int
    accepted: int
    rejected: int = 0
    reason: str = ""


class AcceptanceIn(Schema):
    inspected_on: datetime.date
    certificate_number: str
    sample_size: int
    sample_note: str = ""
    inspectors: str
    lines: list[AcceptanceLineIn]


class AcceptanceOut(Schema):
    id: int
    delivery_id: int
    inspected_on: datetime.date
    certificate_number: str
    sample_size: int
    sample_note: str
    inspectors: str
    accepted: int
    rejected: int


class ReturnedIn(Schema):
    returned_on: datetime.date


class ProgressLine(Schema):
    contract_line_id: int
    kind: str
    item_code: str
    item_name: str
    gender: str
    size: str
    officer_id: int | None
    ordered: int = Field(description="the contract line plus what its supplementary contracts added")
    added: int
    delivered: int
    accepted: int
    rejected: int
    awaiting: int
    outstanding: int
    unreplaced: int


class ProgressOut(Schema):
    contract_id: int
    number: str
    lines: list[ProgressLine]
    totals: dict[str, int]


class HolidayIn(Schema):
    date: datetime.date
    kind: str = Field(description="holiday or workday (调休上班)")
    name: str = ""
    source: str = ""


class HolidayYearIn(Schema):
    year: int = Field(ge=2000, le=2100)
    source: str = Field(max_length=300, description="the State Council notice the year's data comes from")
    covers_until: datetime.date | None = Field(None, description="the last day covered (default 31 December)")


class HolidayYearOut(Schema):
    year: int
    source: str
    covers_until: datetime.date


class HolidayOut(Schema):
    id: int
    date: datetime.date
    kind: str
    name: str
    source: str


# ---- the reconciliation (采购对账) -----------------------------------------------------------------------


class ReconFiguresOut(Schema):
    """Money in yuan (2 places), quantities in pieces; contracted = original + variations, outstanding =
    contracted − paid (payments except returned bonds), awaiting (pieces) = delivered − accepted − rejected."""

    original: Decimal
    variations: Decimal
    contracted: Decimal
    delivered_value: Decimal
    accepted_value: Decimal
    rejected_value: Decimal
    paid: Decimal
    outstanding: Decimal
    contracts: int
    variation_count: int
    contracted_qty: int
    delivered_qty: int
    accepted_qty: int
    rejected_qty: int
    awaiting_qty: int
    deliveries: int
    acceptances: int
    payments: int


class ReconDocumentsOut(Schema):
    """API addresses of the documents behind the figures (lists filtered to the lot and buyer)."""

    award: list[str]
    contracts: str
    variations: str
    deliveries: str
    acceptances: str
    payments: str


class ReconRowOut(Schema):
    buyer: str
    buyer_name: str
    buyer_level: str
    contract_ids: list[int]
    figures: ReconFiguresOut
    documents: ReconDocumentsOut


class ReconLotOut(Schema):
    lot_id: int
    number: int
    title: str
    budget: Decimal
    award: Decimal
    award_ids: list[int]
    suppliers: list[str]
    award_of_budget_percent: Decimal | None
    contracted_of_award_percent: Decimal | None
    rows: list[ReconRowOut]
    totals: ReconFiguresOut
    documents: ReconDocumentsOut


class ReconciliationOut(Schema):
    tender_id: int
    reference: str
    title: str
    restricted: bool = Field(description=gettext_lazy("仅本单位范围：标包与项目合计只含所列采购人的合同"))
    budget: Decimal
    lots_budget: Decimal
    award: Decimal
    lots: list[ReconLotOut]
    totals: ReconFiguresOut


class VariationDocOut(Schema):
    id: int
    number: str
    contract_id: int
    contract_number: str
    buyer: str
    buyer_name: str
    lot_id: int
    signed_on: datetime.date
    amount: Decimal
    performance_bond: Decimal
    legal_basis: str
    reason: str
    line_count: int
    quantity: int


class PaymentDocOut(Schema):
    id: int
    contract_id: int
    contract_number: str
    buyer: str
    buyer_name: str
    kind: str
    kind_label: str
    amount: Decimal
    paid_on: datetime.date
    note: str
