import io
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from reports import pdf
from reports.kinds import sign_for
from reports.registry import ReportData
from reports.services import render_to_path
from tests.personnel.factories import OfficerFactory

from .conftest import pdf_pages_text


def test_sign_for_pdf_has_the_chinese_names_and_page_numbers(roll, media, changsha_user, tmp_path):
    out = tmp_path / "cs.pdf"
    render_to_path(user=changsha_user, kind="sign-for-sheets", fmt="pdf", params={}, out=out)
    pages = pdf_pages_text(out.read_bytes())
    text = "\n".join(pages)
    for name in ("张伟", "李娜", "王芳"):
        assert name in text
    assert "赵强" not in text  # Zhuzhou is not Changsha's to see
    assert "钱退休" not in text  # retired: receives no uniform
    assert "第 1 页 / 共 1 页" in pages[0]
    assert "被装签领表" in pages[0] and "签名" in pages[0] and "常服上衣×1" in pages[0]
    # who asked, when and from which data, on every page
    assert all(changsha_user.username in p and "花名册" in p for p in pages)


def test_pages_are_numbered_within_each_unit(org, catalog, province_user, media, tmp_path):
    settings.REPORT_PDF_WORKERS = 2  # through the process pool and the pypdf merge
    big = [OfficerFactory(unit=org["430121"], name=f"甲{i:02d}") for i in range(40)]
    OfficerFactory(unit=org["430100"], name="乙一")
    out = tmp_path / "cs.pdf"
    data = render_to_path(
        user=province_user, kind="sign-for-sheets", fmt="pdf", params={"city": "430100"}, out=out
    )
    assert [s.key for s in data.sections] == ["430100", "430121"]
    pages = pdf_pages_text(out.read_bytes())
    assert len(pages) == 3
    assert "乙一" in pages[0] and "第 1 页 / 共 1 页" in pages[0]
    assert big[0].name in pages[1] and "第 1 页 / 共 2 页" in pages[1]
    assert big[-1].name in pages[2] and "第 2 页 / 共 2 页" in pages[2]
    assert "序号" in pages[2]  # the header row is repeated on the unit's second page
    from pypdf import PdfReader

    outline = [o.title for o in PdfReader(out).outline]
    assert outline == [org["430100"].name, org["430121"].name]


def test_a_scope_without_officers_gives_a_one_page_pdf(org, catalog, county_user, media, tmp_path):
    out = tmp_path / "empty.pdf"
    render_to_path(user=county_user, kind="sign-for-sheets", fmt="pdf", params={}, out=out)
    pages = pdf_pages_text(out.read_bytes())
    assert len(pages) == 1 and "没有符合条件的数据" in pages[0]


def test_fetcher_refuses_anything_outside_the_static_files(tmp_path):
    fetcher = pdf.url_fetcher()
    css = Path(settings.BASE_DIR) / "reports" / "static" / "reports" / "report.css"
    assert fetcher.fetch(css.as_uri()).read().startswith(b"/*")
    for url in (
        "http://example.com/x.png",
        "https://example.com/a.css",
        "file:///etc/passwd",
        (tmp_path / "x.png").as_uri(),
        css.as_uri().replace("reports/report.css", "../../../etc/passwd"),
    ):
        try:
            fetcher.fetch(url)
        except pdf.RefusedURL:
            continue
        raise AssertionError(f"fetched {url}")
    assert fetcher.fetch("data:text/plain,abc").read() == b"abc"


def test_weasyprint_does_not_fetch_external_resources():
    fetcher = pdf.url_fetcher()
    html = (
        '<html><body><img src="http://example.com/tracker.png"><img src="file:///etc/hostname">'
        '<link rel="stylesheet" href="https://example.com/x.css"><p>测试</p></body></html>'
    )
    out = pdf.html_to_pdf(html, fetcher=fetcher)
    assert out.startswith(b"%PDF")
    assert sorted(fetcher.refused) == [
        "file:///etc/hostname",
        "http://example.com/tracker.png",
        "https://example.com/x.css",
    ]


def test_page_css_escapes_quotes(catalog):
    data = ReportData(
        kind="k",
        title='标题"x',
        scope_label="",
        requested_by='a"b\\',
        requested_at=timezone.now(),
        sources=["s"],
        columns=[],
        sections=[],
    )
    css = pdf.page_css(title=data.title, unit="u", data=data, landscape=True)
    assert '标题\\"x' in css and 'a\\"b\\\\' in css and "landscape" in css


def test_rows_html_escapes_markup():
    html = sign_for.rows_html([(1, "<b>王</b>", "", "a", "b", "c", "d", 3, "")])
    assert "&lt;b&gt;王&lt;/b&gt;" in html and "<b>" not in html


