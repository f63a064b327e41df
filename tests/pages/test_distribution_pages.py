"""The distribution pages with Django's test client: roles, scope, the confirmation's review step and
error paths, idempotent double submit, transfers, issuing kits, the kit card, progress and the dashboard."""

import json

import pytest

from assets.catalog import load_catalog
from assets.models import ItemType
from distribution.choices import ShipmentStatus
from distribution.models import DiscrepancyCase, Movement, Receipt, Shipment
from tests.distribution.conftest import bring_to_county, kit_lines, receive, ship
from tests.personnel.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def text(resp) -> str:
    return resp.content.decode()


@pytest.fixture
def shipment(org, province_user):
    """A dispatched shipment province store → Changsha of two lines (10 + 4)."""
    load_catalog()
    o = OfficerFactory(unit=org["430100"])
    lines = kit_lines(o)[:2]
    lines[0]["quantity"], lines[1]["quantity"] = 10, 4
    receive(province_user, org, lines)
    return ship(province_user, org, lines, "430100")


def form(shipment, received, reason="missing", step="review", note=""):
    """The confirmation as the page posts it: only the lines whose received differs, as exceptions."""
    exceptions = []
    for line, got in zip(shipment.lines.all(), received, strict=True):
        if got != line.quantity:
            short = line.quantity - got if isinstance(got, int) else got
            exceptions.append({"line": line.pk, "kind": reason, "quantity": short})
    return {"step": step, "note": note, "exceptions": json.dumps(exceptions) if exceptions else ""}


def test_city_sees_its_shipment_and_confirms_after_review(browse, changsha_user, shipment):
    c = browse(changsha_user)
    assert shipment.number in text(c.get("/distribution/"))
    url = f"/distribution/shipments/{shipment.pk}/"
    page = text(c.get(url))
    assert 'data-testid="confirm-form"' in page
    review = c.post(url, form(shipment, [10, 3], "missing"))
    assert review.status_code == 200
    assert 'data-testid="confirm-summary"' in text(review) and 'data-testid="summary-short">1<' in text(
        review
    )
    assert not Receipt.objects.exists()  # the review records nothing
    done = c.post(url, form(shipment, [10, 3], "missing", step="confirm"))
    assert done.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISCREPANT
    assert DiscrepancyCase.objects.get(shipment=shipment).quantity == 1
    result = text(c.get(url))
    assert 'data-testid="receipt"' in result and 'data-testid="short-line"' in result
    # the same confirmation sent again (double click) changes nothing
    n = Movement.objects.count()
    again = c.post(url, form(shipment, [10, 3], "missing", step="confirm"))
    assert again.status_code == 302
    assert (
        Movement.objects.count() == n
        and Receipt.objects.count() == 1
        and DiscrepancyCase.objects.count() == 1
    )


@pytest.mark.parametrize(
    "received,reason,field",
    [([10, 2], "", "差异类型"), ([11, 4], "missing", "1–10"), (["x", 4], "missing", "1–10")],
)
def test_bad_confirmation_changes_nothing(browse, changsha_user, shipment, received, reason, field):
    url = f"/distribution/shipments/{shipment.pk}/"
    for step in ("review", "confirm"):
        resp = browse(changsha_user).post(url, form(shipment, received, reason, step=step))
        assert resp.status_code == 400
        assert field in text(resp)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISPATCHED and not Receipt.objects.exists()


def test_other_city_gets_404_and_auditor_cannot_confirm(browse, zhuzhou_user, auditor_user, shipment):
    url = f"/distribution/shipments/{shipment.pk}/"
    assert browse(zhuzhou_user).get(url).status_code == 404
    assert browse(zhuzhou_user).post(url, form(shipment, [10, 4], step="confirm")).status_code == 404
    assert shipment.number not in text(browse(zhuzhou_user).get("/distribution/"))
    page = text(browse(auditor_user).get(url))
    assert 'data-testid="confirm-form"' not in page
    assert browse(auditor_user).post(url, form(shipment, [10, 4], step="confirm")).status_code == 403
    assert not Receipt.objects.exists()
    assert browse(None).get(url).status_code == 302  # to the log-in page


def test_start_blocks_and_dashboard(browse, changsha_user, province_user, county_user, shipment):
    home = text(browse(changsha_user).get("/"))
    assert 'data-block="shipments_to_confirm"' in home and shipment.number in home
    browse(changsha_user).post(
        f"/distribution/shipments/{shipment.pk}/", form(shipment, [10, 3], "damaged", step="confirm")
    )
    prov = text(browse(province_user).get("/"))
    assert 'data-block="cases_open"' in prov
    dash = text(browse(province_user).get("/dashboard/"))
    assert 'data-testid="distribution-short"' in dash
    assert "/distribution/progress/430100/" in dash
    progress = browse(province_user).get("/distribution/progress/?city=430100")
    assert progress.status_code == 200 and 'data-short="1"' in text(progress)
    assert browse(changsha_user).get("/distribution/progress/?city=430200").status_code == 404
    assert 'data-block="kits_to_issue"' in text(browse(county_user).get("/"))


