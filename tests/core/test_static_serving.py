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
