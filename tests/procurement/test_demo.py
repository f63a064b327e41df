import io

from django.utils import timezone

from procurement import demo, ocds, selectors
from procurement.models import AcceptanceLine, Contract, Tender
from procurement.workdays import WorkCalendar
from tests.personnel.factories import OfficerFactory


def test_demo_seed_is_complete_and_idempotent(org):
    for unit in ("430100", "430121", "430200", "430000"):
        OfficerFactory.create_batch(3, unit=org[unit])
    OfficerFactory(
        unit=org["430100"], gender="F", height_cm=163, chest_cm=86, waist_cm=70, head_cm=55, foot_mm=235
    )
    OfficerFactory(unit=org["430200"], height_cm=199)  # made to measure
    out = io.StringIO()
    demo.seed(seed=1, stdout=out)
    demo.seed(seed=1, stdout=out)
    assert Tender.objects.count() == 1 and "exists" in out.getvalue()
    tender = demo.demo_tender()
    today = timezone.localdate()
    assert tender.status == "contracted" and tender.reference == f"HNJT-{tender.year}-FZ01"
    calendar = WorkCalendar()
    assert all(calendar.has_data(y) for y in range(today.year - 1, today.year + 2))
    contracts = Contract.objects.filter(award__lot__tender=tender)
    assert set(contracts.filter(award__lot__number=1).values_list("buyer__code", flat=True)) == {
        "430000",
        "430100",
        "430200",
    }
    assert list(contracts.filter(award__lot__number=3).values_list("buyer__code", flat=True)) == ["430000"]
    assert contracts.filter(lines__kind="mtm").exists()
    assert all(c.status == "signed" and c.payments.exists() for c in contracts)
    rejected = AcceptanceLine.objects.get(rejected__gt=0)
    assert rejected.rejection_status == "awaiting_return" and rejected.reason
    assert AcceptanceLine.objects.filter(accepted__gt=0).count() >= 1
    timeline = selectors.timeline(tender, today=today)
    done = [m for m in timeline["milestones"] if m["status"] == "done"]
    assert done and timeline["milestones"][-1]["status"] != "done"
    assert timeline["critical_milestone"] == "deliveries" and timeline["slack_days"] >= 0
    assert not any(f for m in timeline["milestones"] for f in m["findings"])
    assert timeline["warnings"] == []
    assert ocds.validate(ocds.release_package(tender)) == []
