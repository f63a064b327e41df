"""Import a station's or a county's equipment inventory from Excel: validated row by row, all or nothing,
idempotent on the asset tag (or, without one, the serial number)."""

import datetime
import io
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from core import scope, uploads
from core.errors import Forbidden, QMError
from core.history import build_record, record_changes, snapshot
from core.i18n import zh
from core.models import ChangeRecord
from personnel.choices import Level
from personnel.models import OrgUnit

from .equipment_choices import CONDITION_BY_LABEL, STATUS_BY_LABEL, Condition, ItemSource, ItemStatus
from .equipment_models import EquipmentItem, EquipmentType
from .equipment_services import STATION_KEEPERS, money, next_asset_tag

# (header, key, required)
COLUMNS = [
    (gettext_lazy("站所代码"), "station", True),
    (gettext_lazy("资产编号"), "asset_tag", False),
    (gettext_lazy("装备类型"), "equipment_type", True),
    (gettext_lazy("序列号"), "serial_number", False),
    (gettext_lazy("购置日期"), "acquired_on", False),
    (gettext_lazy("购置金额"), "acquired_value", False),
    (gettext_lazy("状况"), "condition", True),
    (gettext_lazy("状态"), "status", False),
    (pgettext_lazy("Note", "备注"), "note", False),
]
HEADER_KEYS = {}
for _header, _key, _req in COLUMNS:
    # the Chinese header of the template, the English one of a sheet filled in English, or the key itself
    HEADER_KEYS[zh(_header)] = _key
    with translation.override("en"):
        HEADER_KEYS[str(_header)] = _key
    HEADER_KEYS[_key] = _key
MAX_ROWS = 20_000
IMPORTABLE_STATUS = (ItemStatus.IN_USE, ItemStatus.IN_REPAIR)


def template_workbook() -> bytes:
    """The import template: the header row and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "装备台账"
    ws.append([h for h, _k, _r in COLUMNS])
    ws.append(
        [
            "43012101",
            "43012101-BODYCAM-001",
            "BODYCAM",
            "SN123456",
            "2022-05-01",
            "1680.00",
            "完好",
            "在用",
            "",
        ]
    )
    for col, width in zip("ABCDEFGHI", (14, 24, 18, 18, 14, 14, 10, 10, 30), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes) -> list[tuple[int, dict]]:
    """The first sheet's rows as (row number, {column key: value}), skipping blank rows (calamine: ~10× openpyxl)."""
    uploads.check_workbook(data, uploads.EQUIPMENT)  # bounded before calamine builds anything
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    except Exception:
        raise QMError("bad_file", gettext("无法读取 Excel 文件"), {"field": "file"}) from None
    if not sheet:
        raise QMError("empty_file", gettext("文件为空"), {"field": "file"})
    keys = [HEADER_KEYS.get(_text(h)) for h in sheet[0]]
    missing = [h for h, k, req in COLUMNS if req and k not in keys]
    if missing:
        raise QMError(
            "missing_columns",
            gettext("缺少列：{missing}").format(missing="、".join(str(h) for h in missing)),
            {
                "errors": [
                    {"row": 1, "column": str(h), "value": None, "reason": gettext("缺少列")} for h in missing
                ]
            },
        )
    out = []
    for n, values in enumerate(sheet[1:], start=2):
        if all(_text(v) == "" for v in values):
            continue
        out.append((n, {k: (None if v == "" else v) for k, v in zip(keys, values, strict=False) if k}))
        if len(out) > MAX_ROWS:
            raise QMError(
                "too_many_rows",
                gettext("一次最多导入 {MAX_ROWS} 行").format(MAX_ROWS=MAX_ROWS),
                {"field": "file"},
            )
    return out


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(gettext("日期格式应为")) from None


