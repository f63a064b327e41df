"""HTML → PDF with WeasyPrint, fetching nothing outside the project's static files.

Long reports whose sections print and file on their own (sign-for sheets per unit) are rendered one
WeasyPrint document per section, in a pool of processes, and merged with pypdf: each section then numbers
its own pages ("第 X 页 / 共 Y 页" of that unit), memory stays per section, and both cores work.
"""

import atexit
import io
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from .registry import Progress, ReportData, Section, no_progress

FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_INDEX = 2  # "Noto Sans CJK SC" in the Debian collection (fc-list : family index)
SUBSET_FAMILY = "QM Noto Sans CJK SC subset"
# The faces a report may print in: (index in FONT_FILE, system family, family of the job's subset). "mono" is
# the same design with half-width Latin and full-width CJK, for text laid out in fixed character columns.
FACES = {
    "sans": (FONT_INDEX, FONT_FAMILY, SUBSET_FAMILY),
    "mono": (7, "Noto Sans Mono CJK SC", "QM Noto Sans Mono CJK SC subset"),
}
# Characters every report may print besides its data (ASCII, CJK punctuation, the page footer).
PAGE_LABELS = ("于", "请求", "数据来源", "第", "页", "共", "—")  # the margin-box texts of page_css (Chinese)
BASE_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "　、。，；：？！“”‘’（）《》【】—…·×／"
    + "".join(PAGE_LABELS)
)


class RefusedURL(ValueError):
    pass


def font_cache_dir() -> Path:
    return Path(getattr(settings, "REPORT_FONT_CACHE", Path(settings.BASE_DIR) / "var" / "report-fonts"))


def allowed_roots() -> list[Path]:
    """The project's static folders, and the folder of font subsets made from the system CJK font."""
    roots = [
        Path(settings.BASE_DIR) / "reports" / "static",
        *(Path(p) for p in settings.STATICFILES_DIRS),
        font_cache_dir(),
    ]
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
            raise RefusedURL(gettext("报表不加载外部资源：{url}").format(url=url))

    return StaticOnlyFetcher


def url_fetcher():
    return _fetcher_class()()


def css_string(text: str) -> str:
    """A CSS string literal's content (for @page margin boxes)."""
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")


def page_css(
    *,
    title: str,
    unit: str,
    data: ReportData,
    landscape: bool,
    page_numbers: bool = True,
    running_unit: bool = False,
) -> str:
    """@page rules: size, the font (set inside @page too so page numbers use the CJK font), and on every page
    the title and unit, who asked, when, from which data, and 第 X 页 / 共 Y 页 (page_numbers=False: the
    document writes the numbers itself, as the sign-for sheets do). running_unit: the unit is the running
    string `unit` (set by the document, e.g. `string-set: unit attr(data-unit)`), for documents of many units."""
    when = f"{data.requested_at:%Y-%m-%d %H:%M}"
    asked = gettext("{requested_by} 于 {when} 请求").format(requested_by=data.requested_by, when=when)
    sources = gettext("；").join(data.sources)
    source_label = gettext("数据来源 ")
    page_no = gettext('"第 " counter(page) " 页 / 共 " counter(pages) " 页"')
    unit_content = "string(unit)" if running_unit else f'"{css_string(unit)}"'
    return (
        f"@page {{ size: A4 {'landscape' if landscape else 'portrait'};"
        f' @top-left {{ content: "{css_string(title)} · " {unit_content}; }}'
        f' @top-right {{ content: "{css_string(asked)}"; }}'
        f' @bottom-left {{ content: "{css_string(source_label + sources)}"; }}'
        + (f" @bottom-right {{ content: {page_no}; }}" if page_numbers else "")
        + " }"
    )


