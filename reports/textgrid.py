"""Tables set as lines of monospaced text, paginated here: the fast PDF of the table reports (distribution
progress, station condition, size table).

The recipe of the sign-for sheets (reports/kinds/sign_for.py), made general: a table is ONE block of lines
(`white-space: pre`) in the monospaced CJK face ("Noto Sans Mono CJK SC": Latin half-width, CJK full-width),
each row a line (or a few, when a long text wraps), its columns padded with spaces to fixed character widths;
the ruling is the block's background, an SVG drawn per page. Every block has a fixed height, so we know what
fits on a page and write the pages ourselves: the table's header line repeated on each page, a row never
split, "第 X 页 / 共 Y 页" written into each page (a running string in the bottom-right margin box). WeasyPrint
then lays out a few boxes per page instead of a box per cell (a WeasyPrint table of 11 columns spends ~80% of
its time on per-cell styles, boxes and table layout). Since the pages are known before layout, a long report
is rendered as a few documents of consecutive pages in the process pool (reports.pdf) and merged.
"""

import io
import math
import multiprocessing
import re
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from urllib.parse import quote

from django.utils import translation
from django.utils.translation import gettext

from core.pages import tr

from . import pdf
from .registry import Column, Progress, ReportData, no_progress

TEMPLATE = "reports/pdf/grid.html"
CSS = "grid.css"
FACE = "mono"
# Geometry in mm; the heights must match static/reports/grid.css.
FONT_PT = 8
CELL_MM = FONT_PT / 2 * 25.4 / 72  # one half-width character of the mono face at 8 pt
LINE_H = 4.6  # one text line of a table
PAGE = {
    True: (277.0, 180.0),
    False: (190.0, 267.0),
}  # content box of A4 landscape / portrait (report margins)
TITLE_H, META_H = 9.0, 5.0  # the first page of a part: its title and the "scope / who / when" line
HEAD_H, NOTE_H = 7.0, 5.0  # a table's heading; its note
GAP_H = 3.0  # below a table and below a chart
BORDER_H, SLACK = (
    0.36,
    1.5,
)  # the block's top and bottom border (0.5 pt each); spare so rounding never overflows
MIN_SCALE = 0.7  # text up to 1/0.7 times its column is set smaller on one line; longer text wraps
CONTINUED = ("（续）", " (continued)")


def continued() -> str:
    return tr(*CONTINUED)


@dataclass
class GridColumn:
    label: str
    cells: int  # width in half-width characters, the rules included
    align: str = "l"  # l, r or c


@dataclass
class Table:
    title: str
    columns: list[GridColumn]
    rows: list[list[str]]  # formatted text, one per column
    note: str = ""
    svg: str = ""  # a chart above the table (inline SVG with a height in pt)
    new_page: bool = False
    shaded: int = 0  # the last `shaded` rows are totals (grey)
    group: str = ""  # the unit the table belongs to (page top-left), when a document holds many units


@dataclass
class Part:
    """What numbers its own pages: a whole report, or one city's part of the size table."""

    title: str  # the unit in the page header
    tables: list[Table] = field(default_factory=list)
    bookmark: str = ""


