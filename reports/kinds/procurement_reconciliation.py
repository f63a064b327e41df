"""采购对账表 procurement reconciliation: per lot the budget and the award, then per buyer (the province's own
contract and each city's under 统采分签) the original contracts, the 补充合同, the contracted total, what was
delivered, accepted and rejected (pieces and value at the contract's unit prices), what is awaiting
inspection, paid (without returned bonds) and outstanding; the lot totals and the tender's. Data:
procurement.reconciliation.reconcile, in the requester's scope: a city's staff get their own contract(s),
and the totals are then those of their rows (the report says so). PDF: A4 landscape text grid; Excel: a
summary sheet and a sheet per lot."""

import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from core.errors import QMError
from core.pages import tr
from procurement import reconciliation
from procurement import selectors as procurement_selectors
from procurement.models import Contract

from ..registry import Column, ParamsBase, Progress, ReportData, ReportKind, Section, no_progress, register
from ..scoping import root_units, scope_label
from . import _tables

KIND = "procurement-reconciliation"
TITLE = "采购对账表"
TITLE_EN = "Procurement reconciliation"
MONEY = "#,##0.00"

SUMMARY_COLUMNS = [
    Column("lot", ("标包", "Lot"), 50, 26),
    Column("budget", ("预算(元)", "Budget"), 25, 15, MONEY),
    Column("award", ("中标(元)", "Award"), 25, 15, MONEY),
    Column("award_pct", ("中标/预算", "Award/budget"), 17, 11),
    Column("contracted", ("合同合计(元)", "Contracted"), 25, 15, MONEY),
    Column("contracted_pct", ("合同/中标", "Contr./award"), 17, 11),
    Column("delivered", ("到货金额(元)", "Delivered"), 25, 15, MONEY),
    Column("accepted", ("合格金额(元)", "Accepted"), 25, 15, MONEY),
    Column("paid", ("已付款(元)", "Paid"), 25, 15, MONEY),
    Column("outstanding", ("未付款(元)", "Outstanding"), 25, 15, MONEY),
]
BUYER_COLUMNS = [
    Column("buyer", ("采购人", "Buyer"), 34, 20),
    Column("original", ("原合同(元)", "Original"), 24, 15, MONEY),
    Column("variations", ("补充合同(元)", "Supplements"), 22, 14, MONEY),
    Column("contracted", ("合同合计(元)", "Contracted"), 24, 15, MONEY),
    Column("delivered_qty", ("到货(件)", "Deliv. pcs"), 16, 10, "#,##0"),
    Column("delivered_value", ("到货金额(元)", "Delivered"), 24, 15, MONEY),
    Column("accepted_qty", ("合格(件)", "Acc. pcs"), 16, 10, "#,##0"),
    Column("accepted_value", ("合格金额(元)", "Accepted"), 24, 15, MONEY),
    Column("rejected_qty", ("不合格(件)", "Rej. pcs"), 15, 10, "#,##0"),
    Column("awaiting_qty", ("待验收(件)", "Awaiting"), 15, 10, "#,##0"),
    Column("paid", ("已付款(元)", "Paid"), 24, 15, MONEY),
    Column("outstanding", ("未付款(元)", "Outstanding"), 24, 15, MONEY),
]


class ReconciliationParams(ParamsBase):
    tender: int | None = None  # a tender's id; default the current one


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def buyer_row(name: str, f: dict) -> tuple:
    return (
        name,
        f["original"],
        f["variations"],
        f["contracted"],
        f["delivered_qty"],
        f["delivered_value"],
        f["accepted_qty"],
        f["accepted_value"],
        f["rejected_qty"],
        f["awaiting_qty"],
        f["paid"],
        f["outstanding"],
    )


def lot_title(lot) -> str:
    return gettext("第{number}包 {title}").format(number=lot.number, title=lot.title)