def subset_font(chars: str, face: str = "sans") -> Path | None:
    """A subset of the CJK font holding `chars`, made once (fontTools, ~1 s) and cached by content.

    Each document then loads a ~50 KB font instead of the 20 MB collection and embeds it whole (no subsetting
    per document), so the parts of a merged PDF carry byte-identical fonts that pypdf stores once. A character
    missing from the subset falls back to the full system font (font-family lists both). None when the system
    font is not there (the plain family is used)."""
    import hashlib

    if not Path(FONT_FILE).exists():
        return None
    wanted = "".join(sorted(set(chars + BASE_CHARS) - {"\n", "\r", "\t"}))
    digest = hashlib.sha1(wanted.encode()).hexdigest()[:16]
    index = FACES[face][0]
    path = font_cache_dir() / f"cjk{'' if face == 'sans' else '-' + face}-{digest}.otf"
    if path.exists():
        return path
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = ["kern", "vert", "vkna"]
    font = TTFont(FONT_FILE, fontNumber=index, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in wanted])
    subsetter.subset(font)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(tmp))
    tmp.replace(path)  # atomic: a concurrent job sees the whole file or none
    return path


def report_chars(data: ReportData) -> str:
    parts = [data.title, data.scope_label, data.requested_by, *data.sources, *(c.label for c in data.columns)]
    parts += [str(v) for v in data.meta.values()]
    for section in data.sections:
        parts += [section.title, section.group]
        parts += [str(v) for row in section.rows for v in row if isinstance(v, str)]
    return "".join(parts)


_STYLES: dict[str, tuple] = {}
# Drop the cached FontConfigurations before the interpreter tears down the libraries they free with.
atexit.register(_STYLES.clear)


def _stylesheets(font_path: str | None, face: str = "sans", css: str = "report.css") -> tuple[list, object]:
    """The print CSS (`css`, a file in reports/static/reports/) and the font rules, parsed once per process,
    font and CSS file: (stylesheets, font_config)."""
    key = (font_path or "", face, css)
    if key not in _STYLES:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        _index, system_family, subset_family = FACES[face]
        font_config = FontConfiguration()
        fetcher = url_fetcher()
        base = CSS(
            filename=str(Path(settings.BASE_DIR) / "reports" / "static" / "reports" / css),
            url_fetcher=fetcher,
            font_config=font_config,
        )
        family = f'"{system_family}"'
        rule = ""
        if font_path:
            family = f'"{subset_family}", "{system_family}"'
            rule = f'@font-face {{ font-family: "{subset_family}"; src: url("{Path(font_path).as_uri()}"); }}'
        fonts = CSS(
            string=f"{rule} @page {{ font-family: {family}; }} html {{ font-family: {family}; }}",
            url_fetcher=fetcher,
            font_config=font_config,
        )
        _STYLES[key] = ([base, fonts], font_config)
    return _STYLES[key]


def html_to_pdf(
    html: str, *, fetcher=None, font_path: str | None = None, face: str = "sans", css: str = "report.css"
) -> bytes:
    from weasyprint import HTML

    stylesheets, font_config = _stylesheets(font_path, face, css)
    base = (Path(settings.BASE_DIR) / "reports" / "static" / "reports").as_uri() + "/"
    doc = HTML(string=html, base_url=base, url_fetcher=fetcher or url_fetcher())
    # The subset is already small: embed it whole, identical in every part (deduplicated on merge).
    return doc.write_pdf(stylesheets=stylesheets, font_config=font_config, full_fonts=bool(font_path))


def render_document(
    template: str, context: dict, font_path: str | None = None, face: str = "sans", css: str = "report.css"
) -> bytes:
    return html_to_pdf(render_to_string(template, context), font_path=font_path, face=face, css=css)


def _section_job(args) -> tuple[int, bytes]:
    """One document, in the language the report is asked in (a pool process renders the template's labels)."""
    index, template, context, font_path, face, css, language = args
    with translation.override(language):
        return index, render_document(template, context, font_path, face, css)


def pdf_workers() -> int:
    configured = getattr(settings, "REPORT_PDF_WORKERS", None)
    if configured is not None:
        return max(1, int(configured))
    return max(1, min(2, os.cpu_count() or 1))


