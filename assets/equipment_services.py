"""Every write to station equipment: stations, types, the standard kit, the register, transfer and disposal
requests, and condition surveys. Each checks the actor's role over the unit concerned and records history."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from core import scope
from core.errors import Conflict, Forbidden, QMError
from core.history import build_record, record_change, record_changes, snapshot
from core.models import ChangeRecord
from personnel.choices import Level
from personnel.models import OrgUnit
from personnel.services import unit_create, unit_update

from .equipment_choices import (
    MANUAL_STATUS_TRANSITIONS,
    ON_BOOKS,
    REQUEST_TRANSITIONS,
    RETURN_TRANSITIONS,
    Condition,
    EquipmentCategory,
    ItemSource,
    ItemStatus,
    RequestKind,
    RequestStatus,
    ReturnStatus,
    StationClass,
    SurveyStatus,
)
from .equipment_models import (
    EquipmentItem,
    EquipmentRequest,
    EquipmentType,
    StandardKitLine,
    Survey,
    SurveyEntry,
    SurveyPhoto,
    SurveyReturn,
)

Action = ChangeRecord.Action
STATION_KEEPERS = (scope.PROVINCE, scope.CITY, scope.COUNTY)
APPROVERS = (scope.PROVINCE, scope.CITY)
PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024
CENT = Decimal("0.01")


def money(value) -> Decimal:
    """The one rounding rule for amounts: to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def can_keep_station(actor, station: OrgUnit) -> bool:
    """Who writes a station's register and survey return: its own staff and the units above it (not the
    auditor). The pages ask the same rule (core.pages.may_write) before showing their forms."""
    return actor is None or scope.has_role(actor, *STATION_KEEPERS, unit=station)


def _require_keeper(actor, station: OrgUnit) -> None:
    if not can_keep_station(actor, station):
        raise Forbidden()


def _check_station(station: OrgUnit, field: str = "station") -> None:
    if station.level != Level.STATION or not station.is_active:
        raise QMError(
            "not_a_station",
            gettext("不是在用的站所：{code}").format(code=station.code),
            {"field": field},
        )


def _check_class(station_class: str) -> None:
    if station_class not in StationClass.values:
        raise QMError(
            "bad_station_class",
            gettext("未知站所类别：{station_class!r}").format(station_class=station_class),
            {"field": "station_class", "allowed": StationClass.values},
        )


def _transition(current: str, wanted: str, table: dict, what: str) -> None:
    if wanted not in table[current]:
        raise Conflict(
            "bad_transition",
            gettext("{what}不能从 {current} 变为 {wanted}").format(what=what, current=current, wanted=wanted),
            {"field": "status", "from": current, "to": wanted},
        )


# ---- stations ---------------------------------------------------------------------------------------


def station_create(
    *, actor, parent: OrgUnit, name: str, station_class: str, address: str = "", code: str | None = None
) -> OrgUnit:
    """Add a station under a county agency or a city detachment (their staff or the province)."""
    _check_class(station_class)
    if not name.strip():
        raise QMError("required", gettext("站所名称不能为空"), {"field": "name"})
    if code is None:
        used = set(OrgUnit.objects.filter(parent=parent, level=Level.STATION).values_list("code", flat=True))
        n = 1
        while (
            f"{parent.code}{n:02d}" in used or OrgUnit.objects.filter(code=f"{parent.code}{n:02d}").exists()
        ):
            n += 1
        code = f"{parent.code}{n:02d}"
    return unit_create(
        actor=actor,
        code=code,
        name=name.strip(),
        level=Level.STATION,
        parent=parent,
        station_class=station_class,
        address=address,
    )


def station_update(*, actor, station: OrgUnit, **fields) -> OrgUnit:
    _check_station(station)
    if "station_class" in fields:
        _check_class(fields["station_class"])
    return unit_update(actor=actor, unit=station, **fields)


# ---- equipment types and the standard kit (province) -------------------------------------------------

TYPE_FIELDS = {
    "name",
    "name_en",
    "category",
    "unit_price",
    "service_life_years",
    "spec",
    "sort_order",
    "is_active",
}


def _validate_type(obj: EquipmentType) -> None:
    if obj.category not in EquipmentCategory.values:
        raise QMError(
            "bad_category",
            gettext("未知类别：{category!r}").format(category=obj.category),
            {"field": "category", "allowed": EquipmentCategory.values},
        )
    try:
        obj.unit_price = Decimal(obj.unit_price).quantize(Decimal("0.000001"))
    except (InvalidOperation, TypeError):
        raise QMError(
            "bad_price", pgettext("Invalid unit price", "单价无效"), {"field": "unit_price"}
        ) from None
    if obj.unit_price < 0 or obj.unit_price >= Decimal("1e10"):
        raise QMError("bad_price", gettext("单价无效"), {"field": "unit_price"})
    if not obj.service_life_years or int(obj.service_life_years) < 1:
        raise QMError(
            "bad_service_life",
            gettext("使用年限至少 1 年"),
            {"field": "service_life_years"},
        )
    if not obj.name.strip():
        raise QMError("required", gettext("名称不能为空"), {"field": "name"})


