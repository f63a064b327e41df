"""Every write to the roll: units, officers, memberships and accounts, and the roll import. Each records
its change."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from core import scope
from core.errors import Conflict, Forbidden, QMError
from core.history import build_record, record_change, record_changes, snapshot
from core.models import ChangeRecord

from . import ids
from .choices import IN_POST, STATUS_TRANSITIONS, Level, OfficerStatus, Role
from .models import Membership, Officer, OrgUnit

Action = ChangeRecord.Action
ROLL_KEEPERS = (scope.PROVINCE, scope.CITY)
OFFICER_EDITABLE = {
    "name",
    "certificate_number",
    "post",
    "height_cm",
    "chest_cm",
    "waist_cm",
    "head_cm",
    "foot_mm",
    "shoe_eu",
    "measured_on",
    "phone",
    "remarks",
}
PARENT_LEVEL = {
    Level.CITY: Level.PROVINCE,
    Level.COUNTY: Level.CITY,
    Level.STATION: (Level.COUNTY, Level.CITY),
}


def unit_create(
    *, actor, code: str, name: str, level: str, parent: OrgUnit | None, authorised_posts: int = 0, **extra
) -> OrgUnit:
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
            raise QMError(
                "bad_parent",
                gettext("上级单位层级不符：{level} {allowed}").format(
                    level=level, allowed=" or ".join(allowed)
                ),
                {"field": "parent"},
            )
    if OrgUnit.objects.filter(code=code).exists():
        raise Conflict(
            "duplicate_code", gettext("单位代码已存在：{code}").format(code=code), {"field": "code"}
        )
    with transaction.atomic():
        unit = OrgUnit(
            code=code, name=name, level=level, parent=parent, authorised_posts=authorised_posts, **extra
        )
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
        raise QMError(
            "not_editable",
            gettext("不可修改的字段：{sorted}").format(sorted=", ".join(sorted(bad))),
            {"fields": sorted(bad)},
        )
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
        raise Conflict("unit_has_officers", gettext("单位仍有在岗人员"))
    with transaction.atomic():
        before = snapshot(unit)
        unit.is_active = False
        unit.save(update_fields=["is_active", "updated_at"])
        record_change(
            actor=actor, obj=unit, action=Action.DEACTIVATE, before=before, after=snapshot(unit), note=reason
        )
    return unit


def can_keep_roll(user, unit: OrgUnit) -> bool:
    return scope.has_role(user, *ROLL_KEEPERS, unit=unit)


def can_see_full_id(user, unit: OrgUnit) -> bool:
    """Roll keepers in scope see full ID numbers; auditors and everyone else the mask."""
    return scope.has_role(user, scope.PROVINCE, scope.CITY, scope.COUNTY, unit=unit)


def _officer_name(name: str) -> str:
    """personnel.names: trimmed, NFKC; control and format characters and emoji refused (a 422 on the field)."""
    from . import names

    try:
        text = names.check(name)
    except names.InvalidName as exc:
        raise QMError(exc.code, exc.reason, {"field": "name"}, status=422) from None
    if not 1 <= len(text) <= 30:
        raise QMError("bad_name", gettext("姓名应为1–30个字"), {"field": "name"}, status=422)
    return text


def officer_create(
    *, actor, unit: OrgUnit, name: str, id_number: str, gender: str | None = None, **fields
) -> Officer:
    """Add an officer. The ID number must pass GB 11643 and agree with the gender given."""
    if actor is not None and not can_keep_roll(actor, unit):
        raise Forbidden()
    name = _officer_name(name)
    try:
        number, birth, id_gender = ids.parse(id_number)
    except ids.IdNumberError as exc:
        raise QMError(
            "invalid_id_number", gettext("身份证号无效：{exc}").format(exc=exc), {"field": "id_number"}
        ) from None
    if gender and gender != id_gender:
        raise QMError(
            "gender_mismatch",
            gettext("性别与身份证号不符"),
            {"field": "gender"},
        )
    if Officer.objects.filter(id_number=number).exists():
        raise Conflict(
            "duplicate_id_number",
            gettext("该身份证号已在花名册中"),
            {"field": "id_number"},
        )
    bad = set(fields) - OFFICER_EDITABLE - {"status"}
    if bad:
        raise QMError(
            "unknown_fields",
            gettext("未知字段：{sorted}").format(sorted=", ".join(sorted(bad))),
        )
    with transaction.atomic():
        officer = Officer(
            unit=unit, name=name, id_number=number, birth_date=birth, gender=id_gender, **fields
        )
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
        raise QMError(
            "not_editable",
            gettext("不可在此修改：{sorted}").format(sorted=", ".join(sorted(bad))),
            {"fields": sorted(bad)},
        )
    if fields.get("name") is not None:
        fields["name"] = _officer_name(fields["name"])
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        before = snapshot(officer)
        for key, value in fields.items():
            if value is None and key in {"name"}:
                raise QMError("required", gettext("姓名不能为空"), {"field": key})
            setattr(
                officer,
                key,
                "" if value is None and key in {"certificate_number", "post", "phone", "remarks"} else value,
            )
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
        raise QMError(
            "bad_unit",
            gettext("人员应隶属于执法机构而非站所"),
            {"field": "to_unit"},
        )
    if officer.unit_id == to_unit.pk:
        return officer
    if actor is not None:
        same_city = officer.unit.city_id == to_unit.city_id
        if not scope.is_province(actor) and not (
            same_city and can_keep_roll(actor, officer.unit) and can_keep_roll(actor, to_unit)
        ):
            raise Forbidden(gettext("跨市州调动须由省厅办理"))
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        before = snapshot(officer, ["unit"])
        officer.unit = to_unit
        officer.save(update_fields=["unit", "updated_at"])
        record_change(
            actor=actor,
            obj=officer,
            action=Action.TRANSFER,
            before=before,
            after=snapshot(officer, ["unit"]),
            note=reason,
        )
    return officer


def officer_set_status(*, actor, officer: Officer, status: str, reason: str = "") -> Officer:
    """Change an officer's status along the allowed transitions (retirement is final)."""
    if actor is not None and not can_keep_roll(actor, officer.unit):
        raise Forbidden()
    if status not in OfficerStatus.values:
        raise QMError("bad_status", gettext("未知状态：{status}").format(status=status), {"field": "status"})
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        if officer.status == status:
            return officer
        if status not in STATUS_TRANSITIONS[OfficerStatus(officer.status)]:
            raise Conflict(
                "bad_transition",
                gettext("不能从{label}变为{label2}").format(
                    label=OfficerStatus(officer.status).label,
                    label2=OfficerStatus(status).label,
                    status=officer.status,
                    status2=status,
                ),
                {"field": "status"},
            )
        before = snapshot(officer, ["status"])
        officer.status = status
        officer.save(update_fields=["status", "updated_at"])
        record_change(
            actor=actor,
            obj=officer,
            action=Action.STATUS,
            before=before,
            after=snapshot(officer, ["status"]),
            note=reason,
        )
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
        raise QMError("bad_role", gettext("未知角色：{role}").format(role=role), {"field": "role"})
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
        record_change(
            actor=actor, obj=membership, action=Action.DEACTIVATE, before=before, after=snapshot(membership)
        )
    return membership


