"""Quartermaster settings. This is the one module that reads the environment.

DATABASE_URL       default: SQLite file var/quartermaster.sqlite3
CELERY_BROKER_URL  unset: tasks run eagerly in-process; filesystem://: the embedded broker of `make run`
                   (folders under var/broker); redis://...: a real broker and workers
SECRET_KEY         required when DEBUG is off
DEBUG              "1"/"true" to turn on (default on without SECRET_KEY, off with it)
QM_EMBEDDED        "1": what `make run` serves: DEBUG off, key in var/secret_key, broker filesystem://, plain HTTP
ALLOWED_HOSTS      comma separated
QM_HTTPS and the other QM_* switches of the security block below: see README "Security and operations"
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _kept_secret_key(path: Path) -> str:
    """The key in `path`, made (random, mode 600) the first time, so sessions survive a restart."""
    if path.is_file() and path.read_text().strip():
        path.chmod(0o600)
        return path.read_text().strip()
    from django.core.management.utils import get_random_secret_key

    partial = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(get_random_secret_key() + "\n")
    try:
        if path.exists():  # empty
            partial.replace(path)
        else:
            os.link(partial, path)  # a whole file or none; the first process starting wins, all read its key
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)
    return path.read_text().strip()


# QM_EMBEDDED=1 (`make run`, `manage.py serve`): the embedded set-up as users meet it: DEBUG off, a secret
# key kept in var/secret_key, the embedded broker (filesystem://) with a real worker.
EMBEDDED = _flag("QM_EMBEDDED", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "") or (
    _kept_secret_key(VAR_DIR / "secret_key") if EMBEDDED else ""
)
DEBUG = _flag("DEBUG", default=not SECRET_KEY)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-quartermaster"  # noqa: S105 - embedded/dev mode only


def weak_secret_key(key: str) -> str:
    """Why `key` is too weak for a server (empty when it is fine): Django's own rule of `check --deploy`
    (at least 50 characters, 5 different ones, not Django's "django-insecure-" placeholder)."""
    if key.startswith("django-insecure-") or key == "dev-only-insecure-key-quartermaster":
        return "it is a placeholder"
    if len(key) < 50:
        return f"it has {len(key)} characters (at least 50)"
    if len(set(key)) < 5:
        return "it has fewer than 5 different characters"
    return ""


if not DEBUG and not _flag("QM_ALLOW_WEAK_SECRET_KEY", default=False) and weak_secret_key(SECRET_KEY):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak for DEBUG off: {weak_secret_key(SECRET_KEY)}. Make one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` (QM_ALLOW_WEAK_SECRET_KEY=1 overrides)"
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "axes",
    "core",
    "personnel",
    "assets",
    "procurement",
    "distribution",
    "vehicles",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # static files from STATIC_ROOT (after `manage.py collectstatic`) with far-future caching, so a
    # production server needs no separate web server for them; under DEBUG the finders serve them
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.ChineseFirstMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PasswordChangeDueMiddleware",
    "core.middleware.RequestSourceMiddleware",
    # last: turns a refused login (too many failures, or too soon after them) into the login page's message
    "axes.middleware.AxesMiddleware",
]
# X-QM-Queries and Server-Timing on every response (the browser journeys' checker, the pages bench)
QM_PAGE_METRICS = _flag("QM_PAGE_METRICS", default=False)
if QM_PAGE_METRICS:
    MIDDLEWARE.insert(0, "core.middleware.PageMetricsMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'quartermaster.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for the writer and the writer never waits for readers, so pages keep
    # reading while the report worker writes. One writer at a time remains: every write transaction is
    # short (a progress update is one UPDATE), and a writer that finds the file locked waits up to 20 s
    # (the busy timeout) instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.OrganisationWordsValidator"},
]

# Login throttling (django-axes, core/login_guard.py). Failures are counted per pair account + address: a
# pair is locked after QM_LOGIN_FAILURE_LIMIT failures for QM_LOGIN_LOCKOUT_MINUTES (a cool-off, never for
# good), so nobody locks `province` out by guessing from elsewhere and one user does not lock out a city
# behind one address. Before that, a growing wait per pair, per account (from addresses that never logged
# in to it) and per address (by how many accounts failed from it): core.login_guard.retry_after.
AUTHENTICATION_BACKENDS = [
    "core.login_guard.LoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("QM_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("QM_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused try does not prolong the lock
AXES_CLIENT_IP_CALLABLE = "core.login_guard.client_ip"
AXES_LOCKOUT_CALLABLE = "core.login_guard.lockout_response"
AXES_ENABLE_ADMIN = False  # core.admin shows the locks, with an unlock action through core.login_guard
AXES_VERBOSE = False
# Forwarded addresses (X-Forwarded-For) are believed only from these proxies (comma separated addresses or
# networks, e.g. "10.0.0.5,10.1.0.0/24"); from anyone else the connection's own address counts.
QM_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("QM_TRUSTED_PROXIES", "").split(",") if p.strip()]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # `manage.py collectstatic` fills it; WhiteNoise serves it
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
# Hashed names and an immutable, far-future Cache-Control (core/static_storage.py) instead of WhiteNoise's
# 60-second default for unhashed files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.static_storage.HashedStaticStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
LOGIN_URL = "/login/"

# Security of a real server. With DEBUG off every switch is on by default (HTTPS: redirect, HSTS, secure
# cookies); QM_HTTPS=0 turns them off together for a plain-HTTP intranet, and each has its own variable.
# The embedded set-up (`make run`: plain HTTP on 127.0.0.1) and DEBUG default to plain HTTP.
HTTPS = _flag("QM_HTTPS", default=not DEBUG and not EMBEDDED)
SECURE_SSL_REDIRECT = _flag("QM_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer asks over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("QM_HSTS_SECONDS", str(365 * 24 * 3600) if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("QM_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = _flag("QM_HSTS_PRELOAD", default=HTTPS)
SESSION_COOKIE_SECURE = _flag("QM_SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if _flag("QM_PROXY_SSL_HEADER", default=False):  # behind a proxy that ends TLS and says so
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = int(os.environ.get("QM_SESSION_HOURS", "10")) * 3600  # a working day, not 14 days
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): the pages load only their own scripts and styles, no inline script,
# no inline style; images also from data: URLs (the favicon, QR codes). QM_CSP=0 turns it off.
_CSP_SELF = "'self'"
# the one <style> of the bare 400 and 500 pages (they load nothing, not even the stylesheet); a test keeps
# this hash equal to the templates' text
CSP_ERROR_PAGE_STYLE = "'sha256-bpjOife2v922e5EbmOmAB3QixfC8fwGnk1cM8GgsemU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_CSP_SELF],
        "script-src": [_CSP_SELF],
        "style-src": [_CSP_SELF, CSP_ERROR_PAGE_STYLE],
        # <style> elements stay strict; style *attributes* are allowed, because the vendored ECharts writes
        # them on the elements it draws (tooltips, its canvas wrapper). The project's own templates carry none
        # (a test reads them). Browsers without CSP 3's -elem/-attr fall back to style-src above.
        "style-src-elem": [_CSP_SELF, CSP_ERROR_PAGE_STYLE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [_CSP_SELF, "data:"],
        "font-src": [_CSP_SELF],
        "connect-src": [_CSP_SELF],
        "object-src": ["'none'"],
        "base-uri": [_CSP_SELF],
        "form-action": [_CSP_SELF],
        "frame-ancestors": ["'none'"],
    }
}
if not _flag("QM_CSP", default=True):
    MIDDLEWARE.remove("csp.middleware.CSPMiddleware")

# Celery: without a broker every task runs eagerly in the calling process (the tests, the commands).
# `filesystem://` is the embedded broker `make run` uses: message files under var/broker, read by the one
# worker `manage.py serve` starts (config/broker.py); no server, and no result backend (ReportJob rows
# carry every job's state). Any other URL (redis://...) is a real broker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost/" if EMBEDDED else "")
EMBEDDED_BROKER = CELERY_BROKER_URL.startswith("filesystem:")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND", None if EMBEDDED_BROKER else CELERY_BROKER_URL or None
)
if EMBEDDED_BROKER:
    BROKER_DIR = VAR_DIR / "broker"
    for sub in ("queue", "claimed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "claimed"),
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": 0.5,  # seconds between looks at the folder: a report starts within 0.5 s
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # one worker, started and stopped by `manage.py serve`
else:
    # Redis: a message taken but not acknowledged (acks_late) goes back to the queue after this many seconds.
    # Longer than the longest job (so a long report is not delivered twice); a killed worker's job is found
    # by its heartbeat (REPORT_DEAD_SECONDS) long before, and job_start never runs a live job twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("QM_BROKER_VISIBILITY_TIMEOUT", str(4 * 3600)))
    }
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Reports: generated files expire after this many hours (the job row stays).
REPORT_TTL_HOURS = int(os.environ.get("QM_REPORT_TTL_HOURS", "72"))
REPORT_PDF_WORKERS = int(os.environ.get("QM_REPORT_PDF_WORKERS", "2"))
# A running job writes its heartbeat every REPORT_HEARTBEAT_SECONDS; silent for REPORT_DEAD_SECONDS, it is dead
# and queued again (reports.services.jobs_reap_stale: every minute, and when a worker starts).
REPORT_HEARTBEAT_SECONDS = float(os.environ.get("QM_REPORT_HEARTBEAT_SECONDS", "15"))
REPORT_DEAD_SECONDS = float(os.environ.get("QM_REPORT_DEAD_SECONDS", "120"))
REPORT_BADGE_NUMBER_PROVIDER = "distribution.selectors.badge_numbers"
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "quartermaster@localhost")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
