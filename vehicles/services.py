"""Every write of the vehicles app: quotas, purchases, the register and the vehicle's papers and life.

Each service is keyword-only, atomic, checks the actor's role over the unit concerned, refuses bad input
with a QMError that names the field, and records the change (core.history). Nothing is deleted.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from core import scope
from core.errors import Conflict, Forbidden, QMError
from core.history import record_change, snapshot
from core.models import ChangeRecord
from personnel.choices import ELIGIBLE, Level
from personnel.models import Officer, OrgUnit

from . import inspection, plates, vin
from .choices import (
    ACTIVE_STATUSES,
    INSPECTION_RULE,
    REMINDER_THRESHOLDS,
    STAGE_ORDER,
    STAGE_TRANSITIONS,
    STATUS_TRANSITIONS,
    DisposalMethod,
    DisposalStatus,
    FundingSource,
    MaintenanceKind,
    Paper,
    PolicyKind,
    PurchaseStage,
    QuotaRecordKind,
    VehicleStatus,
    VehicleType,
)
from .models import (
    DisposalRequest,
    Inspection,
    InsurancePolicy,
    MaintenanceRecord,
    OdometerReading,
    Purchase,
    PurchaseEvent,
    QuotaException,
    QuotaLine,
    QuotaRecord,
    Vehicle,
    VehicleTransfer,
)

Action = ChangeRecord.Action
REGISTER_ROLES = (scope.PROVINCE, scope.CITY)  # register, transfer inside a city, purchases
UPKEEP_ROLES = (scope.PROVINCE, scope.CITY, scope.COUNTY)  # papers, mileage, maintenance, drivers
UNSET = object()


def _today() -> datetime.date:
    return timezone.localdate()


def _err(code: str, message: str, field: str, **extra) -> QMError:
    return QMError(code, message, {"field": field, **extra})


def _require(actor, roles, unit) -> None:
    if actor is not None:
        scope.require_role(actor, *roles, unit=unit)


def _money(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _err("invalid_amount", gettext("金额无效：{value}").format(value=value), field) from None
    if not amount.is_finite() or amount < 0:
        raise _err("invalid_amount", gettext("金额不能为负：{value}").format(value=value), field)
    return amount.quantize(Decimal("0.01"))


def _not_future(day: datetime.date, field: str) -> None:
    if day > _today():
        raise _err("future_date", gettext("日期不能晚于今天：{day}").format(day=day), field)


# ---- quotas ------------------------------------------------------------------------------------------


def _province_lock() -> None:
    """Quota records and the quota cap are serialised on the province's unit row."""
    list(OrgUnit.objects.select_for_update().filter(level=Level.PROVINCE).values_list("pk", flat=True))


def quota_state() -> tuple[int, dict[int, int]]:
    """(total, {city id: quota}) derived from every quota record."""
    total = QuotaRecord.objects.aggregate(t=Sum("total_change"))["t"] or 0
    rows = QuotaLine.objects.values("city_id").annotate(q=Sum("change"))
    return total, {r["city_id"]: r["q"] for r in rows}


def counted_vehicles(city: OrgUnit) -> int:
    """Vehicles the quota cap counts for a city: every vehicle not disposed that counts against the quota."""
    return (
        Vehicle.objects.filter(owning_unit__city=city, counts_against_quota=True)
        .exclude(status=VehicleStatus.DISPOSED)
        .count()
    )


def exceptions_extra(city: OrgUnit) -> int:
    return QuotaException.objects.filter(city=city, is_active=True).aggregate(n=Sum("extra"))["n"] or 0


def city_cap(city: OrgUnit) -> int:
    _total, quotas = quota_state()
    return quotas.get(city.pk, 0) + exceptions_extra(city)


def _check_cap(city: OrgUnit, adding: int, field: str = "owning_unit") -> None:
    """Refuse when the city would hold more counted vehicles than its quota plus exceptions."""
    held = counted_vehicles(city)
    _total, quotas = quota_state()
    quota = quotas.get(city.pk, 0)
    extra = exceptions_extra(city)
    if held + adding > quota + extra:
        raise Conflict(
            "over_quota",
            gettext("{name} 将有 {value} 辆车，超出编制 {quota} 辆").format(
                name=city.name, value=held + adding, quota=quota
            )
            + (gettext("（另有例外 {extra} 辆）").format(extra=extra) if extra else "")
            + gettext("；省厅可登记超编例外"),
            {
                "field": field,
                "city_code": city.code,
                "quota": quota,
                "exceptions": extra,
                "held": held,
                "adding": adding,
            },
        )