def account_create(
    *,
    actor,
    username: str,
    password: str | None,
    unit: OrgUnit,
    role: str,
    full_name: str = "",
    password_hash: str | None = None,
    password_change_due: bool = False,
) -> object:
    """Create a user with one membership (idempotent on username). `password_hash` (from make_password)
    spares hashing the same password again for each of many accounts. `password_change_due`: the new
    account must choose its own password at its first login (someone else has seen this one)."""
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name[:150]}
        )
        if created:
            if password_hash:
                user.password = password_hash
            elif password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.is_staff = role == scope.PROVINCE
            user.save()
            record_change(
                actor=actor,
                obj=user,
                action=Action.CREATE,
                after={"username": username, "is_active": True, "is_staff": user.is_staff},
            )
            if password_change_due:
                from core.passwords import password_change_require

                password_change_require(actor=actor, user=user)
        membership_grant(actor=actor, user=user, unit=unit, role=role)
    return user


def account_deactivate(*, actor, user, reason: str = "") -> None:
    """Deactivate an account: it can no longer log in and its API tokens stop working at once."""
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_change(
            actor=actor,
            obj=user,
            action=Action.DEACTIVATE,
            before={"is_active": True},
            after={"is_active": False},
            note=reason,
        )


# ---- roll import (花名册导入), after shared ROLL_FORMAT.md ------------------------------------------

