"""Import a city's vehicles from Excel (.xlsx): header found by its text, every row checked, all or nothing,
idempotent on the VIN (车辆识别代号).

Each error is (sheet row, column header as written, value, reason). The rows are applied through the
register's own services inside one transaction, so an import obeys exactly the rules of the API (scope,
VIN and plate checks, the quota cap, the transitions) and records the same history; if any row fails, or
on a dry run, the transaction is rolled back and the report lists every error. A blank optional cell
never erases what the register holds; a vehicle already on the register with the same values is left
untouched, so importing the same file twice changes nothing the second time.
"""

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext, pgettext

from core import scope, uploads
from core.errors import QMError
from core.i18n import zh
from personnel.models import OrgUnit

from . import plates, services, vin
from .choices import STATUS_TRANSITIONS, FundingSource, VehicleStatus, VehicleType
from .models import Vehicle

# canonical header → (aliases, required)
COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "车辆识别代号": (("VIN", "车架号", "车辆识别代码", "车辆识别号"), True),
    "号牌号码": (("车牌号", "车牌号码", "号牌", "车牌"), False),
    "发动机号": (("发动机号码",), False),
    "品牌": (("厂牌", "品牌名称"), True),
    "型号": (("车型", "规格型号", "车辆型号"), False),
    "车辆类型": (("类型",), False),
    "所属单位": (("单位", "单位名称", "使用单位"), True),
    "驻站": (("站所", "执法站所"), False),
    "状态": (("车辆状态",), False),
    "购置日期": (("购买日期",), False),
    "购置价格(元)": (("购置价格", "价格", "购置价"), False),
    "资金来源": ((), False),
    "注册登记日期": (("初次登记日期", "登记日期", "上牌日期"), False),
    "检验有效期至": (("检验有效期",), False),
    "标志涂装": (("统一标志", "涂装"), False),
    "示警灯具": (("警灯", "警灯警报", "示警灯"), False),
    "随车装备": (("装备",), False),
    "占编制": (("是否占编制",), False),
    "备注": ((), False),
}
HEADER_KEY = "车辆识别代号"
TYPE_WORDS = [  # first match wins; labels as vehicle licences write them
    ("摩托", VehicleType.MOTORCYCLE),
    ("专项作业", VehicleType.SPECIAL),
    ("货", VehicleType.GOODS),
    ("皮卡", VehicleType.GOODS),
    ("大型", VehicleType.LARGE_PASSENGER),
    ("中型", VehicleType.LARGE_PASSENGER),
    ("小型", VehicleType.SMALL_PASSENGER),
    ("微型", VehicleType.SMALL_PASSENGER),
    ("轿车", VehicleType.SMALL_PASSENGER),
    ("越野", VehicleType.SMALL_PASSENGER),
]
STATUS_WORDS = {
    "在用": VehicleStatus.IN_SERVICE,
    "待交付": VehicleStatus.ON_ORDER,
    "待交付/待投用": VehicleStatus.ON_ORDER,
    "待投用": VehicleStatus.ON_ORDER,
    "未投用": VehicleStatus.ON_ORDER,
    "维修中": VehicleStatus.UNDER_REPAIR,
    "维修": VehicleStatus.UNDER_REPAIR,
    "已处置": VehicleStatus.DISPOSED,
    "报废": VehicleStatus.DISPOSED,
}
YES = {"是", "有", "已安装", "已喷涂", "Y", "YES", "TRUE", "1", "√", "✓"}
NO = {"否", "无", "未安装", "未喷涂", "N", "NO", "FALSE", "0", "×"}


class ImportFileError(QMError):
    def __init__(self, message: str, details=None):
        super().__init__("bad_file", message, details or {})


@dataclass
class ImportResult:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # per row (plates.warnings): shown, never refusing
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "written": self.written,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "warnings": self.warnings,
        }


class RowError(Exception):
    def __init__(self, column: str, value, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _norm_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"\s", "", text)


