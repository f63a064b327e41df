"""The needs list as a workbook: the priority list (station × type) and the roll-up per child unit and type."""

import io

from openpyxl import Workbook

from .equipment_choices import StationClass

ROW_HEADERS = [
    "优先级 priority",
    "理由 reason",
    "站所代码 station code",
    "站所 station",
    "类别 class",
    "装备类型 type",
    "标准 required",
    "可用 serviceable",
    "其中超期 past life",
    "待修 needs repair",
    "报废 unserviceable",
    "缺口 shortage",
    "更新 replacement",
    "新增 additional",
    "需求 need",
    "单价估算 unit price",
    "估算金额 cost",
    "最早购置 oldest acquired",
]


def gaps_workbook(report: dict, rows: list) -> bytes:
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("汇总 summary")
    summary.append([f"{report['unit_name']} 站所装备需求 equipment needs", f"截至 as of {report['as_of']}"])
    summary.append(
        [
            "单位 unit",
            "需求 need",
            "估算金额 cost",
            "需补站所 stations in need",
            "缺必配装备站所 stations without a required type",
        ]
    )
    summary.append(
        [
            report["unit_name"],
            report["need"],
            report["cost"],
            report["stations_in_need"],
            report["stations_without_required"],
        ]
    )
    for c in report["children"]:
        summary.append(
            [
                f"{c['unit_code']} {c['unit_name']}",
                c["need"],
                c["cost"],
                c["stations_in_need"],
                c["stations_without_required"],
            ]
        )
    summary.append([])
    summary.append(["装备类型 type", "需求 need", "单价估算 unit price", "估算金额 cost"])
    for t in report["by_type"]:
        summary.append([f"{t['type_code']} {t['type_name']}", t["need"], t["unit_price"], t["cost"]])
    sheet = wb.create_sheet("优先清单 priority list")
    sheet.append(ROW_HEADERS)
    labels = {c.value: c.label.split()[0] for c in StationClass}
    for r in rows:
        sheet.append(
            [
                r.priority,
                r.reason,
                r.station_code,
                r.station_name,
                labels.get(r.station_class, ""),
                r.type_name,
                r.required,
                r.serviceable,
                r.serviceable_past_life,
                r.needs_repair,
                r.unserviceable,
                r.shortage,
                r.replacement,
                r.additional,
                r.need,
                r.unit_price,
                r.cost,
                r.oldest_acquired_on,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
