"""Tender timeline report: milestones planned vs actual, legal checks, slippage, forecast and slack, and a
Gantt chart drawn on the server as SVG (PDF only)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from assets.catalog import load_catalog
from core.errors import NotFound
from procurement import selectors, services
from reports.kinds import tender_timeline
from reports.services import render_to_path

from .conftest import pdf_pages_text

D = datetime.date
PLAN = {  # a lawful plan (tests/procurement/test_timeline.py), except bid_opening (see the fixture)
    "intention_published": D(2025, 12, 1),
    "plan_filed": D(2025, 12, 5),
    "documents_final": D(2025, 12, 20),
    "notice_published": D(2026, 1, 5),
    "documents_on_sale": D(2026, 1, 5),
    "documents_sale_end": D(2026, 1, 12),
    "last_clarification": D(2026, 1, 9),
    "bid_opening": D(2026, 1, 20),
    "evaluation_report": D(2026, 1, 27),
    "winner_chosen": D(2026, 1, 28),
    "award_notice": D(2026, 1, 29),
    "challenge_end": D(2026, 2, 10),
    "contract_signed": D(2026, 2, 11),
    "contract_published": D(2026, 2, 12),
    "deliveries": D(2026, 3, 20),
    "acceptance": D(2026, 3, 31),
    "distribution_complete": D(2026, 4, 20),
}
AS_OF = timezone.make_aware(datetime.datetime(2025, 12, 8, 9, 0))


@pytest.fixture
def tender(org, province_user):
    load_catalog()
    older = services.tender_create(
        actor=province_user,
        title="旧项目",
        reference="T-2025-1",
        year=2025,
        budget=Decimal("500000"),
        procuring_unit=org["430000"],
    )
    t = services.tender_create(
        actor=province_user,
        title="2026年执法制式服装采购",
        reference="HNJT-2026-01",
        year=2026,
        budget=Decimal("1000000"),
        procuring_unit=org["430000"],
    )
    for code, day in PLAN.items():
        m = t.milestones.get(code=code)
        # bid_opening 15 days after the documents go on sale: breaks the 20-day bid period, overridden
        services.milestone_set(
            actor=province_user,
            milestone=m,
            planned_date=day,
            override_reason="上级要求提前 ordered earlier" if code == "bid_opening" else "",
        )
    services.milestone_set(
        actor=province_user,
        milestone=t.milestones.get(code="intention_published"),
        actual_date=D(2025, 12, 3),
        today=D(2025, 12, 8),
    )
    services.milestone_set(
        actor=province_user,
        milestone=t.milestones.get(code="plan_filed"),
        actual_date=D(2025, 12, 5),
        today=D(2025, 12, 8),
    )
    return {"tender": t, "older": older}


def collect(user, **params):
    return tender_timeline.collect(user, tender_timeline.TenderTimelineParams(**params), now=AS_OF)


def rows_by_name(data):
    return {r[1]: r for r in next(s for s in data.sections if s.key == "milestones").rows}


def test_planned_actual_slip_forecast_and_slack(tender, province_user):
    t = tender["tender"]
    data = collect(province_user)  # default: the latest tender
    assert data.meta["tender"] == t.pk
    rows = rows_by_name(data)
    name = {m.code: m.name.split(" ")[0] for m in t.milestones.all()}  # the Chinese name only
    # seq, name, planned, actual, forecast, slip, status, checks, note
    assert rows[name["intention_published"]][2:7] == (
        D(2025, 12, 1),
        D(2025, 12, 3),
        D(2025, 12, 3),
        2,
        "已完成",
    )
    assert rows[name["plan_filed"]][2:7] == (D(2025, 12, 5), D(2025, 12, 5), D(2025, 12, 5), 0, "已完成")
    assert rows[name["documents_final"]][4:7] == (D(2025, 12, 20), 0, "未到期")
    # the bid period needs 20 days from 5 January: 25 January is a Sunday, so Monday 26 January (+6 days)
    opening = rows[name["bid_opening"]]
    assert opening[4:6] == (D(2026, 1, 26), 6) and "已批准例外" in opening[7]
    tl = selectors.timeline(t, today=D(2025, 12, 8))
    assert [(r[4], r[5]) for r in rows.values()] == [
        (m["forecast_date"], m["slip_days"]) for m in tl["milestones"]
    ]
    summary = dict(next(s for s in data.sections if s.key == "summary").rows)
    assert summary["预测完成"] == tl["forecast_end"]
    assert summary["余量（天）"].split("（")[0] == str((D(2026, 4, 30) - tl["forecast_end"]).days)
    findings = next(s for s in data.sections if s.key == "findings").rows
    # the early opening also leaves less than 15 days after the last clarification (9 January): that finding
    # sits on the clarification, whose date was set before and carries no override
    assert [(f[0], f[1], f[6]) for f in findings] == [
        (name["last_clarification"], "计划", "否"),
        (name["bid_opening"], "计划", "是"),
    ]


def test_gantt_svg_has_a_bar_per_milestone_and_today_and_target_lines(tender, province_user):
    data = collect(province_user)
    svg = tender_timeline.gantt_svg(data.meta["timeline"])
    assert svg.startswith("<svg") and "<script" not in svg
    assert svg.count('class="planned"') == 17
    assert svg.count('class="done"') == 1 and svg.count('class="late"') >= 2  # intention (+2) and bid opening
    assert "今天 12-08" in svg and "目标 04-30" in svg
    xs = [float(x) for x in re.findall(r'class="marker" x1="([\d.]+)"', svg)]
    assert len(xs) == 2 and xs[0] < xs[1]  # today before the target


def test_pdf_text_chart_and_tables(tender, province_user, media, tmp_path):
    out = tmp_path / "t.pdf"
    render_to_path(
        user=province_user,
        kind="tender-timeline",
        fmt="pdf",
        params={"tender": tender["tender"].pk},
        out=out,
        requested_at=AS_OF,
    )
    pages = pdf_pages_text(out.read_bytes())
    text = "\n".join(pages)
    for s in (
        "采购项目时间表",
        "2026年执法制式服装采购",
        "公开招标",
        "法定期限检查",
        "已批准例外",
        "计划",
        "今天",
        "+6",
        "HNJT-2026-01",
    ):
        assert s in text, s
    for page in pages:
        assert province_user.username in page and "HNJT-2026-01" in page and "第" in page


def test_excel_without_chart_and_formula_escaping(tender, province_user, media, tmp_path):
    t = tender["tender"]
    services.milestone_set(
        actor=province_user, milestone=t.milestones.get(code="deliveries"), note="=分批交货"
    )
    out = tmp_path / "t.xlsx"
    render_to_path(
        user=province_user, kind="tender-timeline", fmt="xlsx", params={}, out=out, requested_at=AS_OF
    )
    wb = load_workbook(out)
    assert wb.sheetnames == ["概况", "节点", "法定检查", "说明"]
    ws = wb["节点"]
    assert ws.freeze_panes == "A2" and [c.value for c in ws[1]][:6] == [
        "序号",
        "节点",
        "计划日期",
        "实际日期",
        "预测日期",
        "偏差(天)",
    ]
    first = [c.value for c in ws[2]]
    assert first[2].date() == D(2025, 12, 1) and first[3].date() == D(2025, 12, 3) and first[5] == 2
    note = next(r[8] for r in ws.iter_rows(min_row=2) if r[8].value == "=分批交货")
    assert note.data_type == "s"
    assert not ws._images and not ws._charts


def test_scope_and_bad_input(tender, changsha_user, province_user, tmp_path):
    assert (
        collect(changsha_user).meta["tender"] == tender["tender"].pk
    )  # tenders are published to every member
    with pytest.raises(NotFound):
        collect(changsha_user, city="430200")
    with pytest.raises(NotFound):
        collect(province_user, tender=999999)
    out = tmp_path / "o.xlsx"
    call_command(
        "render_report",
        "tender-timeline",
        "--tender",
        str(tender["older"].pk),
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--user",
        province_user.username,
    )
    assert dict(load_workbook(out)["概况"].iter_rows(min_row=2, values_only=True))["项目"].startswith(
        "旧项目"
    )
    with pytest.raises(CommandError, match="不存在或不在您的权限范围内"):
        call_command(
            "render_report",
            "tender-timeline",
            "--param",
            "tender=999999",
            "--out",
            str(tmp_path / "x.pdf"),
            "--user",
            province_user.username,
        )
