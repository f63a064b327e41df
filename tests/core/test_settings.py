import os
import subprocess
import sys

from django.conf import settings

STRONG_KEY = "qm-test-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"


def _load_settings(env):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_defaults_are_embedded_sqlite_and_eager_tasks():
    out = _load_settings({})
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "True"]


def test_database_and_broker_from_environment():
    out = _load_settings(
        {
            "DATABASE_URL": "postgres://u@h:5432/x",
            "CELERY_BROKER_URL": "redis://h:6379/0",
            "SECRET_KEY": STRONG_KEY,
        }
    )
    assert out.stdout.split() == ["django.db.backends.postgresql", "False", "False"]


def test_secret_key_required_when_debug_off():
    out = _load_settings({"DEBUG": "0"})
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_embedded_set_up_runs_with_debug_off_a_kept_key_and_the_filesystem_broker(tmp_path):
    """QM_EMBEDDED=1 (make run): nothing to set by hand. The key is made once (mode 600) and reused."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.CELERY_RESULT_BACKEND, "
        "s.CELERY_BROKER_TRANSPORT, s.SECRET_KEY)"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "CELERY_RESULT_BACKEND"}
    }
    env = {**base, "QM_EMBEDDED": "1", "QM_VAR_DIR": str(tmp_path)}

    def load():
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    first, second = load(), load()
    assert first[:5] == ["False", "False", "filesystem://localhost/", "None", "config.broker:Transport"]
    key = tmp_path / "secret_key"
    assert first[5] == second[5] == key.read_text().strip() and len(first[5]) >= 50
    assert key.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "broker" / "queue").is_dir()
