"""The size table suppliers receive (号型统计表) as an Excel workbook.

Items down, sizes across, men and women apart (a sheet each: they are different goods), one block per
size system (garment tops, bottoms, shoes, caps, one-size insignia) since each has its own sizes, with a
total per item (row) and per size (column). Any text beginning with = + - @ is written as text, never as
a formula (the one-size code '-' included).
"""

import io
import re
from collections import defaultdict

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.xlsx_text import FORMULA_PREFIXES

from .kit import SKIRT_CODE, SKIRT_ITEM, SKIRT_NAME
from .models import ItemType

FORMULA_START = FORMULA_PREFIXES
# one sheet per gender, named in the user's language
GENDER_SHEET = {"M": pgettext_lazy("size table sheet", "男"), "F": pgettext_lazy("size table sheet", "女")}
SYSTEM_ORDER = ["top", "bottom", "shoe_mm", "hat_cm", "none", "badge_number"]
SYSTEM_TITLE = {
    "top": gettext_lazy("上衣（号/型）"),
    "bottom": gettext_lazy("下装（号/型）"),
    "shoe_mm": pgettext_lazy("shoes (mm)", "鞋"),
    "hat_cm": pgettext_lazy("caps (cm)", "帽"),
    "none": pgettext_lazy("insignia (one size)", "标志"),
    "badge_number": pgettext_lazy("badge numbers", "胸号"),
}
GARMENT = re.compile(r"^(\d+)/(\d+)([A-Z])$")
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def size_key(size: str):
    """Sizes in reading order: garments by 号, then 型, then body type; shoes and caps by number."""
    m = GARMENT.match(size)
    if m:
        return (0, int(m[1]), int(m[2]), m[3])
    if size.isdigit():
        return (1, int(size), 0, "")
    return (2, 0, 0, size)


def put(ws, row: int, col: int, value, **style):
    """Write a cell; text that a spreadsheet would read as a formula stays text."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    for k, v in style.items():
        setattr(cell, k, v)
    return cell


def size_blocks(rows: list[dict]) -> dict[str, list[dict]]:
    """rows [{city_code, item_code, gender, size, quantity}] → per gender ('M', 'F') the blocks of the size
    table, one per size system in SYSTEM_ORDER: {system, title, sizes (reading order), lines [{code, name,
    quantities (one per size), total}], totals (per size), total}. Shared by the Excel below and the
    size-table report (reports/kinds/size_table.py)."""
    items = {i.code: i for i in ItemType.objects.all()}
    order = {code: i.sort_order for code, i in items.items()}
    order[SKIRT_CODE] = order.get(SKIRT_ITEM, 0) + 0.5
    # gender → system → item → size → quantity
    table = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(int))))
    for r in rows:
        system = "bottom" if r["item_code"] == SKIRT_CODE else items[r["item_code"]].size_system
        table[r["gender"]][system][r["item_code"]][r["size"]] += r["quantity"]
    out: dict[str, list[dict]] = {}
    for gender in ("M", "F"):
        blocks = []
        for system in SYSTEM_ORDER:
            block = table[gender].get(system)
            if not block:
                continue
            sizes = sorted({s for per_item in block.values() for s in per_item}, key=size_key)
            col_totals = [0] * len(sizes)
            lines = []
            for code in sorted(block, key=lambda c: (order.get(c, 0), c)):
                name = SKIRT_NAME if code == SKIRT_CODE else items[code].name_for(gender)
                quantities = [block[code].get(size, 0) for size in sizes]
                for j, q in enumerate(quantities):
                    col_totals[j] += q
                lines.append({"code": code, "name": name, "quantities": quantities, "total": sum(quantities)})
            blocks.append(
                {
                    "system": system,
                    "title": SYSTEM_TITLE[system],
                    "sizes": sizes,
                    "lines": lines,
                    "totals": col_totals,
                    "total": sum(col_totals),
                }
            )
        out[gender] = blocks
    return out


def write_size_sheet(ws, blocks: list[dict], *, heading: str, title: str) -> int:
    """One gender's blocks on a (normal, not write-only) worksheet; returns the grand total."""
    put(ws, 1, 1, heading, font=BOLD)
    put(ws, 2, 1, title)
    r = 4
    grand = 0
    for block in blocks:
        sizes = block["sizes"]
        put(ws, r, 1, block["title"], font=BOLD)
        r += 1
        put(ws, r, 1, gettext("代码"), font=BOLD, fill=HEAD_FILL)
        put(ws, r, 2, gettext("品名"), font=BOLD, fill=HEAD_FILL)
        for j, size in enumerate(sizes):
            put(ws, r, 3 + j, size, font=BOLD, fill=HEAD_FILL, alignment=Alignment(horizontal="center"))
        put(ws, r, 3 + len(sizes), gettext("合计"), font=BOLD, fill=HEAD_FILL)
        r += 1
        for line in block["lines"]:
            put(ws, r, 1, line["code"])
            put(ws, r, 2, line["name"])
            for j, q in enumerate(line["quantities"]):
                if q:
                    put(ws, r, 3 + j, q)
            put(ws, r, 3 + len(sizes), line["total"], font=BOLD)
            grand += line["total"]
            r += 1
        put(ws, r, 2, gettext("合计"), font=BOLD)
        for j, q in enumerate(block["totals"]):
            put(ws, r, 3 + j, q, font=BOLD)
        put(ws, r, 3 + len(sizes), block["total"], font=BOLD)
        r += 2
    put(ws, r, 2, gettext("总计"), font=BOLD)
    put(ws, r, 3, grand, font=BOLD)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 22
    for col in range(3, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].width = 9
    ws.freeze_panes = "C4"
    return grand


def size_table_xlsx(rows: list[dict], *, title: str, city_code: str | None = None) -> bytes:
    """rows: [{city_code, item_code, gender, size, quantity}] (a live demand or a snapshot's rows)."""
    blocks = size_blocks(rows)
    wb = Workbook()
    wb.remove(wb.active)
    for gender in ("M", "F"):
        ws = wb.create_sheet(str(GENDER_SHEET[gender]))
        write_size_sheet(
            ws,
            blocks[gender],
            title=title,
            heading=gettext("号型统计表 · {gender} · {where}").format(
                gender=GENDER_SHEET[gender], where=city_code or gettext("全省")
            ),
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
