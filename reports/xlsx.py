"""Excel helpers every writer uses: a value that would start a formula is written as text, one frozen header
row, widths and number formats. Other modules may reuse safe_value() and write_table()."""

import datetime
import decimal
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.xlsx_text import FORMULA_PREFIXES, is_formula_like  # noqa: F401  (the one rule, re-exported)

SHEET_TITLE_BAD = set("[]:*?/\\")


def safe_value(value):
    """A cell value: numbers, dates and Decimals stay typed, anything else becomes its string. Callers then
    force formula-looking strings to text (text_cell / set_safe)."""
    if value is None:
        return None
    if isinstance(value, bool | int | float | decimal.Decimal | datetime.date | datetime.datetime):
        return value
    return str(value)


def text_cell(ws, value, style_font=None):
    """A write-only cell holding `value`; a formula-looking string is stored as a string, never a formula."""
    cell = WriteOnlyCell(ws, value=safe_value(value))
    if is_formula_like(value) or cell.data_type == "f":
        cell.data_type = "s"
    if style_font is not None:
        cell.font = style_font
    return cell


def set_safe(cell, value) -> None:
    """For normal (not write-only) worksheets: cell.value = value, never as a formula."""
    cell.value = safe_value(value)
    if is_formula_like(value):
        cell.data_type = "s"


def sheet_title(name: str, taken: set[str]) -> str:
    """Excel sheet titles: at most 31 characters, none of []:*?/\\, unique."""
    base = "".join("_" if c in SHEET_TITLE_BAD else c for c in name).strip("'")[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


HEADER_FONT = Font(bold=True)


def write_table(ws, columns: Sequence, rows: Iterable[Sequence], *, print_header: str = "") -> int:
    """Write a write-only sheet: one bold header row, frozen, column widths, number formats per column;
    `print_header` goes in the printed page header (who asked, when, from which data), with page X of Y below.

    `columns` are objects with .label, .xlsx_width and .number_format. Returns rows written."""
    for i, col in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.xlsx_width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    if print_header:
        ws.oddHeader.left.text = print_header[:250]
        ws.oddFooter.center.text = gettext("第 &P 页 / 共 &N 页")
    ws.append([text_cell(ws, col.label, HEADER_FONT) for col in columns])
    # Plain values take openpyxl's fast path; only a formula-looking string (forced to text) or a column
    # with a number format ("0", "0.00"…) needs a cell object. Text needs no "@" format.
    # The style of a formatted column is made once and shared by its cells (a write-only cell is written and
    # dropped; nothing changes it after), instead of looking the format up again for every cell.
    styles = {}
    for i, col in enumerate(columns):
        if col.number_format not in ("@", "General", ""):
            template = WriteOnlyCell(ws, value=0)
            template.number_format = col.number_format
            styles[i] = template._style
    n = 0
    for row in rows:
        values = [safe_value(v) for v in row]
        for i, value in enumerate(values):
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                values[i] = text_cell(ws, value)
            elif i in styles and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell._style = styles[i]
                values[i] = cell
        ws.append(values)
        n += 1
    return n


def new_workbook() -> Workbook:
    return Workbook(write_only=True)
