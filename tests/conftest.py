"""Shared fixtures: the org tree, users of every role, an API client, and (make test-services) a real
Celery worker on the Redis broker working against the PostgreSQL test database."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.test import Client

from core.auth import token_issue
from personnel import reference
from personnel.models import OrgUnit
from personnel.services import account_create


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_unless_broker(request):
    """Tasks run in-process except in tests marked `broker`, which go through the real broker and worker
    when one is configured (make test-services); so the rest of the suite behaves alike on both runs."""
    from config.celery import app

    if request.node.get_closest_marker("broker"):
        yield
        return
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = old


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reference.load_org_tree()


@pytest.fixture
def org(db):
    """The Hunan org tree (loaded once per session; reloaded after a transactional test flushed it)."""
    reference.load_org_tree()
    return {u.code: u for u in OrgUnit.objects.all()}


@pytest.fixture
def make_user(org):
    """make_user(role, unit_code) → a user with that one membership."""
    counter = {"n": 0}

    def _make(role: str, unit_code: str, username: str | None = None):
        counter["n"] += 1
        name = username or f"{role}{unit_code}_{counter['n']}_{uuid.uuid4().hex[:4]}"
        return account_create(
            actor=None, username=name, password="pw-test-123", unit=org[unit_code], role=role
        )

    return _make


@pytest.fixture
def browse():
    """browse(user) → a test client logged in as that user (None: anonymous)."""

    def _as(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return _as


@pytest.fixture
def province_user(make_user):
    return make_user("province", "430000")


@pytest.fixture
def changsha_user(make_user):
    return make_user("city", "430100")


@pytest.fixture
def zhuzhou_user(make_user):
    return make_user("city", "430200")


@pytest.fixture
def county_user(make_user):
    return make_user("county", "430121")  # 长沙县, under Changsha


@pytest.fixture
def auditor_user(make_user):
    return make_user("auditor", "430000")


class ApiClient:
    """The test client speaking JSON with a bearer token: api.as_(user).get('/personnel/officers')."""

    prefix = "/api/v1"

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {token_issue(user=user, name='test')}"

    def as_(self, user):
        return ApiClient(user)

    def _call(self, method, path, data=None, **extra):
        fn = getattr(self.client, method)
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}}
        if (
            data is not None
            and method in ("post", "put", "patch")
            and "content_type" not in extra
            and not extra.get("multipart")
        ):
            kwargs["content_type"] = "application/json"
        extra.pop("multipart", None)
        kwargs.update(extra)
        return (
            fn(self.prefix + path, data, **kwargs) if data is not None else fn(self.prefix + path, **kwargs)
        )

    def get(self, path, data=None, **extra):
        return self._call("get", path, data, **extra)

    def post(self, path, data=None, **extra):
        return self._call("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._call("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._call("put", path, data, **extra)

    def delete(self, path, **extra):
        return self._call("delete", path, None, **extra)


@pytest.fixture
def api(db):
    return ApiClient()


# ---- a real Celery worker for make test-services ---------------------------------------------------


def _broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """With CELERY_BROKER_URL set: start `celery worker` on its own queue against the test database and
    yield its queue name; without a broker: None (tasks run eagerly)."""
    if not _broker_configured():
        yield None
        return
    from django.db import connection

    from config.celery import app

    db = connection.settings_dict
    queue = f"qm-test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["CELERY_TASK_DEFAULT_QUEUE"] = queue
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "-c",
            "2",
            "-P",
            "threads",
            "-n",
            f"qmtest-{queue}@%h",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    app.conf.task_default_queue = queue
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("the Celery worker exited at start")
            replies = app.control.ping(destination=[f"qmtest-{queue}@{os.uname().nodename}"], timeout=1)
            if replies:
                break
        else:
            raise RuntimeError("the Celery worker did not answer within 60 s")
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def broker(celery_worker_process, transactional_db):
    """For tests marked `broker`: a real worker when a broker is configured (data must be committed, hence
    the transactional database), eager tasks otherwise. Yields True when the broker is real."""
    yield celery_worker_process is not None


@pytest.fixture
def english():
    """The test runs with English active (the user switched): messages come from the English catalogue."""
    from django.utils import translation

    with translation.override("en"):
        yield