def equipment_type_create(
    *, actor, code: str, name: str, category: str, unit_price: Decimal, service_life_years: int, **fields
) -> EquipmentType:
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    if EquipmentType.objects.filter(code=code).exists():
        raise Conflict(
            "duplicate_code", gettext("类型代码已存在：{code}").format(code=code), {"field": "code"}
        )
    bad = set(fields) - TYPE_FIELDS
    if bad:
        raise QMError(
            "unknown_fields",
            gettext("未知字段：{sorted}").format(sorted=", ".join(sorted(bad))),
        )
    obj = EquipmentType(
        code=code,
        name=name,
        category=category,
        unit_price=unit_price,
        service_life_years=service_life_years,
        **fields,
    )
    _validate_type(obj)
    with transaction.atomic():
        obj.save()
        record_change(actor=actor, obj=obj, action=Action.CREATE)
    return obj


def equipment_type_update(*, actor, equipment_type: EquipmentType, **fields) -> EquipmentType:
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    bad = set(fields) - TYPE_FIELDS
    if bad:
        raise QMError(
            "not_editable",
            gettext("不可修改的字段：{sorted}").format(sorted=", ".join(sorted(bad))),
            {"fields": sorted(bad)},
        )
    with transaction.atomic():
        obj = EquipmentType.objects.select_for_update().get(pk=equipment_type.pk)
        before = snapshot(obj)
        for key, value in fields.items():
            setattr(obj, key, value)
        _validate_type(obj)
        obj.save()
        record_change(actor=actor, obj=obj, action=Action.UPDATE, before=before)
    return obj


def kit_line_set(
    *, actor, station_class: str, equipment_type: EquipmentType, quantity: int, note: str = ""
) -> StandardKitLine:
    """Set the quantity of a type in the standard kit of a class (province only). 0 = no longer required;
    lines are kept so every change stays in the history."""
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    _check_class(station_class)
    if quantity is None or int(quantity) < 0 or int(quantity) > 10_000:
        raise QMError("bad_quantity", gettext("数量无效"), {"field": "quantity"})
    if not equipment_type.is_active and quantity:
        raise QMError("inactive_type", gettext("装备类型已停用"), {"field": "equipment_type"})
    with transaction.atomic():
        line = (
            StandardKitLine.objects.select_for_update()
            .filter(station_class=station_class, equipment_type=equipment_type)
            .first()
        )
        if line is None:
            line = StandardKitLine.objects.create(
                station_class=station_class, equipment_type=equipment_type, quantity=quantity, note=note
            )
            record_change(actor=actor, obj=line, action=Action.CREATE)
            return line
        before = snapshot(line)
        line.quantity = int(quantity)
        line.note = note
        line.save()
        record_change(actor=actor, obj=line, action=Action.UPDATE, before=before)
    return line


# ---- the register ------------------------------------------------------------------------------------

ITEM_EDITABLE = {"serial_number", "acquired_on", "acquired_value", "condition", "note"}


def _validate_item_fields(fields: dict) -> None:
    if "condition" in fields and fields["condition"] not in Condition.values:
        raise QMError(
            "bad_condition",
            gettext("未知状况：{condition!r}").format(condition=fields["condition"]),
            {"field": "condition", "allowed": Condition.values},
        )
    acquired_on = fields.get("acquired_on")
    if acquired_on is not None and acquired_on > timezone.localdate():
        raise QMError(
            "future_date",
            gettext("购置日期不能晚于今天"),
            {"field": "acquired_on"},
        )
    value = fields.get("acquired_value")
    if value is not None:
        try:
            value = Decimal(value)
        except (InvalidOperation, TypeError):
            raise QMError("bad_value", gettext("购置金额无效"), {"field": "acquired_value"}) from None
        if value < 0 or value >= Decimal("1e12"):
            raise QMError("bad_value", gettext("购置金额无效"), {"field": "acquired_value"})
        fields["acquired_value"] = money(value)


def _check_unique(asset_tag: str | None, serial: str, exclude_pk=None) -> None:
    if (
        asset_tag is not None
        and EquipmentItem.objects.filter(asset_tag=asset_tag).exclude(pk=exclude_pk).exists()
    ):
        raise Conflict(
            "duplicate_asset_tag",
            gettext("资产编号已存在：{asset_tag}").format(asset_tag=asset_tag),
            {"field": "asset_tag"},
        )
    if serial and EquipmentItem.objects.filter(serial_number=serial).exclude(pk=exclude_pk).exists():
        raise Conflict(
            "duplicate_serial",
            gettext("序列号已登记：{serial}").format(serial=serial),
            {"field": "serial_number"},
        )


