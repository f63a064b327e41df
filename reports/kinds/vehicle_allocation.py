"""执法车辆编制分配表 vehicle allocation: per city the quota, exceptions, purchased, registered, in service and
the gap, with the province's total; the documents behind each quota (文件号, date, kind, reason, the change
per city); the active exceptions in scope; and the vehicle list as an appendix.

The allocation table and the quota documents are the province's published allocation, readable by everyone
(vehicles.selectors.allocation_table / quota_records); the vehicle list and exceptions are the requester's
scope only (vehicles_for / quota_exceptions), narrowed by --city / --county."""

import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext, pgettext

from core.pages import tr
from vehicles import selectors as vehicle_selectors
from vehicles.choices import QuotaRecordKind, VehicleStatus, VehicleType

from .. import xlsx
from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import root_units, scope_label
from . import common

KIND = "vehicle-allocation"
TITLE = "执法车辆编制分配表"
TITLE_EN = "Enforcement vehicle allocation"

ALLOCATION_COLUMNS = [
    Column("city", ("市州", "City"), 70, 30),
    Column("quota", ("编制数", "Quota"), 20, 9, "0"),
    Column("exceptions", ("超编核准", "Exceptions"), 20, 9, "0"),
    Column("purchased", ("已采购", "Purchased"), 20, 9, "0"),
    Column("registered", ("已上牌", "Registered"), 20, 9, "0"),
    Column("in_service", ("在用", "In service"), 20, 9, "0"),
    Column("gap", ("缺口", "Gap"), 20, 9, "0"),
    Column("held", ("占编车辆", "Held"), 20, 9, "0"),
    Column("stage", ("采购进度", "Purchase stage"), 67, 18),
]
DOCUMENT_COLUMNS = [
    Column("doc_number", ("文件号", "Document no."), 48, 24),
    Column("doc_date", ("发文日期", "Dated"), 22, 11, "yyyy-mm-dd"),
    Column("kind", ("类型", "Kind"), 22, 12),
    Column("reason", ("事由", "Reason"), 75, 40),
    Column("city", ("市州", "City"), 62, 30),
    Column("change", ("变化", "Change"), 16, 8, "0"),
    Column("after", ("变更后", "After"), 16, 8, "0"),
]
EXCEPTION_COLUMNS = [
    Column("city", ("市州", "City"), 70, 30),
    Column("extra", ("超编数", "Extra"), 20, 9, "0"),
    Column("doc_number", ("文件号", "Document no."), 50, 24),
    Column("reason", ("理由", "Reason"), 137, 50),
]
VEHICLE_COLUMNS = [
    Column("seq", ("序号", "No."), 11, 6, "0"),
    Column("plate", ("号牌号码", "Plate"), 22, 12),
    Column("brand", ("品牌型号", "Make and model"), 36, 20),
    Column("type", ("车辆类型", "Type"), 38, 22),
    Column("unit", ("所属单位", "Unit"), 60, 30),
    Column("station", ("站所", "Station"), 30, 20),
    Column("status", ("状态", "Status"), 22, 12),
    Column("quota", ("占编", "In quota"), 10, 6),
    Column("registered_on", ("注册日期", "Registered on"), 20, 11, "yyyy-mm-dd"),
    Column("vin", ("车辆识别代号", "VIN"), 28, 20),
]


def _allocation(table: dict) -> Section:
    rows = [
        (
            r["city_name"],
            r["quota"],
            r["exceptions"],
            r["purchased"],
            r["registered"],
            r["in_service"],
            r["gap"],
            r["held"],
            common.choice_label(r["purchase_stage_label"]),
        )
        for r in table["rows"]
    ]
    t = table["totals"]
    rows.append(
        (
            gettext("全省合计"),
            t["quota"],
            t["exceptions"],
            t["purchased"],
            t["registered"],
            t["in_service"],
            t["gap"],
            t["held"],
            "",
        )
    )
    note = gettext(
        "编制总数 {total}，已分配 {allocated}，未分配 {unallocated}。缺口 = 编制数 − 在用；已采购 = 合同已签订及以后"
    ).format(total=table["total"], allocated=table["allocated"], unallocated=table["unallocated"])
    return Section(
        key="allocation",
        title=gettext("一、编制分配与配备情况"),
        rows=rows,
        header={"note": note},
    )


def _documents() -> Section:
    kinds = dict(QuotaRecordKind.choices)
    rows = []
    for rec in vehicle_selectors.quota_records():
        head = (rec.doc_number, rec.doc_date, common.choice_label(kinds.get(rec.kind, rec.kind)), rec.reason)
        lines = sorted(rec.lines.all(), key=lambda ln: ln.city.code)
        if rec.total_change or not lines:
            rows.append((*head, gettext("编制总数"), rec.total_change, rec.total_after))
        rows += [(*head, ln.city.name, ln.change, ln.quota_after) for ln in lines]
    return Section(
        key="documents",
        title=gettext("二、编制依据文件"),
        rows=rows,
        header={"note": gettext("每份文件对各市州编制的增减及变更后编制")},
    )


