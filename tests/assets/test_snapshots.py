"""Snapshots freeze a demand; two snapshots are compared per city × item × gender × size, with officers."""

from decimal import Decimal

import pytest

from assets import demand, selectors, services
from assets.models import DemandSnapshot
from core.errors import Forbidden
from core.history import history_for
from tests.personnel.factories import OfficerFactory


def test_snapshot_freezes_rows_and_says_who_and_which_standard(roll, province_user):
    live = demand.compute()
    snap = services.snapshot_create(actor=province_user, note="招标前 before the tender")
    assert snap.standard_version.number == 1 and snap.created_by == province_user
    assert snap.officer_count == 7 and snap.margin_percent == 3
    rows = selectors.snapshot_rows(snap)
    assert {
        (r["city_code"], r["item_code"], r["gender"], r["size"]): r["quantity"] for r in rows
    } == live.rows
    assert rows == sorted(rows, key=lambda r: (r["city_code"], r["item_code"], r["gender"], r["size"]))
    assert snap.totals["DRESS-JACKET"] == {"M": 4, "F": 1}  # a b i + d; c
    assert [m["name"] for m in selectors.snapshot_made_to_measure(snap)] == ["己"]
    assert {u["item_code"] for u in snap.unknown} >= {"DRESS-JACKET", "TROUSERS"}
    assert history_for(snap).count() == 1


def test_snapshot_rows_for_one_city_and_order_lines(roll, province_user):
    snap = services.snapshot_create(actor=province_user)
    changsha = selectors.snapshot_rows(snap, city_code="430100")
    assert {r["city_code"] for r in changsha} == {"430100"}
    jacket = [r for r in changsha if r["item_code"] == "DRESS-JACKET" and r["gender"] == "M"]
    assert jacket == [
        {"city_code": "430100", "item_code": "DRESS-JACKET", "gender": "M", "size": "175/92A", "quantity": 3}
    ]
    lines = {(ln["item_code"], ln["gender"], ln["size"]): ln for ln in selectors.snapshot_order_lines(snap)}
    # province total of INS-ARMBAND men: 6 officers (a b i f d e) × 6 = 36 → ⌈36 × 1.03⌉ = ⌈37.08⌉ = 38
    assert lines[("INS-ARMBAND", "M", "-")]["quantity"] == 36
    assert lines[("INS-ARMBAND", "M", "-")]["order_quantity"] == 38


def test_snapshot_frozen_against_later_changes(roll, province_user):
    snap = services.snapshot_create(actor=province_user)
    roll["a"].waist_cm = Decimal(80)
    roll["a"].save()
    services.standard_revise(
        actor=province_user, changes=[{"item_code": "INS-BELT", "qty_per_officer": 3}], note="x"
    )
    rows = {
        (r["item_code"], r["size"]): r["quantity"]
        for r in selectors.snapshot_rows(snap, "430100")
        if r["gender"] == "M"
    }
    assert rows[("TROUSERS", "175/76A")] == 6 and rows[("INS-BELT", "-")] == 4
    assert DemandSnapshot.objects.get(pk=snap.pk).standard_version.number == 1


def test_only_provincial_logistics_takes_snapshots(roll, changsha_user, auditor_user):
    for user in (changsha_user, auditor_user):
        with pytest.raises(Forbidden):
            services.snapshot_create(actor=user)
    assert DemandSnapshot.objects.count() == 0


def test_compare_shows_changes_and_the_officers_who_caused_them(roll, org, province_user):
    a = services.snapshot_create(actor=province_user)
    # a's waist 76 → 80: trousers 175/76A → 175/80A; a new officer joins Zhuzhou; b leaves the count
    roll["a"].waist_cm = Decimal(80)
    roll["a"].save()
    new = OfficerFactory(name="新人", unit=org["430200"])
    roll["b"].status = "left"
    roll["b"].save()
    b = services.snapshot_create(actor=province_user)
    result = selectors.snapshot_compare(province_user, a, b)
    changes = {(c["city_code"], c["item_code"], c["gender"], c["size"]): c for c in result["changes"]}
    t76 = changes[("430100", "TROUSERS", "M", "175/76A")]
    assert (t76["before"], t76["after"], t76["delta"]) == (6, 2, -4)
    assert {(o["name"], o["delta"]) for o in t76["officers"]} == {("甲", -2), ("乙", -2)}
    t80 = changes[("430100", "TROUSERS", "M", "175/80A")]
    assert (t80["before"], t80["after"]) == (0, 2)
    assert t80["officers"][0]["name"] == "甲" and "号型" in t80["officers"][0]["reason"]
    jz = changes[("430200", "DRESS-JACKET", "M", "175/92A")]
    assert (jz["before"], jz["after"]) == (0, 1) and jz["officers"][0]["officer_id"] == new.pk
    assert "新计入" in jz["officers"][0]["reason"]
    # the jacket of a did not change; only b's left
    j = changes[("430100", "DRESS-JACKET", "M", "175/92A")]
    assert j["delta"] == -1 and [o["name"] for o in j["officers"]] == ["乙"]
    assert "不再计入" in j["officers"][0]["reason"]
    # every change is explained by officers adding up to it
    for c in result["changes"]:
        assert sum(o["delta"] for o in c["officers"]) == c["delta"]


def test_compare_across_standard_versions(roll, province_user):
    a = services.snapshot_create(actor=province_user)
    services.standard_revise(
        actor=province_user, changes=[{"item_code": "INS-TIE", "qty_per_officer": 3}], note="三条领带"
    )
    b = services.snapshot_create(actor=province_user)
    result = selectors.snapshot_compare(province_user, a, b)
    assert (result["standard_a"], result["standard_b"]) == (1, 2)
    assert {c["item_code"] for c in result["changes"]} == {"INS-TIE"}
    tie = {(c["city_code"], c["gender"]): c for c in result["changes"]}
    assert tie[("430100", "M")]["delta"] == 4  # a b i f: one more tie each
    assert all("配发标准" in o["reason"] for c in result["changes"] for o in c["officers"])


def test_compare_scoped_to_the_users_city(roll, org, province_user, zhuzhou_user):
    a = services.snapshot_create(actor=province_user)
    OfficerFactory(unit=org["430100"])
    OfficerFactory(unit=org["430200"])
    b = services.snapshot_create(actor=province_user)
    result = selectors.snapshot_compare(zhuzhou_user, a, b)
    assert result["changes"] and {c["city_code"] for c in result["changes"]} == {"430200"}


def test_names_in_a_snapshot_follow_the_users_scope(roll, province_user, county_user, changsha_user):
    snap = services.snapshot_create(actor=province_user)
    # f (made to measure) sits in the Changsha detachment, outside the county's scope
    assert [m["name"] for m in selectors.visible_made_to_measure(changsha_user, snap.made_to_measure)] == [
        "己"
    ]
    assert selectors.visible_made_to_measure(county_user, snap.made_to_measure) == []
    # e (unknown sizes) is in Zhuzhou: nobody in Changsha sees the name
    assert selectors.visible_unknown(changsha_user, snap.unknown) == []
    assert selectors.visible_unknown(province_user, snap.unknown)[0]["officers"][0]["name"] == "戊"
