"""The one error type users can act on. config/api.py turns it into `{code, message, details}`."""

from typing import Any

from django.utils.translation import gettext


class QMError(Exception):
    status = 400

    def __init__(self, code: str, message: str, details: Any = None, *, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details if details is not None else {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(QMError):
    status = 404

    def __init__(self, message: str = "", details: Any = None):
        super().__init__("not_found", message or gettext("不存在或不在您的权限范围内"), details)


class Forbidden(QMError):
    status = 403

    def __init__(self, message: str = "", details: Any = None):
        super().__init__("forbidden", message or gettext("您的角色不能执行此操作"), details)


class Conflict(QMError):
    status = 409
