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
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "parent_code": u.parent.code if u.parent_id else None,
            "authorised_posts": u.authorised_posts,
            "officers_in_post": in_post.get(u.pk, 0),
            "children": [],
        }
        nodes[u.path] = node
        parent_path = u.path[: u.path.rstrip("/").rfind("/") + 1]
        parent = nodes.get(parent_path)
        (parent["children"] if parent else roots).append(node)

    def roll_up(node):
        for child in node["children"]:
            roll_up(child)
        node["authorised_posts_total"] = node["authorised_posts"] + sum(
            c["authorised_posts_total"] for c in node["children"]
        )
        node["officers_in_post_total"] = node["officers_in_post"] + sum(
            c["officers_in_post_total"] for c in node["children"]
        )
        total = node["authorised_posts_total"]
        node["staffing_rate"] = round(node["officers_in_post_total"] / total, 4) if total else None

    for root in roots:
        roll_up(root)
    return roots


def officers_for(
    user,
    *,
    unit_code: str | None = None,
    status: str | None = None,
    q: str | None = None,
    eligible: bool | None = None,
):
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
    return scope.get_in_scope_or_404(
        Officer.objects.select_related("unit", "unit__city"), user, pk=officer_id
    )


def officer_history(user, officer: Officer):
    return history_for(officer)


# ---- for the pages: roll figures, staffing by unit, who still lacks measurements -------------------

# The measurements the size rules need (assets.sizes): garments, cap and shoes.
MEASUREMENT_FIELDS = ("height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm")


def lacks_measurements_q() -> Q:
    q = Q()
    for name in MEASUREMENT_FIELDS:
        q |= Q(**{f"{name}__isnull": True})
    return q


def officers_lacking_measurements(user, *, unit_code: str | None = None):
    """Officers who receive uniforms (eligible) but miss a measurement a size needs."""
    return officers_for(user, unit_code=unit_code).eligible().filter(lacks_measurements_q())


def missing_measurements(officer) -> list[str]:
    return [name for name in MEASUREMENT_FIELDS if getattr(officer, name) is None]


def roll_summary(user) -> dict:
    """The start page's roll figures over the user's scope."""
    authorised = sum(units_for(user).values_list("authorised_posts", flat=True))
    officers = Officer.objects.restrict(user)
    in_post = officers.filter(status__in=IN_POST).count()
    return {
        "officers_in_post": in_post,
        "authorised_posts": authorised,
        "staffing_rate": round(in_post / authorised, 4) if authorised else None,
        "eligible": officers.eligible().count(),
        "lacking_measurements": officers.eligible().filter(lacks_measurements_q()).count(),
    }


def staffing_breakdown(user) -> list[dict]:
    """One row per unit one level below the user's scope (the province's cities, a city's counties,
    a county's stations), with its subtree's posts, officers in post, rate and eligible officers still
    lacking measurements. A unit's own staff (e.g. a city's detachment) is its first row."""
    roots = unit_tree(user)
    lacking = {}
    rows = (
        Officer.objects.restrict(user)
        .eligible()
        .filter(lacks_measurements_q())
        .values("unit__path")
        .annotate(n=Count("id"))
    )
    for r in rows:
        lacking[r["unit__path"]] = r["n"]
    paths = dict(units_for(user).values_list("code", "path"))

    def lacking_under(code: str, own_only: bool = False) -> int:
        path = paths[code]
        if own_only:
            return lacking.get(path, 0)
        return sum(n for p, n in lacking.items() if p.startswith(path))

    def row(node, *, own: bool) -> dict:
        if own:  # the unit's own staff only, without its subtree
            posts, in_post = node["authorised_posts"], node["officers_in_post"]
            rate = round(in_post / posts, 4) if posts else None
        else:
            posts, in_post, rate = (
                node["authorised_posts_total"],
                node["officers_in_post_total"],
                node["staffing_rate"],
            )
        return {
            "code": node["code"],
            "name": node["name"],
            "level": node["level"],
            "own": own,
            "authorised_posts": posts,
            "officers_in_post": in_post,
            "staffing_rate": rate,
            "lacking_measurements": lacking_under(node["code"], own_only=own),
        }

    if len(roots) == 1 and roots[0]["children"]:
        root = roots[0]
        out = [row(root, own=True)] if root["authorised_posts"] or root["officers_in_post"] else []
        return out + [row(child, own=False) for child in root["children"]]
    return [row(root, own=False) for root in roots]