def quota_record_create(
    *,
    actor,
    doc_number: str,
    doc_date: datetime.date,
    kind: str,
    reason: str,
    total_change: int = 0,
    lines: list[dict] | None = None,
) -> QuotaRecord:
    """Add an allocation record. Each line gives a city and either its `change` or its new `quota`.
    After the record every city quota is ≥ 0, no city holds more vehicles than its quota and exceptions
    allow, and the sum of city quotas never exceeds the total; otherwise nothing is written.
    A transfer moves posts between cities (changes sum to zero, total unchanged)."""
    _require(actor, (scope.PROVINCE,), None)
    doc_number = (doc_number or "").strip()
    reason = (reason or "").strip()
    if not doc_number:
        raise _err("required", gettext("文件号不能为空"), "doc_number")
    if not reason:
        raise _err("required", gettext("事由不能为空"), "reason")
    if kind not in QuotaRecordKind.values:
        raise _err("bad_kind", gettext("未知类型：{kind}").format(kind=kind), "kind")
    _not_future(doc_date, "doc_date")
    if not isinstance(total_change, int) or isinstance(total_change, bool):
        raise _err("invalid", gettext("总数变化应为整数"), "total_change")
    lines = lines or []
    cities = {u.code: u for u in OrgUnit.objects.filter(level=Level.CITY)}
    with transaction.atomic():
        _province_lock()
        if QuotaRecord.objects.filter(doc_number=doc_number).exists():
            raise Conflict(
                "duplicate_doc_number",
                gettext("文件号已存在：{doc_number}").format(doc_number=doc_number),
                {"field": "doc_number"},
            )
        total, quotas = quota_state()
        changes: dict[str, int] = {}
        for i, line in enumerate(lines):
            field = f"lines.{i}"
            code = str(line.get("city_code") or "")
            city = cities.get(code)
            if city is None:
                raise _err("bad_city", gettext("不是市州：{code}").format(code=code), f"{field}.city_code")
            if code in changes:
                raise _err(
                    "duplicate_city",
                    gettext("同一文件中市州重复：{code}").format(code=code),
                    f"{field}.city_code",
                )
            has_change, has_quota = line.get("change") is not None, line.get("quota") is not None
            if has_change == has_quota:
                raise _err("bad_line", gettext("每行给出 change 或 quota 之一"), field)
            value = line["change"] if has_change else line["quota"]
            if not isinstance(value, int) or isinstance(value, bool):
                raise _err("invalid", gettext("应为整数"), field)
            if has_quota and value < 0:
                raise _err("negative_quota", gettext("编制数不能为负"), f"{field}.quota")
            changes[code] = value if has_change else value - quotas.get(city.pk, 0)
        changes = {c: d for c, d in changes.items() if d != 0}
        if not changes and total_change == 0:
            raise _err("no_change", gettext("该文件未改变任何编制"), "lines")
        if kind == QuotaRecordKind.TRANSFER:
            if total_change != 0 or sum(changes.values()) != 0 or len(changes) < 2:
                raise _err(
                    "bad_transfer",
                    gettext("调剂须在市州间增减相抵且不改变总数"),
                    "lines",
                )
        if kind == QuotaRecordKind.TOTAL_CHANGE and total_change == 0:
            raise _err("bad_total_change", gettext("总数变更须给出变化量"), "total_change")
        new_total = total + total_change
        if new_total < 0:
            raise _err(
                "negative_total",
                gettext("编制总数不能为负：{new_total}").format(new_total=new_total),
                "total_change",
            )
        new_quotas = dict(quotas)
        for code, delta in changes.items():
            city = cities[code]
            new_quotas[city.pk] = quotas.get(city.pk, 0) + delta
            if new_quotas[city.pk] < 0:
                raise _err(
                    "negative_quota",
                    gettext("{name} 编制将为负：{value}").format(name=city.name, value=new_quotas[city.pk]),
                    "lines",
                    city_code=code,
                )
            if delta < 0:
                held, extra = counted_vehicles(city), exceptions_extra(city)
                if held > new_quotas[city.pk] + extra:
                    raise Conflict(
                        "quota_below_fleet",
                        gettext("{name} 现有车辆{held}辆，编制不能减至{value}").format(
                            name=city.name, held=held, value=new_quotas[city.pk]
                        ),
                        {"field": "lines", "city_code": code, "held": held},
                    )
        allocated = sum(new_quotas.values())
        if allocated > new_total:
            raise Conflict(
                "over_allocated",
                gettext("各市州编制合计{allocated}超过总数{new_total}").format(
                    allocated=allocated, new_total=new_total
                ),
                {"field": "lines", "allocated": allocated, "total": new_total},
            )
        record = QuotaRecord.objects.create(
            doc_number=doc_number,
            doc_date=doc_date,
            kind=kind,
            reason=reason,
            total_change=total_change,
            total_after=new_total,
            allocated_after=allocated,
            created_by=actor,
        )
        QuotaLine.objects.bulk_create(
            [
                QuotaLine(
                    record=record, city=cities[code], change=delta, quota_after=new_quotas[cities[code].pk]
                )
                for code, delta in sorted(changes.items())
            ]
        )
        record_change(
            actor=actor,
            obj=record,
            action=Action.CREATE,
            after={**snapshot(record), "lines": {c: d for c, d in sorted(changes.items())}},
        )
    return record


def quota_exception_grant(
    *, actor, city: OrgUnit, extra: int, reason: str, doc_number: str = ""
) -> QuotaException:
    """Provincial logistics lets a city hold `extra` vehicles beyond its quota, with a reason."""
    _require(actor, (scope.PROVINCE,), None)
    if city.level != Level.CITY:
        raise _err("bad_city", gettext("不是市州：{code}").format(code=city.code), "city_code")
    if not isinstance(extra, int) or isinstance(extra, bool) or extra < 1:
        raise _err("invalid", gettext("超编数应为正整数"), "extra")
    if not (reason or "").strip():
        raise _err("required", gettext("须说明理由"), "reason")
    with transaction.atomic():
        exc = QuotaException.objects.create(
            city=city, extra=extra, reason=reason.strip(), doc_number=doc_number.strip(), granted_by=actor
        )
        record_change(actor=actor, obj=exc, action=Action.CREATE)
    return exc


def quota_exception_revoke(*, actor, exception: QuotaException, reason: str = "") -> QuotaException:
    """Withdraw an exception, unless the city already holds the vehicles it allowed."""
    _require(actor, (scope.PROVINCE,), None)
    with transaction.atomic():
        _province_lock()
        exception = QuotaException.objects.select_for_update().get(pk=exception.pk)
        if not exception.is_active:
            return exception
        _total, quotas = quota_state()
        held = counted_vehicles(exception.city)
        if held > quotas.get(exception.city_id, 0) + exceptions_extra(exception.city) - exception.extra:
            raise Conflict(
                "exception_in_use",
                gettext("该市州已使用超编例外（现有{held}辆），请先调出或处置").format(held=held),
                {"field": "exception", "held": held},
            )
        before = snapshot(exception)
        exception.is_active = False
        exception.save(update_fields=["is_active"])
        record_change(
            actor=actor,
            obj=exception,
            action=Action.DEACTIVATE,
            before=before,
            after=snapshot(exception),
            note=reason,
        )
    return exception


