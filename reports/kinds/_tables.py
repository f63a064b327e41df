"""Shared renderers of the distribution and station kinds: a report of titled tables (each Section carries its
own columns in header["columns"], an optional inline SVG chart in header["svg"] and a note), one PDF document
(page numbers run through it) and an Excel workbook with a sheet per section."""

from decimal import Decimal
from html import escape
from pathlib import Path

from django.utils.translation import gettext

from assets.kit import SKIRT_CODE, SKIRT_NAME, SKIRT_NAME_EN
from core.pages import tr

from .. import textgrid, xlsx
from ..registry import Column, Progress, ReportData, Section, no_progress
from . import common

# What prints where the data holds a letter or a token: names in the report's one language, never the code.
GENDERS = {"M": ("男", "men"), "F": ("女", "women"), "U": ("通用", "unisex")}
SIZE_LABELS = {
    "?missing": ("缺少量体数据", "measurements missing"),
    "?mtm": ("量体定制", "made to measure"),
    "-": ("—", "—"),
}


def gender_label(g: str) -> str:
    return tr(*GENDERS[g]) if g in GENDERS else g


def size_label(s: str) -> str:
    return tr(*SIZE_LABELS[s]) if s in SIZE_LABELS else s


def item_name(item, gender: str = "", code: str = "") -> str:
    """An item type's name in the report's language (Chinese: the name of the gender's version)."""
    if item is None:
        return tr(SKIRT_NAME, SKIRT_NAME_EN) if code == SKIRT_CODE else gettext("其他品类")
    return tr(item.name_for(gender), item.name_en)


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _cell(value, col: Column) -> str:
    if value is None:
        return "<td>"
    if isinstance(value, Decimal):
        return f'<td class="r">{value:,.2f}'
    if isinstance(value, int):
        return f'<td class="r">{value}'
    css = ' class="l"' if col.number_format == "@" else ""
    return f"<td{css}>{escape(str(value))}"


def rows_html(columns: list[Column], rows) -> str:
    return "".join(
        "<tr>" + "".join(_cell(v, c) for v, c in zip(r, columns, strict=False)) + "\n" for r in rows
    )


def section_columns(data: ReportData, section: Section) -> list[Column]:
    return section.header.get("columns") or data.columns


print_header = common.print_header


def pdf_parts(data: ReportData) -> list[textgrid.Part]:
    """The report as one part (page numbers run through it): a table per section that goes to the PDF."""
    tables = [
        textgrid.table_from_rows(
            section.title,
            section_columns(data, section),
            section.rows,
            note=section.header.get("note", ""),
            svg=section.header.get("svg", ""),
            new_page=bool(section.header.get("new_page")),
            shaded=int(section.header.get("totals", 0)),
        )
        for section in data.sections
        if section.header.get("pdf") is not False
    ]  # False: Excel only
    return [textgrid.Part(title=data.scope_label, tables=tables)]


def render_pdf(
    data: ReportData,
    out: Path,
    progress: Progress = no_progress,
    *,
    landscape: bool = True,
    workers: int | None = None,
) -> None:
    """One PDF, page numbers running through it: each section a table set as lines of monospaced text and
    paginated in Python (reports/textgrid.py), its header line on every page, no row split, the pages
    rendered in the process pool and merged."""
    textgrid.render(data, pdf_parts(data), out, landscape=landscape, progress=progress, workers=workers)


def about_sheet(wb, data: ReportData, extra: list[tuple] = ()) -> None:
    common.write_about(wb, data, *extra)


def render_xlsx(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    """One sheet per section (named after it), its own columns; the header says who asked, when, from what."""
    wb = xlsx.new_workbook()
    taken: set[str] = set()
    header = print_header(data)
    for n, section in enumerate(data.sections, 1):
        ws = wb.create_sheet(xlsx.sheet_title(section.header.get("sheet") or section.title, taken))
        xlsx.write_table(ws, section_columns(data, section), section.rows, print_header=header)
        progress(5 + int(90 * n / max(1, len(data.sections))), gettext("工作表 ") + section.title)
    about_sheet(wb, data)
    wb.save(out)
