"""django-ninja schemas of station equipment."""

import datetime
from decimal import Decimal

from ninja import Field

from core.schema import Schema


class ChoiceOut(Schema):
    value: str
    label: str


class StationOut(Schema):
    code: str
    name: str
    parent_code: str
    parent_name: str
    city_code: str
    station_class: str
    station_class_label: str
    address: str
    is_active: bool
    items_on_books: int


class StationIn(Schema):
    parent: str = Field(description="code of the county agency or city detachment above")
    name: str
    station_class: str
    address: str = ""
    code: str | None = Field(None, description="generated as parent code + 2 digits when not given")


class StationPatch(Schema):
    name: str | None = None
    station_class: str | None = None
    address: str | None = None


class EquipmentTypeOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    category: str
    category_label: str
    unit_price: Decimal
    service_life_years: int
    spec: str
    is_active: bool


class EquipmentTypeIn(Schema):
    code: str
    name: str
    name_en: str = ""
    category: str
    unit_price: Decimal
    service_life_years: int
    spec: str = ""
    sort_order: int = 0


class EquipmentTypePatch(Schema):
    name: str | None = None
    name_en: str | None = None
    category: str | None = None
    unit_price: Decimal | None = None
    service_life_years: int | None = None
    spec: str | None = None
    sort_order: int | None = None
    is_active: bool | None = None


class KitLineOut(Schema):
    id: int
    station_class: str
    station_class_label: str
    equipment_type: str
    equipment_type_name: str
    quantity: int
    unit_price: Decimal
    line_cost: Decimal
    note: str


class KitLineIn(Schema):
    quantity: int = Field(ge=0, le=10000, description="0 removes the type from the standard kit")
    note: str = ""


class ItemOut(Schema):
    id: int
    asset_tag: str
    equipment_type: str
    equipment_type_name: str
    category: str
    serial_number: str
    station_code: str
    station_name: str
    acquired_on: datetime.date | None
    acquired_value: Decimal | None
    age_years: float | None
    past_service_life: bool
    condition: str
    condition_label: str
    status: str
    status_label: str
    source: str
    note: str


class ChangeOut(Schema):
    id: int
    action: str
    changes: dict
    note: str
    actor: str
    source: str
    at: datetime.datetime


class RequestOut(Schema):
    id: int
    kind: str
    kind_label: str
    item_id: int
    asset_tag: str
    equipment_type_name: str
    from_station: str
    to_station: str | None
    approval_unit: str
    approval_unit_name: str
    reason: str
    status: str
    status_label: str
    requested_by: str | None
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str
    received_at: datetime.datetime | None
    created_at: datetime.datetime
    can_decide: bool


class SurveyEntryBrief(Schema):
    survey_id: int
    survey_name: str
    condition: str
    note: str
    found: bool


class ItemDetail(ItemOut):
    history: list[ChangeOut]
    requests: list[RequestOut]
    surveys: list[SurveyEntryBrief]


class ItemIn(Schema):
    station: str
    equipment_type: str = Field(description="equipment type code")
    asset_tag: str | None = Field(None, description="generated (station-type-nnn) when not given")
    serial_number: str = ""
    acquired_on: datetime.date | None = None
    acquired_value: Decimal | None = None
    condition: str = "good"
    note: str = ""


class ItemPatch(Schema):
    serial_number: str | None = None
    acquired_on: datetime.date | None = None
    acquired_value: Decimal | None = None
    condition: str | None = None
    note: str | None = None


class ItemStatusIn(Schema):
    status: str
    reason: str = ""


class TransferIn(Schema):
    to_station: str
    reason: str


class DisposalIn(Schema):
    reason: str


class DecisionIn(Schema):
    note: str = ""


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


class SurveyOut(Schema):
    id: int
    name: str
    opened_on: datetime.date
    deadline: datetime.date
    status: str
    closed_on: datetime.date | None
    note: str
    summary: dict


class SurveyIn(Schema):
    name: str
    deadline: datetime.date
    note: str = ""