# ---- purchases ----------------------------------------------------------------------------------------


def purchase_create(
    *,
    actor,
    city: OrgUnit,
    title: str,
    quantity: int,
    stage_date: datetime.date,
    budget_amount=None,
    document: str = "",
    remarks: str = "",
) -> Purchase:
    """Open a city's purchase at its first stage, budget approved (预算批复), with the approving document."""
    if city.level != Level.CITY:
        raise _err(
            "bad_city",
            gettext("购置以市州为单位：{code}").format(code=city.code),
            "city_code",
        )
    _require(actor, REGISTER_ROLES, city)
    if not (title or "").strip():
        raise _err("required", gettext("项目名称不能为空"), "title")
    if not isinstance(quantity, int) or quantity < 1:
        raise _err("invalid", gettext("数量应为正整数"), "quantity")
    _not_future(stage_date, "stage_date")
    with transaction.atomic():
        purchase = Purchase.objects.create(
            city=city,
            title=title.strip(),
            quantity=quantity,
            budget_amount=_money(budget_amount, "budget_amount"),
            stage=PurchaseStage.BUDGET_APPROVED,
            stage_date=stage_date,
            remarks=remarks,
        )
        PurchaseEvent.objects.create(
            purchase=purchase,
            stage=PurchaseStage.BUDGET_APPROVED,
            date=stage_date,
            document=document,
            note="",
            actor=actor,
        )
        record_change(actor=actor, obj=purchase, action=Action.CREATE, note=document)
    return purchase


def purchase_advance(
    *,
    actor,
    purchase: Purchase,
    stage: str,
    date: datetime.date,
    document: str = "",
    note: str = "",
    contract_amount=None,
    supplier: str | None = None,
) -> Purchase:
    """Move a purchase to its next stage (one step at a time; cancelled only before the contract).
    A contract needs its document number; `registered` needs as many linked vehicles with plates as the
    purchase's quantity, `in service` as many in service; dates never go backwards."""
    _require(actor, REGISTER_ROLES, purchase.city)
    if stage not in PurchaseStage.values:
        raise _err("bad_stage", gettext("未知阶段：{stage}").format(stage=stage), "stage")
    _not_future(date, "date")
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
        current = PurchaseStage(purchase.stage)
        if stage not in STAGE_TRANSITIONS[current]:
            raise Conflict(
                "bad_transition",
                gettext("不能从“{label}”进入“{label2}”").format(
                    label=current.label, label2=PurchaseStage(stage).label, current=current, stage=stage
                ),
                {"field": "stage"},
            )
        if date < purchase.stage_date:
            raise _err(
                "date_order",
                gettext("日期早于上一阶段：{stage_date}").format(stage_date=purchase.stage_date),
                "date",
            )
        if stage == PurchaseStage.CONTRACT_SIGNED and not document.strip():
            raise _err("required", gettext("须填写合同编号"), "document")
        linked = purchase.vehicles.exclude(status=VehicleStatus.DISPOSED)
        if stage == PurchaseStage.REGISTERED and linked.exclude(plate="").count() < purchase.quantity:
            raise Conflict(
                "vehicles_not_registered",
                gettext("已上牌车辆不足{quantity}辆").format(quantity=purchase.quantity),
                {"field": "stage"},
            )
        if (
            stage == PurchaseStage.IN_SERVICE
            and linked.filter(status=VehicleStatus.IN_SERVICE).count() < purchase.quantity
        ):
            raise Conflict(
                "vehicles_not_in_service",
                gettext("投入使用车辆不足{quantity}辆").format(quantity=purchase.quantity),
                {"field": "stage"},
            )
        before = snapshot(purchase)
        purchase.stage, purchase.stage_date = stage, date
        if contract_amount is not None:
            purchase.contract_amount = _money(contract_amount, "contract_amount")
        if supplier is not None:
            purchase.supplier = supplier.strip()
        purchase.save()
        PurchaseEvent.objects.create(
            purchase=purchase, stage=stage, date=date, document=document.strip(), note=note, actor=actor
        )
        record_change(
            actor=actor, obj=purchase, action=Action.STATUS, before=before, note=f"{document} {note}".strip()
        )
    return purchase


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(PurchaseStage(stage)) if stage in STAGE_ORDER else -1


# ---- the register ---------------------------------------------------------------------------------------

VEHICLE_EDITABLE = {
    "engine_number",
    "brand",
    "model",
    "vehicle_type",
    "purchase_date",
    "purchase_price",
    "funding_source",
    "livery_fitted",
    "warning_lights_fitted",
    "equipment",
    "remarks",
    "counts_against_quota",
    "registered_on",
    "purchase",
}


def _clean_vin(value: str) -> str:
    try:
        return vin.validate(value)
    except vin.VinError as exc:
        raise _err("invalid_vin", gettext("车辆识别代号无效：{exc}").format(exc=exc), "vin") from None


def _clean_plate(value: str) -> str:
    """A valid plate the corps may carry (no police plate: plates.validate_for_corps). What is only odd (an
    office letter of another city, a plate from outside Hunan) is not refused: plates.warnings, which every
    door shows once the vehicle is saved."""
    try:
        return plates.validate_for_corps(value)
    except plates.PlateError as exc:
        raise _err(exc.code, gettext("号牌号码无效：{exc}").format(exc=exc), "plate", value=value) from None


def _check_owning_unit(unit: OrgUnit) -> None:
    if unit.level not in (Level.PROVINCE, Level.CITY, Level.COUNTY) or not unit.is_active:
        raise _err(
            "bad_unit",
            gettext("车辆应归属执法机构（省、市州或县级）"),
            "owning_unit",
        )


