"""The needs list as a workbook: the priority list (station × type) and the roll-up per child unit and type."""

import io

from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook

from .equipment_choices import StationClass

ROW_HEADERS = [
    gettext_lazy("优先级"),
    gettext_lazy("理由"),
    gettext_lazy("站所代码"),
    gettext_lazy("站所"),
    pgettext_lazy("class", "类别"),
    pgettext_lazy("type", "装备类型"),
    pgettext_lazy("required", "标准"),
    gettext_lazy("可用"),
    gettext_lazy("其中超期"),
    gettext_lazy("待修"),
    gettext_lazy("报废"),
    pgettext_lazy("shortage", "缺口"),
    gettext_lazy("更新"),
    pgettext_lazy("additional", "新增"),
    pgettext_lazy("need", "需求"),
    gettext_lazy("单价估算"),
    gettext_lazy("估算金额"),
    gettext_lazy("最早购置"),
]


def gaps_workbook(report: dict, rows: list) -> bytes:
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(gettext("汇总"))
    summary.append(
        [
            gettext("{unit_name} 站所装备需求").format(unit_name=report["unit_name"]),
            f"截至 as of {report['as_of']}",
        ]
    )
    summary.append(
        [
            gettext("单位"),
            pgettext("need", "需求"),
            gettext("估算金额"),
            gettext("需补站所"),
            gettext("缺必配装备站所"),
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
    summary.append(
        [pgettext("type", "装备类型"), pgettext("need", "需求"), gettext("单价估算"), gettext("估算金额")]
    )
    for t in report["by_type"]:
        summary.append([f"{t['type_code']} {t['type_name']}", t["need"], t["unit_price"], t["cost"]])
    sheet = wb.create_sheet(gettext("优先清单"))
    sheet.append(ROW_HEADERS)
    labels = {c.value: str(c.label) for c in StationClass}
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