def next_asset_tag(station: OrgUnit, equipment_type: EquipmentType, reserved: set | None = None) -> str:
    """`<station>-<type>-nnn`, the first number free in the register and in `reserved` (tags taken in a batch)."""
    prefix = f"{station.code}-{equipment_type.code}-"
    used = set(EquipmentItem.objects.filter(asset_tag__startswith=prefix).values_list("asset_tag", flat=True))
    used |= {t for t in (reserved or ()) if t.startswith(prefix)}
    n = len(used) + 1
    while f"{prefix}{n:03d}" in used:
        n += 1
    return f"{prefix}{n:03d}"


def item_create(
    *,
    actor,
    station: OrgUnit,
    equipment_type: EquipmentType,
    asset_tag: str | None = None,
    serial_number: str = "",
    acquired_on: datetime.date | None = None,
    acquired_value: Decimal | None = None,
    condition: str = Condition.GOOD,
    note: str = "",
    source: str = ItemSource.REGISTER,
) -> EquipmentItem:
    """Put an item on a station's register. Asset tags are unique (generated when not given), serial
    numbers unique when given."""
    _check_station(station)
    _require_keeper(actor, station)
    if not equipment_type.is_active:
        raise QMError("inactive_type", gettext("装备类型已停用"), {"field": "equipment_type"})
    fields = {"acquired_on": acquired_on, "acquired_value": acquired_value, "condition": condition}
    _validate_item_fields(fields)
    asset_tag = (asset_tag or "").strip() or None
    serial_number = (serial_number or "").strip()
    _check_unique(asset_tag, serial_number)
    with transaction.atomic():
        item = EquipmentItem(
            asset_tag=asset_tag or next_asset_tag(station, equipment_type),
            equipment_type=equipment_type,
            serial_number=serial_number,
            station=station,
            note=note,
            source=source,
            **fields,
        )
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            raise Conflict(
                "duplicate_asset_tag",
                gettext("资产编号或序列号已存在"),
                {"field": "asset_tag"},
            ) from None
        record_change(actor=actor, obj=item, action=Action.CREATE)
    return item


def item_update(*, actor, item: EquipmentItem, **fields) -> EquipmentItem:
    """Correct an item's details or record a change of condition between surveys."""
    _require_keeper(actor, item.station)
    bad = set(fields) - ITEM_EDITABLE
    if bad:
        raise QMError(
            "not_editable",
            gettext("不可在此修改：{sorted}").format(sorted=", ".join(sorted(bad))),
            {"fields": sorted(bad)},
        )
    _validate_item_fields(fields)
    with transaction.atomic():
        item = EquipmentItem.objects.select_for_update().get(pk=item.pk)
        if item.status == ItemStatus.DISPOSED:
            raise Conflict("disposed", gettext("装备已处置，不能修改"), {"field": "status"})
        if "serial_number" in fields:
            fields["serial_number"] = (fields["serial_number"] or "").strip()
            _check_unique(None, fields["serial_number"], exclude_pk=item.pk)
        before = snapshot(item)
        for key, value in fields.items():
            setattr(item, key, "" if value is None and key in {"serial_number", "note"} else value)
        item.save()
        record_change(actor=actor, obj=item, action=Action.UPDATE, before=before)
    return item


def item_set_status(*, actor, item: EquipmentItem, status: str, reason: str = "") -> EquipmentItem:
    """Send an item to repair or back into use. Transfer and disposal go through a request."""
    _require_keeper(actor, item.station)
    if status not in ItemStatus.values:
        raise QMError("bad_status", gettext("未知状态：{status}").format(status=status), {"field": "status"})
    with transaction.atomic():
        item = EquipmentItem.objects.select_for_update().get(pk=item.pk)
        if item.status == status:
            return item
        _transition(item.status, status, MANUAL_STATUS_TRANSITIONS, gettext("装备状态"))
        before = snapshot(item, ["status"])
        item.status = status
        item.save(update_fields=["status", "updated_at"])
        record_change(
            actor=actor,
            obj=item,
            action=Action.STATUS,
            before=before,
            after=snapshot(item, ["status"]),
            note=reason,
        )
    return item


# ---- transfers and disposal ------------------------------------------------------------------------


def approval_unit_for(from_station: OrgUnit, to_station: OrgUnit | None) -> OrgUnit:
    """The level above the agency holding the item (a county's city, a city detachment's province), or
    higher when a transfer leaves that unit's subtree: the lowest unit above the holder covering both."""
    codes = from_station.path.rstrip("/").split("/")  # [province, city, (county,) station]
    for i in range(len(codes) - 3, -1, -1):
        prefix = "/".join(codes[: i + 1]) + "/"
        if to_station is None or to_station.path.startswith(prefix):
            return OrgUnit.objects.get(code=codes[i])
    return OrgUnit.objects.get(code=codes[0])


def can_approve(user, request: EquipmentRequest) -> bool:
    return scope.has_role(user, *APPROVERS, unit=request.approval_unit)