def _match_header(text: str) -> str | None:
    h = _norm_header(text)
    for name, (aliases, _req) in COLUMNS.items():
        for candidate in (name, *aliases):
            c = _norm_header(candidate)
            if h == c or (h.startswith(c + "(") and h.endswith(")")):
                return name
    if h.upper() == "VIN" or h.upper().startswith("VIN("):
        return HEADER_KEY
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _date(value, column: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if m:
        try:
            return datetime.date(*map(int, m.groups()))
        except ValueError:
            pass
    raise RowError(column, value, gettext("日期无效"))


def _price(value, column: str) -> Decimal | None:
    if value in (None, ""):
        return None
    text = _text(value).replace(",", "").replace("，", "").replace("元", "")
    factor = Decimal(1)
    if text.endswith("万"):
        text, factor = text[:-1], Decimal(10000)
    try:
        amount = Decimal(text) * factor
    except InvalidOperation:
        raise RowError(column, value, gettext("金额无效")) from None
    if not amount.is_finite() or amount < 0:
        raise RowError(column, value, gettext("金额不能为负"))
    return amount.quantize(Decimal("0.01"))


def _flag(value, column: str) -> bool | None:
    text = _text(value).upper()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowError(column, value, gettext("应填“是”或“否”"))


def _choice_by_label(value, column: str, choices) -> str | None:
    text = _text(value)
    if not text:
        return None
    for c in choices:
        if text in (c.value, zh(c.label), str(c.label)):
            return c.value
    raise RowError(
        column,
        value,
        gettext("无法识别，应为：{labels}").format(labels="、".join(zh(c.label) for c in choices)),
    )


def _vehicle_type(value, column: str) -> str | None:
    text = _text(value)
    if not text:
        return None
    if text in VehicleType.values:
        return text
    for word, vtype in TYPE_WORDS:
        if word in text:
            return vtype.value
    raise RowError(
        column,
        value,
        gettext("无法识别的车辆类型（小型普通客车、载货汽车、专项作业车、摩托车……）"),
    )


def _status(value, column: str) -> str | None:
    text = _text(value)
    if not text:
        return None
    if text in VehicleStatus.values:
        return text
    if text in STATUS_WORDS:
        return STATUS_WORDS[text].value
    raise RowError(column, value, gettext("无法识别的状态（在用、待交付、维修中）"))


def read_rows(source) -> tuple[dict[str, str], list[tuple[int, dict]]]:
    """({canonical column: header as written}, [(sheet row number, {canonical column: raw value})])."""
    from openpyxl import load_workbook

    if isinstance(source, str | Path) and str(source).lower().endswith(".xls"):
        raise ImportFileError(gettext("不支持 .xls 格式，请另存为 .xlsx"))
    try:
        data = uploads.read_bounded(source, uploads.VEHICLES)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ImportFileError(
            gettext("无法读取文件，请使用 .xlsx（{name}）").format(name=type(exc).__name__)
        ) from None
    uploads.check_workbook(data, uploads.VEHICLES)  # bounded before openpyxl builds anything
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(
            gettext("无法读取文件，请使用 .xlsx（{name}）").format(name=type(exc).__name__)
        ) from None
    ws = wb.worksheets[0]
    header_row, columns, rows = None, {}, []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if header_row is None:
            found = {i: _match_header(v) for i, v in enumerate(values) if v is not None}
            if HEADER_KEY in found.values():
                header_row = number
                columns = {i: (name, _text(values[i])) for i, name in found.items() if name}
            continue
        cells = {name: values[i] if i < len(values) else None for i, (name, _h) in columns.items()}
        texts = [_text(v) for v in cells.values() if _text(v)]
        if not texts:
            continue
        first = next((_text(v) for v in values if _text(v)), "")
        if first.startswith(("合计", "总计")):
            continue
        rows.append((number, cells))
    wb.close()
    if header_row is None:
        raise ImportFileError(gettext("找不到表头（须有“车辆识别代号”列）"))
    headers = {name: written for name, written in columns.values()}
    missing = [name for name, (_a, required) in COLUMNS.items() if required and name not in headers]
    if missing:
        raise ImportFileError(
            pgettext("missing column(s): {missing}", "缺少必填列：{missing}").format(
                missing="、".join(missing)
            ),
            {"missing": missing},
        )
    return headers, rows


def _unit(value, column: str, units: dict[str, OrgUnit], by_name: dict[str, OrgUnit]) -> OrgUnit | None:
    text = _text(value)
    if not text:
        return None
    unit = units.get(text) or by_name.get(text)
    if unit is None:
        raise RowError(column, value, gettext("找不到该单位"))
    return unit


def parse_row(cells: dict, headers: dict, units, by_name) -> tuple[dict, list[RowError]]:
    """A row as typed values; every cell error is collected."""
    out, errors = {}, []

    def col(name):
        return headers.get(name, name)

    def take(name, fn):
        if name not in cells:
            return
        try:
            value = fn(cells[name], col(name))
        except RowError as exc:
            errors.append(exc)
            return
        if value not in (None, ""):
            out[name] = value

    def vin_of(v, c):
        if not _text(v):
            raise RowError(c, v, gettext("必填"))
        try:
            return vin.validate(_text(v))
        except vin.VinError as exc:
            raise RowError(c, v, str(exc)) from None

    def plate_of(v, c):
        if not _text(v):
            return None
        try:
            return plates.validate_for_corps(_text(v))
        except plates.PlateError as exc:
            raise RowError(c, v, str(exc)) from None

    def required_text(v, c):
        if not _text(v):
            raise RowError(c, v, gettext("必填"))
        return _text(v)

    def unit_of(v, c):
        if not _text(v):
            raise RowError(c, v, gettext("必填"))
        return _unit(v, c, units, by_name)

    take("车辆识别代号", vin_of)
    take("号牌号码", plate_of)
    take("发动机号", lambda v, c: _text(v).upper())
    take("品牌", required_text)
    take("型号", lambda v, c: _text(v))
    take("车辆类型", _vehicle_type)
    take("所属单位", unit_of)
    take("驻站", lambda v, c: _unit(v, c, units, by_name))
    take("状态", _status)
    take("购置日期", _date)
    take("购置价格(元)", _price)
    take("资金来源", lambda v, c: _choice_by_label(v, c, FundingSource))
    take("注册登记日期", _date)
    take("检验有效期至", _date)
    take("标志涂装", _flag)
    take("示警灯具", _flag)
    take(
        "随车装备", lambda v, c: [x.strip() for x in re.split(r"[、,，;；/]", _text(v)) if x.strip()] or None
    )
    take("占编制", _flag)
    take("备注", lambda v, c: _text(v))
    if "品牌" in cells and "品牌" not in out and not any(e.column == col("品牌") for e in errors):
        errors.append(RowError(col("品牌"), cells.get("品牌"), gettext("必填")))
    for name in [n for n, v in out.items() if isinstance(v, str) and n in FIELD_OF]:
        limit = Vehicle._meta.get_field(FIELD_OF[name]).max_length
        if limit and len(out[name]) > limit:  # a 32,000-character 备注: the row's error, not the database's
            shown = out.pop(name)
            errors.append(
                RowError(
                    col(name),
                    shown[:20] + "…",
                    gettext("最多{limit}个字，填了{n}个").format(limit=limit, n=len(shown)),
                )
            )
    return out, errors


FIELD_OF = {
    "发动机号": "engine_number",
    "品牌": "brand",
    "型号": "model",
    "车辆类型": "vehicle_type",
    "购置日期": "purchase_date",
    "购置价格(元)": "purchase_price",
    "资金来源": "funding_source",
    "注册登记日期": "registered_on",
    "标志涂装": "livery_fitted",
    "示警灯具": "warning_lights_fitted",
    "随车装备": "equipment",
    "占编制": "counts_against_quota",
    "备注": "remarks",
}
COLUMN_OF_FIELD = {
    **{v: k for k, v in FIELD_OF.items()},
    "vin": "车辆识别代号",
    "plate": "号牌号码",
    "owning_unit": "所属单位",
    "station": "驻站",
    "status": "状态",
    "to_unit": "所属单位",
    "inspection_due": "检验有效期至",
    "driver_id": "所属单位",
    "purchase_id": "所属单位",
}


def _apply_row(actor, data: dict, existing: Vehicle | None) -> str:
    """Write one parsed row through the services; 'created', 'updated' or 'unchanged'."""
    fields = {FIELD_OF[k]: v for k, v in data.items() if k in FIELD_OF}
    plate = data.get("号牌号码", "")
    status = data.get("状态")
    if existing is None:
        services.vehicle_create(
            actor=actor,
            owning_unit=data["所属单位"],
            vin_code=data["车辆识别代号"],
            plate=plate,
            station=data.get("驻站"),
            status=status or VehicleStatus.ON_ORDER,
            inspection_due=data.get("检验有效期至"),
            **{k: v for k, v in fields.items() if k != "brand"},
            brand=fields["brand"],
        )
        return "created"
    v = existing
    if v.status == VehicleStatus.DISPOSED and status in (None, VehicleStatus.DISPOSED):
        return "unchanged"  # an exported register lists disposed vehicles too
    if v.status == VehicleStatus.DISPOSED:
        raise RowError(COLUMN_OF_FIELD["vin"], v.vin, gettext("车辆已处置"))
    if data["所属单位"].pk != v.owning_unit_id:
        raise RowError(
            "所属单位",
            data["所属单位"].code,
            gettext("与登记簿不符，调拨请在登记簿中办理"),
        )
    changed = {k: val for k, val in fields.items() if getattr(v, k) != val}
    touched = False
    if changed:
        v = services.vehicle_update(actor=actor, vehicle=v, **changed)
        touched = True
    if plate and plate != v.plate:
        registered_on = data.get("注册登记日期") or v.registered_on
        if registered_on is None:
            raise RowError("注册登记日期", "", gettext("上牌须填写注册登记日期"))
        v = services.vehicle_register(actor=actor, vehicle=v, plate=plate, registered_on=registered_on)
        touched = True
    if "驻站" in data and data["驻站"].pk != v.station_id:
        v = services.vehicle_assign(actor=actor, vehicle=v, station=data["驻站"])
        touched = True
    due = data.get("检验有效期至")
    if due and due != v.inspection_due:
        v = services.vehicle_set_inspection_due(actor=actor, vehicle=v, due=due, reason=gettext("导入"))
        touched = True
    if status and status != v.status:
        if status not in STATUS_TRANSITIONS[VehicleStatus(v.status)]:
            raise RowError(
                "状态",
                VehicleStatus(status).label,
                gettext("不能从“{label}”变为该状态").format(
                    label=VehicleStatus(v.status).label, status=v.status, status2=status
                ),
            )
        services.vehicle_set_status(actor=actor, vehicle=v, status=status, reason=gettext("导入"))
        touched = True
    return "updated" if touched else "unchanged"


def import_vehicles(*, actor, source, dry_run: bool = False) -> ImportResult:
    """Read, check and (unless dry_run or any error) write. Raises ImportFileError for an unusable file."""
    headers, rows = read_rows(source)
    result = ImportResult(dry_run=dry_run)

    def col(name):
        return headers.get(name, name)

    def add_error(row, column, value, reason):
        result.errors.append(
            {
                "row": row,
                "column": column,
                "value": _text(value) if not isinstance(value, OrgUnit) else value.code,
                "reason": reason,
            }
        )

    units = {u.code: u for u in OrgUnit.objects.filter(is_active=True).select_related("city")}
    by_name = {u.name: u for u in units.values()}
    parsed = []
    seen_vin, seen_plate = {}, {}
    for number, cells in rows:
        data, errors = parse_row(cells, headers, units, by_name)
        for e in errors:
            add_error(number, e.column, e.value, e.reason)
        code = data.get("车辆识别代号")
        if code:
            if code in seen_vin:
                add_error(
                    number,
                    col("车辆识别代号"),
                    code,
                    gettext("与第{value}行重复").format(value=seen_vin[code]),
                )
            seen_vin.setdefault(code, number)
        plate = data.get("号牌号码")
        if plate:
            if plate in seen_plate:
                add_error(
                    number,
                    col("号牌号码"),
                    plate,
                    pgettext("same plate as row {value}", "与第{value}行重复").format(
                        value=seen_plate[plate]
                    ),
                )
            seen_plate.setdefault(plate, number)
        unit = data.get("所属单位")
        if (
            unit is not None
            and actor is not None
            and not scope.has_role(actor, *services.REGISTER_ROLES, unit=unit)
        ):
            add_error(number, col("所属单位"), unit.code, gettext("不在您的管理范围"))
            data.pop("所属单位")
        if plate and unit is not None:
            for w in plates.warnings(plate, unit.city_code):
                result.warnings.append(
                    {
                        "row": number,
                        "column": col("号牌号码"),
                        "value": plate,
                        "code": w["code"],
                        "message": w["message"],
                    }
                )
        if not errors:
            parsed.append((number, data))
    existing = {
        v.vin: v
        for v in Vehicle.objects.filter(
            vin__in=[d["车辆识别代号"] for _n, d in parsed if "车辆识别代号" in d]
        ).select_related("owning_unit")
    }
    for number, data in parsed:
        v = existing.get(data.get("车辆识别代号"))
        if v is not None and actor is not None and not scope.in_scope(actor, v.owning_unit):
            add_error(
                number,
                col("车辆识别代号"),
                v.vin,
                gettext("该车辆属于其他单位，跨市州调拨须由省厅办理"),
            )
    if result.errors:
        result.errors.sort(key=lambda e: e["row"])
        return result
    with transaction.atomic():
        for number, data in parsed:
            try:
                with transaction.atomic():
                    outcome = _apply_row(actor, data, existing.get(data["车辆识别代号"]))
            except RowError as exc:
                add_error(number, col(exc.column), exc.value, exc.reason)
                continue
            except QMError as exc:
                field_name = (exc.details or {}).get("field", "")
                column = COLUMN_OF_FIELD.get(field_name, field_name or "")
                add_error(number, col(column), _cell_for(data, column), exc.message)
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        if result.errors or dry_run:
            transaction.set_rollback(True)
        else:
            result.written = True
    if result.errors:
        result.created = result.updated = result.unchanged = 0
    result.errors.sort(key=lambda e: e["row"])
    return result


def _cell_for(data: dict, column: str):
    value = data.get(column, "")
    if isinstance(value, OrgUnit):
        return value.code
    if isinstance(value, list):
        return "、".join(value)
    return value
