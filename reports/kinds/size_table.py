"""号型统计表 size table for suppliers, from a demand snapshot: items down, sizes across, men and women apart,
one block per size system, per city and in total.

Data: assets.selectors (snapshot_get / snapshot_latest, visible_rows: a city's staff see their city only)
and assets.exporters.size_blocks (the same table the demand module's Excel download shows).
PDF: A4 landscape, the total first and then a part per city (each its own document with its own page
numbers, rendered in parallel and merged), wide blocks split into column groups. Excel: a sheet per part and gender, laid out by assets.exporters.write_size_sheet."""

import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from assets import selectors as asset_selectors
from assets.exporters import size_blocks
from assets.models import ItemType
from core.errors import QMError
from core.i18n import tr
from personnel.models import OrgUnit

from .. import textgrid, xlsx
from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import root_units
from . import _tables, common

KIND = "size-table"
TITLE = "号型统计表"
TITLE_EN = "Size table"
SIZES_PER_TABLE = 16  # size columns per printed table (A4 landscape); wider blocks continue below

COLUMNS = [
    Column("gender", ("性别", "Gender"), 12, 6),
    Column("system", ("号型类别", "Size system"), 40, 20),
    Column("name", ("品名", "Item"), 46, 22),
    Column("total", ("合计", "Total"), 16, 9, "0"),
]
# The size systems' titles in one language (assets.exporters.SYSTEM_TITLE glues both).
SYSTEM_TITLES = {
    "top": ("上衣（号/型）", "Tops (height/chest)"),
    "bottom": ("下装（号/型）", "Bottoms (height/waist)"),
    "shoe_mm": ("鞋（mm）", "Shoes (mm)"),
    "hat_cm": ("帽（cm）", "Caps (cm)"),
    "none": ("标志（均码）", "Insignia (one size)"),
    "badge_number": ("胸号", "Badge numbers"),
}
GENDER_TITLES = {"M": ("男款", "Men"), "F": ("女款", "Women")}


def total_label() -> str:
    return gettext("合计")


def _localise(blocks: dict[str, list[dict]]) -> None:
    """Titles and item names of size_blocks' output in the report's language (Chinese: as they are)."""
    items = {i.code: i for i in ItemType.objects.all()}
    for gender, per_gender in blocks.items():
        for block in per_gender:
            block["title"] = tr(*SYSTEM_TITLES.get(block["system"], (block["title"], block["system"])))
            for ln in block["lines"]:
                ln["name"] = tr(ln["name"], _tables.item_name(items.get(ln["code"]), gender, ln["code"]))


class SizeTableParams(ParamsBase):
    snapshot: int | None = None  # a demand snapshot's id; default the latest


def _chunks(block: dict, width: int = SIZES_PER_TABLE) -> list[dict]:
    """A block's sizes in column groups of at most `width`; the total column on the last group."""
    sizes = block["sizes"]
    out = []
    for start in range(0, max(1, len(sizes)), width):
        stop = start + width
        last = stop >= len(sizes)
        n = len(sizes[start:stop])
        out.append(
            {
                "sizes": sizes[start:stop],
                "last": last,
                "width_mm": 46 + 13 * n + (15 if last else 0),
                "lines": [
                    {
                        "code": ln["code"],
                        "name": ln["name"],
                        "quantities": ln["quantities"][start:stop],
                        "total": ln["total"],
                    }
                    for ln in block["lines"]
                ],
                "totals": block["totals"][start:stop],
                "total": block["total"],
            }
        )
    return out


def _part(key: str, title: str, group: str, rows: list[dict]) -> Section:
    blocks = size_blocks(rows)
    _localise(blocks)
    genders, flat = [], []
    for gender in ("M", "F"):
        if not blocks[gender]:
            continue
        label = _tables.gender_label(gender)
        for block in blocks[gender]:
            block["chunks"] = _chunks(block)
            flat += [(label, block["title"], ln["name"], ln["total"]) for ln in block["lines"]]
        genders.append(
            {
                "gender": gender,
                "label": tr(*GENDER_TITLES[gender]),
                "blocks": blocks[gender],
                "total": sum(b["total"] for b in blocks[gender]),
            }
        )
    return Section(
        key=key,
        title=title,
        group=group,
        rows=flat,
        header={"genders": genders, "blocks": blocks, "total": sum(g["total"] for g in genders)},
    )


