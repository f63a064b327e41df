"""签领表 sign-for sheets: per unit, one row per officer who receives uniforms (name, badge number, top,
bottom, shoe and cap sizes, pieces in the kit, a signature column), the kit's contents once in the header.

PDF: one document per unit rendered in a process pool and merged, so pages are numbered within each unit.
No table: the page is laid out here. Every block has a fixed height (static/reports/sign_for.css), so we know
how many rows fit on a page and write the pages ourselves, each with its header row and "第 X 页 / 共 Y 页";
a row is one block with one line of monospaced CJK text, its columns padded to fixed widths, the vertical rules
drawn by a few positioned boxes per page. WeasyPrint then lays out ~3 boxes per row instead of a table of 8
cells per row (table layout and pagination were ~60% of the time), ~4× less CPU per row.
Excel: one sheet per city (write-only), a unit column."""

import datetime
import unicodedata
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping
from html import escape
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from assets.kit import active_items
from assets.sizes import (
    MADE_TO_MEASURE,
    MISSING,
    cap_size,
    foot_length,
    garment_sizes,
    officer_sizes,
    shoe_size,
)
from core.pages import tr
from personnel.models import Officer, OrgUnit

from .. import pdf, xlsx
from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import roll_as_of, root_units, scope_label
from . import _tables, common

KIND = "sign-for-sheets"
TITLE = "被装签领表"
TITLE_EN = "Uniform sign-for sheets"

COLUMNS = [
    Column("seq", ("序号", "No."), 12, 6, "0"),
    Column("name", ("姓名", "Name"), 34, 12),
    Column("badge", ("胸号", "Badge"), 28, 12),
    Column("top", ("上衣号型", "Top size"), 30, 11),
    Column("bottom", ("下装号型", "Bottom size"), 30, 11),
    Column("shoe", ("鞋号(mm)", "Shoe (mm)"), 22, 9),
    Column("cap", ("帽号(cm)", "Cap (cm)"), 22, 9),
    Column("pieces", ("件数", "Pieces"), 18, 7, "0"),
    Column("signature", ("本人签名", "Signature"), 81, 16),
]
# PDF geometry, in mm; the heights must match static/reports/sign_for.css.
PDF_FACE = "mono"
FONT_PT = 10
CELL_MM = FONT_PT / 2 * 25.4 / 72  # one half-width character of "Noto Sans Mono CJK SC" at 10 pt
PDF_CELLS = (5, 14, 14, 14, 14, 10, 10, 6)  # half-width characters per column; the signature takes the rest
PAGE_H = 180.0  # A4 landscape 210 mm − margins 16 + 14
TITLE_H, META_H = 9.0, 5.0  # first page only
KIT_LINE_H, KIT_BOX, KIT_GAP = 3.4, 3.4, 2.0  # kit box: lines + padding and border; margin below
ROW_H = 6.2  # every row and the header row
FOOT_H = 7.0  # 发放人 / 复核人 / 日期 and 第 X 页 / 共 Y 页, on every page
GRID_BORDERS, SLACK = 0.36, 1.0
XLSX_COLUMNS = [
    Column("unit", ("单位", "Unit"), 0, 22),
    *COLUMNS[:-1],
    Column("signature", ("本人签名", "Signature"), 0, 16),
]


# What build() reads of an officer (a personnel.Officer has the same attributes).
ROLL_FIELDS = (
    "id",
    "name",
    "gender",
    "unit_id",
    "height_cm",
    "chest_cm",
    "waist_cm",
    "head_cm",
    "foot_mm",
    "shoe_eu",
)
RollRow = namedtuple("RollRow", ("pk", *ROLL_FIELDS[1:]))


class SignForParams(ParamsBase):
    include_ineligible: bool = False  # also officers without a certificate / not serving (for checking)


BadgeProvider = Callable[[list[int]], Mapping[int, str]]


def badge_number_provider() -> BadgeProvider | None:
    """settings.REPORT_BADGE_NUMBER_PROVIDER: dotted path to fn(officer_ids) → {officer_id: badge number};
    distribution sets it when badge numbers exist. Unset: the column stays empty for a hand-written number."""
    path = getattr(settings, "REPORT_BADGE_NUMBER_PROVIDER", None)
    return import_string(path) if path else None