def import_inventory(*, actor, unit: OrgUnit, data: bytes, dry_run: bool = False) -> dict:
    """Import the inventory of `unit` (a station, or a county/city: all its stations). Every row is checked
    before anything is written; any error → nothing is written and every error is listed
    {row, column, value, reason}. Rows match existing items by asset tag, else by serial number; a
    matching item is updated (recorded) only where it differs, so importing the same file again changes
    nothing. Items cannot change station through an import (that is a transfer)."""
    if actor is not None and not scope.has_role(actor, *STATION_KEEPERS, unit=unit):
        raise Forbidden()
    rows = read_rows(data)
    stations = {
        s.code: s
        for s in OrgUnit.objects.filter(level=Level.STATION, is_active=True, path__startswith=unit.path)
    }
    types = {}
    for t in EquipmentType.objects.filter(is_active=True):
        types[t.code.upper()] = t
        types[t.name] = t
    tags = [_text(r.get("asset_tag")) for _n, r in rows if _text(r.get("asset_tag"))]
    serials = [_text(r.get("serial_number")) for _n, r in rows if _text(r.get("serial_number"))]
    by_tag = {
        i.asset_tag: i for i in EquipmentItem.objects.filter(asset_tag__in=tags).select_related("station")
    }
    by_serial = {
        i.serial_number: i
        for i in EquipmentItem.objects.filter(serial_number__in=serials).select_related("station")
    }
    errors, plans = [], []
    seen_tags, seen_serials = {}, {}
    today = datetime.date.today()

    def err(row, column, value, reason):
        errors.append(
            {"row": row, "column": column, "value": None if value is None else _text(value), "reason": reason}
        )

    for n, r in rows:
        before_errors = len(errors)
        code = _text(r.get("station"))
        station = stations.get(code)
        if station is None:
            err(
                n,
                gettext("站所代码"),
                code,
                gettext("不是本单位下在用的站所：{code}").format(code=unit.code),
            )
        tag = _text(r.get("asset_tag"))
        serial = _text(r.get("serial_number"))
        if len(tag) > 40:
            err(n, gettext("资产编号"), tag, gettext("最长 40 个字符"))
        if len(serial) > 60:
            err(n, gettext("序列号"), serial, gettext("最长 60 个字符"))
        note = _text(r.get("note"))
        if len(note) > 300:  # the row's error, not a silent cut
            err(n, pgettext("Note", "备注"), note[:20] + "…", gettext("最长 300 个字符"))
        if tag and tag in seen_tags:
            err(
                n,
                gettext("资产编号"),
                tag,
                gettext("与第 {value} 行重复").format(value=seen_tags[tag]),
            )
        if serial and serial in seen_serials:
            err(
                n,
                gettext("序列号"),
                serial,
                gettext("与第 {value} 行重复").format(value=seen_serials[serial]),
            )
        seen_tags.setdefault(tag, n) if tag else None
        seen_serials.setdefault(serial, n) if serial else None
        type_text = _text(r.get("equipment_type"))
        etype = types.get(type_text.upper()) or types.get(type_text)
        if etype is None:
            err(
                n,
                gettext("装备类型"),
                type_text,
                gettext("未知装备类型（代码或名称）"),
            )
        cond_text = _text(r.get("condition"))
        condition = CONDITION_BY_LABEL.get(cond_text)
        if condition is None:
            err(
                n,
                gettext("状况"),
                cond_text,
                gettext("应为 完好/基本完好/待修/报废"),
            )
        status_text = _text(r.get("status"))
        status = STATUS_BY_LABEL.get(status_text) if status_text else ItemStatus.IN_USE
        if status not in IMPORTABLE_STATUS:
            err(
                n,
                gettext("状态"),
                status_text,
                gettext("应为 在用 或 维修中"),
            )
        try:
            acquired_on = _date(r.get("acquired_on"))
            if acquired_on and acquired_on > today:
                err(
                    n,
                    gettext("购置日期"),
                    r.get("acquired_on"),
                    gettext("不能晚于今天"),
                )
        except ValueError as exc:
            acquired_on = None
            err(n, gettext("购置日期"), r.get("acquired_on"), str(exc))
        value = r.get("acquired_value")
        acquired_value = None
        if value not in (None, ""):
            try:
                acquired_value = Decimal(_text(value).replace(",", ""))
                if acquired_value < 0 or acquired_value >= Decimal("1e12") or not acquired_value.is_finite():
                    raise InvalidOperation
                acquired_value = money(acquired_value)
            except (InvalidOperation, ValueError):
                err(
                    n,
                    gettext("购置金额"),
                    value,
                    gettext("应为非负金额"),
                )
        # Match an existing item: asset tag first, else serial number; both must agree.
        item = by_tag.get(tag) if tag else None
        other = by_serial.get(serial) if serial else None
        if item is not None and other is not None and other.pk != item.pk:
            err(
                n,
                gettext("序列号"),
                serial,
                gettext("该序列号已登记在 {asset_tag}").format(asset_tag=other.asset_tag),
            )
        item = item or other
        if item is not None and station is not None:
            if item.station_id != station.pk:
                err(
                    n,
                    gettext("站所代码"),
                    code,
                    gettext("该装备登记在 {name}，调动请走调拨").format(name=item.station.name),
                )
            elif item.status not in IMPORTABLE_STATUS:
                err(
                    n,
                    gettext("资产编号"),
                    item.asset_tag,
                    gettext("装备{label}，不能导入修改：{status}").format(
                        label=ItemStatus(item.status).label, status=item.status
                    ),
                )
            elif etype is not None and item.equipment_type_id != etype.pk:
                err(
                    n,
                    gettext("装备类型"),
                    type_text,
                    gettext("与登记类型 {code} 不符").format(code=item.equipment_type.code),
                )
        if len(errors) == before_errors:
            plans.append(
                (
                    n,
                    item,
                    {
                        "station": station,
                        "asset_tag": tag,
                        "equipment_type": etype,
                        "serial_number": serial,
                        "acquired_on": acquired_on,
                        "acquired_value": acquired_value,
                        "condition": condition or Condition.GOOD,
                        "status": status,
                        "note": note,
                    },
                )
            )
    if errors:
        raise QMError(
            "import_errors",
            gettext("{n_errors} 处错误，未导入任何数据").format(n_errors=len(errors)),
            {"errors": errors[:500], "error_count": len(errors)},
        )
    created = updated = unchanged = 0
    with transaction.atomic():
        records, new_items, changed_items, changed_fields = [], [], [], set()
        reserved = {f["asset_tag"] for _n, _i, f in plans if f["asset_tag"]}  # generated tags avoid these
        now = timezone.now()
        for _n, item, f in plans:
            if item is None:
                tag = f["asset_tag"] or next_asset_tag(f["station"], f["equipment_type"], reserved=reserved)
                reserved.add(tag)
                new_items.append(
                    EquipmentItem(
                        asset_tag=tag,
                        equipment_type=f["equipment_type"],
                        serial_number=f["serial_number"],
                        station=f["station"],
                        acquired_on=f["acquired_on"],
                        acquired_value=f["acquired_value"],
                        condition=f["condition"],
                        status=f["status"],
                        note=f["note"],
                        source=ItemSource.IMPORT,
                    )
                )
                continue
            before = snapshot(item)
            changes = {}
            for key in ("serial_number", "acquired_on", "acquired_value", "condition", "status", "note"):
                new = f[key]
                if key in ("serial_number", "note", "acquired_on", "acquired_value") and new in ("", None):
                    continue  # an empty cell leaves what is registered
                if getattr(item, key) != new:
                    changes[key] = new
            if not changes:
                unchanged += 1
                continue
            for key, new in changes.items():
                setattr(item, key, new)
            item.updated_at = now  # bulk_update does not apply auto_now
            changed_fields |= set(changes)
            changed_items.append(item)
            records.append(
                build_record(
                    actor=actor,
                    obj=item,
                    action=ChangeRecord.Action.UPDATE,
                    before=before,
                    note=gettext("Excel 导入"),
                )
            )
        # Bulk writes: the rows were all checked above; pks come back from the insert (SQLite ≥ 3.35, PostgreSQL).
        EquipmentItem.objects.bulk_create(new_items, batch_size=1000)
        if changed_items:
            EquipmentItem.objects.bulk_update(
                changed_items, [*sorted(changed_fields), "updated_at"], batch_size=500
            )
        records += [
            build_record(actor=actor, obj=i, action=ChangeRecord.Action.CREATE, note=gettext("Excel 导入"))
            for i in new_items
        ]
        record_changes(records)
        created, updated = len(new_items), len(changed_items)
        if dry_run:
            transaction.set_rollback(True)
    return {
        "rows": len(rows),
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "dry_run": dry_run,
    }