def text_width(text: str) -> int:
    """Width in half-width characters in the mono face: CJK (and East-Asian ambiguous, e.g. ×·…) count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def cells_for(width_mm: float) -> int:
    return max(4, int(width_mm / CELL_MM))


def value_text(value, col: Column) -> tuple[str, str]:
    """(text, alignment) of a value as the table reports print it: counts and money right, text left."""
    if value is None:
        return "", "l"
    if isinstance(value, bool):
        return tr("是" if value else "否", "yes" if value else "no"), "c"
    if isinstance(value, Decimal):
        return f"{value:,.2f}", "r"
    if isinstance(value, int):
        return str(value), "r"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10], "c"
    return str(value), ("l" if col.number_format == "@" else "c")


def table_from_rows(title: str, columns: Sequence[Column], rows, **kw) -> Table:
    """A table of report Columns (their PDF widths in mm) and raw rows (values formatted by value_text)."""
    cols = [GridColumn(c.label, cells_for(c.width_mm), "l") for c in columns]
    out = []
    for row in rows:
        texts = []
        for n, (v, c) in enumerate(zip(row, columns, strict=False)):
            text, align = value_text(v, c)
            texts.append(text)
            if text and cols[n].align == "l" and align != "l":
                cols[n].align = align  # a column of figures aligns right
        out.append(texts)
    return Table(title=title, columns=cols, rows=out, **kw)


BREAKS = " ;；,，、"


def wrap(text: str, width: int) -> list[str]:
    """`text` in pieces of at most `width` half-width characters (CJK counts 2), broken after a space or a
    separator in the second half of a piece when there is one."""
    lines, line, w = [], "", 0
    for ch in text:
        cw = text_width(ch)
        if line and w + cw > width:
            cut = max(line.rfind(b) for b in BREAKS)
            if cut >= len(line) // 2:
                lines.append(line[: cut + 1].rstrip())
                line = line[cut + 1 :].lstrip()
            else:
                lines.append(line)
                line = ""
            w = text_width(line)
        line += ch
        w += cw
    return [*lines, line] if line else [""]


def cell_lines(text: str, col: GridColumn, align: str | None = None, *, one_line: bool = False) -> list[str]:
    """A cell as lines of HTML, each exactly col.cells half-width characters wide (a space either side of the
    text). Text a little too wide (or any too wide, with one_line) is set smaller on one line; longer text
    wraps onto more lines."""
    inner = col.cells - 2
    width = text_width(text)
    align = align or col.align
    if width <= inner:
        pieces = [text]
    elif width * MIN_SCALE <= inner or one_line:
        return [f' <span style="font-size:{100 * inner / width:.2f}%">{escape(text)}</span> ']
    else:
        pieces = wrap(text, inner)
    out = []
    for piece in pieces:
        pad = inner - text_width(piece)
        left = pad if align == "r" else pad // 2 if align == "c" else 0
        out.append(" " * (left + 1) + escape(piece) + " " * (pad - left + 1))
    return out


def row_lines(
    texts: Sequence[str], columns: Sequence[GridColumn], align: str | None = None, *, one_line: bool = False
) -> list[str]:
    """One table row as lines of text (as many as its tallest cell; one with one_line, for the header)."""
    cells = [cell_lines(t, c, align, one_line=one_line) for t, c in zip(texts, columns, strict=False)]
    height = max((len(c) for c in cells), default=1)
    blank = [" " * c.cells for c in columns]
    return [
        "".join(cells[k][j] if j < len(cells[k]) else blank[k] for k in range(len(columns)))
        for j in range(height)
    ]


def grid_svg(columns: Sequence[GridColumn], row_heights: Sequence[int], shaded: int) -> str:
    """The ruling of one page's block as a data: URI: column rules, a rule under each row (rows may take
    several lines), the header line and total rows on grey."""
    width = sum(c.cells for c in columns) * CELL_MM
    lines = 1 + sum(row_heights)
    height = lines * LINE_H
    s = 0.18  # 0.5 pt
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}mm" height="{height:.2f}mm" '
        f'viewBox="0 0 {width:.2f} {height:.2f}">',
        f'<rect width="{width:.2f}" height="{LINE_H}" fill="#eee"/>',
    ]
    y = LINE_H
    ys = [y]
    for h in row_heights:
        y += h * LINE_H
        ys.append(y)
    if shaded:
        top = ys[-1 - shaded]
        parts.append(f'<rect y="{top:.2f}" width="{width:.2f}" height="{height - top:.2f}" fill="#f3f3f3"/>')
    path = []
    x = 0.0
    for c in columns[:-1]:
        x += c.cells * CELL_MM
        path.append(f"M{x:.2f} 0V{height:.2f}")
    path += [f"M0 {y:.2f}H{width:.2f}" for y in ys[:-1]]
    parts.append(f'<path d="{"".join(path)}" stroke="#000" stroke-width="{s}" fill="none"/></svg>')
    return f"url('data:image/svg+xml,{quote(''.join(parts))}')"


def svg_height_mm(svg: str) -> float:
    m = re.search(r'height="([\d.]+)pt"', svg)
    return float(m.group(1)) * 25.4 / 72 if m else 0.0


def mono_svg(svg: str) -> str:
    """A chart drawn for the sans face (reports.pdf.SUBSET_FAMILY) set in this document's mono face instead:
    the sans face is not loaded here, and falling back to the system collection would embed it whole."""
    _index, system, subset = pdf.FACES[FACE]
    return svg.replace(pdf.SUBSET_FAMILY, subset).replace(pdf.FONT_FAMILY, system)


class _Pages:
    """Fills pages of a fixed content height with fixed-height blocks."""

    def __init__(self, page_h: float):
        self.limit = page_h - SLACK
        self.pages: list[list[str]] = []
        self.used = self.limit + 1  # no page yet

    def new(self) -> None:
        self.pages.append([])
        self.used = 0.0

    def fits(self, h: float) -> bool:
        return self.used + h <= self.limit

    def put(self, html: str, h: float) -> None:
        if not self.fits(h):
            self.new()
        self.pages[-1].append(html)
        self.used += h


def _table_blocks(pages: _Pages, table: Table, first_of_part: bool) -> None:
    header = row_lines([c.label for c in table.columns], table.columns, "c", one_line=True)
    rows = [row_lines(r, table.columns) for r in table.rows]
    shaded_from = len(rows) - table.shaded
    width = sum(c.cells for c in table.columns) * CELL_MM
    if table.new_page and not first_of_part and pages.used > 0:
        pages.new()
    head = [f"<h2>{escape(table.title)}</h2>", HEAD_H]
    extras = []
    if table.note:
        extras.append((f'<p class="note">{escape(table.note)}</p>', NOTE_H))
    if table.svg:
        h = svg_height_mm(table.svg)
        extras.append(
            (f'<div class="chart" style="height:{h + GAP_H:.2f}mm">{mono_svg(table.svg)}</div>', h + GAP_H)
        )
    first_row_h = (len(rows[0]) if rows else 0) * LINE_H
    if first_row_h > pages.limit - HEAD_H - BORDER_H - LINE_H:
        first_row_h = LINE_H  # taller than a page: it goes on over the break anyway
    need = HEAD_H + sum(h for _, h in extras) + BORDER_H + LINE_H + first_row_h
    whole = need - first_row_h + sum(len(r) for r in rows) * LINE_H
    if not pages.fits(need) or (whole <= pages.limit / 2 and not pages.fits(whole)):
        pages.new()  # a small table is kept on one page; a large one starts where at least a row fits
    pages.put(*head)
    for html, h in extras:
        pages.put(html, h)
    if not rows:
        pages.put(f'<p class="note">{gettext("无数据")}</p>', NOTE_H)
        return
    i = 0
    while i < len(rows):
        room = pages.limit - pages.used - BORDER_H - LINE_H
        if room < len(rows[i]) * LINE_H:  # not even one row here: continue on a new page
            full = pages.limit - HEAD_H - BORDER_H - LINE_H
            if len(rows[i]) * LINE_H > full and room >= LINE_H:
                # a row taller than a whole page (a very long text): its lines go on over the page break
                fit = int(room // LINE_H)
                rows[i : i + 1] = [rows[i][:fit], rows[i][fit:]]
                shaded_from = len(rows) - table.shaded
                continue
            pages.new()
            pages.put(f"<h2>{escape(table.title)}{continued()}</h2>", HEAD_H)
            continue
        chunk, lines = [], 0
        while i < len(rows) and (lines + len(rows[i])) * LINE_H <= room:
            chunk.append(i)
            lines += len(rows[i])
            i += 1
        heights = [len(rows[k]) for k in chunk]
        shaded = sum(1 for k in chunk if k >= shaded_from)
        block_h = BORDER_H + (1 + lines) * LINE_H
        text = "\n".join([*header, *(ln for k in chunk for ln in rows[k])])
        pages.put(
            f'<div class="grid" style="width:{width:.2f}mm;height:{(1 + lines) * LINE_H:.2f}mm;'
            f'background:{grid_svg(table.columns, heights, shaded)} no-repeat">{text}</div>',
            block_h,
        )
        if i < len(rows):
            pages.new()
            pages.put(f"<h2>{escape(table.title)}{continued()}</h2>", HEAD_H)
    if pages.fits(GAP_H):
        pages.put('<div class="gap"></div>', GAP_H)


def paginate(data: ReportData, part: Part, *, landscape: bool = True) -> list[str]:
    """The pages of one part, each a list of HTML blocks joined, without the page number."""
    pages = _Pages(PAGE[landscape][1])
    pages.new()
    pages.put(f"<h1>{escape(data.title)}</h1>", TITLE_H)
    when = f"{data.requested_at:%Y-%m-%d %H:%M}"
    meta = gettext("范围：{title}\u3000请求人：{requested_by}\u3000时间：{when}").format(
        title=part.title, requested_by=data.requested_by, when=when
    )
    pages.put(f'<p class="meta">{escape(meta)}</p>', META_H)
    for n, table in enumerate(part.tables):
        _table_blocks(pages, table, n == 0)
    return ["".join(p) for p in pages.pages]


def document_chars(data: ReportData, parts: Sequence[Part]) -> str:
    """Every character the documents print (for the job's font subset)."""
    out = [pdf.report_chars(data), *CONTINUED, "范围：请求人：时间：无数据"]
    for part in parts:
        out.append(part.title)
        for t in part.tables:
            out += [t.title, t.note, *(c.label for c in t.columns), *("".join(r) for r in t.rows)]
            out += re.findall(r">([^<]+)</text>", t.svg)
    return "".join(out)


def render(
    data: ReportData,
    parts: Sequence[Part],
    out: Path | io.BytesIO,
    *,
    landscape: bool = True,
    progress: Progress = no_progress,
    workers: int | None = None,
    max_pages: int = 20,
) -> int:
    """Paginate each part (its pages numbered "第 X 页 / 共 Y 页" within it), render the pages as documents of
    at most `max_pages` consecutive pages (at least one per worker when there are enough) in the process pool,
    merge them with a bookmark per part. Returns the page count."""
    font = pdf.subset_font(document_chars(data, parts) + pdf.template_chars(TEMPLATE), FACE)
    font_path = str(font) if font else None
    pages, outline = [], []
    for part in parts:
        body = paginate(data, part, landscape=landscape)
        outline.append((part.bookmark or part.title, len(pages)))
        pages += [
            {
                "html": html,
                "no": gettext("第 {n} 页 / 共 {n_body} 页").format(n=n, n_body=len(body)),
                "unit": part.title,
            }
            for n, html in enumerate(body, 1)
        ]
    progress(10, gettext("{n_pages} 页").format(n_pages=len(pages)))
    workers = workers or pdf.pdf_workers()
    # documents of at most max_pages, as many as a multiple of the workers so the pool's rounds are even
    docs = workers * math.ceil(len(pages) / (workers * max_pages))
    per_doc = max(1, math.ceil(len(pages) / max(1, docs)))
    runs = [pages[i : i + per_doc] for i in range(0, len(pages), per_doc)]
    css = (
        pdf.page_css(
            title=data.title,
            unit=data.scope_label,
            data=data,
            landscape=landscape,
            page_numbers=False,
            running_unit=True,
        )
        + " @page { @bottom-right { content: string(pageno); } }"
    )
    base = {"data": data, "page_css": css, "unit": data.scope_label, "lang": gettext("zh-CN")}
    language = translation.get_language()
    jobs = [
        (b, TEMPLATE, {**base, "pages": run}, font_path, FACE, CSS, language) for b, run in enumerate(runs)
    ]
    parts_pdf: dict[int, bytes] = {}

    def collect(results):
        for index, part in results:
            parts_pdf[index] = part
            progress(
                min(95, 10 + int(85 * len(parts_pdf) / len(runs))),
                gettext("已生成 {n_parts_pdf}/{n_runs}").format(n_parts_pdf=len(parts_pdf), n_runs=len(runs)),
            )

    if workers > 1 and len(jobs) > 1 and pdf._can_fork_pool():
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
            collect(pool.map(pdf._section_job, jobs))
    else:
        collect(pdf._section_job(job) for job in jobs)
    merged = pdf._merge(data, [parts_pdf[b] for b in range(len(runs))], outline, out, progress)
    if merged != len(pages):  # the fixed heights no longer match the page arithmetic above
        raise RuntimeError(
            gettext("分页不一致：应为 {n_pages} 页，实为 {merged} 页").format(
                n_pages=len(pages), merged=merged
            )
        )
    return merged
