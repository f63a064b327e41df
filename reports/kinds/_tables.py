"""Shared renderers of the distribution and station kinds: a report of titled tables (each Section carries its
own columns in header["columns"], an optional inline SVG chart in header["svg"] and a note), one PDF document
(page numbers run through it) and an Excel workbook with a sheet per section."""

from decimal import Decimal
from html import escape
from pathlib import Path

from .. import textgrid, xlsx
from ..registry import Column, Progress, ReportData, Section, no_progress

GENDERS = {"M": "男", "F": "女", "U": "通用"}
SIZE_LABELS = {"?missing": "待测量", "?mtm": "定制", "-": "—"}


def gender_label(g: str) -> str:
    return GENDERS.get(g, g)


def size_label(s: str) -> str:
    return SIZE_LABELS.get(s, s)


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


def print_header(data: ReportData) -> str:
    return (
        f"{data.title} · {data.scope_label} · {data.requested_by} "
        f"{data.requested_at:%Y-%m-%d %H:%M} · {'；'.join(data.sources)}"
    )


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
    ws = wb.create_sheet("说明")
    xlsx.write_table(
        ws,
        [Column("k", "项目", 0, 18), Column("v", "内容", 0, 90)],
        [
            ("报表 report", data.title),
            ("范围 scope", data.scope_label),
            ("请求人 requested by", data.requested_by),
            ("请求时间 requested at", f"{data.requested_at:%Y-%m-%d %H:%M}"),
            *(("数据来源 source", s) for s in data.sources),
            *extra,
        ],
    )


def render_xlsx(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    """One sheet per section (named after it), its own columns; the header says who asked, when, from what."""
    wb = xlsx.new_workbook()
    taken: set[str] = set()
    header = print_header(data)
    for n, section in enumerate(data.sections, 1):
        ws = wb.create_sheet(xlsx.sheet_title(section.header.get("sheet") or section.title, taken))
        xlsx.write_table(ws, section_columns(data, section), section.rows, print_header=header)
        progress(5 + int(90 * n / max(1, len(data.sections))), f"工作表 sheet {section.title}")
    about_sheet(wb, data)
    wb.save(out)
