"""Every list is paginated the same way: ?page=1&page_size=50 → {items, count, page, page_size}."""

from collections.abc import Callable

from core.schema import Schema

from .errors import QMError

MAX_PAGE_SIZE = 500


class PageParams(Schema):
    page: int = 1
    page_size: int = 50


def paginate(qs, params: PageParams, serialize: Callable | None = None) -> dict:
    if params.page < 1 or not 1 <= params.page_size <= MAX_PAGE_SIZE:
        raise QMError("bad_page", f"page ≥ 1 and 1 ≤ page_size ≤ {MAX_PAGE_SIZE}", {"field": "page"})
    count = qs.count()
    start = (params.page - 1) * params.page_size
    rows = list(qs[start : start + params.page_size])
    items = [serialize(r) for r in rows] if serialize else rows
    return {"items": items, "count": count, "page": params.page, "page_size": params.page_size}


def page_schema(item):
    """A response schema for a page of `item`."""
    return type(
        f"{item.__name__}Page",
        (Schema,),
        {"__annotations__": {"items": list[item], "count": int, "page": int, "page_size": int}},
    )
