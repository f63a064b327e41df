"""个人被装卡 officer kit card (PDF): who the officer is (unit, badge number, sizes) and per item what they hold,
in which size, when it was issued and when it is due for replacement. Built on distribution.selectors
(officer_get: another unit's officer → 404; kit_card; badge_numbers)."""

import datetime

from django.utils import timezone

from assets.sizes import officer_sizes
from distribution import selectors as dist
from personnel.ids import mask

from .. import pdf
from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from . import _tables

KIND = "kit-card"
TITLE = "个人被装卡"
TEMPLATE = "reports/pdf/kit_card.html"
COLUMNS = [
    Column("seq", "序号", 10, 6, "0"),
    Column("item", "品名", 56, 22),
    Column("size", "号型", 24, 10),
    Column("quantity", "数量", 14, 6, "0"),
    Column("issued_on", "发放日期", 24, 12),
    Column("due_on", "应换发日期", 24, 12),
    Column("state", "状态", 26, 10),
]
STATUS = {
    "serving": "在岗",
    "seconded": "借调",
    "on_leave": "休假",
    "transferred_out": "调出",
    "left": "离职",
    "retired": "退休",
}


class KitCardParams(ParamsBase):
    officer: int


def _size_text(size) -> str:
    return size.code or {"made_to_measure": "定制", "missing": "待测量"}.get(size.status, "—")


def collect(
    user, params: KitCardParams, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    officer = dist.officer_get(user, params.officer)
    when = now or timezone.now()
    today = timezone.localtime(when).date()
    rows = []
    for n, line in enumerate(dist.kit_card(officer), 1):
        due = line["due_on"]
        state = (
            "已到期 due"
            if due and due <= today
            else ("即将到期 due soon" if due and (due - today).days <= 90 else "在用 in use")
        )
        rows.append(
            (
                n,
                line["name"],
                _tables.size_label(line["size"]),
                line["quantity"],
                line["issued_on"].isoformat() if line["issued_on"] else "—",
                due.isoformat() if due else "—",
                state,
            )
        )
    sizes = officer_sizes(officer)
    badge = dist.badge_numbers([officer.pk]).get(officer.pk, "未分配")
    meta = {
        "name": officer.name,
        "unit": officer.unit.name,
        "gender": _tables.gender_label(officer.gender),
        "id_number": mask(officer.id_number),
        "certificate": officer.certificate_number or "—",
        "badge": badge,
        "status": STATUS.get(officer.status, officer.status),
        "post": officer.post or "—",
        "top": _size_text(sizes["top"]),
        "bottom": _size_text(sizes["bottom"]),
        "shoe": _size_text(sizes["shoe_mm"]),
        "cap": _size_text(sizes["hat_cm"]),
        "measured_on": officer.measured_on.isoformat() if officer.measured_on else "—",
        "pieces": sum(r[3] for r in rows),
        "due": sum(1 for r in rows if r[6].startswith("已到期")),
        "labels": "姓名单位性别身份证号执法证号胸号状态岗位上衣下装鞋帽号测量日期合计件已到期项本人签字发放单位盖章尚无发放记录",
    }
    progress(3, f"{len(rows)} 项 items")
    return ReportData(
        kind=KIND,
        title=TITLE,
        scope_label=officer.unit.name,
        requested_by=user.get_username(),
        requested_at=when,
        sources=[
            f"配发台账 distribution ledger as of {timezone.localtime(when):%Y-%m-%d %H:%M}",
            "应换发 due = 发放日期 + 使用年限 issue date + service life",
        ],
        columns=COLUMNS,
        sections=[Section(key=str(officer.pk), title=officer.name, rows=rows)],
        meta=meta,
    )


def render_pdf(data: ReportData, out, progress: Progress = no_progress) -> None:
    ctx = pdf.base_context(
        data, unit=f"{data.meta['name']} · {data.scope_label}", landscape=False, sections=data.sections
    )
    ctx["rows_html"] = _tables.rows_html(COLUMNS, data.sections[0].rows)
    pdf.render_single(data, TEMPLATE, out, context=ctx, progress=progress)


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        collect=collect,
        params=KitCardParams,
        renderers={"pdf": render_pdf},
        description="个人已领被装、号型、日期与应换发 what an officer holds, sizes, dates, replacement due",
    )
)
