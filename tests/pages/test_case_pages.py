"""Discrepancy cases as pages: open/settled filter, provincial logistics settle a case (re-ship, write off,
claim from the supplier) through distribution.services.case_settle — the ledger rows are posted and shown —,
bad input shows its message and changes nothing, a double submit settles once, city users read only, and
another city's case is 404."""

import json

import pytest

from assets.catalog import load_catalog
from distribution.choices import CaseStatus, ShipmentStatus
from distribution.models import DiscrepancyCase, Movement, Shipment
from tests.distribution.conftest import kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def text(resp) -> str:
    return resp.content.decode()


@pytest.fixture
def case(org, province_user, changsha_user):
    """Changsha confirmed a shipment of 10 + 4 with one missing on the second line: one open case of 1. The
    province store holds 5 more of that line's item (for a re-ship)."""
    load_catalog()
    lines = kit_lines(OfficerFactory(unit=org["430100"]))[:2]
    lines[0]["quantity"], lines[1]["quantity"] = 10, 4
    receive(province_user, org, lines)
    shipment = ship(province_user, org, lines, "430100")
    receive(province_user, org, [{**lines[1], "quantity": 5}], doc="YS-2")
    second = list(shipment.lines.all())[1]
    exceptions = [{"line": second.pk, "kind": "missing", "quantity": 1, "note": "少一件"}]
    c = {"step": "confirm", "note": "", "exceptions": json.dumps(exceptions)}
    from django.test import Client

    client = Client()
    client.force_login(changsha_user)
    assert client.post(f"/distribution/shipments/{shipment.pk}/", c).status_code == 302
    return DiscrepancyCase.objects.get(shipment=shipment)


def test_list_filters_open_and_settled(browse, province_user, case):
    c = browse(province_user)
    page = text(c.get("/distribution/cases/"))
    assert f'data-case="{case.pk}"' in page and f'href="/distribution/cases/{case.pk}/"' in page
    assert f'data-case="{case.pk}"' not in text(c.get("/distribution/cases/?status=settled"))
    assert c.get("/distribution/cases/?status=nope").status_code == 400


def test_province_writes_off_and_sees_the_ledger_rows(browse, province_user, case):
    c = browse(province_user)
    url = f"/distribution/cases/{case.pk}/"
    page = text(c.get(url))
    assert 'data-testid="settle-form"' in page and 'data-testid="case-quantity">1<' in page
    assert c.post(url, {"outcome": "write_off", "note": "运输损耗"}).status_code == 302
    case.refresh_from_db()
    assert (
        case.status == CaseStatus.SETTLED and case.outcome == "write_off" and case.settle_note == "运输损耗"
    )
    rows = Movement.objects.filter(doc_type="case", doc_id=case.pk)
    assert [(m.kind, m.quantity, m.to_location.kind) for m in rows] == [("write_off", 1, "written_off")]
    assert case.shipment.__class__.objects.get(pk=case.shipment_id).status == ShipmentStatus.CLOSED
    result = text(c.get(url))
    assert 'data-testid="settle-result"' in result and 'data-kind="write_off"' in result
    assert 'data-testid="settle-form"' not in result
    # sent again (a double click): the service answers the settled case, nothing more is posted
    assert c.post(url, {"outcome": "write_off"}).status_code == 302
    assert Movement.objects.filter(doc_type="case", doc_id=case.pk).count() == 1
    assert f'data-case="{case.pk}"' in text(c.get("/distribution/cases/?status=settled"))


