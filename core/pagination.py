"""Every list is paginated the same way: ?page=1&page_size=50 → {items, count, page, page_size}."""

from collections.abc import Callable

from core.schema import Schema

from .errors import QMError

MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000  # ?page=938779501974260608 would overflow the database's offset


class PageParams(Schema):
    page: int = 1
    page_size: int = 50


def paginate(qs, params: PageParams, serialize: Callable | None = None) -> dict:
    if not 1 <= params.page <= MAX_PAGE or not 1 <= params.page_size <= MAX_PAGE_SIZE:
        raise QMError(
            "bad_page",
            f"1 ≤ page ≤ {MAX_PAGE:,} and 1 ≤ page_size ≤ {MAX_PAGE_SIZE}",
            {"field": "page", "max_page": MAX_PAGE, "max_page_size": MAX_PAGE_SIZE},
        )
    count = qs.count()
    start = (params.page - 1) * params.page_size
    rows = list(qs[start : start + params.page_size]) if start < count else []  # past the end: an empty page
    items = [serialize(r) for r in rows] if serialize else rows
    return {"items": items, "count": count, "page": params.page, "page_size": params.page_size}


def page_schema(item):
    """A response schema for a page of `item`."""
    return type(
        f"{item.__name__}Page",
        (Schema,),
        {"__annotations__": {"items": list[item], "count": int, "page": int, "page_size": int}},
    )