def _can_fork_pool() -> bool:
    # A daemonic process (Celery's prefork child) may not have children: render in-process there.
    return not multiprocessing.current_process().daemon and "fork" in multiprocessing.get_all_start_methods()


def _fork_pool(workers: int) -> ProcessPoolExecutor:
    """The render processes: forked, so they start at once with the templates and fonts already loaded. They
    only turn HTML into PDF bytes and never touch the database; the connection is closed before the fork
    (outside a transaction), so no child holds a copy of an open SQLite handle, and this process, the only
    writer of the job, opens a new one for its next progress update."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


def render_sections(
    data: ReportData,
    template: str,
    out: Path | io.BytesIO,
    *,
    context_for: Callable[[Section], dict],
    progress: Progress = no_progress,
    workers: int | None = None,
    face: str = "sans",
    css: str = "report.css",
) -> int:
    """Render each section as its own document (own page numbers) and merge them into `out`, with a
    bookmark per section. Largest sections go first so the pool stays busy. Returns the page count."""
    sections = data.sections
    font = subset_font(report_chars(data) + template_chars(template), face)
    font_path = str(font) if font else None
    order = sorted(range(len(sections)), key=lambda i: -len(sections[i].rows))
    language = translation.get_language()
    jobs = [(i, template, context_for(sections[i]), font_path, face, css, language) for i in order]
    workers = workers or pdf_workers()
    parts: dict[int, bytes] = {}
    total_rows = max(1, data.row_count)
    done_rows = 0

    def collect(results):
        nonlocal done_rows
        for index, pdf in results:
            parts[index] = pdf
            done_rows += len(sections[index].rows) or 1
            progress(
                min(95, 5 + int(90 * done_rows / total_rows)),
                gettext("已生成 {n_parts}/{n_sections} 个单位：{title}").format(
                    n_parts=len(parts), n_sections=len(sections), title=sections[index].title
                ),
            )

    if workers > 1 and len(jobs) > 1 and _can_fork_pool():
        with _fork_pool(workers) as pool:
            collect(pool.map(_section_job, jobs))
    else:
        collect(_section_job(job) for job in jobs)

    outline, pages = [], 0
    for i, section in enumerate(sections):
        outline.append((section.title, pages))
        pages += _page_count(parts[i])
    return _merge(data, [parts[i] for i in range(len(sections))], outline, out, progress)


def _page_count(part: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(part)).pages)


def _merge(
    data: ReportData,
    parts: list[bytes],
    outline: list[tuple[str, int]],
    out: Path | io.BytesIO,
    progress: Progress,
) -> int:
    """Concatenate the parts into `out`, a bookmark per (title, first page). Returns the page count."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)), import_outline=False)
    for title, page in outline:
        writer.add_outline_item(title=title, page_number=page)
    writer.add_metadata({"/Title": data.title, "/Author": data.requested_by, "/Creator": "Quartermaster"})
    progress(97, gettext("合并"))
    writer.compress_identical_objects()  # defaults: drop duplicates and orphans (pypdf 5–7)
    if isinstance(out, io.BytesIO):
        writer.write(out)
    else:
        with open(out, "wb") as fh:
            writer.write(fh)
    return len(writer.pages)


