"""Production static files: `collectstatic` into STATIC_ROOT, then WhiteNoise serves them with DEBUG off,
without a separate web server (and the pages' vendored ECharts / htmx are among them)."""

from django.core.management import call_command
from django.test import Client, override_settings


def test_collected_static_files_are_served_with_debug_off(tmp_path, settings):
    root = tmp_path / "static"
    settings.STATIC_ROOT = root
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (root / "core" / "qm.css").is_file()
    vendored = sorted(p.name for p in (root / "vendor").rglob("*.js"))
    assert any(name.startswith("echarts") for name in vendored), vendored
    with override_settings(DEBUG=False, WHITENOISE_USE_FINDERS=False, STATIC_ROOT=root):
        client = Client()  # a new handler: the middleware reads STATIC_ROOT when it is built
        resp = client.get("/static/core/qm.css")
        assert resp.status_code == 200
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        assert body == (root / "core" / "qm.css").read_bytes()
        assert "max-age" in resp.headers.get("Cache-Control", "")
        assert client.get("/static/core/no-such-file.css").status_code == 404


def test_media_files_are_not_served_by_url_even_under_debug(settings):
    import importlib

    import pytest
    from django.urls import Resolver404, clear_url_caches, resolve

    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve(f"/{settings.MEDIA_URL}reports/1/progress.pdf")
        assert resolve("/reports/").url_name  # the page itself still resolves
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_pages_link_hashed_static_files_cached_for_good(tmp_path, settings):
    """After collectstatic (what `make run` does) the pages name each file by its content hash, and WhiteNoise
    serves those names as immutable for a year or more: no 60-second revalidation of every script."""
    import re

    root = tmp_path / "static"
    settings.STATIC_ROOT = root
    call_command("collectstatic", "--noinput", verbosity=0)
    with override_settings(DEBUG=False, WHITENOISE_USE_FINDERS=False, STATIC_ROOT=root):
        client = Client()
        html = client.get("/login/").content.decode()
        hashed = re.findall(r"/static/core/qm\.[0-9a-f]{12}\.css", html)
        assert hashed, html[:500]
        resp = client.get(hashed[0])
        assert resp.status_code == 200
        cache = resp.headers["Cache-Control"]
        assert "immutable" in cache
        assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600


def test_without_collectstatic_pages_still_render_with_plain_names(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "empty"
    settings.STATIC_ROOT.mkdir()
    html = Client().get("/login/").content.decode()
    assert "/static/core/qm.css" in html