def collect(
    user,
    params: ReconciliationParams,
    *,
    progress: Progress = no_progress,
    now: datetime.datetime | None = None,
) -> ReportData:
    if params.county:
        raise QMError("bad_params", gettext("采购对账表只能按市州筛选"), {"field": "county"})
    roots = root_units(user, params)
    tender = (
        procurement_selectors.tender_get(user, params.tender)
        if params.tender is not None
        else reconciliation.current_tender(user)
    )
    now = now or timezone.now()
    progress(5, gettext("读取项目 ") + tender.reference)
    rec = reconciliation.reconcile(user, tender=tender, city=params.city)
    total_label = gettext("合计（所列采购人）") if rec.restricted else gettext("项目合计")
    lot_total_label = gettext("合计（所列采购人）") if rec.restricted else gettext("本包合计")
    note = (
        gettext("仅含您权限范围内采购人的合同：合计只含所列各行，不是全省数字；预算与中标金额为公开信息")
        if rec.restricted
        else ""
    )
    summary = [
        (
            lot_title(b.lot),
            b.budget,
            b.award,
            _pct(reconciliation.ratio(b.award, b.budget)),
            b.totals["contracted"],
            _pct(reconciliation.ratio(b.totals["contracted"], b.award)),
            b.totals["delivered_value"],
            b.totals["accepted_value"],
            b.totals["paid"],
            b.totals["outstanding"],
        )
        for b in rec.lots
    ]
    t = rec.totals
    summary.append(
        (
            total_label,
            rec.lots_budget,
            rec.award,
            _pct(reconciliation.ratio(rec.award, rec.lots_budget)),
            t["contracted"],
            _pct(reconciliation.ratio(t["contracted"], rec.award)),
            t["delivered_value"],
            t["accepted_value"],
            t["paid"],
            t["outstanding"],
        )
    )
    formula = gettext(
        "合同合计 = 原合同 + 补充合同；到货、合格金额 = 数量 × 合同单价；已付款不含退还的履约保证金；"
        "未付款 = 合同合计 − 已付款；项目预算 {budget}"
    ).format(budget=f"{rec.budget:,.2f}")
    sections = [
        Section(
            key="summary",
            title=gettext("一、各标包汇总"),
            rows=summary,
            header={
                "columns": SUMMARY_COLUMNS,
                "totals": 1,
                "note": gettext("；").join(x for x in (note, formula) if x),
                "sheet": tr("汇总", "Summary"),
            },
        )
    ]
    for n, b in enumerate(rec.lots, 2):
        rows = [buyer_row(r.buyer_name, r.figures) for r in b.rows]
        rows.append(buyer_row(lot_total_label, b.totals))
        sections.append(
            Section(
                key=f"lot-{b.lot.number}",
                title=gettext("{n}、{lot}（预算 {budget}，中标 {award}）").format(
                    n=_cn_number(n), lot=lot_title(b.lot), budget=f"{b.budget:,.2f}", award=f"{b.award:,.2f}"
                ),
                rows=rows,
                header={
                    "columns": BUYER_COLUMNS,
                    "totals": 1,
                    "note": note,
                    "sheet": lot_title(b.lot),
                },
            )
        )
    latest = Contract.objects.filter(award__lot__tender=tender).aggregate(m=Max("updated_at"))["m"]
    as_of = f"{timezone.localtime(latest):%Y-%m-%d %H:%M}" if latest else "—"
    sources = [
        gettext("采购项目 {reference}：合同、补充合同、交货、验收与付款，合同更新于 {as_of}").format(
            reference=tender.reference, as_of=as_of
        )
    ]
    progress(60, gettext("已汇总"))
    return ReportData(
        kind=KIND,
        title=tr(TITLE, TITLE_EN),
        scope_label=scope_label(roots),
        requested_by=user.get_username(),
        requested_at=timezone.localtime(now),
        sources=sources,
        columns=BUYER_COLUMNS,
        sections=sections,
        meta={"tender": tender.pk, "reconciliation": rec},
    )


CN_NUMBERS = "一二三四五六七八九十"


def _cn_number(n: int) -> str:
    """一, 二 … 十 in Chinese; 1, 2 … in English (the section numbers)."""
    if tr("zh", "en") == "en":
        return str(n)
    return CN_NUMBERS[n - 1] if n <= 10 else str(n)


register(
    ReportKind(
        kind=KIND,
        title=TITLE,
        title_en=TITLE_EN,
        collect=collect,
        params=ReconciliationParams,
        renderers={"pdf": _tables.render_pdf, "xlsx": _tables.render_xlsx},
        description="预算、中标、各采购人合同（含补充合同）、到货、验收、付款，按标包和采购人（默认当前项目）",
        description_en="Budget, award, each buyer's contracts (with supplementary contracts), deliveries, "
        "acceptance and payments, per lot and buyer (the current tender unless another is chosen)",
    )
)