def batches(sections: Sequence[Section], *, max_rows: int, parts: int) -> list[list[int]]:
    """Consecutive runs of sections (indexes) of about max_rows rows, at least `parts` runs when there are
    enough sections (so every process has work); a section is never split."""
    total = sum(len(s.rows) or 1 for s in sections)
    limit = max(1, min(max_rows, -(-total // max(1, parts))))
    out: list[list[int]] = []
    rows = 0
    for i, section in enumerate(sections):
        if out and rows + (len(section.rows) or 1) <= limit:
            out[-1].append(i)
            rows += len(section.rows) or 1
        else:
            out.append([i])
            rows = len(section.rows) or 1
    return out


def render_paginated(
    data: ReportData,
    template: str,
    out: Path | io.BytesIO,
    *,
    context_for: Callable[[list[Section]], dict],
    page_count: Callable[[Section], int],
    progress: Progress = no_progress,
    workers: int | None = None,
    face: str = "sans",
    css: str = "report.css",
    max_rows: int | None = None,
) -> int:
    """For templates that paginate themselves (they write each page and its "第 X 页 / 共 Y 页", so a unit's
    numbering does not depend on the document it is in): consecutive sections are rendered together, a few
    documents of ~max_rows rows (settings.REPORT_PDF_BATCH_ROWS, default 1000) in the process pool instead
    of one document per section. That saves WeasyPrint's fixed cost per document (stylesheets, font
    embedding: ~0.1 s each) and pypdf's per part, while memory stays per batch. page_count(section) gives
    each section's pages for its bookmark. Returns the page count."""
    sections = data.sections
    font = subset_font(report_chars(data) + template_chars(template), face)
    font_path = str(font) if font else None
    workers = workers or pdf_workers()
    max_rows = max_rows or int(getattr(settings, "REPORT_PDF_BATCH_ROWS", 1000))
    runs = batches(sections, max_rows=max_rows, parts=workers)
    order = sorted(range(len(runs)), key=lambda b: -sum(len(sections[i].rows) for i in runs[b]))
    language = translation.get_language()
    jobs = [
        (b, template, context_for([sections[i] for i in runs[b]]), font_path, face, css, language)
        for b in order
    ]
    parts: dict[int, bytes] = {}
    total_rows, done_rows = max(1, data.row_count), 0

    def collect(results):
        nonlocal done_rows
        for index, part in results:
            parts[index] = part
            done_rows += sum(len(sections[i].rows) for i in runs[index])
            progress(
                min(95, 5 + int(90 * done_rows / total_rows)),
                gettext("已生成 {done_rows}/{row_count} 行（{n_parts}/{n_runs} 部分）").format(
                    done_rows=done_rows, row_count=data.row_count, n_parts=len(parts), n_runs=len(runs)
                ),
            )

    if workers > 1 and len(jobs) > 1 and _can_fork_pool():
        with _fork_pool(min(workers, len(jobs))) as pool:
            collect(pool.map(_section_job, jobs))
    else:
        collect(_section_job(job) for job in jobs)

    outline, pages = [], 0
    for section in sections:
        outline.append((section.title, pages))
        pages += page_count(section)
    merged = _merge(data, [parts[b] for b in range(len(runs))], outline, out, progress)
    if merged != pages:  # the layout's fixed heights no longer match the template's page arithmetic
        raise RuntimeError(
            gettext("分页不一致：应为 {pages} 页，实为 {merged} 页").format(pages=pages, merged=merged)
        )
    return merged


def render_single(
    data: ReportData,
    template: str,
    out: Path | io.BytesIO,
    *,
    context: dict,
    progress: Progress = no_progress,
) -> None:
    """One document for the whole report (page numbers run through it)."""
    progress(10, gettext("排版"))
    font = subset_font(report_chars(data) + template_chars(template))
    pdf = render_document(template, context, str(font) if font else None)
    if isinstance(out, io.BytesIO):
        out.write(pdf)
    else:
        Path(out).write_bytes(pdf)


def template_chars(name: str) -> str:
    """The text of a template and the templates it extends (their fixed labels)."""
    from django.template.loader import get_template

    out, template = [], get_template(name).template
    out.append(template.source)
    for node in template.nodelist:
        parent = getattr(node, "parent_name", None)
        if parent is not None:
            out.append(get_template(parent.var).template.source)
    return "".join(out)


def base_context(
    data: ReportData,
    *,
    unit: str,
    landscape: bool,
    sections: Sequence[Section],
    page_numbers: bool = True,
    running_unit: bool = False,
) -> dict:
    return {
        "data": data,
        "sections": sections,
        "unit": unit,
        "lang": gettext("zh-CN"),
        "page_css": page_css(
            title=data.title,
            unit=unit,
            data=data,
            landscape=landscape,
            page_numbers=page_numbers,
            running_unit=running_unit,
        ),
    }
