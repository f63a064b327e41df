import datetime

from django.utils.translation import gettext_lazy
from ninja import Field

from core.schema import Schema


class ItemOut(Schema):
    code: str
    name_zh: str
    name_en: str
    name_men: str = Field(description=gettext_lazy("男款"))
    name_women: str = Field(description=gettext_lazy("女款"))
    category: str
    size_system: str
    qty_per_officer: int = Field(description="per the current version of the standard")
    service_life_years: int
    source: str = Field(description="'299-2020 art.N' (national rules) or 'assumption' (to be confirmed)")
    is_assumption: bool
    note: str
    sort_order: int
    is_active: bool


class ItemIn(Schema):
    code: str
    name_zh: str
    name_en: str
    name_men: str
    name_women: str
    category: str
    size_system: str
    qty_per_officer: int
    service_life_years: int
    source: str
    note: str = ""
    sort_order: int | None = None


class ItemPatch(Schema):
    name_zh: str | None = None
    name_en: str | None = None
    name_men: str | None = None
    name_women: str | None = None
    category: str | None = None
    size_system: str | None = None
    qty_per_officer: int | None = None
    service_life_years: int | None = None
    source: str | None = None
    note: str | None = None
    sort_order: int | None = None
    is_active: bool | None = None
    reason: str = Field("", description="why (kept in the history and the standard version's note)")


class StandardLineOut(Schema):
    item_code: str
    name_zh: str
    name_men: str
    name_women: str
    size_system: str
    qty_per_officer: int
    service_life_years: int
    source: str
    is_assumption: bool


class StandardVersionOut(Schema):
    number: int
    note: str
    created_by: str | None
    created_at: datetime.datetime
    lines: list[StandardLineOut]


class StandardVersionBrief(Schema):
    number: int
    note: str
    created_by: str | None
    created_at: datetime.datetime
    line_count: int
    is_current: bool


class StandardChange(Schema):
    item_code: str
    qty_per_officer: int | None = None
    service_life_years: int | None = None
    source: str | None = None


class StandardRevisionIn(Schema):
    note: str = Field(description="why the standard changes (required)")
    changes: list[StandardChange]


class SizeLine(Schema):
    size_system: str
    label: str
    code: str | None
    status: str = Field(description="ok / missing (a measurement) / mtm (made to measure)")
    reason: str


class OfficerSizesOut(Schema):
    officer_id: int
    name: str
    gender: str
    eligible: bool
    complete: bool = Field(description="false while a measurement is missing")
    sizes: list[SizeLine]
    missing: list[str] = Field(
        description="what to measure, e.g. 'no waist measurement' (in the request's language)"
    )
    made_to_measure: list[str]
    skirts: int | None = Field(description="a woman's skirts within her 2 bottoms; null until recorded")


class SkirtsIn(Schema):
    skirts: int


class DemandRow(Schema):
    city_code: str
    item_code: str
    gender: str = Field(description="M / F: men's and women's versions are different goods")
    size: str
    quantity: int


class OrderLine(Schema):
    item_code: str
    gender: str
    size: str
    quantity: int = Field(description="the demand")
    order_quantity: int = Field(description="⌈quantity × (100 + margin) / 100⌉")


class UnknownOfficer(Schema):
    id: int
    name: str
    gender: str
    city_code: str
    unit_code: str
    unit_name: str
    quantity: int
    reason: str


class UnknownItem(Schema):
    item_code: str
    name: str
    quantity: dict[str, int]
    officer_count: int
    officers: list[UnknownOfficer]


class MadeToMeasureItem(Schema):
    item_code: str
    name: str
    quantity: int
    reason: str


class MadeToMeasureOut(Schema):
    officer_id: int
    name: str
    gender: str
    city_code: str
    unit_code: str
    unit_name: str
    measurements: dict[str, str | None]
    items: list[MadeToMeasureItem]


class DemandOut(Schema):
    standard_version: int | None
    margin_percent: int
    city_code: str | None
    officer_count: int
    totals: dict[str, dict[str, int]]
    rows: list[DemandRow]
    order_lines: list[OrderLine]
    unknown: list[UnknownItem]
    made_to_measure: list[MadeToMeasureOut]


class SnapshotIn(Schema):
    note: str = ""
    margin_percent: int = 3


class SnapshotBrief(Schema):
    id: int
    created_at: datetime.datetime
    created_by: str
    standard_version: int
    margin_percent: int
    officer_count: int
    note: str


class SnapshotOut(SnapshotBrief):
    totals: dict[str, dict[str, int]]
    rows: list[DemandRow]
    order_lines: list[OrderLine]
    unknown: list[UnknownItem]
    made_to_measure: list[MadeToMeasureOut]


class CompareOfficer(Schema):
    officer_id: int
    name: str
    delta: int
    reason: str


class CompareChange(Schema):
    city_code: str
    item_code: str
    gender: str
    size: str
    before: int
    after: int
    delta: int
    officers: list[CompareOfficer]


class CompareOut(Schema):
    a: int
    b: int
    standard_a: int
    standard_b: int
    total_delta: int
    changes: list[CompareChange]
