"""`make run`: the embedded set-up as users meet it, in one command. Collects the static files, queues again
any report a killed run left half done, then starts and watches two process groups:

- gunicorn (config.wsgi, threads) on 127.0.0.1:PORT, DEBUG off (settings under QM_EMBEDDED=1);
- one Celery worker (solo pool: one job at a time, in its own main process, so a PDF report may fork its
  render processes) with the embedded beat, on the broker of the settings (filesystem:// by default).

Ctrl-C or SIGTERM stops both: each leader is asked to stop, then whatever is left of its group (gunicorn's
workers, the worker's render processes and beat) is killed after STOP_SECONDS. A report cut short that way
stays 'running' and is queued again at the next start. If either group ends by itself, the other is stopped
too and the command fails.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STOP_SECONDS = 10
READY_SECONDS = 60
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: a SIGTERM when this command dies, even by SIGKILL (Linux), so no leader is
    left behind without its supervisor."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def web_argv(*, port: int, workers: int = 2, threads: int = 4) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--preload",  # the app (and its URLs, views, API) loaded once, then forked
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--graceful-timeout=5",
        "--timeout=120",
        "--error-logfile=-",
        "--log-level=warning",
    ]


def worker_argv(*, beat: bool = True) -> list[str]:
    # solo: one job at a time (SQLite has one writer; a report already uses both cores through its render
    # processes), run in the worker's main process, which may fork them (a prefork child is daemonic: no)
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "--quiet",  # no banner between the logins and the prompt
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--hostname=qm-embedded@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
    return argv + (["--beat"] if beat else [])


class Group:
    """A child started as the leader of its own process group (no terminal signals reach it)."""

    def __init__(self, name: str, argv: list[str], env: dict | None = None):
        self.name = name
        self.proc = subprocess.Popen(
            argv, cwd=settings.BASE_DIR, env=env, start_new_session=True, preexec_fn=_die_with_parent
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _members(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def stop(self, deadline: float) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        while (self.alive() or self._members()) and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.alive() or self._members():
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def wait_listening(port: int, groups: list[Group], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not all(g.alive() for g in groups):
            return False
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = (
        "Serve Quartermaster as `make run` does: gunicorn on 127.0.0.1:PORT and a background report worker."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument(
            "--no-worker", action="store_true", help="serve pages only (jobs wait in the queue)"
        )
        parser.add_argument("--no-beat", action="store_true", help="no periodic tasks (reminders, digest)")

    def handle(self, *args, port, web_workers, no_worker, no_beat, **options):
        if settings.DEBUG:
            raise CommandError(
                "serve runs with DEBUG off: set QM_EMBEDDED=1 (as make run does) or SECRET_KEY"
            )
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("serve needs a broker: QM_EMBEDDED=1 gives the embedded one (filesystem://)")
        url = f"http://127.0.0.1:{port}"
        with socket.socket() as sock:  # say so now, not after a gunicorn traceback
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                raise CommandError(
                    f"127.0.0.1:{port} is in use: choose another port (make run PORT=…)"
                ) from None
        call_command("collectstatic", interactive=False, verbosity=0)
        if settings.EMBEDDED_BROKER:
            from reports.services import jobs_requeue_orphans

            orphans = jobs_requeue_orphans()
            if orphans["requeued"] or orphans["failed"]:
                self.stdout.write(f"reports left running by the last run: {orphans}")
        stopping = {"signal": None}

        def on_signal(signum, _frame):
            stopping["signal"] = signum

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, on_signal)
        env = dict(os.environ)  # the children read the same settings (QM_EMBEDDED, …)
        env.setdefault("SITE_URL", url)  # the receipt form's QR code points here
        groups = [Group("web", web_argv(port=port, workers=web_workers), env)]
        if not no_worker:
            groups.append(Group("worker", worker_argv(beat=not no_beat), env))
        status = 0
        try:
            if not wait_listening(port, groups, READY_SECONDS) and stopping["signal"] is None:
                raise CommandError(f"the web server did not start on {url} (is the port taken?)")
            if stopping["signal"] is None:
                call_command("demo_logins", url=url, stdout=self.stdout)
                self.stdout.write(
                    f"Serving on {url}/ (gunicorn, DEBUG off)"
                    + ("" if no_worker else "; reports run in a background worker")
                    + ". Ctrl-C stops both.\n"
                )
                self.stdout.flush()
            while stopping["signal"] is None:
                ended = [g for g in groups if not g.alive()]
                if ended:
                    self.stderr.write(f"{ended[0].name} stopped (exit {ended[0].proc.returncode}); stopping")
                    status = 1
                    break
                time.sleep(0.3)
        finally:
            deadline = time.monotonic() + STOP_SECONDS
            for g in groups:
                if g.alive():
                    g.proc.send_signal(signal.SIGTERM)
            for g in groups:
                g.stop(deadline)
            self.stdout.write("stopped.")
        if status:
            raise CommandError("a part of the server stopped by itself")
