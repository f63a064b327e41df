"""Production settings from the environment: secure by default with DEBUG off, each switch documented and
able to go off for a plain-HTTP intranet, the embedded set-up plain HTTP by itself, `check --deploy` clean
with the README's production environment, a weak SECRET_KEY refused, the CSP header, /healthz."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

STRONG_KEY = "qm-prod-" + "Zx81kQ0pLm2Nv7Bc4Rt9Wy3Hj6Df5Gs1Ae0Iu8Ok2Pl"
README = Path(settings.BASE_DIR) / "README.md"
DROPPED = {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "CELERY_RESULT_BACKEND", "QM_EMBEDDED"}


def _env(tmp_path, **extra):
    base = {k: v for k, v in os.environ.items() if k not in DROPPED and not k.startswith("QM_")}
    return {**base, "QM_VAR_DIR": str(tmp_path), **extra}


def _settings(tmp_path, names, **extra):
    code = (
        "import django, os, json; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
        "from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path, **extra),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    return out


SECURITY = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_AGE",
    "MIDDLEWARE",
]


def test_debug_off_is_secure_by_default(tmp_path):
    out = _settings(tmp_path, SECURITY, SECRET_KEY=STRONG_KEY)
    s = json.loads(out.stdout)
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_AGE"] == 10 * 3600
    assert "csp.middleware.CSPMiddleware" in s["MIDDLEWARE"]


def test_plain_http_intranet_switches_off_by_variables(tmp_path):
    out = _settings(tmp_path, SECURITY, SECRET_KEY=STRONG_KEY, QM_HTTPS="0", QM_CSP="0", QM_SESSION_HOURS="4")
    s = json.loads(out.stdout)
    assert not s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] == 0
    assert not s["SESSION_COOKIE_SECURE"] and not s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_AGE"] == 4 * 3600
    assert "csp.middleware.CSPMiddleware" not in s["MIDDLEWARE"]
    one = json.loads(_settings(tmp_path, SECURITY, SECRET_KEY=STRONG_KEY, QM_SSL_REDIRECT="0").stdout)
    assert not one["SECURE_SSL_REDIRECT"] and one["SESSION_COOKIE_SECURE"]


def test_the_embedded_set_up_is_plain_http_by_itself(tmp_path):
    """make run (QM_EMBEDDED=1) serves plain HTTP on 127.0.0.1: no redirect, no HSTS, cookies over HTTP."""
    s = json.loads(_settings(tmp_path, SECURITY + ["DEBUG"], QM_EMBEDDED="1").stdout)
    assert s["DEBUG"] is False
    assert not s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] == 0 and not s["SESSION_COOKIE_SECURE"]
    assert "csp.middleware.CSPMiddleware" in s["MIDDLEWARE"]


@pytest.mark.parametrize("key", ["short-key", "django-insecure-" + "x" * 60, "ab" * 40])
def test_a_weak_secret_key_is_refused(tmp_path, key):
    out = _settings(tmp_path, ["DEBUG"], SECRET_KEY=key)
    assert out.returncode != 0 and "SECRET_KEY is too weak" in out.stderr
    allowed = _settings(tmp_path, ["DEBUG"], SECRET_KEY=key, QM_ALLOW_WEAK_SECRET_KEY="1")
    assert allowed.returncode == 0, allowed.stderr


def _readme_production_env() -> dict:
    """The `export` lines of the README's production block, with the SECRET_KEY placeholder made real."""
    text = README.read_text()
    block = text.split("### Running it for real", 1)[1].split("```", 2)[1]
    env = {}
    for line in block.splitlines():
        if line.startswith("export "):
            for name, value in re.findall(r"(\w+)=(\S+)", line):
                env[name] = value
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"} <= set(env)
    env["SECRET_KEY"] = STRONG_KEY
    return env


def test_check_deploy_is_clean_with_the_readme_production_environment(tmp_path):
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=_env(tmp_path, **_readme_production_env()),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(browse, province_user):
    response = browse(province_user).get("/")
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
    )
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    # no inline script anywhere; no <style> element but the error pages' one (by its hash)
    assert "unsafe" not in directives["script-src"] and "unsafe" not in directives["style-src-elem"]
    assert "sha256-" in directives["style-src-elem"]
    # style attributes only, for the vendored charts (the project's own pages carry none: below)
    assert directives["style-src-attr"] == "'unsafe-inline'"
    body = response.content.decode()
    assert ' style="' not in body and " onclick=" not in body


def _broker_state() -> str:
    """Without a broker tasks run in-process (make test): "eager"; with Redis (make test-services): "ok"."""
    from django.conf import settings

    return "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"


@pytest.mark.django_db
def test_healthz_answers_without_login_and_without_details():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": _broker_state(), "storage": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_says_fail_with_503_and_no_details(monkeypatch, settings, tmp_path):
    from core import health

    def broken():
        raise OSError("connection refused to secret-host:5432")

    monkeypatch.setattr(health, "check_database", broken)
    blocked = tmp_path / "media"
    blocked.write_text("a file where the folder should be")
    settings.MEDIA_ROOT = blocked
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "fail", "broker": _broker_state(), "storage": "fail"},
    }
    assert b"secret-host" not in response.content


@pytest.mark.django_db
def test_healthz_checks_the_embedded_broker_folder(settings, tmp_path):
    from core import health

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMBEDDED_BROKER = True
    settings.BROKER_DIR = tmp_path
    assert health.run_checks()["broker"] == "fail"
    (tmp_path / "queue").mkdir()
    assert health.run_checks()["broker"] == "ok"


def test_healthz_is_exempt_from_the_https_redirect():
    assert any(re.search(p, "healthz") for p in settings.SECURE_REDIRECT_EXEMPT)


def test_the_error_pages_inline_style_is_allowed_by_its_hash():
    import base64
    import hashlib

    root = Path(settings.BASE_DIR) / "core" / "templates"
    for name in ("400.html", "500.html"):
        for css in re.findall(r"<style>(.*?)</style>", (root / name).read_text(), re.S):
            digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


def test_no_page_template_has_inline_style_or_handlers():
    root = Path(settings.BASE_DIR)
    hits = []
    for path in root.glob("*/templates/**/*.html"):
        if "/pdf/" in str(path) or ".venv" in path.parts:  # PDFs are rendered by WeasyPrint, not a browser
            continue
        if re.search(r'\sstyle="|\son[a-z]+="', path.read_text()):
            hits.append(str(path.relative_to(root)))
    assert hits == []
