import datetime
from decimal import Decimal

from ninja import Field

from core.schema import Schema


class AllocationRow(Schema):
    city_code: str
    city_name: str
    quota: int
    exceptions: int = Field(description="vehicles allowed beyond the quota by provincial exception")
    purchased: int = Field(description="vehicles in purchases at contract signed or later")
    registered: int = Field(description="vehicles with a plate")
    in_service: int
    gap: int = Field(description="quota − in service")
    held: int = Field(description="vehicles not disposed (what the quota cap counts)")
    purchase_stage: str | None
    purchase_stage_label: str


class AllocationTotals(Schema):
    quota: int
    exceptions: int
    purchased: int
    registered: int
    in_service: int
    gap: int
    held: int


class AllocationOut(Schema):
    total: int = Field(description="the province's total of vehicle posts (编制总数)")
    allocated: int
    unallocated: int
    rows: list[AllocationRow]
    totals: AllocationTotals
    as_of: datetime.datetime


class QuotaLineIn(Schema):
    city_code: str
    change: int | None = Field(None, description="signed change of the city's quota")
    quota: int | None = Field(None, description="or: the city's new quota")


class QuotaRecordIn(Schema):
    doc_number: str
    doc_date: datetime.date
    kind: str
    reason: str
    total_change: int = 0
    lines: list[QuotaLineIn] = []


class QuotaLineOut(Schema):
    city_code: str
    city_name: str
    change: int
    quota_after: int


class QuotaRecordOut(Schema):
    id: int
    doc_number: str
    doc_date: datetime.date
    kind: str
    kind_label: str
    reason: str
    total_change: int
    total_after: int
    allocated_after: int
    lines: list[QuotaLineOut]
    created_at: datetime.datetime


class QuotaExceptionIn(Schema):
    city_code: str
    extra: int
    reason: str
    doc_number: str = ""


class QuotaExceptionOut(Schema):
    id: int
    city_code: str
    city_name: str
    extra: int
    reason: str
    doc_number: str
    is_active: bool
    created_at: datetime.datetime


class ReasonIn(Schema):
    reason: str = ""


class PurchaseIn(Schema):
    city_code: str
    title: str
    quantity: int
    stage_date: datetime.date = Field(description="date the budget was approved")
    budget_amount: Decimal | None = None
    document: str = ""
    remarks: str = ""


class StageIn(Schema):
    stage: str
    date: datetime.date
    document: str = ""
    note: str = ""
    contract_amount: Decimal | None = None
    supplier: str | None = None


class PurchaseEventOut(Schema):
    stage: str
    stage_label: str
    date: datetime.date
    document: str
    note: str


class PurchaseOut(Schema):
    id: int
    city_code: str
    city_name: str
    title: str
    quantity: int
    budget_amount: Decimal | None
    contract_amount: Decimal | None
    supplier: str
    stage: str
    stage_label: str
    stage_date: datetime.date
    remarks: str


class PurchaseDetail(PurchaseOut):
    events: list[PurchaseEventOut]
    vehicles: int


class VehicleIn(Schema):
    owning_unit: str = Field(description="code of the owning agency")
    vin: str
    brand: str
    model: str = ""
    plate: str = ""
    engine_number: str = ""
    vehicle_type: str = "small_passenger"
    purchase_date: datetime.date | None = None
    purchase_price: Decimal | None = None
    funding_source: str = ""
    purchase_id: int | None = None
    station: str | None = None
    driver_id: int | None = None
    status: str = "on_order"
    counts_against_quota: bool = True
    registered_on: datetime.date | None = None
    livery_fitted: bool = False
    warning_lights_fitted: bool = False
    equipment: list[str] = []
    inspection_due: datetime.date | None = None
    remarks: str = ""


class VehiclePatch(Schema):
    engine_number: str | None = None
    brand: str | None = None
    model: str | None = None
    vehicle_type: str | None = None
    purchase_date: datetime.date | None = None
    purchase_price: Decimal | None = None
    funding_source: str | None = None
    purchase_id: int | None = None
    counts_against_quota: bool | None = None
    registered_on: datetime.date | None = None
    livery_fitted: bool | None = None
    warning_lights_fitted: bool | None = None
    equipment: list[str] | None = None
    remarks: str | None = None


