"""Django's own error views (handler400/403/404/500), except under /api/: there a client gets the API's one
error shape as JSON, never an HTML page (an unknown route, a server error outside a handler)."""

from django.http import JsonResponse
from django.utils.translation import gettext
from django.views import defaults

API_PREFIX = "/api/"


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": {}}, status=status)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception=None):
    if _is_api(request):
        return _json(400, "bad_request", gettext("请求无法处理"))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return _json(403, "forbidden", gettext("您的角色不能执行此操作"))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _json(404, "not_found", gettext("不存在或不在您的权限范围内"))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _json(500, "server_error", gettext("服务器出错，请稍后再试；错误已记录"))
    return defaults.server_error(request)
