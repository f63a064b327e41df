import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from ninja import Query, Router

from core.schema import Schema

from . import scope
from .errors import NotFound, QMError
from .history import changes_for
from .models import ChangeRecord, Notification
from .pagination import PageParams, page_schema, paginate

router = Router(tags=["core"])


class MeOut(Schema):
    username: str
    name: str
    roles: list[dict]


@router.get("/me", response=MeOut, summary=gettext_lazy("当前用户与角色"))
def me(request):
    from personnel.models import Membership

    rows = Membership.objects.filter(user=request.user, is_active=True).select_related("unit")
    return {
        "username": request.user.username,
        "name": request.user.get_full_name(),
        "roles": [{"role": m.role, "unit_code": m.unit.code, "unit_name": m.unit.name} for m in rows],
    }


class HistoryFilters(PageParams):
    model: str  # app_label.model, e.g. personnel.officer
    object_id: str


class HistoryOut(Schema):
    id: int
    object_repr: str
    action: str
    changes: dict
    note: str
    actor: str
    source: str
    at: datetime.datetime


def _scoped_object(user, model_cls, object_id):
    """The object if it lies in the user's scope (models with `unit`, or OrgUnit, or with `restrict`)."""
    qs = model_cls._default_manager.all()
    if hasattr(qs, "restrict"):
        qs = qs.restrict(user)
    elif not scope.is_province(user):
        return None
    return qs.filter(pk=object_id).first()


@router.get(
    "/history",
    response=page_schema(HistoryOut),
    summary=pgettext_lazy("change history of one object", "变更记录"),
)
def history(request, filters: Query[HistoryFilters]):
    try:
        app_label, model = filters.model.lower().split(".")
        ct = ContentType.objects.get(app_label=app_label, model=model)
    except (ValueError, ContentType.DoesNotExist):
        raise QMError(
            "bad_model",
            gettext("未知对象类型：{model}").format(model=filters.model),
            {"field": "model"},
        ) from None
    obj = _scoped_object(request.user, ct.model_class(), filters.object_id)
    if obj is None:
        raise NotFound()
    qs = ChangeRecord.objects.filter(content_type=ct, object_id=filters.object_id)
    return paginate(
        qs,
        filters,
        lambda r: {
            "id": r.id,
            "object_repr": r.object_repr,
            "action": r.action,
            "changes": changes_for(request.user, obj, r.changes),
            "note": r.note,
            "actor": r.actor_name,
            "source": r.source,
            "at": r.created_at,
        },
    )


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


@router.get("/notifications", response=page_schema(NotificationOut), summary=gettext_lazy("我的通知"))
def notifications(request, params: Query[PageParams], unread: bool = False):
    qs = Notification.objects.filter(user=request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return paginate(qs, params)


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def notification_read(request, notification_id: int):
    n = Notification.objects.filter(user=request.user, pk=notification_id).first()
    if n is None:
        raise NotFound()
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return n