class PlateWarning(Schema):
    code: str = Field(description="plate_office_mismatch, plate_outside_hunan or plate_police")
    field: str
    message: str


class VehicleOut(Schema):
    id: int
    plate: str
    vin: str
    engine_number: str
    brand: str
    model: str
    vehicle_type: str
    vehicle_type_label: str
    purchase_date: datetime.date | None
    purchase_price: Decimal | None
    funding_source: str
    purchase_id: int | None
    owning_unit_code: str
    owning_unit_name: str
    city_code: str
    station_code: str | None
    driver_id: int | None
    driver_name: str | None
    status: str
    status_label: str
    counts_against_quota: bool
    registered_on: datetime.date | None
    livery_fitted: bool
    warning_lights_fitted: bool
    equipment: list[str]
    inspection_due: datetime.date | None
    inspection_due_manual: bool
    compulsory_until: datetime.date | None
    commercial_until: datetime.date | None
    odometer_km: int | None
    disposed_on: datetime.date | None
    remarks: str
    warnings: list[PlateWarning] = Field(
        default=[], description="what is odd about the plate for the owning city (not refused)"
    )


class ChangeOut(Schema):
    action: str
    changes: dict
    note: str
    actor: str
    source: str
    at: datetime.datetime


class VehicleDetail(VehicleOut):
    history: list[ChangeOut]


class RegisterIn(Schema):
    plate: str
    registered_on: datetime.date


class StatusIn(Schema):
    status: str
    reason: str = ""


class AssignIn(Schema):
    driver_id: int | None = Field(None, description="officer id; null clears")
    station: str | None = Field(None, description="station code; null clears")


class TransferIn(Schema):
    to_unit: str
    reason: str
    document: str = ""
    date: datetime.date | None = None
    station: str | None = None


class TransferOut(Schema):
    id: int
    vehicle_id: int
    from_unit_code: str
    to_unit_code: str
    date: datetime.date
    reason: str
    document: str
    warnings: list[PlateWarning] = Field(default=[], description="the plate for the receiving city")


class PolicyIn(Schema):
    kind: str
    insurer: str
    policy_number: str
    starts_on: datetime.date
    ends_on: datetime.date
    premium: Decimal | None = None


class PolicyOut(Schema):
    id: int
    vehicle_id: int
    kind: str
    kind_label: str
    insurer: str
    policy_number: str
    starts_on: datetime.date
    ends_on: datetime.date
    premium: Decimal | None
    is_active: bool


class InspectionIn(Schema):
    inspected_on: datetime.date
    passed: bool = True
    station_name: str = ""
    next_due: datetime.date | None = Field(None, description="as printed; omitted: computed (Art. 16)")
    note: str = ""


class InspectionOut(Schema):
    id: int
    vehicle_id: int
    inspected_on: datetime.date
    passed: bool
    station_name: str
    next_due: datetime.date | None
    note: str


class InspectionDueIn(Schema):
    due: datetime.date | None = Field(description="null: back to the computed date")
    reason: str


class MaintenanceIn(Schema):
    date: datetime.date
    kind: str
    description: str
    cost: Decimal = Decimal("0")
    workshop: str = ""
    odometer_km: int | None = None


class MaintenanceOut(Schema):
    id: int
    vehicle_id: int
    date: datetime.date
    kind: str
    workshop: str
    description: str
    cost: Decimal
    odometer_km: int | None


class OdometerIn(Schema):
    read_on: datetime.date
    km: int
    note: str = ""


class OdometerOut(Schema):
    id: int
    vehicle_id: int
    read_on: datetime.date
    km: int
    note: str


class DisposalIn(Schema):
    method: str
    reason: str


class DecisionIn(Schema):
    note: str = ""
    document: str = ""
    disposed_on: datetime.date | None = None


class DisposalOut(Schema):
    id: int
    vehicle_id: int
    plate: str
    vin: str
    method: str
    reason: str
    status: str
    requested_by: str | None
    requested_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str
    document: str


class ImportError_(Schema):
    row: int
    column: str
    value: str
    reason: str


class ImportWarning(Schema):
    row: int
    column: str
    value: str
    code: str
    message: str


class ImportReport(Schema):
    ok: bool
    written: bool
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    errors: list[ImportError_]
    warnings: list[ImportWarning] = Field(default=[], description="per row; they do not refuse the file")