def collect(
    user, params: SizeTableParams, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    if params.county:
        raise QMError(
            "bad_params",
            gettext("号型统计表按市州统计，不能按县"),
            {"field": "county"},
        )
    roots = root_units(user, params)  # an out-of-scope city → 404, a county code as city → 400
    snap = (
        asset_selectors.snapshot_get(user, params.snapshot)
        if params.snapshot is not None
        else asset_selectors.snapshot_latest(user)
    )
    progress(2, gettext("读取需求快照 #{pk}").format(pk=snap.pk))
    rows = asset_selectors.visible_rows(user, snap, params.city)
    cities = {u.code: u.name for u in OrgUnit.objects.filter(code__in={r["city_code"] for r in rows})}
    by_city: dict[str, list[dict]] = {}
    for r in rows:
        by_city.setdefault(r["city_code"], []).append(r)
    sections = []
    if len(by_city) != 1:
        province = asset_selectors.city_codes_for(user) is None
        label = gettext("全省合计") if province else total_label()
        sections.append(_part("total", label, total_label(), rows))
    for code in sorted(by_city):
        sections.append(_part(code, cities.get(code, code), cities.get(code, code), by_city[code]))
    progress(4, gettext("{n_rows} 行，{n_by_city} 个市州").format(n_rows=len(rows), n_by_city=len(by_city)))
    if params.city:
        scope_label = roots[0].name
    elif asset_selectors.city_codes_for(user) is None:
        scope_label = gettext("全省")
    else:
        scope_label = "、".join(cities.get(c, c) for c in sorted(by_city)) or "—"
    made = f"{timezone.localtime(snap.created_at):%Y-%m-%d %H:%M}"
    sources = [
        gettext("需求快照 #{pk}（{made}）").format(pk=snap.pk, made=made),
        gettext("配发标准第 {number} 版").format(number=snap.standard_version.number),
        gettext("数量不含 {margin_percent}% 备用").format(margin_percent=snap.margin_percent),
    ]
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=scope_label,
        requested_by=user.get_username(),
        requested_at=timezone.localtime(now or timezone.now()),
        sources=sources,
        columns=COLUMNS,
        sections=sections,
        meta={"snapshot": snap.pk, "snapshot_note": snap.note, "margin_percent": snap.margin_percent},
    )


def _grid_part(section: Section) -> textgrid.Part:
    """A part (the total, a city) as tables of monospaced text lines: per gender and size system, its sizes in
    column groups of SIZES_PER_TABLE, an item per row, the totals row shaded."""
    tables = []
    # half-width characters: names of up to 11 CJK characters, sizes of up to 8 ("155/100A": no smaller type),
    # totals of up to 8 digits; 25 + 16 × 10 + 10 = 195 fit A4 landscape (196)
    name_cells, size_cells, total_cells = 25, 10, 10
    for g in section.header["genders"]:
        for b_index, b in enumerate(g["blocks"]):
            for c_index, c in enumerate(b["chunks"]):
                cols = [
                    textgrid.GridColumn(b["title"], name_cells, "l"),
                    *(textgrid.GridColumn(z, size_cells, "r") for z in c["sizes"]),
                ]
                if c["last"]:
                    cols.append(textgrid.GridColumn(total_label(), total_cells, "r"))
                last = c["last"]
                rows = [
                    [
                        ln["name"],
                        *(str(q) if q else "" for q in ln["quantities"]),
                        *([str(ln["total"])] if last else []),
                    ]
                    for ln in c["lines"]
                ]
                rows.append(
                    [total_label(), *(str(q) for q in c["totals"]), *([str(c["total"])] if last else [])]
                )
                title = f"{g['label']} · {b['title']}"
                if len(b["chunks"]) > 1:
                    title += f"（{c_index + 1}/{len(b['chunks'])}）"
                if b_index == 0 and c_index == 0:
                    title = (
                        gettext("{label}（{total} 件）").format(label=g["label"], total=g["total"])
                        + f" · {b['title']}"
                    )
                note = _part_total(section) if not tables else ""
                tables.append(textgrid.Table(title=title, columns=cols, rows=rows, shaded=1, note=note))
    if not tables:
        tables.append(textgrid.Table(title=gettext("没有数量"), columns=[], rows=[]))
    return textgrid.Part(title=section.title, tables=tables, bookmark=_part_total(section))


