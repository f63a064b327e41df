"""The full Hunan demo behind a real server for the browser journeys (tests/browser/test_journeys.py): see
core/demo_site.py (seeded once and reused, DEBUG off, QM_PAGE_METRICS on).

`Checker` is attached to each page a journey opens: every HTML document the server sends must be under 1 MB
and under MAX_QUERIES queries, and the text a user sees must carry no item code or internal token."""

import csv
import re
from pathlib import Path

import pytest

from core import demo_site as site

MAX_BYTES = 1_000_000
MAX_QUERIES = 60
TOKENS = re.compile(r"\?mtm|\?missing|mtm×|missing×")


class DemoSite:
    def __init__(self, url: str, var: Path, password: str):
        self.url = url
        self.var = var
        self.password = password


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    var = tmp_path_factory.mktemp("demo-var")
    try:
        password = site.seeded(var)
        with site.serve(var) as url:
            yield DemoSite(url, var, password)
    except site.SiteError as exc:
        pytest.fail(str(exc), pytrace=False)


def item_codes() -> list[str]:
    with open(site.ROOT / "assets" / "data" / "uniform_items.csv", encoding="utf-8") as fh:
        return [r["code"] for r in csv.DictReader(fh)]


class Checker:
    """Watches every HTML document a page receives (size, queries) and checks the visible text on demand."""

    def __init__(self, page, codes: list[str]):
        self.page = page
        self.documents: list[dict] = []
        self.code_re = re.compile(
            r"(?<![A-Za-z0-9-])(" + "|".join(map(re.escape, codes)) + r")(?![A-Za-z0-9-])"
        )
        page.on("response", self._on_response)

    def _on_response(self, response):
        if response.request.resource_type != "document":
            return
        h = response.headers
        self.documents.append(
            {
                "url": response.url,
                "status": response.status,
                "bytes": int(h.get("x-qm-bytes", "0")),
                "queries": int(h.get("x-qm-queries", "-1")),
                "ms": h.get("server-timing", ""),
            }
        )

    def text(self) -> str:
        """The visible text of the page now; fails on an item code or an internal token in it."""
        text = self.page.inner_text("body")
        codes = sorted(set(self.code_re.findall(text)))
        assert not codes, f"item codes shown on {self.page.url}: {codes}"
        tokens = sorted(set(TOKENS.findall(text)))
        assert not tokens, f"internal tokens shown on {self.page.url}: {tokens}"
        return text

    def verify(self) -> None:
        assert self.documents, "no page was opened"
        for d in self.documents:
            if d["status"] >= 300:
                continue
            assert d["queries"] >= 0, f"{d['url']}: no X-QM-Queries header (QM_PAGE_METRICS off?)"
            assert d["bytes"] <= MAX_BYTES, f"{d['url']}: {d['bytes']:,} bytes of HTML"
            assert d["queries"] <= MAX_QUERIES, f"{d['url']}: {d['queries']} queries"