class GradeIn(Schema):
    item_id: int
    condition: str
    note: str = ""


class GradesIn(Schema):
    grades: list[GradeIn] = Field(
        default_factory=list, description="the items graded (with copy_last: only those that differ)"
    )
    copy_last: bool = Field(
        False,
        description="everything as in the station's last survey: each item not graded yet takes the "
        "condition and note the last survey found, then `grades` apply; 409 no_last_survey (field "
        "copy_last) when the station has no earlier survey",
    )


class FoundIn(Schema):
    equipment_type: str
    condition: str
    serial_number: str = ""
    asset_tag: str | None = None
    note: str = ""
    acquired_on: datetime.date | None = None
    acquired_value: Decimal | None = None


class ReturnEntryOut(Schema):
    entry_id: int | None
    item_id: int
    asset_tag: str
    equipment_type: str
    equipment_type_name: str
    register_condition: str
    condition: str | None
    note: str
    found: bool
    photos: int


class ReturnOut(Schema):
    survey_id: int
    survey_name: str
    survey_status: str
    station_code: str
    station_name: str
    status: str
    submitted_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    items_on_books: int
    graded: int
    entries: list[ReturnEntryOut]


class NoteIn(Schema):
    note: str = ""


class PhotoOut(Schema):
    id: int
    entry_id: int
    content_type: str
    size: int
    url: str


class ProgressRow(Schema):
    unit_code: str | None
    unit_name: str
    stations: int
    draft: int
    submitted: int
    confirmed: int
    items: int
    graded: int
    graded_rate: float | None
    confirmed_rate: float | None


class ProgressOut(Schema):
    survey_id: int
    deadline: datetime.date
    status: str
    overdue: bool
    summary: ProgressRow
    children: list[ProgressRow]


class ChangeRow(Schema):
    item_id: int
    asset_tag: str
    equipment_type: str
    equipment_type_name: str
    before: str | None
    after: str | None
    change: str = Field(
        description="worse, better, new (not in the earlier survey) or missing (not in the later)"
    )
    found: bool


class SurveyBrief(Schema):
    id: int
    name: str
    status: str
    closed_on: datetime.date | None


class CompareOut(Schema):
    unit_code: str
    base: SurveyBrief
    target: SurveyBrief
    counts: dict
    transitions: dict
    changes: list[ChangeRow]


class FindingRow(Schema):
    item_id: int
    asset_tag: str
    equipment_type: str
    equipment_type_name: str
    condition: str
    note: str
    found: bool


class GapRowOut(Schema):
    station_code: str
    station_name: str
    station_class: str
    equipment_type: str
    equipment_type_name: str
    unit_price: Decimal
    required: int
    serviceable: int
    serviceable_past_life: int
    needs_repair: int
    unserviceable: int
    oldest_acquired_on: datetime.date | None
    shortage: int
    renewal: int
    replacement: int
    additional: int
    need: int
    cost: Decimal
    priority: int
    reason: str


class CurrentSurvey(Schema):
    id: int
    name: str
    deadline: datetime.date
    return_status: str
    items_on_books: int
    graded: int


class StationDetail(StationOut):
    current_survey: CurrentSurvey | None
    counts_by_condition: dict
    counts_by_status: dict
    kit: list[GapRowOut]
    need_cost: Decimal
    last_survey: SurveyBrief | None
    previous_survey: SurveyBrief | None
    last_survey_counts: dict
    last_survey_findings: list[FindingRow]
    changes_since_previous: list[ChangeRow]
    history: list[ChangeOut]


class GapTotals(Schema):
    shortage: int
    renewal: int
    replacement: int
    additional: int
    need: int
    cost: Decimal
    stations_in_need: int
    stations_without_required: int


class GapChild(GapTotals):
    unit_code: str
    unit_name: str


class GapType(GapTotals):
    type_code: str
    type_name: str
    unit_price: Decimal


class GapReportOut(GapTotals):
    unit_code: str
    unit_name: str
    as_of: datetime.date
    stations: int
    children: list[GapChild]
    by_type: list[GapType]
