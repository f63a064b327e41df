import datetime
from decimal import Decimal

from ninja import Field

from core.schema import Schema


class StockLineIn(Schema):
    item: str = Field(description="item type code, e.g. DRESS-JACKET")
    gender: str = Field(description="M / F: men's and women's versions are different goods")
    size: str = Field(description="size code; '-' for one-size items")
    quantity: int


class OpeningIn(Schema):
    unit: str = Field(description="the unit whose store held the stock at go-live (province, city or county)")
    as_of: datetime.date = Field(description="the day the stock was counted")
    note: str = ""
    lines: list[StockLineIn]


class DemandRowIn(Schema):
    city_code: str
    item_code: str
    gender: str
    size: str
    quantity: int


class PlanIn(Schema):
    city: str
    spare_share: Decimal = Decimal("0.03")
    snapshot_id: int | None = Field(
        None, description="take the rows from this demand snapshot when rows is empty"
    )
    note: str = ""
    rows: list[DemandRowIn] = []


class ShipmentIn(Schema):
    to_unit: str
    from_unit: str = Field(
        description="430000 (the provincial store) or a city; suppliers deliver through procurement deliveries"
    )
    plan_id: int | None = None
    note: str = ""
    lines: list[StockLineIn]


class TransferIn(Schema):
    from_unit: str = Field(..., description="the city whose store sends")
    to_unit: str = Field(..., description="one of that city's counties")
    changes: list[StockLineIn] = Field(
        default_factory=list,
        description="what differs from the suggestion: a quantity per item × gender × size (0 drops the line)",
    )
    lines: list[StockLineIn] | None = Field(
        None, description="exactly these lines instead of the suggestion with changes"
    )
    expect: str = Field(
        "", description="the suggestion's digest as read; if it moved, 409 suggestion_changed"
    )
    note: str = ""


class ConfirmLineIn(Schema):
    line_id: int
    received: int
    reason: str = Field("", description="missing / damaged / wrong, required when received < shipped")
    note: str = ""


class ExcessLineIn(StockLineIn):
    note: str = ""


class ConfirmIn(Schema):
    lines: list[ConfirmLineIn]
    excess: list[ExcessLineIn] = []
    note: str = ""


class SettleIn(Schema):
    outcome: str = Field(description="reship / write_off / claim")
    note: str = ""
    supplier: str | None = None
    from_unit: str | None = None


class ReasonIn(Schema):
    reason: str = ""


class NoteIn(Schema):
    note: str


class IssueIn(Schema):
    officer_ids: list[int] | None = Field(
        None, description="omit to issue to every eligible officer of the unit"
    )
    sizes: dict[int, dict[str, str]] = Field({}, description="{officer id: {item code: size}} overrides")
    signature: str = "ack"
    signed_on: datetime.date | None = None


class ExchangeIn(Schema):
    item: str
    from_size: str
    to_size: str
    quantity: int = 1
    note: str = ""


class ReturnLineIn(Schema):
    item: str
    size: str
    quantity: int
    gender: str | None = None


class ReturnIn(Schema):
    lines: list[ReturnLineIn]
    note: str = ""


class RecoveryIn(Schema):
    lines: list[StockLineIn]
    note: str = ""


class BadgeAssignIn(Schema):
    unit: str | None = None


class CountLineIn(Schema):
    item: str
    gender: str
    size: str
    counted: int
    reason: str = ""


class StocktakeIn(Schema):
    unit: str
    lines: list[CountLineIn]
    note: str = ""


class DecideIn(Schema):
    approve: bool
    note: str = ""


class ShipmentLineOut(Schema):
    id: int
    item: str
    gender: str
    size: str
    quantity: int


class ShipmentOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    from_location: str
    from_unit: str | None
    to_unit: str
    to_unit_name: str
    created_at: datetime.datetime
    dispatched_at: datetime.datetime | None
    received_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    lines: list[ShipmentLineOut]


class ReceiptLineOut(Schema):
    line_id: int | None
    item: str
    gender: str
    size: str
    received: int
    short: int
    excess: int
    reason: str
    note: str


class ReceiptOut(Schema):
    id: int
    shipment_id: int
    shipment_status: str
    confirmed_by: str | None
    confirmed_at: datetime.datetime
    lines: list[ReceiptLineOut]
    photos: list[str]
    cases: list[int]


class ProgressRow(Schema):
    unit_code: str
    item_code: str
    gender: str
    size: str
    needed: int
    allocated: int
    shipped: int
    in_transit: int
    received: int
    short: int
    excess: int
    issued: int
    outstanding: int
