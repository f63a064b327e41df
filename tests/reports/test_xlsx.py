import io

import pytest
from openpyxl import load_workbook

from reports import xlsx
from reports.kinds import sign_for
from reports.registry import Column
from reports.services import render_to_path
from tests.personnel.factories import OfficerFactory


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", '=HYPERLINK("http://x")'])
def test_formula_like_values_are_written_as_text(value):
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("t")
    xlsx.write_table(
        ws, [Column("a", "甲", 0, 10), Column("b", "乙", 0, 10, "0")], [(value, 5), ("普通", -3)]
    )
    buf = io.BytesIO()
    wb.save(buf)
    sheet = load_workbook(io.BytesIO(buf.getvalue())).active
    assert sheet["A2"].value == value and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 5 and sheet["B3"].value == -3 and sheet["B2"].number_format == "0"
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "甲"


def test_set_safe_on_a_normal_sheet():
    from openpyxl import Workbook

    ws = Workbook().active
    xlsx.set_safe(ws["A1"], "=cmd|' /C calc'!A0")
    xlsx.set_safe(ws["A2"], 12)
    assert ws["A1"].data_type == "s" and ws["A2"].value == 12


def test_sheet_titles_are_valid_and_unique():
    taken = set()
    assert xlsx.sheet_title("长沙/市:[x]", taken) == "长沙_市__x_"
    long = "很长的名字" * 10
    a, b = xlsx.sheet_title(long, taken), xlsx.sheet_title(long, taken)
    assert len(a) <= 31 and len(b) <= 31 and a != b


def test_sign_for_xlsx_sheet_per_city_header_widths_and_escaping(roll, org, media, province_user, tmp_path):
    OfficerFactory(unit=org["430100"], name="=1+2")
    out = tmp_path / "p.xlsx"
    render_to_path(user=province_user, kind="sign-for-sheets", fmt="xlsx", params={}, out=out)
    wb = load_workbook(out)
    cities = [ws.title for ws in wb.worksheets]
    assert cities[-1] == "说明" and len(cities) == 3  # 长沙, 株洲, about
    cs = wb.worksheets[0]
    assert [c.value for c in cs[1]][:3] == ["单位", "序号", "姓名"]
    assert cs.freeze_panes == "A2" and cs.column_dimensions["A"].width == 22
    names = {row[2] for row in cs.iter_rows(min_row=2, values_only=True)}
    assert {"张伟", "李娜", "王芳", "=1+2"} <= names and "赵强" not in names
    formula_cell = next(r[2] for r in cs.iter_rows(min_row=2) if r[2].value == "=1+2")
    assert formula_cell.data_type == "s"
    assert "赵强" in {row[2] for row in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert province_user.username in cs.oddHeader.left.text


def test_xlsx_renderer_writes_the_kit(roll, changsha_user, tmp_path):
    data = sign_for.collect(changsha_user, sign_for.SignForParams())
    out = tmp_path / "x.xlsx"
    sign_for.render_xlsx(data, out)
    about = load_workbook(out)["说明"]
    values = {r[0]: r[1] for r in about.iter_rows(min_row=2, values_only=True)}
    assert "常服上衣×1" in values["配发内容"] and values["人数"] == 3
