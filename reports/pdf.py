"""HTML → PDF with WeasyPrint, fetching nothing outside the project's static files.

Long reports whose sections print and file on their own (sign-for sheets per unit) are rendered one
WeasyPrint document per section, in a pool of processes, and merged with pypdf: each section then numbers
its own pages ("第 X 页 / 共 Y 页" of that unit), memory stays per section, and both cores work.
"""

import io
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string

from .registry import Progress, ReportData, Section, no_progress

FONT_FAMILY = "Noto Sans CJK SC"


class RefusedURL(ValueError):
    pass


def allowed_roots() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "reports" / "static", *(Path(p) for p in settings.STATICFILES_DIRS)]
    return [r.resolve() for r in roots]


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        """Fetches data: URIs (inline SVG/PNG) and files under the project's static folders; refuses the rest."""

        refused: list[str]

        def __init__(self, **kwargs):
            super().__init__(allowed_protocols=("file", "data"), **kwargs)
            self.refused = []

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(root) for root in allowed_roots()):
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise RefusedURL(f"报表不加载外部资源 refused to fetch {url}")

    return StaticOnlyFetcher


def url_fetcher():
    return _fetcher_class()()


def css_string(text: str) -> str:
    """A CSS string literal's content (for @page margin boxes)."""
    return (str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            .replace("\r", " "))


def page_css(*, title: str, unit: str, data: ReportData, landscape: bool) -> str:
    """@page rules: size, the font (set inside @page too so page numbers use the CJK font), and on every page
    the title and unit, who asked, when, from which data, and 第 X 页 / 共 Y 页."""
    asked = f"{data.requested_by} 于 {data.requested_at:%Y-%m-%d %H:%M} 请求"
    sources = "；".join(data.sources)
    return (
        f'@page {{ size: A4 {"landscape" if landscape else "portrait"}; font-family: "{FONT_FAMILY}";'
        f' @top-left {{ content: "{css_string(title)} · {css_string(unit)}"; }}'
        f' @top-right {{ content: "{css_string(asked)}"; }}'
        f' @bottom-left {{ content: "数据来源 {css_string(sources)}"; }}'
        f' @bottom-right {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; }} }}'
    )


_STYLESHEET = None


def _stylesheet():
    """The shared print CSS, parsed once per process."""
    global _STYLESHEET
    if _STYLESHEET is None:
        from weasyprint import CSS

        path = Path(settings.BASE_DIR) / "reports" / "static" / "reports" / "report.css"
        _STYLESHEET = CSS(filename=str(path), url_fetcher=url_fetcher())
    return _STYLESHEET


def html_to_pdf(html: str, *, fetcher=None) -> bytes:
    from weasyprint import HTML

    base = (Path(settings.BASE_DIR) / "reports" / "static" / "reports").as_uri() + "/"
    doc = HTML(string=html, base_url=base, url_fetcher=fetcher or url_fetcher())
    return doc.write_pdf(stylesheets=[_stylesheet()])


def render_document(template: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template, context))


def _section_job(args) -> tuple[int, bytes]:
    index, template, context = args
    return index, render_document(template, context)


def pdf_workers() -> int:
    configured = getattr(settings, "REPORT_PDF_WORKERS", None)
    if configured is not None:
        return max(1, int(configured))
    return max(1, min(2, os.cpu_count() or 1))


def _can_fork_pool() -> bool:
    # A daemonic process (Celery's prefork child) may not have children: render in-process there.
    return not multiprocessing.current_process().daemon and "fork" in multiprocessing.get_all_start_methods()


def render_sections(
    data: ReportData,
    template: str,
    out: Path | io.BytesIO,
    *,
    context_for: Callable[[Section], dict],
    progress: Progress = no_progress,
    workers: int | None = None,
) -> int:
    """Render each section as its own document (own page numbers) and merge them into `out`, with a
    bookmark per section. Largest sections go first so the pool stays busy. Returns the page count."""
    from pypdf import PdfReader, PdfWriter

    sections = data.sections
    order = sorted(range(len(sections)), key=lambda i: -len(sections[i].rows))
    jobs = [(i, template, context_for(sections[i])) for i in order]
    workers = workers or pdf_workers()
    parts: dict[int, bytes] = {}
    total_rows = max(1, data.row_count)
    done_rows = 0

    def collect(results):
        nonlocal done_rows
        for index, pdf in results:
            parts[index] = pdf
            done_rows += len(sections[index].rows) or 1
            progress(min(95, 5 + int(90 * done_rows / total_rows)),
                     f"已生成 {len(parts)}/{len(sections)} 个单位 rendered {sections[index].title}")

    if workers > 1 and len(jobs) > 1 and _can_fork_pool():
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, max_tasks_per_child=40) as pool:
            collect(pool.map(_section_job, jobs))
    else:
        collect(_section_job(job) for job in jobs)

    writer = PdfWriter()
    pages = 0
    for i, section in enumerate(sections):
        start = pages
        reader = PdfReader(io.BytesIO(parts[i]))
        writer.append(reader, import_outline=False)
        pages += len(reader.pages)
        writer.add_outline_item(section.title, start)
    writer.add_metadata({"/Title": data.title, "/Author": data.requested_by, "/Creator": "Quartermaster"})
    progress(97, "合并 merging")
    writer.compress_identical_objects()  # defaults: drop duplicates and orphans (pypdf 5–7)
    if isinstance(out, io.BytesIO):
        writer.write(out)
    else:
        with open(out, "wb") as fh:
            writer.write(fh)
    return pages


def render_single(data: ReportData, template: str, out: Path | io.BytesIO, *, context: dict,
                  progress: Progress = no_progress) -> None:
    """One document for the whole report (page numbers run through it)."""
    progress(10, "排版 laying out")
    pdf = render_document(template, context)
    if isinstance(out, io.BytesIO):
        out.write(pdf)
    else:
        Path(out).write_bytes(pdf)


def base_context(data: ReportData, *, unit: str, landscape: bool, sections: Sequence[Section]) -> dict:
    return {"data": data, "sections": sections, "unit": unit,
            "page_css": page_css(title=data.title, unit=unit, data=data, landscape=landscape)}