def _size_text(size) -> str:
    if size.code:
        return size.code
    if size.status == MADE_TO_MEASURE:
        return _tables.size_label("?mtm")
    if size.status == MISSING:
        return _tables.size_label("?missing")
    return "—"


def kit_separator() -> str:
    return gettext("、")


def kit_lines(parts: list[str], width: int | None = None) -> list[str]:
    """The kit's contents as lines of at most `width` characters (Chinese 100, English 180: Latin letters
    are half as wide in the mono face), broken between items."""
    width = width or int(gettext("100"))
    sep = kit_separator()
    lines, line = [], ""
    for part in parts:
        piece = f"{sep}{part}" if line else part
        if line and len(line) + len(piece) > width:
            lines.append(line + sep.strip())
            line = part
        else:
            line += piece
    return [*lines, line] if line else lines


def kit_parts(items) -> tuple[list[str], int]:
    parts, pieces = [], 0
    for item in items:
        if item.qty_per_officer <= 0:
            continue
        pieces += item.qty_per_officer
        parts.append(f"{tr(item.name_zh, item.name_en)}×{item.qty_per_officer}")
    return parts, pieces


def kit_summary(items) -> tuple[str, int]:
    parts, pieces = kit_parts(items)
    return kit_separator().join(parts), pieces


def officer_row(seq: int, officer, badge: str, pieces: int) -> tuple:
    sizes = officer_sizes(officer)
    return (
        seq,
        officer.name,
        badge,
        _size_text(sizes["top"]),
        _size_text(sizes["bottom"]),
        _size_text(sizes["shoe_mm"]),
        _size_text(sizes["hat_cm"]),
        pieces,
        "",
    )


class _SizeCells:
    """The four size cells of officer_row (top, bottom, shoe, cap), computed the same way, for a whole roll:
    the texts of a size are looked up once per report, and shoe and cap sizes once per distinct foot length
    and head girth (a roll has a few dozen of each), not per officer."""

    def __init__(self):
        self.texts: dict = {}
        self.shoes: dict = {}
        self.caps: dict = {}

    def text(self, size) -> str:
        try:
            return self.texts[size]
        except KeyError:
            text = self.texts[size] = _size_text(size)
            return text

    def __call__(self, officer) -> tuple[str, str, str, str]:
        top, bottom = garment_sizes(officer.gender, officer.height_cm, officer.chest_cm, officer.waist_cm)
        foot = foot_length(officer.foot_mm, getattr(officer, "shoe_eu", None))
        shoe = self.shoes.get(foot)
        if shoe is None:
            shoe = self.shoes[foot] = self.text(shoe_size(foot))
        cap = self.caps.get(officer.head_cm)
        if cap is None:
            cap = self.caps[officer.head_cm] = self.text(cap_size(officer.head_cm))
        return self.text(top), self.text(bottom), shoe, cap


def build(
    officers: Iterable,
    units: Mapping[int, OrgUnit],
    *,
    items,
    requested_by: str,
    requested_at: datetime.datetime,
    sources: list[str],
    label: str,
    badge_numbers: Mapping[int, str] | None = None,
    progress: Progress = no_progress,
) -> ReportData:
    """ReportData from officers already chosen (the benchmark passes in-memory officers here)."""
    parts, pieces = kit_parts(items)
    kit_text = kit_separator().join(parts)
    badge_numbers = badge_numbers or {}
    size_cells = _SizeCells()
    sections: dict[int, Section] = {}
    rows: list = []
    unit_id = None
    for officer in officers:
        if officer.unit_id != unit_id:
            unit_id = officer.unit_id
            section = sections.get(unit_id)
            if section is None:
                unit = units[unit_id]
                city = units.get(unit.city_id) if unit.city_id else None
                section = sections[unit_id] = Section(
                    key=unit.code,
                    title=unit.name,
                    group=city.name if city else unit.name,
                    header={"path": unit.path},
                )
            rows = section.rows
        pk = officer.pk
        rows.append(
            (
                len(rows) + 1,
                officer.name,
                badge_numbers.get(pk, "") if pk else "",
                *size_cells(officer),
                pieces,
                "",
            )
        )
    ordered = sorted(sections.values(), key=lambda s: s.header["path"])
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=label,
        requested_by=requested_by,
        requested_at=requested_at,
        sources=sources,
        columns=COLUMNS,
        sections=ordered,
        meta={
            "kit_text": kit_text,
            "kit_lines": kit_lines(parts),
            "pieces_per_officer": pieces,
            "items": len(items),
        },
    )


