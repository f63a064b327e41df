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
    """Chinese unless the user chose otherwise: after LocaleMiddleware, a request without the language
    cookie (set by the header's switch, /i18n/setlang/) gets LANGUAGE_CODE whatever the browser asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
