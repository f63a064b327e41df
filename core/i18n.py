"""The language of the request: Chinese by default, English when the user switched (pages: the language
cookie; the API: the Accept-Language header). `tr(zh, en)` picks one of two texts; it has no imports
beyond Django's translation, so services, importers and models may use it without import cycles."""

from django.utils.translation import get_language


def is_en() -> bool:
    return (get_language() or "").startswith("en")


def tr(zh: str, en: str) -> str:
    """The text in the active language (Chinese by default); never both."""
    return en if is_en() else zh
