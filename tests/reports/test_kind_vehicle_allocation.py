"""Vehicle allocation report: the published allocation per city and in total (everyone), the documents
behind each quota, the exceptions and the vehicle list in the requester's scope only."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from core.errors import NotFound
from reports.kinds import vehicle_allocation
from reports.registry import ParamsBase
from reports.services import render_to_path
from tests.vehicles.conftest import next_plate, valid_vin
from vehicles import services
from vehicles.choices import QuotaRecordKind

from .conftest import pdf_pages_text

D = datetime.date


@pytest.fixture
def fleet(org):
    """Total 5 (湘交执法〔2026〕3号): Changsha 2, Zhuzhou 1; then (〔2026〕9号) Changsha +1 → 3.
    Changsha: one in service (city bureau), one registered on order (长沙县); Zhuzhou: one in service.
    """
    services.quota_record_create(
        actor=None,
        doc_number="湘交执法〔2026〕3号",
        doc_date=D(2026, 1, 10),
        kind=QuotaRecordKind.ALLOCATION,
        reason="首次分配 first allocation",
        total_change=5,
        lines=[{"city_code": "430100", "quota": 2}, {"city_code": "430200", "quota": 1}],
    )
    services.quota_record_create(
        actor=None,
        doc_number="湘交执法〔2026〕9号",
        doc_date=D(2026, 3, 2),
        kind=QuotaRecordKind.ADJUSTMENT,
        reason="长沙增编 Changsha +1",
        total_change=0,
        lines=[{"city_code": "430100", "quota": 3}],
    )

    def vehicle(unit, *, in_service, brand):
        fields = {
            "brand": brand,
            "model": "X1",
            "vehicle_type": "small_passenger",
            "registered_on": D(2026, 2, 1),
        }
        if in_service:
            fields.update(livery_fitted=True, warning_lights_fitted=True)
        return services.vehicle_create(
            actor=None,
            owning_unit=org[unit],
            vin_code=valid_vin(),
            plate=next_plate(),
            status="in_service" if in_service else "on_order",
            **fields,
        )

    return {
        "cs": vehicle("430100", in_service=True, brand="长沙甲车"),
        "csx": vehicle("430121", in_service=False, brand="长沙县乙车"),
        "zz": vehicle("430200", in_service=True, brand="株洲丙车"),
    }


def collect(user, **params):
    return vehicle_allocation.collect(user, ParamsBase(**params))


def section(data, key):
    return next(s for s in data.sections if s.key == key)


def row_for(data, name):
    return next(r for r in section(data, "allocation").rows if r[0] == name)


def test_figures_per_city_and_province_total_by_hand(fleet, org, province_user):
    data = collect(province_user)
    # city, quota, exceptions, purchased, registered, in service, gap, held, stage
    assert row_for(data, org["430100"].name)[:8] == (org["430100"].name, 3, 0, 0, 2, 1, 2, 2)
    assert row_for(data, org["430200"].name)[:8] == (org["430200"].name, 1, 0, 0, 1, 1, 0, 1)
    assert row_for(data, "全省合计")[1:8] == (4, 0, 0, 3, 2, 2, 3)
    assert data.meta == {"total": 5, "allocated": 4, "unallocated": 1}
    docs = section(data, "documents").rows
    assert (docs[0][0], docs[0][4], docs[0][5], docs[0][6]) == (
        "湘交执法〔2026〕9号",
        org["430100"].name,
        1,
        3,
    )
    assert [(r[0], r[4], r[5]) for r in docs[1:]] == [
        ("湘交执法〔2026〕3号", "编制总数", 5),
        ("湘交执法〔2026〕3号", org["430100"].name, 2),
        ("湘交执法〔2026〕3号", org["430200"].name, 1),
    ]
    assert {r[2] for r in section(data, "vehicles").rows} == {"长沙甲车 X1", "长沙县乙车 X1", "株洲丙车 X1"}


def test_city_user_sees_the_whole_table_but_only_their_vehicles(fleet, org, changsha_user, county_user):
    data = collect(changsha_user)
    assert row_for(data, org["430200"].name)[1] == 1  # the allocation is published to everyone
    assert {r[2] for r in section(data, "vehicles").rows} == {"长沙甲车 X1", "长沙县乙车 X1"}
    assert {r[2] for r in section(collect(county_user), "vehicles").rows} == {"长沙县乙车 X1"}
    with pytest.raises(NotFound):
        collect(changsha_user, city="430200")


def test_pdf_text_names_figures_and_who_asked(fleet, org, changsha_user, media, tmp_path):
    out = tmp_path / "v.pdf"
    render_to_path(user=changsha_user, kind="vehicle-allocation", fmt="pdf", params={}, out=out)
    pages = pdf_pages_text(out.read_bytes())
    text = "\n".join(pages)
    for s in (
        "执法车辆编制分配表",
        org["430100"].name,
        org["430200"].name,
        "湘交执法〔2026〕9号",
        "长沙增编",
        "长沙甲车",
        "长沙县乙车",
        "全省合计",
        "附表",
    ):
        assert s in text, s
    assert "株洲丙车" not in text
    assert len(pages) >= 2  # the appendix starts a page
    for page in pages:
        assert changsha_user.username in page and "编制文件" in page and "第" in page


def test_excel_sheets_values_and_formula_escaping(fleet, org, province_user, media, tmp_path):
    services.quota_exception_grant(
        actor=province_user, city=org["430200"], extra=1, reason="=应急保障 emergency", doc_number="+函1号"
    )
    out = tmp_path / "v.xlsx"
    render_to_path(user=province_user, kind="vehicle-allocation", fmt="xlsx", params={}, out=out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["编制分配", "编制文件", "超编核准", "车辆清单", "说明"]
    alloc = wb["编制分配"]
    assert alloc.freeze_panes == "A2" and alloc["A1"].value == "市州"
    rows = {r[0]: r for r in alloc.iter_rows(min_row=2, values_only=True)}
    assert rows[org["430100"].name][1:8] == (3, 0, 0, 2, 1, 2, 2)
    assert rows[org["430200"].name][1:3] == (1, 1)  # quota, exception
    assert rows["全省合计"][1:8] == (4, 1, 0, 3, 2, 2, 3)
    exc = wb["超编核准"]
    assert exc["D2"].value == "=应急保障 emergency" and exc["D2"].data_type == "s"
    assert exc["C2"].value == "+函1号" and exc["C2"].data_type == "s"
    docs = wb["编制文件"]
    assert docs["B2"].value.date() == D(2026, 3, 2) and docs["B2"].number_format == "yyyy-mm-dd"
    assert {r[2] for r in wb["车辆清单"].iter_rows(min_row=2, values_only=True)} == {
        "长沙甲车 X1",
        "长沙县乙车 X1",
        "株洲丙车 X1",
    }


def test_render_report_command(fleet, changsha_user, tmp_path):
    out = tmp_path / "v.xlsx"
    call_command(
        "render_report",
        "vehicle-allocation",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--user",
        changsha_user.username,
    )
    plates = {r[2] for r in load_workbook(out)["车辆清单"].iter_rows(min_row=2, values_only=True)}
    assert plates == {"长沙甲车 X1", "长沙县乙车 X1"}
    with pytest.raises(CommandError, match="不存在"):
        call_command(
            "render_report",
            "vehicle-allocation",
            "--city",
            "430200",
            "--out",
            str(tmp_path / "x.pdf"),
            "--user",
            changsha_user.username,
        )


def test_through_the_api_as_a_background_job(
    api, fleet, org, changsha_user, media, django_capture_on_commit_callbacks
):
    kinds = {k["kind"]: k for k in api.as_(changsha_user).get("/reports/kinds").json()}
    assert {"size-table", "vehicle-allocation", "tender-timeline"} <= set(kinds)
    assert "snapshot" in kinds["size-table"]["parameters"]["properties"]
    assert "tender" in kinds["tender-timeline"]["parameters"]["properties"]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.as_(changsha_user).post(
            "/reports/jobs", {"kind": "vehicle-allocation", "format": "xlsx", "params": {"city": "430100"}}
        )
    assert r.status_code == 202, r.content
    job = api.as_(changsha_user).get(f"/reports/jobs/{r.json()['id']}").json()
    assert (
        job["status"] == "done" and job["summary"]["rows"] == 14 + 1 + 4 + 0 + 2
    )  # cities+total, docs, vehicles
    other = api.as_(changsha_user).post(
        "/reports/jobs", {"kind": "vehicle-allocation", "format": "pdf", "params": {"city": "430200"}}
    )
    assert other.status_code == 404