ROLL_FIELDS = (
    "name",
    "certificate_number",
    "post",
    "status",
    "height_cm",
    "chest_cm",
    "waist_cm",
    "head_cm",
    "foot_mm",
    "shoe_eu",
    "measured_on",
    "phone",
    "remarks",
)
MEASURED = ("height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm")
AGENCY_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)
IMPORT_NOTE = pgettext_lazy("roll import", "花名册导入")
OTHER_CITY = gettext_lazy("属于其他单位；跨市州调动须由省厅办理")


@dataclass
class ImportReport:
    """What an upload did (or, refused or dry run, would do): counts, row errors and officers not in it."""

    sheet: str = ""
    header_row: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transferred: int = 0
    errors: list = field(default_factory=list)
    not_in_sheet: list = field(default_factory=list)
    dry_run: bool = False
    imported: bool = False

    def summary(self) -> str:
        text = f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"
        return text + (f", transferred {self.transferred}" if self.transferred else "")

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "transferred": self.transferred,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "summary": self.summary(),
            "errors": [e.as_dict() for e in self.errors],
            "not_in_sheet": self.not_in_sheet,
        }


def _unit_index(units) -> dict[str, OrgUnit]:
    """Units by code and by full name (spaces out, NFKC), for 所属单位 typed either way."""
    import unicodedata

    index = {}
    for unit in units:
        index["".join(unicodedata.normalize("NFKC", unit.name).split())] = unit
    for unit in units:
        index[unit.code] = unit
    return index