def collect(
    user,
    params: SignForParams,
    *,
    progress: Progress = no_progress,
    badge_numbers: Mapping[int, str] | None = None,
    now: datetime.datetime | None = None,
) -> ReportData:
    roots = root_units(user, params)
    progress(1, gettext("读取花名册"))
    qs = Officer.objects.restrict(user)

    under = Q()
    for root in roots:
        under |= Q(unit__path__startswith=root.path)
    qs = qs.filter(under)
    if not params.include_ineligible:
        qs = qs.eligible()
    # Plain rows, not model instances: every field the sizes need is read here (a deferred one would cost a
    # query per officer).
    officers = [RollRow._make(r) for r in qs.order_by("unit__path", "name", "id").values_list(*ROLL_FIELDS)]
    unit_ids = {o.unit_id for o in officers}
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit_ids)}
    city_ids = {u.city_id for u in units.values() if u.city_id} - set(units)
    units.update({u.pk: u for u in OrgUnit.objects.filter(pk__in=city_ids)})
    if badge_numbers is None:
        provider = badge_number_provider()
        badge_numbers = provider([o.pk for o in officers]) if provider else {}
    items = active_items()
    sources = [
        gettext("人员花名册，截至 {roll_as_of}").format(roll_as_of=roll_as_of(qs)),
        gettext("配发标准（{n_items} 个品类）").format(n_items=len(items)),
        gettext("胸号：") + (gettext("配发台账") if badge_numbers else gettext("尚未分配")),
    ]
    progress(4, gettext("{n_officers} 名人员").format(n_officers=len(officers)))
    return build(
        officers,
        units,
        items=items,
        requested_by=user.get_username(),
        requested_at=now or timezone.now(),
        sources=sources,
        label=scope_label(roots),
        badge_numbers=badge_numbers,
        progress=progress,
    )


