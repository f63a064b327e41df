"""One language at a time, in the Python source too: no text glues Chinese and English together ("已发运
dispatched"); Chinese is the source text of gettext and the English is in the catalogue. Lazy texts reach
the API's schemas and the workbooks as the str of the active language."""

import ast
import io
import pathlib
import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.i18n import zh
from core.schema import Schema, plain

ROOT = pathlib.Path(settings.BASE_DIR)
HAN = re.compile(r"[\u4e00-\u9fff]")
# an English word of 3+ letters next to Chinese in one text: glued (placeholders and format specs aside)
WORD = re.compile(r"[A-Za-z]{3,}")
# English texts for developers that name a Chinese term of the glossary in brackets (API field docs, the
# commands' --help): one language with a quoted term, not a two-language label
GLOSSARY_TERM = re.compile(r"\([^()]*[\u4e00-\u9fff][^()]*\)|'[^']*[\u4e00-\u9fff][^']*'")
# Chinese texts that carry a code, a format or a proper name in Latin letters
LATIN_IN_CHINESE = re.compile(
    r"Excel|xlsx|xls|csv|json|svg|png|JPEG|PNG|WebP|PDF|API|VIN|PLUS|TSI|MAX|YYYY|MM|DD|holiday|workday|"
    r"true|false|is_active|city|papers|due|overdue|change|quota|sheet|ack|counter|page|pages|dry run|"
    r"Quartermaster|GB|OCDS|data|--\w+|\(\?P<\w+>"
)


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests", "var") or "migrations" in rel.parts:
            continue
        yield rel, path.read_text()


def _glued(text: str) -> bool:
    text = re.sub(r"\{[^{}]*\}", "", text)
    if not HAN.search(text):
        return False
    text = LATIN_IN_CHINESE.sub("", GLOSSARY_TERM.sub("", re.sub(r"<[^>]+>", "", text)))
    return bool(HAN.search(text) and WORD.search(text))


def test_no_text_glues_chinese_and_english():
    glued = []
    for rel, src in _sources():
        tree = ast.parse(src)
        docs = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        for n in ast.walk(tree):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
                if _glued(n.value):
                    glued.append(f"{rel}:{n.lineno}: {n.value[:80]!r}")
            if isinstance(n, ast.JoinedStr):
                text = "".join(v.value for v in n.values if isinstance(v, ast.Constant))
                if _glued(text):
                    glued.append(f"{rel}:{n.lineno}: f{text[:80]!r}")
    assert glued == [], "\n".join(glued[:40])


def test_the_guard_sees_a_glued_text():
    assert _glued("已发运 dispatched")
    assert _glued("库存不足 not enough stock: {what}")
    assert not _glued("请上传 Excel 文件（.xlsx）")
    assert not _glued("the province's total of vehicle posts (编制总数)")
    assert not _glued("缺少必填列：{missing}")


def test_lazy_texts_reach_the_api_as_str_of_the_active_language():
    class Out(Schema):
        label: str
        names: list[str]

    label = gettext_lazy("已发运")
    with translation.override("en"):
        out = Out(label=label, names=[label])
        assert out.label == str(label) and not HAN.search(out.label)
        assert type(out.label) is str and type(out.names[0]) is str
    with translation.override("zh-hans"):
        assert Out(label=label, names=[]).label == "已发运"
    assert plain({"a": (label,)}) == {"a": ("已发运",)}


def test_lazy_texts_reach_a_workbook_as_str(tmp_path):
    from openpyxl import Workbook, load_workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    with translation.override("en"):
        sheet.append([gettext_lazy("已发运"), 3])
    buf = io.BytesIO()
    book.save(buf)
    cells = [c.value for c in next(load_workbook(io.BytesIO(buf.getvalue())).worksheets[0].iter_rows())]
    assert cells[1] == 3 and cells[0] and not HAN.search(cells[0])


def test_zh_is_chinese_whatever_the_language():
    with translation.override("en"):
        assert zh(gettext_lazy("已发运")) == "已发运"
        assert not HAN.search(str(gettext_lazy("已发运")))


def test_the_api_docs_follow_the_request_language(client):
    zh_doc = client.get("/api/v1/openapi.json").json()
    en_doc = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="en").json()

    def summaries(doc):
        return [op.get("summary", "") for path in doc["paths"].values() for op in path.values()]

    zh_s, en_s = summaries(zh_doc), summaries(en_doc)
    assert len(zh_s) == len(en_s) > 100
    assert sum(bool(HAN.search(s)) for s in zh_s) > 100, "Chinese by default"
    assert [s for s in en_s if HAN.search(s)] == [], "English when asked, never glued"
