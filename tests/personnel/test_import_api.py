"""The roll import, error report, export and template endpoints: auth, scope, shape."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import ChangeRecord
from personnel.models import Officer

from .factories import OfficerFactory
from .rollbook import book, person, row


def upload(client, data, name="花名册.xlsx", path="/personnel/roll/import", **form):
    return client.post(path, {"file": SimpleUploadedFile(name, data), **form}, multipart=True)


def workbook(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(body))


def test_import_returns_the_report(api, org, changsha_user):
    r = upload(api.as_(changsha_user), book([row(1), row(2)]))
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["created"], body["updated"], body["unchanged"], body["imported"]) == (2, 0, 0, True)
    assert body["summary"] == "created 2, updated 0, unchanged 0" and body["errors"] == []
    assert Officer.objects.count() == 2


def test_dry_run_writes_nothing(api, org, changsha_user):
    r = upload(api.as_(changsha_user), book([row(1)]), dry_run="true")
    assert r.status_code == 200 and r.json()["dry_run"] is True and r.json()["created"] == 1
    assert Officer.objects.count() == 0


def test_refused_roll_is_422_with_every_error(api, org, changsha_user):
    r = upload(api.as_(changsha_user), book([row(1), row(2, **{"性别": "X"}), row(3, **{"身份证号": "123"})]))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "roll_rejected" and "未导入任何数据" in body["message"]
    errors = body["details"]["errors"]
    assert [(e["row"], e["column"], e["cell"], e["code"]) for e in errors] == [
        (5, "性别", "B5", "bad_gender"),
        (6, "身份证号", "C6", "id_length"),
    ]
    assert errors[1]["value"] == "123" and errors[1]["reason"].startswith("应为18位")
    assert Officer.objects.count() == 0


def test_file_level_error_is_400_naming_the_column(api, org, changsha_user):
    r = upload(api.as_(changsha_user), book([["a", "男", person(1)]], ["姓名", "性别", "身份证号"]))
    assert r.status_code == 400 and r.json()["code"] == "missing_column"
    assert r.json()["details"]["columns"] == ["所属单位"]
    assert upload(api.as_(changsha_user), b"x", name="a.xls").json()["code"] == "save_as_xlsx"


def test_import_needs_auth_and_a_roll_keeper(api, org, county_user, auditor_user):
    assert upload(api, book([row(1)])).status_code == 401
    for user in (county_user, auditor_user):
        r = upload(api.as_(user), book([row(1)]))
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert Officer.objects.count() == 0


def test_city_user_cannot_import_another_city(api, org, zhuzhou_user):
    r = upload(api.as_(zhuzhou_user), book([row(1)]))  # 430121 is in Changsha
    assert r.status_code == 422 and r.json()["details"]["errors"][0]["code"] == "unit_out_of_scope"


def test_error_report_workbook(api, org, changsha_user):
    r = upload(
        api.as_(changsha_user),
        book([row(1), row(2, **{"联系电话": "99"})]),
        path="/personnel/roll/import/report",
    )
    assert r.status_code == 200 and r["X-Roll-Errors"] == "1"
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = workbook(r)
    assert wb.worksheets[0]["N5"].comment.text.startswith("应为1开头")
    assert wb["错误"]["B3"].value == "联系电话"
    assert Officer.objects.count() == 0 and not ChangeRecord.objects.filter(note="花名册导入").exists()


def _ids(wb) -> list[str]:
    sheet = wb.worksheets[0]
    return [r[2] for r in sheet.iter_rows(min_row=4, values_only=True) if r[2]]


@pytest.fixture
def two_cities(org):
    return (
        OfficerFactory(unit=org["430121"], name="长沙人"),
        OfficerFactory(unit=org["430200"], name="株洲人"),
    )


def test_export_is_scoped_and_masked_for_auditors(
    api, two_cities, changsha_user, auditor_user, province_user
):
    cs, zz = two_cities
    r = api.as_(changsha_user).get("/personnel/roll/export")
    assert r.status_code == 200 and r.streaming
    assert _ids(workbook(r)) == [cs.id_number]
    assert set(_ids(workbook(api.as_(province_user).get("/personnel/roll/export")))) == {
        cs.id_number,
        zz.id_number,
    }
    masked = _ids(workbook(api.as_(auditor_user).get("/personnel/roll/export")))
    assert sorted(masked) == sorted(o.id_number[:6] + "********" + o.id_number[-4:] for o in (cs, zz))
    assert api.as_(changsha_user).get("/personnel/roll/export", {"unit": "430200"}).status_code == 404
    only = workbook(api.as_(province_user).get("/personnel/roll/export", {"unit": "430200"}))
    assert _ids(only) == [zz.id_number]
    assert api.get("/personnel/roll/export").status_code == 401


def test_template_prefilled_for_a_city_and_blank(api, two_cities, changsha_user, province_user):
    cs, _zz = two_cities
    wb = workbook(api.as_(changsha_user).get("/personnel/roll/template", {"city": "430100"}))
    assert _ids(wb) == [cs.id_number]
    assert [c.value for c in wb.worksheets[0][3]][:5] == ["姓名", "性别", "身份证号", "执法证号", "所属单位"]
    assert api.as_(changsha_user).get("/personnel/roll/template", {"city": "430200"}).status_code == 404
    blank = workbook(api.as_(province_user).get("/personnel/roll/template"))
    assert _ids(blank) == [] and blank.worksheets[0]["C3"].value == "身份证号"