def _require_holder(actor, station: OrgUnit) -> None:
    """Requests are made (and transfers received) by the agency holding the station — its county or city,
    or a level above — not by an account of the station itself."""
    if actor is not None and not scope.has_role(actor, *STATION_KEEPERS, unit=station.parent):
        raise Forbidden(gettext("须由站所所属县级或市州单位办理"))


def _request_create(
    *, actor, item: EquipmentItem, kind: str, to_station: OrgUnit | None, reason: str
) -> EquipmentRequest:
    _require_holder(actor, item.station)
    if not (reason or "").strip():
        raise QMError("required", gettext("请填写理由"), {"field": "reason"})
    with transaction.atomic():
        item = EquipmentItem.objects.select_for_update().select_related("station").get(pk=item.pk)
        if item.status not in ON_BOOKS:
            raise Conflict(
                "not_on_books",
                gettext("装备状态为{label}，不能申请：{status}").format(
                    label=ItemStatus(item.status).label, status=item.status
                ),
                {"field": "status"},
            )
        if EquipmentRequest.objects.filter(item=item, status=RequestStatus.PENDING).exists():
            raise Conflict(
                "pending_request",
                gettext("该装备已有待审批申请"),
                {"field": "item"},
            )
        request = EquipmentRequest.objects.create(
            kind=kind,
            item=item,
            from_station=item.station,
            to_station=to_station,
            approval_unit=approval_unit_for(item.station, to_station),
            reason=reason.strip(),
            requested_by=actor,
        )
        record_change(actor=actor, obj=request, action=Action.CREATE)
        transaction.on_commit(lambda: notify_approvers(request.pk))
    return request


def approvers_of(unit: OrgUnit):
    """Active accounts holding an approving role exactly at `unit` (the level that decides)."""
    from django.contrib.auth import get_user_model

    role = scope.PROVINCE if unit.level == Level.PROVINCE else scope.CITY
    return (
        get_user_model()
        .objects.filter(
            is_active=True, memberships__unit=unit, memberships__role=role, memberships__is_active=True
        )
        .distinct()
    )


def notify_approvers(request_id: int) -> int:
    """Tell the deciding level a transfer or disposal waits for it (once per request and person)."""
    from core.notifications import notify

    request = EquipmentRequest.objects.select_related(
        "item__equipment_type", "from_station", "to_station", "approval_unit"
    ).get(pk=request_id)
    kind = str(request.get_kind_display())
    where = f" → {request.to_station.name}" if request.to_station_id else ""
    n = 0
    for user in approvers_of(request.approval_unit):
        if user.pk == request.requested_by_id:
            continue
        if notify(
            user=user,
            kind="equipment_request",
            dedupe_key=f"equipment_request:{request.pk}",
            title=f"待审批{kind}：{request.item.asset_tag} {request.item.equipment_type.name}",
            body=f"{request.from_station.name}{where}。理由：{request.reason}",
            link=f"/api/v1/assets/equipment/requests?to_decide=true#{request.pk}",
        ):
            n += 1
    return n


def transfer_request(*, actor, item: EquipmentItem, to_station: OrgUnit, reason: str) -> EquipmentRequest:
    """Ask to move an item to another station; the level above the holder approves."""
    _check_station(to_station, "to_station")
    if to_station.pk == item.station_id:
        raise QMError(
            "same_station",
            gettext("调入站所与当前站所相同"),
            {"field": "to_station"},
        )
    return _request_create(
        actor=actor, item=item, kind=RequestKind.TRANSFER, to_station=to_station, reason=reason
    )


def disposal_request(*, actor, item: EquipmentItem, reason: str) -> EquipmentRequest:
    """Ask to dispose of an item (报废); the level above the holder approves."""
    return _request_create(actor=actor, item=item, kind=RequestKind.DISPOSAL, to_station=None, reason=reason)


def _decide(*, actor, request: EquipmentRequest, status: str, note: str) -> EquipmentRequest:
    with transaction.atomic():
        request = (
            EquipmentRequest.objects.select_for_update().select_related("approval_unit").get(pk=request.pk)
        )
        if actor is not None:
            if not can_approve(actor, request):
                raise Forbidden(gettext("须由上一级单位审批"))
            if request.requested_by_id == actor.pk:
                raise Forbidden(gettext("不能审批自己的申请"))
        _transition(request.status, status, REQUEST_TRANSITIONS, gettext("申请状态"))
        before = snapshot(request)
        request.status = status
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note or ""
        request.save()
        record_change(actor=actor, obj=request, action=Action.STATUS, before=before, note=note or "")
        if status == RequestStatus.APPROVED:
            item = EquipmentItem.objects.select_for_update().get(pk=request.item_id)
            if item.status not in ON_BOOKS or item.station_id != request.from_station_id:
                raise Conflict(
                    "item_changed",
                    gettext("装备状态已变化，请重新申请"),
                    {"field": "item"},
                )
            item_before = snapshot(item, ["station", "status"])
            if request.kind == RequestKind.TRANSFER:
                item.station_id = request.to_station_id
                item.status = ItemStatus.TRANSFERRED
                action = Action.TRANSFER
            else:
                item.status = ItemStatus.DISPOSED
                action = Action.STATUS
            item.save(update_fields=["station", "status", "updated_at"])
            record_change(
                actor=actor,
                obj=item,
                action=action,
                before=item_before,
                after=snapshot(item, ["station", "status"]),
                note=f"{request.get_kind_display()} #{request.pk}: {request.reason}",
            )
    return request


