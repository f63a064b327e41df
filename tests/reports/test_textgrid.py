"""The text-line table PDF (reports/textgrid.py) of the distribution progress, station condition and size table
reports: cells of exact width, long text wrapped or set smaller but never cut, the header line on every page,
no row split across pages, "第 X 页 / 共 Y 页" written per part, who asked on every page, Chinese extractable."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from reports import textgrid
from reports.registry import Column, ReportData, Section
from reports.textgrid import GridColumn, Part, Table, cell_lines, text_width, wrap

from .conftest import pdf_pages_text

NOW = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
COLUMNS = [
    Column("n", "序号", 14, 6, "0"),
    Column("name", "姓名", 40, 12),
    Column("qty", "数量", 20, 8, "0"),
    Column("cost", "金额(元)", 26, 12, "#,##0.00"),
    Column("why", "说明", 50, 30),
]


def _data(rows: int, title: str = "测试报表") -> ReportData:
    section_rows = [
        (
            i,
            f"王芳{i:04d}",
            i * 3,
            Decimal("1234.50") + i,
            f"缺 {i} short {i}; 超期 past service life (3 y) {i}; 行{i:04d}尾" if i % 7 == 0 else "",
        )
        for i in range(1, rows + 1)
    ]
    return ReportData(
        kind="test",
        title=title,
        scope_label="湖南省",
        requested_by="tester",
        requested_at=NOW,
        sources=["测试数据 test data"],
        columns=COLUMNS,
        sections=[Section(key="s", title="明细 detail", rows=section_rows)],
    )


def _parts(data: ReportData) -> list[Part]:
    s = data.sections[0]
    return [Part(title=data.scope_label, tables=[textgrid.table_from_rows(s.title, data.columns, s.rows)])]


@pytest.mark.parametrize(
    "text", ["", "1", "长沙县", "430121", "长沙市交通运输综合行政执法支队 合计", "x" * 40]
)
@pytest.mark.parametrize("align", ["l", "r", "c"])
def test_every_cell_line_is_exactly_its_column_wide(text, align):
    col = GridColumn("标签", 20, align)
    lines = cell_lines(text, col)
    for line in lines:
        if "<span" in line:  # set smaller to fit: one line
            assert len(lines) == 1 and "font-size:" in line
        else:
            assert text_width(line) == 20, line
    if "<span" not in lines[0]:
        assert "".join(ln.strip() for ln in lines) == text


def test_long_text_wraps_at_a_separator_and_nothing_is_lost():
    text = "缺 1 short 1; 超期 2 past service life (3 y) 2; 最早购置 oldest acquired 2021-01-17"
    pieces = wrap(text, 30)
    assert len(pieces) >= 3 and all(text_width(p) <= 30 for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    for piece in pieces[:-1]:  # broken at a space or after a separator, not inside a word
        end = text.index(piece) + len(piece)
        assert piece[-1] in textgrid.BREAKS or text[end] in textgrid.BREAKS, piece


def test_a_little_too_wide_is_set_smaller_on_one_line():
    lines = cell_lines("长沙市交通运输综合行政执法支队", GridColumn("单位", 28))  # 30 wide in 26
    assert len(lines) == 1 and "font-size:86.67%" in lines[0]


def test_pages_header_rows_never_split_and_numbers():
    data = _data(400)
    out = io.BytesIO()
    pages = textgrid.render(data, _parts(data), out, workers=2)
    texts = pdf_pages_text(out.getvalue())
    assert len(texts) == pages > 5
    seen = {}
    for n, page in enumerate(texts, 1):
        assert f"第 {n} 页 / 共 {pages} 页" in page
        assert "tester 于 2026-11-23" in page and "测试数据 test data" in page and "测试报表" in page
        assert re.search(r"序号\s+姓名\s+数量\s+金额\(元\)\s+说明", page), "header line on every page"
        flat = re.sub(r"\s+", "", page)
        for i in re.findall(r"王芳(\d{4})", page):
            seen.setdefault(int(i), []).append(n)
            if int(i) % 7 == 0:  # its wrapped note ends on the same page: the row is not split
                assert f"行{i}尾" in flat
    assert sorted(seen) == list(range(1, 401)) and all(len(v) == 1 for v in seen.values())
    assert f"{Decimal('1234.50') + 400:,.2f}" in texts[-1]  # money formatted, right column
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert [o.title for o in reader.outline] == ["湖南省"]


def test_one_process_and_the_pool_make_the_same_pages():
    data = _data(150)
    one, two = io.BytesIO(), io.BytesIO()
    assert textgrid.render(data, _parts(data), one, workers=1) == textgrid.render(
        data, _parts(data), two, workers=2
    )
    assert pdf_pages_text(one.getvalue()) == pdf_pages_text(two.getvalue())


def test_parts_number_their_own_pages_and_a_table_without_rows_says_so():
    data = _data(120)
    parts = [*_parts(data), Part(title="株洲市", tables=[Table(title="空表 empty", columns=[], rows=[])])]
    out = io.BytesIO()
    total = textgrid.render(data, parts, out, workers=1)
    texts = pdf_pages_text(out.getvalue())
    first = total - 1
    assert f"第 1 页 / 共 {first} 页" in texts[0] and f"第 {first} 页 / 共 {first} 页" in texts[first - 1]
    assert "第 1 页 / 共 1 页" in texts[-1] and "株洲市" in texts[-1] and "无数据" in texts[-1]


def test_a_chart_keeps_its_labels_in_the_mono_subset():
    from reports.kinds.distribution_progress import bar_chart

    chart = bar_chart(
        [{"unit_name": "湘潭市交通运输综合行政执法支队", "needed": 10, "received": 5, "issued": 2}]
    )
    data = _data(3)
    s = data.sections[0]
    parts = [
        Part(title="湖南省", tables=[textgrid.table_from_rows(s.title, data.columns, s.rows, svg=chart)])
    ]
    out = io.BytesIO()
    textgrid.render(data, parts, out, workers=1)
    assert "湘潭市" in pdf_pages_text(out.getvalue())[0]
    assert len(out.getvalue()) < 400_000  # the subset, not the 20 MB system collection


def test_a_row_taller_than_a_page_goes_on_over_the_break_and_a_long_label_stays_on_the_header_line():
    long_text = "很长的说明" * 400 + "终"  # ~ 110 lines in its column
    data = ReportData(
        kind="test",
        title="测试报表",
        scope_label="湖南省",
        requested_by="tester",
        requested_at=NOW,
        sources=["测试"],
        columns=COLUMNS,
        sections=[
            Section(key="s", title="明细", rows=[(1, "甲", 1, None, long_text), (2, "乙", 2, None, "")])
        ],
    )
    s = data.sections[0]
    cols = [*data.columns[:-1], Column("why", "说明 explanation of the gap, in words", 50, 30)]
    out = io.BytesIO()
    pages = textgrid.render(
        data, [Part(title="湖南省", tables=[textgrid.table_from_rows(s.title, cols, s.rows)])], out, workers=1
    )
    texts = pdf_pages_text(out.getvalue())
    assert pages == len(texts) >= 3
    flat = re.sub(r"\s+", "", "".join(texts))
    assert (
        flat.count("很") == 400 and "终" in flat and "乙" in flat
    )  # every piece of the long text, and the next row
    assert all("说明 explanation of the gap, in words" in t for t in texts)
