"""Template and export: the layout the importer reads back unchanged, scope and masking."""

import io

import openpyxl
from django.core.management import call_command

from core.models import ChangeRecord
from personnel.exporters import export_roll, export_template
from personnel.importers import HEADERS, parse_roll
from personnel.models import Officer
from personnel.services import roll_import

from .factories import OfficerFactory
from .rollbook import book, row


def xlsx(write, **kw) -> bytes:
    out = io.BytesIO()
    write(out, **kw)
    return out.getvalue()


def test_template_round_trips_unchanged(org, province_user):
    roll_import(
        actor=province_user,
        filename="a.xlsx",
        file=book(
            [
                row(1),
                row(2, **{"脚长(mm)": "42.5码", "胸围(cm)": 88.5, "备注": "带病上岗", "人员状态": "借调"}),
                row(
                    3,
                    **{"身高(cm)": None, "测量日期": None, "联系电话": None, "执法证号": None, "岗位": None},
                ),
                row(4, unit="430100", gender="F"),
            ]
        ),
    )
    OfficerFactory(unit=org["430121"], name="工厂人", foot_mm=262.5, shoe_eu=None, remarks="")
    before = list(Officer.objects.order_by("pk").values())
    n_records = ChangeRecord.objects.count()
    data = xlsx(export_template, user=province_user, city=org["430100"])
    report = roll_import(actor=province_user, file=data, filename="template.xlsx")
    assert report.imported and not report.errors and report.not_in_sheet == []
    assert (report.created, report.updated, report.transferred, report.unchanged) == (0, 0, 0, 5)
    assert list(Officer.objects.order_by("pk").values()) == before
    assert ChangeRecord.objects.count() == n_records


def test_template_layout(org, province_user):
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx(export_template, user=province_user))).worksheets[0]
    assert [c.value for c in sheet[3]] == HEADERS
    assert "花名册" in sheet["A1"].value and "A1:O1" in {str(r) for r in sheet.merged_cells.ranges}
    assert parse_roll(xlsx(export_template, user=province_user), "t.xlsx").rows == []


def test_export_scope_and_masking(org, changsha_user, auditor_user, county_user):
    cs = OfficerFactory(unit=org["430121"])
    cs_city = OfficerFactory(unit=org["430100"])
    zz = OfficerFactory(unit=org["430200"])

    def ids(user, **kw):
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx(export_roll, user=user, **kw))).worksheets[0]
        return {r[2] for r in sheet.iter_rows(min_row=4, values_only=True)}

    assert ids(changsha_user) == {cs.id_number, cs_city.id_number}
    assert ids(county_user) == {cs.id_number}
    assert ids(auditor_user) == {o.id_number[:6] + "********" + o.id_number[-4:] for o in (cs, cs_city, zz)}
    assert ids(changsha_user, unit=org["430121"]) == {cs.id_number}


def test_commands_write_the_files(org, make_user, tmp_path):
    make_user("province", "430000", username="province")
    OfficerFactory(unit=org["430121"], name="长沙人")
    OfficerFactory(unit=org["430200"], name="株洲人")
    out = io.StringIO()
    call_command("export_roll_template", "--city", "430100", "--out", str(tmp_path / "t.xlsx"), stdout=out)
    assert "1 officers" in out.getvalue()
    names = [
        r[0]
        for r in openpyxl.load_workbook(tmp_path / "t.xlsx")
        .worksheets[0]
        .iter_rows(min_row=4, values_only=True)
    ]
    assert names == ["长沙人"]
    call_command("export_roll", "--out", str(tmp_path / "all.xlsx"), stdout=out)
    names = {
        r[0]
        for r in openpyxl.load_workbook(tmp_path / "all.xlsx")
        .worksheets[0]
        .iter_rows(min_row=4, values_only=True)
    }
    assert names == {"长沙人", "株洲人"}