def test_transfer_city_to_county(browse, org, changsha_user, province_user, shipment):
    browse(changsha_user).post(
        f"/distribution/shipments/{shipment.pk}/", form(shipment, [10, 4], step="confirm")
    )
    c = browse(changsha_user)
    page = c.get("/distribution/transfer/", {"city": "430100", "to_unit": "430121"})
    assert page.status_code == 200 and 'data-testid="transfer-form"' in text(page)
    line = shipment.lines.select_related("item").first()
    add = {"add_item": line.item.code, "add_gender": line.gender, "add_size": line.size}
    bad = c.post("/distribution/transfer/", {"city": "430100", "to_unit": "430121", **add, "add_qty": "999"})
    assert bad.status_code == 409 and 'data-testid="transfer-error"' in text(bad)
    no_county = c.post("/distribution/transfer/", {"city": "430100", "to_unit": "", **add, "add_qty": "1"})
    assert no_county.status_code == 400 and "县级" in text(no_county)
    assert Shipment.objects.count() == 1
    ok = c.post("/distribution/transfer/", {"city": "430100", "to_unit": "430121", **add, "add_qty": "3"})
    assert ok.status_code == 302
    s = Shipment.objects.exclude(pk=shipment.pk).get()
    assert s.to_unit.code == "430121" and s.status == ShipmentStatus.DISPATCHED
    assert sum(ln.quantity for ln in s.lines.all()) == 3
    assert browse(None).get("/distribution/transfer/").status_code == 302


def test_county_issues_a_kit_and_the_card_shows_it(
    browse, org, province_user, changsha_user, county_user, zhuzhou_user
):
    load_catalog()
    officers = [OfficerFactory(unit=org["430121"]) for _ in range(2)]
    bring_to_county(org, province_user, changsha_user, county_user, kit_lines(officers[0], 2))
    c = browse(county_user)
    kits = text(c.get("/distribution/kits/?unit=430121"))
    assert f'data-officer="{officers[0].pk}"' in kits and 'class="tag">未配齐' in kits
    first = ItemType.objects.get(code=kit_lines(officers[0])[0]["item"])
    assert first.name_for(officers[0].gender) in kits and first.code not in kits  # named, not coded
    url = f"/distribution/officers/{officers[0].pk}/"
    assert 'data-testid="kit-card-empty"' in text(c.get(url))
    bad = c.post(url, {"action": "issue", "size_" + kit_lines(officers[0])[0]["item"]: "X" * 30})
    assert bad.status_code == 400 and not Movement.objects.filter(kind="issue").exists()
    assert c.post(url, {"action": "issue"}).status_code == 302
    card = text(c.get(f"/roll/officers/{officers[0].pk}/"))
    assert 'data-testid="kit-card"' in card and 'data-testid="kit-card-empty"' not in card
    n = Movement.objects.filter(kind="issue").count()
    assert c.post(url, {"action": "issue"}).status_code == 302  # again: nothing more
    assert Movement.objects.filter(kind="issue").count() == n
    assert c.post("/distribution/kits/?unit=430121").status_code == 302  # the whole unit
    assert Movement.objects.filter(kind="issue", to_location__officer=officers[1]).exists()
    assert browse(zhuzhou_user).get(url).status_code == 404
    assert browse(zhuzhou_user).get("/distribution/kits/?unit=430121").status_code == 404


def test_recoveries_and_cases_pages(browse, county_user, province_user, changsha_user):
    assert browse(county_user).get("/distribution/recoveries/").status_code == 200
    assert browse(province_user).get("/distribution/cases/").status_code == 200
    assert browse(changsha_user).get("/distribution/?status=nope").status_code == 400


def test_kits_page_links_to_the_sign_for_sheets_in_the_report_centre(browse, county_user, zhuzhou_user):
    from reports.models import ReportJob

    c = browse(county_user)
    kits = text(c.get("/distribution/kits/?unit=430121"))
    assert "/reports/?kind=sign-for-sheets&amp;unit=430121" in kits
    form_page = text(c.get("/reports/?kind=sign-for-sheets&unit=430121"))
    assert '<option value="430121" selected>' in form_page
    bad = c.post(
        "/reports/", {"kind": "sign-for-sheets", "unit": "430200", "format": "pdf"}
    )  # not one of mine
    assert (
        bad.status_code == 404
        and 'data-testid="report-error"' in text(bad)
        and not ReportJob.objects.exists()
    )
    assert (
        c.post("/reports/", {"kind": "sign-for-sheets", "unit": "430121", "format": "pdf"}).status_code == 302
    )
    job = ReportJob.objects.get()
    assert job.kind == "sign-for-sheets" and job.parameters.get("county") == "430121"
    assert f'data-job="{job.pk}"' in text(c.get("/reports/"))
    assert f'data-job="{job.pk}"' not in text(browse(zhuzhou_user).get("/reports/"))
