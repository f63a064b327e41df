import copy
import datetime
import json
from decimal import Decimal

from django.core.management import call_command

from procurement import ocds, services

D = datetime.date


def full_tender(city_contracts, province_user):
    """The fixture's tender with dates, signed per-city contracts, a payment and an accepted delivery."""
    contract = city_contracts["430100"]
    tender = contract.award.lot.tender
    for code, day in (
        ("documents_on_sale", D(2026, 1, 5)),
        ("last_clarification", D(2026, 1, 9)),
        ("bid_opening", D(2026, 1, 26)),
        ("winner_chosen", D(2026, 1, 28)),
        ("award_notice", D(2026, 1, 29)),
    ):
        services.milestone_set(
            actor=province_user, milestone=tender.milestones.get(code=code), planned_date=day
        )
        services.milestone_set(
            actor=province_user,
            milestone=tender.milestones.get(code=code),
            actual_date=day,
            today=D(2026, 3, 1),
        )
    services.payment_record(
        actor=province_user, contract=contract, kind="advance", amount=Decimal("1000"), paid_on=D(2026, 2, 20)
    )
    line = contract.lines.first()
    delivery = services.delivery_create(
        actor=province_user,
        contract=contract,
        number="B1",
        destination=contract.buyer,
        planned_on=D(2026, 3, 1),
        delivered_on=D(2026, 3, 2),
        lines=[{"contract_line_id": line.pk, "quantity": 5}],
    )
    services.acceptance_record(
        actor=province_user,
        delivery=delivery,
        inspected_on=D(2026, 3, 3),
        certificate_number="YS-1",
        sample_size=1,
        inspectors="张三",
        lines=[{"delivery_line_id": delivery.lines.get().pk, "accepted": 5}],
    )
    return tender


def test_full_tender_export_validates(city_contracts, province_user):
    tender = full_tender(city_contracts, province_user)
    package = ocds.release_package(tender)
    assert ocds.validate(package) == []
    release = package["releases"][0]
    assert package["version"] == "1.1" and release["ocid"].endswith(tender.reference)
    assert release["tender"]["procurementMethod"] == "open" and release["tender"][
        "procurementMethodDetails"
    ].startswith("公开招标")
    assert release["tender"]["tenderPeriod"]["endDate"].startswith("2026-01-26")
    assert {m["code"] for m in release["tender"]["milestones"]} >= {"bid_opening", "award_notice"}
    assert len(release["awards"]) == 1 and release["awards"][0]["suppliers"][0]["name"] == "甲公司"
    contracts = {c["id"]: c for c in release["contracts"]}
    assert set(contracts) == {c.number for c in city_contracts.values()}
    cs = contracts[city_contracts["430100"].number]
    assert cs["value"]["amount"] == float(city_contracts["430100"].total)
    assert sum(i["quantity"] for i in cs["items"]) == 165  # 62 jackets + 103 shirts
    assert cs["implementation"]["transactions"][0]["value"]["amount"] == 1000.0
    assert cs["implementation"]["milestones"][0]["status"] == "met"
    roles = {p["name"]: set(p["roles"]) for p in release["parties"]}
    assert {"supplier", "tenderer", "payee"} <= roles["甲公司"]


def test_validation_is_real(city_contracts, province_user):
    package = ocds.release_package(city_contracts["430100"].award.lot.tender)
    broken = copy.deepcopy(package)
    del broken["releases"][0]["ocid"]
    broken["releases"][0]["tender"]["status"] = "ongoing"
    errors = ocds.validate(broken)
    assert any("ocid" in e for e in errors) and any("ongoing" in e for e in errors)


def test_export_command(city_contracts, province_user, tmp_path):
    tender = full_tender(city_contracts, province_user)
    out = tmp_path / "ocds.json"
    call_command(
        "export_ocds", "--tender", str(tender.pk), "--out", str(out), "--user", province_user.username
    )
    package = json.loads(out.read_text(encoding="utf-8"))
    assert ocds.validate(package) == [] and package["releases"][0]["tender"]["id"] == tender.reference


def test_variations_are_contract_amendments(city_contracts, province_user):

    tender = full_tender(city_contracts, province_user)
    contract = city_contracts["430100"]
    shirt = contract.lines.get(item__code="DRESS-SHIRT")
    services.contract_variation_create(
        actor=province_user,
        contract=contract,
        number="CS-B1",
        signed_on=datetime.date(2026, 3, 1),
        lines=[{"contract_line_id": shirt.pk, "quantity": 2}],
        reason="新增人员",
    )
    package = ocds.release_package(tender)
    assert ocds.validate(package) == []
    contracts = {c["id"]: c for c in package["releases"][0]["contracts"]}
    cs = contracts[contract.number]
    assert cs["value"]["amount"] == float(contract.total + 91)  # 2 shirts × 45.50
    (amendment,) = cs["amendments"]
    assert amendment["id"] == "CS-B1" and "第四十九条" in amendment["rationale"]
    assert "新增人员" in amendment["rationale"] and amendment["date"].startswith("2026-03-01")
    assert "amendments" not in contracts[city_contracts["430200"].number]
