"""compute_demand's output, byte for byte, on a small roll (SIZING.md "Output of compute_demand")."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assets.models import DemandSnapshot, ItemType
from personnel.models import Officer
from tests.personnel.factories import OfficerFactory


def run(*args):
    out_bytes = io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", newline="")
    err = io.StringIO()
    call_command("compute_demand", *args, stdout=out, stderr=err)
    out.flush()
    return out_bytes.getvalue(), err.getvalue()


@pytest.fixture
def small_roll(org, catalog, province_user):
    """Two men in Changsha (173/92/76 → 175/92A, 175/76A, shoe 255, cap 57), one woman in Zhuzhou
    (160/84/68 → 160/84A, 160/68A; foot 230 → 230; head 55 → 55), one man in Zhuzhou with no waist."""
    D = Decimal
    OfficerFactory(name="甲", unit=org["430100"])
    OfficerFactory(name="乙", unit=org["430121"])
    OfficerFactory(
        name="丙",
        gender="F",
        unit=org["430200"],
        height_cm=D(160),
        chest_cm=D(84),
        waist_cm=D(68),
        head_cm=D(55),
        foot_mm=D(230),
    )
    OfficerFactory(name="戊", unit=org["430200"], waist_cm=None)
    # keep the table small: only three items stay in the standard
    from assets.models import ItemType

    keep = {"DRESS-JACKET", "SHOES-LEATHER", "INS-ARMBAND"}
    for item in ItemType.objects.exclude(code__in=keep):
        from assets import services

        services.item_type_update(actor=province_user, item=item, is_active=False)
    return province_user


def test_csv_rows_byte_exact(small_roll):
    out, err = run("--user", small_roll.username)
    expected = (
        "city_code,item_code,gender,size,quantity\n"
        "430100,DRESS-JACKET,男,175/92A,2\n"
        "430100,INS-ARMBAND,男,-,12\n"
        "430100,SHOES-LEATHER,男,255,2\n"
        "430200,DRESS-JACKET,女,160/84A,1\n"
        "430200,INS-ARMBAND,女,-,6\n"
        "430200,INS-ARMBAND,男,-,6\n"
        "430200,SHOES-LEATHER,女,230,1\n"
        "430200,SHOES-LEATHER,男,255,1\n"
    ).encode()
    assert out == expected
    assert not out.startswith(b"\xef\xbb\xbf")
    jacket = ItemType.objects.get(code="DRESS-JACKET").name_zh
    unit = Officer.objects.get(name="戊").unit.name
    assert f"号型未知 {jacket}：男 1，女 0 — 戊（{unit}）" in err
    assert "DRESS-JACKET" not in err and "430200" not in err  # names on standard error, never codes


def test_order_byte_exact(small_roll):
    out, _ = run("--order", "--user", small_roll.username)
    # province totals with ⌈n × 103 / 100⌉: 2 → 3, 1 → 2, 18 → 19 (18.54), 6 → 7 (6.18), 3 → 4 (3.09)
    expected = (
        "item_code,gender,size,quantity\n"
        "DRESS-JACKET,女,160/84A,2\n"
        "DRESS-JACKET,男,175/92A,3\n"
        "INS-ARMBAND,女,-,7\n"
        "INS-ARMBAND,男,-,19\n"
        "SHOES-LEATHER,女,230,2\n"
        "SHOES-LEATHER,男,255,4\n"
    ).encode()
    assert out == expected


def test_city_and_city_order(small_roll):
    out, _ = run("--city", "430100", "--user", small_roll.username)
    assert out.decode().splitlines()[1:] == [
        "430100,DRESS-JACKET,男,175/92A,2",
        "430100,INS-ARMBAND,男,-,12",
        "430100,SHOES-LEATHER,男,255,2",
    ]
    out, _ = run("--city", "430100", "--order", "--user", small_roll.username)
    # the city's contract lines: 12 → ⌈12.36⌉ = 13
    assert "INS-ARMBAND,男,-,13" in out.decode().splitlines()


def test_json_and_snapshot(small_roll):
    out, err = run("--format", "json", "--snapshot", "--note", "命令快照", "--user", small_roll.username)
    doc = json.loads(out)
    assert doc["standard_version"] == DemandSnapshot.objects.get().standard_version.number
    assert {
        "city_code": "430100",
        "item_code": "DRESS-JACKET",
        "gender": "男",
        "size": "175/92A",
        "quantity": 2,
    } in doc["rows"]
    assert doc["unknown"][0]["officers"][0]["name"] == "戊"
    snap = DemandSnapshot.objects.get()
    assert snap.note == "命令快照" and snap.created_by == small_roll
    assert "快照 #" in err


def test_made_to_measure_goes_to_stderr(small_roll, org):
    OfficerFactory(name="特", unit=org["430100"], chest_cm=Decimal(100), waist_cm=Decimal(70))
    out, err = run("--user", small_roll.username)
    assert "量体定制 特（" in err and "，男）" in err
    assert "胸围 100" in err and "腰围 70" in err and "特体" in err
    assert "DRESS-JACKET" not in err and "chest_cm" not in err and " 1 件" in err
    assert "430100,DRESS-JACKET,男,175/92A,2" in out.decode()


def test_city_user_other_city_fails(small_roll, changsha_user):
    with pytest.raises(CommandError):
        run("--city", "430200", "--user", changsha_user.username)
    with pytest.raises(CommandError):
        run("--snapshot", "--user", changsha_user.username)
