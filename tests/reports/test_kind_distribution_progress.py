import datetime
import re

import pytest
from openpyxl import load_workbook

from core.errors import NotFound
from reports.registry import get_kind
from reports.services import render_to_path
from tests.distribution.conftest import changsha_midway, confirm_all, kit_lines, receive, ship  # noqa: F401
from tests.personnel.factories import OfficerFactory

from .conftest import pdf_pages_text

NOW = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def shipped(org, catalog, province_user, changsha_user):
    """Two officers in 长沙县, one in 株洲; one kit shipped to 长沙市 and confirmed, one more kit in transit."""
    cs = [OfficerFactory(unit=org["430121"], name=n) for n in ("王芳", "李娜")]
    OfficerFactory(unit=org["430200"], name="赵强")
    lines = kit_lines(cs[0])
    receive(province_user, org, kit_lines(cs[0], 2))
    confirm_all(changsha_user, ship(province_user, org, lines, "430100"))
    ship(province_user, org, lines, "430100")  # dispatched, not yet confirmed
    return {"kit": sum(x["quantity"] for x in lines), "officers": cs}


def _summary(data):
    return data.sections[0]


def test_province_summary_figures(province_user, shipped, media):
    kind = get_kind("distribution-progress")
    data = kind.collect(province_user, kind.parse_params({}), now=NOW)
    rows = {r[0]: r for r in _summary(data).rows}
    q = shipped["kit"]
    cs = rows["430100"]
    # code, name, needed, shipped, in transit, received, short, excess, issued, outstanding, pct
    assert cs[1].startswith("长沙市")
    assert cs[3:9] == (2 * q, q, q, 0, 0, 0)
    assert rows["430200"][3] == 0
    assert _summary(data).header["svg"].startswith("<svg")
    assert "长沙市" in _summary(data).header["svg"]
    # per city detail sections follow, with the county 长沙县
    county_rows = next(s for s in data.sections if s.key == "430100-units").rows
    assert any(r[1].startswith("长沙县") for r in county_rows)


def test_province_pdf_text(province_user, shipped, media, tmp_path):
    out = tmp_path / "p.pdf"
    render_to_path(
        user=province_user, kind="distribution-progress", fmt="pdf", params={}, out=out, requested_at=NOW
    )
    pages = pdf_pages_text(out.read_bytes())
    text = "".join(pages)
    assert "被装配发进度表" in text and "长沙市" in text and "株洲市" in text and "长沙县" in text
    assert str(2 * shipped["kit"]) in text
    assert all("province" in p and "第" in p for p in pages)  # who asked, page X of Y on each page
    # when, in the users' time: 08:00 UTC is 16:00 in Beijing
    assert all("2026-11-23 16:00" in p for p in pages) and "08:00" not in text
    assert "配发台账" in pages[-1]


def test_city_scope_and_xlsx(changsha_user, shipped, media, tmp_path):
    out = tmp_path / "c.xlsx"
    data = render_to_path(
        user=changsha_user, kind="distribution-progress", fmt="xlsx", params={}, out=out, requested_at=NOW
    )
    assert data.scope_label.startswith("长沙市")
    wb = load_workbook(out)
    text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "株洲" not in text and "长沙县" in text
    ws = wb["长沙市-县级"]
    assert ws.freeze_panes == "A2"
    total = [r for r in ws.iter_rows(values_only=True) if r[1].endswith(" 合计")][0]
    assert total[3] == 2 * shipped["kit"] and isinstance(total[3], int)


def test_out_of_scope_city_is_404(changsha_user, shipped):
    kind = get_kind("distribution-progress")
    with pytest.raises(NotFound):
        render_to_path(
            user=changsha_user,
            kind="distribution-progress",
            fmt="pdf",
            params={"city": "430200"},
            out="/dev/null",
        )
    assert kind.kind == "distribution-progress"


