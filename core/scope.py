"""Scope and permission, after NetBox's RestrictedQuerySet: every read starts from the user's subtree.

A user's scope is the union of the subtrees of their active memberships' units. Out of scope → 404
(callers use get_in_scope_or_404); in scope but the role may not act → 403 (require_role).
"""

from django.db.models import Q, QuerySet

from .errors import Forbidden, NotFound

PROVINCE, CITY, COUNTY, AUDITOR = "province", "city", "county", "auditor"
WRITE_ROLES = (PROVINCE, CITY, COUNTY)
ALL_ROLES = (PROVINCE, CITY, COUNTY, AUDITOR)


def memberships(user) -> list[tuple[str, str]]:
    """[(role, unit path)] of the user's active memberships, cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_qm_memberships", None)
    if cached is None:
        from personnel.models import Membership

        cached = list(
            Membership.objects.filter(user=user, is_active=True, unit__is_active=True).values_list(
                "role", "unit__path"
            )
        )
        if user.is_superuser:
            cached.append((PROVINCE, ""))
        user._qm_memberships = cached
    return cached


def roles(user) -> set[str]:
    return {role for role, _ in memberships(user)}


def scope_paths(user) -> list[str] | None:
    """Paths whose subtrees the user may read; None means the whole province."""
    paths = []
    for _role, path in memberships(user):
        if _role == PROVINCE or path == "":
            return None
        paths.append(path)
    return paths


def scope_q(user, prefix: str = "unit") -> Q:
    field = f"{prefix}__path__startswith" if prefix else "path__startswith"
    paths = scope_paths(user)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in _minimal(paths):
        q |= Q(**{field: path})
    return q


def _minimal(paths: list[str]) -> list[str]:
    """Drop paths inside another one, so the filter stays short."""
    out = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(o) for o in out):
            out.append(p)
    return out


def restrict(qs: QuerySet, user, prefix: str = "unit") -> QuerySet:
    return qs.filter(scope_q(user, prefix))


def in_scope(user, unit) -> bool:
    paths = scope_paths(user)
    return paths is None or any(unit.path.startswith(p) for p in paths)


def has_role(user, *wanted: str, unit=None) -> bool:
    """Does the user hold one of `wanted` over `unit` (or anywhere, when unit is None)?"""
    for role, path in memberships(user):
        if role in wanted and (unit is None or path == "" or unit.path.startswith(path)):
            return True
    return False


def is_province(user) -> bool:
    return has_role(user, PROVINCE)


def require_role(user, *wanted: str, unit=None) -> None:
    if not has_role(user, *wanted, unit=unit):
        raise Forbidden()


def get_in_scope_or_404(qs: QuerySet, user, prefix: str = "unit", **lookup):
    obj = restrict(qs, user, prefix).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj
