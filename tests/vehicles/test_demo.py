import io

from vehicles import demo, plates, selectors, services, vin
from vehicles.models import QuotaRecord, Vehicle


def test_demo_loads_a_plausible_register_once(org):
    out = io.StringIO()
    demo.seed(seed=2026, stdout=out)
    table = selectors.allocation_table()
    assert table["total"] == 122 and table["allocated"] == 122 and len(table["rows"]) == 14
    rows = {r["city_code"]: r for r in table["rows"]}
    # Yiyang and Shaoyang bought first: all their vehicles are in service
    assert rows["430900"]["in_service"] == rows["430900"]["quota"] == 8
    assert rows["430500"]["in_service"] == rows["430500"]["quota"] == 10
    assert rows["430500"]["purchase_stage"] == rows["430900"]["purchase_stage"] == "in_service"
    stages = {r["purchase_stage"] for r in table["rows"]}
    assert {
        "budget_approved",
        "procurement",
        "contract_signed",
        "delivered",
        "registered",
        "in_service",
    } <= stages
    plated = Vehicle.objects.exclude(plate="")
    assert 38 <= plated.count() <= 45
    assert all(vin.is_valid(v) for v in Vehicle.objects.values_list("vin", flat=True))
    assert all(plates.is_valid(p) and p.startswith("湘") for p in plated.values_list("plate", flat=True))
    assert any(plates.kind(p) == "new_energy" for p in plated.values_list("plate", flat=True))
    # no police plate, every office letter the owning city's (issue 15)
    for v in plated.select_related("owning_unit__city"):
        assert plates.validate_for_corps(v.plate) == v.plate
        assert plates.warnings(v.plate, v.owning_unit.city_code) == [], v.plate
    reminded = services.papers_remind()
    assert reminded["vehicles"] >= 2  # papers running out soon
    n = (QuotaRecord.objects.count(), Vehicle.objects.count())
    demo.seed(seed=2026, stdout=out)
    assert (QuotaRecord.objects.count(), Vehicle.objects.count()) == n and "already" in out.getvalue()
