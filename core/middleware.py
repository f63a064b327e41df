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


class PasswordChangeDueMiddleware:
    """An account whose password someone else has seen (create_unit_accounts) goes to the password page
    before anything else; the API answers 403 `password_change_due` to its session. The flag is put in the
    session at login (core.signals), so other users cost nothing."""

    ALLOWED = ("/password/", "/logout/", "/i18n/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .passwords import SESSION_KEY

        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(SESSION_KEY)
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED)
        ):
            from django.http import JsonResponse
            from django.shortcuts import redirect
            from django.urls import reverse
            from django.utils.http import urlencode
            from django.utils.translation import gettext

            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "password_change_due", "message": gettext("请先修改初始密码"), "details": {}},
                    status=403,
                )
            return redirect(
                f"{reverse('core:password_change')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
