"""The language of the request: Chinese by default, English when the user switched (pages: the language
cookie; the API: the Accept-Language header). `tr(zh, en)` picks one of two texts; it has no imports
beyond Django's translation, so services, importers and models may use it without import cycles."""

from django.utils.translation import get_language


def is_en() -> bool:
    return (get_language() or "").startswith("en")


def tr(zh: str, en: str) -> str:
    """The text in the active language (Chinese by default); never both."""
    return en if is_en() else zh


def one(label) -> str:
    """A stored two-language label (已发运 + dispatched, as some stored records still hold both) in the active
    language only: the Chinese before the first space, the English after it. A label without Chinese before
    its first space (a name, an English-only text) is returned as it is."""
    text = str(label or "")
    head, _, tail = text.partition(" ")
    if not tail or not any("\u4e00" <= ch <= "\u9fff" for ch in head):
        return text
    return tail if is_en() else head


def zh(text) -> str:
    """A translatable text (a model's choice label, a lazy gettext) in Chinese whatever the active language:
    the import and export layouts are Chinese workbooks, their headers and cell values are the Chinese labels."""
    from django.utils.translation import override

    with override("zh-hans"):
        return str(text)
