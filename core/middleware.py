from .context import reset_source, set_source


class RequestSourceMiddleware:
    """Marks every change made while serving a request as coming from a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_source("request")
        try:
            return self.get_response(request)
        finally:
            reset_source(token)


class ChineseFirstMiddleware:
    """Chinese unless the user chose otherwise: after LocaleMiddleware, a page request without the language
    cookie (set by the header's switch, /i18n/setlang/) gets LANGUAGE_CODE whatever the browser asks. The
    API is spoken to by programs, which say what they want: there the Accept-Language header counts (a
    header naming no language we have, or none, still gets Chinese)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        api = request.path.startswith("/api/") and request.headers.get("Accept-Language")
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and not api:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class PageMetricsMiddleware:
    """Tells how much a response cost the server, for the browser journeys' checker and `make bench`'s page
    timings: `X-QM-Queries` (the number of SQL queries), `X-QM-Bytes` (the body's size) and `Server-Timing: app;dur=<ms>`. Installed only when
    QM_PAGE_METRICS is on (settings), so a normal deployment pays nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.db import connection

        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-QM-Queries"] = str(count[0])
        if not response.streaming:
            response["X-QM-Bytes"] = str(len(response.content))
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
        return response
