"""With DEBUG off (as `make run` serves) users get Quartermaster's own error pages, never Django's."""

from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory, override_settings
from django.views import defaults


@override_settings(DEBUG=False)
def test_bad_request_and_server_error_pages_are_our_own():
    request = RequestFactory().get("/x/")
    bad = defaults.bad_request(request, SuspiciousOperation("x"))
    assert bad.status_code == 400 and "请求无法处理" in bad.content.decode()
    error = defaults.server_error(request)
    assert error.status_code == 500 and "系统出错" in error.content.decode()


@override_settings(DEBUG=False)
def test_not_found_page_is_our_own(client, db):
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404 and 'data-testid="not-found"' in resp.content.decode()