def text_width(text: str) -> int:
    """Width in half-width characters in the mono face: CJK (and East-Asian ambiguous, e.g. ×·…) count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def cell(value, cells: int) -> str:
    """`value` centred in a column of `cells` half-width characters, HTML-escaped. Text wider than its column
    (a long name) is set smaller so it still fits its column: nothing is cut off and the columns stay aligned."""
    text = str(value)
    width = text_width(text)
    if width > cells:
        return f'<span style="font-size:{100 * cells / width:.2f}%">{escape(text)}</span>'
    left = (cells - width) // 2
    return " " * left + escape(text) + " " * (cells - width - left)


def row_line(row) -> str:
    return "".join(cell(v, n) for v, n in zip(row, PDF_CELLS, strict=False))


def rows_html(rows) -> str:
    """The rows as lines of text (the signature column is the empty rest of each line), for a `white-space:
    pre` block whose line height is the row height; the grid is its repeated background."""
    return "\n".join(row_line(r) for r in rows)


def grid_css() -> str:
    """The ruling of one row (its bottom rule and the rules between the columns) as an SVG tile repeated down
    the grid block, over it the same tile on grey for the header line. Drawn per page, not per row."""
    xs = []
    x = 0.0
    for n in PDF_CELLS:
        x += n * CELL_MM
        xs.append(x)
    width, stroke = 280, 0.18  # the tile is wider than the grid; 0.18 mm = 0.5 pt

    def tile(fill: str) -> str:
        lines = "".join(f'<path d="M{x:.3f} 0V{ROW_H}"/>' for x in xs)
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{ROW_H}mm" '
            f'viewBox="0 0 {width} {ROW_H}">{fill}<g stroke="#000" stroke-width="{stroke}">{lines}'
            f'<path d="M0 {ROW_H - stroke / 2:.3f}H{width}"/></g></svg>'
        )
        return f'url("data:image/svg+xml,{quote(svg)}")'

    head = tile(f'<rect width="{width}" height="{ROW_H}" fill="#eee"/>')
    return f".grid {{ background: {head} no-repeat, {tile('')} repeat-y; }}"


def kit_height(lines: int) -> float:
    return round(lines * KIT_LINE_H + KIT_BOX, 2)


def rows_per_page(kit_lines: int) -> tuple[int, int]:
    """Rows that fit on a unit's first page (title, unit line and kit above the rows) and on the others."""
    body = PAGE_H - FOOT_H - GRID_BORDERS - SLACK - ROW_H  # the header row is on every page
    first = body - TITLE_H - META_H - kit_height(kit_lines) - KIT_GAP
    return int(first // ROW_H), int(body // ROW_H)


def paginate(rows: list, first: int, rest: int) -> list[list]:
    pages = [rows[:first]]
    pages += [rows[i : i + rest] for i in range(first, len(rows), rest)]
    return pages


def head_line() -> str:
    """The column header as one line (fixed labels, already escaped)."""
    return (
        "".join(cell(c.label, n) for c, n in zip(COLUMNS, PDF_CELLS, strict=False)) + "  " + COLUMNS[-1].label
    )


def page_count(section: Section, kit_lines: int) -> int:
    return len(paginate(section.rows, *rows_per_page(kit_lines)))


def _batch_context(data: ReportData, sections: list[Section]) -> dict:
    """Context of one document holding the sheets of consecutive units, each paginated here."""
    unit = sections[0].title if len(sections) == 1 else data.scope_label
    ctx = pdf.base_context(
        data, unit=unit, landscape=True, sections=sections, page_numbers=False, running_unit=True
    )
    ctx["page_css"] += grid_css()
    kit = data.meta["kit_lines"]
    first, rest = rows_per_page(len(kit))
    ctx.update(
        kit_height=kit_height(len(kit)),
        head_line=head_line(),
        sheets=[
            {
                "section": s,
                "pages": [
                    {"rows": rows_html(chunk), "height": round((len(chunk) + 1) * ROW_H, 2)}
                    for chunk in paginate(s.rows, first, rest)
                ],
            }
            for s in sections
        ],
    )
    return ctx


def render_pdf(
    data: ReportData, out: Path, progress: Progress = no_progress, *, workers: int | None = None
) -> None:
    if not data.sections:
        pdf.render_single(
            data,
            "reports/pdf/empty.html",
            out,
            context=pdf.base_context(data, unit=data.scope_label, landscape=True, sections=[]),
        )
        return
    kit = len(data.meta["kit_lines"])
    pdf.render_paginated(
        data,
        "reports/pdf/sign_for_sheets.html",
        out,
        context_for=lambda sections: _batch_context(data, sections),
        page_count=lambda s: page_count(s, kit),
        progress=progress,
        workers=workers,
        face=PDF_FACE,
        css="sign_for.css",
    )


def render_xlsx(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    wb = xlsx.new_workbook()
    taken: set[str] = set()
    groups: dict[str, list[Section]] = {}
    for section in data.sections:
        groups.setdefault(section.group, []).append(section)
    header = common.print_header(data)
    for n, (group, sections) in enumerate(groups.items(), 1):
        ws = wb.create_sheet(xlsx.sheet_title(group or "—", taken))
        rows = ((s.title, *r) for s in sections for r in s.rows)
        xlsx.write_table(ws, XLSX_COLUMNS, rows, print_header=header)
        progress(5 + int(90 * n / max(1, len(groups))), gettext("工作表 ") + (group or "—"))
    common.write_about(
        wb,
        data,
        (gettext("配发内容"), data.meta["kit_text"]),
        (gettext("人数"), data.row_count),
    )
    wb.save(out)


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=SignForParams,
        renderers={"pdf": render_pdf, "xlsx": render_xlsx},
        description="每单位一份，逐人签名；PDF 每单位独立页码",
        description_en="One per unit, signed by each officer; in the PDF each unit's pages are numbered on their own",
    )
)