def request_approve(*, actor, request: EquipmentRequest, note: str = "") -> EquipmentRequest:
    """Approve: a transfer sets the item in transit to the new station; a disposal disposes of it."""
    return _decide(actor=actor, request=request, status=RequestStatus.APPROVED, note=note)


def request_reject(*, actor, request: EquipmentRequest, note: str) -> EquipmentRequest:
    if not (note or "").strip():
        raise QMError("required", gettext("驳回须说明理由"), {"field": "note"})
    return _decide(actor=actor, request=request, status=RequestStatus.REJECTED, note=note)


def request_cancel(*, actor, request: EquipmentRequest, note: str = "") -> EquipmentRequest:
    """The holder withdraws a pending request."""
    _require_holder(actor, request.from_station)
    with transaction.atomic():
        request = EquipmentRequest.objects.select_for_update().get(pk=request.pk)
        _transition(request.status, RequestStatus.CANCELLED, REQUEST_TRANSITIONS, gettext("申请状态"))
        before = snapshot(request)
        request.status = RequestStatus.CANCELLED
        request.decision_note = note or ""
        request.save()
        record_change(actor=actor, obj=request, action=Action.STATUS, before=before, note=note or "")
    return request


def request_receive(*, actor, request: EquipmentRequest, note: str = "") -> EquipmentRequest:
    """The receiving side confirms an approved transfer arrived: the item is in use at its new station."""
    if request.kind != RequestKind.TRANSFER:
        raise QMError("not_a_transfer", gettext("仅调拨需要接收"), {"field": "kind"})
    _require_holder(actor, request.to_station)
    with transaction.atomic():
        request = EquipmentRequest.objects.select_for_update().get(pk=request.pk)
        _transition(request.status, RequestStatus.RECEIVED, REQUEST_TRANSITIONS, gettext("申请状态"))
        before = snapshot(request)
        request.status = RequestStatus.RECEIVED
        request.received_by = actor
        request.received_at = timezone.now()
        request.save()
        record_change(actor=actor, obj=request, action=Action.STATUS, before=before, note=note or "")
        item = EquipmentItem.objects.select_for_update().get(pk=request.item_id)
        item_before = snapshot(item, ["status"])
        item.status = ItemStatus.IN_USE
        item.save(update_fields=["status", "updated_at"])
        record_change(
            actor=actor,
            obj=item,
            action=Action.STATUS,
            before=item_before,
            after=snapshot(item, ["status"]),
            note=gettext("调拨接收 #{pk}").format(pk=request.pk),
        )
    return request


# ---- condition surveys -----------------------------------------------------------------------------


def survey_open(
    *, actor, name: str, deadline: datetime.date, note: str = "", opened_on: datetime.date | None = None
) -> Survey:
    """The province opens a survey of every active station; one survey is open at a time."""
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    opened_on = opened_on or timezone.localdate()
    if not (name or "").strip():
        raise QMError("required", gettext("清查名称不能为空"), {"field": "name"})
    if deadline < opened_on:
        raise QMError(
            "bad_deadline",
            gettext("截止日期不能早于开始日期"),
            {"field": "deadline"},
        )
    if Survey.objects.filter(status=SurveyStatus.OPEN).exists():
        raise Conflict("survey_open", gettext("已有进行中的清查"), {"field": "status"})
    with transaction.atomic():
        survey = Survey.objects.create(
            name=name.strip(), deadline=deadline, note=note, opened_on=opened_on, opened_by=actor
        )
        stations = OrgUnit.objects.filter(level=Level.STATION, is_active=True)
        SurveyReturn.objects.bulk_create(
            [SurveyReturn(survey=survey, station=s) for s in stations], batch_size=1000
        )
        record_change(actor=actor, obj=survey, action=Action.CREATE)
        transaction.on_commit(lambda: survey_notify(survey_id=survey.pk))
    return survey


def _agency_accounts(units) -> dict:
    """{unit id: [users]} of the active county/city accounts held exactly at these agencies."""
    from personnel.models import Membership

    out = {}
    for m in Membership.objects.filter(
        unit__in=units, role__in=(scope.COUNTY, scope.CITY), is_active=True, user__is_active=True
    ).select_related("user"):
        out.setdefault(m.unit_id, []).append(m.user)
    return out


