"""The checks behind /healthz: can this process reach its database, its broker and its storage?"""

import logging
import os
import uuid

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> str:
    """ "ok", or "eager" when there is no broker (tasks run in-process: nothing to reach)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    if settings.EMBEDDED_BROKER:
        queue = settings.BROKER_DIR / "queue"
        if not (queue.is_dir() and os.access(queue, os.W_OK)):
            raise OSError("broker folder not writable")
        return "ok"
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    return "ok"


def check_storage() -> None:
    """Write, read back and remove a small file under MEDIA_ROOT (uploads and reports go there)."""
    root = settings.MEDIA_ROOT
    root.mkdir(parents=True, exist_ok=True)
    probe = root / f".healthz-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"ok")
        if probe.read_bytes() != b"ok":
            raise OSError("storage read back differs")
    finally:
        probe.unlink(missing_ok=True)


def run_checks() -> dict[str, str]:
    out = {}
    for name, check in (("database", check_database), ("broker", check_broker), ("storage", check_storage)):
        try:
            out[name] = check() or "ok"
        except Exception:  # any failure is "fail"; what it was goes to the log, never to the caller
            log.exception("healthz: %s check failed", name)
            out[name] = "fail"
    return out
