"""The full Hunan demo behind a real server, for the browser journeys (tests/browser/test_journeys.py).

`demo_site` (session scope) seeds the demo once — `seed_demo`, 9,843 officers, about a minute — into its own
folder (QM_VAR_DIR: database, media, collected static files), and keeps a copy under
var/browser-demo/<fingerprint>.sqlite3, so a later run with the same code reuses it instead of seeding again
(the fingerprint covers every Python file the seed and the schema come from). It then serves that copy with
the server `make run` uses, DEBUG off, with QM_PAGE_METRICS on: every response says how many queries it ran
and how big it was.

`Checker` is attached to each page a journey opens: every HTML document the server sends must be under 1 MB
and under MAX_QUERIES queries, and the text a user sees must carry no item code or internal token."""

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "browser-demo"
MAX_BYTES = 1_000_000
MAX_QUERIES = 60
APPS = ("assets", "config", "core", "distribution", "personnel", "procurement", "reports", "vehicles")
TOKENS = re.compile(r"\?mtm|\?missing|mtm×|missing×")


def _fingerprint() -> str:
    h = hashlib.sha256()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "management" in path.parts and path.name not in ("seed_demo.py", "__init__.py"):
                continue
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    for path in sorted(p for p in ROOT.glob("*/data/*") if p.is_file()):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _env(var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG")}
    env.update(
        QM_VAR_DIR=str(var),
        SECRET_KEY="browser-journeys-only",
        DEBUG="0",
        QM_PAGE_METRICS="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _manage(var: Path, *args: str, timeout: int = 900) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(var),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode:
        pytest.fail(
            f"manage.py {' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}", pytrace=False
        )
    return out.stdout


def _seeded(var: Path) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"{_fingerprint()}.sqlite3"
    if not cached.exists():
        for old in CACHE.glob("*.sqlite3*"):
            old.unlink()
        build = CACHE / "build"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir()
        _manage(build, "migrate", "--noinput", "-v0")
        _manage(build, "seed_demo")
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()",
                str(build / "quartermaster.sqlite3"),
            ],
            check=True,
        )
        (build / "quartermaster.sqlite3").replace(cached)
        shutil.rmtree(build, ignore_errors=True)
    shutil.copy(cached, var / "quartermaster.sqlite3")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoSite:
    def __init__(self, url: str, var: Path, password: str):
        self.url = url
        self.var = var
        self.password = password

    def manage(self, *args: str) -> str:
        return _manage(self.var, *args)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    var = tmp_path_factory.mktemp("demo-var")
    _seeded(var)
    _manage(var, "migrate", "--noinput", "-v0")  # a no-op unless the cache predates a migration
    _manage(var, "collectstatic", "--noinput", "-v0")
    logins = _manage(var, "demo_logins")
    password = re.search(r"password for every demo account: (\S+)", logins).group(1)
    port = _free_port()
    log = open(var / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "600",
        ],
        cwd=ROOT,
        env=_env(var),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/login/", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(
                        f"the server stopped:\n{(var / 'server.log').read_text()[-3000:]}", pytrace=False
                    )
                time.sleep(0.5)
        yield DemoSite(url, var, password)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def item_codes() -> list[str]:
    import csv

    with open(ROOT / "assets" / "data" / "uniform_items.csv", encoding="utf-8") as fh:
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