def _exceptions(user, roots) -> Section:
    qs = vehicle_selectors.quota_exceptions(user, active=True).order_by("city__code", "id")
    cities = {r.city.code for r in roots if r.level != "province" and r.city_id}
    if cities:
        qs = qs.filter(city__code__in=cities)
    rows = [(e.city.name, e.extra, e.doc_number, e.reason) for e in qs]
    return Section(key="exceptions", title=gettext("三、超编核准"), rows=rows)


def _vehicles(user, params) -> Section:
    code = params.county or params.city
    qs = (
        vehicle_selectors.vehicles_for(user, unit_code=code)
        .exclude(status=VehicleStatus.DISPOSED)
        .order_by("owning_unit__path", "plate", "vin")
    )
    types, statuses = dict(VehicleType.choices), dict(VehicleStatus.choices)
    rows = [
        (
            i,
            v.plate or pgettext("not registered", "未上牌"),
            f"{v.brand} {v.model}".strip(),
            common.choice_label(types.get(v.vehicle_type, "")),
            v.owning_unit.name,
            v.station.name if v.station_id else "",
            common.choice_label(statuses.get(v.status, v.status)),
            gettext("是") if v.counts_against_quota else gettext("否"),
            v.registered_on,
            v.vin,
        )
        for i, v in enumerate(qs, 1)
    ]
    return Section(
        key="vehicles",
        title=gettext("附表 车辆清单"),
        rows=rows,
        header={"note": gettext("{n_rows} 辆，不含已处置车辆").format(n_rows=len(rows))},
    )


def collect(
    user, params: ParamsBase, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    roots = root_units(user, params)  # another city → 404
    progress(1, gettext("读取编制"))
    table = vehicle_selectors.allocation_table()
    sections = [_allocation(table), _documents(), _exceptions(user, roots)]
    progress(3, gettext("读取车辆"))
    sections.append(_vehicles(user, params))
    now = now or timezone.now()
    last_doc = next(iter(sections[1].rows), None)
    at = f"{timezone.localtime(now):%Y-%m-%d %H:%M}"
    sources = [
        gettext("编制文件，至 {value}（{value2:%Y-%m-%d}）").format(value=last_doc[0], value2=last_doc[1])
        if last_doc
        else gettext("尚无编制文件"),
        gettext("车辆台账，截至 {at}").format(at=at),
    ]
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=scope_label(roots),
        requested_by=user.get_username(),
        requested_at=timezone.localtime(now),
        sources=sources,
        columns=ALLOCATION_COLUMNS,
        sections=sections,
        meta={"total": table["total"], "allocated": table["allocated"], "unallocated": table["unallocated"]},
    )


SECTION_COLUMNS = {
    "allocation": ALLOCATION_COLUMNS,
    "documents": DOCUMENT_COLUMNS,
    "exceptions": EXCEPTION_COLUMNS,
    "vehicles": VEHICLE_COLUMNS,
}
SHEETS = {
    "allocation": ("编制分配", "Allocation"),
    "documents": ("编制文件", "Documents"),
    "exceptions": ("超编核准", "Exceptions"),
    "vehicles": ("车辆清单", "Vehicles"),
}


def render_pdf(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    tables = []
    for s in data.sections:
        t = common.pdf_table(s, SECTION_COLUMNS[s.key], total_rows=1 if s.key == "allocation" else 0)
        t["appendix"] = s.key == "vehicles"
        tables.append(t)
    common.render_document(data, "reports/pdf/tables.html", out, progress, tables=tables)


def render_xlsx(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    wb = xlsx.new_workbook()
    header = common.print_header(data)
    for s in data.sections:
        ws = wb.create_sheet(tr(*SHEETS[s.key]))
        xlsx.write_table(ws, SECTION_COLUMNS[s.key], s.rows, print_header=header)
    common.write_about(
        wb,
        data,
        *(
            (
                gettext("说明：{value}").format(value=SHEETS[s.key][0], value2=SHEETS[s.key][1]),
                s.header["note"],
            )
            for s in data.sections
            if s.header.get("note")
        ),
    )
    wb.save(out)


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=ParamsBase,
        renderers={"pdf": render_pdf, "xlsx": render_xlsx},
        description="各市州编制、已采购、已上牌、在用、缺口及全省合计；编制依据文件；附车辆清单（本人权限范围）",
        description_en="Each city's quota, vehicles bought, plated, in service and missing, with the province's total; "
        "the documents the quotas rest on; the vehicle list (your scope)",
    )
)