def survey_notify(*, survey_id: int, today: datetime.date | None = None, days_before: int = 3) -> int:
    """Tell each agency holding stations about an open survey (once), and, from `days_before` days before
    the deadline, remind the agencies whose stations have not all submitted (once a day). Returns the
    number of notifications sent. Run daily by the beat schedule."""
    from core.notifications import notify

    survey = Survey.objects.filter(pk=survey_id, status=SurveyStatus.OPEN).first()
    if survey is None:
        return 0
    today = today or timezone.localdate()
    pending = set(
        SurveyReturn.objects.filter(survey=survey, status=ReturnStatus.DRAFT).values_list(
            "station__parent_id", flat=True
        )
    )
    holders = list(OrgUnit.objects.filter(children__level=Level.STATION, children__is_active=True).distinct())
    remind = today >= survey.deadline - datetime.timedelta(days=days_before)
    sent = 0
    for unit_id, users in _agency_accounts(holders).items():
        for user in users:
            if notify(
                user=user,
                kind="equipment_survey",
                dedupe_key=f"equipment_survey:{survey.pk}:open",
                title=f"装备清查已开始：{survey.name}，截止 {survey.deadline}",
                link=f"/api/v1/assets/equipment/surveys/{survey.pk}/progress",
            ):
                sent += 1
            if (
                remind
                and unit_id in pending
                and notify(
                    user=user,
                    kind="equipment_survey",
                    dedupe_key=f"equipment_survey:{survey.pk}:{today}",
                    title=f"装备清查{'已逾期' if today > survey.deadline else '即将截止'}：{survey.name}（{survey.deadline}）",
                    body=gettext("尚有站所未提交清查表"),
                    link=f"/api/v1/assets/equipment/surveys/{survey.pk}/progress",
                )
            ):
                sent += 1
    return sent


def _open_return(survey: Survey, station: OrgUnit, *, lock: bool = True) -> SurveyReturn:
    if survey.status != SurveyStatus.OPEN:
        raise Conflict("survey_closed", gettext("清查已结束"), {"field": "survey"})
    ret, _ = SurveyReturn.objects.get_or_create(
        survey=survey, station=station
    )  # stations added since opening
    if lock:
        ret = SurveyReturn.objects.select_for_update().get(pk=ret.pk)
    return ret


def _editable_return(survey: Survey, station: OrgUnit) -> SurveyReturn:
    ret = _open_return(survey, station)
    if ret.status != ReturnStatus.DRAFT:
        raise Conflict(
            "return_submitted",
            gettext("清查表已提交，需县级退回后才能修改"),
            {"field": "status"},
        )
    return ret


def _as_last_survey(survey: Survey, station: OrgUnit, changes: list[dict]) -> tuple[list[dict], set, str]:
    """Everything as in the last survey: a grade for each item on the station's books not graded yet in
    this return and not among `changes`, with the condition and note the station's last survey found; then
    the changes (the items that differ). Items new since the last survey stay to be graded by hand."""
    from .equipment_selectors import last_survey_findings

    last, findings = last_survey_findings(station, survey)
    if last is None:
        raise Conflict(
            "no_last_survey",
            gettext("本站所没有以往的清查可以沿用，请逐项评定"),
            {"field": "copy_last"},
        )
    changed = {g.get("item_id") for g in changes}
    graded = set(
        SurveyEntry.objects.filter(survey_return__survey=survey, survey_return__station=station).values_list(
            "item_id", flat=True
        )
    )
    copied = [
        {"item_id": pk, "condition": findings[pk].condition, "note": findings[pk].note}
        for pk in EquipmentItem.objects.filter(station=station, status__in=ON_BOOKS)
        .order_by("asset_tag")
        .values_list("pk", flat=True)
        if pk in findings and pk not in changed and pk not in graded
    ]
    note = gettext("按上次清查（{name}）填写").format(name=last.name)
    return copied + list(changes), {g["item_id"] for g in copied}, note


