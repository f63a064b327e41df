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