def test_a_row_is_one_line_of_fixed_width_columns():
    line = sign_for.row_line((12, "王芳", "HN000123", "160/84A", "160/68A", "230", "55", 44, ""))
    assert line == " 12       王芳        HN000123      160/84A       160/68A       230        55      44  "
    assert sign_for.text_width(line) == sum(sign_for.PDF_CELLS)
    # a name wider than its column is set smaller, whole, and the next column starts where it should
    long = sign_for.cell("阿卜杜热合曼·买买提", 14)
    assert "阿卜杜热合曼·买买提" in long and long.startswith('<span style="font-size:')


def test_rows_per_page_and_pagination():
    first, rest = sign_for.rows_per_page(3)
    assert 0 < first < rest
    pages = sign_for.paginate(list(range(first + rest + 1)), first, rest)
    assert [len(p) for p in pages] == [first, rest, 1]
    assert sign_for.paginate([1], first, rest) == [[1]]


def test_pdf_renders_to_memory(roll, media, changsha_user):
    data = sign_for.collect(
        changsha_user, sign_for.SignForParams(), badge_numbers={roll["cs"][0].pk: "HN000123"}
    )
    buf = io.BytesIO()
    sign_for.render_pdf(data, buf, workers=1)
    text = "\n".join(pdf_pages_text(buf.getvalue()))
    assert "HN000123" in text and "胸号：配发台账" in text


def test_pdf_embeds_one_small_font_subset(roll, media, province_user, tmp_path):
    """Every character comes from the job's subset of Noto Sans Mono CJK SC (the sheets are laid out in fixed
    character columns): no fallback to the 20 MB system font, and the merged parts share one font file."""
    from pypdf import PdfReader

    settings.REPORT_PDF_WORKERS = 1
    out = tmp_path / "p.pdf"
    render_to_path(user=province_user, kind="sign-for-sheets", fmt="pdf", params={}, out=out)
    reader = PdfReader(out)
    fonts, files = set(), set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
            descendant = font["/DescendantFonts"][0].get_object()
            files.add(descendant["/FontDescriptor"].get_object().raw_get("/FontFile3").idnum)
    assert fonts == {"QM-Noto-Sans-Mono-CJK-SC-subset"}
    assert len(files) == 1
    assert out.stat().st_size < 400_000


def test_a_unit_of_three_pages_lists_every_officer_once(org, catalog, province_user, media, tmp_path):
    import re

    from assets.kit import active_items

    kit_lines = len(sign_for.kit_lines(sign_for.kit_summary(active_items())[0].split("、")))
    first, rest = sign_for.rows_per_page(kit_lines)
    n = first + rest + 3  # two full pages and three rows on the third
    # one name wider than its column (set smaller, on its one row: pagination must not change)
    officers = [
        OfficerFactory(unit=org["430121"], name=f"丙{i:03d}" + ("阿卜杜热合曼·买买提" if i == 5 else ""))
        for i in range(n)
    ]
    out = tmp_path / "csx.pdf"
    render_to_path(
        user=province_user, kind="sign-for-sheets", fmt="pdf", params={"county": "430121"}, out=out
    )
    pages = pdf_pages_text(out.read_bytes())
    assert len(pages) == 3
    text = "\n".join(pages)
    assert sorted(re.findall(r"丙\d{3}", text)) == sorted(o.name[:4] for o in officers)  # each exactly once
    assert "阿卜杜热合曼·买买提" in text
    assert [len(re.findall(r"丙\d{3}", p)) for p in pages] == [first, rest, 3]
    for k, page in enumerate(pages, 1):
        assert f"第 {k} 页 / 共 3 页" in page
        assert "序号" in page and "本人签名" in page  # the header row on every page
        assert "发放人" in page
    assert "常服上衣×1" in pages[0] and "常服上衣×1" not in pages[1]  # the kit once, in the sheet's header


def test_units_in_one_document_keep_their_own_header_numbers_and_bookmarks(
    roll, org, media, province_user, tmp_path
):
    from pypdf import PdfReader

    settings.REPORT_PDF_WORKERS = 1  # every unit in one WeasyPrint document
    out = tmp_path / "p.pdf"
    data = render_to_path(user=province_user, kind="sign-for-sheets", fmt="pdf", params={}, out=out)
    pages = pdf_pages_text(out.read_bytes())
    assert len(pages) == len(data.sections) == 3
    for page, section, names in zip(
        pages, data.sections, (["张伟", "李娜"], ["王芳"], ["赵强"]), strict=True
    ):
        assert f"被装签领表 · {section.title}" in page  # the running unit in the page's margin
        assert "第 1 页 / 共 1 页" in page and all(n in page for n in names)
    assert [o.title for o in PdfReader(out).outline] == [s.title for s in data.sections]


def test_batches_keep_sections_whole_and_give_every_process_work():
    from reports.registry import Section

    sections = [Section(key=str(i), title=str(i), rows=[()] * n) for i, n in enumerate([5, 30, 2, 2, 40, 1])]
    runs = pdf.batches(sections, max_rows=1500, parts=2)
    assert [i for run in runs for i in run] == list(range(6)) and len(runs) >= 2
    assert pdf.batches(sections, max_rows=10, parts=1) == [[0], [1], [2, 3], [4], [5]]
