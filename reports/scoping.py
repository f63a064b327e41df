"""Which units a report covers: the requester's scope, narrowed by --city / --county, checked like the API
(a unit outside the scope → 404, a code of the wrong level → a clear error)."""

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from core import scope
from core.errors import NotFound, QMError
from personnel.models import OrgUnit


def root_units(user, params) -> list[OrgUnit]:
    """The subtree roots the report covers."""
    for field, level in (("county", "county"), ("city", "city")):
        code = getattr(params, field, None)
        if not code:
            continue
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or not scope.in_scope(user, unit):
            raise NotFound(
                gettext("单位 {code} 不存在或不在您的权限范围内").format(code=code), {"field": field}
            )
        if unit.level != level:
            raise QMError(
                "bad_params",
                gettext("{code} 不是{value}").format(
                    code=code, value="县级机构" if level == "county" else "市州", level=level
                ),
                {"field": field},
            )
        return [unit]
    paths = scope.scope_paths(user)
    if paths is None:
        return list(OrgUnit.objects.filter(level="province"))
    if not paths:
        raise NotFound(gettext("您的权限范围内没有单位"))
    return list(OrgUnit.objects.filter(path__in=scope._minimal(paths)).order_by("path"))


def units_q_paths(units) -> list[str]:
    return [u.path for u in units]


def scope_label(units) -> str:
    return gettext("、").join(u.name for u in units)


def roll_as_of(qs) -> str:
    latest = qs.aggregate(m=Max("updated_at"))["m"]
    return (
        f"{timezone.localtime(latest):%Y-%m-%d %H:%M}" if latest else "—"
    )  # Beijing time, as printed beside it
