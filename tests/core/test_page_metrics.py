"""QM_PAGE_METRICS: every response says how many queries it ran, how big it was and how long it took."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_headers_when_on(province_user):
    with override_settings(MIDDLEWARE=["core.middleware.PageMetricsMiddleware", *settings.MIDDLEWARE]):
        c = Client()
        c.force_login(province_user)
        r = c.get("/")
    assert r.status_code == 200
    assert int(r["X-QM-Queries"]) > 0
    assert int(r["X-QM-Bytes"]) == len(r.content)
    assert r["Server-Timing"].startswith("app;dur=")


def test_off_by_default(province_user):
    assert "core.middleware.PageMetricsMiddleware" not in settings.MIDDLEWARE
    c = Client()
    c.force_login(province_user)
    assert "X-QM-Queries" not in c.get("/")
