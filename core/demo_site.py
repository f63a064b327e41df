"""The full Hunan demo behind a real server, for the browser journeys (tests/browser) and the pages bench.

`seeded(var)` puts a database holding `seed_demo`'s full demo (9,843 officers) into the folder `var` (used as
QM_VAR_DIR: database, media, collected static files). Seeding takes about a minute, so a copy is kept under
var/browser-demo/<fingerprint>.sqlite3 and reused while the code the seed and the schema come from is the
same (the fingerprint covers every Python file of the apps and their data files). `serve(var)` runs the
server `make run` uses (manage.py serve) on that folder, DEBUG off, with QM_PAGE_METRICS on: every response says how many
queries it ran, how big it was and how long the server took."""

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "browser-demo"
APPS = ("assets", "config", "core", "distribution", "personnel", "procurement", "reports", "vehicles")


class SiteError(RuntimeError):
    pass


def fingerprint() -> str:
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


# A key of its own for each run of the site (strong enough for DEBUG off; the site keeps no session across runs).
_SECRET_KEY = secrets.token_urlsafe(50)


def env(var: Path) -> dict:
    out = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG")}
    out.update(
        QM_VAR_DIR=str(var),
        SECRET_KEY=_SECRET_KEY,
        DEBUG="0",
        QM_HTTPS="0",  # served over plain HTTP on 127.0.0.1, as make run serves it
        QM_PAGE_METRICS="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    out.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return out


def manage(var: Path, *args: str, timeout: int = 900) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env(var),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode:
        raise SiteError(f"manage.py {' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out.stdout


def seeded(var: Path) -> str:
    """The full demo in `var` (from the cache, or seeded now); returns the demo accounts' password."""
    var.mkdir(parents=True, exist_ok=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"{fingerprint()}.sqlite3"
    if not cached.exists():
        for old in CACHE.glob("*.sqlite3*"):
            old.unlink()
        build = CACHE / "build"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir()
        manage(build, "migrate", "--noinput", "-v0")
        manage(build, "seed_demo")
        db = sqlite3.connect(build / "quartermaster.sqlite3")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        (build / "quartermaster.sqlite3").replace(cached)
        shutil.rmtree(build, ignore_errors=True)
    shutil.copy(cached, var / "quartermaster.sqlite3")
    manage(var, "migrate", "--noinput", "-v0")
    manage(var, "collectstatic", "--noinput", "-v0")
    logins = manage(var, "demo_logins")
    return re.search(r"password for every demo account: (\S+)", logins).group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(var: Path):
    """`manage.py serve` (what `make run` runs: gunicorn and a Celery worker on the embedded broker) on `var`,
    on a free port: yields its URL; stopped on the way out."""
    port = free_port()
    log = open(var / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**env(var), "QM_EMBEDDED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/login/", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise SiteError(
                        f"the server stopped:\n{(var / 'server.log').read_text()[-3000:]}"
                    ) from None
                time.sleep(0.5)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # serve stops its web server and worker on Ctrl-C
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
