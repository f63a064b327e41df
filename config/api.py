"""The API root: /api/v1, one router per app (each app's api.py `router`), one error shape."""

from importlib import import_module

from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from core.auth import api_auth
from core.errors import QMError
from core.i18n import is_en

api = NinjaAPI(
    title="Quartermaster API",
    version="1",
    description=gettext_lazy("湖南省交通运输综合行政执法 后勤装备管理 ·"),
    auth=api_auth,
    urls_namespace="api-v1",
)

# (url prefix, module with a `router`); an app's module that does not exist yet is passed over.
ROUTES = [
    ("core", "core.api"),
    ("personnel", "personnel.api"),
    ("assets", "assets.api"),
    ("assets", "assets.equipment_api"),
    ("procurement", "procurement.api"),
    ("distribution", "distribution.api"),
    ("vehicles", "vehicles.api"),
    ("reports", "reports.api"),
]
for _prefix, _name in ROUTES:
    try:
        _module = import_module(_name)
    except ModuleNotFoundError as exc:
        if exc.name != _name:
            raise
        continue
    api.add_router(f"/{_prefix}/", _module.router)


def _error(request, status, code, message, details=None):
    return api.create_response(
        request, {"code": code, "message": message, "details": details or {}}, status=status
    )


@api.exception_handler(QMError)
def _qm_error(request, exc: QMError):
    return _error(request, exc.status, exc.code, exc.message, exc.details)


# pydantic's reasons in Chinese, by error type (English keeps pydantic's own words)
_ZH_REASONS = {
    "missing": "缺少此项",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "decimal_parsing": "须为数字",
    "string_type": "须为文本",
    "bool_parsing": "须为是或否",
    "bool_type": "须为是或否",
    "date_parsing": "须为日期（年-月-日）",
    "date_from_datetime_parsing": "须为日期（年-月-日）",
    "datetime_parsing": "须为时间",
    "string_too_long": "过长",
    "too_long": "过多",
    "list_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "json_invalid": gettext_lazy("格式无效"),
    "greater_than": "超出范围",
    "greater_than_equal": "超出范围",
    "less_than": "超出范围",
    "less_than_equal": "超出范围",
    "enum": "不是可选值之一",
    "literal_error": "不是可选值之一",
}


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload")]
        reason = err.get("msg", "") if is_en() else _ZH_REASONS.get(err.get("type", ""), "格式无效")
        fields.append({"field": ".".join(loc), "message": reason})
    first = fields[0] if fields else {"field": "", "message": ""}
    return _error(
        request,
        422,
        "validation_error",
        gettext("输入有误：{field} {message}").format(field=first["field"], message=first["message"]),
        {"fields": fields},
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(request, 401, "unauthenticated", gettext("请先登录"))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", gettext("不存在或不在您的权限范围内"))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, "forbidden", gettext("您的角色不能执行此操作"))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request, exc):
    """A value the database cannot hold (an id past bigint, an amount or a text past its column): the
    client's error, not a 500."""
    return _error(request, 400, "out_of_range", gettext("输入超出范围（数值过大或文字过长）"))
