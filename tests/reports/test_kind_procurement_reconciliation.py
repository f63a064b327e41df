"""采购对账表 procurement reconciliation report: the figures are the selector's, per lot and buyer, in both
languages and formats; a city gets its own row only; no English word in the Chinese file."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.errors import NotFound, QMError
from procurement import reconciliation
from reports.kinds import procurement_reconciliation as kind
from reports.services import render_to_path
from tests.procurement.conftest import awarded, catalog, make_supplier, make_tender  # noqa: F401
from tests.procurement.test_reconciliation import recon  # noqa: F401

from .test_one_language import check_pdf, check_xlsx

AS_OF = timezone.make_aware(datetime.datetime(2026, 3, 20, 9, 0))
STORED = ("服装", "帽徽", "甲公司", "丙公司", "测试项目2026")


def collect(user, **params):
    return kind.collect(user, kind.ReconciliationParams(**params), now=AS_OF)


def test_figures_are_the_selectors(recon, province_user):
    data = collect(province_user, tender=recon["tender"].pk)
    rec = reconciliation.reconcile(province_user, tender=recon["tender"])
    summary, lot1, lot2 = data.sections
    assert summary.rows[-1][0] == "项目合计"
    assert summary.rows[-1][4] == rec.totals["contracted"] and summary.rows[-1][8] == rec.totals["paid"]
    assert summary.rows[0][1:3] == (rec.lots[0].budget, rec.lots[0].award)
    by_buyer = {r[0]: r for r in lot1.rows}
    for row in rec.lots[0].rows:
        assert by_buyer[row.buyer_name] == kind.buyer_row(row.buyer_name, row.figures)
    assert lot1.rows[-1] == kind.buyer_row("本包合计", rec.lots[0].totals)
    assert lot2.rows == [kind.buyer_row("本包合计", rec.lots[1].totals)]
    changsha = next(r for r in lot1.rows if r[0] == recon["cs"].buyer.name)
    assert changsha[2] == recon["variation"].amount and changsha[8] == 2  # the variation, the rejects


def test_a_city_gets_its_own_row(recon, zhuzhou_user, changsha_user):
    data = collect(zhuzhou_user, tender=recon["tender"].pk)
    rows = data.sections[1].rows
    assert len(rows) == 2 and rows[-1][0] == "合计（所列采购人）"
    assert rows[0][10] == rows[-1][10] == reconciliation.reconcile(zhuzhou_user).totals["paid"]
    assert "仅含您权限范围内" in data.sections[0].header["note"]
    with pytest.raises(NotFound):
        collect(changsha_user, tender=recon["tender"].pk, city="430200")
    with pytest.raises(QMError):
        collect(changsha_user, county="430121")


def test_both_formats_both_languages(recon, province_user, media, tmp_path):
    kw = {"data_words": STORED, "en_data": STORED}
    zh, en = check_pdf(
        province_user,
        kind.KIND,
        {},
        tmp_path,
        en_present=("Procurement reconciliation", "Buyer", "Contracted", "Outstanding", "Lot 1"),
        zh_absent=("采购人", "合同合计", "未付款", "第1包"),
        **kw,
    )
    rec = reconciliation.reconcile(province_user)
    assert f"{rec.totals['contracted']:,.2f}" in zh and f"{rec.totals['contracted']:,.2f}" in en
    assert "采购对账表" in zh and "项目合计" in zh
    zh, en = check_xlsx(
        province_user,
        kind.KIND,
        {},
        tmp_path,
        en_present=("Buyer", "Contracted", "Summary", "Report"),
        zh_absent=("采购人", "合同合计", "汇总", "报表"),
        **kw,
    )
    out = tmp_path / "r.xlsx"
    render_to_path(user=province_user, kind=kind.KIND, fmt="xlsx", params={}, out=out, language="zh-hans")
    wb = load_workbook(out)
    ws = wb[wb.sheetnames[1]]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [v[0] for v in values][-1] == "本包合计"
    paid = [Decimal(str(v[10])) for v in values]  # Excel keeps numbers as floats: 2 places read back exactly
    assert sum(paid[:-1]) == paid[-1] == rec.lots[0].totals["paid"]


def test_a_formula_looking_name_is_text(recon, province_user, media, tmp_path):
    lot = recon["award"].lot
    lot.title = "=HYPERLINK(1)"
    lot.save()
    out = tmp_path / "f.xlsx"
    render_to_path(user=province_user, kind=kind.KIND, fmt="xlsx", params={}, out=out, language="zh-hans")
    wb = load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("=HYPERLINK(1)" in str(c.value) for c in cells)
    assert all(c.data_type != "f" for c in cells)
