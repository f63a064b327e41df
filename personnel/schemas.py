import datetime
from decimal import Decimal

from ninja import Field

from core.schema import Schema


class UnitNode(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    authorised_posts: int
    officers_in_post: int
    authorised_posts_total: int
    officers_in_post_total: int
    staffing_rate: float | None
    children: list["UnitNode"]


UnitNode.model_rebuild()


class UnitOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    city_code: str
    authorised_posts: int
    station_class: str
    address: str


class OfficerOut(Schema):
    id: int
    name: str
    gender: str
    id_number: str = Field(description="full for roll keepers in scope, masked (first 6, last 4) otherwise")
    birth_date: datetime.date | None = Field(
        description="with the full ID number only; null where the ID number is masked (it carries the date)"
    )
    certificate_number: str
    unit_code: str
    unit_name: str
    city_code: str
    post: str
    status: str
    status_label: str
    height_cm: Decimal | None
    chest_cm: Decimal | None
    waist_cm: Decimal | None
    head_cm: Decimal | None
    foot_mm: Decimal | None
    shoe_eu: Decimal | None
    measured_on: datetime.date | None
    phone: str
    remarks: str


class ChangeOut(Schema):
    id: int
    action: str
    changes: dict
    note: str
    actor: str
    source: str
    at: datetime.datetime


class SizeOut(Schema):
    size_system: str
    label: str
    code: str | None
    status: str
    reason: str


class OfficerDetail(OfficerOut):
    sizes: list[SizeOut] = Field(description="current size codes per size system, and why one is missing")
    sizes_missing: list[str]
    history: list[ChangeOut]


class OfficerPatch(Schema):
    name: str | None = None
    certificate_number: str | None = None
    post: str | None = None
    height_cm: Decimal | None = None
    chest_cm: Decimal | None = None
    waist_cm: Decimal | None = None
    head_cm: Decimal | None = None
    foot_mm: Decimal | None = None
    shoe_eu: Decimal | None = None
    measured_on: datetime.date | None = None
    phone: str | None = None
    remarks: str | None = None


class TransferIn(Schema):
    to_unit: str = Field(description="code of the unit the officer moves to")
    reason: str = ""


class StatusIn(Schema):
    status: str
    reason: str = ""


class RollRowError(Schema):
    row: int = Field(description="sheet row number as Excel shows it")
    column: str = Field(description="the column header as written in the sheet")
    cell: str = Field(description="cell reference, e.g. C138")
    value: str
    reason: str
    code: str


class NotInSheet(Schema):
    officer_id: int
    name: str
    id_number: str = Field(description="masked")
    unit_code: str
    unit_name: str
    status: str


class RollImportOut(Schema):
    sheet: str
    header_row: int
    rows: int
    created: int
    updated: int
    unchanged: int
    transferred: int
    dry_run: bool
    imported: bool
    summary: str
    errors: list[RollRowError]
    not_in_sheet: list[NotInSheet] = Field(
        description="officers in post in the units of the sheet, not in it"
    )


class DataAccessOut(Schema):
    """One full ID number shown outside the officer's chain; names the officer, never the number."""

    id: int
    at: datetime.datetime
    user: str
    officer_id: int
    officer_name: str
    unit_name: str
    door: str
    door_label: str
    where: str
    batch: str | None
