"""Spreadsheets the vehicles app writes: the import template and the register as a workbook (the same
columns, so an exported register can be edited and imported back)."""

import io

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from core.i18n import zh

from . import plates
from .choices import FundingSource, VehicleStatus, VehicleType

COLUMNS = [
    "车辆识别代号",
    "号牌号码",
    "发动机号",
    "品牌",
    "型号",
    "车辆类型",
    "所属单位",
    "驻站",
    "状态",
    "购置日期",
    "购置价格(元)",
    "资金来源",
    "注册登记日期",
    "检验有效期至",
    "标志涂装",
    "示警灯具",
    "随车装备",
    "占编制",
    "备注",
]
REQUIRED = {"车辆识别代号", "品牌", "所属单位"}
NOTES = [
    "车辆识别代号：17位，不含I、O、Q，第9位为校验位 (GB 16735)。以车辆识别代号为准：已登记的车辆会被更新。",
    "号牌号码：如 湘A12345、新能源 湘AD12345 / 湘A12345D；所属单位：单位全称或6位代码。",
    "状态：待交付、在用、维修中；在用车辆须已上牌并喷涂标志、安装示警灯具（公路法第七十三条）。",
    "标志涂装、示警灯具、占编制：是/否；随车装备以顿号分隔；空白单元格不会清除已登记的内容。",
    "有任何一行错误时整表不导入；可先用“试导入 (dry run)”检查。",
]


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _sheet(wb: Workbook):
    ws = wb.active
    ws.title = "车辆登记"
    ws.append([gettext("执法车辆登记表")])
    ws.append(COLUMNS)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for cell in ws[2]:
        cell.font = bold
        if cell.value in REQUIRED:
            cell.fill = fill
    for i, width in enumerate([22, 12, 14, 10, 20, 24, 30, 20, 10, 12, 14, 14, 14, 14, 10, 10, 30, 8, 20], 1):
        ws.column_dimensions[ws.cell(2, i).column_letter].width = width
    return ws


def template_workbook() -> bytes:
    wb = Workbook()
    _sheet(wb)
    notes = wb.create_sheet("填写说明")
    for line in NOTES:
        notes.append([line])
    notes.append([])
    notes.append(["车辆类型", *[zh(c.label) for c in VehicleType]])
    notes.append(["资金来源", *[zh(c.label) for c in FundingSource]])
    notes.append(["状态", *[zh(c.label) for c in VehicleStatus if c != VehicleStatus.DISPOSED]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def register_workbook(vehicles) -> bytes:
    """The vehicles given (already scoped by the caller) in the template's layout."""
    wb = Workbook()
    ws = _sheet(wb)
    for v in vehicles:
        ws.append(
            [
                v.vin,
                plates.display(v.plate) if v.plate else "",
                v.engine_number,
                v.brand,
                v.model,
                zh(VehicleType(v.vehicle_type).label),
                v.owning_unit.code,
                v.station.code if v.station_id else "",
                zh(VehicleStatus(v.status).label),
                v.purchase_date,
                v.purchase_price,
                zh(FundingSource(v.funding_source).label) if v.funding_source else "",
                v.registered_on,
                v.inspection_due,
                _yes(v.livery_fitted),
                _yes(v.warning_lights_fitted),
                "、".join(v.equipment),
                _yes(v.counts_against_quota),
                v.remarks,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