def _check_station(station: OrgUnit | None, owner: OrgUnit) -> None:
    if station is None:
        return
    if station.level != Level.STATION or not station.is_active:
        raise _err("bad_station", gettext("不是执法站所：{code}").format(code=station.code), "station")
    if station.city_id != owner.city_id:
        raise _err("bad_station", gettext("站所不在车辆所属市州"), "station")


def _check_driver(actor, driver: Officer | None, owner: OrgUnit) -> None:
    if driver is None:
        return
    if actor is not None and not scope.in_scope(actor, driver.unit):
        raise _err("bad_driver", gettext("驾驶员不在您的范围内"), "driver_id")
    if driver.status not in ELIGIBLE:
        raise _err("bad_driver", gettext("驾驶员须为在岗或借调人员"), "driver_id")
    if driver.unit.city_id != owner.city_id:
        raise _err("bad_driver", gettext("驾驶员不在车辆所属市州"), "driver_id")


def _check_ready_for_service(v: Vehicle) -> None:
    """公路法第七十三条: road administration vehicles carry the unified livery and warning lights; a vehicle
    goes on the road with a plate."""
    missing = []
    if not v.plate:
        missing.append(("plate", gettext("号牌")))
    if not v.livery_fitted:
        missing.append(("livery_fitted", gettext("标志涂装")))
    if not v.warning_lights_fitted:
        missing.append(("warning_lights_fitted", gettext("示警灯具")))
    if missing:
        raise Conflict(
            "not_ready_for_service",
            gettext("投入使用前须上牌并按公路法第73条喷涂标志、安装示警灯具：{missing}").format(
                missing="、".join(label for _field, label in missing)
            ),
            {"field": missing[0][0], "missing": [field for field, _label in missing]},
        )


def _computed_due(v: Vehicle) -> datetime.date | None:
    if not v.registered_on:
        return None
    last = v.inspections.filter(passed=True).order_by("-inspected_on").first() if v.pk else None
    return inspection.next_due(
        INSPECTION_RULE[VehicleType(v.vehicle_type)], v.registered_on, last.inspected_on if last else None
    ).date


