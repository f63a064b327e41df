"""Helpers shared by the single-document report kinds (size table, vehicle allocation, tender timeline):
one WeasyPrint document per report (page numbers run through it), the "who asked, when, from which data"
line for Excel's printed header, and the 说明 sheet. Built on reports.pdf and reports.xlsx, which stay as
they are."""

from pathlib import Path

from django.utils.translation import gettext, pgettext

from core.pages import tr

from .. import pdf, xlsx
from ..registry import Column, Progress, ReportData, no_progress


def render_document(
    data: ReportData,
    template: str,
    out: Path,
    progress: Progress = no_progress,
    *,
    landscape: bool = True,
    **context,
) -> None:
    """The whole report as one PDF: the page margins carry title, scope, who asked, when, which data and
    第 X 页 / 共 Y 页 (reports.pdf.page_css)."""
    ctx = pdf.base_context(data, unit=data.scope_label, landscape=landscape, sections=data.sections)
    ctx.update(context)
    # Every character the document prints, so the job's font subset holds them all: a character missing
    # from it falls back to the whole system CJK font (embedded whole: megabytes per file).
    data.meta["_text"] = str(context) + str([s.header for s in data.sections])
    pdf.render_single(data, template, out, context=ctx, progress=progress)
    progress(95, gettext("已生成"))


def print_header(data: ReportData) -> str:
    return (
        f"{data.title} · {data.scope_label} · {data.requested_by} "
        f"{data.requested_at:%Y-%m-%d %H:%M} · {gettext('；').join(data.sources)}"
    )


ABOUT_COLUMNS = [Column("k", ("项目", "Item"), 0, 18), Column("v", ("内容", "Value"), 0, 90)]


def about_title() -> str:
    """The name of the about sheet (who asked, when, from which data)."""
    return pgettext("About", "说明")


def about_rows(data: ReportData, *extra: tuple) -> list[tuple]:
    return [
        (gettext("报表"), data.title),
        (gettext("范围"), data.scope_label),
        (gettext("请求人"), data.requested_by),
        (gettext("请求时间"), f"{data.requested_at:%Y-%m-%d %H:%M}"),
        *((pgettext("Data source", "数据来源"), s) for s in data.sources),
        *extra,
    ]


def write_about(wb, data: ReportData, *extra: tuple) -> None:
    """The about sheet (说明) of a write-only workbook: what, for whom, when, from which data."""
    ws = wb.create_sheet(about_title())
    xlsx.write_table(ws, ABOUT_COLUMNS, about_rows(data, *extra), print_header=print_header(data))


def cell_text(value) -> str:
    """A value as the PDF prints it: dates ISO, None blank, the rest as str."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()[:10]
    return str(value)


def zh(label: str) -> str:
    """The Chinese part of a bilingual choice label (在用 + in service → 在用)."""
    return str(label).split(" ", 1)[0]


def choice_label(label) -> str:
    """A bilingual choice label (在用 + in service) in the report's language: 在用, or in service."""
    head, _, tail = str(label).partition(" ")
    if not tail or not any("\u4e00" <= ch <= "\u9fff" for ch in head):
        return str(label)
    return tr(head, tail)


def pdf_table(section, columns, *, total_rows: int = 0) -> dict:
    """A section as the generic PDF table (reports/pdf/tables.html): columns with widths, left-aligned text
    columns, rows pre-formatted; the last `total_rows` rows shaded as totals."""
    cols = [
        {
            "label": c.label,
            "width": c.width_mm,
            "cls": "l" if c.number_format == "@" and c.width_mm >= 30 else "",
        }
        for c in columns
    ]
    rows = [[cell_text(v) for v in row] for row in section.rows]
    first_total = len(rows) - total_rows
    return {
        "title": section.title,
        "note": section.header.get("note", ""),
        "cols": cols,
        "rows": [
            {"cells": list(zip(r, cols, strict=True)), "total": i >= first_total} for i, r in enumerate(rows)
        ],
    }