def survey_grade(
    *, actor, survey: Survey, station: OrgUnit, grades: list[dict], copy_last: bool = False
) -> list[SurveyEntry]:
    """The station grades its items: [{item_id, condition, note}]. All or nothing; grading again replaces
    (an unchanged grade is left as it is). With `copy_last`, the items not graded yet take what the station's
    last survey found and `grades` are only the items that differ (see _as_last_survey); the copied grades
    are the actor's, recorded in the history like any others, noted as copied."""
    _check_station(station)
    _require_keeper(actor, station)
    copied, record_note = set(), ""
    if copy_last:
        grades, copied, record_note = _as_last_survey(survey, station, list(grades))
    if not grades:
        raise QMError("empty", gettext("没有评定内容"), {"field": "grades"})
    ids = [g.get("item_id") for g in grades]
    items = {
        i.pk: i
        for i in EquipmentItem.objects.filter(pk__in=[x for x in ids if isinstance(x, int)], station=station)
    }
    errors = []
    seen = set()
    for n, g in enumerate(grades):
        item = items.get(g.get("item_id"))
        if item is None:
            errors.append(
                {
                    "index": n,
                    "field": "item_id",
                    "value": g.get("item_id"),
                    "reason": gettext("不是本站所的装备"),
                }
            )
        elif item.status not in ON_BOOKS:
            errors.append(
                {
                    "index": n,
                    "field": "item_id",
                    "value": item.pk,
                    "reason": gettext("装备{label}").format(
                        label=ItemStatus(item.status).label, status=item.status
                    ),
                }
            )
        elif item.pk in seen:
            errors.append({"index": n, "field": "item_id", "value": item.pk, "reason": gettext("重复")})
        if g.get("condition") not in Condition.values:
            errors.append(
                {
                    "index": n,
                    "field": "condition",
                    "value": g.get("condition"),
                    "reason": gettext("未知状况，应为：{values}").format(values=", ".join(Condition.values)),
                }
            )
        seen.add(g.get("item_id"))
    if errors:
        raise QMError(
            "invalid_grades",
            gettext("{n_errors} 处错误，未保存任何评定").format(n_errors=len(errors)),
            {"errors": errors},
        )
    with transaction.atomic():
        ret = _editable_return(survey, station)
        existing = {
            e.item_id: e
            for e in SurveyEntry.objects.select_for_update().filter(survey_return=ret, item_id__in=ids)
        }
        out, records = [], []
        for g in grades:
            entry = existing.get(g["item_id"])
            note = (g.get("note") or "")[:300]
            if entry is None:
                entry = SurveyEntry.objects.create(
                    survey_return=ret,
                    item_id=g["item_id"],
                    condition=g["condition"],
                    note=note,
                    graded_by=actor,
                )
                records.append(
                    build_record(
                        actor=actor,
                        obj=entry,
                        action=Action.CREATE,
                        note=record_note if g["item_id"] in copied else "",
                    )
                )
            elif (entry.condition, entry.note) != (g["condition"], note):
                before = snapshot(entry)
                entry.condition, entry.note, entry.graded_by = g["condition"], note, actor
                entry.save()
                records.append(build_record(actor=actor, obj=entry, action=Action.UPDATE, before=before))
            out.append(entry)
        record_changes(records)
    return out


def survey_add_found(
    *,
    actor,
    survey: Survey,
    station: OrgUnit,
    equipment_type: EquipmentType,
    condition: str,
    serial_number: str = "",
    asset_tag: str | None = None,
    note: str = "",
    acquired_on: datetime.date | None = None,
    acquired_value: Decimal | None = None,
) -> SurveyEntry:
    """An item the station found that was not on the register: it joins the register (source survey) and
    the return, marked as found."""
    _check_station(station)
    _require_keeper(actor, station)
    with transaction.atomic():
        ret = _editable_return(survey, station)
        item = item_create(
            actor=actor,
            station=station,
            equipment_type=equipment_type,
            asset_tag=asset_tag,
            serial_number=serial_number,
            acquired_on=acquired_on,
            acquired_value=acquired_value,
            condition=condition,
            note=note or pgettext("found in {name}", "清查发现").format(name=survey.name),
            source=ItemSource.SURVEY,
        )
        entry = SurveyEntry.objects.create(
            survey_return=ret, item=item, condition=condition, note=note, found=True, graded_by=actor
        )
        record_change(actor=actor, obj=entry, action=Action.CREATE, note=gettext("清查发现"))
    return entry


def survey_add_photo(*, actor, entry: SurveyEntry, uploaded) -> SurveyPhoto:
    """Attach a photo (JPEG, PNG or WebP, at most 10 MB, checked by decoding it) to a grade."""
    ret = entry.survey_return
    _require_keeper(actor, ret.station)
    if uploaded is None:
        raise QMError("required", gettext("请选择照片"), {"field": "file"})
    if uploaded.size > PHOTO_MAX_BYTES:
        raise QMError("photo_too_large", gettext("照片不能超过 10 MB"), {"field": "file"})
    from PIL import Image, UnidentifiedImageError

    try:
        uploaded.seek(0)
        with Image.open(uploaded) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise QMError("bad_photo", gettext("不是有效的图片"), {"field": "file"}) from None
    content_type = next((ct for ct, f in PHOTO_TYPES.items() if f == fmt), None)
    if content_type is None:
        raise QMError(
            "bad_photo",
            gettext("照片须为 JPEG、PNG 或 WebP"),
            {"field": "file"},
        )
    uploaded.seek(0)
    with transaction.atomic():
        _editable_return(ret.survey, ret.station)
        photo = SurveyPhoto(entry=entry, content_type=content_type, size=uploaded.size, uploaded_by=actor)
        photo.file.save(f"{entry.pk}-{uploaded.name or 'photo'}"[-90:], uploaded, save=False)
        photo.save()
        record_change(
            actor=actor,
            obj=photo,
            action=Action.CREATE,
            after={
                "entry": entry.pk,
                "file": photo.file.name,
                "content_type": content_type,
                "size": photo.size,
            },
        )
    return photo