def _clean_fields(fields: dict) -> dict:
    out = dict(fields)
    if "vehicle_type" in out and out["vehicle_type"] not in VehicleType.values:
        raise _err(
            "bad_type",
            gettext("未知车辆类型：{vehicle_type}").format(vehicle_type=out["vehicle_type"]),
            "vehicle_type",
        )
    if out.get("funding_source") and out["funding_source"] not in FundingSource.values:
        raise _err(
            "bad_funding",
            gettext("未知资金来源：{funding_source}").format(funding_source=out["funding_source"]),
            "funding_source",
        )
    if "purchase_price" in out:
        out["purchase_price"] = _money(out["purchase_price"], "purchase_price")
    if "equipment" in out:
        items = out["equipment"] or []
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise _err("invalid", gettext("随车装备应为文字列表"), "equipment")
        out["equipment"] = [x.strip() for x in items if x.strip()]
    for key in ("purchase_date", "registered_on"):
        if out.get(key):
            _not_future(out[key], key)
    if "brand" in out and not (out["brand"] or "").strip():
        raise _err("required", gettext("品牌不能为空"), "brand")
    for key in ("engine_number", "model", "remarks", "brand"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if "engine_number" in out:
        out["engine_number"] = out["engine_number"].upper()
    return out


def vehicle_create(
    *,
    actor,
    owning_unit: OrgUnit,
    vin_code: str,
    brand: str,
    plate: str = "",
    station: OrgUnit | None = None,
    driver: Officer | None = None,
    status: str = VehicleStatus.ON_ORDER,
    inspection_due: datetime.date | None = None,
    **fields,
) -> Vehicle:
    """Put a vehicle on the register. VIN (GB 16735 check character) and plate (GA 36) are validated and
    unique; a city holds no more counted vehicles than its quota plus exceptions."""
    _check_owning_unit(owning_unit)
    _require(actor, REGISTER_ROLES, owning_unit)
    bad = set(fields) - VEHICLE_EDITABLE
    if bad:
        raise QMError(
            "unknown_fields",
            gettext("未知字段：{sorted}").format(sorted=", ".join(sorted(bad))),
            {"fields": sorted(bad)},
        )
    number = _clean_vin(vin_code)
    plate = _clean_plate(plate) if plate else ""
    fields = _clean_fields({"brand": brand, **fields})
    if plate and not fields.get("registered_on"):
        raise _err(
            "required",
            gettext("有号牌的车辆须填写注册登记日期（检验周期由此起算）"),
            "registered_on",
        )
    if status not in (VehicleStatus.ON_ORDER, VehicleStatus.IN_SERVICE, VehicleStatus.UNDER_REPAIR):
        raise _err("bad_status", gettext("新登记车辆状态无效：{status}").format(status=status), "status")
    _check_station(station, owning_unit)
    _check_driver(actor, driver, owning_unit)
    purchase = fields.get("purchase")
    if purchase is not None and purchase.city_id != owning_unit.city_id:
        raise _err("bad_purchase", gettext("购置项目属于其他市州"), "purchase_id")
    with transaction.atomic():
        _province_lock()
        if Vehicle.objects.filter(vin=number).exists():
            raise Conflict(
                "duplicate_vin",
                gettext("车辆识别代号已登记：{number}").format(number=number),
                {"field": "vin"},
            )
        if plate and Vehicle.objects.filter(plate=plate).exists():
            raise Conflict(
                "duplicate_plate",
                gettext("号牌已登记：{plate}").format(plate=plate),
                {"field": "plate"},
            )
        if fields.get("counts_against_quota", True):
            _check_cap(owning_unit.city, 1)
        v = Vehicle(
            owning_unit=owning_unit,
            vin=number,
            plate=plate,
            station=station,
            driver=driver,
            status=status,
            **fields,
        )
        if status != VehicleStatus.ON_ORDER:
            _check_ready_for_service(v)
        if inspection_due is not None:
            v.inspection_due, v.inspection_due_manual = inspection_due, True
        else:
            v.inspection_due = _computed_due(v)
        v.save()
        record_change(actor=actor, obj=v, action=Action.CREATE)
    return v


def vehicle_update(*, actor, vehicle: Vehicle, **fields) -> Vehicle:
    """Edit a vehicle's details. Its inspection due date follows a change of type or registration date
    unless it was set by hand; livery and lights cannot be taken off a vehicle in service."""
    _require(actor, REGISTER_ROLES, vehicle.owning_unit)
    bad = set(fields) - VEHICLE_EDITABLE
    if bad:
        raise QMError(
            "not_editable",
            gettext("不可在此修改：{sorted}").format(sorted=", ".join(sorted(bad))),
            {"fields": sorted(bad)},
        )
    fields = _clean_fields(fields)
    with transaction.atomic():
        _province_lock()
        v = Vehicle.objects.select_for_update().select_related("owning_unit").get(pk=vehicle.pk)
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        before = snapshot(v)
        if fields.get("counts_against_quota") and not v.counts_against_quota:
            _check_cap(v.owning_unit.city, 1, "counts_against_quota")
        purchase = fields.get("purchase")
        if purchase is not None and purchase.city_id != v.owning_unit.city_id:
            raise _err(
                "bad_purchase",
                gettext("购置项目属于其他市州"),
                "purchase_id",
            )
        for key, value in fields.items():
            setattr(v, key, value)
        if v.status == VehicleStatus.IN_SERVICE:
            _check_ready_for_service(v)
        if not v.inspection_due_manual and ({"vehicle_type", "registered_on"} & set(fields)):
            v.inspection_due = _computed_due(v)
        v.save()
        record_change(actor=actor, obj=v, action=Action.UPDATE, before=before)
    return v


def vehicle_register(*, actor, vehicle: Vehicle, plate: str, registered_on: datetime.date) -> Vehicle:
    """Record the plate (上牌) and the registration date, from which inspections are counted."""
    _require(actor, REGISTER_ROLES, vehicle.owning_unit)
    plate = _clean_plate(plate)
    _not_future(registered_on, "registered_on")
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        if Vehicle.objects.filter(plate=plate).exclude(pk=v.pk).exists():
            raise Conflict(
                "duplicate_plate",
                gettext("号牌已登记：{plate}").format(plate=plate),
                {"field": "plate"},
            )
        before = snapshot(v)
        v.plate, v.registered_on = plate, registered_on
        if not v.inspection_due_manual:
            v.inspection_due = _computed_due(v)
        try:
            with transaction.atomic():
                v.save()
        except IntegrityError:
            raise Conflict(
                "duplicate_plate",
                gettext("号牌已登记：{plate}").format(plate=plate),
                {"field": "plate"},
            ) from None
        record_change(
            actor=actor, obj=v, action=Action.UPDATE, before=before, note=pgettext("registration", "上牌")
        )
    return v


def vehicle_set_status(*, actor, vehicle: Vehicle, status: str, reason: str = "") -> Vehicle:
    """Status along the allowed transitions; disposal goes through a disposal request only."""
    _require(actor, UPKEEP_ROLES, vehicle.owning_unit)
    if status not in VehicleStatus.values:
        raise _err("bad_status", gettext("未知状态：{status}").format(status=status), "status")
    if status == VehicleStatus.DISPOSED:
        raise Conflict(
            "use_disposal",
            gettext("处置须提出申请并经省厅批准"),
            {"field": "status"},
        )
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if v.status == status:
            return v
        current = VehicleStatus(v.status)
        if status not in STATUS_TRANSITIONS[current]:
            raise Conflict(
                "bad_transition",
                gettext("不能从“{label}”变为“{label2}”").format(
                    label=current.label, label2=VehicleStatus(status).label, current=current, status=status
                ),
                {"field": "status"},
            )
        if status == VehicleStatus.IN_SERVICE:
            _check_ready_for_service(v)
        before = snapshot(v, ["status"])
        v.status = status
        v.save(update_fields=["status", "updated_at"])
        record_change(
            actor=actor,
            obj=v,
            action=Action.STATUS,
            before=before,
            after=snapshot(v, ["status"]),
            note=reason,
        )
    return v


def vehicle_assign(*, actor, vehicle: Vehicle, driver=UNSET, station=UNSET) -> Vehicle:
    """Name the responsible driver (an eligible officer of the vehicle's city, in the actor's scope) and the
    station the vehicle works from; None clears either."""
    _require(actor, UPKEEP_ROLES, vehicle.owning_unit)
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().select_related("owning_unit").get(pk=vehicle.pk)
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        before = snapshot(v, ["driver", "station"])
        if driver is not UNSET:
            _check_driver(actor, driver, v.owning_unit)
            v.driver = driver
        if station is not UNSET:
            _check_station(station, v.owning_unit)
            v.station = station
        v.save(update_fields=["driver", "station", "updated_at"])
        record_change(
            actor=actor,
            obj=v,
            action=Action.UPDATE,
            before=before,
            after=snapshot(v, ["driver", "station"]),
            note=gettext("指派"),
        )
    return v


def vehicle_transfer(
    *,
    actor,
    vehicle: Vehicle,
    to_unit: OrgUnit,
    reason: str,
    document: str = "",
    date: datetime.date | None = None,
    station: OrgUnit | None = None,
) -> VehicleTransfer:
    """Move a vehicle to another unit (调拨). Inside a city its staff may do it; between cities only
    provincial logistics, and the receiving city's quota cap applies. A driver or station of the old city
    is cleared."""
    _check_owning_unit(to_unit)
    date = date or _today()
    _not_future(date, "date")
    if not (reason or "").strip():
        raise _err("required", gettext("须说明调拨事由"), "reason")
    with transaction.atomic():
        _province_lock()
        v = (
            Vehicle.objects.select_for_update(of=("self",))
            .select_related("owning_unit", "driver__unit")
            .get(pk=vehicle.pk)
        )
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        if v.owning_unit_id == to_unit.pk:
            raise _err("same_unit", gettext("车辆已属于该单位"), "to_unit")
        same_city = v.owning_unit.city_id == to_unit.city_id
        if actor is not None and not (
            scope.is_province(actor)
            or (
                same_city
                and scope.has_role(actor, *REGISTER_ROLES, unit=v.owning_unit)
                and scope.has_role(actor, *REGISTER_ROLES, unit=to_unit)
            )
        ):
            raise Forbidden(gettext("跨市州调拨须由省厅办理"))
        if not same_city and v.counts_against_quota:
            _check_cap(to_unit.city, 1, "to_unit")
        _check_station(station, to_unit)
        before = snapshot(v, ["owning_unit", "station", "driver"])
        from_unit = v.owning_unit
        v.owning_unit = to_unit
        v.station = station if station is not None else (v.station if same_city else None)
        if v.driver_id and v.driver.unit.city_id != to_unit.city_id:
            v.driver = None
        v.save(update_fields=["owning_unit", "station", "driver", "updated_at"])
        move = VehicleTransfer.objects.create(
            vehicle=v,
            from_unit=from_unit,
            to_unit=to_unit,
            date=date,
            reason=reason.strip(),
            document=document,
            actor=actor,
        )
        record_change(
            actor=actor,
            obj=v,
            action=Action.TRANSFER,
            before=before,
            after=snapshot(v, ["owning_unit", "station", "driver"]),
            note=reason,
        )
    return move


# ---- papers: insurance and inspection ------------------------------------------------------------------


def policy_add(
    *,
    actor,
    vehicle: Vehicle,
    kind: str,
    insurer: str,
    policy_number: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    premium=None,
) -> InsurancePolicy:
    """Record a compulsory (交强险) or commercial policy. A vehicle has one compulsory policy at a time, so
    active compulsory policies may not overlap."""
    _require(actor, UPKEEP_ROLES, vehicle.owning_unit)
    if kind not in PolicyKind.values:
        raise _err("bad_kind", gettext("未知险种：{kind}").format(kind=kind), "kind")
    insurer, policy_number = (insurer or "").strip(), (policy_number or "").strip().upper()
    if not insurer:
        raise _err("required", gettext("保险公司不能为空"), "insurer")
    if not policy_number:
        raise _err("required", gettext("保单号不能为空"), "policy_number")
    if ends_on <= starts_on:
        raise _err("date_order", gettext("终保日期应晚于起保日期"), "ends_on")
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        if InsurancePolicy.objects.filter(insurer=insurer, policy_number=policy_number).exists():
            raise Conflict(
                "duplicate_policy",
                gettext("保单已登记：{policy_number}").format(policy_number=policy_number),
                {"field": "policy_number"},
            )
        if (
            kind == PolicyKind.COMPULSORY
            and v.policies.filter(
                kind=kind, is_active=True, starts_on__lt=ends_on, ends_on__gt=starts_on
            ).exists()
        ):
            raise Conflict(
                "overlapping_policy",
                gettext("交强险保期重叠"),
                {"field": "starts_on"},
            )
        policy = InsurancePolicy.objects.create(
            vehicle=v,
            kind=kind,
            insurer=insurer,
            policy_number=policy_number,
            starts_on=starts_on,
            ends_on=ends_on,
            premium=_money(premium, "premium"),
        )
        record_change(actor=actor, obj=policy, action=Action.CREATE)
    return policy


def policy_cancel(*, actor, policy: InsurancePolicy, reason: str) -> InsurancePolicy:
    """Mark a policy entered in error or surrendered as no longer valid (kept on record)."""
    _require(actor, UPKEEP_ROLES, policy.vehicle.owning_unit)
    if not (reason or "").strip():
        raise _err("required", gettext("须说明理由"), "reason")
    with transaction.atomic():
        policy = InsurancePolicy.objects.select_for_update().get(pk=policy.pk)
        if not policy.is_active:
            return policy
        before = snapshot(policy)
        policy.is_active = False
        policy.save(update_fields=["is_active"])
        record_change(
            actor=actor,
            obj=policy,
            action=Action.DEACTIVATE,
            before=before,
            after=snapshot(policy),
            note=reason,
        )
    return policy


def inspection_record(
    *,
    actor,
    vehicle: Vehicle,
    inspected_on: datetime.date,
    passed: bool = True,
    station_name: str = "",
    next_due: datetime.date | None = None,
    note: str = "",
) -> Inspection:
    """Record an inspection. A pass sets 检验有效期至 to `next_due` if given (then kept as set by hand),
    else to the date Art. 16 gives for the vehicle's type and age. A failure changes no date."""
    _require(actor, UPKEEP_ROLES, vehicle.owning_unit)
    _not_future(inspected_on, "inspected_on")
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if not v.registered_on:
            raise _err(
                "not_registered",
                gettext("车辆尚未注册登记"),
                "registered_on",
            )
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        if inspected_on < v.registered_on:
            raise _err("date_order", gettext("检验日期早于注册登记日期"), "inspected_on")
        if next_due is not None and next_due <= inspected_on:
            raise _err("date_order", gettext("有效期应晚于检验日期"), "next_due")
        record = Inspection(
            vehicle=v,
            inspected_on=inspected_on,
            passed=passed,
            station_name=station_name,
            note=note,
            actor=actor,
        )
        before = snapshot(v, ["inspection_due", "inspection_due_manual"])
        if passed:
            if next_due is None:
                rule = INSPECTION_RULE[VehicleType(v.vehicle_type)]
                next_due = inspection.next_due(rule, v.registered_on, inspected_on).date
                manual = False
            else:
                manual = True
            record.next_due = next_due
            v.inspection_due, v.inspection_due_manual = next_due, manual
            v.save(update_fields=["inspection_due", "inspection_due_manual", "updated_at"])
        record.save()
        record_change(actor=actor, obj=record, action=Action.CREATE)
        record_change(
            actor=actor,
            obj=v,
            action=Action.UPDATE,
            before=before,
            after=snapshot(v, ["inspection_due", "inspection_due_manual"]),
            note=gettext("检验"),
        )
    return record


def vehicle_set_inspection_due(*, actor, vehicle: Vehicle, due: datetime.date | None, reason: str) -> Vehicle:
    """Set 检验有效期至 by hand (as printed on the licence), or with None go back to the computed date."""
    _require(actor, UPKEEP_ROLES, vehicle.owning_unit)
    if not (reason or "").strip():
        raise _err("required", gettext("须说明理由"), "reason")
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        before = snapshot(v, ["inspection_due", "inspection_due_manual"])
        if due is None:
            v.inspection_due, v.inspection_due_manual = _computed_due(v), False
        else:
            v.inspection_due, v.inspection_due_manual = due, True
        v.save(update_fields=["inspection_due", "inspection_due_manual", "updated_at"])
        record_change(
            actor=actor,
            obj=v,
            action=Action.UPDATE,
            before=before,
            after=snapshot(v, ["inspection_due", "inspection_due_manual"]),
            note=reason,
        )
    return v


# ---- mileage and maintenance ----------------------------------------------------------------------------


def _odometer_add(*, actor, v: Vehicle, read_on: datetime.date, km: int, note: str) -> OdometerReading:
    if not isinstance(km, int) or isinstance(km, bool) or km < 0 or km > 2_000_000:
        raise _err("invalid_km", gettext("里程无效：{km}").format(km=km), "km")
    _not_future(read_on, "read_on")
    earlier = v.odometer_readings.filter(read_on__lte=read_on).aggregate(m=Max("km"))["m"]
    later = v.odometer_readings.filter(read_on__gt=read_on).aggregate(m=Min("km"))["m"]
    if earlier is not None and km < earlier:
        raise Conflict(
            "odometer_decreasing",
            gettext("里程不能减少：{km} 公里少于 {read_on} 或之前已记录的 {earlier} 公里").format(
                km=km, read_on=read_on, earlier=earlier
            ),
            {"field": "km", "previous": earlier},
        )
    if later is not None and km > later:
        raise Conflict(
            "odometer_decreasing",
            gettext("里程不能减少：{km} {later}").format(km=km, later=later),
            {"field": "km", "next": later},
        )
    reading = OdometerReading.objects.create(vehicle=v, read_on=read_on, km=km, note=note, actor=actor)
    latest = v.odometer_readings.order_by("-read_on", "-km").values_list("km", flat=True).first()
    if latest != v.odometer_km:
        v.odometer_km = latest
        v.save(update_fields=["odometer_km", "updated_at"])
    record_change(actor=actor, obj=reading, action=Action.CREATE)
    return reading


def odometer_record(
    *, actor, vehicle: Vehicle, read_on: datetime.date, km: int, note: str = ""
) -> OdometerReading:
    """Add an odometer reading; readings never decrease in date order (a lower one is refused)."""
    _require(actor, UPKEEP_ROLES, vehicle.owning_unit)
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        return _odometer_add(actor=actor, v=v, read_on=read_on, km=km, note=note)


def maintenance_record(
    *,
    actor,
    vehicle: Vehicle,
    date: datetime.date,
    kind: str,
    description: str,
    cost=0,
    workshop: str = "",
    odometer_km: int | None = None,
) -> MaintenanceRecord:
    """Record a service or repair; an odometer figure given with it is also an odometer reading."""
    _require(actor, UPKEEP_ROLES, vehicle.owning_unit)
    if kind not in MaintenanceKind.values:
        raise _err("bad_kind", gettext("未知类别：{kind}").format(kind=kind), "kind")
    if not (description or "").strip():
        raise _err("required", gettext("须填写维修内容"), "description")
    _not_future(date, "date")
    amount = _money(cost, "cost") or Decimal("0.00")
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        if odometer_km is not None:
            _odometer_add(actor=actor, v=v, read_on=date, km=odometer_km, note=gettext("维修保养"))
        record = MaintenanceRecord.objects.create(
            vehicle=v,
            date=date,
            kind=kind,
            workshop=workshop.strip(),
            description=description.strip(),
            cost=amount,
            odometer_km=odometer_km,
            actor=actor,
        )
        record_change(actor=actor, obj=record, action=Action.CREATE)
    return record


# ---- disposal -------------------------------------------------------------------------------------------


def disposal_request(*, actor, vehicle: Vehicle, method: str, reason: str) -> DisposalRequest:
    """Ask to dispose of a vehicle (报废、拍卖、调出、核销); provincial logistics decides."""
    _require(actor, REGISTER_ROLES, vehicle.owning_unit)
    if method not in DisposalMethod.values:
        raise _err("bad_method", gettext("未知处置方式：{method}").format(method=method), "method")
    if not (reason or "").strip():
        raise _err("required", gettext("须说明处置理由"), "reason")
    with transaction.atomic():
        v = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if v.status == VehicleStatus.DISPOSED:
            raise Conflict("disposed", gettext("车辆已处置"), {"field": "status"})
        if v.disposals.filter(status=DisposalStatus.REQUESTED).exists():
            raise Conflict(
                "disposal_pending",
                gettext("已有待审批的处置申请"),
                {"field": "vehicle"},
            )
        req = DisposalRequest.objects.create(
            vehicle=v, method=method, reason=reason.strip(), requested_by=actor
        )
        record_change(actor=actor, obj=req, action=Action.CREATE)
    return req


def disposal_decide(
    *,
    actor,
    request: DisposalRequest,
    approve: bool,
    note: str = "",
    document: str = "",
    disposed_on: datetime.date | None = None,
) -> DisposalRequest:
    """Provincial logistics approves (the vehicle becomes disposed and stops counting against the quota)
    or rejects a pending request. Decided requests are final."""
    _require(actor, (scope.PROVINCE,), request.vehicle.owning_unit)
    if not approve and not note.strip():
        raise _err("required", gettext("驳回须说明理由"), "note")
    disposed_on = disposed_on or _today()
    _not_future(disposed_on, "disposed_on")
    with transaction.atomic():
        req = DisposalRequest.objects.select_for_update().get(pk=request.pk)
        if req.status != DisposalStatus.REQUESTED:
            raise Conflict(
                "already_decided",
                gettext("该申请已审批"),
                {"field": "status"},
            )
        before = snapshot(req)
        req.status = DisposalStatus.APPROVED if approve else DisposalStatus.REJECTED
        req.decided_by, req.decided_at = actor, timezone.now()
        req.decision_note, req.document = note.strip(), document.strip()
        req.save()
        record_change(actor=actor, obj=req, action=Action.STATUS, before=before, note=note)
        if approve:
            v = Vehicle.objects.select_for_update().get(pk=req.vehicle_id)
            vbefore = snapshot(v, ["status", "disposed_on"])
            v.status, v.disposed_on = VehicleStatus.DISPOSED, disposed_on
            v.save(update_fields=["status", "disposed_on", "updated_at"])
            record_change(
                actor=actor,
                obj=v,
                action=Action.STATUS,
                before=vbefore,
                after=snapshot(v, ["status", "disposed_on"]),
                note=f"{DisposalMethod(req.method).label} {document}".strip(),
            )
    return req


# ---- reminders ------------------------------------------------------------------------------------------


def _reminder_level(due: datetime.date | None, today: datetime.date) -> str | None:
    if due is None:
        return "overdue"
    days = (due - today).days
    if days < 0:
        return "overdue"
    for threshold in sorted(REMINDER_THRESHOLDS):
        if days <= threshold:
            return f"{threshold}d"
    return None


def _recipients(city_ids: set[int]) -> tuple[list, dict[int, list]]:
    """(provincial logistics users, {city id: that city's staff}) among active accounts."""
    from personnel.models import Membership

    rows = (
        Membership.objects.filter(is_active=True, user__is_active=True, unit__is_active=True)
        .filter(Q(role=scope.PROVINCE) | Q(role=scope.CITY, unit_id__in=city_ids))
        .select_related("user")
    )
    province, cities = {}, {}
    for m in rows:
        if m.role == scope.PROVINCE:
            province[m.user_id] = m.user
        else:
            cities.setdefault(m.unit_id, {})[m.user_id] = m.user
    return list(province.values()), {k: list(v.values()) for k, v in cities.items()}


def papers_remind(*, today: datetime.date | None = None) -> dict:
    """Warn 30 and 7 days before a compulsory or commercial policy or the inspection runs out, and flag it
    once overdue (a registered vehicle without a compulsory policy is overdue too). Each threshold of each
    paper of each vehicle notifies the owning city's staff and provincial logistics once (dedupe_key names
    the paper's expiry date, so a renewed paper starts afresh)."""
    from core.notifications import notify

    from .selectors import _with_papers

    today = today or _today()
    vehicles = list(
        _with_papers(Vehicle.objects.filter(status__in=ACTIVE_STATUSES).exclude(plate="")).select_related(
            "owning_unit", "owning_unit__city"
        )
    )
    province, cities = _recipients({v.owning_unit.city_id for v in vehicles})
    sent = {"vehicles": 0, "notifications": 0, "overdue": 0}
    for v in vehicles:
        papers = [
            (Paper.COMPULSORY, v.compulsory_until, True),
            (Paper.INSPECTION, v.inspection_due, v.inspection_due is not None),
        ]
        if v.commercial_until is not None:
            papers.append((Paper.COMMERCIAL, v.commercial_until, True))
        flagged = False
        for paper, due, watched in papers:
            if not watched:
                continue
            level = _reminder_level(due, today)
            if level is None:
                continue
            flagged = True
            sent["overdue"] += level == "overdue"
            label = Paper(paper).label
            plate = plates.display(v.plate)
            if level == "overdue":
                title = (
                    gettext("{plate} {label}已过期").format(plate=plate, label=label)
                    if due
                    else gettext("{plate} 无有效{label}").format(plate=plate, label=label)
                )
            else:
                title = gettext("{plate} {label}将于{due:%Y-%m-%d}到期（{days}天）").format(
                    plate=plate, label=label, due=due, days=(due - today).days
                )
            key = f"vehicles:{paper}:{v.pk}:{due.isoformat() if due else 'none'}:{level}"
            body = f"{v.owning_unit.name} · {v.brand} {v.model} · VIN {v.vin}"
            for user in province + cities.get(v.owning_unit.city_id, []):
                if notify(
                    user=user,
                    kind=f"vehicle_{paper}_{level}",
                    title=title,
                    body=body,
                    link=f"/api/v1/vehicles/vehicles/{v.pk}",
                    dedupe_key=key,
                ):
                    sent["notifications"] += 1
        sent["vehicles"] += flagged
    return sent
