"""What the by-exception forms share (receipt of a shipment, acceptance of a supplier delivery): the user
takes everything as it came and posts only a few marks, a JSON list; these read that list and its numbers.

Each caller passes its own error code, field and messages (already in the active language), so the errors
stay those of its page and API. The pages' line lists (search, filters, paging) are read the same way too."""

import json

from django.db.models import Q
from django.utils.http import urlencode

from core.errors import QMError


def whole(value) -> int | None:
    """A whole number as posted (int or digits in a string); anything else (a bool, a float, text): None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_marks(
    raw, *, maximum: int, code: str, field: str, unreadable: str, not_list: str, too_many: str
) -> list:
    """The marks field as posted: a JSON list (empty or missing: no marks, everything taken as it came).
    Unreadable JSON, not a list, or more than `maximum` marks raise QMError(code, <message>, {"field": field})."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise QMError(code, unreadable, {"field": field}) from None
    if not isinstance(raw, list):
        raise QMError(code, not_list, {"field": field})
    if len(raw) > maximum:
        raise QMError(code, too_many, {"field": field})
    return raw


def number(value) -> int | None:
    """An integer from a form or query string (spaces around allowed, a sign too); anything else: None."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def line_filters(request) -> dict:
    """The lines' search and filters from the query string: item name (text), one item, 男/女, size, page."""
    gender = request.GET.get("gender", "")
    return {
        "q": request.GET.get("q", "").strip()[:50],
        "item": request.GET.get("item", "").strip()[:30],
        "gender": gender if gender in ("M", "F") else "",
        "size": request.GET.get("size", "").strip()[:20],
        "page": max(number(request.GET.get("page")) or 1, 1),
    }


def filter_lines(qs, f: dict, prefix: str = ""):
    """`qs` (lines with an item, a gender and a size, reached through `prefix`) narrowed by `line_filters`."""
    if f["q"]:
        q = f["q"]
        qs = qs.filter(
            Q(**{f"{prefix}item__name_zh__icontains": q})
            | Q(**{f"{prefix}item__name_men__icontains": q})
            | Q(**{f"{prefix}item__name_women__icontains": q})
            | Q(**{f"{prefix}item__name_en__icontains": q})
        )
    if f["item"]:
        qs = qs.filter(**{f"{prefix}item__code": f["item"]})
    if f["gender"]:
        qs = qs.filter(**{f"{prefix}gender": f["gender"]})
    if f["size"]:
        qs = qs.filter(**{f"{prefix}size__icontains": f["size"]})
    return qs


def paged_lines(qs, f: dict, order: tuple, per: int) -> dict:
    """Page `f["page"]` (past the end: the last) of `qs` in `order`, `per` rows a page, with the links to the
    pages before and after that keep the filters (anchored at #lines) and the "showing first–last of total"."""
    total = qs.count()
    pages = max((total + per - 1) // per, 1)
    page_no = min(f["page"], pages)
    start = (page_no - 1) * per
    rows = list(qs.order_by(*order)[start : start + per])
    base = {k: v for k, v in f.items() if k != "page" and v}

    def page_url(n):
        return "?" + urlencode({**base, "page": n}) + "#lines"

    return {
        "rows": rows,
        "total": total,
        "first": start + 1 if rows else 0,
        "last": start + len(rows),
        "page": page_no,
        "pages": pages,
        "prev_url": page_url(page_no - 1) if page_no > 1 else "",
        "next_url": page_url(page_no + 1) if page_no < pages else "",
        "filtered": bool(base),
    }