def roll_import(*, actor, file, filename: str, dry_run: bool = False) -> ImportReport:
    """Import a city's roll (ROLL_FORMAT.md): every row checked, all or nothing, idempotent; adds and
    updates, never removes or erases (a blank cell keeps the value); changes, transfers and status changes
    recorded in history. Provincial logistics may import any unit and transfer between cities; city staff
    only their city's agencies. County staff and auditors may not import (403)."""
    from .importers import RowError, display, parse_roll

    if actor is not None and not scope.has_role(actor, *ROLL_KEEPERS):
        raise Forbidden(gettext("只有省厅后勤和市州可以导入花名册"))
    data = file if isinstance(file, bytes | bytearray) else file.read()
    today = timezone.localdate()
    parsed = parse_roll(bytes(data), filename, today=today)
    report = ImportReport(
        sheet=parsed.sheet,
        header_row=parsed.header_row,
        rows=len(parsed.rows),
        dry_run=dry_run,
        errors=parsed.errors,
    )
    errors = report.errors
    status_changed: list[Officer] = []
    with transaction.atomic():
        units = list(OrgUnit.objects.all())
        by_text = _unit_index(units)
        by_id = {u.pk: u for u in units}
        keeps: dict[int, bool] = {}

        def keeper(unit) -> bool:
            if unit.pk not in keeps:
                keeps[unit.pk] = actor is None or can_keep_roll(actor, unit)
            return keeps[unit.pk]

        numbers = [r.values["id_number"] for r in parsed.rows]
        existing: dict[str, Officer] = {}
        qs = Officer.objects.defer("created_at", "updated_at")
        qs = qs if dry_run else qs.select_for_update()
        for i in range(0, len(numbers), 2000):
            for officer in qs.filter(id_number__in=numbers[i : i + 2000]):
                existing[officer.id_number] = officer

        creates, updates, records = [], [], []
        changed_fields: set[str] = set()
        named_units: set[int] = set()
        for row in parsed.rows:
            values = row.values
            unit = by_text.get(row.unit_text) if row.unit_text else None
            if row.unit_text:
                written, col, shown = row.cells["unit"]
                shown = display(shown)
                reason = None
                if unit is None:
                    reason = (
                        gettext("未知单位，请填写单位全称或6位代码"),
                        "unknown_unit",
                    )
                elif unit.level not in AGENCY_LEVELS:
                    reason = (
                        gettext("人员应隶属于执法机构而非站所"),
                        "station_unit",
                    )
                elif not unit.is_active:
                    reason = (gettext("单位已停用"), "inactive_unit")
                elif not keeper(unit):
                    reason = (
                        gettext("不在您的范围内，只能导入本市州单位的人员"),
                        "unit_out_of_scope",
                    )
                if reason:
                    errors.append(RowError(row.row, written, shown, reason[0], reason[1], col))
                    unit = None
            if unit is None:
                continue
            named_units.add(unit.pk)
            officer = existing.get(values["id_number"])
            if officer is None:
                fields = {k: values[k] for k in ROLL_FIELDS if k in values}
                if "measured_on" not in fields and any(values.get(k) is not None for k in MEASURED):
                    fields["measured_on"] = today
                fields.update(
                    id_number=values["id_number"],
                    birth_date=values["birth_date"],
                    gender=str(values["gender"]),
                    unit=unit.pk,
                )
                creates.append(fields)
                continue
            transfer = officer.unit_id != unit.pk
            if transfer and not (actor is None or scope.is_province(actor) or keeper(by_id[officer.unit_id])):
                written, col, shown = row.cells["id_number"]
                shown = display(shown)
                errors.append(RowError(row.row, written, shown, str(OTHER_CITY), "other_city", col))
                continue
            new_status = values.get("status")
            if (
                new_status
                and new_status != officer.status
                and new_status not in STATUS_TRANSITIONS[OfficerStatus(officer.status)]
            ):
                written, col, shown = row.cells["status"]
                shown = display(shown)
                errors.append(
                    RowError(
                        row.row,
                        written,
                        shown,
                        pgettext(
                            "The status cannot go from {status} to {new_status}", "不能从{label}变为{label2}"
                        ).format(
                            label=OfficerStatus(officer.status).label,
                            label2=OfficerStatus(new_status).label,
                            status=officer.status,
                            new_status=new_status,
                        ),
                        "bad_transition",
                        col,
                    )
                )
                continue
            changes = {k: values[k] for k in ROLL_FIELDS if k in values and getattr(officer, k) != values[k]}
            if "measured_on" not in values and any(k in changes for k in MEASURED):
                if officer.measured_on != today:
                    changes["measured_on"] = today
            if not changes and not transfer:
                report.unchanged += 1
                continue
            if errors:  # refused anyway: count, but build no history
                report.transferred += transfer
                report.updated += not transfer
                continue
            names = [*changes, *(["unit"] if transfer else [])]
            before = snapshot(officer, names)
            for key, value in changes.items():
                setattr(officer, key, value)
            if transfer:
                officer.unit = unit
                report.transferred += 1
                records.append(
                    build_record(
                        actor=actor,
                        obj=officer,
                        action=Action.TRANSFER,
                        before={"unit": before.pop("unit")},
                        after={"unit": unit.pk},
                        note=IMPORT_NOTE,
                    )
                )
            else:
                report.updated += 1
            if "status" in changes:
                status_changed.append(officer)
                records.append(
                    build_record(
                        actor=actor,
                        obj=officer,
                        action=Action.STATUS,
                        before={"status": before.pop("status")},
                        after={"status": officer.status},
                        note=IMPORT_NOTE,
                    )
                )
            if before:
                records.append(
                    build_record(
                        actor=actor,
                        obj=officer,
                        action=Action.UPDATE,
                        before=before,
                        after=snapshot(officer, list(before)),
                        note=IMPORT_NOTE,
                    )
                )
            changed_fields.update(names)
            updates.append(officer)
        report.created = len(creates)

        in_file = set(numbers)
        missing = Officer.objects.filter(unit_id__in=named_units, status__in=IN_POST).values_list(
            "pk", "name", "id_number", "unit_id", "status"
        )
        report.not_in_sheet = sorted(
            (
                {
                    "officer_id": pk,
                    "name": name,
                    "id_number": ids.mask(number),
                    "unit_code": by_id[unit_id].code,
                    "unit_name": by_id[unit_id].name,
                    "status": status,
                }
                for pk, name, number, unit_id, status in missing
                if number not in in_file
            ),
            key=lambda o: (o["unit_code"], o["name"]),
        )
        if errors:
            errors.sort(key=lambda e: (e.row, e.col))
            return report
        if dry_run:
            return report

        try:
            _insert_created(creates, actor=actor, now=timezone.now())
        except IntegrityError:  # another upload added one of these officers meanwhile
            raise Conflict(
                "roll_changed",
                gettext("花名册在导入期间被修改，请重新上传"),
            ) from None
        if updates:
            now = timezone.now()
            for officer in updates:
                officer.updated_at = now
            Officer.objects.bulk_update(updates, sorted(changed_fields) + ["updated_at"], batch_size=500)
        record_changes(records)
        report.imported = True
        if status_changed:
            transaction.on_commit(lambda: [_after_status_change(o) for o in status_changed])
    return report


