"""`make run`'s set-up for real: `manage.py serve` under QM_EMBEDDED=1 (gunicorn, DEBUG off, and one Celery
worker on the embedded filesystem broker) against a SQLite file copied from the test database. A report
asked through the report centre's form is answered at once with the job queued; the worker, another process,
runs it, and the job page's status fragment shows the progress it writes while it runs. Ctrl-C's signal
then stops everything serve started."""

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from personnel.management.commands.seed_demo import DEMO_PASSWORD
from tests.personnel.factories import OfficerFactory

# committed rows, so the file copy has them; `embedded`: the embedded set-up is SQLite's, so make test runs it
# and make test-services (PostgreSQL) leaves it out
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _running(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            resp = self.opener.open(self.base + path, body, timeout=30)
        except urllib.error.HTTPError as exc:  # a redirect (not followed) or an error page
            return exc.code, exc.headers, exc.read().decode(errors="replace")
        return resp.status, resp.headers, resp.read().decode(errors="replace")

    def form_fields(self, html: str) -> dict:
        return {
            name: value
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
        }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _job_state(html: str) -> tuple[str, int, bool]:
    status = re.search(r'data-testid="job-status" data-status="(\w+)"', html).group(1)
    progress = int(re.search(r'<progress max="100" value="(\d+)"', html).group(1))
    return status, progress, "hx-get=" in html


def test_serve_answers_a_report_request_at_once_and_its_worker_runs_it(tmp_path, roll, province_user, org):
    assert connection.vendor == "sqlite", "the embedded set-up is SQLite's (make test-services leaves it out)"
    for i in range(60):  # enough rows that the worker is seen at work
        OfficerFactory(unit=org[("430100", "430121", "430112", "430200")[i % 4]])
    hasher = PBKDF2PasswordHasher()  # the server's own hasher (the tests' MD5 is not in its settings)
    province_user.password = hasher.encode(DEMO_PASSWORD, hasher.salt())
    province_user.save()
    db_file = tmp_path / "qm.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(db_file)
    connection.connection.backup(copy)
    copy.close()

    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "SITE_URL"}
    }
    env.update(QM_EMBEDDED="1", QM_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite:///{db_file}")
    log = open(tmp_path / "serve.log", "w+")
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"--port={port}", "--web-workers=1", "--no-beat"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while "Serving on" not in (tmp_path / "serve.log").read_text():
            assert serve.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
        web = Browser(f"http://127.0.0.1:{port}")
        status, _, page = web.open("/nope/")
        assert status == 404 and "Traceback" not in page and "DEBUG = True" not in page  # no debug page
        _, _, page = web.open("/login/")
        fields = web.form_fields(page)
        status, _, _ = web.open(
            "/login/", {**fields, "username": province_user.username, "password": DEMO_PASSWORD}
        )
        assert status == 302
        _, _, page = web.open("/reports/?kind=sign-for-sheets")
        form = web.form_fields(page)
        started = time.monotonic()
        status, headers, _ = web.open("/reports/", {**form, "format": "pdf"})
        answered = time.monotonic() - started
        assert status == 302, headers
        job_url = headers["Location"]
        job_id = int(re.search(r"/jobs/(\d+)/", job_url).group(1))
        _, _, page = web.open(job_url)
        seen = [_job_state(page)]
        assert seen[0][0] in ("queued", "running") and seen[0][2]  # not run in the request; the page polls
        children = _descendants(serve.pid)
        deadline = time.monotonic() + 120
        while seen[-1][0] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.1)
            _, _, fragment = web.open(f"/reports/jobs/{job_id}/status/")
            seen.append(_job_state(fragment))
        print(f"form answered in {answered:.2f} s; states seen: {sorted(set(seen))}")
        assert seen[-1][:2] == ("done", 100), (seen[-1], (tmp_path / "serve.log").read_text())
        assert not seen[-1][2]  # the poll stops once done
        assert any(s == "running" and 0 < p < 100 for s, p, _ in seen), seen  # real progress on the way
        status, headers, _ = web.open(f"/reports/jobs/{job_id}/download/")
        assert status == 200 and headers["Content-Type"] == "application/pdf"
    finally:
        children |= _descendants(serve.pid)
        serve.send_signal(signal.SIGINT)  # as Ctrl-C
        try:
            code = serve.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            raise
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()
    time.sleep(0.5)
    assert children and not [p for p in children if _running(p)]  # gunicorn, its workers, the worker
