"""个人被装卡 officer kit card (PDF): who the officer is (unit, badge number, sizes) and per item what they hold,
in which size, when it was issued and when it is due for replacement. Built on distribution.selectors
(officer_get: another unit's officer → 404; kit_card; badge_numbers)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext

from assets.models import ItemType
from assets.sizes import officer_sizes
from core.pages import tr
from distribution import selectors as dist
from personnel.ids import mask

from .. import pdf
from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from . import _tables

KIND = "kit-card"
TITLE = "个人被装卡"
TITLE_EN = "Officer kit card"
TEMPLATE = "reports/pdf/kit_card.html"
COLUMNS = [
    Column("seq", ("序号", "No."), 10, 6, "0"),
    Column("item", ("品名", "Item"), 56, 22),
    Column("size", ("号型", "Size"), 24, 10),
    Column("quantity", ("数量", "Qty"), 14, 6, "0"),
    Column("issued_on", ("发放日期", "Issued on"), 24, 12),
    Column("due_on", ("应换发日期", "Due on"), 24, 12),
    Column("state", ("状态", "State"), 26, 10),
]
STATUS = {
    "serving": ("在岗", "serving"),
    "seconded": ("借调", "seconded"),
    "on_leave": ("休假", "on leave"),
    "transferred_out": ("调出", "transferred out"),
    "left": ("离职", "left"),
    "retired": ("退休", "retired"),
}
SEX = {"M": ("男", "male"), "F": ("女", "female")}
DUE, DUE_SOON, IN_USE = ("已到期", "due"), ("即将到期", "due soon"), ("在用", "in use")


class KitCardParams(ParamsBase):
    officer: int


def _size_text(size) -> str:
    token = {"mtm": "?mtm", "made_to_measure": "?mtm", "missing": "?missing"}.get(size.status)
    return size.code or (_tables.size_label(token) if token else "—")


def collect(
    user, params: KitCardParams, *, progress: Progress = no_progress, now: datetime.datetime | None = None
) -> ReportData:
    officer = dist.officer_get(user, params.officer)
    when = now or timezone.now()
    today = timezone.localtime(when).date()
    rows = []
    items = {i.code: i for i in ItemType.objects.all()}
    due_count = 0
    for n, line in enumerate(dist.kit_card(officer), 1):
        due = line["due_on"]
        state = DUE if due and due <= today else (DUE_SOON if due and (due - today).days <= 90 else IN_USE)
        due_count += state is DUE
        rows.append(
            (
                n,
                _tables.item_name(items.get(line["item"]), line["gender"], line["item"]),
                _tables.size_label(line["size"]),
                line["quantity"],
                line["issued_on"].isoformat() if line["issued_on"] else "—",
                due.isoformat() if due else "—",
                tr(*state),
            )
        )
    sizes = officer_sizes(officer)
    badge = dist.badge_numbers([officer.pk]).get(officer.pk) or gettext("未分配")
    meta = {
        "name": officer.name,
        "unit": officer.unit.name,
        "gender": tr(*SEX[officer.gender]) if officer.gender in SEX else officer.gender,
        "id_number": mask(officer.id_number),
        "certificate": officer.certificate_number or "—",
        "badge": badge,
        "status": tr(*STATUS[officer.status]) if officer.status in STATUS else officer.status,
        "post": officer.post or "—",
        "top": _size_text(sizes["top"]),
        "bottom": _size_text(sizes["bottom"]),
        "shoe": _size_text(sizes["shoe_mm"]),
        "cap": _size_text(sizes["hat_cm"]),
        "measured_on": officer.measured_on.isoformat() if officer.measured_on else "—",
        "pieces": sum(r[3] for r in rows),
        "due": due_count,
        "labels": "姓名单位性别身份证号执法证号胸号状态岗位上衣下装鞋帽号测量日期合计件已到期项本人签字发放单位盖章尚无发放记录",
    }
    progress(3, gettext("{n_rows} 项").format(n_rows=len(rows)))
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=officer.unit.name,
        requested_by=user.get_username(),
        requested_at=when,
        sources=[
            gettext("配发台账，截至 {localtime:%Y-%m-%d %H:%M}").format(localtime=timezone.localtime(when)),
            gettext("应换发日期 = 发放日期 + 使用年限"),
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
        title_en=TITLE_EN,
        collect=collect,
        params=KitCardParams,
        renderers={"pdf": render_pdf},
        description="个人已领被装、号型、日期与应换发",
        description_en="What an officer holds: items, sizes, dates and when each is due for replacement",
    )
)
