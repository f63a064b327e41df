"""Every write to the roll: units, officers, memberships and accounts. Each records its change."""

from django.contrib.auth import get_user_model
from django.db import transaction

from core import scope
from core.errors import Conflict, Forbidden, QMError
from core.history import record_change, snapshot
from core.models import ChangeRecord

from . import ids
from .choices import STATUS_TRANSITIONS, Level, OfficerStatus, Role
from .models import Membership, Officer, OrgUnit

Action = ChangeRecord.Action
ROLL_KEEPERS = (scope.PROVINCE, scope.CITY)
OFFICER_EDITABLE = {
    "name", "certificate_number", "post", "height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm",
    "shoe_eu", "measured_on", "phone", "remarks",
}
PARENT_LEVEL = {Level.CITY: Level.PROVINCE, Level.COUNTY: Level.CITY, Level.STATION: (Level.COUNTY, Level.CITY)}


def unit_create(*, actor, code: str, name: str, level: str, parent: OrgUnit | None,
                authorised_posts: int = 0, **extra) -> OrgUnit:
    """Add a unit under `parent`. Province-level logistics only, except stations, which the
    staff of the county (or city) above may add."""
    if actor is not None:
        if level == Level.STATION:
            scope.require_role(actor, scope.PROVINCE, scope.CITY, scope.COUNTY, unit=parent)
        else:
            scope.require_role(actor, scope.PROVINCE)
    if level != Level.PROVINCE:
        allowed = PARENT_LEVEL[level]
        allowed = allowed if isinstance(allowed, tuple) else (allowed,)
        if parent is None or parent.level not in allowed:
            raise QMError("bad_parent", f"上级单位层级不符 a {level} must sit under a {' or '.join(allowed)}",
                          {"field": "parent"})
    if OrgUnit.objects.filter(code=code).exists():
        raise Conflict("duplicate_code", f"单位代码已存在 unit code {code} exists", {"field": "code"})
    with transaction.atomic():
        unit = OrgUnit(code=code, name=name, level=level, parent=parent, authorised_posts=authorised_posts, **extra)
        unit.path = unit.compute_path()
        if level == Level.CITY:
            unit.save()
            unit.city = unit
        elif parent is not None:
            unit.city = parent.city
        unit.save()
        record_change(actor=actor, obj=unit, action=Action.CREATE)
    return unit


def unit_update(*, actor, unit: OrgUnit, **fields) -> OrgUnit:
    """Change a unit's name, authorised posts, class or address (province; stations also their county)."""
    if unit.level == Level.STATION:
        scope.require_role(actor, scope.PROVINCE, scope.CITY, scope.COUNTY, unit=unit)
    else:
        scope.require_role(actor, scope.PROVINCE)
    allowed = {"name", "authorised_posts", "station_class", "address"}
    bad = set(fields) - allowed
    if bad:
        raise QMError("not_editable", f"不可修改的字段 fields not editable: {', '.join(sorted(bad))}",
                      {"fields": sorted(bad)})
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        before = snapshot(unit)
        for key, value in fields.items():
            setattr(unit, key, value)
        unit.full_clean(exclude=["parent", "city", "path", "divisions"])
        unit.save()
        record_change(actor=actor, obj=unit, action=Action.UPDATE, before=before)
    return unit


def unit_deactivate(*, actor, unit: OrgUnit, reason: str) -> OrgUnit:
    scope.require_role(actor, scope.PROVINCE)
    if unit.officers.filter(status__in=(OfficerStatus.SERVING, OfficerStatus.SECONDED)).exists():
        raise Conflict("unit_has_officers", "单位仍有在岗人员 the unit still has serving officers")
    with transaction.atomic():
        before = snapshot(unit)
        unit.is_active = False
        unit.save(update_fields=["is_active", "updated_at"])
        record_change(actor=actor, obj=unit, action=Action.DEACTIVATE, before=before, after=snapshot(unit),
                      note=reason)
    return unit


def can_keep_roll(user, unit: OrgUnit) -> bool:
    return scope.has_role(user, *ROLL_KEEPERS, unit=unit)


def can_see_full_id(user, unit: OrgUnit) -> bool:
    """Roll keepers in scope see full ID numbers; auditors and everyone else the mask."""
    return scope.has_role(user, scope.PROVINCE, scope.CITY, scope.COUNTY, unit=unit)


def officer_create(*, actor, unit: OrgUnit, name: str, id_number: str, gender: str | None = None,
                   **fields) -> Officer:
    """Add an officer. The ID number must pass GB 11643 and agree with the gender given."""
    if actor is not None and not can_keep_roll(actor, unit):
        raise Forbidden()
    try:
        number, birth, id_gender = ids.parse(id_number)
    except ids.IdNumberError as exc:
        raise QMError("invalid_id_number", f"身份证号无效 ID number: {exc}", {"field": "id_number"}) from None
    if gender and gender != id_gender:
        raise QMError("gender_mismatch", "性别与身份证号不符 gender disagrees with the ID number",
                      {"field": "gender"})
    if Officer.objects.filter(id_number=number).exists():
        raise Conflict("duplicate_id_number", "该身份证号已在花名册中 ID number already on the roll",
                       {"field": "id_number"})
    bad = set(fields) - OFFICER_EDITABLE - {"status"}
    if bad:
        raise QMError("unknown_fields", f"未知字段 unknown fields: {', '.join(sorted(bad))}")
    with transaction.atomic():
        officer = Officer(unit=unit, name=name.strip(), id_number=number, birth_date=birth, gender=id_gender,
                          **fields)
        officer.full_clean(exclude=["unit"])
        officer.save()
        record_change(actor=actor, obj=officer, action=Action.CREATE)
    return officer