def test_command(shipped, media, tmp_path, province_user):
    from django.core.management import call_command

    out = tmp_path / "cmd.pdf"
    call_command("render_report", "distribution-progress", "--city", "430100", "--out", str(out))
    assert "长沙县" in "".join(pdf_pages_text(out.read_bytes()))


def _line_of(text: str, row: tuple) -> bool:
    """A row's code, name and figures in order on one line of the extracted text (the text-line table)."""
    figures = [str(v) for v in row[2:]]
    pattern = r"\s+".join([re.escape(row[0]), re.escape(row[1]), *map(re.escape, figures)])
    return re.search(pattern, text) is not None


def test_province_pdf_holds_every_citys_figures_and_names(province_user, shipped, media, tmp_path):
    kind = get_kind("distribution-progress")
    data = kind.collect(province_user, kind.parse_params({}), now=NOW)
    summary = _summary(data)
    out = tmp_path / "p.pdf"
    render_to_path(
        user=province_user, kind="distribution-progress", fmt="pdf", params={}, out=out, requested_at=NOW
    )
    pages = pdf_pages_text(out.read_bytes())
    text = "\n".join(pages)
    assert len(summary.rows) == 15  # 14 cities and the total
    for row in summary.rows[:-1]:
        assert _line_of(text, row), row  # every city: code, Chinese name, 8 figures and the rate on one line
    total = summary.rows[-1]
    assert re.search(r"湖南省.*合计\s+" + r"\s+".join(map(re.escape, map(str, total[2:]))), text)
    for n, page in enumerate(pages, 1):
        assert f"第 {n} 页 / 共 {len(pages)} 页" in page and "被装配发进度表" in page


def test_city_pdf_has_each_county_and_every_item_row(changsha_user, shipped, media, tmp_path):
    kind = get_kind("distribution-progress")
    data = kind.collect(changsha_user, kind.parse_params({"city": "430100"}), now=NOW)
    out = tmp_path / "c.pdf"
    render_to_path(
        user=changsha_user,
        kind="distribution-progress",
        fmt="pdf",
        params={"city": "430100"},
        out=out,
        requested_at=NOW,
    )
    pages = pdf_pages_text(out.read_bytes())
    text = "\n".join(pages)
    counties = next(s for s in data.sections if s.key == "430100-units")
    for row in counties.rows[:-1]:
        assert _line_of(text, row), row
    items = next(s for s in data.sections if s.key == "430100-items")
    assert items.rows
    for item, gender, size, *figures in items.rows:
        pattern = r"\s+".join(map(re.escape, [item, gender, size, *map(str, figures)]))
        assert re.search(pattern, text), (item, gender, size)
    assert "株洲" not in text  # another city's data never shows
    assert all(re.search(r"品类\s+款式\s+号型\s+应配", p) for p in pages)  # the header line on every page


def test_progress_tree_is_progress_summary_of_the_unit_and_each_child(
    province_user, changsha_user, shipped, org
):
    from distribution import selectors as dist

    OfficerFactory(unit=org["430181"], name="周敏")  # a second county under 长沙
    tree = dist.progress_tree(province_user, "430000")
    assert tree["unit"] == dist.progress_summary(province_user, "430000")
    assert set(tree["children"]) == {c["unit_code"] for c in tree["unit"]["children"]}
    for code, summary in tree["children"].items():
        assert summary == dist.progress_summary(province_user, code), code
    assert tree["children"]["430100"]["totals"]["shipped"] == 2 * shipped["kit"]
    city = dist.progress_tree(changsha_user, "430100")  # a city's staff: their city and its counties
    assert city["unit"] == dist.progress_summary(changsha_user, "430100") and "430200" not in city["children"]
    with pytest.raises(NotFound):
        dist.progress_tree(changsha_user, "430200")


def _figures(row: tuple) -> tuple:
    return row[2:10]  # needed, shipped, in transit, received, short, excess, issued, outstanding


