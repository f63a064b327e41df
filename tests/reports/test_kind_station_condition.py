import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from assets.equipment_choices import StationClass
from assets.equipment_models import EquipmentType, StandardKitLine
from core.errors import NotFound
from reports.kinds import station_condition as sc
from reports.services import render_to_path
from tests.assets.equipment_fixtures import add_item, stations  # noqa: F401

from .conftest import pdf_pages_text

NOW = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
D = datetime.date(2024, 1, 1)


@pytest.fixture
def register(db, stations):
    """Standard: service station 4 × 执法记录仪 (100 元), overload control 1 ×. 星沙: 2 good, 1 fair, 1 needs
    repair → need 1; 黄花 (overload): nothing → 1; 浏阳: nothing → 4; 渌口: 1 unserviceable → 4."""
    cam = EquipmentType.objects.create(
        code="CAM",
        name="执法记录仪",
        category="recording",
        unit_price=Decimal("100.00"),
        service_life_years=5,
    )
    StandardKitLine.objects.create(station_class=StationClass.SERVICE_STATION, equipment_type=cam, quantity=4)
    StandardKitLine.objects.create(
        station_class=StationClass.OVERLOAD_CONTROL, equipment_type=cam, quantity=1
    )
    cs1 = stations["cs1"]
    add_item(cs1, cam, "T1", acquired_on=D)
    add_item(cs1, cam, "T2", acquired_on=D)
    add_item(cs1, cam, "T3", condition="fair", acquired_on=D)
    add_item(cs1, cam, "T4", condition="needs_repair", acquired_on=D)
    add_item(stations["zz"], cam, "Z1", condition="unserviceable", acquired_on=D)
    return stations


def _row(data, key, name):
    section = next(s for s in data.sections if s.key == key)
    return next(r for r in section.rows if name in r[1] or name in r[0])


def test_counts_gaps_and_cost(province_user, register):
    data = sc.collect(province_user, sc.StationParams(), now=NOW)
    # county, station, class, good, fair, repair, broken, required, serviceable, need, cost
    xs = _row(data, "430100", "星沙")
    assert xs[3:] == (2, 1, 1, 0, 4, 3, 1, Decimal("100.00"))
    lk = _row(data, "430200", "渌口")
    assert lk[3:] == (0, 0, 0, 1, 4, 0, 4, Decimal("400.00"))
    summary = {r[1]: r for r in data.sections[0].rows}
    cs = next(r for n, r in summary.items() if n.startswith("长沙市"))
    assert cs[2] == 4 and cs[-2:] == (6, Decimal("600.00"))  # 4 stations (the detachment has no kit)
    assert data.sections[0].rows[-1][-1] == Decimal("1000.00")
    gaps = data.sections[-1].rows
    assert sum(r[9] for r in gaps) == Decimal("1000.00")
    assert gaps[0][3] == 0  # priority 1 (none serviceable) first


def test_pdf_and_xlsx(changsha_user, register, media, tmp_path):
    out = tmp_path / "s.pdf"
    render_to_path(
        user=changsha_user, kind="station-condition", fmt="pdf", params={}, out=out, requested_at=NOW
    )
    pages = pdf_pages_text(out.read_bytes())
    text = "".join(pages)
    assert "长沙县星沙服务站" in text and "浏阳服务站" in text and "执法记录仪" in text and "600.00" in text
    assert "渌口" not in text  # another city's station
    assert all("第" in p and "装备台账" in p for p in pages)
    out = tmp_path / "s.xlsx"
    render_to_path(
        user=changsha_user,
        kind="station-condition",
        fmt="xlsx",
        params={"county": "430121"},
        out=out,
        requested_at=NOW,
    )
    wb = load_workbook(out)
    rows = list(wb["长沙市"].iter_rows(values_only=True))
    assert rows[0][:3] == ("县级单位", "站所", "类别") and wb["长沙市"].freeze_panes == "A2"
    assert {r[1] for r in rows[1:]} == {"长沙县星沙服务站", "长沙县黄花治超站"}
    total = wb["汇总"].iter_rows(values_only=True)
    assert [r for r in total if r[0] == "合计"][0][-1] == 200  # 100 + 100, a number not text


def test_other_city_is_404(changsha_user, register):
    with pytest.raises(NotFound):
        render_to_path(
            user=changsha_user,
            kind="station-condition",
            fmt="pdf",
            params={"city": "430200"},
            out="/dev/null",
        )


def test_command(register, media, tmp_path, province_user):
    out = tmp_path / "cmd.xlsx"
    call_command(
        "render_report", "station-condition", "--city", "430200", "--format", "xlsx", "--out", str(out)
    )
    wb = load_workbook(out)
    assert any("渌口" in str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row)
