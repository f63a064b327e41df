"""seed_demo tells one story relative to the day it runs: tested for two different days."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from distribution.models import IssueRecord, Movement, Shipment
from personnel.models import Officer
from procurement import demo, selectors
from procurement.models import Award, Delivery, Milestone
from procurement.workdays import WorkCalendar

DAYS = [datetime.date(2026, 12, 4), datetime.date(2027, 6, 15)]


def local_day(dt: datetime.datetime) -> datetime.date:
    return timezone.localtime(dt).date()


@pytest.fixture(params=DAYS, ids=[d.isoformat() for d in DAYS])
def seeded(request, db):
    today = request.param
    out = io.StringIO()
    call_command("seed_demo", officers=400, today=today.isoformat(), stdout=out)
    return today, out.getvalue()


def test_the_tender_is_in_the_past_with_one_due_soon_and_one_overdue(seeded, make_user):
    today, _ = seeded
    tender = demo.demo_tender()
    assert tender is not None
    milestones = list(Milestone.objects.filter(tender=tender))
    done = [m for m in milestones if m.actual_date]
    assert done and all(m.actual_date <= today for m in done)
    notice = next(m for m in milestones if m.code == "notice_published")
    assert notice.actual_date < today - datetime.timedelta(days=60)
    tl = selectors.timeline(tender, today=today)
    statuses = [m["status"] for m in tl["milestones"]]
    assert "overdue" in statuses and "due_soon" in statuses and "pending" in statuses
    # the legal intervals hold on the working-day calendar, which knows every year the story touches
    assert not [f for m in tl["milestones"] for f in m["findings"]]
    assert tl["warnings"] == []
    assert tl["slack_days"] >= 0
    cal = WorkCalendar()
    assert all(cal.has_data(m.actual_date.year) for m in done)
    # what the province's start page and the tender page list: due next and late
    due = selectors.milestones_due(make_user("province", "430000"), today=today)
    assert {m["status"] for m in due} == {"overdue", "due_soon"}


def test_deliveries_follow_the_award_and_kits_follow_receipt(seeded):
    today, _ = seeded
    award_day = min(Award.objects.values_list("decided_on", flat=True))
    deliveries = list(Delivery.objects.select_related("contract__award"))
    assert deliveries
    for d in deliveries:
        assert d.contract.award.decided_on < d.delivered_on <= today
    from_supplier = Movement.objects.filter(from_location__kind="supplier")
    assert from_supplier.exists()
    assert all(award_day < local_day(at) <= today for at in from_supplier.values_list("at", flat=True))

    # cities at different stages: confirmed, one short, in transit, not yet shipped
    city_shipments = Shipment.objects.filter(from_location__unit__code="430000")
    statuses = dict(city_shipments.values_list("to_unit__code", "status"))
    assert statuses["430100"] == statuses["430300"] == "received"
    assert statuses["430200"] not in ("received", "dispatched")
    assert statuses["430400"] == statuses["430900"] == "dispatched"
    assert "430500" not in statuses
    for s in Shipment.objects.exclude(dispatched_at=None):
        assert local_day(s.dispatched_at) <= today
        assert s.received_at is None or s.dispatched_at < s.received_at
        assert s.created_at <= s.dispatched_at

    issues = list(IssueRecord.objects.all())
    assert issues
    received = {}
    for unit_id, at in Shipment.objects.exclude(received_at=None).values_list("to_unit_id", "received_at"):
        received[unit_id] = min(at, received.get(unit_id, at))
    for issue in issues:
        assert issue.unit_id in received, "issued where nothing was received"
        assert received[issue.unit_id] < issue.at and local_day(received[issue.unit_id]) <= issue.signed_on
        assert issue.signed_on <= today
    leaver = Officer.objects.filter(status="left", issues__isnull=False).first()
    assert leaver is not None


def test_seeding_again_changes_nothing(seeded):
    today, _ = seeded
    counts = (Movement.objects.count(), Delivery.objects.count(), Milestone.objects.count())
    out = io.StringIO()
    call_command(
        "seed_demo", officers=400, today=(today + datetime.timedelta(days=30)).isoformat(), stdout=out
    )
    assert (Movement.objects.count(), Delivery.objects.count(), Milestone.objects.count()) == counts
    assert "exists" in out.getvalue() and "already" in out.getvalue()


def test_the_demo_stock_comes_through_contracts_deliveries_and_acceptance(seeded):
    """Supplier stock only by acceptance certificates of the demo tender's contract deliveries, each after
    its contract was signed; the demo cities' own contracts (统采分签) delivered; every document listed."""
    from django.db.models import Sum

    from distribution import ledger_sources
    from distribution.services import ledger_verify
    from procurement.models import Acceptance

    today, _ = seeded
    supplier_rows = Movement.objects.filter(from_location__kind="supplier")
    assert set(supplier_rows.values_list("doc_type", flat=True)) == {"acceptance"}
    by_certificate = dict(
        supplier_rows.values("doc_id").annotate(q=Sum("quantity")).values_list("doc_id", "q")
    )
    accepted = {
        a.pk: sum(al.accepted for al in a.lines.all())
        for a in Acceptance.objects.prefetch_related("lines").select_related("delivery__contract")
    }
    assert by_certificate == {pk: q for pk, q in accepted.items() if q}
    for a in Acceptance.objects.select_related("delivery__contract"):
        contract = a.delivery.contract
        assert contract.signed_on < a.delivery.delivered_on <= a.inspected_on <= today
    buyers = set(Acceptance.objects.values_list("delivery__contract__buyer__code", flat=True))
    assert {"430100", "430200", "430300", "430400", "430900", "430000"} <= buyers
    assert set(Movement.objects.values_list("doc_type", flat=True)) <= ledger_sources.DOC_TYPES
    assert (
        not Movement.objects.filter(from_location__kind="adjustment")
        .exclude(doc_type__in=list(ledger_sources.ENTRIES))
        .exists()
    )
    assert ledger_verify() == []