def test_city_excel_counties_and_own_row_add_up_to_the_city(changsha_midway, changsha_user, media, tmp_path):
    """长沙 with staff and stock of its own, one county confirmed, one still on the road: in the Excel file
    the county rows and the 本级 row add up to the city's total row, for every figure."""
    out = tmp_path / "cs.xlsx"
    render_to_path(
        user=changsha_user, kind="distribution-progress", fmt="xlsx", params={}, out=out, requested_at=NOW
    )
    ws = load_workbook(out)["长沙市-县级"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[1]][1:]  # below the header
    (total,) = [r for r in rows if r[1].endswith(" 合计")]
    (own,) = [r for r in rows if r[1].endswith(" 本级")]
    counties = [r for r in rows if r[0]]
    assert {r[0] for r in counties} >= {"430121", "430181"}
    for n in range(8):
        assert sum(_figures(r)[n] for r in counties) + _figures(own)[n] == _figures(total)[n], n
    kit = changsha_midway["kit"]
    assert _figures(own)[1] == 3 * kit  # shipped to the city and kept: its own two kits and the spare
    assert _figures(own)[2] == -kit  # 浏阳's kit is on its way from the city's store


def test_province_excel_cities_and_own_row_add_up(changsha_midway, province_user, media, tmp_path):
    out = tmp_path / "p.xlsx"
    render_to_path(
        user=province_user, kind="distribution-progress", fmt="xlsx", params={}, out=out, requested_at=NOW
    )
    wb = load_workbook(out)
    rows = [r for r in wb["汇总"].iter_rows(values_only=True) if r[1]][1:]
    (total,) = [r for r in rows if r[1].endswith(" 合计")]
    (own,) = [r for r in rows if r[1].endswith(" 省本级")]  # the province bureau has an officer of its own
    cities = [r for r in rows if r[0]]
    assert len(cities) == 14
    for n in range(8):
        assert sum(_figures(r)[n] for r in cities) + _figures(own)[n] == _figures(total)[n], n
    assert _figures(own)[0] > 0 and _figures(own)[1:6] == (0, 0, 0, 0, 0)  # its flows are its cities'
    # each city's sheet of counties adds up too
    cs = [r for r in wb["长沙市-县级"].iter_rows(values_only=True) if r[1]][1:]
    (cs_total,) = [r for r in cs if r[1].endswith(" 合计")]
    assert cs_total[2:10] == next(r for r in cities if r[0] == "430100")[2:10]
    assert sum(r[3] for r in cs if r[0] or r[1].endswith(" 本级")) == cs_total[3]


def test_city_pdf_has_the_own_row(changsha_midway, changsha_user, media, tmp_path):
    kind = get_kind("distribution-progress")
    data = kind.collect(changsha_user, kind.parse_params({"city": "430100"}), now=NOW)
    counties = next(s for s in data.sections if s.key == "430100-units")
    own = next(r for r in counties.rows if r[1].endswith(" 本级"))
    out = tmp_path / "cs.pdf"
    render_to_path(
        user=changsha_user,
        kind="distribution-progress",
        fmt="pdf",
        params={"city": "430100"},
        out=out,
        requested_at=NOW,
    )
    text = "\n".join(pdf_pages_text(out.read_bytes()))
    assert re.search(r"本级\s+" + r"\s+".join(re.escape(str(v)) for v in own[2:]), text)
    assert "各行加本级即为合计" in text


def test_item_rows_name_the_version(changsha_midway, changsha_user, media, tmp_path):
    out = tmp_path / "cs.xlsx"
    render_to_path(
        user=changsha_user, kind="distribution-progress", fmt="xlsx", params={}, out=out, requested_at=NOW
    )
    ws = load_workbook(out)["长沙市"]
    names = {r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert {"常服上衣（男）", "大檐帽"} <= names
    assert not any(n.isascii() for n in names)  # no item codes where a name belongs
