"""Every read of the roll starts from the user's scope."""

from django.db.models import Count, Q

from core import scope
from core.history import history_for

from .choices import IN_POST
from .models import Officer, OrgUnit


def units_for(user):
    return OrgUnit.objects.restrict(user).filter(is_active=True).select_related("parent", "city")


def unit_get(user, code: str) -> OrgUnit:
    return scope.get_in_scope_or_404(OrgUnit.objects.all(), user, prefix="", code=code)


def staffing_by_unit() -> dict[int, int]:
    """Officers in post (serving, seconded, on leave) per unit id."""
    rows = Officer.objects.filter(status__in=IN_POST).values("unit_id").annotate(n=Count("id"))
    return {r["unit_id"]: r["n"] for r in rows}


def unit_tree(user) -> list[dict]:
    """The user's part of the org tree, nested, with authorised posts and staffing rolled up."""
    units = list(units_for(user).order_by("path"))
    in_post = staffing_by_unit()
    nodes = {}
    roots = []
    for u in units:
        node = {
            "code": u.code, "name": u.name, "level": u.level, "parent_code": u.parent.code if u.parent_id else None,
            "authorised_posts": u.authorised_posts, "officers_in_post": in_post.get(u.pk, 0), "children": [],
        }
        nodes[u.path] = node
        parent_path = u.path[: u.path.rstrip("/").rfind("/") + 1]
        parent = nodes.get(parent_path)
        (parent["children"] if parent else roots).append(node)

    def roll_up(node):
        for child in node["children"]:
            roll_up(child)
        node["authorised_posts_total"] = node["authorised_posts"] + sum(
            c["authorised_posts_total"] for c in node["children"])
        node["officers_in_post_total"] = node["officers_in_post"] + sum(
            c["officers_in_post_total"] for c in node["children"])
        total = node["authorised_posts_total"]
        node["staffing_rate"] = round(node["officers_in_post_total"] / total, 4) if total else None

    for root in roots:
        roll_up(root)
    return roots


def officers_for(user, *, unit_code: str | None = None, status: str | None = None, q: str | None = None,
                 eligible: bool | None = None):
    qs = Officer.objects.restrict(user).select_related("unit", "unit__city")
    if unit_code:
        unit = unit_get(user, unit_code)
        qs = qs.filter(unit__path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    if eligible is not None:
        qs = qs.eligible() if eligible else qs.exclude(pk__in=Officer.objects.eligible().values("pk"))
    if q:
        q = q.strip()
        cond = Q(name__contains=q) | Q(certificate_number=q)
        if len(q) >= 6:
            cond |= Q(id_number__startswith=q.upper())
        qs = qs.filter(cond)
    return qs


def officer_get(user, officer_id: int) -> Officer:
    return scope.get_in_scope_or_404(Officer.objects.select_related("unit", "unit__city"), user, pk=officer_id)


def officer_history(user, officer: Officer):
    return history_for(officer)