def test_province_reships_from_the_store(browse, province_user, case):
    c = browse(province_user)
    n = Shipment.objects.count()
    assert (
        c.post(f"/distribution/cases/{case.pk}/", {"outcome": "reship", "from_unit": "430000"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.outcome == "reship" and case.reship is not None and Shipment.objects.count() == n + 1
    assert case.reship.status == ShipmentStatus.DISPATCHED and case.reship.to_unit_id == case.unit_id
    assert sum(ln.quantity for ln in case.reship.lines.all()) == 1
    page = text(c.get(f"/distribution/cases/{case.pk}/"))
    assert f'href="/distribution/shipments/{case.reship.pk}/"' in page and 'data-kind="write_off"' in page


def test_claim_needs_a_supplier_when_the_sender_was_the_store(browse, province_user, case):
    c = browse(province_user)
    url = f"/distribution/cases/{case.pk}/"
    before = Movement.objects.count()
    bad = c.post(url, {"outcome": "claim", "supplier": ""})
    assert bad.status_code == 400 and 'data-testid="settle-error"' in text(bad) and "供应商" in text(bad)
    assert Movement.objects.count() == before
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    ok = c.post(url, {"outcome": "claim", "supplier": "供应商甲"})
    assert ok.status_code == 302
    m = Movement.objects.get(doc_type="case", doc_id=case.pk)
    assert m.kind == "claim" and m.to_location.kind == "supplier" and "供应商甲" in m.to_location.name


@pytest.mark.parametrize(
    "data", [{"outcome": "burn"}, {"outcome": ""}, {"outcome": "reship", "from_unit": "430200"}]
)  # 株洲 holds none of it
def test_bad_settle_changes_nothing(browse, province_user, case, data):
    before = (Movement.objects.count(), Shipment.objects.count())
    resp = browse(province_user).post(f"/distribution/cases/{case.pk}/", data)
    assert resp.status_code in (400, 409) and 'data-testid="settle-error"' in text(resp)
    assert (Movement.objects.count(), Shipment.objects.count()) == before
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.outcome == ""


def test_city_reads_only_and_other_city_is_404(browse, changsha_user, zhuzhou_user, case):
    c = browse(changsha_user)
    page = text(c.get(f"/distribution/cases/{case.pk}/"))
    assert 'data-testid="settle-readonly"' in page and 'data-testid="settle-form"' not in page
    assert c.post(f"/distribution/cases/{case.pk}/", {"outcome": "write_off"}).status_code == 403
    assert not Movement.objects.filter(doc_type="case").exists()
    z = browse(zhuzhou_user)
    assert z.get(f"/distribution/cases/{case.pk}/").status_code == 404
    assert z.post(f"/distribution/cases/{case.pk}/", {"outcome": "write_off"}).status_code == 404
    assert f'data-case="{case.pk}"' not in text(z.get("/distribution/cases/"))


def test_county_issues_to_the_officers_ticked(
    browse, org, province_user, changsha_user, county_user, zhuzhou_user
):
    from tests.distribution.conftest import bring_to_county

    load_catalog()
    officers = [OfficerFactory(unit=org["430121"]) for _ in range(3)]
    bring_to_county(org, province_user, changsha_user, county_user, kit_lines(officers[0], 3))
    c = browse(county_user)
    page = text(c.get("/distribution/kits/?unit=430121"))
    assert 'data-testid="issue-selected"' in page and f'name="officer" value="{officers[1].pk}"' in page
    none = c.post("/distribution/kits/?unit=430121", {"scope": "selected"}, follow=True)
    assert "请勾选" in text(none) and not Movement.objects.filter(kind="issue").exists()
    unknown = c.post(
        "/distribution/kits/?unit=430121", {"scope": "selected", "officer": ["999999"]}, follow=True
    )
    assert "不存在" in text(unknown) and not Movement.objects.filter(kind="issue").exists()
    other_city = OfficerFactory(unit=org["430200"])
    refused = c.post(
        "/distribution/kits/?unit=430121", {"scope": "selected", "officer": [str(other_city.pk)]}, follow=True
    )
    assert 'class="msg-error"' in text(refused) and not Movement.objects.filter(kind="issue").exists()
    ok = c.post(
        "/distribution/kits/?unit=430121",
        {"scope": "selected", "officer": [str(officers[0].pk), str(officers[2].pk)]},
    )
    assert ok.status_code == 302
    got = {o.pk for o in officers if Movement.objects.filter(kind="issue", to_location__officer=o).exists()}
    assert got == {officers[0].pk, officers[2].pk}


def test_city_dashboard_shows_its_counties_progress(browse, changsha_user, county_user, zhuzhou_user, case):
    page = text(browse(changsha_user).get("/dashboard/"))
    assert 'data-section="distribution"' in page and 'data-chart="chart-distribution"' in page
    assert 'href="/distribution/kits/?unit=430121"' in page and "按县级单位" in page
    assert 'data-testid="distribution-short" class="warn">1<' in page  # Changsha's shortage
    assert 'href="/distribution/kits/?unit=430121"' not in text(browse(zhuzhou_user).get("/dashboard/"))
    assert 'data-section="distribution"' not in text(browse(county_user).get("/dashboard/"))
