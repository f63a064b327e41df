"""Fuzz the importers (issue 16, part 12): random sheets of random cells through the roll, vehicle and
equipment importers. Whatever comes in, the answer is a result or a QMError (an error the user can act on),
never another exception; and when the import is refused (or a dry run), nothing is written."""

import datetime
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.errors import QMError
from core.models import ChangeRecord
from tests.assets.equipment_fixtures import reference, stations  # noqa: F401
from tests.personnel.rollbook import HEADER as ROLL_HEADER
from tests.personnel.rollbook import person
from tests.vehicles.conftest import allocation, valid_vin  # noqa: F401

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 40)),  # 40 in the suite; FUZZ_EXAMPLES=400 to hunt
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)).filter(lambda c: not ILLEGAL_CHARACTERS_RE.match(c)),
    max_size=30,
)
TYPICAL = [
    "",
    " ",
    "男",
    "女",
    "X",
    "在岗",
    "退休",
    "430121",
    "430100",
    "长沙县交通运输综合行政执法大队",
    "175cm",
    "42码",
    "255",
    "2026-02-30",
    "2026/09/01",
    "13800001234",
    "=cmd|' /C calc'!A0",
    "备" * 600,
    "合计",
    "完好",
    "待修",
    "在用",
    "BODYCAM",
    "执法记录仪",
    "大众",
    "小型普通客车",
    "湘A12345",
    "是",
    "否",
    "1,680.50",
    "-1",
    "1e30",
]
cell = st.one_of(
    st.none(),
    text,
    st.sampled_from(TYPICAL),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
    st.booleans(),
    st.integers(min_value=0, max_value=10**6).map(lambda n: person(n)),
    st.integers(min_value=0, max_value=10**6).map(lambda n: valid_vin(serial=n)),
)


def sheet(headers: list, rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    if headers:
        ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheets(known_headers: list[str]):
    """A header row drawn from the importer's own columns and random words, then random rows; sometimes
    not a workbook at all."""
    header = st.lists(st.one_of(st.sampled_from(known_headers), text, st.none()), min_size=0, max_size=18)
    workbook = st.builds(sheet, header, st.lists(st.lists(cell, max_size=20), max_size=8))
    broken = st.one_of(
        st.binary(max_size=200),
        workbook.map(lambda data: data[: len(data) // 2]),  # a truncated zip
    )
    return st.one_of(workbook, workbook, workbook, broken)


def _counts(model) -> tuple[int, int]:
    return model.objects.count(), ChangeRecord.objects.count()


def _run(import_call, model, data: bytes, dry_run: bool) -> None:
    before = _counts(model)
    try:
        result = import_call(data, dry_run)
    except QMError as exc:
        assert exc.code and exc.message  # an error the user can act on, in the one shape
        assert _counts(model) == before, "a refused import wrote something"
        return
    if dry_run or result["refused"]:
        assert _counts(model) == before, "a refused import or a dry run wrote something"


ROLL_WORDS = [*ROLL_HEADER, "身份证号码", "单位", "身高", "鞋码"]


@pytest.mark.django_db
@FUZZ
@given(data=sheets(ROLL_WORDS), dry_run=st.booleans())
def test_the_roll_importer_never_breaks(org, changsha_user, data, dry_run):
    from personnel.models import Officer
    from personnel.services import roll_import

    def call(data, dry_run):
        report = roll_import(actor=changsha_user, file=data, filename="roll.xlsx", dry_run=dry_run)
        return {"refused": bool(report.errors)}

    _run(call, Officer, data, dry_run)


VEHICLE_WORDS = [
    "车辆识别代号",
    "号牌号码",
    "品牌",
    "型号",
    "车辆类型",
    "所属单位",
    "状态",
    "购置日期",
    "购置价格(元)",
    "备注",
    "占编制",
]


@pytest.mark.django_db
@FUZZ
@given(data=sheets(VEHICLE_WORDS), dry_run=st.booleans())
def test_the_vehicle_importer_never_breaks(org, province_user, allocation, data, dry_run):  # noqa: F811
    from vehicles.importers import import_vehicles
    from vehicles.models import Vehicle

    def call(data, dry_run):
        result = import_vehicles(actor=province_user, source=io.BytesIO(data), dry_run=dry_run)
        return {"refused": not result.ok}

    _run(call, Vehicle, data, dry_run)


EQUIPMENT_WORDS = [
    "站所代码",
    "资产编号",
    "装备类型",
    "序列号",
    "购置日期",
    "购置金额",
    "状况",
    "状态",
    "备注",
]


@pytest.mark.django_db
@FUZZ
@given(data=sheets(EQUIPMENT_WORDS), dry_run=st.booleans())
def test_the_equipment_importer_never_breaks(reference, stations, county_user, data, dry_run):  # noqa: F811
    from assets.equipment_importers import import_inventory
    from assets.equipment_models import EquipmentItem

    def call(data, dry_run):
        import_inventory(actor=county_user, unit=stations["cs1"].parent, data=data, dry_run=dry_run)
        return {"refused": False}  # a refusal is a QMError

    _run(call, EquipmentItem, data, dry_run)
