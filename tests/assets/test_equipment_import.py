"""Excel import: all or nothing, row-level errors, idempotent on asset tag or serial number; command and API."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from assets.equipment_importers import COLUMNS, import_inventory
from assets.equipment_models import EquipmentItem
from core.errors import QMError
from core.history import history_for
from core.models import ChangeRecord

from .equipment_fixtures import add_item, reference, stations  # noqa: F401

HEADERS = [h for h, _k, _r in COLUMNS]


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def good_rows(stations):
    a, b = stations["cs1"].code, stations["cs2"].code
    return [
        [a, "IMP-1", "BODYCAM", "SN-I-1", "2023-05-01", 1750, "完好", "在用", ""],
        [a, "IMP-2", "执法记录仪", "SN-I-2", "2019/03/02", "1,680.50", "待修", "维修中", "屏幕裂"],
        [b, "", "WEIGH-PAD", "SN-I-3", None, None, "基本完好", None, ""],
    ]


def test_import_creates_then_is_idempotent_then_updates(reference, stations, good_rows, county_user):
    result = import_inventory(actor=county_user, unit=stations["cs1"].parent, data=xlsx(good_rows))
    assert result == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "dry_run": False}
    second = EquipmentItem.objects.get(asset_tag="IMP-2")
    assert (second.condition, second.status, str(second.acquired_value), second.acquired_on.isoformat()) == (
        "needs_repair",
        "in_repair",
        "1680.50",
        "2019-03-02",
    )
    generated = EquipmentItem.objects.get(serial_number="SN-I-3")
    assert generated.asset_tag == f"{stations['cs2'].code}-WEIGH-PAD-001" and generated.source == "import"
    assert history_for(generated).first().action == "create"
    n_records = ChangeRecord.objects.count()
    again = import_inventory(actor=county_user, unit=stations["cs1"].parent, data=xlsx(good_rows))
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == 3
    assert ChangeRecord.objects.count() == n_records and EquipmentItem.objects.count() == 3
    # the third row has no asset tag: it matches on its serial number
    good_rows[2][6] = "报废"
    good_rows[0][6] = "基本完好"
    third = import_inventory(actor=county_user, unit=stations["cs1"].parent, data=xlsx(good_rows))
    assert third["updated"] == 2 and third["unchanged"] == 1 and EquipmentItem.objects.count() == 3
    generated.refresh_from_db()
    assert generated.condition == "unserviceable"
    assert history_for(generated).first().changes["condition"] == ["fair", "unserviceable"]


def test_dry_run_writes_nothing(reference, stations, good_rows, county_user):
    result = import_inventory(
        actor=county_user, unit=stations["cs1"].parent, data=xlsx(good_rows), dry_run=True
    )
    assert result["created"] == 3 and result["dry_run"] and not EquipmentItem.objects.exists()


def test_every_bad_row_is_reported_and_nothing_is_written(reference, stations, good_rows, county_user):
    a = stations["cs1"].code
    add_item(stations["cs1"], reference["PC"], "EXIST-1", serial="SN-EXIST")
    add_item(stations["ly"], reference["PC"], "ELSEWHERE", serial="SN-LY")
    bad = [
        *good_rows,
        ["99999999", "B-1", "PC", "", "", "", "完好", "", ""],  # 5: unknown station
        [stations["ly"].code, "B-2", "PC", "", "", "", "完好", "", ""],  # 6: station outside the county
        [a, "B-3", "TELESCOPE", "", "", "", "完好", "", ""],  # 7: unknown type
        [a, "B-4", "PC", "", "2021-13-01", "-5", "崭新", "借出", ""],  # 8: date, value, condition, status
        [a, "IMP-1", "PC", "SN-I-9", "", "", "完好", "", ""],  # 9: duplicate tag in the file
        [a, "EXIST-1", "PC", "SN-LY", "", "", "完好", "", ""],  # 10: serial registered to another item
        [a, "ELSEWHERE", "PC", "", "", "", "完好", "", ""],  # 11: item at another station → transfer
        [
            a,
            "EXIST-1",
            "BODYCAM",
            "",
            "",
            "",
            "完好",
            "",
            "",
        ],  # 12: type differs from the register (dup tag too)
        [a, "B-12", "PC", "", "2999-01-01", "", "完好", "", ""],  # 13: future date
    ]
    with pytest.raises(QMError) as exc:
        import_inventory(actor=county_user, unit=stations["cs1"].parent, data=xlsx(bad))
    errors = exc.value.details["errors"]
    got = {(e["row"], e["column"].split()[0]) for e in errors}
    # header is row 1, the good rows 2–4, the bad ones from row 5
    assert {
        (5, "站所代码"),
        (6, "站所代码"),
        (7, "装备类型"),
        (8, "购置日期"),
        (8, "购置金额"),
        (8, "状况"),
        (8, "状态"),
        (9, "资产编号"),
        (10, "序列号"),
        (11, "站所代码"),
        (12, "装备类型"),
        (13, "购置日期"),
    } <= got
    assert not any(e["row"] in (2, 3, 4) for e in errors)
    assert all({"row", "column", "value", "reason"} <= set(e) for e in errors)
    assert next(e for e in errors if e["row"] == 8 and e["column"].startswith("状况"))["value"] == "崭新"
    assert EquipmentItem.objects.count() == 2  # nothing from the good rows either


def test_missing_columns_and_unreadable_file(reference, stations, county_user):
    with pytest.raises(QMError) as exc:
        import_inventory(actor=county_user, unit=stations["cs1"], data=xlsx([], headers=["资产编号", "状况"]))
    assert exc.value.code == "missing_columns"
    assert {e["column"].split()[0] for e in exc.value.details["errors"]} == {"站所代码", "装备类型"}
    with pytest.raises(QMError) as exc:
        import_inventory(actor=county_user, unit=stations["cs1"], data=b"not a workbook")
    assert exc.value.code == "bad_file"


def test_command(reference, stations, good_rows, tmp_path, province_user):
    path = tmp_path / "inv.xlsx"
    path.write_bytes(xlsx(good_rows))
    out = io.StringIO()
    call_command("equipment_import", str(path), unit="430121", user=province_user.username, stdout=out)
    assert "3 created" in out.getvalue() and EquipmentItem.objects.count() == 3
    path.write_bytes(xlsx([[stations["cs1"].code, "X", "NOPE", "", "", "", "完好", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("equipment_import", str(path), unit="430121", user=province_user.username, stderr=err)
    assert "row 2" in err.getvalue() and "NOPE" in err.getvalue()


def test_api_upload_scoped(api, reference, stations, good_rows, county_user, zhuzhou_user, auditor_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(user, unit="430121", rows=good_rows):
        f = SimpleUploadedFile("inv.xlsx", xlsx(rows))
        return api.as_(user).post("/assets/equipment/items/import", {"unit": unit, "file": f}, multipart=True)

    assert upload(auditor_user).status_code == 403
    assert upload(zhuzhou_user).status_code == 404
    r = upload(county_user)
    assert r.status_code == 200 and r.json()["created"] == 3
    r = upload(county_user, rows=[[stations["cs1"].code, "Z", "PC", "", "", "", "好", "", ""]])
    assert r.status_code == 400 and r.json()["details"]["errors"][0]["row"] == 2
    t = api.as_(county_user).get("/assets/equipment/items/import-template")
    assert t.status_code == 200 and t.content[:2] == b"PK"


def test_generated_tags_avoid_each_other_and_tags_in_the_file(reference, stations, county_user):
    a = stations["cs1"].code
    rows = [
        [a, "", "PC", "", "", "", "完好", "", ""],
        [a, "", "PC", "", "", "", "完好", "", ""],
        [a, f"{a}-PC-001", "PC", "", "", "", "完好", "", ""],
    ]
    assert import_inventory(actor=county_user, unit=stations["cs1"], data=xlsx(rows))["created"] == 3
    assert set(EquipmentItem.objects.values_list("asset_tag", flat=True)) == {
        f"{a}-PC-00{n}" for n in (1, 2, 3)
    }