def _part_total(section: Section) -> str:
    n = section.header["total"]
    return gettext("{title}\u3000合计 {n} 件").format(title=section.title, n=n)


def render_pdf(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    """The total first, then a part per city, each numbering its own pages (a city files its own): tables set
    as lines of monospaced text, paginated in Python and rendered in the process pool (reports/textgrid.py)."""
    if not data.sections:
        common.render_document(data, "reports/pdf/size_table.html", out, progress, section=None)
        return
    textgrid.render(data, [_grid_part(s) for s in data.sections], out, progress=progress)


BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_size_sheet(ws, blocks: list[dict], *, heading: str, title: str) -> int:
    """One gender's blocks on a (normal) worksheet, items by name (never by code), sizes across; returns the
    grand total. The layout of assets.exporters' size sheet, in the report's one language."""

    def put(row, col, value, **style):
        cell = ws.cell(row=row, column=col)
        xlsx.set_safe(cell, value)
        for k, v in style.items():
            setattr(cell, k, v)

    put(1, 1, heading, font=BOLD)
    put(2, 1, title)
    r, grand = 4, 0
    for block in blocks:
        sizes = block["sizes"]
        put(r, 1, block["title"], font=BOLD)
        r += 1
        put(r, 1, gettext("品名"), font=BOLD, fill=HEAD_FILL)
        for j, size in enumerate(sizes):
            put(r, 2 + j, size, font=BOLD, fill=HEAD_FILL, alignment=Alignment(horizontal="center"))
        put(r, 2 + len(sizes), total_label(), font=BOLD, fill=HEAD_FILL)
        r += 1
        for line in block["lines"]:
            put(r, 1, line["name"])
            for j, q in enumerate(line["quantities"]):
                if q:
                    put(r, 2 + j, q)
            put(r, 2 + len(sizes), line["total"], font=BOLD)
            grand += line["total"]
            r += 1
        put(r, 1, total_label(), font=BOLD)
        for j, q in enumerate(block["totals"]):
            put(r, 2 + j, q, font=BOLD)
        put(r, 2 + len(sizes), block["total"], font=BOLD)
        r += 2
    put(r, 1, gettext("总计"), font=BOLD)
    put(r, 2, grand, font=BOLD)
    ws.column_dimensions["A"].width = 24
    for col in range(2, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].width = 9
    ws.freeze_panes = "B4"
    return grand


def render_xlsx(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    """A sheet per part (total, each city) and gender, as assets.exporters lays it out."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    header = common.print_header(data)
    title = gettext("；").join(data.sources)
    for n, section in enumerate(data.sections, 1):
        for gender in section.header["genders"]:
            ws = wb.create_sheet(xlsx.sheet_title(f"{section.group} {gender['label']}", taken))
            write_size_sheet(
                ws,
                gender["blocks"],
                title=title,
                heading=f"{data.title} · {gender['label']} · {section.title}",
            )
            ws.oddHeader.left.text = header[:250]
            ws.oddFooter.center.text = gettext("第 &P 页 / 共 &N 页")
        progress(5 + int(90 * n / max(1, len(data.sections))), gettext("工作表 ") + section.title)
    about = wb.create_sheet(common.about_title())
    for i, (k, v) in enumerate(common.about_rows(data, (gettext("快照说明"), data.meta["snapshot_note"])), 1):
        xlsx.set_safe(about.cell(row=i, column=1), k)
        xlsx.set_safe(about.cell(row=i, column=2), v)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 90
    wb.save(out)


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=SizeTableParams,
        renderers={"pdf": render_pdf, "xlsx": render_xlsx},
        description="供应商用号型统计：品类×号型，男女分列，分市州及合计（默认最新需求快照）",
        description_en="Sizes for the supplier: item by size, men's and women's apart, per city and in total "
        "(the latest demand snapshot unless another is chosen)",
    )
)
