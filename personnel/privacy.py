"""What a user may see of an officer's identity. The ID number carries the birth date (digits 7–14), so
wherever the number is masked (first 6 and last 4 shown) the birth date is hidden too — in pages, API
answers, change history and files. Nothing is shown that the masked number does not reveal: no birth date,
no year, no age. Who sees the full number is services.can_see_full_id."""

import datetime

from . import ids

BIRTH_DATE_MASK = "****-**-**"  # what a history entry's birth date reads when it is hidden
IDENTITY_FIELDS = ("id_number", "birth_date")


def identity(officer, *, full: bool) -> dict:
    """{id_number, birth_date} as this reader may see them: in full, or the mask and no birth date."""
    if full:
        return {"id_number": officer.id_number, "birth_date": officer.birth_date}
    return {"id_number": ids.mask(officer.id_number), "birth_date": None}


def masked_birth_date(value: datetime.date | str | None, *, full: bool):
    """A birth date as shown to the reader: itself, or BIRTH_DATE_MASK (None stays None)."""
    if full or value in (None, ""):
        return value
    return BIRTH_DATE_MASK


def redact_changes(changes: dict, *, full: bool) -> dict:
    """A change record's {field: [before, after]} with the ID number masked and the birth date hidden."""
    if full:
        return changes
    out = dict(changes)
    if "id_number" in out:
        out["id_number"] = [ids.mask(v) if v else v for v in out["id_number"]]
    if "birth_date" in out:
        out["birth_date"] = [masked_birth_date(v, full=False) for v in out["birth_date"]]
    return out


def redact_officer_history(user, officer, changes: dict) -> dict:
    """core.history's redactor for officers (registered in PersonnelConfig.ready)."""
    from .services import can_see_full_id

    full = can_see_full_id(user, officer.unit)
    if full and any(changes.get(f) for f in IDENTITY_FIELDS):
        record_disclosures(user, [(officer.pk, officer.unit)], door="api", where="/core/history")
    return redact_changes(changes, full=full)


# ---- the record of disclosures (《个人信息保护法》第五十一条、第五十四条) ----
CHAIN_ROLES = ("province", "city", "county")


def in_chain(user, unit) -> bool:
    """Is the user staff of the officer's own unit chain: the unit itself or one of its ancestors (station →
    county agency → city → province), in a roll-keeping role? The province is the top of every chain: it
    keeps the roll it issues kit against (DESIGN.md: provincial logistics plans entitlements for every
    officer), so its staff read in chain. A superuser's blanket grant, an auditor and a member of another
    unit are not the chain."""
    from core import scope

    return any(
        role in CHAIN_ROLES and path and unit.path.startswith(path) for role, path in scope.memberships(user)
    )


def record_disclosures(user, shown, *, door: str, where: str) -> int:
    """Record the full ID numbers just shown to `user` outside their officers' chain. `shown` is an iterable
    of (officer id, unit) whose number was shown in full; in-chain ones are skipped. One row per officer,
    written in one bulk insert; the rows of one call share a batch id. Returns the number recorded."""
    import uuid

    from .models import PersonalDataAccess

    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    chain: dict[int, bool] = {}
    ids = []
    for officer_id, unit in shown:
        if unit.pk not in chain:
            chain[unit.pk] = in_chain(user, unit)
        if not chain[unit.pk]:
            ids.append(officer_id)
    if not ids:
        return 0
    batch = uuid.uuid4() if len(ids) > 1 else None
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(
                user=user,
                username=user.get_username(),
                officer_id=i,
                door=door,
                where=where[:300],
                batch=batch,
            )
            for i in dict.fromkeys(ids)
        ],
        batch_size=2000,
    )
    return len(ids)


def shown_in_full(user, officer, *, door: str, where: str) -> bool:
    """Whether `user` sees `officer`'s full ID number; when they do from outside the chain, it is recorded."""
    from .services import can_see_full_id

    full = can_see_full_id(user, officer.unit)
    if full:
        record_disclosures(user, [(officer.pk, officer.unit)], door=door, where=where)
    return full


def accesses_for(user, *, officer_id: int | None = None, username: str | None = None):
    """The record of disclosures as `user` may read it: provincial logistics and auditors, each within their
    scope (an auditor of a city: accesses to the officers of that city); others → Forbidden."""
    from core import scope

    from .models import PersonalDataAccess

    scope.require_role(user, scope.PROVINCE, scope.AUDITOR)
    qs = scope.restrict(PersonalDataAccess.objects.all(), user, "officer__unit").select_related(
        "officer__unit"
    )
    if officer_id is not None:
        qs = qs.filter(officer_id=officer_id)
    if username:
        qs = qs.filter(username=username)
    return qs


def access_out(record) -> dict:
    return {
        "id": record.id,
        "at": record.at,
        "user": record.username,
        "officer_id": record.officer_id,
        "officer_name": record.officer.name,
        "unit_name": record.officer.unit.name,
        "door": record.door,
        "door_label": str(record.get_door_display()),
        "where": record.where,
        "batch": str(record.batch) if record.batch else None,
    }


def request_where(request) -> str:
    """The request path and query for the record, with the search text left out: a search may be an ID
    number (the roll is searched by its first digits), and the record never holds one."""
    params = request.GET.copy()
    if params.get("q"):
        params["q"] = "*"
    query = params.urlencode(safe="*")
    return request.path + (f"?{query}" if query else "")