OFFICER_COLUMNS = (
    "name",
    "gender",
    "id_number",
    "birth_date",
    "certificate_number",
    "unit",
    "post",
    "status",
    "height_cm",
    "chest_cm",
    "waist_cm",
    "head_cm",
    "foot_mm",
    "shoe_eu",
    "measured_on",
    "phone",
    "remarks",
)
OFFICER_DEFAULTS = {
    "certificate_number": "",
    "post": "",
    "status": OfficerStatus.SERVING,
    "phone": "",
    "remarks": "",
}
RECORD_COLUMNS = (
    "content_type",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "note",
    "actor",
    "actor_name",
    "source",
    "created_at",
)


def _insert_created(creates: list[dict], *, actor, now) -> None:
    """Insert new officers and their creation records in bulk (personnel.bulk). The records are the ones
    core.history.build_record makes: every field's [None, value], as snapshot() gives it."""
    import decimal

    from django.contrib.contenttypes.models import ContentType

    from core.context import current_source

    from .bulk import insert_rows

    if not creates:
        return
    creates = [{**OFFICER_DEFAULTS, **c} for c in creates]
    rows = [tuple([c.get(k) for k in OFFICER_COLUMNS]) + (now, now) for c in creates]
    insert_rows(Officer, [*OFFICER_COLUMNS, "created_at", "updated_at"], rows)
    numbers = [c["id_number"] for c in creates]
    pks = {}
    for i in range(0, len(numbers), 2000):
        pks.update(Officer.objects.filter(id_number__in=numbers[i : i + 2000]).values_list("id_number", "pk"))
    tenth = decimal.Decimal("0.1")
    decimals = {"height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm", "shoe_eu"}
    dates = {"birth_date", "measured_on"}
    order = [
        f.name for f in Officer._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
    ]
    content_type = ContentType.objects.get_for_model(Officer).pk
    source = current_source()
    actor_id, actor_name = (actor.pk, actor.get_username()) if actor is not None else (None, "system")
    shown: dict = {}  # value → as snapshot() writes it (measurements and dates repeat)

    def plain(name, value):
        key = (name in decimals, value)
        out = shown.get(key)
        if out is None:
            if name in decimals:
                out = str(decimal.Decimal(value).quantize(tenth))
            elif name in dates:
                out = value.isoformat()
            else:
                return value
            shown[key] = out
        return out

    def changes(values: dict, pk: int) -> dict:
        out = {"id": [None, pk]}
        for name in order:
            value = values.get(name)
            if value is not None:
                out[name] = [None, plain(name, value) if (name in decimals or name in dates) else value]
        return out

    insert_rows(
        ChangeRecord,
        list(RECORD_COLUMNS),
        (
            (
                content_type,
                str(pks[c["id_number"]]),
                c["name"][:200],
                Action.CREATE,
                changes(c, pks[c["id_number"]]),
                str(IMPORT_NOTE),
                actor_id,
                actor_name,
                source,
                now,
            )
            for c in creates
        ),
    )