def survey_submit(*, actor, survey: Survey, station: OrgUnit, note: str = "") -> SurveyReturn:
    """The station hands in its return: every item on its books must have been graded."""
    _check_station(station)
    _require_keeper(actor, station)
    with transaction.atomic():
        ret = _open_return(survey, station)
        _transition(ret.status, ReturnStatus.SUBMITTED, RETURN_TRANSITIONS, pgettext("Return", "清查表"))
        graded = set(ret.entries.values_list("item_id", flat=True))
        missing = list(
            EquipmentItem.objects.filter(station=station, status__in=ON_BOOKS)
            .exclude(pk__in=graded)
            .order_by("asset_tag")
            .values_list("asset_tag", flat=True)
        )
        if missing:
            raise QMError(
                "ungraded_items",
                gettext("还有 {n_missing} 件装备未评定").format(n_missing=len(missing)),
                {"field": "entries", "asset_tags": missing[:100]},
            )
        before = snapshot(ret)
        ret.status, ret.submitted_by, ret.submitted_at, ret.note = (
            ReturnStatus.SUBMITTED,
            actor,
            timezone.now(),
            note or ret.note,
        )
        ret.save()
        record_change(actor=actor, obj=ret, action=Action.STATUS, before=before, note=note)
    return ret


def _require_confirmer(actor, station: OrgUnit) -> None:
    """The county (or city) above the station confirms; an account of the station itself may not."""
    if actor is not None and not scope.has_role(actor, *STATION_KEEPERS, unit=station.parent):
        raise Forbidden(gettext("须由站所上级单位确认"))


def survey_confirm(*, actor, survey: Survey, station: OrgUnit, note: str = "") -> SurveyReturn:
    """The county confirms a station's return; the grades become the items' condition on the register."""
    _require_confirmer(actor, station)
    with transaction.atomic():
        ret = _open_return(survey, station)
        _transition(ret.status, ReturnStatus.CONFIRMED, RETURN_TRANSITIONS, pgettext("Return", "清查表"))
        before = snapshot(ret)
        ret.status, ret.confirmed_by, ret.confirmed_at = ReturnStatus.CONFIRMED, actor, timezone.now()
        ret.save()
        record_change(actor=actor, obj=ret, action=Action.STATUS, before=before, note=note)
        entries = {e.item_id: e.condition for e in ret.entries.all()}
        items = list(
            EquipmentItem.objects.select_for_update()
            .filter(pk__in=entries)
            .exclude(status=ItemStatus.DISPOSED)
        )
        records, changed = [], []
        for item in items:
            if item.condition != entries[item.pk]:
                before_item = snapshot(item, ["condition"])
                item.condition = entries[item.pk]
                item.updated_at = timezone.now()  # bulk_update does not apply auto_now
                changed.append(item)
                records.append(
                    build_record(
                        actor=actor,
                        obj=item,
                        action=Action.UPDATE,
                        before=before_item,
                        after=snapshot(item, ["condition"]),
                        note=gettext("清查：{name}").format(name=survey.name),
                    )
                )
        EquipmentItem.objects.bulk_update(changed, ["condition", "updated_at"], batch_size=500)
        record_changes(records)
    return ret


def survey_send_back(*, actor, survey: Survey, station: OrgUnit, note: str) -> SurveyReturn:
    """The county returns a submitted return to the station for correction."""
    _require_confirmer(actor, station)
    if not (note or "").strip():
        raise QMError("required", gettext("退回须说明理由"), {"field": "note"})
    with transaction.atomic():
        ret = _open_return(survey, station)
        _transition(ret.status, ReturnStatus.DRAFT, RETURN_TRANSITIONS, pgettext("Return", "清查表"))
        before = snapshot(ret)
        ret.status, ret.submitted_at, ret.submitted_by = ReturnStatus.DRAFT, None, None
        ret.save()
        record_change(actor=actor, obj=ret, action=Action.STATUS, before=before, note=note)
    return ret


def survey_close(*, actor, survey: Survey, note: str = "") -> Survey:
    """The province closes the survey into a dated record, with a summary of what it found."""
    if actor is not None:
        scope.require_role(actor, scope.PROVINCE)
    from django.db.models import Count

    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.OPEN:
            raise Conflict(
                "survey_closed", pgettext("The survey is already closed", "清查已结束"), {"field": "status"}
            )
        before = snapshot(survey)
        returns = dict(survey.returns.values_list("status").annotate(n=Count("id")))
        conditions = dict(
            SurveyEntry.objects.filter(survey_return__survey=survey)
            .values_list("condition")
            .annotate(n=Count("id"))
        )
        found = SurveyEntry.objects.filter(survey_return__survey=survey, found=True).count()
        survey.summary = {
            "returns": {s: returns.get(s, 0) for s in ReturnStatus.values},
            "conditions": {c: conditions.get(c, 0) for c in Condition.values},
            "found": found,
        }
        survey.status = SurveyStatus.CLOSED
        survey.closed_on = timezone.localdate()
        survey.closed_by = actor
        if note:
            survey.note = note
        survey.save()
        record_change(actor=actor, obj=survey, action=Action.STATUS, before=before, note=note)
    return survey
