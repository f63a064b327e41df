"""号型统计表 size-table report: from a demand snapshot, items down, sizes across, men and women apart, per
city and in total. Small hand-made snapshot rows, so every figure is worked out by hand below."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from assets import services as asset_services
from assets.models import DemandSnapshot, ItemType, SnapshotRow
from core.errors import NotFound, QMError
from reports.kinds import size_table
from reports.services import render_to_path

from .conftest import pdf_pages_text

ROWS = [  # city, item, gender, size, quantity
    ("430100", "DRESS-JACKET", "M", "170/88A", 3),
    ("430100", "DRESS-JACKET", "M", "175/92A", 2),
    ("430100", "DRESS-JACKET", "F", "160/84A", 1),
    ("430100", "INS-TIE", "M", "-", 5),  # one size: the code '-' must stay text in Excel
    ("430200", "DRESS-JACKET", "M", "175/92A", 4),
    ("430200", "SHOES-LEATHER", "M", "255", 4),
]


@pytest.fixture
def snapshot(org, catalog):
    version = asset_services.standard_ensure(actor=None)
    snap = DemandSnapshot.objects.create(
        standard_version=version, margin_percent=3, note="=供应商用", officer_count=14
    )
    SnapshotRow.objects.bulk_create(
        SnapshotRow(snapshot=snap, city_code=c, item_code=i, gender=g, size=s, quantity=q)
        for c, i, g, s, q in ROWS
    )
    return snap


def jacket(gender="M"):
    return ItemType.objects.get(code="DRESS-JACKET").name_for(gender)


def collect(user, **params):
    return size_table.collect(user, size_table.SizeTableParams(**params))


def block(section, gender, system):
    return next(b for b in section.header["blocks"][gender] if b["system"] == system)


def test_province_total_and_each_city_by_hand(snapshot, org, province_user):
    data = collect(province_user)  # default: the latest snapshot
    assert [s.title for s in data.sections] == [
        "全省合计",
        org["430100"].name,
        org["430200"].name,
    ]
    total, cs, zz = data.sections
    tops = block(total, "M", "top")
    assert tops["sizes"] == ["170/88A", "175/92A"]
    assert tops["lines"] == [{"code": "DRESS-JACKET", "name": jacket(), "quantities": [3, 6], "total": 9}]
    assert block(total, "F", "top")["lines"][0]["quantities"] == [1]
    assert total.header["total"] == 19 and cs.header["total"] == 11 and zz.header["total"] == 8
    assert block(cs, "M", "top")["lines"][0]["quantities"] == [3, 2]
    assert block(zz, "M", "shoe_mm")["totals"] == [4]
    assert f"需求快照 #{snapshot.pk}" in data.sources[0]


def test_pdf_has_chinese_names_figures_and_the_source_on_every_page(snapshot, province_user, media, tmp_path):
    out = tmp_path / "s.pdf"
    render_to_path(user=province_user, kind="size-table", fmt="pdf", params={}, out=out)
    pages = pdf_pages_text(out.read_bytes())
    text = "\n".join(pages)
    for name in ("号型统计表", "长沙市", "株洲市", jacket(), jacket("F"), "男款", "女款", "175/92A"):
        assert name in text, name
    assert "合计 19 件" in text and "合计 11 件" in text and "合计 8 件" in text
    assert len(pages) >= 3  # the total and each city start a page
    for page in pages:
        assert f"#{snapshot.pk}" in page and "province" in page and "第" in page


def test_city_user_sees_only_their_city_and_another_city_is_404(snapshot, org, changsha_user):
    data = collect(changsha_user)
    assert [s.title for s in data.sections] == [org["430100"].name]
    assert data.sections[0].header["total"] == 11
    with pytest.raises(NotFound):
        collect(changsha_user, city="430200")
    with pytest.raises(QMError) as exc:
        collect(changsha_user, county="430121")
    assert exc.value.details["field"] == "county"


def test_unknown_or_missing_snapshot_is_404(org, catalog, province_user):
    with pytest.raises(NotFound):
        collect(province_user)
    with pytest.raises(NotFound):
        collect(province_user, snapshot=999)


def test_excel_values_and_formula_escaping(snapshot, province_user, media, tmp_path):
    out = tmp_path / "s.xlsx"
    render_to_path(user=province_user, kind="size-table", fmt="xlsx", params={"city": "430100"}, out=out)
    wb = load_workbook(out)
    assert [n[:3] for n in wb.sheetnames] == ["长沙市", "长沙市", "说明"]
    assert wb.sheetnames[0].endswith("男款") and wb.sheetnames[1].endswith("女款")
    men = wb.worksheets[0]
    cells = {(c.row, c.column): c for row in men.iter_rows() for c in row if c.value is not None}
    by_value = {c.value: c for c in cells.values()}
    assert by_value["-"].data_type == "s"  # the one-size code is text, not a formula
    jacket_row = next(r for (r, col), c in cells.items() if c.value == jacket() and col == 1)
    row = [men.cell(row=jacket_row, column=col).value for col in range(1, 5)]
    assert row == [jacket(), 3, 2, 5]  # by name, never by item code
    assert "DRESS-JACKET" not in by_value
    assert men.freeze_panes == "B4" and f"#{snapshot.pk}" in men.oddHeader.left.text
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True)}
    assert about["快照说明"] == "=供应商用" and wb["说明"]["B"][-1].data_type == "s"


def test_render_report_command(snapshot, province_user, media, tmp_path, capsys):
    out = tmp_path / "c.pdf"
    call_command(
        "render_report",
        "size-table",
        "--snapshot",
        str(snapshot.pk),
        "--out",
        str(out),
        "--user",
        province_user.username,
    )
    assert "长沙市" in "\n".join(pdf_pages_text(out.read_bytes()))
    with pytest.raises(CommandError, match="snapshot"):
        call_command(
            "render_report",
            "size-table",
            "--param",
            "snapshot=abc",
            "--out",
            str(tmp_path / "x.pdf"),
            "--user",
            province_user.username,
        )


def test_pdf_pages_are_numbered_within_each_part(snapshot, province_user, media, tmp_path):
    import re

    out = tmp_path / "s.pdf"
    render_to_path(user=province_user, kind="size-table", fmt="pdf", params={}, out=out)
    numbers = [
        tuple(map(int, re.search(r"第 (\d+) 页 / 共 (\d+) 页", p).groups()))
        for p in pdf_pages_text(out.read_bytes())
    ]
    runs, i = [], 0
    while i < len(numbers):  # each part: 第 1..Y 页 / 共 Y 页
        y = numbers[i][1]
        assert numbers[i : i + y] == [(k, y) for k in range(1, y + 1)]
        runs.append(y)
        i += y
    assert len(runs) == 3  # the province total, 长沙, 株洲