def officer_update(*, actor, officer: Officer, **fields) -> Officer:
    """Edit an officer's details or measurements; a value set to None clears it (this is the place to clear)."""
    if actor is not None and not can_keep_roll(actor, officer.unit):
        raise Forbidden()
    bad = set(fields) - OFFICER_EDITABLE
    if bad:
        raise QMError("not_editable", f"不可在此修改 not editable here: {', '.join(sorted(bad))}",
                      {"fields": sorted(bad)})
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        before = snapshot(officer)
        for key, value in fields.items():
            if value is None and key in {"name"}:
                raise QMError("required", "姓名不能为空 name is required", {"field": key})
            setattr(officer, key, "" if value is None and key in {"certificate_number", "post", "phone",
                                                                   "remarks"} else value)
        from django.core.exceptions import ValidationError

        try:
            officer.full_clean(exclude=["unit"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise QMError("invalid", f"{field}: {messages[0]}", {"field": field}) from None
        officer.save()
        record_change(actor=actor, obj=officer, action=Action.UPDATE, before=before)
    return officer


def officer_transfer(*, actor, officer: Officer, to_unit: OrgUnit, reason: str = "") -> Officer:
    """Move an officer to another unit of the province. Inside a city its staff may do it; between
    cities only provincial logistics. The officer keeps everything else (kit card included)."""
    if to_unit.level == Level.STATION:
        raise QMError("bad_unit", "人员应隶属于执法机构而非站所 officers belong to an agency, not a station",
                      {"field": "to_unit"})
    if officer.unit_id == to_unit.pk:
        return officer
    if actor is not None:
        same_city = officer.unit.city_id == to_unit.city_id
        if not scope.is_province(actor) and not (
            same_city and can_keep_roll(actor, officer.unit) and can_keep_roll(actor, to_unit)
        ):
            raise Forbidden("跨市州调动须由省厅办理 transfers between cities go through the province")
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        before = snapshot(officer, ["unit"])
        officer.unit = to_unit
        officer.save(update_fields=["unit", "updated_at"])
        record_change(actor=actor, obj=officer, action=Action.TRANSFER, before=before,
                      after=snapshot(officer, ["unit"]), note=reason)
    return officer


def officer_set_status(*, actor, officer: Officer, status: str, reason: str = "") -> Officer:
    """Change an officer's status along the allowed transitions (retirement is final)."""
    if actor is not None and not can_keep_roll(actor, officer.unit):
        raise Forbidden()
    if status not in OfficerStatus.values:
        raise QMError("bad_status", f"未知状态 unknown status {status}", {"field": "status"})
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        if officer.status == status:
            return officer
        if status not in STATUS_TRANSITIONS[OfficerStatus(officer.status)]:
            raise Conflict(
                "bad_transition",
                f"不能从{OfficerStatus(officer.status).label}变为{OfficerStatus(status).label} "
                f"status cannot go from {officer.status} to {status}",
                {"field": "status"},
            )
        before = snapshot(officer, ["status"])
        officer.status = status
        officer.save(update_fields=["status", "updated_at"])
        record_change(actor=actor, obj=officer, action=Action.STATUS, before=before,
                      after=snapshot(officer, ["status"]), note=reason)
    _after_status_change(officer)
    return officer


_status_hooks = []


def on_status_change(func):
    """Other apps (distribution's recovery) register what follows a status change."""
    _status_hooks.append(func)
    return func


def _after_status_change(officer: Officer) -> None:
    for hook in _status_hooks:
        hook(officer)


def membership_grant(*, actor, user, unit: OrgUnit, role: str) -> Membership:
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    if role not in Role.values:
        raise QMError("bad_role", f"未知角色 unknown role {role}", {"field": "role"})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
        if created:
            record_change(actor=actor, obj=membership, action=Action.CREATE)
        elif not membership.is_active:
            before = snapshot(membership)
            membership.is_active = True
            membership.save(update_fields=["is_active"])
            record_change(actor=actor, obj=membership, action=Action.UPDATE, before=before)
    return membership


def membership_revoke(*, actor, membership: Membership) -> Membership:
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    with transaction.atomic():
        before = snapshot(membership)
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        record_change(actor=actor, obj=membership, action=Action.DEACTIVATE, before=before,
                      after=snapshot(membership))
    return membership


def account_create(*, actor, username: str, password: str | None, unit: OrgUnit, role: str,
                   full_name: str = "", password_hash: str | None = None) -> object:
    """Create a user with one membership (idempotent on username). `password_hash` (from make_password)
    spares hashing the same password again for each of many accounts."""
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name[:150]})
        if created:
            if password_hash:
                user.password = password_hash
            elif password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.is_staff = role == scope.PROVINCE
            user.save()
            record_change(actor=actor, obj=user, action=Action.CREATE,
                          after={"username": username, "is_active": True, "is_staff": user.is_staff})
        membership_grant(actor=actor, user=user, unit=unit, role=role)
    return user


def account_deactivate(*, actor, user, reason: str = "") -> None:
    """Deactivate an account: it can no longer log in and its API tokens stop working at once."""
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_change(actor=actor, obj=user, action=Action.DEACTIVATE, before={"is_active": True},
                      after={"is_active": False}, note=reason)
